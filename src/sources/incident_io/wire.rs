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
    /// What its alert source parsed from its payload (service, team, …).
    #[serde(default)]
    pub attributes: Vec<AttributeValue>,
}

/// One attribute of an alert and its value (or values).
#[derive(Debug, Deserialize)]
pub struct AttributeValue {
    /// The attribute.
    pub attribute: Named,
    /// Its value, when it holds one.
    #[serde(default)]
    pub value: Option<Value>,
    /// Its values, when it holds several.
    #[serde(default)]
    pub array_value: Vec<Value>,
}

/// An attribute's value: a label, a literal or a catalog entry.
#[derive(Debug, Deserialize)]
pub struct Value {
    /// How it reads.
    #[serde(default)]
    pub label: Option<String>,
    /// Its literal.
    #[serde(default)]
    pub literal: Option<String>,
    /// The catalog entry it is.
    #[serde(default)]
    pub catalog_entry: Option<Named>,
}

impl Value {
    /// How it is shown: its label, else its literal, else its catalog entry's name.
    pub fn shown(&self) -> Option<&str> {
        self.label
            .as_deref()
            .or(self.literal.as_deref())
            .or(self.catalog_entry.as_ref().map(|c| c.name.as_str()))
            .filter(|v| !v.is_empty())
    }
}

/// `GET /v2/alerts/{id}` and the resolve action's answer.
#[derive(Debug, Deserialize)]
pub struct OneAlert {
    /// The alert.
    pub alert: Alert,
}

/// `GET /v2/incidents`.
#[derive(Debug, Deserialize)]
pub struct IncidentsPage {
    /// The incidents.
    #[serde(default)]
    pub incidents: Vec<Incident>,
    /// Where the next page starts.
    #[serde(default)]
    pub pagination_meta: Option<PaginationMeta>,
}

/// An incident (`IncidentV2`).
#[derive(Clone, Debug, Deserialize)]
pub struct Incident {
    /// Its id.
    pub id: String,
    /// "INC-123".
    #[serde(default)]
    pub reference: String,
    /// Its name.
    #[serde(default)]
    pub name: String,
    /// Its summary.
    #[serde(default)]
    pub summary: Option<String>,
    /// Its status.
    #[serde(default)]
    pub incident_status: Option<Status>,
    /// Its severity.
    #[serde(default)]
    pub severity: Option<Severity>,
    /// Who holds which role.
    #[serde(default)]
    pub incident_role_assignments: Vec<RoleAssignment>,
    /// Its page.
    #[serde(default)]
    pub permalink: Option<String>,
    /// Its Slack channel's name.
    #[serde(default)]
    pub slack_channel_name: Option<String>,
    /// When it was declared.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// An incident status (`IncidentStatusV2`, and V1 in the catalog).
#[derive(Clone, Debug, Deserialize)]
pub struct Status {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// "Fixing".
    #[serde(default)]
    pub name: String,
    /// `triage`, `live`, `paused`, `learning`, `closed`, `declined`, `merged`, `canceled`.
    #[serde(default)]
    pub category: String,
    /// Its place in order.
    #[serde(default)]
    pub rank: i64,
}

/// A severity (`SeverityV2`, and V1 in the catalog): a higher rank is more severe.
#[derive(Clone, Debug, Deserialize)]
pub struct Severity {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// "Major".
    #[serde(default)]
    pub name: String,
    /// Its rank (more is worse).
    #[serde(default)]
    pub rank: i64,
}

/// A role and who holds it.
#[derive(Clone, Debug, Deserialize)]
pub struct RoleAssignment {
    /// The role.
    pub role: RoleRef,
    /// Who holds it, if anyone.
    #[serde(default)]
    pub assignee: Option<User>,
}

/// A role (`EmbeddedIncidentRoleV2`, `IncidentRoleV2`).
#[derive(Clone, Debug, Deserialize)]
pub struct RoleRef {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// "Incident Lead".
    #[serde(default)]
    pub name: String,
    /// `lead`, `reporter` or `custom`.
    #[serde(default)]
    pub role_type: String,
    /// "lead".
    #[serde(default)]
    pub shortform: String,
}

/// A user.
#[derive(Clone, Debug, Deserialize)]
pub struct User {
    /// Their name.
    #[serde(default)]
    pub name: String,
    /// Their email.
    #[serde(default)]
    pub email: Option<String>,
}

/// Who did something: a user, an API key, a workflow or an alert.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct Actor {
    /// A user.
    #[serde(default)]
    pub user: Option<User>,
    /// An API key.
    #[serde(default)]
    pub api_key: Option<Named>,
    /// A workflow.
    #[serde(default)]
    pub workflow: Option<Named>,
}

/// Something with a name.
#[derive(Clone, Debug, Deserialize)]
pub struct Named {
    /// Its name.
    #[serde(default)]
    pub name: String,
}

/// `GET /v2/incident_updates`.
#[derive(Debug, Deserialize)]
pub struct UpdatesPage {
    /// The updates.
    #[serde(default)]
    pub incident_updates: Vec<Update>,
    /// Where the next page starts.
    #[serde(default)]
    pub pagination_meta: Option<PaginationMeta>,
}

/// An update (`IncidentUpdateV2`).
#[derive(Clone, Debug, Deserialize)]
pub struct Update {
    /// Its id.
    #[serde(default)]
    pub id: String,
    /// What it says.
    #[serde(default)]
    pub message: Option<String>,
    /// The status it set.
    #[serde(default)]
    pub new_incident_status: Option<Status>,
    /// The severity it set.
    #[serde(default)]
    pub new_severity: Option<Severity>,
    /// Who.
    #[serde(default)]
    pub updater: Actor,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}

/// `GET /v1/severities`.
#[derive(Debug, Deserialize)]
pub struct Severities {
    /// Every severity.
    #[serde(default)]
    pub severities: Vec<Severity>,
}

/// `GET /v1/incident_statuses`.
#[derive(Debug, Deserialize)]
pub struct Statuses {
    /// Every status.
    #[serde(default)]
    pub incident_statuses: Vec<Status>,
}

/// `GET /v2/incident_roles`.
#[derive(Debug, Deserialize)]
pub struct Roles {
    /// Every role.
    #[serde(default)]
    pub incident_roles: Vec<RoleRef>,
}

/// `POST /v2/incidents` and `GET /v2/incidents/{id}`.
#[derive(Debug, Deserialize)]
pub struct OneIncident {
    /// The incident.
    pub incident: Incident,
}
