//! The keys of a PagerDuty source beyond the shared ones, and their checks.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::region::Region;

/// A PagerDuty source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The email of the user writes are made as (its `From` header).
    #[serde(default)]
    pub from_email: Option<String>,
    /// The service region (ignored when `url` is set).
    #[serde(default)]
    pub region: Region,
    /// Only incidents of these teams.
    #[serde(default)]
    pub team_ids: Vec<String>,
    /// Only incidents of these services.
    #[serde(default)]
    pub service_ids: Vec<String>,
    /// Only incidents assigned to these users.
    #[serde(default)]
    pub user_ids: Vec<String>,
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let problem = match settings.from_email.as_deref() {
            None => Some(Problem::new(
                "from_email",
                "",
                "PagerDuty writes need the email of a PagerDuty user: \
                 from_email = \"you@example.com\"",
            )),
            Some(e) if !is_email(e) => Some(Problem::new("from_email", e, "not an email address")),
            Some(_) => None,
        };
        read::unless(problem.into_iter().collect(), settings)
    }
}

/// A plausible email address: PagerDuty refuses a `From` that is not one (code 1028).
fn is_email(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        && !host.contains('@')
}
