//! `IncidentIoSource` on the fault server, for what Prism's static answers cannot show:
//! paging by cursor to the end, more than `max_alerts` refused rather than cut, a re-sent
//! resolve of an alert already resolved counted done, incidents paged with their roles and
//! updates, a change whose answer was lost counted done when the incident already is so, a
//! declaration re-sent with its idempotency key, 429 waited out, and hostile text arriving clean.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::{AlertKey, sanitize};
use onduty::sources::backend::FromConfig;
use onduty::sources::incident_io::{IncidentIoSource, KIND};
use onduty::sources::{Operation, Source};
use support::faults::{Fault, FaultServer, Seen};

fn page(from: usize, n: usize, after: Option<&str>, title: &str) -> String {
    let alerts: Vec<serde_json::Value> = (from..from + n)
        .map(|i| serde_json::json!({"id": format!("01A{i:05}"), "title": format!("{title} {i}"),
            "status": "firing", "alert_source_id": "src1", "deduplication_key": format!("k{i}"),
            "attributes": [], "created_at": "2026-12-05T09:00:00Z", "updated_at": "2026-12-05T09:01:00Z"}))
        .collect();
    serde_json::json!({"alerts": alerts, "pagination_meta": {"after": after, "page_size": 50}})
        .to_string()
}

fn answer(seen: &Seen) -> Fault {
    let after = seen
        .target()
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("after="))
        .unwrap_or("");
    match (seen.method(), seen.path()) {
        ("GET", "/v2/alerts") => Fault::Body(match after {
            "" => page(0, 50, Some("c1"), "disk"),
            "c1" => page(50, 50, Some("c2"), "disk"),
            _ => page(100, 30, None, "disk"),
        }),
        ("POST", p) if p.ends_with("/actions/resolve") => Fault::Status(
            422,
            r#"{"type":"validation_error","status":422,"errors":[{"code":"invalid","message":"alert is already resolved"}]}"#,
        ),
        ("GET", p) if p.starts_with("/v2/alerts/") => Fault::Body(
            r#"{"alert":{"id":"01A00001","title":"disk 1","status":"resolved","alert_source_id":"src1","deduplication_key":"k1","attributes":[],"created_at":"2026-12-05T09:00:00Z","updated_at":"2026-12-05T09:05:00Z"}}"#.into(),
        ),
        (method, path) => incidents_answer(method, path, after, seen),
    }
}

const SEVERITIES: &str = r#"{"severities":[
  {"id":"sev-minor","name":"Minor","description":"","rank":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"sev-critical","name":"Critical","description":"","rank":3,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"sev-major","name":"Major","description":"","rank":2,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}]}"#;
