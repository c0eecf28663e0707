//! The load on each responder: hours on call (from the local rotations), pages (alerts that
//! fired while they were on call) and acknowledgements, each split into business hours
//! (08–18 Monday to Friday), off hours (evenings and weekends) and sleep hours (22–08), in
//! the responder's own time zone — the split PagerDuty and incident.io use — and their
//! busiest nights. Hours are cut at the local wall-clock boundaries, so a day on which the
//! clocks change is an hour shorter or longer where it really was.

use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Timelike, Utc};
use chrono_tz::Tz;

use super::ledger::Episode;
use crate::escalation::LocalEscalation;

/// Which part of a responder's day an instant falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hours {
    /// 08:00–18:00, Monday to Friday.
    Business,
    /// Evenings (18:00–22:00) and weekend days (08:00–22:00).
    Off,
    /// 22:00–08:00, every day.
    Sleep,
}

impl Hours {
    /// All three, in order (the index of each in a `[_; 3]`).
    pub const ALL: [Hours; 3] = [Hours::Business, Hours::Off, Hours::Sleep];

    /// The shown name.
    pub fn name(self) -> &'static str {
        match self {
            Hours::Business => "business",
            Hours::Off => "off hours",
            Hours::Sleep => "sleep",
        }
    }

    /// Which part of the day `t` is in `zone`.
    pub fn of(t: DateTime<Utc>, zone: Tz) -> Hours {
        let local = t.with_timezone(&zone);
        let hour = local.hour();
        if !(8..22).contains(&hour) {
            Hours::Sleep
        } else if hour < 18 && local.weekday().number_from_monday() <= 5 {
            Hours::Business
        } else {
            Hours::Off
        }
    }
}

/// The night an instant of sleep hours belongs to: the date of its evening (02:00 on the
/// 5th is the night of the 4th).
pub fn night_of(t: DateTime<Utc>, zone: Tz) -> NaiveDate {
    let local = t.with_timezone(&zone);
    if local.hour() < 8 {
        local.date_naive() - TimeDelta::days(1)
    } else {
        local.date_naive()
    }
}

/// The instant of local `time` on `date` in `zone` (a time the clocks skip is when they
/// land; one they pass twice is the first).
fn local_instant(zone: Tz, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
    let mut local = date.and_time(time);
    for _ in 0..4 {
        if let Some(t) = zone.from_local_datetime(&local).earliest() {
            return Some(t.with_timezone(&Utc));
        }
        local += TimeDelta::minutes(30);
    }
    None
}

/// How long of `[from, until)` falls in each part of the day in `zone`, indexed as
/// `Hours::ALL`.
pub fn split(from: DateTime<Utc>, until: DateTime<Utc>, zone: Tz) -> [TimeDelta; 3] {
    let mut out = [TimeDelta::zero(); 3];
    if until <= from {
        return out;
    }
    // Every local 00:00, 08:00, 18:00 and 22:00 inside the span cuts it; each piece is
    // then wholly in one part of the day.
    let mut cuts = vec![from, until];
    let first = from.with_timezone(&zone).date_naive();
    let last = until.with_timezone(&zone).date_naive();
    let mut date = first;
    while date <= last {
        for h in [0, 8, 18, 22] {
            let t = NaiveTime::from_hms_opt(h, 0, 0).and_then(|t| local_instant(zone, date, t));
            if let Some(t) = t.filter(|t| *t > from && *t < until) {
                cuts.push(t);
            }
        }
        date += TimeDelta::days(1);
    }
    cuts.sort();
    cuts.dedup();
    for w in cuts.windows(2) {
        let part = Hours::of(w[0], zone);
        out[part as usize] += w[1] - w[0];
    }
    out
}

/// One responder's load in a period.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Load {
    /// Who.
    pub who: String,
    /// Their time zone (their rotation's, else UTC).
    pub zone: Tz,
    /// Hours on call, by part of the day.
    pub on_call: [TimeDelta; 3],
    /// Alerts that fired while they were on call, by part of the day.
    pub pages: [usize; 3],
    /// Alerts they acknowledged first, by part of the day.
    pub acks: [usize; 3],
    /// The nights with the most pages in sleep hours: (the evening's date, pages), most
    /// first, at most three.
    pub busiest_nights: Vec<(NaiveDate, usize)>,
}

impl Load {
    fn new(who: &str, zone: Tz) -> Load {
        Load {
            who: who.to_string(),
            zone,
            on_call: [TimeDelta::zero(); 3],
            pages: [0; 3],
            acks: [0; 3],
            busiest_nights: Vec::new(),
        }
    }

    /// Pages out of business hours (off and sleep).
    pub fn pages_out_of_hours(&self) -> usize {
        self.pages[1] + self.pages[2]
    }
}

