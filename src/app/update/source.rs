//! News from sources: new snapshots, failures, command outcomes.

use crate::app::App;
use crate::sources::SourceEvent;

/// Applies one source event.
pub fn on_event(app: &mut App, event: SourceEvent) {
    match event {
        SourceEvent::AlertsFetched {
            source,
            alerts,
            escalation,
            silences,
            fetched_at,
        } => {
            let Some(index) = app.sources.iter().position(|s| s.info.id == source) else {
                return;
            };
            let s = &mut app.sources[index];
            // Freeing ten thousand alerts takes milliseconds: not on the UI task.
            let old = std::mem::replace(&mut s.alerts, alerts);
            s.escalation = escalation;
            s.silences = silences;
            s.last_ok = Some(fetched_at);
            s.last_error = None;
            app.queued.push(crate::app::Effect::Release(old));
            app.rebuild_after_refresh(index);
        }
        SourceEvent::Unchanged { source, at } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.last_ok = Some(at);
                s.last_error = None;
            }
        }
        SourceEvent::PollFailed { source, error, at } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.last_error = Some((at, error));
            }
        }
        SourceEvent::CommandDone { id, result, .. } => {
            let Some(pending) = app.pending.remove(&id) else {
                return;
            };
            match result {
                Ok(()) => app.toast_info(format!(
                    "{} {}: done",
                    pending.op.verb(),
                    pending.key.target()
                )),
                Err(e) => app.toast_error(format!(
                    "{} {} failed: {e}",
                    pending.op.verb(),
                    pending.key.target()
                )),
            }
        }
        SourceEvent::PauseChanged { source, is_paused } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.is_paused = is_paused;
            }
        }
    }
}
