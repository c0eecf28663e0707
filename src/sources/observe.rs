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

/// Past `MAX_PER_POLL`, changes are counted by what happened to which alert name; at most
/// this many names are counted apart per poll, the others together.
pub const MAX_GROUPS: usize = 50;

/// The changes from `old` to `new`, seen at `now`: one entry per change up to
/// `MAX_PER_POLL`; past that, changes are counted by what happened to which alert name and
/// service (`fired ×2500 (critical): HighLatency · checkout`) on the source's own subject
/// (`prod-am:`), so that a mass event is told honestly and the hand-off counts it right.
///
/// A pending alert has not fired: its coming and going is no change (it fires when it
/// leaves pending, and that is recorded then).
pub fn changes(old: &[Alert], new: &[Alert], now: DateTime<Utc>) -> Vec<Observation> {
    let has_fired = |a: &&Alert| a.status != Status::Pending;
    let before: FxHashMap<&AlertKey, &Alert> =
        old.iter().filter(has_fired).map(|a| (&a.key, a)).collect();
    let mut out = Overflowing::default();
    let mut seen = 0usize;
    for a in new.iter().filter(has_fired) {
        match before.get(&a.key) {
            None => out.push(a, a.started_at, fired(a)),
            Some(was) => {
                seen += 1;
                if let Some(what) = status_change(was, a) {
                    out.push(a, a.acked_at.unwrap_or(now), what);
                }
                if let Some((what, at)) = escalated(was, a) {
                    out.push(a, at, what);
                }
            }
        }
    }
    if seen < before.len() {
        let now_keys: FxHashSet<&AlertKey> = new.iter().filter(has_fired).map(|a| &a.key).collect();
        for a in old
            .iter()
            .filter(has_fired)
            .filter(|a| !now_keys.contains(&a.key))
        {
            out.push(a, a.last_seen, "resolved".into());
        }
    }
    out.finish(now)
}

/// Changes one by one up to `MAX_PER_POLL`, then counts.
#[derive(Default)]
struct Overflowing<'a> {
    kept: Vec<Observation>,
    /// (what happened, alert name) → how many, the worst severity, the services.
    counts: FxHashMap<(String, &'a str), Count<'a>>,
    source: Option<&'a str>,
}

/// Changes of one kind to alerts of one name.
struct Count<'a> {
    n: usize,
    worst: crate::model::Severity,
    services: FxHashSet<&'a str>,
}

impl<'a> Overflowing<'a> {
    fn push(&mut self, a: &'a Alert, at: DateTime<Utc>, what: String) {
        if self.kept.len() < MAX_PER_POLL {
            self.kept.push(Observation {
                key: a.key.clone(),
                at,
                what,
            });
            return;
        }
        self.source = Some(&a.source.0);
        // "fired (critical): X · svc" is counted as "fired", its severity kept apart.
        let what = if what.starts_with("fired") {
            "fired".to_string()
        } else {
            what
        };
        let count = self
            .counts
            .entry((what, &a.title))
            .or_insert_with(|| Count {
                n: 0,
                worst: a.severity,
                services: FxHashSet::default(),
            });
        count.n += 1;
        count.worst = count.worst.min(a.severity);
        count.services.insert(&a.service);
    }

    fn finish(self, now: DateTime<Utc>) -> Vec<Observation> {
        let mut out = self.kept;
        let Some(source) = self.source else {
            return out;
        };
        let subject = AlertKey(format!("{source}:"));
        let mut groups: Vec<_> = self.counts.into_iter().collect();
        groups.sort_by(|x, y| y.1.n.cmp(&x.1.n).then_with(|| x.0.cmp(&y.0)));
        for ((what, title), count) in groups.iter().take(MAX_GROUPS) {
            let severity = if what == "fired" {
                count.worst.name()
            } else {
                ""
            };
            let services = match count.services.len() {
                1 => count
                    .services
                    .iter()
                    .next()
                    .map_or(String::new(), |s| s.to_string()),
                n => format!("{n} services"),
            };
            out.push(Observation {
                key: subject.clone(),
                at: now,
                what: counted(what, count.n, severity, title, &services),
            });
        }
        // The rest, one count per kind of change: "fired ×900 (critical): 212 other alert
        // names" (read back like any count).
        let mut rest: Vec<(&str, usize, crate::model::Severity, usize)> = Vec::new();
        for ((what, _), count) in groups.iter().skip(MAX_GROUPS) {
            match rest.iter_mut().find(|r| r.0 == what.as_str()) {
                Some(r) => {
                    r.1 += count.n;
                    r.2 = r.2.min(count.worst);
                    r.3 += 1;
                }
                None => rest.push((what.as_str(), count.n, count.worst, 1)),
            }
        }
        for (what, n, worst, names) in rest {
            let severity = if what == "fired" { worst.name() } else { "" };
            out.push(Observation {
                key: subject.clone(),
                at: now,
                what: counted(what, n, severity, &format!("{names} other alert names"), ""),
            });
        }
        out
    }
}

