//! PagerDuty REST API v2 JSON as it arrives: tolerant of missing fields, unknown enum values
//! ("more status codes may be introduced") and odd timestamps. Nothing here is trusted or
//! shown before `map` sanitizes it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer, Serialize};

/// A reference to another object (`{id, type, summary}`).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Reference {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// A short human description (the name, for users and services).
    #[serde(default)]
    pub summary: Option<String>,
    /// Some objects carry a name beside the summary (priorities).
    #[serde(default)]
    pub name: Option<String>,
    /// Users included with `include[]=users` carry their email.
    #[serde(default)]
    pub email: Option<String>,
}

impl Reference {
    /// Its name for a person: name, else summary, else id.
    pub fn label(&self) -> &str {
        self.name
            .as_deref()
            .or(self.summary.as_deref())
            .unwrap_or(&self.id)
    }
}

/// An incident's status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IncidentStatus {
    /// Paging.
    Triggered,
    /// Someone took it.
    Acknowledged,
    /// Over.
    Resolved,
    /// A status this version does not know.
    #[serde(other)]
    Unknown,
}

/// One assignment: who is paged, since when.
#[derive(Clone, Debug, Deserialize)]
pub struct Assignment {
    /// When it was made.
    #[serde(default, deserialize_with = "lenient_time")]
    pub at: Option<DateTime<Utc>>,
    /// The user.
    #[serde(default)]
    pub assignee: Reference,
}

/// One acknowledgement.
#[derive(Clone, Debug, Deserialize)]
pub struct Acknowledgement {
    /// When.
    #[serde(default, deserialize_with = "lenient_time")]
    pub at: Option<DateTime<Utc>>,
    /// Who.
    #[serde(default)]
    pub acknowledger: Reference,
}

/// An incident, as `GET /incidents` lists it.
#[derive(Clone, Debug, Deserialize)]
pub struct Incident {
    /// Its id (`PT4KHLK`).
    pub id: String,
    /// Its number in the account.
    #[serde(default)]
    pub incident_number: Option<u64>,
    /// Its title.
    #[serde(default)]
    pub title: Option<String>,
    /// Its summary (the title, decorated).
    #[serde(default)]
    pub summary: Option<String>,
    /// Where it stands.
    pub status: IncidentStatus,
    /// `high` or `low`.
    #[serde(default)]
    pub urgency: Option<String>,
    /// Its priority, on plans that have them.
    #[serde(default)]
    pub priority: Option<Reference>,
    /// When it was opened.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// When it last changed.
    #[serde(default, deserialize_with = "lenient_time")]
    pub updated_at: Option<DateTime<Utc>>,
    /// Its de-duplication key.
    #[serde(default)]
    pub incident_key: Option<String>,
    /// The service it belongs to.
    #[serde(default)]
    pub service: Option<Reference>,
    /// The policy that pages for it.
    #[serde(default)]
    pub escalation_policy: Option<Reference>,
    /// Its teams.
    #[serde(default)]
    pub teams: Vec<Reference>,
    /// Who is paged now (empty once resolved).
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Who acknowledged (empty unless acknowledged).
    #[serde(default)]
    pub acknowledgements: Vec<Acknowledgement>,
    /// `escalation_policy` or `direct_assignment` (direct ones never escalate).
    #[serde(default)]
    pub assigned_via: Option<String>,
    /// Its page in the web UI.
    #[serde(default)]
    pub html_url: Option<String>,
}

/// One page of a classic (offset) list; `items` is the list under its own name.
#[derive(Debug, Deserialize)]
pub struct Page<T> {
    /// The items of this page.
    #[serde(
        alias = "incidents",
        alias = "escalation_policies",
        alias = "oncalls",
        alias = "log_entries",
        alias = "alerts",
        alias = "users"
    )]
    pub items: Vec<T>,
    /// Whether more pages follow.
    #[serde(default)]
    pub more: Option<bool>,
}

/// One rule (level) of an escalation policy.
#[derive(Clone, Debug, Deserialize)]
pub struct EscalationRule {
    /// Minutes before the next rule is paged.
    #[serde(default)]
    pub escalation_delay_in_minutes: Option<u32>,
    /// Who this level pages (users and schedules).
    #[serde(default)]
    pub targets: Vec<Reference>,
}

