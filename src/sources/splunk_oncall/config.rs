//! The keys of a Splunk On-Call (VictorOps) source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;

/// Where the API lives unless `url` says otherwise.
pub const DEFAULT_URL: &str = "https://api.victorops.com";

/// A Splunk On-Call source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The API id (`X-VO-Api-Id`); the key comes from `token_env`/`token_command`/`token_file`.
    #[serde(default)]
    pub api_id: Option<String>,
    /// The user name actions are made as (a member of the organisation).
    #[serde(default)]
    pub user: Option<String>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        let blank = |v: &Option<String>| v.as_deref().is_none_or(|v| v.trim().is_empty());
        if blank(&settings.api_id) {
            problems.push(Problem::new(
                "api_id",
                "",
                "this source needs api_id = \"…\" (Integrations → API in Splunk On-Call)",
            ));
        }
        if blank(&settings.user) {
            problems.push(Problem::new(
                "user",
                "",
                "this source needs user = \"…\", the user name actions are made as",
            ));
        }
        read::unless(problems, settings)
    }
}
