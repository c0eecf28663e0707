//! incident.io's incidents as onduty's: name, severity and status (onduty's and the
//! organisation's own words), who holds each role, summary, Slack channel and page, and
//! the updates posted on it.

use chrono::{DateTime, Utc};

use super::catalog::{self, Catalog};
use super::wire;
use crate::model::incident::{Incident, Origin, OriginUpdate, Role};
use crate::model::{AlertKey, SourceId};

/// The kind shown beside an incident and its updates.
pub const SHOWN_KIND: &str = "incident.io";

/// Reads a time as incident.io writes it (RFC 3339; `sources::when`).
pub fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    crate::sources::when::parse(s?)
}

/// Who an actor is, as shown.
fn actor(a: &wire::Actor) -> String {
    a.user
        .as_ref()
        .map(|u| u.name.clone())
        .or_else(|| a.api_key.as_ref().map(|k| format!("API key {}", k.name)))
        .or_else(|| a.workflow.as_ref().map(|w| format!("workflow {}", w.name)))
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| SHOWN_KIND.to_string())
}

/// An update as the timeline shows it: its message, then the status and severity it set.
pub fn update(u: &wire::Update, now: DateTime<Utc>) -> OriginUpdate {
    let mut text = u.message.clone().unwrap_or_default();
    let mut set = Vec::new();
    if let Some(s) = &u.new_incident_status {
        set.push(format!("status {}", s.name));
    }
    if let Some(s) = &u.new_severity {
        set.push(format!("severity {}", s.name));
    }
    if !set.is_empty() {
        if !text.is_empty() {
            text.push_str(" — ");
        }
        text.push_str(&set.join(", "));
    }
    OriginUpdate {
        at: time(u.created_at.as_deref()).unwrap_or(now),
        author: actor(&u.updater),
        text,
    }
}

/// The onduty incident of `i`, with its `updates` (oldest first).
pub fn incident(
    i: &wire::Incident,
    updates: Vec<OriginUpdate>,
    catalog: &Catalog,
    source: &SourceId,
    now: DateTime<Utc>,
) -> Incident {
    let holder = |role: Role| {
        i.incident_role_assignments
            .iter()
            .filter(|a| catalog::role_of(&a.role) == Some(role))
            .find_map(|a| a.assignee.as_ref().map(|u| u.name.clone()))
    };
    let roles = i
        .incident_role_assignments
        .iter()
        .map(|a| {
            let who = a.assignee.as_ref().map_or("—", |u| u.name.as_str());
            (a.role.name.clone(), who.to_string())
        })
        .collect();
    let status = catalog::status_of(i.incident_status.as_ref());
    let updated = time(i.updated_at.as_deref()).unwrap_or(now);
    let origin = Origin {
        key: AlertKey::new(source, &i.id),
        kind: SHOWN_KIND.to_string(),
        reference: if i.reference.trim().is_empty() {
            i.id.clone()
        } else {
            i.reference.clone()
        },
        status_name: i
            .incident_status
            .as_ref()
            .map_or(String::new(), |s| s.name.clone()),
        severity_name: i
            .severity
            .as_ref()
            .map_or(String::new(), |s| s.name.clone()),
        roles,
        summary: i.summary.clone().unwrap_or_default(),
        url: i.permalink.clone().filter(|u| !u.is_empty()),
        channel: i
            .slack_channel_name
            .as_deref()
            .filter(|c| !c.is_empty())
            .map(|c| format!("#{}", c.trim_start_matches('#'))),
        updates,
    };
    Incident {
        id: 0,
        title: if i.name.trim().is_empty() {
            "(unnamed incident)".to_string()
        } else {
            i.name.clone()
        },
        severity: catalog.sev(i.severity.as_ref()),
        status,
        commander: holder(Role::Commander),
        scribe: holder(Role::Scribe),
        comms: holder(Role::Comms),
        alerts: Vec::new(),
        opened_at: time(i.created_at.as_deref()).unwrap_or(now),
        resolved_at: (status == crate::model::incident::IncidentStatus::Resolved)
            .then_some(updated),
        origin: Some(Box::new(origin)),
    }
    .cleaned()
}
