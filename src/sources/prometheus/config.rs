//! The keys of a Prometheus source beyond the shared ones, and their checks.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::alertmanager::severity_map_problems;
use crate::sources::backend::BackendSettings;

/// A Prometheus source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Also list the alerts that fire (default: pending ones only, as the firing ones reach
    /// the list through Alertmanager). For a Prometheus that sends to no Alertmanager
    /// onduty reads.
    #[serde(default)]
    pub firing: bool,
    /// The label that holds the severity.
    #[serde(default)]
    pub severity_label: Option<String>,
    /// Label values mapped to severities (`P1 = "critical"`).
    #[serde(default)]
    pub severity_map: BTreeMap<String, String>,
    /// Where a person's browser reaches this Prometheus, for graph links (default: `url`).
    #[serde(default)]
    pub external_url: Option<String>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> =
            source.require_url("http://host:9090").into_iter().collect();
        problems.extend(severity_map_problems(&settings.severity_map));
        if let Some(u) = settings
            .external_url
            .as_deref()
            .filter(|u| !(u.starts_with("http://") || u.starts_with("https://")))
        {
            problems.push(Problem::new(
                "external_url",
                u,
                "must start with http:// or https://",
            ));
        }
        read::unless(problems, settings)
    }
}
