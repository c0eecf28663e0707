//! Opsgenie's Alert API v2 answers as onduty reads them (the fields it uses; the rest is
//! ignored). Every field may be missing: a half-filled alert is shown with what it has.

use chrono::{DateTime, Utc};
use serde::Deserialize;

/// `GET /v2/alerts`: one page.
#[derive(Debug, Default, Deserialize)]
pub struct AlertPage {
    /// The alerts of the page.
    #[serde(default)]
    pub data: Vec<Alert>,
}

/// One alert as listed.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Alert {
    /// Its id.
    pub id: String,
    /// Its short number (`#1791`).
    #[serde(default)]
    pub tiny_id: Option<String>,
    /// The key alerts are deduplicated by.
    #[serde(default)]
    pub alias: Option<String>,
    /// What it says.
    #[serde(default)]
    pub message: Option<String>,
    /// `open` or `closed`.
    #[serde(default)]
    pub status: Option<String>,
    /// Whether someone acknowledged it.
    #[serde(default)]
    pub acknowledged: bool,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Whether it is snoozed, and until when.
    #[serde(default)]
    pub snoozed: bool,
    /// Until when it is snoozed.
    #[serde(default)]
    pub snoozed_until: Option<DateTime<Utc>>,
    /// How many times it occurred (deduplicated).
    #[serde(default)]
    pub count: Option<i64>,
    /// When it last occurred.
    #[serde(default)]
    pub last_occurred_at: Option<DateTime<Utc>>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<DateTime<Utc>>,
    /// Where it came from.
    #[serde(default)]
    pub source: Option<String>,
    /// Who owns it.
    #[serde(default)]
    pub owner: Option<String>,
    /// `P1` (worst) to `P5`.
    #[serde(default)]
    pub priority: Option<String>,
    /// The integration that created it.
    #[serde(default)]
    pub integration: Option<Integration>,
    /// Who acked or closed it, and after how long.
    #[serde(default)]
    pub report: Option<Report>,
}

/// The integration that created an alert.
#[derive(Debug, Default, Deserialize)]
pub struct Integration {
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
}

/// Who acknowledged or closed an alert.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// Milliseconds from creation to the ack.
    #[serde(default)]
    pub ack_time: Option<i64>,
    /// Who acknowledged it.
    #[serde(default)]
    pub acknowledged_by: Option<String>,
}
