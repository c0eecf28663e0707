//! One action on many alerts against a real Alertmanager: `onduty ack KEY…` and `--filter`
//! (confirmed past 20 with `--yes`) make one silence per alert, once however often they are
//! run, `onduty silence` and `onduty expire` take many too; the source's task takes a burst
//! of actions as one batch.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use serde_json::{Value, json};
use support::Alertmanager;

fn alerts(n: usize) -> Value {
    Value::Array(
        (0..n)
            .map(|i| {
                json!({"labels": {"alertname": "Bulk", "severity": "warning",
                                   "instance": format!("host-{i:04}")}})
            })
            .collect(),
    )
}

async fn setup(n: usize) -> (Alertmanager, tempfile::TempDir, std::path::PathBuf) {
    let am = Alertmanager::start().await;
    am.post_alerts(alerts(n)).await;
    am.post_alerts(json!([{"labels": {"alertname": "Other", "severity": "critical"}}]))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("onduty.toml");
    std::fs::write(
        &cfg,
        format!("identity = \"ana\"\n{}", am.source_toml("prod")),
    )
    .unwrap();
    (am, dir, cfg)
}

#[tokio::test]
async fn ack_by_filter_needs_yes_past_twenty_and_acks_each_alert_once() {
    let (am, dir, cfg) = setup(150).await;
    let run = |args: &'static [&'static str]| {
        let (dir, cfg) = (dir.path().to_path_buf(), cfg.clone());
        async move { support::run_onduty(&dir, &cfg, args).await }
    };
    let (code, out) = run(&["ack", "--filter", "alertname=Bulk"]).await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("matches 150 alerts; add --yes"), "{out}");
    assert!(am.silences().await.is_empty(), "nothing sent without --yes");

    let (code, out) = run(&["ack", "--filter", "alertname=Bulk", "--yes"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("150 ack: 150 done, 0 refused, 0 pending"),
        "{out}"
    );
    let silences = am.silences().await;
    assert_eq!(silences.len(), 150, "one silence per alert");
    let mut pinned: Vec<String> = silences.iter().map(|s| s["matchers"].to_string()).collect();
    pinned.sort();
    pinned.dedup();
    assert_eq!(pinned.len(), 150, "each on its own alert");
    assert!(silences.iter().all(|s| s["createdBy"] == "ana"));

    // Again: every one is acked already, nothing new is made.
    let (code, out) = run(&["ack", "--filter", "alertname=Bulk", "--yes"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(am.silences().await.len(), 150, "exactly once");
    let (_, listed) = run(&["alerts", "--json"]).await;
    let listed: Vec<Value> = serde_json::from_str(&listed).unwrap();
    let acked = listed.iter().filter(|a| a["status"] == "acked").count();
    assert_eq!(acked, 150, "the other alert stays firing");
}

#[tokio::test]
async fn several_keys_are_acked_in_one_command_and_a_gone_one_is_refused() {
    let (am, dir, cfg) = setup(3).await;
    let (_, listed) = support::run_onduty(dir.path(), &cfg, &["alerts", "--json"]).await;
    let listed: Vec<Value> = serde_json::from_str(&listed).unwrap();
    let mut keys: Vec<String> = listed
        .iter()
        .filter(|a| a["title"] == "Bulk")
        .map(|a| a["key"].as_str().unwrap().to_string())
        .collect();
    keys.push("prod:0000000000000000".into());
    let mut args = vec!["ack"];
    args.extend(keys.iter().map(String::as_str));
    let (code, out) = support::run_onduty(dir.path(), &cfg, &args).await;
    assert_eq!(code, 1, "one was refused: {out}");
    assert!(out.contains("4 ack: 3 done, 1 refused, 0 pending"), "{out}");
    assert!(out.contains("no longer firing"), "{out}");
    assert_eq!(am.silences().await.len(), 3);
}

#[tokio::test]
async fn several_alerts_are_silenced_and_their_silences_expired_in_one_command_each() {
    let (am, dir, cfg) = setup(30).await;
    let run = |args: Vec<String>| {
        let (dir, cfg) = (dir.path().to_path_buf(), cfg.clone());
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            support::run_onduty(&dir, &cfg, &args).await
        }
    };
    let words = |s: &str| -> Vec<String> { s.split(' ').map(str::to_string).collect() };
    let (code, out) = run(words("silence --filter alertname=Bulk --for 1h")).await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("matches 30 alerts; add --yes"), "{out}");
    let (code, out) = run(words(
        "silence --filter alertname=Bulk --yes --for 1h --comment vendor",
    ))
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("30 silence 1h: vendor: 30 done, 0 refused, 0 pending"),
        "{out}"
    );
    let silences = am.silences().await;
    assert_eq!(silences.len(), 30);
    assert!(silences.iter().all(|s| s["comment"] == "vendor"));
    // Keys and matchers at once is one or the other.
    let (code, out) = run(words("silence prod:x --matcher alertname=Bulk")).await;
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not both"), "{out}");

    let mut expire = vec!["expire".to_string()];
    expire.extend(
        silences
            .iter()
            .take(12)
            .map(|s| format!("prod:{}", s["id"].as_str().unwrap())),
    );
    let (code, out) = run(expire.clone()).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("12 expire: 12 done, 0 refused"), "{out}");
    let active = |all: &[Value]| {
        all.iter()
            .filter(|s| s["status"]["state"] == "active")
            .count()
    };
    assert_eq!(active(&am.silences().await), 18);
    // Again: expired already, nothing changes and nothing is refused.
    let (code, out) = run(expire).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(active(&am.silences().await), 18);
}

