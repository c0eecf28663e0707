//! The keys of a Grafana OnCall / IRM source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;

/// Alert groups listed unless `max_alert_groups` says otherwise.
pub const DEFAULT_MAX_ALERT_GROUPS: usize = 2_000;

/// A Grafana OnCall source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The Grafana stack's URL, sent as `X-Grafana-URL` with a `glsa_` service-account
    /// token (not needed with an OnCall API key).
    #[serde(default)]
    pub grafana_url: Option<String>,
    /// Only alert groups of this team (its id; `null` for groups of no team).
    #[serde(default)]
    pub team_id: Option<String>,
    /// Only alert groups of this integration (its id).
    #[serde(default)]
    pub integration_id: Option<String>,
    /// Only alert groups with every one of these labels, `key:value`.
    #[serde(default)]
    pub labels: Vec<String>,
    /// Most open alert groups listed (default 2,000); more is an error that says to narrow
    /// the filters, never a shorter list.
    #[serde(default)]
    pub max_alert_groups: Option<usize>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> = source
            .require_url("https://oncall-prod-eu-west-0.grafana.net/oncall")
            .into_iter()
            .collect();
        for (i, l) in settings.labels.iter().enumerate() {
            if l.split(':').count() != 2 || l.starts_with(':') || l.ends_with(':') {
                problems.push(Problem::new(
                    format!("labels[{i}]"),
                    l,
                    "write key:value (one colon)",
                ));
            }
        }
        if let Some(u) = settings
            .grafana_url
            .as_deref()
            .filter(|u| !(u.starts_with("https://") || u.starts_with("http://")))
        {
            problems.push(Problem::new("grafana_url", u, "must start with https://"));
        }
        if settings.max_alert_groups == Some(0) {
            problems.push(Problem::new("max_alert_groups", "0", "must be at least 1"));
        }
        read::unless(problems, settings)
    }
}
