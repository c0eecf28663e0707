//! `OpsgenieSource` against Prism serving Opsgenie's official Swagger (read from
//! ../shared/specs, never copied): the alert listing onduty sends passes the spec's
//! validation, with the `GenieKey` authorization it declares, and a malformed one is refused,
//! so the check is live. (Issue 27: the actions' requests join this test as they are built.)

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::sources::Source;
use onduty::sources::opsgenie::{KIND, OpsgenieSource};
use support::prism::Prism;

const SPEC: &str = "opsgenie.swagger.json";

fn config(url: &str) -> SourceConfig {
    let mut c = SourceConfig::new("og", KIND);
    c.url = Some(url.into());
    c.token_command = Some("printf 4f1d2c3b-aa11-bb22-cc33-dd44ee55ff66".into());
    c.set("query", "status: open AND priority: P1");
    c
}

#[tokio::test(flavor = "multi_thread")]
async fn the_alert_listing_passes_the_spec() {
    let prism = Prism::start(SPEC).await;
    let mut og = OpsgenieSource::new(
        config(&prism.url),
        Duration::from_secs(20),
        Arc::new(SystemClock),
    )
    .unwrap();
    og.fetch().await.unwrap();
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    assert!(
        seen.iter().any(|r| r.starts_with("get /v2/alerts")),
        "{seen:?}\n{}",
        prism.log()
    );
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_malformed_listing_is_refused_so_the_check_is_live() {
    let prism = Prism::start(SPEC).await;
    let http = reqwest::Client::new();
    // `limit` above the spec's maximum of 100, and no GenieKey.
    let r = http
        .get(format!("{}/v2/alerts?limit=1000", prism.url))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_client_error(), "{}", r.status());
    assert!(!prism.refused().is_empty(), "{}", prism.log());
}
