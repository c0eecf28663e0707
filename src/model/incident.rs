//! Incidents as the responder knows them: declared from alerts, with a severity (SEV1..SEV4),
//! a status (investigating, identified, monitoring, resolved), roles (incident commander,
//! scribe, comms) and the alerts they group. The journal stores them
//! (`journal::incidents`); everyone else works with these values.

use chrono::{DateTime, Utc};

use super::{AlertKey, sanitize};

/// Where an incident stands.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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

    /// Its short name, as stored and typed (`ic`, `scribe`, `comms`).
    pub fn code(self) -> &'static str {
        match self {
            Role::Commander => "ic",
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
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
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
    /// Where it is kept when that is a back end (incident.io), not the journal: then `id` is
    /// 0, and it is named by its key (`Origin::key`).
    pub origin: Option<Box<Origin>>,
}

/// An incident a back end keeps: the back end's own words for it, and what it said on it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Origin {
    /// `SOURCE:ID`: how the outbox and the journal's timeline name it.
    pub key: AlertKey,
    /// The back end's kind, as shown ("incident_io").
    pub kind: String,
    /// Its reference there ("INC-123").
    pub reference: String,
    /// Its status in the back end's words ("Fixing").
    pub status_name: String,
    /// Its severity in the back end's words ("Major").
    pub severity_name: String,
    /// Every role and who holds it, in the back end's words ("Incident Lead", "ana").
    pub roles: Vec<(String, String)>,
    /// Its summary.
    pub summary: String,
    /// Its page there.
    pub url: Option<String>,
    /// Its chat channel ("#inc-123-db-down").
    pub channel: Option<String>,
    /// What the back end says happened (its updates), oldest first.
    pub updates: Vec<OriginUpdate>,
}

/// One update a back end keeps on an incident.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct OriginUpdate {
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: String,
    /// What it says: its message, and the status or severity it set.
    pub text: String,
}

impl Incident {
    /// The incident with its text made safe to show (titles and roles are typed by people,
    /// here or in another process on a shared journal): sanitized here, once.
    pub fn cleaned(self) -> Incident {
        let role = |r: Option<String>| r.map(|r| sanitize::line(&r, sanitize::TITLE_CAP));
        let origin = self.origin.map(|o| Box::new(o.cleaned()));
        Incident {
            origin,
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

    /// Its timeline's subject: `incident:N`, or its key when a back end keeps it.
    pub fn subject(&self) -> String {
        match &self.origin {
            Some(o) => o.key.0.clone(),
            None => subject(self.id),
        }
    }

    /// Whether its timeline's subject is `subject` (without building it: asked per row per
    /// frame).
    pub fn has_subject(&self, subject: &str) -> bool {
        match &self.origin {
            Some(o) => o.key.0 == subject,
            None => subject
                .strip_prefix("incident:")
                .is_some_and(|n| n.parse() == Ok(self.id)),
        }
    }

    /// How it is named to the responder: `#3`, or `INC-123` where a back end keeps it.
    pub fn label(&self) -> String {
        match &self.origin {
            Some(o) => o.reference.clone(),
            None => format!("#{}", self.id),
        }
    }
}

impl Origin {
    /// Its text made safe to show, once.
    fn cleaned(self) -> Origin {
        let line = |s: &str| sanitize::line(s, sanitize::TITLE_CAP);
        Origin {
            key: AlertKey(sanitize::line(&self.key.0, sanitize::LABEL_CAP)),
            kind: line(&self.kind),
            reference: sanitize::line(&self.reference, sanitize::LABEL_CAP),
            status_name: line(&self.status_name),
            severity_name: line(&self.severity_name),
            roles: self.roles.iter().map(|(r, w)| (line(r), line(w))).collect(),
            summary: sanitize::text(&self.summary, sanitize::TEXT_CAP),
            url: self.url.as_deref().map(line),
            channel: self.channel.as_deref().map(line),
            updates: self
                .updates
                .into_iter()
                .map(|u| OriginUpdate {
                    author: line(&u.author),
                    text: sanitize::text(&u.text, sanitize::TEXT_CAP),
                    ..u
                })
                .collect(),
        }
    }
}

/// The timeline subject of incident `id`.
pub fn subject(id: i64) -> String {
    format!("incident:{id}")
}

/// A change to an incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentChange {
    /// A new status.
    Status(IncidentStatus),
    /// A new severity (1 worst .. 4).
    Severity(u8),
    /// A role given to someone.
    Role(Role, String),
    /// Alerts added.
    Attach(Vec<AlertKey>),
}

impl IncidentChange {
    /// What it does, as said when it is made ("status monitoring", "comms is bo").
    pub fn said(&self) -> String {
        match self {
            IncidentChange::Status(s) => format!("status {}", s.name()),
            IncidentChange::Severity(n) => format!("SEV{n}"),
            IncidentChange::Role(role, who) => format!("{} is {who}", role.name()),
            IncidentChange::Attach(keys) => format!("{} alert(s) attached", keys.len()),
        }
    }
}

/// An incident to declare in a back end (boxed in `Operation`: commands stay small).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewIncident {
    /// Its title.
    pub title: String,
    /// 1 (worst) to 4.
    pub severity: u8,
    /// What it starts with: the alerts it was declared from, who declared it.
    pub summary: String,
    /// The same for every send of this declaration: a re-send after a lost answer finds
    /// the incident made, never makes a second.
    pub idempotency_key: String,
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
