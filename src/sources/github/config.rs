//! The keys of a GitHub issues source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::ticketing;

/// A GitHub issues source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The repositories (`owner/name`); new issues go to the first.
    #[serde(default)]
    pub repos: Vec<String>,
    /// The label of incident issues: listed, and put on new ones.
    #[serde(default)]
    pub label: Option<String>,
    /// Most issues listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_tickets: Option<usize>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> = Vec::new();
        if settings.repos.is_empty() {
            problems.push(Problem::new(
                "repos",
                "",
                "a github source needs repos = [\"owner/name\"]",
            ));
        }
        for (i, r) in settings.repos.iter().enumerate() {
            if !is_repository(r) {
                problems.push(Problem::new(
                    format!("repos[{i}]"),
                    r,
                    "write a repository as owner/name",
                ));
            }
        }
        problems.extend(ticketing::max_tickets_problem(settings.max_tickets));
        read::unless(problems, settings)
    }
}

/// `owner/name`, each part letters, digits, '-', '_' or '.'.
fn is_repository(r: &str) -> bool {
    let parts: Vec<&str> = r.split('/').collect();
    parts.len() == 2
        && parts.iter().all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        })
}
