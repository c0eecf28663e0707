//! incident.io API v2 answers as its own description writes them
//! (`../shared/specs/incident-io.openapi.json`): alerts and the cursor of a page.

use serde::Deserialize;

/// `GET /v2/alerts`.
#[derive(Debug, Deserialize)]
pub struct AlertsPage {
    /// The alerts.
    #[serde(default)]
    pub alerts: Vec<Alert>,
    /// Where the next page starts.
    #[serde(default)]
    pub pagination_meta: Option<PaginationMeta>,
}

/// The cursor.
#[derive(Debug, Deserialize)]
pub struct PaginationMeta {
    /// Pass as `after` for the next page; absent on the last.
    #[serde(default)]
    pub after: Option<String>,
}

/// An alert (`AlertV2`).
#[derive(Debug, Deserialize)]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// Its title.
    #[serde(default)]
    pub title: String,
    /// `firing` or `resolved`.
    #[serde(default)]
    pub status: String,
    /// Its description.
    #[serde(default)]
    pub description: Option<String>,
    /// What deduplicates it.
    #[serde(default)]
    pub deduplication_key: Option<String>,
    /// Its alert source.
    #[serde(default)]
    pub alert_source_id: Option<String>,
    /// Where it came from.
    #[serde(default)]
    pub source_url: Option<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it was last updated.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `GET /v2/alerts/{id}` and the resolve action's answer.
#[derive(Debug, Deserialize)]
pub struct OneAlert {
    /// The alert.
    pub alert: Alert,
}
