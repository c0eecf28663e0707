//! Response figures from the journal's observed history: each alert's episodes (it fired,
//! someone acknowledged or silenced it, it resolved), and per service the time to
//! acknowledge and to resolve, how many resolved with nobody acknowledging them, and which
//! alerts fired most. Counted entries of a mass event (`fired ×2500`) name no single alert
//! and are left out of the times.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::stats::Spread;
use crate::model::{Entry, EntryKind};
use crate::sources::observe::fired_name;

/// One time an alert fired, and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    /// The alert's key.
    pub subject: String,
    /// Its title and service, as it fired.
    pub title: String,
    /// Its service ("" when none).
    pub service: String,
    /// When it fired.
    pub fired: DateTime<Utc>,
    /// When someone first acknowledged (or silenced) it.
    pub acked: Option<DateTime<Utc>>,
    /// When it resolved.
    pub resolved: Option<DateTime<Utc>>,
}

/// The episodes of one alert's entries (oldest first).
pub fn episodes(subject: &str, entries: &[Entry]) -> Vec<Episode> {
    let mut out: Vec<Episode> = Vec::new();
    for e in entries.iter().filter(|e| e.kind == EntryKind::Observed) {
        let open = out.last_mut().filter(|ep| ep.resolved.is_none());
        if let Some((_, title, service)) =
            fired_name(&e.body).filter(|_| !e.body.starts_with("fired ×"))
        {
            out.push(Episode {
                subject: subject.to_string(),
                title: title.to_string(),
                service: service.to_string(),
                fired: e.at,
                acked: None,
                resolved: None,
            });
        } else if let Some(ep) = open {
            if e.body.starts_with("acked") || e.body == "silenced" {
                ep.acked.get_or_insert(e.at.max(ep.fired));
            } else if e.body == "resolved" {
                ep.resolved = Some(e.at.max(ep.fired));
            }
        }
    }
    out
}

/// One service's response figures.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Response {
    /// The service ("" for alerts that name none).
    pub service: String,
    /// Alerts fired in the period.
    pub fired: usize,
    /// Time from firing to the first acknowledgement, of those acknowledged.
    pub to_ack: Spread,
    /// Time from firing to resolving, of those resolved.
    pub to_resolve: Spread,
    /// Resolved with nobody acknowledging them: candidates to tune or delete.
    pub resolved_unacked: usize,
}

