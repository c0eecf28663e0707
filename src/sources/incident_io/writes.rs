//! Changing and declaring incident.io incidents: `:status`, `:severity` and `:role` as one
//! `actions/edit` each (announced in the incident's Slack channel unless `notify_channel =
//! false`), and `I` as `POST /v2/incidents` with the declaration's idempotency key. A
//! re-send after a lost answer finds the change made (the incident already so) or the
//! incident declared (the same key), and is done.

use reqwest::Method;
use serde_json::{Value, json};

use super::{IncidentIoSource, catalog::Catalog, wire};
use crate::model::incident::{IncidentChange, NewIncident};
use crate::sources::Error;
use crate::sources::http::path_segment;

/// Who a role goes to: an email, else an incident.io user id.
fn assignee(who: &str) -> Value {
    if who.contains('@') {
        json!({ "email": who })
    } else {
        json!({ "id": who })
    }
}

/// The `incident` of an edit making `change`, from the organisation's catalog; `None` when
/// the catalog has nothing for it (read it again, then refuse).
fn edit_for(catalog: &Catalog, change: &IncidentChange) -> Result<Option<Value>, Error> {
    Ok(match change {
        IncidentChange::Status(s) => catalog
            .status_for(*s)
            .map(|st| json!({ "incident_status_id": st.id })),
        IncidentChange::Severity(n) => catalog
            .severity_for(*n)
            .map(|sev| json!({ "severity_id": sev.id })),
        IncidentChange::Role(role, who) => catalog.role_for(*role).map(|r| {
            json!({ "incident_role_assignments": [
                { "incident_role_id": r.id, "assignee": assignee(who) }
            ] })
        }),
        IncidentChange::Attach(_) => {
            return Err(Error::Rejected(
                "alerts are attached to incident.io incidents in incident.io".into(),
            ));
        }
    })
}

/// Whether incident `i` already is as `change` asks (with the catalog's ids).
fn already(i: &wire::Incident, catalog: &Catalog, change: &IncidentChange) -> bool {
    match change {
        IncidentChange::Status(s) => catalog
            .status_for(*s)
            .zip(i.incident_status.as_ref())
            .is_some_and(|(want, has)| want.id == has.id),
        IncidentChange::Severity(n) => catalog
            .severity_for(*n)
            .zip(i.severity.as_ref())
            .is_some_and(|(want, has)| want.id == has.id),
        IncidentChange::Role(role, who) => catalog.role_for(*role).is_some_and(|r| {
            i.incident_role_assignments.iter().any(|a| {
                a.role.id == r.id
                    && a.assignee
                        .as_ref()
                        .is_some_and(|u| u.email.as_deref() == Some(who.as_str()) || u.name == *who)
            })
        }),
        IncidentChange::Attach(_) => false,
    }
}

impl IncidentIoSource {
    /// Makes `change` to incident `id`.
    pub(super) async fn change(&mut self, id: &str, change: &IncidentChange) -> Result<(), Error> {
        let catalog = self.catalog(false).await?.clone();
        let edit = match edit_for(&catalog, change)? {
            Some(edit) => edit,
            // A status or role added since it was read: read again once.
            None => edit_for(self.catalog(true).await?, change)?.ok_or_else(|| {
                Error::Rejected(format!(
                    "this incident.io organisation has nothing for {}",
                    crate::sources::Operation::ChangeIncident(change.clone()).verb()
                ))
            })?,
        };
        let notify = self.settings.notify_channel.unwrap_or(true);
        let path = format!("/v2/incidents/{}/actions/edit", path_segment(id));
        let http = self.http().await?;
        let req = http
            .request(Method::POST, &path)
            .json(&json!({ "incident": edit, "notify_incident_channel": notify }));
        match http.body(req).await {
            Ok(_) => Ok(()),
            Err(e @ (Error::Http { .. } | Error::Rejected(_))) => {
                // Made already (a re-send after a lost answer) is done.
                let path = format!("/v2/incidents/{}", path_segment(id));
                let catalog = self.catalog(false).await?.clone();
                let http = self.http().await?;
                match http
                    .json::<wire::OneIncident>(http.request(Method::GET, &path))
                    .await
                {
                    Ok(one) if already(&one.incident, &catalog, change) => Ok(()),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }

    /// Declares `new`; its idempotency key makes a re-send find the incident made.
    pub(super) async fn declare(&mut self, new: &NewIncident) -> Result<(), Error> {
        let severity = self
            .catalog(false)
            .await?
            .severity_for(new.severity)
            .map(|s| s.id.clone());
        let mut body = json!({
            "idempotency_key": new.idempotency_key,
            "visibility": "public",
            "mode": "standard",
            "name": new.title,
            "summary": new.summary,
        });
        if let (Some(id), Some(map)) = (severity, body.as_object_mut()) {
            map.insert("severity_id".into(), Value::String(id));
        }
        let http = self.http().await?;
        let req = http.request(Method::POST, "/v2/incidents").json(&body);
        http.json::<wire::OneIncident>(req).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::incident::{IncidentStatus, Role};

    fn catalog() -> Catalog {
        Catalog::new(
            vec![wire::Severity {
                id: "sev-major".into(),
                name: "Major".into(),
                rank: 2,
            }],
            vec![wire::Status {
                id: "st-fixing".into(),
                name: "Fixing".into(),
                category: "live".into(),
                rank: 1,
            }],
            vec![wire::RoleRef {
                id: "role-lead".into(),
                name: "Incident Lead".into(),
                role_type: "lead".into(),
                shortform: "lead".into(),
            }],
        )
    }

    #[test]
    fn edits_name_the_organisations_ids() {
        let c = catalog();
        let edit = |ch| edit_for(&c, &ch).unwrap();
        assert_eq!(
            edit(IncidentChange::Status(IncidentStatus::Identified)),
            Some(json!({"incident_status_id": "st-fixing"}))
        );
        assert_eq!(
            edit(IncidentChange::Severity(1)),
            Some(json!({"severity_id": "sev-major"}))
        );
        assert_eq!(
            edit(IncidentChange::Role(
                Role::Commander,
                "ana@example.com".into()
            )),
            Some(json!({"incident_role_assignments": [
                {"incident_role_id": "role-lead", "assignee": {"email": "ana@example.com"}}
            ]}))
        );
        assert_eq!(
            edit(IncidentChange::Role(Role::Scribe, "ana".into())),
            None,
            "no scribe role in this organisation"
        );
        assert_eq!(
            edit(IncidentChange::Status(IncidentStatus::Resolved)),
            None,
            "nowhere to resolve to"
        );
    }
}
