//! `OpsgenieSource` against the fault server, for what Prism's static examples cannot show:
//! paging to the end, Opsgenie's 20,000 window refused rather than cut, the key sent as
//! `GenieKey` and kept out of errors, hostile text sanitized. (Issue 27, listing part.)

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::sources::Source;
use onduty::sources::opsgenie::{KIND, OpsgenieSource, PAGE, WINDOW};
use support::faults::{Fault, FaultServer};

const KEY: &str = "4f1d2c3b-aa11-bb22-cc33-dd44ee55ff66";

fn source(url: &str) -> OpsgenieSource {
    let mut c = SourceConfig::new("og", KIND);
    c.url = Some(url.into());
    c.token_command = Some(format!("printf {KEY}"));
    OpsgenieSource::new(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

/// A page of `n` alerts numbered from `from`.
fn page(from: usize, n: usize) -> String {
    let data: Vec<String> = (from..from + n)
        .map(|i| {
            format!(r#"{{"id":"a{i}","message":"alert {i}","status":"open","priority":"P2"}}"#)
        })
        .collect();
    format!(
        r#"{{"data":[{}],"took":0.1,"requestId":"r"}}"#,
        data.join(",")
    )
}

/// The `offset` a listing asked for.
fn offset_of(target: &str) -> usize {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("offset="))
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn every_page_is_read_with_the_genie_key_until_a_short_one() {
    let s = FaultServer::start_full(|_, seen| {
        let offset = offset_of(seen.target());
        match offset {
            0 => Fault::Body(page(0, PAGE)),
            100 => Fault::Body(page(100, PAGE)),
            _ => Fault::Body(page(offset, 17)),
        }
    })
    .await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), 2 * PAGE + 17);
    let offsets: Vec<usize> = s.seen().iter().map(|r| offset_of(r.target())).collect();
    assert_eq!(offsets, [0, 100, 200]);
    let head = &s.seen()[0].head;
    assert!(
        head.contains(&format!("authorization: GenieKey {KEY}"))
            || head.contains(&format!("Authorization: GenieKey {KEY}")),
        "{head}"
    );
    assert!(
        s.seen()[0].target().contains("query=status%3A+open"),
        "{}",
        s.seen()[0].target()
    );
}

#[tokio::test]
async fn more_than_the_window_is_an_error_never_a_shorter_list() {
    let s =
        FaultServer::start_full(|_, seen| Fault::Body(page(offset_of(seen.target()), PAGE))).await;
    let err = source(&s.url).fetch().await.unwrap_err().to_string();
    assert!(
        err.contains("20000") && err.contains("narrow `query`"),
        "{err}"
    );
    assert_eq!(
        s.seen().len(),
        WINDOW / PAGE,
        "every page the window allows, then no more"
    );
}

#[tokio::test]
async fn a_refused_key_is_named_without_its_value() {
    let s = FaultServer::start(|_, _| Fault::Reflect(401)).await;
    let err = source(&s.url).fetch().await.unwrap_err().to_string();
    assert!(!err.contains(KEY), "{err}");
}

#[tokio::test]
async fn hostile_text_is_sanitized_when_the_alert_is_built() {
    let body = r#"{"data":[{"id":"h1","message":"\u001b]52;c;ZXZpbA==\u0007pwned\u202e","status":"open","tags":["\u001b[2Jx"]}]}"#;
    let s = FaultServer::start(move |_, _| Fault::Body(body.into())).await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    let a = &snapshot.alerts[0];
    assert_eq!(&*a.title, "pwned");
    assert_eq!(a.field("tags"), Some("x"));
}
