//! `NotesCache`: the notes (and log entries) of a back end's items, fetched a few items per
//! poll — those never fetched or fetched longest ago first — and kept in between, so that a
//! long list costs a handful of requests per poll, not one per item.

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::Note;

/// Each item's notes and when they were fetched.
pub struct NotesCache {
    every: TimeDelta,
    per_poll: usize,
    kept: HashMap<String, (DateTime<Utc>, Vec<Note>)>,
}

impl NotesCache {
    /// A cache that fetches an item's notes again after `every`, at most `per_poll` items
    /// a poll.
    pub fn new(every: TimeDelta, per_poll: usize) -> NotesCache {
        NotesCache {
            every,
            per_poll,
            kept: HashMap::new(),
        }
    }

    /// Forgets the items not in `ids` (no longer listed); the ids whose notes are due now,
    /// never fetched first, then the oldest, at most `per_poll`.
    pub fn due(&mut self, ids: &[impl AsRef<str>], now: DateTime<Utc>) -> Vec<String> {
        let listed: std::collections::HashSet<&str> = ids.iter().map(AsRef::as_ref).collect();
        self.kept.retain(|id, _| listed.contains(id.as_str()));
        let mut due: Vec<(Option<DateTime<Utc>>, &str)> = ids
            .iter()
            .map(AsRef::as_ref)
            .map(|id| (self.kept.get(id).map(|(at, _)| *at), id))
            .filter(|(at, _)| at.is_none_or(|at| now - at >= self.every))
            .collect();
        due.sort();
        due.into_iter()
            .take(self.per_poll)
            .map(|(_, id)| id.to_string())
            .collect()
    }

    /// Keeps `notes` as item `id`'s, fetched at `now`.
    pub fn keep(&mut self, id: String, now: DateTime<Utc>, notes: Vec<Note>) {
        self.kept.insert(id, (now, notes));
    }

    /// Item `id`'s notes as last fetched (none yet: empty).
    pub fn of(&self, id: &str) -> Vec<Note> {
        self.kept
            .get(id)
            .map(|(_, notes)| notes.clone())
            .unwrap_or_default()
    }

    /// Whether item `id`'s notes are kept (it was listed at the last `due`, and fetched).
    pub fn has(&self, id: &str) -> bool {
        self.kept.contains_key(id)
    }

    /// Forgets item `id`'s notes: fetched again at the next poll (after a write changed them).
    pub fn forget(&mut self, id: &str) {
        self.kept.remove(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn never_fetched_first_then_the_oldest_a_few_a_poll() {
        let t0 = DateTime::<Utc>::UNIX_EPOCH;
        let mut cache = NotesCache::new(TimeDelta::minutes(2), 2);
        let ids: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert_eq!(cache.due(&ids, t0), ["a", "b"]);
        cache.keep("a".into(), t0, Vec::new());
        cache.keep("b".into(), t0 + TimeDelta::seconds(1), Vec::new());
        assert_eq!(cache.due(&ids, t0 + TimeDelta::seconds(10)), ["c"]);
        cache.keep("c".into(), t0 + TimeDelta::seconds(10), Vec::new());
        let later = t0 + TimeDelta::minutes(3);
        assert_eq!(cache.due(&ids, later), ["a", "b"], "the oldest first");
        assert_eq!(cache.due(&["c".to_string()], later), ["c"]);
        assert!(
            cache.of("a").is_empty() && !cache.kept.contains_key("a"),
            "a left"
        );
    }
}
