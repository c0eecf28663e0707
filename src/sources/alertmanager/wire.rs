//! Alertmanager API v2 wire types, named after the spec (`gettableAlert`, `postableSilence`).
//! Tolerant: every field has a default and unknown fields are ignored, because servers add
//! fields without a version bump and older servers omit newer ones.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use crate::model::borrowed::{Pairs, Str};

/// `gettableAlert`, borrowing its strings from the answer where they have no escapes.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableAlert<'a> {
    #[serde(borrow)]
    pub labels: Pairs<'a>,
    #[serde(borrow)]
    pub annotations: Pairs<'a>,
    pub starts_at: Option<DateTime<Utc>>,
    pub updated_at: Option<DateTime<Utc>>,
    // endsAt is not read: a firing alert's endsAt is only the server's resolve timeout.
    #[serde(borrow)]
    pub fingerprint: Str<'a>,
    #[serde(borrow)]
    pub receivers: Vec<Receiver<'a>>,
    pub status: AlertStatus,
    #[serde(rename = "generatorURL", borrow)]
    pub generator_url: Option<Str<'a>>,
}

/// `receiver`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct Receiver<'a> {
    #[serde(borrow)]
    pub name: Str<'a>,
}

/// `alertStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AlertStatus {
    pub state: String,
    pub silenced_by: Vec<String>,
    pub inhibited_by: Vec<String>,
    pub muted_by: Vec<String>,
}

/// `gettableSilence`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct GettableSilence {
    pub id: String,
    pub status: SilenceStatus,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub created_by: String,
    pub comment: String,
}

/// `silenceStatus`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct SilenceStatus {
    pub state: String,
}

/// `matcher`.
#[derive(Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WireMatcher {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub value: String,
    #[serde(default)]
    pub is_regex: bool,
    #[serde(default = "yes")]
    pub is_equal: bool,
}

fn yes() -> bool {
    true
}

/// `postableSilence`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PostableSilence {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    pub matchers: Vec<WireMatcher>,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub created_by: String,
    pub comment: String,
}

/// The answer to `POST /silences`.
#[derive(Debug, Deserialize)]
pub struct SilenceCreated {
    #[serde(rename = "silenceID")]
    pub silence_id: String,
}

/// `alertmanagerStatus`, the parts onduty reads: when it started, and its loaded config.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct AlertmanagerStatus {
    /// When this Alertmanager process started (the spec calls it `uptime`).
    pub uptime: Option<DateTime<Utc>>,
    pub config: StatusConfig,
}

/// `alertmanagerConfig`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct StatusConfig {
    /// The YAML it runs on, defaults filled in.
    pub original: String,
}
