//! Opsgenie's Alert API v2 and JSM Operations' v1 answers as onduty reads them (the fields it
//! uses; the rest is ignored). The two differ in a few names (`data` and `values`,
//! `details` and `extraProperties`), read here as aliases. Every field may be missing: a
//! half-filled alert is shown with what it has.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// `GET /v2/alerts` (`data`) or `GET /v1/alerts` (`values`): one page.
#[derive(Debug, Default, Deserialize)]
pub struct AlertPage {
    /// The alerts of the page.
    #[serde(default, alias = "values")]
    pub data: Vec<Alert>,
}

/// `GET /v2/alerts/{id}`: the alert under `data`; JSM answers it bare.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum OneAlert {
    /// Opsgenie's envelope.
    Wrapped {
        /// The alert.
        data: Alert,
    },
    /// JSM's bare alert.
    Bare(Alert),
}

impl OneAlert {
    /// The alert.
    pub fn into_alert(self) -> Alert {
        match self {
            OneAlert::Wrapped { data } | OneAlert::Bare(data) => data,
        }
    }
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
    /// The integration that created it (Opsgenie).
    #[serde(default)]
    pub integration: Option<Integration>,
    /// The integration that created it (JSM).
    #[serde(default)]
    pub integration_name: Option<String>,
    /// Who was asked to respond: teams, users, escalations, schedules.
    #[serde(default)]
    pub responders: Vec<Responder>,
    /// Key–value details (runbook links, hosts); only the single-alert answer has them.
    #[serde(default, alias = "extraProperties")]
    pub details: BTreeMap<String, serde_json::Value>,
    /// What it says at length (single-alert answer).
    #[serde(default)]
    pub description: Option<String>,
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

/// One responder of an alert.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
pub struct Responder {
    /// `team`, `user`, `escalation` or `schedule`.
    #[serde(default, rename = "type")]
    pub kind: String,
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// Its name, where the answer gives it.
    #[serde(default, alias = "username")]
    pub name: Option<String>,
}

/// The answer to a write: 202 and the id to follow.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Accepted {
    /// The request's id.
    #[serde(default)]
    pub request_id: Option<String>,
}

/// `GET /v2/alerts/requests/{id}` (under `data`) or `/v1/alerts/requests/{id}` (bare).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestAnswer {
    /// Opsgenie's envelope.
    #[serde(default)]
    pub data: Option<RequestStatus>,
    /// JSM's bare answer.
    #[serde(flatten)]
    pub bare: RequestStatus,
}

impl RequestAnswer {
    /// The status, from either shape.
    pub fn into_status(self) -> RequestStatus {
        self.data.unwrap_or(self.bare)
    }
}

/// How a write went.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RequestStatus {
    /// Whether it was done.
    #[serde(default)]
    pub is_success: Option<bool>,
    /// In words ("Alert does not exist").
    #[serde(default)]
    pub status: Option<String>,
}

/// `GET …/notes` (`data` or `values`).
#[derive(Debug, Default, Deserialize)]
pub struct NotePage {
    /// The notes.
    #[serde(default, alias = "values")]
    pub data: Vec<Note>,
}

/// One note on an alert.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Note {
    /// Its text.
    #[serde(default)]
    pub note: String,
    /// Who wrote it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When.
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
}

/// `GET …/logs` (`data` or `values`).
#[derive(Debug, Default, Deserialize)]
pub struct LogPage {
    /// The entries.
    #[serde(default, alias = "values")]
    pub data: Vec<LogEntry>,
}

/// One entry of an alert's activity log.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LogEntry {
    /// What happened.
    #[serde(default)]
    pub log: String,
    /// Who did it.
    #[serde(default)]
    pub owner: Option<String>,
    /// When (Opsgenie `createdAt`, JSM `logTime`).
    #[serde(default, alias = "logTime")]
    pub created_at: Option<DateTime<Utc>>,
}

