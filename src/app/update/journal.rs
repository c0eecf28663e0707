//! News from the journal: actions written (or refused), resumed retries, timeline entries
//! from this and other processes, and whether the journal works.

use crate::app::{App, Effect, Pending};
use crate::journal::task::JournalEvent;

/// Applies one journal event.
pub fn on_event(app: &mut App, event: JournalEvent, fx: &mut Vec<Effect>) {
    match event {
        JournalEvent::Recorded(_) => {}
        JournalEvent::Handoff {
            shift,
            path,
            result,
        } => super::handoff::gathered(app, &shift, path, result, fx),
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
        JournalEvent::Fires(fires) => {
            for (key, at) in fires {
                app.fires.entry(key).or_default().push(at);
            }
        }
        JournalEvent::History(result) => app.history_read(result),
        JournalEvent::Problems(problems) => app.problems = problems,
        JournalEvent::PastFixes(fixes) => {
            for fix in fixes {
                app.past_fixes.insert(fix.incident.clone(), fix);
            }
        }
        JournalEvent::Entries(entries) => {
            super::notes::notes_written(app, &entries);
            app.insights_saw(&entries);
            for entry in &entries {
                // A count of a mass event ("prod-am:") is no alert's fire.
                if entry.kind == crate::model::EntryKind::Observed
                    && entry.body.starts_with("fired")
                    && !entry.subject.ends_with(':')
                {
                    let times = app.fires.entry(entry.subject.clone()).or_default();
                    if !times.contains(&entry.at) {
                        times.push(entry.at);
                    }
                }
            }
            for entry in &entries {
                // Kept sorted by id: an entry seen twice (written here, then picked up) is
                // found by a binary search, not a scan of a long incident's timeline.
                let list = app.timeline.entry(entry.subject.clone()).or_default();
                if let Err(at) = list.binary_search_by_key(&entry.id, |e| e.id) {
                    list.insert(at, entry.clone());
                }
            }
            app.is_history_stale = true;
            // After the timeline: a gone alert is named by the entry that saw it fire.
            for entry in &entries {
                keep_latest(app, entry);
            }
        }
        JournalEvent::Incidents(incidents) => {
            let old = std::mem::replace(&mut app.journal_incidents, incidents);
            app.merge_incidents();
            if std::mem::replace(&mut app.has_incidents, true) {
                super::notify::new_incidents(app, &old, fx);
                let new: Vec<_> = app
                    .journal_incidents
                    .iter()
                    .filter(|i| !old.iter().any(|o| o.id == i.id))
                    .cloned()
                    .collect();
                for incident in &new {
                    app.suggest_problem(incident);
                }
            } else {
                // The journal answered at start: the history insights and recurrence are
                // worked out from is read now, off this task, once.
                app.open_insights(fx);
            }
        }
        JournalEvent::Drafts(drafts) => super::notes::drafts_found(app, drafts),
        JournalEvent::Ticks(ticks) => app.ticks_seen(ticks),
        JournalEvent::TicketLinks(links) => {
            app.ticket_links = links;
            app.rebuild_ticket_rows();
        }
        JournalEvent::Postmortem { subject, result } => {
            super::postmortem::prepared(app, subject, result)
        }
        JournalEvent::Starred { id, starred } => super::notes::starred(app, id, starred),
        JournalEvent::Unavailable(error) => {
            app.toast_error(error.clone());
            app.journal_error = Some(crate::model::sanitize::line(&error, 300));
        }
        JournalEvent::NoteNotWritten { client_id } => super::notes::not_written(app, client_id),
        JournalEvent::Available => {
            app.journal_error = None;
            super::notes::journal_back(app, fx);
        }
    }
}

impl App {
    /// Shows every source's last known alerts (unless a poll already brought fresher ones),
    /// marked cached, with one rebuild of the list (at 100k alerts a rebuild per source
    /// would sort ten times).
    pub fn show_last_known(
        &mut self,
        snapshots: Vec<crate::journal::snapshots::StoredSnapshot>,
        fx: &mut Vec<Effect>,
    ) {
        let mut taken = false;
        for snapshot in snapshots {
            let Some(s) = self
                .sources
                .iter_mut()
                .find(|s| s.info.id == snapshot.source && s.last_ok.is_none())
            else {
                continue;
            };
            s.alerts = std::sync::Arc::new(snapshot.alerts);
            s.last_ok = Some(snapshot.fetched_at);
            s.is_cached = true;
            taken = true;
        }
        if taken {
            self.last_looked = self
                .sources
                .iter()
                .filter(|s| s.is_cached)
                .filter_map(|s| s.last_ok)
                .min();
            self.is_history_stale = true;
            self.rebuild_rows(fx);
            self.is_dirty = true;
        }
    }
}

/// Keeps `entry` among the newest few of every subject, in id order, once, with its
/// subject named while the alert is known.
fn keep_latest(app: &mut App, entry: &crate::model::Entry) {
    use crate::app::wall::{LATEST_KEPT, Latest};
    if app.latest.len() == LATEST_KEPT && app.latest.front().is_some_and(|l| l.entry.id >= entry.id)
    {
        return;
    }
    let Err(at) = app.latest.binary_search_by_key(&entry.id, |l| l.entry.id) else {
        return;
    };
    let about = about(app, entry);
    app.latest.insert(
        at,
        Latest {
            entry: entry.clone(),
            about,
        },
    );
    if app.latest.len() > LATEST_KEPT {
        app.latest.pop_front();
    }
}

impl App {
    /// What timeline entry `entry` is about, by name ("DiskFull · storage", "INC#3 · …").
    pub fn named_subject(&self, entry: &crate::model::Entry) -> String {
        about(self, entry)
    }
}

/// What an entry is about, by name.
fn about(app: &App, entry: &crate::model::Entry) -> String {
    let named = |title: &str, service: &str| {
        if service.is_empty() {
            title.to_string()
        } else {
            format!("{title} · {service}")
        }
    };
    if let Some((_, title, service)) = crate::sources::observe::fired_name(&entry.body) {
        return named(title, service);
    }
    if let Some(id) = entry
        .subject
        .strip_prefix("incident:")
        .and_then(|n| n.parse::<i64>().ok())
    {
        return match app.incidents.iter().find(|i| i.id == id) {
            Some(i) => format!("INC#{id} · {}", i.title),
            None => format!("INC#{id}"),
        };
    }
    let source = entry.subject.split_once(':').map_or("", |(s, _)| s);
    if entry.subject.ends_with(':') {
        return format!("{source} (counted by name)");
    }
    // The entry that saw it fire names it (a lookup of its own timeline; it also names an
    // alert gone from its source); else the source's alert, found by a scan (the history
    // view asks per row it draws: the scan is the rare case, not the first try).
    let seen_firing = app
        .timeline
        .get(&entry.subject)
        .into_iter()
        .flatten()
        .find_map(|e| crate::sources::observe::fired_name(&e.body))
        .map(|(_, title, service)| named(title, service));
    let live = || {
        app.sources
            .iter()
            .filter(|s| &*s.info.id.0 == source)
            .flat_map(|s| s.alerts.iter())
            .find(|a| a.key.0 == entry.subject)
            .map(|a| named(&a.title, &a.service))
    };
    seen_firing
        .or_else(live)
        .unwrap_or_else(|| entry.subject.clone())
}
