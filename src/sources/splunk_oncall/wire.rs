//! Splunk On-Call public API v1 answers and bodies as the VictorOps spec writes them
//! (`../shared/specs/splunk-oncall.swagger.yaml`): incidents with their transitions, ack and
//! resolve results, reroutes, and who is on call now.

use serde::{Deserialize, Serialize};

/// `GET /api-public/v1/incidents`.
#[derive(Debug, Deserialize)]
pub struct Incidents {
    /// Open, acknowledged and recently resolved incidents.
    #[serde(default)]
    pub incidents: Vec<Incident>,
}

/// An incident (`ActiveIncidentInfo`).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Incident {
    /// Its number (what actions name it by).
    #[serde(default)]
    pub incident_number: String,
    /// When it started.
    #[serde(default)]
    pub start_time: Option<String>,
    /// `triggered`/`UNACKED`, `acknowledged`/`ACKED`, `resolved`/`RESOLVED`.
    #[serde(default)]
    pub current_phase: String,
    /// How many alerts it holds.
    #[serde(default)]
    pub alert_count: Option<f64>,
    /// The entity it is about.
    #[serde(default)]
    pub entity_id: Option<String>,
    /// The routing key that routed it (answers newer than the published description carry
    /// it; absent, the label is left out).
    #[serde(default)]
    pub routing_key: Option<String>,
    /// Its host.
    #[serde(default)]
    pub host: Option<String>,
    /// Its service.
    #[serde(default)]
    pub service: Option<String>,
    /// Users paged.
    #[serde(default)]
    pub paged_users: Vec<String>,
    /// Teams paged.
    #[serde(default)]
    pub paged_teams: Vec<String>,
    /// Escalation policies paged.
    #[serde(default)]
    pub paged_policies: Vec<PagedPolicy>,
    /// Its state changes.
    #[serde(default)]
    pub transitions: Vec<Transition>,
}

/// A paged policy (`EscalationPolicyInfo`, loosely: fields vary).
#[derive(Debug, Deserialize)]
pub struct PagedPolicy {
    /// The policy.
    #[serde(default)]
    pub policy: Option<Named>,
}

/// Something with a name and a slug.
#[derive(Debug, Default, Deserialize)]
pub struct Named {
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its slug.
    #[serde(default)]
    pub slug: String,
}

/// A change of an incident's state.
#[derive(Debug, Deserialize)]
pub struct Transition {
    /// `ACKED`, `RESOLVED`, …
    #[serde(default)]
    pub name: String,
    /// When.
    #[serde(default)]
    pub at: Option<String>,
    /// By whom.
    #[serde(default)]
    pub by: Option<String>,
    /// What they said.
    #[serde(default)]
    pub message: Option<String>,
}

/// `PATCH /api-public/v1/incidents/ack|resolve`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AckOrResolve<'a> {
    /// The user acting.
    pub user_name: &'a str,
    /// The incidents.
    pub incident_names: Vec<&'a str>,
    /// Why.
    pub message: &'a str,
}

/// Its answer.
#[derive(Debug, Deserialize)]
pub struct AckOrResolveResults {
    /// One per incident.
    #[serde(default)]
    pub results: Vec<AckOrResolveResult>,
}

/// One incident's result.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AckOrResolveResult {
    /// Which.
    #[serde(default)]
    pub incident_number: String,
    /// Whether it was taken.
    #[serde(default)]
    pub cmd_accepted: bool,
    /// Why not.
    #[serde(default)]
    pub message: Option<String>,
}

/// `POST /api-public/v1/incidents/reroute`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reroutes<'a> {
    /// The user acting.
    pub user_name: &'a str,
    /// The reroutes.
    pub reroutes: Vec<Reroute<'a>>,
}

/// One incident to new targets.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Reroute<'a> {
    /// Which.
    pub incident_number: &'a str,
    /// To whom.
    pub targets: Vec<Target<'a>>,
}

/// A user or an escalation policy.
#[derive(Debug, Serialize)]
pub struct Target<'a> {
    /// `User` or `EscalationPolicy`.
    #[serde(rename = "type")]
    pub kind: &'a str,
    /// Its slug (a user name, a policy slug).
    pub slug: &'a str,
}

/// Its answer.
#[derive(Debug, Deserialize)]
pub struct RerouteStatuses {
    /// One per incident.
    #[serde(default)]
    pub statuses: Vec<RerouteStatus>,
}

/// One incident's reroute.
#[derive(Debug, Deserialize)]
pub struct RerouteStatus {
    /// Whether it went.
    #[serde(default)]
    pub success: bool,
    /// Why not.
    #[serde(default)]
    pub message: Option<String>,
}

/// `GET /api-public/v1/oncall/current`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCallCurrent {
    /// Per team.
    #[serde(default)]
    pub teams_on_call: Vec<TeamOnCall>,
}

/// A team and who is on call for each of its policies.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TeamOnCall {
    /// The team.
    #[serde(default)]
    pub team: Named,
    /// Per policy.
    #[serde(default)]
    pub on_call_now: Vec<OnCallNow>,
}

/// A policy and its users on call.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCallNow {
    /// The policy.
    #[serde(default)]
    pub escalation_policy: Named,
    /// Its users on call.
    #[serde(default)]
    pub users: Vec<OnCallUser>,
}

/// A user on call.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OnCallUser {
    /// The user (`{username}`).
    #[serde(default)]
    pub on_call_user: serde_json::Value,
}

/// `GET /api-public/v2/team/{team}/oncall/schedule`.
#[derive(Debug, Deserialize)]
pub struct TeamSchedule {
    /// Per escalation policy.
    #[serde(default)]
    pub schedules: Vec<PolicySchedule>,
}

/// A policy's rota.
#[derive(Debug, Deserialize)]
pub struct PolicySchedule {
    /// The policy.
    #[serde(default)]
    pub policy: Named,
    /// Its rotations.
    #[serde(default)]
    pub schedule: Vec<OnCallEntry>,
}

/// A rotation's shifts.
#[derive(Debug, Deserialize)]
pub struct OnCallEntry {
    /// Its shifts, in order.
    #[serde(default)]
    pub rolls: Vec<Roll>,
}

/// One shift.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Roll {
    /// From.
    #[serde(default)]
    pub start: Option<String>,
    /// Until.
    #[serde(default)]
    pub end: Option<String>,
    /// Who (`{username}`).
    #[serde(default)]
    pub on_call_user: serde_json::Value,
}