/// A counted change: "fired ×2500 (critical): HighLatency · checkout",
/// "resolved ×40: DiskFull".
fn counted(what: &str, n: usize, severity: &str, title: &str, service: &str) -> String {
    let mut out = format!("{what} ×{n}");
    if !severity.is_empty() {
        out.push_str(&format!(" ({severity})"));
    }
    out.push_str(": ");
    out.push_str(title);
    if !service.is_empty() {
        out.push_str(" · ");
        out.push_str(service);
    }
    out
}

/// How many changes an entry tells: N for a counted one ("fired ×N (…): …"), else 1.
pub fn times(body: &str) -> usize {
    body.split_once(" ×")
        .and_then(|(_, rest)| {
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            digits.parse().ok()
        })
        .unwrap_or(1)
}

/// What a new alert's entry says: "fired (critical): CheckoutErrors · checkout", with the
/// team and escalation policy its back end names ("… · checkout [team pay; policy Payments]").
/// The name stays on the timeline after the alert is gone from every source (the shift
/// hand-off groups by it, insights by its owners); [`fired_name`] and [`fired_owners`] read
/// it back.
pub fn fired(a: &Alert) -> String {
    let mut out = if a.service.is_empty() {
        format!("fired ({}): {}", a.severity.name(), a.title)
    } else {
        format!("fired ({}): {} · {}", a.severity.name(), a.title, a.service)
    };
    let policy = a
        .escalation
        .as_ref()
        .map(|e| &*e.policy)
        .or_else(|| a.labels.get("escalation_policy"));
    let owners: Vec<String> = [("team", a.labels.get("team")), ("policy", policy)]
        .into_iter()
        .filter_map(|(k, v)| Some(format!("{k} {}", owner_word(v?))))
        .filter(|kv| !kv.ends_with(' '))
        .collect();
    if !owners.is_empty() {
        out.push_str(&format!(" [{}]", owners.join("; ")));
    }
    out
}

/// An owner's name as a fired entry keeps it: without the brackets and semicolons that
/// delimit it.
fn owner_word(v: &str) -> String {
    v.replace([';', '[', ']'], " ").trim().to_string()
}

/// The team and escalation policy a "fired" entry names, each when it names one.
pub fn fired_owners(body: &str) -> (Option<&str>, Option<&str>) {
    let Some((_, tail)) = owners_tail(body) else {
        return (None, None);
    };
    let mut team = None;
    let mut policy = None;
    for part in tail.split("; ") {
        if let Some(t) = part.strip_prefix("team ") {
            team = Some(t);
        } else if let Some(p) = part.strip_prefix("policy ") {
            policy = Some(p);
        }
    }
    (team, policy)
}

/// A fired entry's body without its owners, and the owners (`team x; policy y`).
fn owners_tail(body: &str) -> Option<(&str, &str)> {
    let open = body.strip_suffix(']')?;
    let (head, tail) = open.rsplit_once(" [")?;
    (tail.starts_with("team ") || tail.starts_with("policy ")).then_some((head, tail))
}

/// An escalation its back end made (the level went up): "escalated to L2", when it did.
fn escalated(was: &Alert, is: &Alert) -> Option<(String, DateTime<Utc>)> {
    let now = is.escalation.as_ref()?;
    let before = was.escalation.as_ref().map_or(0, |e| e.level);
    (now.level > before).then(|| (format!("escalated to L{}", now.level + 1), now.since))
}

/// The (severity, title, service) a "fired" entry names, counted or not; `None` for other
/// entries and for entries written before names were kept ("fired (critical)").
pub fn fired_name(body: &str) -> Option<(&str, &str, &str)> {
    let rest = body.strip_prefix("fired ")?;
    let rest = match rest.strip_prefix('×') {
        Some(counted) => counted
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .strip_prefix(' ')?,
        None => rest,
    };
    let rest = rest.strip_prefix('(')?;
    let (severity, rest) = rest.split_once("): ")?;
    let rest = owners_tail(rest).map_or(rest, |(head, _)| head);
    let (title, service) = rest.rsplit_once(" · ").unwrap_or((rest, ""));
    Some((severity, title, service))
}

