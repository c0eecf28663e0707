//! The keys of a Jira source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::ticketing;

/// Which Jira: the cloud service or a server of your own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JiraDeployment {
    /// Jira Cloud (`*.atlassian.net`): REST API v3, `search/jql` with `nextPageToken`,
    /// Atlassian Document Format; email + API token.
    #[default]
    Cloud,
    /// Jira Data Center or Server: REST API v2, `search` with `startAt`, wiki text;
    /// a personal access token.
    Datacenter,
}

/// A Jira source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// Cloud or Data Center/Server.
    #[serde(default)]
    pub deployment: JiraDeployment,
    /// The tickets to show (default: labelled `label`, not done).
    #[serde(default)]
    pub jql: Option<String>,
    /// The project new tickets go to (its key, `OPS`).
    #[serde(default)]
    pub project: Option<String>,
    /// The issue type of new tickets (default `Task`).
    #[serde(default)]
    pub issue_type: Option<String>,
    /// The label of incident tickets: listed, and put on new ones.
    #[serde(default)]
    pub label: Option<String>,
    /// Most tickets listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_tickets: Option<usize>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> = Vec::new();
        problems.extend(source.require_url("https://acme.atlassian.net"));
        let has_token = source.token_env.is_some()
            || source.token_command.is_some()
            || source.token_file.is_some();
        if settings.deployment == JiraDeployment::Cloud && source.username.is_none() && has_token {
            problems.push(Problem::new(
                "username",
                "",
                "Jira Cloud takes the account's email with its API token: username = \
                 \"you@example.com\" (or deployment = \"datacenter\" for a personal access token)",
            ));
        }
        problems.extend(ticketing::max_tickets_problem(settings.max_tickets));
        read::unless(problems, settings)
    }
}
