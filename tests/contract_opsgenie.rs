//! `OpsgenieSource` and its client against Prism serving the official specs (read from
//! ../shared/specs, never copied): Opsgenie's Swagger and JSM Operations' OpenAPI. Every
//! request onduty sends — the listing with its paging, one alert, its notes and log, the
//! escalations, who is on call now and next, each write (ack, unack, close, snooze, note,
//! assign, escalate, add responder) and the request status it then follows, and Opsgenie's
//! incidents (listing, one, close and its request) — passes the spec's validation with the auth it declares; a
//! malformed one is refused, so the check is live; the spec's examples map into the model.
//!
//! Opsgenie's file declares no `consumes`, so Prism refuses every JSON body (SOURCES.md):
//! its writes are checked against a copy made here at test time with
//! `consumes: ["application/json"]` added, and nothing else changed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::sources::Source;
use onduty::sources::opsgenie::client::{Client, Dialect, Outcome, Write};
use onduty::sources::opsgenie::wire::Recipient;
use onduty::sources::opsgenie::{JSM_KIND, KIND, OpsgenieSource};
use support::prism::Prism;

const SPEC: &str = "opsgenie.swagger.json";
const JSM_SPEC: &str = "jsm-ops.openapi.json";
const KEY: &str = "4f1d2c3b-aa11-bb22-cc33-dd44ee55ff66";
const UUID: &str = "ac140ae4-757c-48a4-a079-041eb3bfe8d7";

fn config(url: &str) -> SourceConfig {
    let mut c = SourceConfig::new("og", KIND);
    c.url = Some(url.into());
    c.token_command = Some(format!("printf {KEY}"));
    c.set("query", "status: open AND priority: P1");
    c
}

fn jsm_config(url: &str) -> SourceConfig {
    let mut c = SourceConfig::new("jsm", JSM_KIND);
    c.url = Some("https://acme.atlassian.net".into());
    c.username = Some("ana@example.com".into());
    c.token_command = Some("printf atlassian-api-token".into());
    c.set("api_url", url);
    c
}

/// Opsgenie's spec with `consumes` added, in `dir`.
fn patched_spec(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(support::prism::spec(SPEC)).unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    spec["consumes"] = serde_json::json!(["application/json"]);
    let path = dir.join("opsgenie.consumes-json.json");
    std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).unwrap();
    path
}

/// Every write onduty sends, by id where JSM wants ids.
fn writes() -> Vec<Write> {
    let by_id = |kind| Recipient {
        kind: Some(kind),
        id: Some(UUID.into()),
        ..Default::default()
    };
    vec![
        Write::Acknowledge,
        Write::Unacknowledge,
        Write::Close,
        Write::Snooze(Utc::now() + TimeDelta::hours(2)),
        Write::Note("rolled back the deploy".into()),
        Write::Assign(by_id("user")),
        Write::Escalate(by_id("escalation")),
        Write::AddResponder(by_id("team")),
    ]
}