/// An escalation policy with its rules.
#[derive(Clone, Debug, Deserialize)]
pub struct EscalationPolicy {
    /// Its id.
    pub id: String,
    /// Its name.
    #[serde(default)]
    pub name: Option<String>,
    /// Its summary (the name).
    #[serde(default)]
    pub summary: Option<String>,
    /// Its levels.
    #[serde(default)]
    pub escalation_rules: Vec<EscalationRule>,
    /// How many times the rules repeat.
    #[serde(default)]
    pub num_loops: Option<u32>,
    /// The services it pages for.
    #[serde(default)]
    pub services: Vec<Reference>,
}

/// One on-call entry: a user at a level of a policy, for a while.
#[derive(Clone, Debug, Deserialize)]
pub struct OnCall {
    /// Who.
    #[serde(default)]
    pub user: Reference,
    /// Through which schedule (none for a user targeted directly).
    #[serde(default)]
    pub schedule: Option<Reference>,
    /// Which policy.
    #[serde(default)]
    pub escalation_policy: Reference,
    /// Which level, 1 for the first.
    #[serde(default)]
    pub escalation_level: Option<u32>,
    /// From (none: always).
    #[serde(default, deserialize_with = "lenient_time")]
    pub start: Option<DateTime<Utc>>,
    /// Until (none: always).
    #[serde(default, deserialize_with = "lenient_time")]
    pub end: Option<DateTime<Utc>>,
}

/// A note on an incident.
#[derive(Clone, Debug, Deserialize)]
pub struct IncidentNote {
    /// Its text.
    #[serde(default)]
    pub content: String,
    /// Who wrote it.
    #[serde(default)]
    pub user: Reference,
    /// When.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `GET /incidents/{id}/notes`.
#[derive(Debug, Deserialize)]
pub struct Notes {
    /// The notes, oldest first.
    #[serde(default)]
    pub notes: Vec<IncidentNote>,
}

/// A log entry of an incident: its timeline at PagerDuty.
#[derive(Clone, Debug, Deserialize)]
pub struct LogEntry {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// `acknowledge_log_entry`, `escalate_log_entry`, `annotate_log_entry`…
    #[serde(default, rename = "type")]
    pub kind: String,
    /// What happened, in PagerDuty's words.
    #[serde(default)]
    pub summary: Option<String>,
    /// When.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
    /// Who or what did it.
    #[serde(default)]
    pub agent: Option<Reference>,
}

/// One alert of an incident.
#[derive(Clone, Debug, Deserialize)]
pub struct IncidentAlert {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// What it says.
    #[serde(default)]
    pub summary: Option<String>,
    /// `triggered` or `resolved`.
    #[serde(default)]
    pub status: Option<String>,
    /// When it was created.
    #[serde(default, deserialize_with = "lenient_time")]
    pub created_at: Option<DateTime<Utc>>,
}

/// `GET /users/me`.
#[derive(Debug, Deserialize)]
pub struct Me {
    /// The token's user.
    pub user: Reference,
}

/// `GET /incidents/{id}`.
#[derive(Debug, Deserialize)]
pub struct OneIncident {
    /// The incident.
    pub incident: Incident,
}

/// The body of `PUT /incidents/{id}`.
#[derive(Debug, Serialize)]
pub struct IncidentUpdate {
    /// The changes.
    pub incident: IncidentChange,
}

/// The body of `PUT /incidents`: up to 250 incidents, each with its own change.
#[derive(Debug, Serialize)]
pub struct IncidentsUpdate<'a> {
    /// The changes, each naming its incident.
    pub incidents: &'a [IncidentChange],
}

/// What a `PUT /incidents/{id}` changes (in `PUT /incidents`, with the incident's id); the
/// default changes nothing.
#[derive(Clone, Debug, Serialize)]
pub struct IncidentChange {
    /// The incident, in a bulk `PUT /incidents` only (the path names it otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Always `incident_reference`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// `acknowledged` or `resolved`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<&'static str>,
    /// The level to page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_level: Option<u32>,
    /// New assignees.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub assignments: Option<Vec<AssigneeRef>>,
    /// A new escalation policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub escalation_policy: Option<TypedRef>,
}

impl Default for IncidentChange {
    fn default() -> IncidentChange {
        IncidentChange {
            id: None,
            kind: "incident_reference",
            status: None,
            escalation_level: None,
            assignments: None,
            escalation_policy: None,
        }
    }
}

