//! The keys of an Alertmanager source beyond the shared ones, and their checks.

use std::collections::BTreeMap;
use std::time::Duration;

use serde::Deserialize;

use crate::config::read::{self, Problem, opt_duration};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;

/// An Alertmanager source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Only alerts routed to receivers matching this regex.
    #[serde(default)]
    pub receiver: Option<String>,
    /// Only alerts matching these matchers (`team="payments"`).
    #[serde(default)]
    pub filter: Vec<String>,
    /// The label that holds the severity.
    #[serde(default)]
    pub severity_label: Option<String>,
    /// Label values mapped to severities (`P1 = "critical"`).
    #[serde(default)]
    pub severity_map: BTreeMap<String, String>,
    /// How long an ack silence lasts before onduty extends it while the alert fires.
    #[serde(default, deserialize_with = "opt_duration")]
    pub ack_window: Option<Duration>,
    /// How long after an Alertmanager restarts an action on an alert it does not hold yet is
    /// retried (its senders re-send firing alerts); default: two of its `resolve_timeout`s.
    #[serde(default, deserialize_with = "opt_duration")]
    pub retry_for: Option<Duration>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> =
            source.require_url("http://host:9093").into_iter().collect();
        for (i, f) in settings.filter.iter().enumerate() {
            if let Err(e) = crate::model::Matcher::parse(f) {
                problems.push(Problem::new(format!("filter[{i}]"), f, e));
            }
        }
        if let Some(r) = &settings.receiver
            && regex::Regex::new(r).is_err()
        {
            problems.push(Problem::new("receiver", r, "not a valid regex"));
        }
        problems.extend(severity_map_problems(&settings.severity_map));
        read::unless(problems, settings)
    }
}

/// The problems of a `severity_map`: each value must name a severity.
pub fn severity_map_problems(map: &BTreeMap<String, String>) -> Vec<Problem> {
    map.iter()
        .filter(|(_, v)| crate::model::Severity::parse(v).is_none())
        .map(|(k, v)| {
            Problem::new(
                format!("severity_map.{k}"),
                v,
                "use critical, error, warning or info",
            )
        })
        .collect()
}
