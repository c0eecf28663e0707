//! What changed at a source between two polls, for the timeline: an alert that fired, one
//! that resolved (is gone), one acknowledged or silenced. Computed by the poller, off the UI
//! task. Each change carries a time taken from the alert itself where there is one, so two
//! processes on one shared journal record the same change once (see `Journal::observe`).

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{Alert, AlertKey, Status};

/// At most this many changes are recorded per poll (a mass event is summarised).
pub const MAX_PER_POLL: usize = 200;

/// One change seen at a source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observation {
    /// The alert.
    pub key: AlertKey,
    /// When it happened (as the source tells, else when it was seen).
    pub at: DateTime<Utc>,
    /// What happened ("fired (critical)", "resolved", "acked by bo").
    pub what: String,
}

/// The changes from `old` to `new`, seen at `now`: at most `MAX_PER_POLL`, then one line
/// saying how many more.
pub fn changes(old: &[Alert], new: &[Alert], now: DateTime<Utc>) -> Vec<Observation> {
    let before: FxHashMap<&AlertKey, &Alert> = old.iter().map(|a| (&a.key, a)).collect();
    let mut out = Vec::new();
    let mut more = 0usize;
    let mut push = |o: Observation| {
        if out.len() < MAX_PER_POLL {
            out.push(o);
        } else {
            more += 1;
        }
    };
    let mut seen = 0usize;
    for a in new {
        match before.get(&a.key) {
            None => {
                push(Observation {
                    key: a.key.clone(),
                    at: a.started_at,
                    what: fired(a),
                });
            }
            Some(was) => {
                seen += 1;
                if let Some(what) = status_change(was, a) {
                    push(Observation {
                        key: a.key.clone(),
                        at: a.acked_at.unwrap_or(now),
                        what,
                    });
                }
            }
        }
    }
    if seen < old.len() {
        let now_keys: FxHashSet<&AlertKey> = new.iter().map(|a| &a.key).collect();
        for a in old.iter().filter(|a| !now_keys.contains(&a.key)) {
            push(Observation {
                key: a.key.clone(),
                at: a.last_seen,
                what: "resolved".into(),
            });
        }
    }
    if more > 0
        && let Some(last) = out.last().cloned()
    {
        out.push(Observation {
            key: AlertKey(format!("{}:", last.key.0.split(':').next().unwrap_or(""))),
            at: now,
            what: format!("… and {more} more changes in one poll"),
        });
    }
    out
}

/// What a new alert's entry says: "fired (critical): CheckoutErrors · checkout". The name
/// stays on the timeline after the alert is gone from every source (the shift hand-off groups
/// by it); [`fired_name`] reads it back.
pub fn fired(a: &Alert) -> String {
    if a.service.is_empty() {
        format!("fired ({}): {}", a.severity.name(), a.title)
    } else {
        format!("fired ({}): {} · {}", a.severity.name(), a.title, a.service)
    }
}

/// The (severity, title, service) a "fired" entry names; `None` for other entries and for
/// entries written before names were kept ("fired (critical)").
pub fn fired_name(body: &str) -> Option<(&str, &str, &str)> {
    let rest = body.strip_prefix("fired (")?;
    let (severity, rest) = rest.split_once("): ")?;
    let (title, service) = rest.rsplit_once(" · ").unwrap_or((rest, ""));
    Some((severity, title, service))
}

fn status_change(was: &Alert, is: &Alert) -> Option<String> {
    if was.status == is.status {
        return None;
    }
    Some(match is.status {
        Status::Acked => match &is.acked_by {
            Some(who) => format!("acked by {who}"),
            None => "acked".into(),
        },
        Status::Silenced => "silenced".into(),
        Status::Firing => "firing again".into(),
        Status::Resolved => "resolved".into(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fired_acked_and_resolved_are_seen_and_a_flood_is_summarised() {
        let all = crate::testing::estate_alerts(5, 1).remove(0);
        let now = all[0].last_seen;
        let old = all[..3].to_vec();
        let mut new = all[1..].to_vec();
        new[0].status = Status::Acked;
        new[0].acked_by = Some("bo".into());
        let seen: Vec<(String, String)> = changes(&old, &new, now)
            .into_iter()
            .map(|o| (o.key.0, o.what))
            .collect();
        let key = |i: usize| all[i].key.0.clone();
        assert!(seen.contains(&(key(1), "acked by bo".into())), "{seen:?}");
        assert!(seen.contains(&(key(0), "resolved".into())), "{seen:?}");
        let fired = seen.iter().find(|(k, _)| *k == key(3)).unwrap();
        assert_eq!(
            fired_name(&fired.1),
            Some((all[3].severity.name(), &*all[3].title, &*all[3].service)),
            "{seen:?}"
        );
        assert_eq!(fired_name("fired (critical)"), None);
        assert_eq!(
            fired_name("fired (warning): Disk"),
            Some(("warning", "Disk", ""))
        );
        assert_eq!(seen.len(), 4, "{seen:?}");
        assert!(changes(&new, &new, now).is_empty());
        let many = crate::testing::estate_alerts(500, 1).remove(0);
        let flood = changes(&[], &many, now);
        assert_eq!(flood.len(), MAX_PER_POLL + 1);
        assert!(flood[MAX_PER_POLL].what.contains("300 more"));
    }
}