/// The dashboard's path: a burst of 200 acks queued on the source's task is taken as one
/// batch; each gets its own outcome, each alert one silence.
#[tokio::test]
async fn a_burst_of_acks_on_the_sources_task_gets_every_outcome_and_one_silence_each() {
    use onduty::clock::SystemClock;
    use onduty::config::SourceConfig;
    use onduty::sources::alertmanager::AlertmanagerSource;
    use onduty::sources::{self as poller, PollPolicy};
    use onduty::sources::{Operation, Source, SourceCommand, SourceEvent};
    use std::sync::Arc;
    use std::time::Duration;

    let (am, _dir, _cfg) = setup(200).await;
    let mut c = SourceConfig::new("prod", onduty::sources::demo::KIND);
    c.kind = onduty::sources::alertmanager::KIND;
    c.url = Some(am.url.clone());
    let mut source =
        AlertmanagerSource::new(c.clone(), Duration::from_secs(5), Arc::new(SystemClock)).unwrap();
    let keys: Vec<_> = source
        .fetch()
        .await
        .unwrap()
        .alerts
        .iter()
        .filter(|a| &*a.title == "Bulk")
        .map(|a| a.key.clone())
        .collect();
    assert_eq!(keys.len(), 200);
    let source = AlertmanagerSource::new(c, Duration::from_secs(5), Arc::new(SystemClock)).unwrap();
    let (events, mut told) = tokio::sync::mpsc::channel(1024);
    let (commands, queue) = tokio::sync::mpsc::unbounded_channel();
    let cancel = tokio_util::sync::CancellationToken::new();
    let policy = PollPolicy {
        interval: Duration::from_secs(3600),
        ..PollPolicy::default()
    };
    let mut ids = std::collections::HashSet::new();
    for key in &keys {
        let id = onduty::journal::outbox::new_command_id();
        ids.insert(id);
        commands
            .send(SourceCommand::Perform {
                id,
                key: key.clone(),
                op: Operation::Acknowledge,
                author: "ana".into(),
            })
            .unwrap();
    }
    let task = poller::spawn(
        source,
        policy,
        Arc::new(SystemClock),
        events,
        queue,
        cancel.clone(),
    );
    let done = tokio::time::timeout(Duration::from_secs(30), async {
        let mut ok = 0;
        while ok < keys.len() {
            match told.recv().await {
                Some(SourceEvent::CommandDone { id, result, .. }) => {
                    assert!(ids.remove(&id), "one outcome per action");
                    assert!(result.is_ok(), "{result:?}");
                    ok += 1;
                }
                Some(_) => {}
                None => panic!("the task stopped"),
            }
        }
    })
    .await;
    assert!(done.is_ok(), "every outcome told");
    assert_eq!(am.silences().await.len(), 200);
    cancel.cancel();
    let _ = task.await;
}

/// `kill -9` in the middle of a bulk ack, then `onduty outbox --flush`: every alert ends
/// with exactly one silence (the items sent before the kill are found done, not doubled).
#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_ack_killed_in_the_middle_is_finished_by_a_flush_exactly_once() {
    let (am, dir, cfg) = setup(1500).await;
    let mut child = support::onduty_command(
        dir.path(),
        &cfg,
        &["ack", "--filter", "alertname=Bulk", "--yes"],
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::null())
    .spawn()
    .unwrap();
    let killed_at = loop {
        let made = am.silences().await.len();
        if made >= 20 {
            child.start_kill().unwrap();
            break made;
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the ack ended before it was killed"
        );
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    };
    let _ = child.wait().await;
    let at_kill = am.silences().await.len();
    assert!(
        at_kill < 1500,
        "killed in the middle: {killed_at} then {at_kill} silences"
    );
    let (code, out) = support::run_onduty(dir.path(), &cfg, &["outbox", "--flush"]).await;
    assert_eq!(code, 0, "{out}");
    let silences = am.silences().await;
    let mut pinned: Vec<String> = silences.iter().map(|s| s["matchers"].to_string()).collect();
    pinned.sort();
    pinned.dedup();
    assert_eq!(
        (silences.len(), pinned.len()),
        (1500, 1500),
        "one silence per alert after the flush (killed with {at_kill} made)"
    );
}
