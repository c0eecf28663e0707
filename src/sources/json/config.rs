//! The keys of a generic JSON source: the request, where the list is (a JSON pointer), which
//! pointer gives each field, how severities and statuses read, how pages follow, and the
//! HTTP templates of its actions. Every pointer and map is checked at load; a problem names
//! the key and the value.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::model::{Severity, Status};
use crate::sources::backend::BackendSettings;

/// Items listed unless `max_items` says otherwise.
pub const DEFAULT_MAX_ITEMS: usize = 20_000;

/// Pages followed at most in one poll.
pub const MOST_PAGES: usize = 200;

/// The actions a JSON source can be given, by the name of their table.
pub const ACTIONS: [&str; 4] = ["acknowledge", "unacknowledge", "resolve", "note"];

/// A JSON source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The header the token goes in (`X-API-Key`); by default `Authorization: Bearer`, or
    /// basic auth with `username`.
    #[serde(default)]
    pub token_header: Option<String>,
    /// `GET` (default) or `POST`.
    #[serde(default)]
    pub method: Option<String>,
    /// The request body (POST), sent as JSON.
    #[serde(default)]
    pub body: Option<String>,
    /// A JSON pointer to the list of items in the answer (`""`: the answer is the list).
    #[serde(default)]
    pub items: String,
    /// Which pointer gives which field.
    #[serde(default)]
    pub fields: Fields,
    /// Values of the severity field → onduty's severity.
    #[serde(default)]
    pub severity_map: BTreeMap<String, String>,
    /// Values of the status field → onduty's status.
    #[serde(default)]
    pub status_map: BTreeMap<String, String>,
    /// How to get the next page, when there is one.
    #[serde(default)]
    pub paging: Option<Paging>,
    /// Most items listed (default 20,000); more is an error, never a cut.
    #[serde(default)]
    pub max_items: Option<usize>,
    /// HTTP templates of actions, by action (`[source.actions.acknowledge]`).
    #[serde(default)]
    pub actions: BTreeMap<String, HttpAction>,
}

/// The pointers of an item's fields.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fields {
    /// Its id (required).
    #[serde(default)]
    pub id: Option<String>,
    /// Its title (required).
    #[serde(default)]
    pub title: Option<String>,
    /// Its severity, read through `severity_map` (else by its own name).
    #[serde(default)]
    pub severity: Option<String>,
    /// Its status, read through `status_map` (else by its own name).
    #[serde(default)]
    pub status: Option<String>,
    /// Who acknowledged it.
    #[serde(default)]
    pub acked_by: Option<String>,
    /// When it started: RFC 3339, `YYYY-MM-DD HH:MM:SS` (UTC), or Unix seconds or ms.
    #[serde(default)]
    pub started_at: Option<String>,
    /// The service it concerns.
    #[serde(default)]
    pub service: Option<String>,
    /// Labels: name → pointer.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Annotations: name → pointer.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// Links: label → URL template (`{id}`).
    #[serde(default)]
    pub links: BTreeMap<String, String>,
}

/// The next page: a link in the answer, or a page or offset parameter.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Paging {
    /// A pointer to the next page's URL (or path) in the answer; absent or empty: the end.
    #[serde(default)]
    pub next: Option<String>,
    /// A query parameter counting pages from 1 (`page`).
    #[serde(default)]
    pub page_param: Option<String>,
    /// A query parameter counting items from 0 (`offset`).
    #[serde(default)]
    pub offset_param: Option<String>,
    /// The page-size parameter (`limit`, `page-size`), sent with `size`.
    #[serde(default)]
    pub size_param: Option<String>,
    /// Items a page; a shorter page is the last (default 100).
    #[serde(default)]
    pub size: Option<usize>,
}

/// One action as an HTTP request; `{id}` in the URL (a path segment) and the body (a JSON
/// string's content) is the item's id, `{text}` in the body the note or comment.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HttpAction {
    /// The method (default POST).
    #[serde(default)]
    pub method: Option<String>,
    /// The URL (or a path on the source's URL's host).
    #[serde(default)]
    pub url: String,
    /// The body, sent as JSON.
    #[serde(default)]
    pub body: Option<String>,
}

/// Whether `p` is a JSON pointer (RFC 6901): empty, or starting with `/`.
fn is_pointer(p: &str) -> bool {
    p.is_empty() || p.starts_with('/')
}

