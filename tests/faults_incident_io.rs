//! `IncidentIoSource` on the fault server, for what Prism's static answers cannot show:
//! paging by cursor to the end, more than `max_alerts` refused rather than cut, a re-sent
//! resolve of an alert already resolved counted done, and hostile text arriving clean.

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
        .filter(|s| s.line.starts_with("GET"))
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
