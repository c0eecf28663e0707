//! The keys of a Zendesk source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::ticketing;

/// The tickets shown unless `view` or `query` says otherwise: open work tagged `incident`.
pub const DEFAULT_QUERY: &str = "type:ticket status<solved tags:incident";

/// A Zendesk source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// `acme` for `https://acme.zendesk.com` (or set `url`).
    #[serde(default)]
    pub subdomain: Option<String>,
    /// The agent's email: with an API token, basic auth as `{email}/token`. Without it the
    /// token is an OAuth bearer token.
    #[serde(default)]
    pub email: Option<String>,
    /// A view whose tickets are shown.
    #[serde(default)]
    pub view: Option<u64>,
    /// A search query whose tickets are shown (default: open tickets tagged `incident`).
    #[serde(default)]
    pub query: Option<String>,
    /// Most tickets listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_tickets: Option<usize>,
    /// Requests a minute the account's plan allows (default 200, the smallest plan's):
    /// requests wait their turn rather than spend the account's limit.
    #[serde(default)]
    pub rate_per_minute: Option<u32>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        match (&settings.subdomain, &source.url) {
            (None, None) => problems.push(Problem::new(
                "subdomain",
                "",
                "this source needs subdomain = \"acme\" (for acme.zendesk.com), or url",
            )),
            (Some(s), _)
                if s.is_empty() || !s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
            {
                problems.push(Problem::new("subdomain", s, "letters, digits and - only"))
            }
            _ => {}
        }
        if settings.view.is_some() && settings.query.is_some() {
            problems.push(Problem::new("view", "", "a view or a query, not both"));
        }
        if let Some(e) = settings.email.as_deref().filter(|e| !e.contains('@')) {
            problems.push(Problem::new("email", e, "the agent's email address"));
        }
        if settings.rate_per_minute == Some(0) {
            problems.push(Problem::new("rate_per_minute", "0", "must be at least 1"));
        }
        problems.extend(ticketing::max_tickets_problem(settings.max_tickets));
        read::unless(problems, settings)
    }
}