/// Response figures per service for episodes that fired in `[since, until)`, the busiest
/// service first.
pub fn by_service(
    episodes: &[Episode],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<Response> {
    let mut groups: BTreeMap<&str, Vec<&Episode>> = BTreeMap::new();
    for ep in episodes
        .iter()
        .filter(|e| e.fired >= since && e.fired < until)
    {
        groups.entry(&ep.service).or_default().push(ep);
    }
    let mut out: Vec<Response> = groups
        .into_iter()
        .map(|(service, eps)| Response {
            service: service.to_string(),
            fired: eps.len(),
            to_ack: Spread::of(
                eps.iter()
                    .filter_map(|e| Some(e.acked? - e.fired))
                    .collect(),
            ),
            to_resolve: Spread::of(
                eps.iter()
                    .filter_map(|e| Some(e.resolved? - e.fired))
                    .collect(),
            ),
            resolved_unacked: eps
                .iter()
                .filter(|e| e.resolved.is_some() && e.acked.is_none())
                .count(),
        })
        .collect();
    out.sort_by(|a, b| b.fired.cmp(&a.fired).then(a.service.cmp(&b.service)));
    out
}

/// The alerts that fired most in `[since, until)` — (title, service, times, per day) — the
/// noisiest first, at most `n`.
pub fn noisiest(
    episodes: &[Episode],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    n: usize,
) -> Vec<(String, String, usize, f64)> {
    let days = ((until - since).num_seconds() as f64 / 86_400.0).max(1.0 / 24.0);
    let mut counts: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for ep in episodes
        .iter()
        .filter(|e| e.fired >= since && e.fired < until)
    {
        *counts.entry((&ep.title, &ep.service)).or_default() += 1;
    }
    let mut out: Vec<(String, String, usize, f64)> = counts
        .into_iter()
        .map(|((t, s), c)| (t.to_string(), s.to_string(), c, c as f64 / days))
        .collect();
    out.sort_by(|a, b| b.2.cmp(&a.2).then(a.0.cmp(&b.0)));
    out.truncate(n);
    out
}

/// An alert that keeps coming and going: how many times it fired in the period and the
/// median time it stayed.
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

/// An episode that resolved within this long of firing is short-lived.
pub const SHORT_LIVED: TimeDelta = TimeDelta::minutes(10);
/// An alert short-lived this many times in the period is flapping.
pub const FLAPS: usize = 3;

/// The alerts that flapped in `[since, until)`: short-lived at least `FLAPS` times, the
/// most first — candidates for a `for:` clause or a wider threshold.
pub fn flapping(episodes: &[Episode], since: DateTime<Utc>, until: DateTime<Utc>) -> Vec<Flapping> {
    let mut lives: BTreeMap<&str, (&Episode, Vec<TimeDelta>)> = BTreeMap::new();
    for ep in episodes
        .iter()
        .filter(|e| e.fired >= since && e.fired < until)
    {
        if let Some(life) = ep
            .resolved
            .map(|r| r - ep.fired)
            .filter(|l| *l <= SHORT_LIVED)
        {
            lives
                .entry(&ep.subject)
                .or_insert((ep, Vec::new()))
                .1
                .push(life);
        }
    }
    let mut out: Vec<Flapping> = lives
        .into_values()
        .filter(|(_, l)| l.len() >= FLAPS)
        .map(|(ep, l)| Flapping {
            subject: ep.subject.clone(),
            title: ep.title.clone(),
            service: ep.service.clone(),
            short_lived: l.len(),
            median_life: Spread::of(l).median,
        })
        .collect();
    out.sort_by(|a, b| {
        b.short_lived
            .cmp(&a.short_lived)
            .then(a.subject.cmp(&b.subject))
    });
    out
}

/// The period of `days` days ending at `until`.
pub fn last_days(until: DateTime<Utc>, days: i64) -> (DateTime<Utc>, DateTime<Utc>) {
    (until - TimeDelta::days(days), until)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(min: i64) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
            + TimeDelta::minutes(min)
    }

    fn observed(subject: &str, min: i64, body: &str) -> Entry {
        Entry {
            id: min,
            subject: subject.into(),
            at: at(min),
            author: "am".into(),
            kind: EntryKind::Observed,
            body: body.into(),
            starred: false,
            corrects: None,
        }
    }

    /// A scripted history of known answers: checkout fires three times (acked after 2, 4 and
    /// never; resolved after 10, 30 and 6 minutes), search once (acked by a silence at 1,
    /// never resolved), and a mass event counted on the source's own subject.
    fn history() -> Vec<(String, Vec<Entry>)> {
        let c = "am:checkout";
        let s = "am:search";
        vec![
            (
                c.into(),
                vec![
                    observed(c, 0, "fired (critical): CheckoutErrors · checkout"),
                    observed(c, 2, "acked by ana"),
                    observed(c, 10, "resolved"),
                    observed(c, 100, "fired (critical): CheckoutErrors · checkout"),
                    observed(c, 104, "acked by bo"),
                    observed(c, 110, "firing again"),
                    observed(c, 112, "acked by bo"),
                    observed(c, 130, "resolved"),
                    observed(c, 200, "fired (critical): CheckoutErrors · checkout"),
                    observed(c, 206, "resolved"),
                ],
            ),
            (
                s.into(),
                vec![
                    observed(s, 50, "fired (warning): SearchSlow · search"),
                    observed(s, 51, "silenced"),
                ],
            ),
            (
                "am:".into(),
                vec![observed(
                    "am:",
                    60,
                    "fired ×2500 (warning): DiskFull · storage",
                )],
            ),
        ]
    }

    #[test]
    fn a_scripted_history_gives_its_known_answers() {
        let eps: Vec<Episode> = history()
            .iter()
            .flat_map(|(subject, entries)| episodes(subject, entries))
            .collect();
        assert_eq!(eps.len(), 4, "the counted mass event names no single alert");
        let rows = by_service(&eps, at(0), at(24 * 60));
        let checkout = &rows[0];
        assert_eq!((checkout.service.as_str(), checkout.fired), ("checkout", 3));
        assert_eq!(
            checkout.to_ack.n, 2,
            "the first ack counts, not the one after 'firing again'"
        );
        assert_eq!(checkout.to_ack.median, Some(TimeDelta::minutes(2)));
        assert_eq!(checkout.to_ack.p90, Some(TimeDelta::minutes(4)));
        assert_eq!(checkout.to_ack.mean, Some(TimeDelta::minutes(3)));
        assert_eq!(checkout.to_resolve.n, 3);
        assert_eq!(checkout.to_resolve.median, Some(TimeDelta::minutes(10)));
        assert_eq!(checkout.to_resolve.p90, Some(TimeDelta::minutes(30)));
        assert_eq!(
            checkout.to_resolve.mean,
            Some(TimeDelta::minutes(46) / 3 * 1)
        );
        assert_eq!(checkout.resolved_unacked, 1);
        let search = &rows[1];
        assert_eq!(
            (search.fired, search.to_ack.median, search.to_resolve.n),
            (1, Some(TimeDelta::minutes(1)), 0)
        );
        // Only what fired in the period counts.
        let late = by_service(&eps, at(90), at(24 * 60));
        assert_eq!(late[0].fired, 2);
        assert!(
            flapping(&eps, at(0), at(24 * 60)).is_empty(),
            "one short life is no flapping"
        );
        let flappy = "am:flappy";
        let mut entries = Vec::new();
        for i in 0..4 {
            entries.push(observed(
                flappy,
                300 + i * 20,
                "fired (warning): Flappy · net",
            ));
            entries.push(observed(flappy, 300 + i * 20 + 2 + i, "resolved"));
        }
        entries.push(observed(flappy, 500, "fired (warning): Flappy · net"));
        entries.push(observed(flappy, 560, "resolved"));
        let mut all = eps.clone();
        all.extend(episodes(flappy, &entries));
        let flaps = flapping(&all, at(0), at(24 * 60));
        assert_eq!(flaps.len(), 1);
        assert_eq!(
            (flaps[0].title.as_str(), flaps[0].short_lived),
            ("Flappy", 4),
            "the hour-long one is no flap"
        );
        assert_eq!(flaps[0].median_life, Some(TimeDelta::minutes(3)));
        let noisy = noisiest(&eps, at(0), at(24 * 60), 5);
        assert_eq!(noisy[0].0, "CheckoutErrors");
        assert_eq!(noisy[0].2, 3);
        assert!((noisy[0].3 - 3.0).abs() < 1e-9, "three a day over one day");
    }
}
