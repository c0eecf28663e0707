//! GitHub's REST answers for issues, named after its description (`issue`, `issue-comment`),
//! every field optional: the API drops and adds fields between versions.

use serde::Deserialize;

/// An issue (or a pull request: those carry `pull_request` and are skipped).
#[derive(Debug, Default, Deserialize)]
pub struct Issue {
    /// Its number in the repository.
    #[serde(default)]
    pub number: Option<u64>,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub state: Option<String>,
    /// `completed`, `not_planned`, `reopened`.
    #[serde(default)]
    pub state_reason: Option<String>,
    /// Its labels.
    #[serde(default)]
    pub labels: Vec<Label>,
    /// Its assignees.
    #[serde(default)]
    pub assignees: Vec<User>,
    /// The page a browser shows.
    #[serde(default)]
    pub html_url: Option<String>,
    /// Created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// Last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
    /// Its description.
    #[serde(default)]
    pub body: Option<String>,
    /// How many comments it has.
    #[serde(default)]
    pub comments: Option<u64>,
    /// Present on pull requests.
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

/// A label: an object, or a bare name in some answers.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum Label {
    /// `{"name": "incident", ...}`.
    Object {
        /// Its name.
        #[serde(default)]
        name: Option<String>,
    },
    /// `"incident"`.
    Name(String),
}

impl Label {
    /// Its name.
    pub fn name(&self) -> Option<&str> {
        match self {
            Label::Object { name } => name.as_deref(),
            Label::Name(n) => Some(n),
        }
    }
}

/// A user.
#[derive(Debug, Default, Deserialize)]
pub struct User {
    /// Their login.
    #[serde(default)]
    pub login: Option<String>,
    /// Their name (`GET /user` only; may be null).
    #[serde(default)]
    pub name: Option<String>,
    /// Their public email (may be null).
    #[serde(default)]
    pub email: Option<String>,
}

/// A comment on an issue.
#[derive(Debug, Default, Deserialize)]
pub struct Comment {
    /// Its text (Markdown).
    #[serde(default)]
    pub body: Option<String>,
    /// Who wrote it.
    #[serde(default)]
    pub user: Option<User>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}
