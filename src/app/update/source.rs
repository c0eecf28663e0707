//! News from sources: new snapshots, failures, command outcomes.

use std::sync::Arc;

use crate::app::order_job::OFF_TASK_FROM;
use crate::app::{App, Effect};
use crate::model::Alert;
use crate::sources::SourceEvent;

/// The last known picture is saved at most this often per source (and at exit).
const SNAPSHOT_EVERY: chrono::TimeDelta = chrono::TimeDelta::seconds(60);

/// Hands `s`'s alerts to the journal as its last known picture.
pub fn save_snapshot(s: &mut crate::app::SourceState) -> crate::app::Effect {
    s.is_unsaved = false;
    let fetched_at = s.last_ok.unwrap_or_default();
    s.saved_at = Some(fetched_at);
    Effect::Journal(crate::journal::task::Request::SaveSnapshot {
        source: s.info.id.clone(),
        fetched_at,
        alerts: s.alerts.clone(),
    })
}

/// Puts `alerts` in place of source `index`'s, and saves them when the last save is old.
pub fn install(app: &mut App, index: usize, alerts: Arc<Vec<Alert>>, fx: &mut Vec<Effect>) {
    let Some(s) = app.sources.get_mut(index) else {
        return;
    };
    // Freeing ten thousand alerts takes milliseconds: not on the UI task.
    let old = std::mem::replace(&mut s.alerts, alerts);
    s.is_unsaved = true;
    fx.push(Effect::Release(old));
    let fetched_at = s.last_ok.unwrap_or_default();
    if s.saved_at
        .is_none_or(|at| fetched_at - at >= SNAPSHOT_EVERY)
    {
        let save = save_snapshot(s);
        fx.push(save);
    }
}