/// The (what happened, title, service) of a counted change other than "fired"
/// ("resolved ×40: DiskFull · storage").
pub fn counted_name(body: &str) -> Option<(&str, &str, &str)> {
    let (what, rest) = body.split_once(" ×")?;
    let (_, rest) = rest.split_once(": ")?;
    let (title, service) = rest.rsplit_once(" · ").unwrap_or((rest, ""));
    Some((what, title, service))
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
        Status::Pending => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mass_event_is_counted_by_name_and_every_change_is_in_a_count() {
        let mut many = crate::testing::estate_alerts(2_700, 1).remove(0);
        let now = many[0].last_seen;
        let names = ["HighLatency", "DiskFull", "PodCrashLooping"];
        for (i, a) in many.iter_mut().enumerate() {
            a.title = names[i % 3].into();
        }
        let flood = changes(&[], &many, now);
        let summary = &flood[MAX_PER_POLL..];
        assert_eq!(summary.len(), 3, "one count per name: {summary:?}");
        let total: usize = flood.iter().map(|o| times(&o.what)).sum();
        assert_eq!(total, 2_700, "every change is in an entry or a count");
        for o in summary {
            let (_, title, _) = fired_name(&o.what).unwrap();
            assert!(names.contains(&title), "{o:?}");
            assert!(o.what.starts_with("fired ×"), "{o:?}");
        }
        // All of them resolving at once: counted the same way.
        let gone = changes(&many, &[], now);
        let total: usize = gone.iter().map(|o| times(&o.what)).sum();
        assert_eq!(total, 2_700);
        let (what, title, _) = counted_name(&gone[MAX_PER_POLL].what).unwrap();
        assert_eq!(what, "resolved");
        assert!(names.contains(&title));
        assert_eq!(times("fired (critical): X · y"), 1);
        assert_eq!(
            fired_name("fired ×12 (warning): Disk · db"),
            Some(("warning", "Disk", "db"))
        );
    }

    #[test]
    fn a_fire_names_its_team_and_policy_and_an_escalation_is_seen() {
        let mut all = crate::testing::estate_alerts(1, 1).remove(0);
        let now = all[0].last_seen;
        let mut a = all.remove(0);
        a.labels = crate::model::Labels::from_pairs(vec![
            ("alertname".into(), "X".into()),
            ("team".into(), "pay;ments]".into()),
        ]);
        a.escalation = Some(Box::new(crate::model::Escalation::new("Payments", 0, now)));
        let body = fired(&a);
        assert!(
            body.ends_with(" [team pay ments; policy Payments]"),
            "{body}"
        );
        assert_eq!(fired_owners(&body), (Some("pay ments"), Some("Payments")));
        let (_, title, service) = fired_name(&body).unwrap();
        assert_eq!(
            (title, service),
            (&*a.title, &*a.service),
            "owners are no part of the service"
        );
        assert_eq!(fired_owners("fired (warning): Disk · db"), (None, None));
        assert_eq!(
            fired_owners("fired (warning): Disk [v2]"),
            (None, None),
            "a title's brackets"
        );
        let mut up = a.clone();
        let later = now + chrono::TimeDelta::minutes(15);
        up.escalation = Some(Box::new(crate::model::Escalation::new(
            "Payments", 1, later,
        )));
        let seen = changes(std::slice::from_ref(&a), std::slice::from_ref(&up), later);
        assert_eq!(seen.len(), 1, "{seen:?}");
        assert_eq!(
            (seen[0].what.as_str(), seen[0].at),
            ("escalated to L2", later)
        );
        assert!(changes(std::slice::from_ref(&up), std::slice::from_ref(&a), later).is_empty());
    }

    #[test]
    fn past_fifty_names_the_rest_is_summed_in_one_line() {
        let mut many = crate::testing::estate_alerts(MAX_PER_POLL + 500, 1).remove(0);
        let now = many[0].last_seen;
        for (i, a) in many.iter_mut().enumerate() {
            a.title = format!("Alert{}", i % 100).into();
        }
        let flood = changes(&[], &many, now);
        assert_eq!(flood.len(), MAX_PER_POLL + MAX_GROUPS + 1);
        let last = &flood.last().unwrap().what;
        assert!(last.ends_with(": 50 other alert names"), "{last}");
        let total: usize = flood.iter().map(|o| times(&o.what)).sum();
        assert_eq!(total, MAX_PER_POLL + 500);
    }

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
        let counted: usize = flood[MAX_PER_POLL..].iter().map(|o| times(&o.what)).sum();
        assert_eq!(counted, 300, "{:?}", &flood[MAX_PER_POLL..]);
        assert!(flood[MAX_PER_POLL..].iter().all(|o| o.key.0 == "am-0:"));
    }
}