/// `{"assignee": {"id", "type": "user_reference"}}`.
#[derive(Clone, Debug, Serialize)]
pub struct AssigneeRef {
    /// The user.
    pub assignee: TypedRef,
}

/// `{"id", "type"}`.
#[derive(Clone, Debug, Serialize)]
pub struct TypedRef {
    /// The id.
    pub id: String,
    /// The reference type.
    #[serde(rename = "type")]
    pub kind: &'static str,
}

/// The body of `POST /incidents/{id}/notes`.
#[derive(Debug, Serialize)]
pub struct NewNote<'a> {
    /// The note.
    pub note: NoteContent<'a>,
}

/// `{"content": "..."}`.
#[derive(Debug, Serialize)]
pub struct NoteContent<'a> {
    /// Its text.
    pub content: &'a str,
}

/// The body of `POST /incidents/{id}/snooze`.
#[derive(Debug, Serialize)]
pub struct Snooze {
    /// Seconds, 1 to 604,800.
    pub duration: u64,
}

/// A timestamp that parses as RFC 3339, or none: a broken one drops the field, not the
/// whole answer.
fn lenient_time<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
    let s: Option<String> = Option::deserialize(d)?;
    Ok(s.and_then(|s| {
        DateTime::parse_from_rfc3339(s.trim())
            .ok()
            .map(|t| t.with_timezone(&Utc))
    }))
}

/// The filters of an analytics request: the incidents created in a period.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyticsFilters {
    /// From (RFC 3339).
    pub created_at_start: String,
    /// Until (RFC 3339).
    pub created_at_end: String,
    /// Only these teams (a user-level key must name some).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub team_ids: Vec<String>,
}

/// `POST /analytics/metrics/incidents/*`: aggregated over the whole period.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyticsQuery {
    /// Which incidents.
    pub filters: AnalyticsFilters,
    /// The zone days are cut in.
    pub time_zone: &'static str,
}

/// `POST /analytics/raw/incidents`: one page of incidents, slowest to resolve first.
#[derive(Clone, Debug, Serialize)]
pub struct AnalyticsRawQuery {
    /// Which incidents.
    pub filters: AnalyticsFilters,
    /// `seconds_to_resolve`.
    pub order_by: &'static str,
    /// `desc`.
    pub order: &'static str,
    /// How many (1–1000).
    pub limit: u32,
    /// The zone.
    pub time_zone: &'static str,
}

/// Aggregated incident figures (every field may be missing or null).
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalyticsMetrics {
    /// The service (per-service answers).
    pub service_name: Option<String>,
    /// Incidents.
    pub total_incident_count: Option<u64>,
    /// Mean seconds to the first acknowledgement.
    pub mean_seconds_to_first_ack: Option<i64>,
    /// Median.
    pub p50_seconds_to_first_ack: Option<i64>,
    /// 90th percentile.
    pub p90_seconds_to_first_ack: Option<i64>,
    /// Mean seconds to resolve.
    pub mean_seconds_to_resolve: Option<i64>,
    /// Median.
    pub p50_seconds_to_resolve: Option<i64>,
    /// 90th percentile.
    pub p90_seconds_to_resolve: Option<i64>,
    /// Escalations by timeout.
    pub total_incidents_timeout_escalated: Option<u64>,
    /// Escalations by hand.
    pub total_incidents_manual_escalated: Option<u64>,
    /// Resolved on their own.
    pub total_incidents_auto_resolved: Option<u64>,
    /// Interruptions in business hours.
    pub total_business_hour_interruptions: Option<u64>,
    /// In off hours.
    pub total_off_hour_interruptions: Option<u64>,
    /// In sleep hours.
    pub total_sleep_hour_interruptions: Option<u64>,
}

/// One incident of the raw analytics.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default)]
pub struct AnalyticsIncident {
    /// Its id.
    pub id: String,
    /// Its service.
    pub service_name: Option<String>,
    /// Seconds from triggering to resolving.
    pub seconds_to_resolve: Option<i64>,
}

/// An analytics answer: its rows.
#[derive(Clone, Debug, Deserialize)]
pub struct AnalyticsAnswer<T> {
    /// The rows.
    #[serde(default = "Vec::new")]
    pub data: Vec<T>,
}
