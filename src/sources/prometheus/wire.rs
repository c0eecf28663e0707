//! Prometheus HTTP API v1 answers as sent: the envelope and `/api/v1/rules`'s groups,
//! alerting rules and the alerts they hold.

use std::collections::BTreeMap;

use serde::Deserialize;

/// Every answer: `{status, data}` or `{status: "error", errorType, error}`.
#[derive(Debug, Deserialize)]
pub struct Envelope<T> {
    /// `success` or `error`.
    pub status: String,
    /// The answer.
    pub data: Option<T>,
    /// Why not, on an error.
    #[serde(default)]
    pub error: Option<String>,
}

/// `data` of `/api/v1/rules`.
#[derive(Debug, Deserialize)]
pub struct RulesData {
    /// Rule groups.
    #[serde(default)]
    pub groups: Vec<Group>,
    /// The next page, when `group_limit` was asked and more groups follow.
    #[serde(default, rename = "groupNextToken")]
    pub next: Option<String>,
}

/// A rule group.
#[derive(Debug, Deserialize)]
pub struct Group {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// The file it was read from.
    #[serde(default)]
    pub file: String,
    /// Its rules.
    #[serde(default)]
    pub rules: Vec<Rule>,
}

/// A rule (alerting or recording; only alerting rules are kept).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Rule {
    /// `alerting` or `recording`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its expression.
    #[serde(default)]
    pub query: String,
    /// Its `for`, in seconds.
    #[serde(default)]
    pub duration: f64,
    /// Its `keep_firing_for`, in seconds (newer servers).
    #[serde(default)]
    pub keep_firing_for: f64,
    /// Its labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Its alerts now.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// `ok`, `err`, `unknown`.
    #[serde(default)]
    pub health: String,
    /// Its last evaluation's error.
    #[serde(default)]
    pub last_error: String,
    /// When it was last evaluated.
    #[serde(default)]
    pub last_evaluation: Option<String>,
}

/// An alert a rule holds.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Its labels.
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    /// Its annotations.
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    /// `pending` or `firing`.
    #[serde(default)]
    pub state: String,
    /// Since when its condition holds.
    #[serde(default)]
    pub active_at: Option<String>,
    /// The expression's value (`"1e+00"`).
    #[serde(default)]
    pub value: String,
}
