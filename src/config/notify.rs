//! The `[notify]` table: when and how onduty notifies, and the rules it makes.

use serde::Deserialize;

use super::read::Problem;
use crate::notify::rules::{QuietHours, Rules};

/// The `[notify]` table: when and how onduty notifies.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The least severe alert that notifies.
    pub severity: String,
    /// `auto`, or any of `desktop`, `bell`, `osc`; `none` for none.
    pub channels: Vec<String>,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only alerts matching all of these (`team="payments"`).
    #[serde(rename = "match")]
    pub matchers: Vec<String>,
    /// Only while I am on call.
    pub on_call_only: bool,
    /// Nothing notifies in these hours (`22:00-07:00`), in `time_zone`.
    pub quiet_hours: String,
    /// The zone of `quiet_hours` (IANA: `Europe/Berlin`).
    pub time_zone: String,
    /// The rules built from the keys above.
    #[serde(skip)]
    pub rules: Rules,
}

impl NotifyConfig {
    /// The notification rules of `[notify]`; an error names the key and the value.
    pub fn rules(&self) -> Result<Rules, Problem> {
        let n = self;
        let err = |k: &str, v: &str, m: &str| Problem::new(k, v, m);
        let severity = crate::model::Severity::parse(&n.severity).ok_or_else(|| {
            err(
                "severity",
                &n.severity,
                "use critical, error, warning or info",
            )
        })?;
        for (i, c) in n.channels.iter().enumerate() {
            if !matches!(c.as_str(), "auto" | "desktop" | "bell" | "osc" | "none") {
                return Err(err(
                    &format!("channels[{i}]"),
                    c,
                    "use auto, desktop, bell, osc or none",
                ));
            }
        }
        let matchers = n
            .matchers
            .iter()
            .enumerate()
            .map(|(i, m)| {
                crate::model::Matcher::parse(m).map_err(|e| err(&format!("match[{i}]"), m, &e))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let zone: chrono_tz::Tz = n.time_zone.parse().map_err(|_| {
            err(
                "time_zone",
                &n.time_zone,
                "an IANA time zone, like Europe/Berlin",
            )
        })?;
        let quiet = match n.quiet_hours.trim() {
            "" => None,
            text => Some(QuietHours::parse(text, zone).map_err(|e| err("quiet_hours", text, &e))?),
        };
        Ok(Rules {
            severity,
            sources: n.sources.clone(),
            matchers,
            is_on_call_only: n.on_call_only,
            quiet,
        })
    }
}
