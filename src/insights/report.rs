//! One period's insights worked out from a ledger — what the view `9` draws and `onduty
//! insights` prints: the time to acknowledge and to resolve per service, team, escalation
//! policy or responder against the period before, fires per day, escalations (by timeout and
//! by hand), re-opened alerts and incidents, the noise (noisiest, flapping, resolved with
//! nobody acknowledging, silenced more than fired) and the load per responder.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};
use rustc_hash::FxHashMap;

use super::ledger::{Episode, Ledger};
use super::load::{self, Load};
use super::stats::Spread;
use crate::escalation::LocalEscalation;

/// The periods offered, in days.
pub const PERIODS: [i64; 3] = [7, 30, 90];
/// How many alerts each noise list names.
pub const LISTED: usize = 10;
/// An episode that resolved within this long of firing is short-lived.
pub const SHORT_LIVED: TimeDelta = TimeDelta::minutes(10);
/// An alert short-lived this many times in the period is flapping.
pub const FLAPS: usize = 3;

/// What the response figures are grouped by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum GroupBy {
    /// The alert's service.
    #[default]
    Service,
    /// The team its back end named.
    Team,
    /// The escalation policy its back end named.
    Policy,
    /// Who acknowledged it first.
    Responder,
}

impl GroupBy {
    /// Every grouping, in the order `b` cycles them.
    pub const ALL: [GroupBy; 4] = [
        GroupBy::Service,
        GroupBy::Team,
        GroupBy::Policy,
        GroupBy::Responder,
    ];

    /// The shown (and typed) name.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Service => "service",
            GroupBy::Team => "team",
            GroupBy::Policy => "policy",
            GroupBy::Responder => "responder",
        }
    }

    /// The grouping named `s`.
    pub fn parse(s: &str) -> Option<GroupBy> {
        GroupBy::ALL.into_iter().find(|g| g.name() == s)
    }

    /// The next one.
    pub fn next(self) -> GroupBy {
        let i = GroupBy::ALL.iter().position(|g| *g == self).unwrap_or(0);
        GroupBy::ALL[(i + 1) % GroupBy::ALL.len()]
    }

    fn key(self, ep: &Episode) -> &str {
        let named = match self {
            GroupBy::Service => Some(&ep.service).filter(|s| !s.is_empty()),
            GroupBy::Team => ep.team.as_ref(),
            GroupBy::Policy => ep.policy.as_ref(),
            GroupBy::Responder => ep.acked_by.as_ref(),
        };
        named.map_or(
            if self == GroupBy::Responder {
                "(nobody)"
            } else {
                "(none)"
            },
            |s| s,
        )
    }
}

/// The previous period's figures, for the change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Before {
    /// Alerts fired.
    pub fired: usize,
    /// Median time to acknowledge.
    pub to_ack: Option<TimeDelta>,
    /// Median time to resolve.
    pub to_resolve: Option<TimeDelta>,
}

/// One group's response figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Row {
    /// The service, team, policy or responder.
    pub name: String,
    /// Alerts fired in the period.
    pub fired: usize,
    /// From firing to the first acknowledgement, of those acknowledged.
    pub to_ack: Spread,
    /// From firing to resolving, of those resolved.
    pub to_resolve: Spread,
    /// Resolved with nobody acknowledging them.
    pub unacked: usize,
    /// The period before.
    pub before: Before,
    /// Fires per day, the oldest day first.
    pub daily: Vec<u64>,
}

/// An alert counted in a noise list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Counted {
    /// Its key (the latest one seen under this name).
    pub subject: String,
    /// Its title.
    pub title: String,
    /// Its service.
    pub service: String,
    /// What is counted (fires, fires resolved unacknowledged, silences).
    pub n: usize,
    /// How many times it fired in the period.
    pub fired: usize,
}

/// An alert that keeps coming and going.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Flapping {
    /// Its key.
    pub subject: String,
    /// Its title.
    pub title: String,
    /// Its service.
    pub service: String,
    /// How many times it fired and resolved within `SHORT_LIVED`.
    pub short_lived: usize,
    /// The median time it stayed, of those.
    pub median_life: Option<TimeDelta>,
}