/// Applies one source event.
pub fn on_event(app: &mut App, event: SourceEvent, fx: &mut Vec<Effect>) {
    match event {
        SourceEvent::AlertsFetched {
            source,
            alerts,
            escalation,
            silences,
            tickets,
            fetched_at,
        } => {
            let Some(index) = app.sources.iter().position(|s| s.info.id == source) else {
                return;
            };
            let s = &mut app.sources[index];
            s.escalation = escalation;
            s.silences = silences;
            s.tickets = tickets;
            s.last_ok = Some(fetched_at);
            s.last_error = None;
            s.is_cached = false;
            // (Alerts waiting for an off-task order must make way for the empty list.)
            if s.alerts.is_empty() && s.incoming.is_none() && alerts.is_empty() {
                // A ticketing source (or a quiet one): the alert list did not change, and at
                // 100k alerts a re-order for every ticket poll would be wasted.
                app.rebuild_ticket_rows();
                return;
            }
            let others: usize = app
                .sources
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != index)
                .map(|(_, s)| s.alerts.len())
                .sum();
            if others + alerts.len() >= OFF_TASK_FROM {
                // At scale the list is ordered off the UI task; these alerts wait beside
                // the ones on screen until that order comes back.
                app.sources[index].incoming = Some(alerts);
                app.order_off_task(fx);
            } else {
                install(app, index, alerts, fx);
                app.rebuild_after_refresh(index, fx);
            }
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
        SourceEvent::CapabilitiesChanged { source, can } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.info.can = can;
            }
        }
        SourceEvent::RulesFetched { source, rules } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.rules = rules;
            }
        }
        SourceEvent::IncidentsFetched { source, incidents } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.incidents = incidents;
            }
            app.merge_incidents();
        }
        SourceEvent::InvalidItems { source, count } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.invalid = count;
            }
        }
        SourceEvent::CommandDone { id, result, .. } => {
            let Some(pending) = app.pending.remove(&id) else {
                return;
            };
            let result = result.map_err(|f| f.for_action_queued_at(pending.since));
            let (verb, target) = (pending.op.verb(), pending.key.target());
            if let (Ok(()), crate::sources::Operation::Escalate { level }) = (&result, &pending.op)
            {
                note_local_escalation(app, &pending.key, *level);
            }
            // One of a bulk action: counted and its progress said, not one message each.
            let bulk = app.bulk.as_mut().filter(|b| b.awaited.contains(&id));
            let is_bulk = bulk.is_some();
            if let Some(b) = bulk {
                b.awaited.remove(&id);
                match &result {
                    Ok(()) => b.done += 1,
                    Err(e) if e.is_transient => b.retrying += 1,
                    Err(_) => b.refused += 1,
                }
            }
            if is_bulk {
                super::act::bulk_said(app);
            }
            match &result {
                Ok(()) if is_bulk => {}
                Ok(()) => app.toast_info(format!("{verb} {target}: done")),
                Err(e) if e.is_transient => {
                    if !is_bulk {
                        app.toast_error(format!("{verb} {target} pending, will retry: {e}"));
                    }
                    app.pending.insert(
                        id,
                        crate::app::Pending {
                            retrying: Some(e.message.clone()),
                            ..pending.clone()
                        },
                    );
                }
                Err(_) if is_bulk => {}
                Err(e) => app.toast_error(format!("{verb} {target} failed: {e}")),
            }
            // Recorded first; then a refusal (not a retry) is worth a notification.
            let refusal = match &result {
                Err(e) if !e.is_transient => Some(e.message.clone()),
                _ => None,
            };
            fx.push(Effect::Journal(crate::journal::task::Request::Outcome {
                id,
                key: pending.key,
                op: pending.op,
                author: app.settings.identity.clone(),
                result,
            }));
            if let Some(why) = refusal {
                super::notify::refused(app, &format!("{verb} {target}"), &why, fx);
            }
        }
        SourceEvent::Observed { source, changes } => {
            super::notify::fired(app, &source, &changes, fx);
            super::notify::escalated_to_me(app, fx);
            fx.push(Effect::Journal(crate::journal::task::Request::Observed {
                source,
                changes,
            }));
        }
        SourceEvent::Analytics { source, result } => app.analytics_arrived(&source.0, result),
        SourceEvent::PolledBy { source, by } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.polled_by = Some(by);
                app.is_dirty = true;
            }
        }
        SourceEvent::Identity { source, identity } => {
            if let Some(warning) =
                identity.contradiction(&source.0, &app.settings.configured_identity)
            {
                tracing::warn!(%warning, "identity");
                app.banner.get_or_insert(warning);
            }
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.identity = Some(identity);
            }
        }
        SourceEvent::Related { key, result } => {
            if let Some(r) = app.related.get_mut(&key) {
                r.answer = Some(result);
            }
        }
        SourceEvent::PauseChanged { source, is_paused } => {
            if let Some(s) = app.sources.iter_mut().find(|s| s.info.id == source) {
                s.is_paused = is_paused;
            }
        }
    }
}

/// After an escalation a back end that pages nobody accepted (Alertmanager: the journal's
/// timeline entry is the record), moves the alert to the level paged, from now. Back ends
/// that report levels themselves (PagerDuty, the demo) show theirs at the next poll.
fn note_local_escalation(app: &mut App, key: &crate::model::AlertKey, level: Option<u32>) {
    let Some(alert) = app.all_alerts().map(|(_, a)| a).find(|a| &a.key == key) else {
        return;
    };
    if alert.escalation.is_some() {
        return;
    }
    let is_local = app
        .sources
        .iter()
        .any(|s| s.info.id == alert.source && s.info.can.escalates_locally);
    let Some((policy, state)) = app.escalation_state(alert, app.now).filter(|_| is_local) else {
        return;
    };
    let to = policy
        .level_to_page(state.current, level)
        .unwrap_or(state.current);
    let reached = crate::model::Escalation::new(&policy.name, to, app.now);
    app.escalated.insert(key.clone(), reached);
}
