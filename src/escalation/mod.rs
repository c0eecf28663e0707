//! The local escalation file (`escalation.toml` in the config dir): rotations and policies
//! for back ends that page nobody themselves (Alertmanager, the demo). Read once at start
//! (by `config::escalation_file`); who is on call is computed from the clock.

pub mod rotation;

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{EscalationLevel, EscalationPolicy, Matcher, OnCall};
pub use rotation::{Every, Override, Rotation};

/// The file's name in the config dir.
pub const FILE_NAME: &str = "escalation.toml";

/// Rotations and the policies that page them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalEscalation {
    /// The rotations.
    pub rotations: Vec<Rotation>,
    /// The policies.
    pub policies: Vec<LocalPolicy>,
    /// Responders' own time zones (`[people.NAME]`), where they differ from their rotation's.
    pub zones: Vec<(String, chrono_tz::Tz)>,
}

/// A policy of the local file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LocalPolicy {
    /// Its name.
    pub name: String,
    /// Services it covers.
    pub services: Vec<String>,
    /// Alerts matching all of these are covered too.
    pub matchers: Vec<Matcher>,
    /// Its levels: when, counted from firing, and whom they page (rotation names or people).
    pub levels: Vec<(TimeDelta, Vec<String>)>,
    /// How many times the levels repeat.
    pub repeats: u32,
}

impl LocalEscalation {
    /// Whether the file defines any policy.
    pub fn is_empty(&self) -> bool {
        self.policies.is_empty()
    }

    /// The policies with who is on call at `now`: a target that names a rotation is
    /// whoever is on it; any other target is that person.
    pub fn policies_at(&self, now: DateTime<Utc>) -> Vec<EscalationPolicy> {
        self.policies
            .iter()
            .map(|p| EscalationPolicy {
                id: p.name.clone(),
                name: p.name.clone(),
                services: p.services.clone(),
                matchers: p.matchers.clone(),
                levels: p
                    .levels
                    .iter()
                    .map(|(after, targets)| EscalationLevel {
                        after: *after,
                        on_call: targets.iter().map(|t| self.on_call(t, now)).collect(),
                    })
                    .collect(),
                repeats: p.repeats,
            })
            .collect()
    }

    fn on_call(&self, target: &str, now: DateTime<Utc>) -> OnCall {
        match self.rotations.iter().find(|r| r.name == target) {
            Some(r) => r.at(now),
            None => OnCall::new(target, None, None),
        }
    }

    /// `who`'s next shift on any rotation after `now`: when, until when, which rotation.
    pub fn next_shift_of(
        &self,
        who: &str,
        now: DateTime<Utc>,
    ) -> Option<(DateTime<Utc>, DateTime<Utc>, &str)> {
        self.rotations
            .iter()
            .filter_map(|r| {
                let (from, until) = r.next_shift_of(who, now)?;
                Some((from, until, r.name.as_str()))
            })
            .min_by_key(|(from, ..)| *from)
    }
}

/// Where someone stands on call, for the header and `onduty oncall`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum MyShift {
    /// On call now.
    OnNow {
        /// Until when, if the rotation says.
        until: Option<DateTime<Utc>>,
        /// Who takes over.
        next: Option<String>,
    },
    /// Not on call; the next shift starts then.
    Next {
        /// When.
        from: DateTime<Utc>,
    },
}

