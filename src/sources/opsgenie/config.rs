//! The keys of an Opsgenie source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::region::Region;

/// An Opsgenie source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The API host's region.
    #[serde(default)]
    pub region: Region,
    /// The alerts listed, in Opsgenie's search query language (default: open ones).
    #[serde(default)]
    pub query: Option<String>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        if settings
            .query
            .as_deref()
            .is_some_and(|q| q.trim().is_empty())
        {
            problems.push(Problem::new(
                "query",
                "",
                "leave query out for the open alerts, or write one (status: open AND priority: P1)",
            ));
        }
        read::unless(problems, settings)
    }
}
