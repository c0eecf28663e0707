//! Reading the local escalation file (`escalation.toml` in the config dir) into
//! `escalation::LocalEscalation`: the file's shape, and errors that name the file, the key
//! and the value. The escalation module computes who is on call; this one only reads.

use std::path::Path;

use chrono::{
    DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc, Weekday,
};
use chrono_tz::Tz;
use serde::Deserialize;

use super::Error;
use crate::escalation::{Every, FILE_NAME, LocalEscalation, LocalPolicy, Override, Rotation};
use crate::model::{Matcher, sanitize};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileShape {
    #[serde(default)]
    rotation: Vec<RotationShape>,
    #[serde(default)]
    policy: Vec<PolicyShape>,
    /// Each responder's own time zone (`[people.ana] time_zone = "Europe/Berlin"`), for the
    /// load split into business, off and sleep hours.
    #[serde(default)]
    people: std::collections::BTreeMap<String, PersonShape>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PersonShape {
    time_zone: String,
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

/// Reads `escalation.toml` from `dir`; no file is no rotations.
pub fn load_from_dir(dir: &Path) -> Result<LocalEscalation, Error> {
    let path = dir.join(FILE_NAME);
    match std::fs::read_to_string(&path) {
        Ok(text) => parse(&text, &path.display().to_string()),
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
            value: super::read::value_at(&value, e.path()).unwrap_or_default(),
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
                Matcher::parse(m).map_err(|e| invalid(format!("policy[{i}].match[{j}]"), m, &e))?,
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
    let mut zones = Vec::new();
    for (who, p) in shape.people {
        let zone = p.time_zone.parse::<Tz>().map_err(|_| {
            invalid(
                format!("people.{who}.time_zone"),
                &p.time_zone,
                "use an IANA time zone, e.g. Europe/Berlin or UTC",
            )
        })?;
        zones.push((sanitize::line(&who, sanitize::TITLE_CAP), zone));
    }
    Ok(LocalEscalation {
        rotations,
        policies,
        zones,
    })
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
