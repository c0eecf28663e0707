//! Jira's answers as they arrive, named after the spec (`SearchAndReconcileResults`,
//! `SearchResults`, `IssueBean`, `Transitions`, `CreatedIssue`). Every field is optional: an
//! issue's `fields` stays a JSON map, read field by field in `map`, so one odd custom field
//! cannot fail a whole listing.

use serde::Deserialize;
use serde_json::{Map, Value};

/// A page of `GET /rest/api/3/search/jql` (Cloud: `nextPageToken`, `isLast`) or of
/// `GET /rest/api/2/search` (Data Center: `startAt`, `maxResults`, `total`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchPage {
    /// The issues of this page.
    #[serde(default)]
    pub issues: Vec<IssueBean>,
    /// Cloud: the next page's token; absent on the last page.
    #[serde(default)]
    pub next_page_token: Option<String>,
    /// Cloud: whether this is the last page.
    #[serde(default)]
    pub is_last: Option<bool>,
    /// Data Center: how many match in all.
    #[serde(default)]
    pub total: Option<u64>,
}

/// One issue.
#[derive(Debug, Default, Deserialize)]
pub struct IssueBean {
    /// Its numeric id.
    #[serde(default)]
    pub id: Option<String>,
    /// Its key (`OPS-123`).
    #[serde(default)]
    pub key: Option<String>,
    /// The fields asked for.
    #[serde(default)]
    pub fields: Map<String, Value>,
}

/// `GET /issue/{key}/transitions`.
#[derive(Debug, Default, Deserialize)]
pub struct Transitions {
    /// The transitions open from the current status.
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

/// One transition.
#[derive(Debug, Default, Deserialize)]
pub struct Transition {
    /// Its id, what a transition request names.
    #[serde(default)]
    pub id: Option<String>,
    /// Its name ("Start progress").
    #[serde(default)]
    pub name: Option<String>,
    /// The status it leads to.
    #[serde(default)]
    pub to: Option<Value>,
}

/// `GET /issue/{key}/comment`: one page of comments.
#[derive(Debug, Default, Deserialize)]
pub struct PageOfComments {
    /// The comments.
    #[serde(default)]
    pub comments: Vec<Value>,
}

/// `POST /issue`: the issue made.
#[derive(Debug, Default, Deserialize)]
pub struct CreatedIssue {
    /// Its key.
    #[serde(default)]
    pub key: Option<String>,
}

/// `GET /rest/api/{3,2}/myself`: the token's user (Cloud hides the email by privacy
/// setting; Data Center names a login).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Myself {
    /// The name shown.
    #[serde(default)]
    pub display_name: Option<String>,
    /// The email, where shown.
    #[serde(default)]
    pub email_address: Option<String>,
    /// The login (Data Center).
    #[serde(default)]
    pub name: Option<String>,
}
