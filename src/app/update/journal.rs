//! News from the journal: actions written (or refused), resumed retries, timeline entries
//! from this and other processes, and whether the journal works.

use crate::app::{App, Pending};
use crate::journal::task::JournalEvent;

/// Applies one journal event.
pub fn on_event(app: &mut App, event: JournalEvent) {
    match event {
        JournalEvent::Recorded(_) => {}
        JournalEvent::NotRecorded { id, error } => {
            if let Some(p) = app.pending.remove(&id) {
                app.toast_error(format!(
                    "{} {} not sent: {error}",
                    p.op.verb(),
                    p.key.target()
                ));
            }
        }
        JournalEvent::Resumed(items) => {
            for item in items {
                let retrying = item
                    .last_error
                    .clone()
                    .or_else(|| Some("resumed from the outbox".into()));
                app.pending.insert(
                    item.id,
                    Pending {
                        key: item.key,
                        op: item.op,
                        since: item.created_at,
                        retrying,
                    },
                );
            }
        }
        JournalEvent::Snapshot {
            source,
            fetched_at,
            alerts,
        } => {
            let Some(index) = app.sources.iter().position(|s| s.info.id == source) else {
                return;
            };
            let s = &mut app.sources[index];
            if s.last_ok.is_some() {
                return; // a poll already brought fresher news
            }
            s.alerts = alerts;
            s.last_ok = Some(fetched_at);
            s.saved_at = Some(fetched_at);
            s.is_cached = true;
            app.rebuild_after_refresh(index);
        }
        JournalEvent::Entries(entries) => {
            for entry in entries {
                let list = app.timeline.entry(entry.subject.clone()).or_default();
                if !list.iter().any(|e| e.id == entry.id) {
                    let at = list.partition_point(|e| e.id < entry.id);
                    list.insert(at, entry);
                }
            }
        }
        JournalEvent::Unavailable(error) => {
            app.toast_error(error.clone());
            app.journal_error = Some(error);
        }
        JournalEvent::Available => app.journal_error = None,
    }
}