/// Who does something: `{"id"}`, `{"name"}` or `{"username"}` with its `type`.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Recipient {
    /// `user`, `team`, `escalation`, `schedule`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// Its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Its name (teams, escalations, schedules).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Its user name (users: their email).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
}

/// The body of an Opsgenie alert action: who asks, from where, a note, and the action's own
/// field. JSM takes no body for ack/unack/close and its own small ones for the rest.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionBody {
    /// Who asks (shown in the alert's log).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// `onduty`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<&'static str>,
    /// A note written with the action (or the note itself).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// Snooze until (snooze).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
    /// To whom (assign, Opsgenie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Recipient>,
    /// To which escalation (escalate, Opsgenie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation: Option<Recipient>,
    /// Who else responds (add responder, Opsgenie).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub responder: Option<Recipient>,
    /// The escalation's id (escalate, JSM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_id: Option<String>,
    /// The user's Atlassian account id (assign, JSM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_id: Option<String>,
    /// The responder's id (add responder, JSM).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// The responder's type (add responder, JSM).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
}

/// `GET /v2/escalations` or `/v1/teams/{id}/escalations` (`data` or `values`).
#[derive(Debug, Default, Deserialize)]
pub struct EscalationPage {
    /// The escalations.
    #[serde(default, alias = "values")]
    pub data: Vec<Escalation>,
}

/// An escalation: rules paged in turn while an alert is not acknowledged (or closed).
#[derive(Debug, Default, Deserialize)]
pub struct Escalation {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its rules.
    #[serde(default)]
    pub rules: Vec<EscalationRule>,
    /// How it repeats.
    #[serde(default)]
    pub repeat: Option<Repeat>,
}

/// One rule of an escalation.
#[derive(Debug, Default, Deserialize)]
pub struct EscalationRule {
    /// How long after the alert was created it pages.
    #[serde(default)]
    pub delay: Option<RuleDelay>,
    /// Whom it pages.
    #[serde(default)]
    pub recipient: Option<Responder>,
}

/// A rule's delay: Opsgenie's amount and unit, or JSM's minutes.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RuleDelay {
    /// JSM: minutes.
    Minutes(i64),
    /// Opsgenie: an amount of a unit.
    Span(Delay),
}

/// An amount of a unit.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Delay {
    /// How many units.
    #[serde(default)]
    pub time_amount: i64,
    /// `minutes` (default), `hours`, `days`, `seconds`.
    #[serde(default)]
    pub time_unit: Option<String>,
}

/// How an escalation repeats.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repeat {
    /// How many times.
    #[serde(default)]
    pub count: Option<u32>,
}

/// `GET /v2/schedules/{id}/on-calls?flat=true` (or `next-on-calls`): names, however the API
/// shapes them (strings, or objects with a `name`).
#[derive(Debug, Default, Deserialize)]
pub struct OnCallAnswer {
    /// The answer under `data` (Opsgenie) or bare (JSM).
    #[serde(default)]
    pub data: Option<serde_json::Value>,
    /// The rest of a bare answer.
    #[serde(flatten)]
    pub bare: serde_json::Map<String, serde_json::Value>,
}

impl OnCallAnswer {
    /// The names under the first of `fields` that has any.
    pub fn names(&self, fields: &[&str]) -> Vec<String> {
        let body = match &self.data {
            Some(serde_json::Value::Object(o)) => o,
            _ => &self.bare,
        };
        for field in fields {
            let Some(serde_json::Value::Array(items)) = body.get(*field) else {
                continue;
            };
            let names: Vec<String> = items
                .iter()
                .filter_map(|v| match v {
                    serde_json::Value::String(s) => Some(s.clone()),
                    serde_json::Value::Object(o) => {
                        o.get("name").and_then(|n| n.as_str()).map(str::to_string)
                    }
                    _ => None,
                })
                .collect();
            if !names.is_empty() {
                return names;
            }
        }
        Vec::new()
    }
}
