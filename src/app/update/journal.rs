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
            if let Some(index) = take_last_known(app, &source, fetched_at, alerts) {
                app.rebuild_after_refresh(index);
            }
        }
        JournalEvent::Fires(fires) => {
            for (key, at) in fires {
                app.fires.entry(key).or_default().push(at);
            }
        }
        JournalEvent::Entries(entries) => {
            for entry in &entries {
                if entry.kind == crate::journal::EntryKind::Observed
                    && entry.body.starts_with("fired")
                {
                    let times = app.fires.entry(entry.subject.clone()).or_default();
                    if !times.contains(&entry.at) {
                        times.push(entry.at);
                    }
                }
            }
            for entry in entries {
                let list = app.timeline.entry(entry.subject.clone()).or_default();
                if !list.iter().any(|e| e.id == entry.id) {
                    let at = list.partition_point(|e| e.id < entry.id);
                    list.insert(at, entry);
                }
            }
        }
        JournalEvent::Incidents(incidents) => app.incidents = incidents,
        JournalEvent::Unavailable(error) => {
            app.toast_error(error.clone());
            app.journal_error = Some(error);
        }
        JournalEvent::Available => app.journal_error = None,
    }
}

/// Shows a source's last known alerts unless a poll already brought fresher ones; the index
/// of the source when they were taken (the caller rebuilds the list).
fn take_last_known(
    app: &mut App,
    source: &crate::model::SourceId,
    fetched_at: chrono::DateTime<chrono::Utc>,
    alerts: std::sync::Arc<Vec<crate::model::Alert>>,
) -> Option<usize> {
    let index = app.sources.iter().position(|s| &s.info.id == source)?;
    let s = &mut app.sources[index];
    if s.last_ok.is_some() {
        return None;
    }
    s.alerts = alerts;
    s.last_ok = Some(fetched_at);
    s.is_cached = true;
    Some(index)
}

impl App {
    /// Shows every source's last known alerts at once, with one rebuild of the list (at
    /// 100k alerts a rebuild per source would sort ten times).
    pub fn show_last_known(&mut self, snapshots: Vec<crate::journal::snapshots::StoredSnapshot>) {
        let mut taken = false;
        for s in snapshots {
            taken |= take_last_known(self, &s.source, s.fetched_at, std::sync::Arc::new(s.alerts))
                .is_some();
        }
        if taken {
            self.last_looked = self
                .sources
                .iter()
                .filter(|s| s.is_cached)
                .filter_map(|s| s.last_ok)
                .min();
            self.rebuild_rows();
            self.is_dirty = true;
        }
    }
}
