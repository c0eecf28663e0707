//! `IncidentIoSource` against Prism serving incident.io's own API description
//! (`../shared/specs/incident-io.openapi.json`): the firing alerts listed with a valid page
//! size and cursor, mapped into the model; resolving one passes validation; a request
//! without `page_size` is refused, proving validation is on. (Prism's static answers give the
//! same cursor every time: the walk must end, not loop.)

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
