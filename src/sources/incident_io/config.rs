//! The keys of an incident.io source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;

/// Where the API lives unless `url` says otherwise.
pub const DEFAULT_URL: &str = "https://api.incident.io";

/// Firing alerts listed unless `max_alerts` says otherwise.
pub const DEFAULT_MAX_ALERTS: usize = 2_000;

/// Live incidents listed unless `max_incidents` says otherwise.
pub const DEFAULT_MAX_INCIDENTS: usize = 500;

/// An incident.io source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Only alerts of this alert source (its id).
    #[serde(default)]
    pub alert_source: Option<String>,
    /// Most firing alerts listed (default 2,000); more is an error, never a cut.
    #[serde(default)]
    pub max_alerts: Option<usize>,
    /// Most live incidents listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_incidents: Option<usize>,
    /// Whether a change made from here is announced in the incident's Slack channel
    /// (default true).
    #[serde(default)]
    pub notify_channel: Option<bool>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        if settings.max_alerts == Some(0) {
            problems.push(Problem::new("max_alerts", "0", "must be at least 1"));
        }
        if settings.max_incidents == Some(0) {
            problems.push(Problem::new("max_incidents", "0", "must be at least 1"));
        }
        read::unless(problems, settings)
    }
}
