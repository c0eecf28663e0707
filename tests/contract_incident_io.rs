//! `IncidentIoSource` against Prism serving incident.io's own API description
//! (`../shared/specs/incident-io.openapi.json`): the firing alerts listed with a valid page
//! size and cursor, mapped into the model; resolving one passes validation; a request
//! without `page_size` is refused, proving validation is on. (Prism's static answers give the
//! same cursor every time: the walk must end, not loop.) Its live incidents, their updates and
//! the catalog are read and mapped; a status, severity and role edit and a declaration pass
//! validation.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::Status;
use onduty::sources::backend::FromConfig;
use onduty::sources::incident_io::{IncidentIoSource, KIND};
use onduty::sources::{Operation, Source};
use support::prism::Prism;

#[tokio::test]
async fn firing_alerts_are_listed_and_one_is_resolved_within_the_description() {
    let prism = Prism::start("incident-io.openapi.json").await;
    let mut c = SourceConfig::new("inc", KIND);
    c.url = Some(prism.url.clone());
    c.token_command = Some("printf inc-api-key".into());
    let mut s =
        IncidentIoSource::from_config(c, Duration::from_secs(30), Arc::new(SystemClock)).unwrap();
    let snap = s.fetch().await.unwrap();
    let a = snap
        .alerts
        .first()
        .expect("the description's example alert");
    assert_eq!(a.status, Status::Firing);
    assert!(
        a.labels
            .iter()
            .any(|(k, v)| k == "service" && v == "Payments Team"),
        "its attributes are labels: {:?}",
        a.labels
    );
    assert!(a.key.0.starts_with("inc:") && !a.title.is_empty(), "{a:?}");
    s.perform(&a.key.clone(), &Operation::Resolve, "ana")
        .await
        .unwrap();
    let seen: Vec<String> = prism
        .requests()
        .iter()
        .map(|r| r.request.to_lowercase())
        .collect();
    assert!(
        seen.iter().any(|l| l.starts_with("get /v2/alerts")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .any(|l| l.starts_with("post /v2/alerts/") && l.contains("/actions/resolve")),
        "{seen:?}"
    );
    assert!(
        seen.iter()
            .filter(|l| l.starts_with("get /v2/alerts"))
            .count()
            <= 2,
        "the repeated cursor ends the walk: {seen:?}"
    );
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    let bare = reqwest::get(format!("{}/v2/alerts", prism.url))
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 422, "page_size is required");
}

#[tokio::test]
async fn live_incidents_with_roles_and_updates_are_read_changed_and_declared_within_the_description()
 {
    use onduty::model::incident::{IncidentChange, IncidentStatus, NewIncident, Role};
    let prism = Prism::start("incident-io.openapi.json").await;
    let mut c = SourceConfig::new("inc", KIND);
    c.url = Some(prism.url.clone());
    c.token_command = Some("printf inc-api-key".into());
    let mut s =
        IncidentIoSource::from_config(c, Duration::from_secs(30), Arc::new(SystemClock)).unwrap();
    let snap = s.fetch().await.unwrap();
    let i = snap
        .incidents
        .first()
        .expect("the description's example incident");
    let o = i.origin.as_ref().expect("kept by incident.io");
    // Prism gives the same page for every cursor: the incident and its update come twice,
    // and are listed once.
    assert_eq!(snap.incidents.len(), 1, "{:?}", snap.incidents);
    assert_eq!(o.updates.len(), 1, "{:?}", o.updates);
    assert!(o.key.0.starts_with("inc:"), "{o:?}");
    assert!(!o.reference.is_empty() && !i.title.is_empty(), "{i:?}");
    assert!(
        !o.status_name.is_empty(),
        "its status in its own words: {o:?}"
    );
    assert!((1..=4).contains(&i.severity));
    assert!(!o.roles.is_empty(), "who holds which role: {o:?}");
    assert!(
        o.url.as_deref().is_some_and(|u| u.starts_with("http")),
        "{o:?}"
    );
    assert!(
        !o.updates.is_empty(),
        "the example update arrives in its timeline: {o:?}"
    );
    let key = o.key.clone();
    for change in [
        IncidentChange::Status(IncidentStatus::Resolved),
        IncidentChange::Severity(2),
        IncidentChange::Role(Role::Commander, "ana@example.com".into()),
    ] {
        let done = s
            .perform(&key, &Operation::ChangeIncident(change.clone()), "ana")
            .await;
        // The description's one example status is live; one of its categories may have
        // nothing to resolve to: then the refusal says so, nothing is sent.
        if let Err(e) = &done {
            assert!(e.to_string().contains("has nothing for"), "{change:?}: {e}");
        }
    }
    let declare = NewIncident {
        title: "Checkout is down".into(),
        severity: 2,
        summary: "Declared from onduty.".into(),
        idempotency_key: "onduty-7f3a".into(),
    };
    let source_key = onduty::model::AlertKey("inc:".into());
    s.perform(
        &source_key,
        &Operation::DeclareIncident(Box::new(declare)),
        "ana",
    )
    .await
    .unwrap();
    let seen: Vec<String> = prism
        .requests()
        .iter()
        .map(|r| r.request.to_lowercase())
        .collect();
    for wanted in [
        "get /v2/incidents",
        "get /v2/incident_updates",
        "get /v1/severities",
        "get /v1/incident_statuses",
        "get /v2/incident_roles",
        "post /v2/incidents",
    ] {
        assert!(seen.iter().any(|l| l == wanted), "{wanted} in {seen:?}");
    }
    assert!(
        seen.iter()
            .filter(|l| l.starts_with("post /v2/incidents/") && l.ends_with("/actions/edit"))
            .count()
            >= 2,
        "the severity and the role are sent as edits: {seen:?}"
    );
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    // Validation is on: an edit without notify_incident_channel is refused.
    let bad = reqwest::Client::new()
        .post(format!("{}/v2/incidents/01ABC/actions/edit", prism.url))
        .json(&serde_json::json!({"incident": {"summary": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 422);
}