fn pointer_problem(key: &str, p: &str, problems: &mut Vec<Problem>) {
    if !is_pointer(p) {
        problems.push(Problem::new(
            key,
            p,
            format!("a JSON pointer starts with / (\"/{p}\"), or is empty for the whole item"),
        ));
    }
}

fn method_problem(key: &str, m: Option<&str>, problems: &mut Vec<Problem>) {
    if let Some(m) = m
        && !["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&m.to_ascii_uppercase().as_str())
    {
        problems.push(Problem::new(key, m, "GET, POST, PUT, PATCH or DELETE"));
    }
}

fn body_problem(key: &str, body: Option<&str>, problems: &mut Vec<Problem>) {
    // Checked with the placeholders as they will be filled: a string's content.
    let filled = body.map(|b| b.replace("{id}", "0").replace("{text}", "0"));
    if let Some(b) = filled
        && serde_json::from_str::<serde_json::Value>(&b).is_err()
    {
        problems.push(Problem::new(key, &b, "is not JSON"));
    }
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        if source.url.as_deref().is_none_or(|u| u.trim().is_empty()) {
            problems.push(Problem::new(
                "url",
                "",
                "a JSON source needs url = \"https://…\"",
            ));
        }
        method_problem("method", settings.method.as_deref(), &mut problems);
        if let Some(h) = &settings.token_header
            && reqwest::header::HeaderName::from_bytes(h.as_bytes()).is_err()
        {
            problems.push(Problem::new("token_header", h, "is no header name"));
        }
        body_problem("body", settings.body.as_deref(), &mut problems);
        pointer_problem("items", &settings.items, &mut problems);
        let f = &settings.fields;
        for (key, required) in [("fields.id", &f.id), ("fields.title", &f.title)] {
            match required {
                None => problems.push(Problem::new(
                    key,
                    "",
                    "required: a JSON pointer into each item",
                )),
                Some(p) => pointer_problem(key, p, &mut problems),
            }
        }
        for (key, p) in [
            ("fields.severity", &f.severity),
            ("fields.status", &f.status),
            ("fields.acked_by", &f.acked_by),
            ("fields.started_at", &f.started_at),
            ("fields.service", &f.service),
        ] {
            if let Some(p) = p {
                pointer_problem(key, p, &mut problems);
            }
        }
        for (name, p) in &f.labels {
            pointer_problem(&format!("fields.labels.{name}"), p, &mut problems);
        }
        for (name, p) in &f.annotations {
            pointer_problem(&format!("fields.annotations.{name}"), p, &mut problems);
        }
        for (value, to) in &settings.severity_map {
            if Severity::parse(to).is_none() {
                problems.push(Problem::new(
                    format!("severity_map.\"{value}\""),
                    to,
                    "critical, error, warning, info or unknown",
                ));
            }
        }
        for (value, to) in &settings.status_map {
            if Status::parse(to).is_none() {
                problems.push(Problem::new(
                    format!("status_map.\"{value}\""),
                    to,
                    "firing, acked, silenced or resolved",
                ));
            }
        }
        if let Some(p) = &settings.paging {
            let ways = [&p.next, &p.page_param, &p.offset_param]
                .iter()
                .filter(|w| w.is_some())
                .count();
            if ways != 1 {
                problems.push(Problem::new(
                    "paging",
                    "",
                    "one of next (a pointer to the next link), page_param or offset_param",
                ));
            }
            if let Some(n) = &p.next {
                pointer_problem("paging.next", n, &mut problems);
            }
            if p.size == Some(0) {
                problems.push(Problem::new("paging.size", "0", "must be at least 1"));
            }
        }
        if settings.max_items == Some(0) {
            problems.push(Problem::new("max_items", "0", "must be at least 1"));
        }
        for (name, action) in &settings.actions {
            let key = format!("actions.{name}");
            if !ACTIONS.contains(&name.as_str()) {
                problems.push(Problem::new(
                    &key,
                    name,
                    format!("no such action; one of {}", ACTIONS.join(", ")),
                ));
            }
            if action.url.trim().is_empty() {
                problems.push(Problem::new(
                    format!("{key}.url"),
                    "",
                    "the URL (or path) to call",
                ));
            }
            method_problem(
                &format!("{key}.method"),
                action.method.as_deref(),
                &mut problems,
            );
            body_problem(
                &format!("{key}.body"),
                action.body.as_deref(),
                &mut problems,
            );
        }
        read::unless(problems, settings)
    }
}