/// Where `me` stands at `now`: on call at some level of `policies` (the soonest-ending
/// shift), else their next shift on the local rotations. None when nothing names them.
pub fn my_shift<'a>(
    policies: impl Iterator<Item = &'a EscalationPolicy>,
    local: &LocalEscalation,
    me: &str,
    now: DateTime<Utc>,
) -> Option<MyShift> {
    let on_now = policies
        .flat_map(|p| p.levels.iter())
        .flat_map(|l| l.on_call.iter())
        .filter(|o| o.who == me && o.until.is_none_or(|u| u > now))
        .min_by_key(|o| o.until.unwrap_or(DateTime::<Utc>::MAX_UTC));
    if let Some(o) = on_now {
        return Some(MyShift::OnNow {
            until: o.until,
            next: o.next.clone(),
        });
    }
    let (from, _, _) = local.next_shift_of(me, now)?;
    Some(MyShift::Next { from })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    const FILE: &str = r#"
[[rotation]]
name = "payments-primary"
members = ["ana", "bo", "chen"]
shift = "weekly"
handoff = "09:00"
time_zone = "Europe/Berlin"
starts = "2026-01-05"

[[rotation.override]]
who = "dana"
from = "2026-12-24 09:00"
until = "2026-12-27 09:00"

[[policy]]
name = "payments-critical"
services = ["payments"]
match = ['team="payments"']
repeats = 1

[[policy.level]]
targets = ["payments-primary"]

[[policy.level]]
after = "10m"
targets = ["dana"]
"#;

    #[test]
    fn the_file_maps_into_policies_with_who_is_on_call() {
        let e = crate::config::escalation_file::parse(FILE, "escalation.toml").unwrap();
        let now = Utc.with_ymd_and_hms(2026, 12, 25, 12, 0, 0).unwrap();
        let p = &e.policies_at(now)[0];
        assert_eq!((p.name.as_str(), p.repeats), ("payments-critical", 1));
        assert_eq!(p.levels[1].after, TimeDelta::minutes(10));
        let l1 = &p.levels[0].on_call[0];
        assert_eq!(l1.who, "dana", "the Christmas override");
        assert_eq!(l1.via.as_deref(), Some("payments-primary"));
        assert_eq!(p.levels[1].on_call[0].who, "dana");
        let a = crate::testing::labelled_alert(
            "x",
            crate::model::Severity::Critical,
            crate::model::Status::Firing,
            &[("team", "payments"), ("service", "checkout")],
        );
        assert!(p.covers(&a), "by the label matcher");
    }

    #[test]
    fn errors_name_the_file_the_key_and_the_value() {
        let bad = FILE.replace("Europe/Berlin", "Mars/Olympus");
        let m = crate::config::escalation_file::parse(&bad, "/cfg/escalation.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("/cfg/escalation.toml")
                && m.contains("rotation[0].time_zone")
                && m.contains("Mars/Olympus"),
            "{m}"
        );
        // A value of the wrong type is shown as written, not as ''.
        let bad = FILE.replace("shift = \"weekly\"", "shift = [\"a\"]");
        let m = crate::config::escalation_file::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("rotation[0].shift") && m.contains("'[\"a\"]'"),
            "{m}"
        );
        let bad = FILE.replace("after = \"10m\"", "after = \"soon\"");
        let m = crate::config::escalation_file::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("policy[0].level[1].after") && m.contains("soon"),
            "{m}"
        );
        let bad = FILE.replace(
            "until = \"2026-12-27 09:00\"",
            "until = \"2026-12-20 09:00\"",
        );
        let m = crate::config::escalation_file::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("override[0].until") && m.contains("after from"),
            "{m}"
        );
        // A responder's own zone: read, and a wrong one named.
        let with_people = format!("{FILE}\n[people.ed]\ntime_zone = \"Asia/Kolkata\"\n");
        let e = crate::config::escalation_file::parse(&with_people, "e.toml").unwrap();
        assert_eq!(e.zones, vec![("ed".to_string(), chrono_tz::Asia::Kolkata)]);
        let m = crate::config::escalation_file::parse(
            &with_people.replace("Asia/Kolkata", "Asia/Atlantis"),
            "e.toml",
        )
        .unwrap_err()
        .to_string();
        assert!(
            m.contains("e.toml")
                && m.contains("people.ed.time_zone")
                && m.contains("Asia/Atlantis"),
            "{m}"
        );
        let bad = FILE.replace("2026-01-05", "+99999-01-05");
        let m = crate::config::escalation_file::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("rotation[0].starts") && m.contains("1970 and 2200"),
            "{m}"
        );
        let bad = FILE.replace("shift = \"weekly\"", "shfit = \"weekly\"");
        let m = crate::config::escalation_file::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(m.contains("rotation[0]") && m.contains("shfit"), "{m}");
    }

    #[test]
    fn my_next_shift_comes_from_the_rotations() {
        let e = crate::config::escalation_file::parse(FILE, "escalation.toml").unwrap();
        // 2026-01-05 (Mon) 09:00 Berlin starts ana; bo's week begins 01-12 09:00 (08:00 UTC).
        let now = Utc.with_ymd_and_hms(2026, 1, 6, 12, 0, 0).unwrap();
        let (from, _, via) = e.next_shift_of("bo", now).unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 1, 12, 8, 0, 0).unwrap());
        assert_eq!(via, "payments-primary");
    }
}
