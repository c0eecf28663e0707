//! Rotation arithmetic: who is on call at an instant, from when until when, and who is next.
//! Hand-offs happen at a wall-clock time in the rotation's time zone, so a daily 09:00
//! hand-off stays at 09:00 across daylight-saving changes (the shift that spans the change
//! is an hour shorter or longer). Overrides take precedence over the regular shift.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use crate::model::OnCall;

/// How long a regular shift lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Every {
    /// One day, handing off at the hand-off time.
    Day,
    /// One week, handing off on the hand-off day at the hand-off time.
    Week,
}

/// Someone standing in for the rotation for a while.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Override {
    /// Who stands in.
    pub who: String,
    /// From.
    pub from: DateTime<Utc>,
    /// Until.
    pub until: DateTime<Utc>,
}

/// A rotation: members take turns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rotation {
    /// Its name.
    pub name: String,
    /// Who takes turns, in order.
    pub members: Vec<String>,
    /// Shift length.
    pub every: Every,
    /// The wall-clock hand-off time.
    pub handoff: NaiveTime,
    /// The hand-off day of weekly rotations.
    pub handoff_day: Weekday,
    /// The zone the hand-off time is read in.
    pub zone: Tz,
    /// A date on or after which the first hand-off starts `members[0]`'s shift.
    pub starts: NaiveDate,
    /// Stand-ins.
    pub overrides: Vec<Override>,
}

/// How far ahead `next_shift_of` looks.
const LOOK_AHEAD: TimeDelta = TimeDelta::days(120);

impl Rotation {
    fn days(&self) -> i64 {
        match self.every {
            Every::Day => 1,
            Every::Week => 7,
        }
    }

    /// The date of shift 0's hand-off: `starts`, moved to the hand-off day for weekly ones.
    fn anchor(&self) -> NaiveDate {
        match self.every {
            Every::Day => self.starts,
            Every::Week => {
                let ahead = (7 + self.handoff_day.num_days_from_monday() as i64
                    - self.starts.weekday().num_days_from_monday() as i64)
                    % 7;
                self.starts + TimeDelta::days(ahead)
            }
        }
    }

    /// The instant of the hand-off on local date `date`. A hand-off time that does not
    /// exist that day (clocks jump over it) happens when the clocks land; one that happens
    /// twice (clocks go back) happens the first time.
    pub fn handoff_on(&self, date: NaiveDate) -> DateTime<Utc> {
        let mut local = date.and_time(self.handoff);
        for _ in 0..4 {
            if let Some(t) = self.zone.from_local_datetime(&local).earliest() {
                return t.with_timezone(&Utc);
            }
            local += TimeDelta::minutes(30);
        }
        // No zone skips two hours; fall back to reading the time as UTC.
        date.and_time(self.handoff).and_utc()
    }

    fn shift_start(&self, k: i64) -> DateTime<Utc> {
        self.handoff_on(self.anchor() + TimeDelta::days(k * self.days()))
    }

    /// The index of the regular shift running at `t` (negative before the anchor).
    fn shift_index(&self, t: DateTime<Utc>) -> i64 {
        let local = t.with_timezone(&self.zone).date_naive();
        let mut k = (local - self.anchor()).num_days().div_euclid(self.days());
        while self.shift_start(k) > t {
            k -= 1;
        }
        while self.shift_start(k + 1) <= t {
            k += 1;
        }
        k
    }

    fn member(&self, k: i64) -> &str {
        let n = self.members.len().max(1) as i64;
        self.members
            .get(k.rem_euclid(n) as usize)
            .map_or("", String::as_str)
    }

    /// Who is on call at `t`, from when and until when (not knowing who follows).
    fn segment(&self, t: DateTime<Utc>) -> (String, DateTime<Utc>, DateTime<Utc>) {
        if let Some(o) = self.overrides.iter().find(|o| o.from <= t && t < o.until) {
            return (o.who.clone(), o.from, o.until);
        }
        let k = self.shift_index(t);
        let (mut from, mut until) = (self.shift_start(k), self.shift_start(k + 1));
        for o in &self.overrides {
            if o.until <= t && o.until > from {
                from = o.until; // back from a stand-in
            }
            if o.from > t && o.from < until {
                until = o.from; // a stand-in takes over
            }
        }
        (self.member(k).to_string(), from, until)
    }

