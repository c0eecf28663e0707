//! The keys of an Opsgenie source and of a JSM Operations source beyond the shared ones, and
//! their checks. The two share the search (`query`, `teams`, `responders`); Opsgenie adds its
//! `region`, JSM the site's `cloud_id` and the API base.

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;
use crate::sources::region::Region;

/// The alerts listed unless `query` says otherwise.
pub const DEFAULT_QUERY: &str = "status: open";

/// Where JSM Operations' API lives: `{cloud_id}` is the site's.
pub const JSM_API: &str = "https://api.atlassian.com/jsm/ops/api/{cloud_id}";

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
    /// Only the alerts of these teams.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Only the alerts these users, teams, escalations or schedules respond to.
    #[serde(default)]
    pub responders: Vec<String>,
}

/// A JSM Operations source's own keys (`url` is the site, `https://acme.atlassian.net`;
/// `username` the Atlassian account's email).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JsmSettings {
    /// The alerts listed, in the search query language (default: open ones).
    #[serde(default)]
    pub query: Option<String>,
    /// Only the alerts of these teams.
    #[serde(default)]
    pub teams: Vec<String>,
    /// Only the alerts these users, teams, escalations or schedules respond to.
    #[serde(default)]
    pub responders: Vec<String>,
    /// The site's cloud id; found from the site (`/_edge/tenant_info`) when left out.
    #[serde(default)]
    pub cloud_id: Option<String>,
    /// The API base, `{cloud_id}` replaced (default `JSM_API`).
    #[serde(default)]
    pub api_url: Option<String>,
}

impl Settings {
    /// The search sent: `query` narrowed by the teams and responders.
    pub fn search(&self) -> String {
        search(self.query.as_deref(), &self.teams, &self.responders)
    }
}

impl JsmSettings {
    /// The search sent: `query` narrowed by the teams and responders.
    pub fn search(&self) -> String {
        search(self.query.as_deref(), &self.teams, &self.responders)
    }
}

/// What `onduty check` advises about an Opsgenie source (after the day its API is off, which
/// it says of every back end with a sunset): the same source written for JSM Operations, its
/// search kept, site, email and token to fill in.
pub fn to_jsm(source: &SourceConfig) -> Option<String> {
    let settings = Settings::read(source).ok()?;
    let list = |names: &[String]| {
        let quoted: Vec<String> = names.iter().map(|n| format!("{n:?}")).collect();
        format!("[{}]", quoted.join(", "))
    };
    let mut jsm = vec![
        "[[source]]".to_string(),
        format!("name = {:?}", source.name),
        "kind = \"jsm_ops\"".to_string(),
        "url = \"https://YOUR-SITE.atlassian.net\"       # your Jira site".to_string(),
        "username = \"you@example.com\"                  # your Atlassian account".to_string(),
        "token_env = \"JSM_API_TOKEN\"                   # an Atlassian API token".to_string(),
    ];
    if let Some(q) = &settings.query {
        jsm.push(format!("query = {q:?}"));
    }
    if !settings.teams.is_empty() {
        jsm.push(format!("teams = {}", list(&settings.teams)));
    }
    if !settings.responders.is_empty() {
        jsm.push(format!("responders = {}", list(&settings.responders)));
    }
    let indented: Vec<String> = jsm.iter().map(|l| format!("    {l}")).collect();
    Some(format!(
        "{}: the same source on JSM Operations (README: \"From Opsgenie to JSM \
         Operations\"):\n{}",
        source.name,
        indented.join("\n")
    ))
}

/// Whether `id` can be a cloud id: letters, digits and dashes (a UUID).
pub fn is_cloud_id(id: &str) -> bool {
    !id.is_empty() && id.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// `query` (or the open alerts) AND one of `teams` AND one of `responders`.
fn search(query: Option<&str>, teams: &[String], responders: &[String]) -> String {
    let mut parts = vec![query.unwrap_or(DEFAULT_QUERY).trim().to_string()];
    for (field, names) in [("teams", teams), ("responders", responders)] {
        if !names.is_empty() {
            let any: Vec<String> = names
                .iter()
                .map(|n| format!("{field}: \"{}\"", n.replace('"', "")))
                .collect();
            parts.push(format!("({})", any.join(" OR ")));
        }
    }
    if parts.len() == 1 {
        return parts.remove(0);
    }
    parts
        .iter()
        .map(|p| match p.starts_with('(') {
            true => p.clone(),
            false => format!("({p})"),
        })
        .collect::<Vec<_>>()
        .join(" AND ")
}

/// The problems both kinds share: an empty query, empty names.
fn search_problems(query: Option<&str>, teams: &[String], responders: &[String]) -> Vec<Problem> {
    let mut problems = Vec::new();
    if query.is_some_and(|q| q.trim().is_empty()) {
        problems.push(Problem::new(
            "query",
            "",
            "leave query out for the open alerts, or write one (status: open AND priority: P1)",
        ));
    }
    for (key, names) in [("teams", teams), ("responders", responders)] {
        if names.iter().any(|n| n.trim().is_empty()) {
            problems.push(Problem::new(key, "", "a name cannot be empty"));
        }
    }
    problems
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let problems = search_problems(
            settings.query.as_deref(),
            &settings.teams,
            &settings.responders,
        );
        read::unless(problems, settings)
    }
}

impl BackendSettings for JsmSettings {
    fn read(source: &SourceConfig) -> Result<JsmSettings, Vec<Problem>> {
        let settings: JsmSettings = source.settings()?;
        let mut problems = search_problems(
            settings.query.as_deref(),
            &settings.teams,
            &settings.responders,
        );
        let needs_site = settings.cloud_id.is_none()
            && settings
                .api_url
                .as_deref()
                .is_none_or(|u| u.contains("{cloud_id}"));
        if needs_site {
            problems.extend(source.require_url("https://acme.atlassian.net"));
        }
        if source.username.is_none() {
            problems.push(Problem::new(
                "username",
                "",
                "JSM Operations takes an Atlassian account's email as username and its API \
                 token (token_env, token_command or token_file)",
            ));
        }
        if let Some(id) = settings.cloud_id.as_deref().filter(|id| !is_cloud_id(id)) {
            problems.push(Problem::new(
                "cloud_id",
                id,
                "a cloud id is letters, digits and dashes",
            ));
        }
        read::unless(problems, settings)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn teams_and_responders_narrow_the_query() {
        let s = Settings {
            teams: vec!["SRE".into(), "Pay\"ments".into()],
            responders: vec!["ana@example.com".into()],
            ..Settings::default()
        };
        assert_eq!(
            s.search(),
            "(status: open) AND (teams: \"SRE\" OR teams: \"Payments\") AND \
             (responders: \"ana@example.com\")"
        );
        assert_eq!(Settings::default().search(), DEFAULT_QUERY);
    }
}
