//! The keys of a ServiceNow source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::ticketing;

/// A ServiceNow source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The table (default `incident`).
    #[serde(default)]
    pub table: Option<String>,
    /// The encoded query of the records to show (default: active ones).
    #[serde(default)]
    pub query: Option<String>,
    /// Most records listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_tickets: Option<usize>,
    /// The close code a resolve writes (default `Solution provided`).
    #[serde(default)]
    pub close_code: Option<String>,
    /// Where notes go, `work_notes` (default) or `comments` (seen by the caller).
    #[serde(default)]
    pub note_field: Option<String>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems: Vec<Problem> = Vec::new();
        problems.extend(source.require_url("https://acme.service-now.com"));
        if let Some(f) = settings
            .note_field
            .as_deref()
            .filter(|f| !matches!(*f, "work_notes" | "comments"))
        {
            problems.push(Problem::new("note_field", f, "use work_notes or comments"));
        }
        problems.extend(ticketing::max_tickets_problem(settings.max_tickets));
        read::unless(problems, settings)
    }
}