const STATUSES: &str = r#"{"incident_statuses":[
  {"id":"st-inv","name":"Investigating","description":"","category":"live","rank":1,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"st-fix","name":"Fixing","description":"","category":"live","rank":2,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"st-mon","name":"Monitoring","description":"","category":"live","rank":3,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"st-doc","name":"Documenting","description":"","category":"learning","rank":4,"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}]}"#;
const ROLES: &str = r#"{"incident_roles":[
  {"id":"role-lead","name":"Incident Lead","shortform":"lead","role_type":"lead","description":"","instructions":"","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"},
  {"id":"role-comms","name":"Communications Lead","shortform":"comms","role_type":"custom","description":"","instructions":"","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}]}"#;

fn incident(
    id: &str,
    reference: &str,
    name: &str,
    status: (&str, &str),
    sev: &str,
) -> serde_json::Value {
    serde_json::json!({
        "id": id, "reference": reference, "name": name, "summary": "Checkout returns 502s.",
        "incident_status": {"id": status.0, "name": status.1, "category": "live", "rank": 2,
            "description": "", "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"},
        "severity": {"id": sev, "name": sev, "rank": 2, "description": "",
            "created_at": "2026-01-01T00:00:00Z", "updated_at": "2026-01-01T00:00:00Z"},
        "incident_role_assignments": [
            {"role": {"id": "role-lead", "name": "Incident Lead", "role_type": "lead", "shortform": "lead"},
             "assignee": {"id": "U1", "name": "Ana", "email": "ana@example.com", "role": "responder"}},
            {"role": {"id": "role-comms", "name": "Communications Lead", "role_type": "custom", "shortform": "comms"}}],
        "permalink": format!("https://app.incident.io/acme/incidents/{reference}"),
        "slack_channel_name": "inc-123-checkout", "slack_channel_id": "C1", "slack_team_id": "T1",
        "visibility": "public", "mode": "standard", "creator": {}, "custom_field_entries": [],
        "created_at": "2026-12-05T09:00:00Z", "updated_at": "2026-12-05T09:10:00Z"})
}

/// Incidents over two pages, their updates, the catalog; an edit whose answer is lost
/// (500) though it was made, a declaration answered at once.
fn incidents_answer(method: &str, path: &str, after: &str, seen: &Seen) -> Fault {
    match (method, path) {
        ("GET", "/v2/incidents") => {
            let (incidents, next) = match after {
                "" => (vec![incident("01I1", "INC-123", "Checkout is down", ("st-fix", "Fixing"), "sev-critical")], Some("i1")),
                _ => (vec![incident("01I2", "INC-124", "Search is slow", ("st-inv", "Investigating"), "sev-minor")], None),
            };
            Fault::Body(serde_json::json!({"incidents": incidents,
                "pagination_meta": {"after": next, "page_size": 100}}).to_string())
        }
        ("GET", "/v2/incident_updates") if seen.target().contains("incident_id=01I1") => Fault::Body(
            r#"{"incident_updates":[
              {"id":"up2","incident_id":"01I1","message":"Rolled back the deploy","new_incident_status":{"id":"st-mon","name":"Monitoring","category":"live","rank":3},"updater":{"user":{"id":"U1","name":"Ana","role":"responder"}},"created_at":"2026-12-05T09:08:00Z"},
              {"id":"up1","incident_id":"01I1","message":"Payments 502 from the new build","updater":{"workflow":{"id":"W1","name":"Auto-triage"}},"created_at":"2026-12-05T09:02:00Z"}],
              "pagination_meta":{"page_size":100}}"#.into(),
        ),
        ("GET", "/v2/incident_updates") => Fault::Body(r#"{"incident_updates":[]}"#.into()),
        ("GET", "/v1/severities") => Fault::Body(SEVERITIES.into()),
        ("GET", "/v1/incident_statuses") => Fault::Body(STATUSES.into()),
        ("GET", "/v2/incident_roles") => Fault::Body(ROLES.into()),
        ("POST", "/v2/incidents/01I1/actions/edit") => Fault::Status(500, "{}"),
        ("GET", "/v2/incidents/01I1") => Fault::Body(
            serde_json::json!({"incident": incident("01I1", "INC-123", "Checkout is down", ("st-mon", "Monitoring"), "sev-critical")}).to_string(),
        ),
        ("POST", "/v2/incidents") => Fault::Body(
            serde_json::json!({"incident": incident("01I9", "INC-130", "new", ("st-inv", "Investigating"), "sev-major")}).to_string(),
        ),
        _ => Fault::Status(404, "{}"),
    }
}

fn source(url: &str, max: Option<i64>) -> IncidentIoSource {
    let mut c = SourceConfig::new("inc", KIND);
    c.url = Some(url.into());
    c.token_command = Some("printf inc-key".into());
    if let Some(m) = max {
        c.set("max_alerts", m);
    }
    IncidentIoSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

#[tokio::test]
async fn alerts_are_paged_to_the_end_too_many_refused_and_a_resolve_re_sent_is_done() {
    let server = FaultServer::start_full(|_, seen| answer(seen)).await;
    let snap = source(&server.url, None).fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 130, "three pages, to the end");
    let listed: Vec<_> = server
        .seen()
        .iter()
        .filter(|s| s.method() == "GET" && s.path() == "/v2/alerts")
        .map(|s| s.target().to_string())
        .collect();
    assert!(
        listed.iter().all(|t| t.contains("page_size=50")),
        "{listed:?}"
    );
    assert!(listed[2].contains("after=c2"), "{listed:?}");
    let err = source(&server.url, Some(100)).fetch().await.unwrap_err();
    assert!(
        err.to_string().contains("more than 100 firing alerts"),
        "{err}"
    );
    let mut s = source(&server.url, None);
    s.perform(&AlertKey("inc:01A00001".into()), &Operation::Resolve, "ana")
        .await
        .unwrap();
}

#[tokio::test]
async fn hostile_text_in_an_alert_arrives_clean() {
    let server = FaultServer::start(|_, _| {
        Fault::Body(page(
            0,
            1,
            None,
            "\u{1b}]52;c;cGF5\u{7}evil\u{202e}title\u{200b}",
        ))
    })
    .await;
    let snap = source(&server.url, None).fetch().await.unwrap();
    let title = &snap.alerts[0].title;
    assert!(
        !title.chars().any(sanitize::is_forbidden) && title.contains("evil"),
        "{title:?}"
    );
}

#[tokio::test]
async fn incidents_are_paged_with_roles_and_updates_and_changes_survive_a_lost_answer() {
    use onduty::model::incident::{IncidentChange, IncidentStatus, NewIncident};
    let server = FaultServer::start_full(|_, seen| answer(seen)).await;
    let mut s = source(&server.url, None);
    let snap = s.fetch().await.unwrap();
    let refs: Vec<&str> = snap
        .incidents
        .iter()
        .map(|i| i.origin.as_ref().unwrap().reference.as_str())
        .collect();
    assert_eq!(refs, ["INC-123", "INC-124"], "both pages");
    let i = &snap.incidents[0];
    let o = i.origin.as_ref().unwrap();
    assert_eq!(
        (i.severity, i.status),
        (1, IncidentStatus::Identified),
        "Critical is the worst; Fixing is identified"
    );
    assert_eq!(
        (o.status_name.as_str(), o.severity_name.as_str()),
        ("Fixing", "sev-critical")
    );
    assert_eq!(i.commander.as_deref(), Some("Ana"));
    assert_eq!(
        o.roles,
        [
            ("Incident Lead".to_string(), "Ana".to_string()),
            ("Communications Lead".to_string(), "—".to_string())
        ]
    );
    assert_eq!(o.channel.as_deref(), Some("#inc-123-checkout"));
    let updates: Vec<(&str, &str)> = o
        .updates
        .iter()
        .map(|u| (u.author.as_str(), u.text.as_str()))
        .collect();
    assert_eq!(
        updates,
        [
            ("workflow Auto-triage", "Payments 502 from the new build"),
            ("Ana", "Rolled back the deploy — status Monitoring"),
        ],
        "oldest first, with who and what they set"
    );
    // A second poll of unchanged incidents asks for no updates again.
    let asked = |server: &FaultServer| {
        server
            .seen()
            .iter()
            .filter(|r| r.path() == "/v2/incident_updates")
            .count()
    };
    let before = asked(&server);
    s.fetch().await.unwrap();
    assert_eq!(
        asked(&server),
        before,
        "updates are read again only when an incident changed"
    );
    // The edit's answer is lost (500), but the incident is already Monitoring: done.
    let key = o.key.clone();
    s.perform(
        &key,
        &Operation::ChangeIncident(IncidentChange::Status(IncidentStatus::Monitoring)),
        "ana",
    )
    .await
    .unwrap();
    let edit = server
        .seen()
        .into_iter()
        .find(|r| r.path() == "/v2/incidents/01I1/actions/edit")
        .unwrap();
    let body: serde_json::Value = serde_json::from_str(&edit.body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({"incident": {"incident_status_id": "st-mon"}, "notify_incident_channel": true})
    );
    // A change the incident is not in after a lost answer stays failed (the outbox retries).
    let err = s
        .perform(
            &key,
            &Operation::ChangeIncident(IncidentChange::Severity(3)),
            "ana",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");
    // A declaration carries its idempotency key, the same on every send.
    let new = NewIncident {
        title: "Checkout is down".into(),
        severity: 2,
        summary: "Declared from onduty by ana.".into(),
        idempotency_key: "onduty-1f2e".into(),
    };
    for _ in 0..2 {
        s.perform(
            &AlertKey("inc:".into()),
            &Operation::DeclareIncident(Box::new(new.clone())),
            "ana",
        )
        .await
        .unwrap();
    }
    let bodies: Vec<serde_json::Value> = server
        .seen()
        .iter()
        .filter(|r| r.method() == "POST" && r.path() == "/v2/incidents")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert!(
        bodies
            .iter()
            .all(|b| b["idempotency_key"] == "onduty-1f2e" && b["severity_id"] == "sev-major"),
        "{bodies:?}"
    );
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_the_api_says() {
    let server = FaultServer::start(|n, _| match n {
        0 => Fault::RateLimited(Some("7")),
        _ => Fault::Body(r#"{"alerts":[]}"#.into()),
    })
    .await;
    let err = source(&server.url, None).fetch().await.unwrap_err();
    assert!(
        matches!(err, onduty::sources::Error::RateLimited(Some(d)) if d == Duration::from_secs(7)),
        "{err:?}"
    );
}

#[tokio::test]
async fn hostile_text_in_an_incident_and_its_updates_arrives_clean() {
    const EVIL: &str = "\u{1b}[2J\u{1b}]52;c;cGF5\u{7}evil\u{202e}name\u{200b}";
    let server = FaultServer::start_full(|_, seen| match seen.path() {
        "/v2/incidents" => Fault::Body(
            serde_json::json!({"incidents": [incident("01I1", EVIL, EVIL, ("st-fix", EVIL), EVIL)]}).to_string(),
        ),
        "/v2/incident_updates" => Fault::Body(
            serde_json::json!({"incident_updates": [{"id": "u", "incident_id": "01I1", "message": EVIL,
                "updater": {"user": {"name": EVIL}}, "created_at": "2026-12-05T09:00:00Z"}]}).to_string(),
        ),
        _ => Fault::Body(r#"{"alerts":[]}"#.into()),
    })
    .await;
    let snap = source(&server.url, None).fetch().await.unwrap();
    let i = &snap.incidents[0];
    let o = i.origin.as_ref().unwrap();
    let texts = [
        i.title.as_str(),
        o.reference.as_str(),
        o.status_name.as_str(),
        o.severity_name.as_str(),
        o.updates[0].text.as_str(),
        o.updates[0].author.as_str(),
    ];
    for t in texts {
        assert!(
            !t.chars().any(sanitize::is_forbidden) && t.contains("evil"),
            "{t:?}"
        );
    }
}

#[tokio::test]
async fn the_cli_lists_kept_incidents_and_changes_one_in_its_back_end() {
    let server = FaultServer::start_full(|_, seen| match (seen.method(), seen.path()) {
        // This edit is answered: it was made.
        ("POST", "/v2/incidents/01I1/actions/edit") => Fault::Body(
            serde_json::json!({"incident": incident("01I1", "INC-123", "Checkout is down", ("st-mon", "Monitoring"), "sev-critical")}).to_string(),
        ),
        _ => answer(seen),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\n[[source]]\nname = \"inc\"\nkind = \"incident_io\"\nurl = \"{}\"\ntoken_command = \"printf k\"\n",
            server.url
        ),
    )
    .unwrap();
    let (code, out) = support::run_onduty(dir.path(), &config, &["incidents"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("INC-123") && out.contains("Fixing") && out.contains("(in incident.io)"),
        "{out}"
    );
    let (_, json) = support::run_onduty(dir.path(), &config, &["incidents", "--json"]).await;
    assert!(
        json.contains(
            r#""reference":"INC-123","resolved_at":null,"roles":[["Incident Lead","Ana"]"#
        ),
        "{json}"
    );
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["incident", "inc-123", "status", "monitoring"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let edits: Vec<String> = server
        .seen()
        .iter()
        .filter(|r| r.path() == "/v2/incidents/01I1/actions/edit")
        .map(|r| r.body.clone())
        .collect();
    assert_eq!(edits.len(), 1, "{out}");
    assert!(edits[0].contains("st-mon"), "{edits:?}");
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["incident", "7", "status", "monitoring"],
    )
    .await;
    assert_ne!(code, 0);
    assert!(out.contains("there is no incident 7"), "{out}");
    // Declared as I does: in incident.io, with its idempotency key; in the journal by default.
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["declare", "SEV2", "Checkout", "is", "down", "--in", "inc"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let declared: Vec<serde_json::Value> = server
        .seen()
        .iter()
        .filter(|r| r.method() == "POST" && r.path() == "/v2/incidents")
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(declared.len(), 1, "{out}");
    assert_eq!(declared[0]["name"], "Checkout is down");
    assert!(
        declared[0]["idempotency_key"]
            .as_str()
            .is_some_and(|k| k.len() >= 8)
    );
    let (code, out) =
        support::run_onduty(dir.path(), &config, &["declare", "SEV3 Search is slow"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("INC#1 declared: SEV3 Search is slow"), "{out}");
    let (code, out) =
        support::run_onduty(dir.path(), &config, &["incident", "1", "severity", "2"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("INC#1: SEV2"), "{out}");
    let (_, out) = support::run_onduty(dir.path(), &config, &["incidents"]).await;
    assert!(
        out.contains("#1") && out.contains("SEV2") && out.contains("INC-123"),
        "{out}"
    );
}
