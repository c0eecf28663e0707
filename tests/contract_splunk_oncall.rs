//! `SplunkOnCallSource` against Prism serving the VictorOps public API description
//! (`../shared/specs/splunk-oncall.swagger.yaml`, `consumes` added as SOURCES.md says: the
//! file has none, so Prism would refuse every JSON body): every request the source makes
//! passes validation — its API id and key headers, the ack/resolve and reroute bodies — and
//! the answers map into the model; a request without the headers is refused, proving the
//! validation is on.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use onduty::sources::backend::FromConfig;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::sources::splunk_oncall::{KIND, SplunkOnCallSource};
use onduty::sources::{Operation, Source};
use support::prism::Prism;

const SPEC: &str = "splunk-oncall.swagger.yaml";

/// The spec as JSON with `consumes: [application/json]`, in `dir`.
fn patched_spec(dir: &std::path::Path) -> std::path::PathBuf {
    let text = std::fs::read_to_string(support::prism::spec(SPEC)).unwrap();
    let mut spec: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    spec["consumes"] = serde_json::json!(["application/json"]);
    let path = dir.join("splunk-oncall.consumes-json.json");
    std::fs::write(&path, serde_json::to_vec(&spec).unwrap()).unwrap();
    path
}

fn source(url: &str) -> SplunkOnCallSource {
    let mut c = SourceConfig::new("vo", KIND);
    c.url = Some(url.into());
    c.token_command = Some("printf vo-api-key-123".into());
    c.set("api_id", "4f1d2c3b");
    c.set("user", "ana");
    SplunkOnCallSource::from_config(c, Duration::from_secs(20), Arc::new(SystemClock)).unwrap()
}

#[tokio::test]
async fn incidents_on_call_and_actions_pass_the_specs_validation() {
    let dir = tempfile::tempdir().unwrap();
    let prism = Prism::start_file(&patched_spec(dir.path()), &[]).await;
    let mut s = source(&prism.url);
    let snap = s.fetch().await.unwrap();
    assert!(
        !snap.alerts.is_empty(),
        "the spec's example incidents map into alerts"
    );
    let a = &snap.alerts[0];
    assert!(a.key.0.starts_with("vo:"), "{}", a.key);
    let key = a.key.clone();
    // Ack and resolve take the incident names in one body; reroute a user or a policy.
    let _ = s.perform(&key, &Operation::Acknowledge, "ana").await;
    let _ = s.perform(&key, &Operation::Resolve, "ana").await;
    let to_policy = Operation::Reassign {
        to: "policy:team-db-primary".into(),
    };
    let _ = s.perform(&key, &to_policy, "ana").await;
    let seen: Vec<String> = prism
        .requests()
        .iter()
        .map(|r| r.request.to_lowercase())
        .collect();
    for want in [
        "GET /api-public/v1/user/ana",
        "GET /api-public/v1/oncall/current",
        "GET /api-public/v2/team/",
        "GET /api-public/v1/incidents",
        "PATCH /api-public/v1/incidents/ack",
        "PATCH /api-public/v1/incidents/resolve",
        "POST /api-public/v1/incidents/reroute",
    ] {
        let want = want.to_lowercase();
        assert!(
            seen.iter().any(|l| l.starts_with(&want)),
            "{want} not sent: {seen:?}"
        );
    }
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    // Without the API id and key the same request is refused: validation is on.
    let bare = reqwest::get(format!("{}/api-public/v1/incidents", prism.url))
        .await
        .unwrap();
    assert_eq!(bare.status().as_u16(), 400);
}