/// One period's insights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Report {
    /// From.
    pub since: DateTime<Utc>,
    /// Until.
    pub until: DateTime<Utc>,
    /// Its length in days.
    pub days: i64,
    /// What the rows are.
    pub by: GroupBy,
    /// Every alert together.
    pub total: Row,
    /// Per group, the busiest first.
    pub rows: Vec<Row>,
    /// Escalations its back end made because nobody acknowledged in time.
    pub escalations_by_timeout: usize,
    /// Escalations asked for in onduty.
    pub escalations_by_hand: usize,
    /// Alerts that fired again within an hour of resolving.
    pub reopened: usize,
    /// Journal incidents re-opened after being resolved.
    pub incidents_reopened: usize,
    /// The alerts that fired most.
    pub noisiest: Vec<Counted>,
    /// The alerts that flapped.
    pub flapping: Vec<Flapping>,
    /// The alerts most often resolved with nobody acknowledging them.
    pub unacked: Vec<Counted>,
    /// The alerts silenced more often than they fired.
    pub over_silenced: Vec<Counted>,
    /// The load on each responder.
    pub load: Vec<Load>,
}

/// The response figures of `episodes` (which fired in `[since, since + days)`).
fn row(name: &str, episodes: &[&Episode], since: DateTime<Utc>, days: i64) -> Row {
    let mut daily = vec![0u64; usize::try_from(days).unwrap_or(0)];
    for ep in episodes {
        let day = usize::try_from((ep.fired - since).num_days()).unwrap_or(0);
        if let Some(d) = daily.get_mut(day) {
            *d += 1;
        }
    }
    Row {
        name: name.to_string(),
        fired: episodes.len(),
        to_ack: Spread::of(
            episodes
                .iter()
                .filter_map(|e| Some(e.acked? - e.fired))
                .collect(),
        ),
        to_resolve: Spread::of(
            episodes
                .iter()
                .filter_map(|e| Some(e.resolved? - e.fired))
                .collect(),
        ),
        unacked: episodes
            .iter()
            .filter(|e| e.resolved.is_some() && e.acked.is_none())
            .count(),
        before: Before::default(),
        daily,
    }
}

fn before(episodes: &[&Episode]) -> Before {
    let r = row("", episodes, DateTime::<Utc>::MIN_UTC, 0);
    Before {
        fired: r.fired,
        to_ack: r.to_ack.median,
        to_resolve: r.to_resolve.median,
    }
}

fn grouped<'a>(episodes: &[&'a Episode], by: GroupBy) -> BTreeMap<&'a str, Vec<&'a Episode>> {
    let mut groups: BTreeMap<&str, Vec<&Episode>> = BTreeMap::new();
    for ep in episodes {
        groups.entry(by.key(ep)).or_default().push(ep);
    }
    groups
}

/// Counts per alert name of the episodes `counts` says, with each name's fires; the most
/// first (then by title), at most `LISTED`, only those `keep` keeps.
fn per_alert(
    episodes: &[&Episode],
    counts: impl Fn(&Episode) -> usize,
    keep: impl Fn(&Counted) -> bool,
) -> Vec<Counted> {
    // Counted by reference; one `Counted` per name at the end, not a string per episode.
    let mut by_name: FxHashMap<(&str, &str), (usize, usize, &Episode)> = FxHashMap::default();
    for ep in episodes {
        let c = by_name
            .entry((&ep.title, &ep.service))
            .or_insert((0, 0, ep));
        c.0 += counts(ep);
        c.1 += 1;
        c.2 = ep;
    }
    let mut out: Vec<Counted> = by_name
        .into_values()
        .map(|(n, fired, latest)| Counted {
            subject: latest.subject.to_string(),
            title: latest.title.to_string(),
            service: latest.service.to_string(),
            n,
            fired,
        })
        .filter(|c| keep(c))
        .collect();
    out.sort_by(|a, b| {
        b.n.cmp(&a.n)
            .then(a.title.cmp(&b.title))
            .then(a.service.cmp(&b.service))
    });
    out.truncate(LISTED);
    out
}

/// The alerts (by name: an alert that comes back under a new key is the same noise) that
/// were short-lived at least `FLAPS` times.
fn flapping(episodes: &[&Episode]) -> Vec<Flapping> {
    let mut lives: BTreeMap<(&str, &str), (&Episode, Vec<TimeDelta>)> = BTreeMap::new();
    for ep in episodes {
        if let Some(life) = ep
            .resolved
            .map(|r| r - ep.fired)
            .filter(|l| *l <= SHORT_LIVED)
        {
            let named = lives
                .entry((&ep.title, &ep.service))
                .or_insert((ep, Vec::new()));
            // The latest key it came under is the one its history opens on.
            named.0 = ep;
            named.1.push(life);
        }
    }
    let mut out: Vec<Flapping> = lives
        .into_values()
        .filter(|(_, l)| l.len() >= FLAPS)
        .map(|(ep, l)| Flapping {
            subject: ep.subject.to_string(),
            title: ep.title.to_string(),
            service: ep.service.to_string(),
            short_lived: l.len(),
            median_life: Spread::of(l).median,
        })
        .collect();
    out.sort_by(|a, b| {
        b.short_lived
            .cmp(&a.short_lived)
            .then(a.subject.cmp(&b.subject))
    });
    out.truncate(LISTED);
    out
}

