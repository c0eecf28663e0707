//! What the `:history` view lists — the changes the sources were seen to make since the
//! previous run last looked (or over the last day), newest first, a change an HA pair
//! reported twice as one row — worked out when the journal or the view changes, not on
//! every frame.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Entry, EntryKind};

/// Most rows kept (the newest); a screen shows far fewer.
pub const MOST_ROWS: usize = 1_000;

/// The history as listed.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct History {
    /// Where it starts when that is the previous run's last look (else the last 24 hours).
    pub since_looked: Option<DateTime<Utc>>,
    /// Every change since then, a counted entry of a mass event counting for each it
    /// stands for.
    pub changes: usize,
    /// The rows, newest first.
    pub rows: Vec<HistoryRow>,
}

/// One change, and how many other instances reported the same one.
#[derive(Clone, Debug, PartialEq)]
pub struct HistoryRow {
    /// The first report of it.
    pub entry: Entry,
    /// How many more instances reported it (`am-a +1`).
    pub others: usize,
}

/// The history of `timeline` at `now`.
pub fn history_of<'a>(
    timeline: impl IntoIterator<Item = (&'a String, &'a Vec<Entry>)>,
    last_looked: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> History {
    let day_ago = now - TimeDelta::hours(24);
    let since_looked = last_looked.filter(|l| *l > day_ago);
    let since = since_looked.unwrap_or(day_ago);
    let mut seen: Vec<&Entry> = timeline
        .into_iter()
        .flat_map(|(_, entries)| entries)
        .filter(|e| e.kind == EntryKind::Observed && e.at >= since)
        .collect();
    seen.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    let changes = seen
        .iter()
        .map(|e| crate::sources::observe::times(&e.body))
        .sum();
    // The same change on the same alert id from two instances: same id after the source's
    // name, same words, same moment.
    let mut rows: Vec<HistoryRow> = Vec::new();
    let mut found: HashMap<(&str, &str, DateTime<Utc>), usize> = HashMap::new();
    for e in seen {
        let id = e.subject.split_once(':').map_or("", |(_, id)| id);
        if !id.is_empty()
            && let Some(&at) = found.get(&(id, e.body.as_str(), e.at))
        {
            rows[at].others += 1;
            continue;
        }
        if rows.len() == MOST_ROWS {
            continue;
        }
        if !id.is_empty() {
            found.insert((id, e.body.as_str(), e.at), rows.len());
        }
        rows.push(HistoryRow {
            entry: e.clone(),
            others: 0,
        });
    }
    History {
        since_looked,
        changes,
        rows,
    }
}