/// The load on each responder in `[since, until)`: everyone on a rotation, and everyone who
/// acknowledged an alert; the most paged out of hours first. Each one's hours are read in
/// their own zone (`[people]` of the escalation file), else their rotation's, else UTC.
pub fn per_responder(
    escalation: &LocalEscalation,
    episodes: &[&Episode],
    since: DateTime<Utc>,
    until: DateTime<Utc>,
) -> Vec<Load> {
    let own_zone = |who: &str| {
        escalation
            .zones
            .iter()
            .find(|(name, _)| name == who)
            .map(|(_, z)| *z)
    };
    let rotations = &escalation.rotations;
    let mut loads: BTreeMap<String, Load> = BTreeMap::new();
    let mut nights: BTreeMap<(String, NaiveDate), usize> = BTreeMap::new();
    for r in rotations {
        let shifts = r.shifts(since, until);
        for (who, from, to) in &shifts {
            let load = loads
                .entry(who.clone())
                .or_insert_with(|| Load::new(who, own_zone(who).unwrap_or(r.zone)));
            for (i, d) in split(*from, *to, load.zone).into_iter().enumerate() {
                load.on_call[i] += d;
            }
        }
        for ep in episodes {
            let i = shifts.partition_point(|(_, _, to)| *to <= ep.fired);
            let Some((who, ..)) = shifts.get(i).filter(|(_, from, _)| *from <= ep.fired) else {
                continue;
            };
            let Some(load) = loads.get_mut(who) else {
                continue;
            };
            let part = Hours::of(ep.fired, load.zone);
            load.pages[part as usize] += 1;
            if part == Hours::Sleep {
                *nights
                    .entry((who.clone(), night_of(ep.fired, load.zone)))
                    .or_default() += 1;
            }
        }
    }
    for ep in episodes {
        let (Some(who), Some(at)) = (&ep.acked_by, ep.acked) else {
            continue;
        };
        let load = loads
            .entry(who.to_string())
            .or_insert_with(|| Load::new(who, own_zone(who).unwrap_or(Tz::UTC)));
        load.acks[Hours::of(at, load.zone) as usize] += 1;
    }
    for ((who, night), n) in nights {
        if let Some(load) = loads.get_mut(&who) {
            load.busiest_nights.push((night, n));
        }
    }
    let mut out: Vec<Load> = loads.into_values().collect();
    for load in &mut out {
        load.busiest_nights
            .sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        load.busiest_nights.truncate(3);
    }
    out.sort_by(|a, b| {
        b.pages_out_of_hours()
            .cmp(&a.pages_out_of_hours())
            .then(b.acks.iter().sum::<usize>().cmp(&a.acks.iter().sum()))
            .then(a.who.cmp(&b.who))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_parts_of_a_day_are_read_in_the_responders_zone() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Tuesday 2026-12-01, 07:30 UTC = 08:30 in Berlin.
        assert_eq!(
            Hours::of(utc("2026-12-01T07:30:00Z"), berlin),
            Hours::Business
        );
        assert_eq!(
            Hours::of(utc("2026-12-01T07:30:00Z"), Tz::UTC),
            Hours::Sleep
        );
        assert_eq!(Hours::of(utc("2026-12-01T17:30:00Z"), berlin), Hours::Off);
        assert_eq!(Hours::of(utc("2026-12-01T21:00:00Z"), berlin), Hours::Sleep);
        // Saturday noon is off hours; Saturday 23:00 is sleep.
        assert_eq!(Hours::of(utc("2026-12-05T12:00:00Z"), Tz::UTC), Hours::Off);
        assert_eq!(
            Hours::of(utc("2026-12-05T23:00:00Z"), Tz::UTC),
            Hours::Sleep
        );
        assert_eq!(
            night_of(utc("2026-12-05T01:00:00Z"), berlin),
            NaiveDate::from_ymd_opt(2026, 12, 4).unwrap(),
            "02:00 in Berlin is the night of the 4th"
        );
    }

    #[test]
    fn a_week_splits_into_fifty_business_hours_and_seventy_sleep_hours() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Monday 00:00 to the next Monday 00:00, Berlin time (winter, UTC+1).
        let parts = split(
            utc("2026-11-29T23:00:00Z"),
            utc("2026-12-06T23:00:00Z"),
            berlin,
        );
        let hours = parts.map(|d| d.num_hours());
        assert_eq!(hours, [50, 7 * 4 + 2 * 10, 70]);
        assert_eq!(hours.iter().sum::<i64>(), 168);
    }

    #[test]
    fn the_nights_the_clocks_change_are_an_hour_shorter_and_longer() {
        let berlin: Tz = "Europe/Berlin".parse().unwrap();
        // Saturday 28 March 2026 22:00 to Sunday 08:00, Berlin: clocks go forward at 02:00.
        let spring = split(
            utc("2026-03-28T21:00:00Z"),
            utc("2026-03-29T06:00:00Z"),
            berlin,
        );
        assert_eq!(spring[Hours::Sleep as usize], TimeDelta::hours(9));
        assert_eq!(spring[Hours::Off as usize], TimeDelta::zero());
        // Saturday 24 October 22:00 to Sunday 08:00: clocks go back at 03:00.
        let autumn = split(
            utc("2026-10-24T20:00:00Z"),
            utc("2026-10-25T07:00:00Z"),
            berlin,
        );
        assert_eq!(autumn[Hours::Sleep as usize], TimeDelta::hours(11));
        // New York changes on other dates: the same UTC span in spring is all ordinary.
        let new_york: Tz = "America/New_York".parse().unwrap();
        let ny = split(
            utc("2026-03-28T21:00:00Z"),
            utc("2026-03-29T06:00:00Z"),
            new_york,
        );
        assert_eq!(ny.iter().copied().sum::<TimeDelta>(), TimeDelta::hours(9));
        assert_eq!(
            ny[Hours::Off as usize],
            TimeDelta::hours(5),
            "17:00–22:00 Saturday"
        );
        assert_eq!(ny[Hours::Sleep as usize], TimeDelta::hours(4));
    }
}
