//! The demo's on-call rotations and escalation policies, computed from the clock with the
//! same rotation arithmetic as the local escalation file.

use chrono::{DateTime, NaiveDate, NaiveTime, TimeDelta, Utc, Weekday};

use crate::escalation::{Every, Rotation};
use crate::model::{EscalationLevel, EscalationPolicy, OnCall};

/// A rotation handing off at 09:00 UTC, counted from Monday 1970-01-05 (so weekly shifts
/// hand off on Mondays).
fn rotation(name: &str, members: &[&str], every: Every) -> Rotation {
    Rotation {
        name: name.into(),
        members: members.iter().map(|m| (*m).to_string()).collect(),
        every,
        handoff: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
        handoff_day: Weekday::Mon,
        zone: chrono_tz::UTC,
        starts: NaiveDate::from_ymd_opt(1970, 1, 5).unwrap_or_default(),
        overrides: Vec::new(),
    }
}

fn payments_primary() -> Rotation {
    rotation("payments-primary", &["ana", "bo", "chen"], Every::Week)
}

fn platform_primary() -> Rotation {
    rotation("platform-primary", &["erin", "farid"], Every::Day)
}

/// The demo's escalation policies as they stand at `now`.
pub fn policies_at(now: DateTime<Utc>) -> Vec<EscalationPolicy> {
    vec![
        EscalationPolicy::named(
            "payments-critical",
            vec!["payments".into(), "payments-db".into(), "checkout".into()],
            vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![payments_primary().at(now)],
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
                    on_call: vec![platform_primary().at(now)],
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
        let a = payments_primary().at(before);
        let b = payments_primary().at(after);
        assert_ne!(a.who, b.who);
        assert_eq!(a.next.as_deref(), Some(b.who.as_str()));
        assert_eq!(a.until, Some(after));
        assert_eq!(b.until, Some(after + TimeDelta::days(7)));
    }

    #[test]
    fn daily_rotation_alternates() {
        let day = Utc.with_ymd_and_hms(2026, 3, 4, 12, 0, 0).unwrap();
        let a = platform_primary().at(day);
        let b = platform_primary().at(day + TimeDelta::days(1));
        assert_ne!(a.who, b.who);
    }
}
