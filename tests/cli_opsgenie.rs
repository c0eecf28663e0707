//! The acceptance of issue 27 from the command line, with the real binary: an Opsgenie
//! source and a JSM Operations source (the stateful fake of `support::opsgenie`) beside a
//! real Alertmanager make one list; ack, unack, add responder, a note and resolve go through the
//! outbox to the right back end and wait for Opsgenie's outcome; a refusal says Opsgenie's
//! reason; `onduty check` shows how to move the Opsgenie source to JSM; a `kill -9` between a
//! write's 202 and its outcome, then `onduty outbox --flush`, finds it done and sends nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::{Arc, Mutex};

use serde_json::json;
use support::Alertmanager;
use support::faults::{Fault, FaultServer};
use support::opsgenie::{Fake, answer};

/// A fake that also lists its one alert `a1` (under either API).
async fn listing_fake(fake: Fake) -> (FaultServer, Arc<Mutex<Fake>>) {
    let shared = Arc::new(Mutex::new(fake));
    let state = shared.clone();
    let server = FaultServer::start_full(move |_, seen| {
        let path = seen.target().split('?').next().unwrap_or_default();
        match path {
            "/_edge/tenant_info" => Fault::Body(r#"{"cloudId":"cloud-7"}"#.into()),
            "/v2/alerts" | "/jsm/ops/api/cloud-7/v1/alerts" => {
                let acked = state.lock().unwrap().acknowledged;
                Fault::Body(format!(
                    r#"{{"data":[{{"id":"a1","message":"Checkout 5xx","status":"open",
                    "acknowledged":{acked},"priority":"P1","count":12}}]}}"#
                ))
            }
            _ => answer(&state, seen),
        }
    })
    .await;
    (server, shared)
}

#[tokio::test(flavor = "multi_thread")]
async fn opsgenie_and_jsm_beside_an_alertmanager_one_list_and_every_action() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([{"labels": {"alertname": "DiskFull", "severity": "warning"}}]))
        .await;
    let done = Fake {
        outcome: Some(Ok(())),
        ..Fake::default()
    };
    let (og, og_state) = listing_fake(done).await;
    let refusing = Fake {
        pending: 1,
        outcome: Some(Err("Alert is already closed".into())),
        ..Fake::default()
    };
    let (jsm, _) = listing_fake(refusing).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("onduty.toml");
    std::fs::write(
        &cfg,
        format!(
            "identity = \"ana\"\n{}\n[[source]]\nname = \"og\"\nkind = \"opsgenie\"\nurl = \"{}\"\n\
             token_command = \"printf og-key\"\n\n[[source]]\nname = \"jsm\"\nkind = \"jsm_ops\"\n\
             url = \"{}\"\nusername = \"ana@example.com\"\ntoken_command = \"printf jsm-token\"\n\
             api_url = \"{}/jsm/ops/api/{{cloud_id}}\"\n",
            am.source_toml("am"),
            og.url,
            jsm.url,
            jsm.url
        ),
    )
    .unwrap();
    let run = |args: &'static [&'static str]| {
        let (dir, cfg) = (dir.path().to_path_buf(), cfg.clone());
        async move { support::run_onduty(&dir, &cfg, args).await }
    };

    let (code, out) = run(&["alerts", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    for key in ["og:a1", "jsm:a1", "DiskFull"] {
        assert!(out.contains(key), "{key} in the one list: {out}");
    }
    let (_, table) = run(&["alerts"]).await;
    assert!(table.contains("Checkout 5xx ×12"), "{table}");

    let (code, out) = run(&["ack", "og:a1"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(og_state.lock().unwrap().acknowledged, "{out}");
    let (code, out) = run(&["unack", "og:a1"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&["responder", "--add", "team:SRE", "og:a1"]).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(&["note", "og:a1", "rolled", "back"]).await;
    assert_eq!(code, 0, "{out}");
    let posted: Vec<String> = og
        .seen()
        .iter()
        .filter(|r| r.line.starts_with("POST"))
        .map(|r| r.target().split('?').next().unwrap().to_string())
        .collect();
    assert_eq!(
        posted,
        [
            "/v2/alerts/a1/acknowledge",
            "/v2/alerts/a1/unacknowledge",
            "/v2/alerts/a1/responders",
            "/v2/alerts/a1/notes"
        ]
    );

    let (code, out) = run(&["resolve", "jsm:a1"]).await;
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("Alert is already closed"),
        "Opsgenie's reason: {out}"
    );

    let (_, out) = run(&["check"]).await;
    assert!(out.contains("kind = \"jsm_ops\""), "{out}");
    assert!(out.contains("switched off on 2027-04-05"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_kill_9_between_the_202_and_its_outcome_then_a_flush_finds_it_done_and_sends_nothing() {
    // Opsgenie accepts the ack and never says how it went while the first process lives.
    let (og, state) = listing_fake(Fake::default()).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("onduty.toml");
    std::fs::write(
        &cfg,
        format!(
            "identity = \"ana\"\n[[source]]\nname = \"og\"\nkind = \"opsgenie\"\nurl = \"{}\"\n\
             token_command = \"printf og-key\"\ntimeout = \"60s\"\n",
            og.url
        ),
    )
    .unwrap();
    let mut first = support::onduty_command(dir.path(), &cfg, &["ack", "og:a1"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let posted = |s: &FaultServer| {
        s.seen()
            .iter()
            .filter(|r| r.line.starts_with("POST"))
            .count()
    };
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(30);
    while posted(&og) == 0 {
        assert!(
            std::time::Instant::now() < deadline,
            "the ack was never sent"
        );
        assert!(
            first.try_wait().unwrap().is_none(),
            "the ack ended on its own"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    // Gone between the 202 and its outcome; Opsgenie goes on and does it.
    first.start_kill().unwrap();
    first.wait().await.unwrap();
    state.lock().unwrap().acknowledged = true;
    let (code, out) = support::run_onduty(dir.path(), &cfg, &["outbox", "--flush"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        posted(&og),
        1,
        "the re-send looked first and sent nothing: {out}"
    );
    let (_, out) = support::run_onduty(dir.path(), &cfg, &["outbox"]).await;
    assert!(out.starts_with("0 pending"), "nothing left to send: {out}");
    assert!(out.contains("confirmed") && out.contains("og:a1"), "{out}");
}
