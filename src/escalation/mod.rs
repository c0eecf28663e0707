//! The local escalation file (`escalation.toml` in the config dir): rotations and policies
//! for back ends that page nobody themselves (Alertmanager, the demo). Read once at start;
//! who is on call is computed from the clock. Errors name the file, the key and the value.

pub mod rotation;

use std::path::Path;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Deserialize;

use crate::config::Error;
use crate::model::{EscalationLevel, EscalationPolicy, Matcher, OnCall, sanitize};
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    rotation: Vec<RotationShape>,
    #[serde(default)]
    policy: Vec<PolicyShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RotationShape {
    name: String,
    members: Vec<String>,
    #[serde(default = "weekly")]
    shift: String,
    #[serde(default = "nine")]
    handoff: String,
    #[serde(default = "monday")]
    handoff_day: String,
    #[serde(default = "utc")]
    time_zone: String,
    #[serde(default)]
    starts: Option<String>,
    #[serde(default, rename = "override")]
    overrides: Vec<OverrideShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OverrideShape {
    who: String,
    from: String,
    until: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyShape {
    name: String,
    #[serde(default)]
    services: Vec<String>,
    #[serde(default, rename = "match")]
    matchers: Vec<String>,
    #[serde(default)]
    repeats: u32,
    level: Vec<LevelShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct LevelShape {
    #[serde(default)]
    after: Option<String>,
    targets: Vec<String>,
}

fn weekly() -> String {
    "weekly".into()
}
fn nine() -> String {
    "09:00".into()
}
fn monday() -> String {
    "monday".into()
}
fn utc() -> String {
    "UTC".into()
}

impl LocalEscalation {
    /// Reads `escalation.toml` from `dir`; no file is no rotations.
    pub fn load_from_dir(dir: &Path) -> Result<LocalEscalation, Error> {
        let path = dir.join(FILE_NAME);
        match std::fs::read_to_string(&path) {
            Ok(text) => LocalEscalation::parse(&text, &path.display().to_string()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(LocalEscalation::default()),
            Err(e) => Err(Error::Read {
                path: path.display().to_string(),
                reason: e.to_string(),
            }),
        }
    }

    /// Parses the text of the file called `path`.
    pub fn parse(text: &str, path: &str) -> Result<LocalEscalation, Error> {
        let value: toml::Value = toml::from_str(text).map_err(|e| Error::Syntax {
            path: path.into(),
            message: sanitize::line(e.message(), 300),
        })?;
        let shape: FileShape =
            serde_path_to_error::deserialize(value.clone()).map_err(|e| Error::Invalid {
                path: path.into(),
                key: e.path().to_string(),
                value: crate::config::value_at(&value, e.path()).unwrap_or_default(),
                message: sanitize::line(&e.inner().to_string(), 300),
            })?;
        let invalid = |key: String, value: &str, message: &str| Error::Invalid {
            path: path.into(),
            key,
            value: sanitize::line(value, 120),
            message: message.into(),
        };
        let mut rotations = Vec::new();
        for (i, r) in shape.rotation.into_iter().enumerate() {
            let key = |k: &str| format!("rotation[{i}].{k}");
            if r.members.is_empty() {
                return Err(invalid(key("members"), "[]", "a rotation needs members"));
            }
            let every = match r.shift.as_str() {
                "daily" => Every::Day,
                "weekly" => Every::Week,
                other => return Err(invalid(key("shift"), other, "use daily or weekly")),
            };
            let handoff = NaiveTime::parse_from_str(&r.handoff, "%H:%M")
                .map_err(|_| invalid(key("handoff"), &r.handoff, "use HH:MM, e.g. 09:00"))?;
            let handoff_day = r.handoff_day.parse::<Weekday>().map_err(|_| {
                invalid(
                    key("handoff_day"),
                    &r.handoff_day,
                    "use a weekday, e.g. monday",
                )
            })?;
            let zone = r.time_zone.parse::<Tz>().map_err(|_| {
                invalid(
                    key("time_zone"),
                    &r.time_zone,
                    "use an IANA time zone, e.g. Europe/Berlin or UTC",
                )
            })?;
            let starts = match &r.starts {
                None => NaiveDate::from_ymd_opt(2024, 1, 1).unwrap_or_default(),
                Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                    .ok()
                    .filter(|d| is_plausible(d.year()))
                    .ok_or_else(|| {
                        invalid(key("starts"), s, "use YYYY-MM-DD, between 1970 and 2200")
                    })?,
            };
            let mut overrides = Vec::new();
            for (j, o) in r.overrides.iter().enumerate() {
                let at = |k: &str, v: &str| {
                    let plausible = |t: &DateTime<Utc>| is_plausible(t.year());
                    local_instant(v, zone).filter(plausible).ok_or_else(|| {
                        invalid(
                            format!("rotation[{i}].override[{j}].{k}"),
                            v,
                            "use YYYY-MM-DD HH:MM (in the rotation's time zone) or RFC 3339",
                        )
                    })
                };
                let (from, until) = (at("from", &o.from)?, at("until", &o.until)?);
                if until <= from {
                    return Err(invalid(
                        format!("rotation[{i}].override[{j}].until"),
                        &o.until,
                        "must be after from",
                    ));
                }
                overrides.push(Override {
                    who: sanitize::line(&o.who, sanitize::LABEL_CAP),
                    from,
                    until,
                });
            }
            rotations.push(Rotation {
                name: sanitize::line(&r.name, sanitize::LABEL_CAP),
                members: r
                    .members
                    .iter()
                    .map(|m| sanitize::line(m, sanitize::LABEL_CAP))
                    .collect(),
                every,
                handoff,
                handoff_day,
                zone,
                starts,
                overrides,
            });
        }
        let mut policies = Vec::new();
        for (i, p) in shape.policy.into_iter().enumerate() {
            let mut matchers = Vec::new();
            for (j, m) in p.matchers.iter().enumerate() {
                matchers.push(
                    Matcher::parse(m)
                        .map_err(|e| invalid(format!("policy[{i}].match[{j}]"), m, &e))?,
                );
            }
            let mut levels = Vec::new();
            let mut last = TimeDelta::zero();
            for (j, l) in p.level.iter().enumerate() {
                let after = match &l.after {
                    None if j == 0 => TimeDelta::zero(),
                    None => {
                        return Err(invalid(
                            format!("policy[{i}].level[{j}].after"),
                            "",
                            "levels after the first need after = \"10m\" (since the alert fired)",
                        ));
                    }
                    Some(s) => crate::duration_fmt::parse(s)
                        .ok()
                        .and_then(|d| TimeDelta::from_std(d).ok())
                        .ok_or_else(|| {
                            invalid(format!("policy[{i}].level[{j}].after"), s, "use e.g. 10m")
                        })?,
                };
                if after < last {
                    return Err(invalid(
                        format!("policy[{i}].level[{j}].after"),
                        l.after.as_deref().unwrap_or_default(),
                        "levels come in order: each after the one before",
                    ));
                }
                last = after;
                let targets = l
                    .targets
                    .iter()
                    .map(|t| sanitize::line(t, sanitize::LABEL_CAP))
                    .collect();
                levels.push((after, targets));
            }
            if levels.is_empty() {
                return Err(invalid(
                    format!("policy[{i}].level"),
                    "[]",
                    "a policy needs levels",
                ));
            }
            policies.push(LocalPolicy {
                name: sanitize::line(&p.name, sanitize::LABEL_CAP),
                services: p.services,
                matchers,
                levels,
                repeats: p.repeats,
            });
        }
        Ok(LocalEscalation {
            rotations,
            policies,
        })
    }

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

/// Years a rotation's dates may name: the arithmetic stays far from chrono's limits.
fn is_plausible(year: i32) -> bool {
    (1970..=2200).contains(&year)
}

/// `YYYY-MM-DD HH:MM` read in `zone`, or an RFC 3339 instant.
fn local_instant(s: &str, zone: Tz) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    let naive = NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").ok()?;
    zone.from_local_datetime(&naive)
        .earliest()
        .map(|t| t.with_timezone(&Utc))
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let e = LocalEscalation::parse(FILE, "escalation.toml").unwrap();
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
        let m = LocalEscalation::parse(&bad, "/cfg/escalation.toml")
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
        let m = LocalEscalation::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("rotation[0].shift") && m.contains("'[\"a\"]'"),
            "{m}"
        );
        let bad = FILE.replace("after = \"10m\"", "after = \"soon\"");
        let m = LocalEscalation::parse(&bad, "e.toml")
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
        let m = LocalEscalation::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("override[0].until") && m.contains("after from"),
            "{m}"
        );
        let bad = FILE.replace("2026-01-05", "+99999-01-05");
        let m = LocalEscalation::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(
            m.contains("rotation[0].starts") && m.contains("1970 and 2200"),
            "{m}"
        );
        let bad = FILE.replace("shift = \"weekly\"", "shfit = \"weekly\"");
        let m = LocalEscalation::parse(&bad, "e.toml")
            .unwrap_err()
            .to_string();
        assert!(m.contains("rotation[0]") && m.contains("shfit"), "{m}");
    }

    #[test]
    fn my_next_shift_comes_from_the_rotations() {
        let e = LocalEscalation::parse(FILE, "escalation.toml").unwrap();
        // 2026-01-05 (Mon) 09:00 Berlin starts ana; bo's week begins 01-12 09:00 (08:00 UTC).
        let now = Utc.with_ymd_and_hms(2026, 1, 6, 12, 0, 0).unwrap();
        let (from, _, via) = e.next_shift_of("bo", now).unwrap();
        assert_eq!(from, Utc.with_ymd_and_hms(2026, 1, 12, 8, 0, 0).unwrap());
        assert_eq!(via, "payments-primary");
    }
}
