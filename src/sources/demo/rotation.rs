//! The demo's on-call rotations and escalation policies, computed from the clock.

use chrono::{DateTime, Datelike, NaiveTime, TimeDelta, Utc};

use crate::model::{EscalationLevel, EscalationPolicy, OnCall};

/// A rotation: members take turns of `shift` length, handing off at 09:00 UTC.
struct Rotation {
    members: &'static [&'static str],
    shift: TimeDelta,
}

impl Rotation {
    /// Who is on call at `now`, until when, and who is next.
    fn at(&self, now: DateTime<Utc>) -> OnCall {
        let handoff = NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default();
        // Shifts count from Monday 1970-01-05 09:00 UTC, so weekly shifts hand off on Mondays.
        let epoch = DateTime::from_timestamp(4 * 86_400, 0)
            .unwrap_or_default()
            .date_naive()
            .and_time(handoff)
            .and_utc();
        let shift_secs = self.shift.num_seconds().max(1);
        let n = (now - epoch).num_seconds().div_euclid(shift_secs);
        let len = self.members.len() as i64;
        let who = self.members[n.rem_euclid(len) as usize];
        let next = self.members[(n + 1).rem_euclid(len) as usize];
        let until = epoch + TimeDelta::seconds((n + 1) * shift_secs);
        debug_assert!(until.weekday().num_days_from_monday() < 7);
        OnCall::new(who, Some(until), Some(next))
    }
}

const PAYMENTS_PRIMARY: Rotation = Rotation {
    members: &["ana", "bo", "chen"],
    shift: TimeDelta::days(7),
};
const PLATFORM_PRIMARY: Rotation = Rotation {
    members: &["erin", "farid"],
    shift: TimeDelta::days(1),
};

/// The demo's escalation policies as they stand at `now`.
pub fn policies_at(now: DateTime<Utc>) -> Vec<EscalationPolicy> {
    vec![
        EscalationPolicy::named(
            "payments-critical",
            vec!["payments".into(), "payments-db".into(), "checkout".into()],
            vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![PAYMENTS_PRIMARY.at(now)],
                },
                EscalationLevel {
                    after: TimeDelta::minutes(10),
                    on_call: vec![OnCall::new("dana (eng manager)", None, None)],
                },
            ],
        ),
        EscalationPolicy::named(
            "platform",
            vec!["db".into(), "infra".into(), "search".into()],
            vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![PLATFORM_PRIMARY.at(now)],
                },
                EscalationLevel {
                    after: TimeDelta::minutes(15),
                    on_call: vec![OnCall::new("gus (platform lead)", None, None)],
                },
            ],
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn weekly_rotation_hands_off_on_monday_morning() {
        // 2026-03-02 is a Monday.
        let before = Utc.with_ymd_and_hms(2026, 3, 2, 8, 59, 0).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 2, 9, 0, 0).unwrap();
        let a = PAYMENTS_PRIMARY.at(before);
        let b = PAYMENTS_PRIMARY.at(after);
        assert_ne!(a.who, b.who);
        assert_eq!(a.next.as_deref(), Some(b.who.as_str()));
        assert_eq!(a.until, Some(after));
        assert_eq!(b.until, Some(after + TimeDelta::days(7)));
    }

    #[test]
    fn daily_rotation_alternates() {
        let day = Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap();
        let a = PLATFORM_PRIMARY.at(day);
        let b = PLATFORM_PRIMARY.at(day + TimeDelta::days(1));
        assert_ne!(a.who, b.who);
    }
}