/// The alerts silenced more often in `[since, until)` than they fired: a silence renewed
/// again and again is a rule that should change.
fn over_silenced(
    ledger: &Ledger,
    episodes: &[&Episode],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<Counted> {
    let mut silenced: FxHashMap<(&str, &str), usize> = FxHashMap::default();
    for s in ledger.silences() {
        if s.at >= since && s.at < until {
            *silenced.entry((&s.title, &s.service)).or_default() += 1;
        }
    }
    let mut fires: FxHashMap<(&str, &str), (usize, &str)> = FxHashMap::default();
    for ep in episodes {
        let f = fires.entry((&ep.title, &ep.service)).or_insert((0, ""));
        f.0 += 1;
        f.1 = &ep.subject;
    }
    let mut out: Vec<Counted> = silenced
        .into_iter()
        .filter_map(|((title, service), n)| {
            let (fired, subject) = fires.get(&(title, service)).copied().unwrap_or((0, ""));
            (n > fired).then(|| Counted {
                subject: subject.to_string(),
                title: title.to_string(),
                service: service.to_string(),
                n,
                fired,
            })
        })
        .collect();
    out.sort_by(|a, b| b.n.cmp(&a.n).then(a.title.cmp(&b.title)));
    out.truncate(LISTED);
    out
}

impl Report {
    /// The alert each noise row is about, in the order `tables::noise` lists them
    /// (noisiest, flapping, resolved unacknowledged, silenced more than fired).
    pub fn noise_subjects(&self) -> Vec<Option<&str>> {
        fn subject(c: &Counted) -> &str {
            &c.subject
        }
        self.noisiest
            .iter()
            .map(subject)
            .chain(self.flapping.iter().map(|f| f.subject.as_str()))
            .chain(self.unacked.iter().map(subject))
            .chain(self.over_silenced.iter().map(subject))
            .map(|s| Some(s).filter(|s| !s.is_empty()))
            .collect()
    }

    /// The `days` days up to `until`, rows `by` what is asked; hours on call from the
    /// rotations of `escalation`, read in each responder's zone.
    pub fn of(
        ledger: &Ledger,
        escalation: &LocalEscalation,
        until: DateTime<Utc>,
        days: i64,
        by: GroupBy,
    ) -> Report {
        let since = until - TimeDelta::days(days);
        let previous = since - TimeDelta::days(days);
        let mut now: Vec<&Episode> = Vec::new();
        let mut then: Vec<&Episode> = Vec::new();
        for ep in ledger.episodes() {
            if ep.fired >= since && ep.fired < until {
                now.push(ep);
            } else if ep.fired >= previous && ep.fired < since {
                then.push(ep);
            }
        }
        let mut total = row("all alerts", &now, since, days);
        total.before = before(&then);
        let earlier = grouped(&then, by);
        let mut rows: Vec<Row> = grouped(&now, by)
            .into_iter()
            .map(|(name, eps)| {
                let mut r = row(name, &eps, since, days);
                r.before = earlier.get(name).map_or(Before::default(), |e| before(e));
                r
            })
            .collect();
        rows.sort_by(|a, b| b.fired.cmp(&a.fired).then(a.name.cmp(&b.name)));
        let over_silenced = over_silenced(ledger, &now, since, until);
        Report {
            since,
            until,
            days,
            by,
            escalations_by_timeout: now
                .iter()
                .map(|e| usize::from(e.escalations_by_timeout()))
                .sum(),
            escalations_by_hand: now.iter().map(|e| usize::from(e.escalated_by_hand)).sum(),
            reopened: now.iter().filter(|e| e.is_reopened).count(),
            incidents_reopened: ledger
                .incident_reopens()
                .iter()
                .filter(|t| **t >= since && **t < until)
                .count(),
            noisiest: per_alert(&now, |_| 1, |_| true),
            flapping: flapping(&now),
            unacked: per_alert(
                &now,
                |e| usize::from(e.resolved.is_some() && e.acked.is_none()),
                |c| c.n > 0,
            ),
            over_silenced,
            load: load::per_responder(escalation, &now, since, until),
            total,
            rows,
        }
    }
}