/// Sends every request of the client to `prism`: reads, each write and its request status.
async fn every_request(client: &Client, dialect: Dialect) {
    client.alert(UUID).await.unwrap();
    client.notes(UUID).await.unwrap();
    client.log(UUID).await.unwrap();
    client.escalations(&[UUID.to_string()]).await.unwrap();
    client.on_call(UUID, false).await.unwrap();
    client.on_call(UUID, true).await.unwrap();
    for write in writes() {
        let request = client.write(UUID, &write, "ana", None).await.unwrap();
        match (dialect, request) {
            (_, Some(id)) => {
                let outcome = client
                    .follow(&id, tokio::time::Instant::now())
                    .await
                    .unwrap();
                assert!(matches!(outcome, Outcome::Done | Outcome::Failed(_)));
            }
            // JSM writes a note at once (200 and the note).
            (Dialect::JsmOps, None) => assert!(matches!(write, Write::Note(_))),
            (Dialect::Opsgenie, None) => panic!("{write:?}: no request id"),
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_listing_and_every_read_pass_the_spec_and_its_examples_map() {
    let prism = Prism::start(SPEC).await;
    let mut og = OpsgenieSource::new(
        config(&prism.url),
        Duration::from_secs(20),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = og.fetch().await.unwrap();
    assert!(!snapshot.alerts.is_empty(), "the spec's example alert maps");
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    assert!(
        seen.iter().any(|r| r == "get /v2/alerts"),
        "{seen:?}\n{}",
        prism.log()
    );
    assert!(seen.iter().any(|r| r.contains("/notes")), "{seen:?}");
    assert!(seen.iter().any(|r| r.contains("/logs")), "{seen:?}");
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_opsgenie_write_and_its_request_status_pass_the_spec() {
    let dir = tempfile::tempdir().unwrap();
    let prism = Prism::start_file(&patched_spec(dir.path()), &[]).await;
    let cfg = config(&prism.url);
    let client = Client::new(&cfg, &prism.url, Dialect::Opsgenie, Duration::from_secs(20))
        .await
        .unwrap();
    every_request(&client, Dialect::Opsgenie).await;
    // Opsgenie's Incident API: the listing, one incident, close and its request.
    client.incidents("status: open", |_| {}).await.unwrap();
    client.incident(UUID).await.unwrap();
    let closing = client.close_incident(UUID, Some("fixed")).await.unwrap();
    let request = closing.expect("a request id");
    client
        .follow_incident(&request, tokio::time::Instant::now())
        .await
        .unwrap();
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    for action in [
        "acknowledge",
        "unacknowledge",
        "close",
        "snooze",
        "notes",
        "assign",
        "escalate",
        "responders",
    ] {
        assert!(
            seen.iter()
                .any(|r| r.starts_with("post ") && r.contains(&format!("/{action}"))),
            "{action}: {seen:?}"
        );
    }
    assert!(seen.iter().any(|r| r.contains("/v2/alerts/requests/")));
    assert!(seen.iter().any(|r| r == "get /v2/escalations"), "{seen:?}");
    for incident in ["get /v1/incidents/", "/close", "/v1/incidents/requests/"] {
        assert!(
            seen.iter().any(|r| r.contains(incident)),
            "{incident}: {seen:?}"
        );
    }
    assert!(
        seen.iter().any(|r| r.ends_with("/next-on-calls")),
        "{seen:?}"
    );
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_jsm_request_passes_its_spec_and_its_example_maps() {
    let prism = Prism::start(JSM_SPEC).await;
    let mut jsm = OpsgenieSource::new(
        jsm_config(&prism.url),
        Duration::from_secs(20),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = jsm.fetch().await.unwrap();
    assert!(!snapshot.alerts.is_empty(), "the spec's example alert maps");
    let cfg = jsm_config(&prism.url);
    let client = Client::new(&cfg, &prism.url, Dialect::JsmOps, Duration::from_secs(20))
        .await
        .unwrap();
    every_request(&client, Dialect::JsmOps).await;
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    assert!(seen.iter().any(|r| r == "get /v1/alerts"), "{seen:?}");
    assert!(
        seen.iter().any(|r| r.contains("/v1/alerts/requests/")),
        "{seen:?}"
    );
    assert!(seen.iter().any(|r| r.ends_with("/escalations")), "{seen:?}");
    assert!(seen.iter().any(|r| r.ends_with("/on-calls")), "{seen:?}");
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_requests_are_refused_so_the_check_is_live() {
    let dir = tempfile::tempdir().unwrap();
    let prism = Prism::start_file(&patched_spec(dir.path()), &[]).await;
    let http = reqwest::Client::new();
    // `limit` above the spec's maximum of 100, and no GenieKey.
    let r = http
        .get(format!("{}/v2/alerts?limit=1000", prism.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    // A note without its `note`.
    let r = http
        .post(format!("{}/v2/alerts/{UUID}/notes", prism.url))
        .header("Authorization", format!("GenieKey {KEY}"))
        .json(&serde_json::json!({ "user": "ana" }))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 422);
    assert_eq!(prism.refused().len(), 2, "{}", prism.log());
}
