//! Incidents as the responder knows them: declared from alerts, with a severity (SEV1..SEV4),
//! a status (investigating, identified, monitoring, resolved), roles (incident commander,
//! scribe, comms) and the alerts they group. The journal stores them
//! (`journal::incidents`); everyone else works with these values.

use chrono::{DateTime, Utc};

use super::{AlertKey, sanitize};

/// Where an incident stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum IncidentStatus {
    /// Looking for the cause.
    Investigating,
    /// The cause is known.
    Identified,
    /// A fix is in; watching.
    Monitoring,
    /// Over.
    Resolved,
}

impl IncidentStatus {
    /// Every status, in order.
    pub const ALL: [IncidentStatus; 4] = [
        IncidentStatus::Investigating,
        IncidentStatus::Identified,
        IncidentStatus::Monitoring,
        IncidentStatus::Resolved,
    ];

    /// The stored and shown name.
    pub fn name(self) -> &'static str {
        match self {
            IncidentStatus::Investigating => "investigating",
            IncidentStatus::Identified => "identified",
            IncidentStatus::Monitoring => "monitoring",
            IncidentStatus::Resolved => "resolved",
        }
    }

    /// Reads a name (or its first letters: "inv", "mon").
    pub fn parse(s: &str) -> Option<IncidentStatus> {
        let s = s.trim().to_ascii_lowercase();
        if s.is_empty() {
            return None;
        }
        IncidentStatus::ALL
            .into_iter()
            .find(|st| st.name().starts_with(&s))
    }
}

/// An incident role.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Incident commander.
    Commander,
    /// Keeps the timeline.
    Scribe,
    /// Talks to everyone else.
    Comms,
}

impl Role {
    /// The shown name.
    pub fn name(self) -> &'static str {
        match self {
            Role::Commander => "incident commander",
            Role::Scribe => "scribe",
            Role::Comms => "comms",
        }
    }

    /// Reads `ic`, `commander`, `scribe`, `comms`.
    pub fn parse(s: &str) -> Option<Role> {
        match s.trim().to_ascii_lowercase().as_str() {
            "ic" | "commander" | "incident-commander" => Some(Role::Commander),
            "scribe" => Some(Role::Scribe),
            "comms" | "communications" => Some(Role::Comms),
            _ => None,
        }
    }
}

/// One incident. Text fields are stored as typed; sanitize when showing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Incident {
    /// Its number.
    pub id: i64,
    /// What is happening.
    pub title: String,
    /// 1 (worst) to 4.
    pub severity: u8,
    /// Where it stands.
    pub status: IncidentStatus,
    /// Incident commander.
    pub commander: Option<String>,
    /// Scribe.
    pub scribe: Option<String>,
    /// Comms.
    pub comms: Option<String>,
    /// The alerts it groups.
    pub alerts: Vec<AlertKey>,
    /// When it was declared.
    pub opened_at: DateTime<Utc>,
    /// When it was resolved.
    pub resolved_at: Option<DateTime<Utc>>,
}

impl Incident {
    /// The incident with its text made safe to show (titles and roles are typed by people,
    /// here or in another process on a shared journal): sanitized here, once.
    pub fn cleaned(self) -> Incident {
        let role = |r: Option<String>| r.map(|r| sanitize::line(&r, sanitize::TITLE_CAP));
        Incident {
            title: sanitize::line(&self.title, sanitize::TITLE_CAP),
            commander: role(self.commander),
            scribe: role(self.scribe),
            comms: role(self.comms),
            alerts: self
                .alerts
                .into_iter()
                .map(|k| AlertKey(sanitize::line(&k.0, sanitize::LABEL_CAP)))
                .collect(),
            ..self
        }
    }

    /// Its timeline's subject.
    pub fn subject(&self) -> String {
        subject(self.id)
    }
}

/// The timeline subject of incident `id`.
pub fn subject(id: i64) -> String {
    format!("incident:{id}")
}

/// What a declaration says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declaration {
    /// Title.
    pub title: String,
    /// 1..=4.
    pub severity: u8,
    /// The alerts it starts with.
    pub alerts: Vec<AlertKey>,
    /// Who declares (and, until someone else takes it, is the commander).
    pub author: String,
}