    /// Every shift (or stand-in) between `since` and `until`, cut to them: (who, from,
    /// until), in order.
    pub fn shifts(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Vec<(String, DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut t = since;
        while t < until {
            let (who, _, end) = self.segment(t);
            // A segment always ends after it starts; this guards a clock that says not.
            let end = end.max(t + TimeDelta::minutes(1)).min(until);
            out.push((who, t, end));
            t = end;
        }
        out
    }

    /// Who is on call at `now`, since and until when, and who takes over then.
    pub fn at(&self, now: DateTime<Utc>) -> OnCall {
        let (who, from, until) = self.segment(now);
        let (next, ..) = self.segment(until);
        OnCall::new(&who, Some(until), Some(&next)).with_shift(Some(from), Some(&self.name))
    }

    /// The next time `who` goes on call after `now` (their current shift does not count),
    /// and until when.
    pub fn next_shift_of(
        &self,
        who: &str,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>)> {
        let (_, _, mut t) = self.segment(now);
        while t < now + LOOK_AHEAD {
            let (on, from, until) = self.segment(t);
            if on == who {
                return Some((from, until));
            }
            t = until;
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rotation(every: Every, zone: Tz) -> Rotation {
        Rotation {
            name: "primary".into(),
            members: vec!["ana".into(), "bo".into(), "chen".into()],
            every,
            handoff: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
            handoff_day: Weekday::Mon,
            zone,
            starts: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            overrides: vec![],
        }
    }

    fn utc(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0).unwrap()
    }

    #[test]
    fn a_daily_rotation_hands_off_at_the_local_time_and_wraps_round() {
        let r = rotation(Every::Day, chrono_tz::UTC);
        // 2026-01-01 09:00 starts ana, 01-02 bo, 01-03 chen, 01-04 ana again.
        let on = r.at(utc(2026, 1, 4, 8, 59));
        assert_eq!(on.who, "chen");
        assert_eq!(on.until, Some(utc(2026, 1, 4, 9, 0)));
        assert_eq!(on.next.as_deref(), Some("ana"));
        assert_eq!(on.from, Some(utc(2026, 1, 3, 9, 0)));
        assert_eq!(r.at(utc(2026, 1, 4, 9, 0)).who, "ana");
        // Before the start the turns run backwards just the same.
        assert_eq!(r.at(utc(2025, 12, 31, 12, 0)).who, "chen");
    }

    #[test]
    fn a_weekly_rotation_hands_off_on_its_day() {
        let r = rotation(Every::Week, chrono_tz::UTC);
        // 2026-01-01 is a Thursday: shift 0 starts Monday 2026-01-05 09:00.
        assert_eq!(r.at(utc(2026, 1, 5, 9, 0)).who, "ana");
        let on = r.at(utc(2026, 1, 14, 23, 0));
        assert_eq!(on.who, "bo");
        assert_eq!(on.from, Some(utc(2026, 1, 12, 9, 0)));
        assert_eq!(on.until, Some(utc(2026, 1, 19, 9, 0)));
        assert_eq!(on.next.as_deref(), Some("chen"));
    }

    #[test]
    fn hand_offs_stay_at_local_time_across_daylight_saving_changes() {
        let r = rotation(Every::Day, chrono_tz::Europe::Berlin);
        // Berlin springs forward on 2026-03-29 (CET +1 -> CEST +2).
        let before = r.at(utc(2026, 3, 28, 12, 0));
        assert_eq!(before.from, Some(utc(2026, 3, 28, 8, 0)), "09:00 CET");
        assert_eq!(before.until, Some(utc(2026, 3, 29, 7, 0)), "09:00 CEST");
        let shift = before.until.unwrap() - before.from.unwrap();
        assert_eq!(
            shift,
            TimeDelta::hours(23),
            "the shift over the change is short"
        );
        // And falls back on 2026-10-25: that shift is 25 hours.
        let fall = r.at(utc(2026, 10, 24, 12, 0));
        assert_eq!(
            fall.until.unwrap() - fall.from.unwrap(),
            TimeDelta::hours(25)
        );
        // New York changes on other dates (2026-03-08): its 09:00 is 14:00 then 13:00 UTC.
        let ny = rotation(Every::Day, chrono_tz::America::New_York);
        assert_eq!(
            ny.at(utc(2026, 3, 7, 15, 0)).from,
            Some(utc(2026, 3, 7, 14, 0))
        );
        assert_eq!(
            ny.at(utc(2026, 3, 8, 15, 0)).from,
            Some(utc(2026, 3, 8, 13, 0))
        );
    }

    #[test]
    fn a_handoff_inside_the_spring_gap_happens_when_the_clocks_land() {
        let mut r = rotation(Every::Day, chrono_tz::Europe::Berlin);
        r.handoff = NaiveTime::from_hms_opt(2, 30, 0).unwrap();
        // 02:30 does not exist in Berlin on 2026-03-29: clocks go 02:00 -> 03:00 (01:00 UTC).
        let at = r.handoff_on(NaiveDate::from_ymd_opt(2026, 3, 29).unwrap());
        assert_eq!(at, utc(2026, 3, 29, 1, 0));
        // 02:30 happens twice on 2026-10-25: the first one counts (00:30 UTC).
        let at = r.handoff_on(NaiveDate::from_ymd_opt(2026, 10, 25).unwrap());
        assert_eq!(at, utc(2026, 10, 25, 0, 30));
    }

    #[test]
    fn an_override_stands_in_and_hands_back() {
        let mut r = rotation(Every::Day, chrono_tz::UTC);
        // ana's shift is 2026-01-04 09:00 .. 01-05 09:00; dana covers 12:00-18:00.
        r.overrides.push(Override {
            who: "dana".into(),
            from: utc(2026, 1, 4, 12, 0),
            until: utc(2026, 1, 4, 18, 0),
        });
        let morning = r.at(utc(2026, 1, 4, 10, 0));
        assert_eq!(morning.who, "ana");
        assert_eq!(morning.until, Some(utc(2026, 1, 4, 12, 0)));
        assert_eq!(morning.next.as_deref(), Some("dana"));
        let cover = r.at(utc(2026, 1, 4, 13, 0));
        assert_eq!(cover.who, "dana");
        assert_eq!(cover.next.as_deref(), Some("ana"));
        let evening = r.at(utc(2026, 1, 4, 19, 0));
        assert_eq!(evening.who, "ana");
        assert_eq!(evening.from, Some(utc(2026, 1, 4, 18, 0)));
        assert_eq!(evening.next.as_deref(), Some("bo"));
    }

    #[test]
    fn my_next_shift_is_found_and_the_current_one_does_not_count() {
        let r = rotation(Every::Week, chrono_tz::UTC);
        let now = utc(2026, 1, 6, 12, 0); // ana's week
        assert_eq!(
            r.next_shift_of("chen", now),
            Some((utc(2026, 1, 19, 9, 0), utc(2026, 1, 26, 9, 0)))
        );
        assert_eq!(
            r.next_shift_of("ana", now),
            Some((utc(2026, 1, 26, 9, 0), utc(2026, 2, 2, 9, 0)))
        );
        assert_eq!(r.next_shift_of("zoe", now), None);
    }

    #[test]
    fn the_countdown_to_a_handoff_is_exact() {
        let r = rotation(Every::Day, chrono_tz::Asia::Kolkata); // +05:30, no DST
        let now = utc(2026, 6, 1, 2, 0); // 07:30 local
        let on = r.at(now);
        assert_eq!(on.until.unwrap() - now, TimeDelta::minutes(90));
    }
}
