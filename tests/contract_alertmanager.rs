//! `AlertmanagerSource` against a real Alertmanager started by the test: listing and mapping,
//! several instances as one row, silences created and expired, the ack that lasts while the
//! alert fires and lapses after it resolves, hostile text arriving sanitized; and faults
//! from the fault server.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use onduty::app::{Action, SourceInfo};
use onduty::clock::{ManualClock, SharedClock, SystemClock};
use onduty::config::SourceConfig;
use onduty::model::{AlertKey, Matcher, Severity, SourceId, Status, sanitize};
use onduty::sources::alertmanager::AlertmanagerSource;
use onduty::sources::{Error, Operation, Source, SourceEvent};
use serde_json::{Value, json};
use support::Alertmanager;
use support::faults::{self, Fault};

fn config(name: &str, url: &str) -> SourceConfig {
    let mut c = SourceConfig::new(name, onduty::sources::demo::KIND);
    c.kind = onduty::sources::alertmanager::KIND;
    c.url = Some(url.to_string());
    c
}

fn source(name: &str, url: &str) -> AlertmanagerSource {
    AlertmanagerSource::new(
        config(name, url),
        Duration::from_secs(5),
        Arc::new(SystemClock),
    )
    .unwrap()
}

fn alert(name: &str, severity: &str, extra: Value) -> Value {
    let mut labels = json!({"alertname": name, "severity": severity, "service": "checkout"});
    if let (Some(l), Some(e)) = (labels.as_object_mut(), extra.as_object()) {
        l.extend(e.clone());
    }
    json!({"labels": labels, "annotations": {"summary": format!("{name} summary"), "runbook_url": "https://rb.example/x"},
           "generatorURL": "http://prometheus.example/graph"})
}

#[tokio::test]
async fn lists_alerts_with_severity_links_and_sanitized_hostile_text() {
    let am = Alertmanager::start().await;
    let hostile = "pay\u{1b}]52;c;ZXZpbA==\u{7}ments\u{202e}\u{200b}";
    am.post_alerts(json!([
        alert("HighLatency", "critical", json!({"team": hostile})),
        {"labels": {"alertname": "Disk\u{1b}[2J\u{9b}31mFull", "severity": "P1"},
         "annotations": {"description": format!("line1\n{}", "x".repeat(100_000))}}
    ]))
    .await;
    let mut cfg = config("am", &am.url);
    cfg.set(
        "severity_map",
        toml::Table::from_iter([("P1".into(), "error".into())]),
    );
    let mut src =
        AlertmanagerSource::new(cfg, Duration::from_secs(5), Arc::new(SystemClock)).unwrap();
    let snap = src.fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 2);
    let hl = snap
        .alerts
        .iter()
        .find(|a| &*a.title == "HighLatency")
        .unwrap();
    assert_eq!(hl.severity, Severity::Critical);
    assert_eq!(hl.status, Status::Firing);
    assert_eq!(&hl.labels["team"], "payments");
    let fp = hl.fingerprint.clone().unwrap();
    assert_eq!(hl.key, AlertKey(format!("am:{fp}")));
    assert!(
        hl.links
            .iter()
            .any(|l| &*l.label == "runbook" && &*l.url == "https://rb.example/x")
    );
    assert!(
        hl.links
            .iter()
            .any(|l| &*l.label == "source" && l.url.contains("prometheus.example"))
    );
    assert_eq!(*hl.receivers, [Arc::from("default")]);
    let disk = snap
        .alerts
        .iter()
        .find(|a| &*a.title != "HighLatency")
        .unwrap();
    assert_eq!(&*disk.title, "DiskFull");
    assert_eq!(disk.severity, Severity::Error, "severity_map applies");
    let desc = &disk.annotations["description"];
    assert!(desc.chars().count() <= sanitize::TEXT_CAP && desc.ends_with('…'));
    for a in snap.alerts.iter() {
        let all = format!("{} {:?} {:?}", a.title, a.labels, a.annotations);
        assert!(
            !all.chars().any(|c| c != '\n' && sanitize::is_forbidden(c)),
            "{all:?}"
        );
    }
}

#[tokio::test]
async fn two_instances_reporting_one_alert_make_one_row_and_one_failing_instance_stays_alone() {
    let (a, b) = (Alertmanager::start().await, Alertmanager::start().await);
    let both = alert("HighLatency", "critical", json!({}));
    a.post_alerts(json!([
        both.clone(),
        alert("OnlyInA", "warning", json!({}))
    ]))
    .await;
    b.post_alerts(json!([both])).await;
    let mut app = onduty::testing::empty_app(Utc::now());
    app.sources.clear();
    let infos = ["am-a", "am-b"].map(|n| {
        SourceInfo::new(
            SourceId(n.into()),
            onduty::sources::alertmanager::KIND,
            Duration::from_secs(15),
        )
    });
    let mut app = onduty::app::App::new(
        app.settings.clone(),
        infos.to_vec(),
        app.theme.clone(),
        app.themes.clone(),
        Utc::now(),
    );
    for (name, am) in [("am-a", &a), ("am-b", &b)] {
        let snap = source(name, &am.url).fetch().await.unwrap();
        app.update(Action::Source(SourceEvent::AlertsFetched {
            source: SourceId(name.into()),
            alerts: snap.alerts,
            escalation: Arc::from(snap.escalation),
            silences: Arc::from(snap.silences),
            tickets: Arc::from(snap.tickets),
            fetched_at: Utc::now(),
        }));
    }
    assert_eq!(
        app.shown_of_total(),
        (2, 2),
        "three reports, two distinct alerts"
    );
    let hl = app
        .all_alerts()
        .map(|(_, a)| a)
        .find(|x| &*x.title == "HighLatency" && &*x.source.0 == "am-a")
        .unwrap()
        .clone();
    let reporters: Vec<_> = app
        .reporters(&hl)
        .iter()
        .map(|s| s.info.id.0.to_string())
        .collect();
    assert_eq!(reporters, ["am-a", "am-b"]);
    app.update(Action::Source(SourceEvent::PollFailed {
        source: SourceId("am-b".into()),
        error: "connection refused".into(),
        at: Utc::now(),
    }));
    assert!(matches!(
        app.sources[0].health(Utc::now()),
        onduty::app::SourceHealth::Ok
    ));
    assert!(matches!(
        app.sources[1].health(Utc::now()),
        onduty::app::SourceHealth::Failing(_)
    ));
    assert_eq!(
        app.shown_of_total(),
        (2, 2),
        "the failing instance's last data stays"
    );
}

#[tokio::test]
async fn an_identical_answer_is_not_decoded_again_and_a_changed_one_is() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([alert("HighLatency", "critical", json!({}))]))
        .await;
    let mut src = source("am", &am.url);
    let first = src.fetch().await.unwrap();
    let again = src.fetch().await.unwrap();
    assert!(
        Arc::ptr_eq(&first.alerts, &again.alerts),
        "the same bytes keep the same snapshot"
    );
    am.post_alerts(json!([alert("DiskFull", "warning", json!({}))]))
        .await;
    let changed = src.fetch().await.unwrap();
    assert!(!Arc::ptr_eq(&first.alerts, &changed.alerts));
    let mut titles: Vec<_> = changed.alerts.iter().map(|a| a.title.to_string()).collect();
    titles.sort();
    assert_eq!(titles, ["DiskFull", "HighLatency"]);
}

#[tokio::test]
async fn silences_are_created_by_matchers_and_expired() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([alert("HighLatency", "critical", json!({}))]))
        .await;
    let mut src = source("am", &am.url);
    src.fetch().await.unwrap();
    let op = Operation::CreateSilence {
        starts_at: None,
        matchers: vec![Matcher::parse("alertname=~\"High.*\"").unwrap()],
        duration: Duration::from_secs(3600),
        comment: "deploy window".into(),
    };
    let any = AlertKey("am:".into());
    src.perform(&any, &op, "ana").await.unwrap();
    src.perform(&any, &op, "ana").await.unwrap();
    let on_server = am.silences().await;
    assert_eq!(
        on_server.len(),
        1,
        "a retried create does not silence twice"
    );
    let s = &on_server[0];
    assert_eq!(
        (s["createdBy"].as_str(), s["comment"].as_str()),
        (Some("ana"), Some("deploy window"))
    );
    assert_eq!(s["matchers"][0]["isRegex"], true);
    let snap = src.fetch().await.unwrap();
    assert_eq!(snap.alerts[0].status, Status::Silenced);
    assert!(snap.alerts[0].silenced_until.is_some());
    let id = s["id"].as_str().unwrap().to_string();
    src.perform(&any, &Operation::ExpireSilence { id: id.clone() }, "ana")
        .await
        .unwrap();
    let after = am.silences().await;
    assert_eq!(after[0]["status"]["state"], "expired");
    assert_eq!(src.fetch().await.unwrap().alerts[0].status, Status::Firing);
    src.perform(&any, &Operation::ExpireSilence { id }, "ana")
        .await
        .unwrap();
}

#[tokio::test]
async fn ack_lasts_while_the_alert_fires_survives_a_restart_and_lapses_after_it_resolves() {
    let am = Alertmanager::start().await;
    let firing = alert("HighLatency", "critical", json!({"instance": "api-1"}));
    am.post_alerts(json!([
        firing.clone(),
        alert("Other", "warning", json!({}))
    ]))
    .await;
    let clock = ManualClock::new(Utc::now());
    let shared: SharedClock = Arc::new(clock.clone());
    let mut cfg = config("am", &am.url);
    cfg.set("ack_window", "4s");
    let mut src =
        AlertmanagerSource::new(cfg.clone(), Duration::from_secs(5), shared.clone()).unwrap();
    let snap = src.fetch().await.unwrap();
    let key = snap
        .alerts
        .iter()
        .find(|a| &*a.title == "HighLatency")
        .unwrap()
        .key
        .clone();

    src.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    src.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let silences = am.silences().await;
    assert_eq!(
        silences.len(),
        1,
        "a retried ack does not make a second silence"
    );
    let ack = &silences[0];
    assert!(ack["comment"].as_str().unwrap().starts_with("ack: "));
    assert_eq!(ack["createdBy"], "ana");
    let first_end = chrono::DateTime::parse_from_rfc3339(ack["endsAt"].as_str().unwrap()).unwrap();

    let snap = src.fetch().await.unwrap();
    let acked = snap.alerts.iter().find(|a| a.key == key).unwrap();
    assert_eq!(
        (acked.status, acked.acked_by.as_deref()),
        (Status::Acked, Some("ana"))
    );
    let other = snap.alerts.iter().find(|a| &*a.title == "Other").unwrap();
    assert_eq!(
        other.status,
        Status::Firing,
        "the ack pins exactly one alert"
    );

    // A restarted onduty rebuilds the ack from Alertmanager's silences.
    let mut restarted =
        AlertmanagerSource::new(cfg, Duration::from_secs(5), shared.clone()).unwrap();
    let again = restarted.fetch().await.unwrap();
    assert_eq!(
        again.alerts.iter().find(|a| a.key == key).unwrap().status,
        Status::Acked
    );

    // Half a window later, while it fires, the next poll extends the ack.
    clock.advance(TimeDelta::seconds(3));
    src.fetch().await.unwrap();
    let extended = am
        .silences()
        .await
        .into_iter()
        .find(|s| s["status"]["state"] == "active")
        .unwrap();
    let new_end =
        chrono::DateTime::parse_from_rfc3339(extended["endsAt"].as_str().unwrap()).unwrap();
    assert!(new_end > first_end, "extended: {first_end} -> {new_end}");

    // The alert resolves: the ack is no longer extended and lapses on its own.
    let mut resolved = firing;
    resolved["endsAt"] = json!(Utc::now().to_rfc3339());
    am.post_alerts(json!([resolved])).await;
    clock.advance(TimeDelta::seconds(3));
    src.fetch().await.unwrap();
    let not_extended = am
        .silences()
        .await
        .into_iter()
        .find(|s| s["id"] == extended["id"])
        .unwrap();
    assert_eq!(
        not_extended["endsAt"], extended["endsAt"],
        "not extended once resolved"
    );
    // Wait (bounded) for Alertmanager's own clock to pass the silence's end.
    let deadline = std::time::Instant::now() + Duration::from_secs(15);
    loop {
        let s = am
            .silences()
            .await
            .into_iter()
            .find(|s| s["id"] == extended["id"])
            .unwrap();
        if s["status"]["state"] == "expired" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the ack never lapsed: {s}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn resolve_and_notes_are_refused_with_a_reason() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([alert("HighLatency", "critical", json!({}))]))
        .await;
    let mut src = source("am", &am.url);
    let key = src.fetch().await.unwrap().alerts[0].key.clone();
    let e = src
        .perform(&key, &Operation::Resolve, "ana")
        .await
        .unwrap_err();
    assert!(e.to_string().contains("resolve at their source"), "{e}");
    let gone = AlertKey("am:0000".into());
    let e = src
        .perform(&gone, &Operation::Acknowledge, "ana")
        .await
        .unwrap_err();
    // Just started, so it might come back for an action queued before; not for one of now.
    let now = onduty::sources::Failure::from(&e).for_action_queued_at(Utc::now());
    assert!(!now.is_transient, "{now:?}");
    assert!(now.message.contains("no longer firing"), "{now:?}");
}

async fn fetch_from(fault: Fault, timeout: Duration, cap_mb: Option<u64>) -> Error {
    let url = faults::serve(fault).await;
    let mut cfg = config("f", &url);
    cfg.max_response_mb = cap_mb;
    let mut src = AlertmanagerSource::new(cfg, timeout, Arc::new(SystemClock)).unwrap();
    src.fetch().await.unwrap_err()
}

#[tokio::test]
async fn faults_become_clear_errors() {
    let t = Duration::from_secs(5);
    let e = fetch_from(Fault::Status(500, "{\"error\":\"boom\u{1b}[2J\"}"), t, None).await;
    assert!(
        matches!(&e, Error::Http { status: 500, message } if message.contains("boom") && !message.contains('\u{1b}')),
        "{e:?}"
    );
    let e = fetch_from(Fault::Status(401, "no"), t, None).await;
    assert!(
        matches!(&e, Error::Auth(m) if m.contains("check the token")),
        "{e:?}"
    );
    let e = fetch_from(Fault::Body("[{\"labels\": ".into()), t, None).await;
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    let e = fetch_from(Fault::Body("not json".into()), t, None).await;
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    let e = fetch_from(
        Fault::Truncated {
            announced: 1000,
            sent: "[{\"labels\":{}}".into(),
        },
        t,
        None,
    )
    .await;
    assert!(matches!(e, Error::Decode(_) | Error::Connect(_)), "{e:?}");
    let e = fetch_from(
        Fault::Slow(Duration::from_secs(30)),
        Duration::from_millis(300),
        None,
    )
    .await;
    assert!(matches!(e, Error::Timeout(_)), "{e:?}");
    let e = fetch_from(Fault::Huge(50 << 20), t, Some(10)).await;
    assert!(
        matches!(&e, Error::Decode(m) if m.contains("10 MB cap")),
        "{e:?}"
    );
}

#[tokio::test]
async fn a_server_that_is_down_is_a_connection_error() {
    let url = format!("http://127.0.0.1:{}", support::free_port());
    let e = source("down", &url).fetch().await.unwrap_err();
    assert!(matches!(e, Error::Connect(_)), "{e:?}");
}

async fn onduty_cli(config: &std::path::Path, args: &[&str]) -> (bool, String) {
    let dir = tempfile::tempdir().unwrap();
    let (code, text) = support::run_onduty(dir.path(), config, args).await;
    (code == 0, text)
}

#[tokio::test]
async fn the_cli_lists_acks_and_silences_on_a_real_alertmanager() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([
        alert("HighLatency", "critical", json!({})),
        alert("DiskFull", "warning", json!({}))
    ]))
    .await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("onduty.toml");
    std::fs::write(
        &cfg,
        format!("identity = \"ana\"\n{}", am.source_toml("prod")),
    )
    .unwrap();

    let (ok, out) = onduty_cli(&cfg, &["alerts", "--json"]).await;
    assert!(ok, "{out}");
    let alerts: Vec<Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(alerts.len(), 2);
    let key = |title: &str| {
        alerts.iter().find(|a| a["title"] == title).unwrap()["key"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let (hl, disk) = (key("HighLatency"), key("DiskFull"));
    assert!(hl.starts_with("prod:"));

    let (ok, out) = onduty_cli(&cfg, &["ack", &hl]).await;
    assert!(ok && out.contains("done"), "{out}");
    let (ok, out) = onduty_cli(
        &cfg,
        &[
            "silence",
            &disk,
            "--for",
            "2h",
            "--comment",
            "cleanup running",
        ],
    )
    .await;
    assert!(ok && out.contains("done"), "{out}");
    let silences = am.silences().await;
    assert_eq!(silences.len(), 2);
    assert!(silences.iter().all(|s| s["createdBy"] == "ana"));
    assert!(silences.iter().any(|s| s["comment"] == "cleanup running"));

    let (_, out) = onduty_cli(&cfg, &["alerts", "--json"]).await;
    let alerts: Vec<Value> = serde_json::from_str(&out).unwrap();
    let status = |k: &str| alerts.iter().find(|a| a["key"] == k).unwrap()["status"].clone();
    assert_eq!(
        (status(&hl), status(&disk)),
        (json!("acked"), json!("silenced"))
    );

    let (ok, out) = onduty_cli(&cfg, &["ack", "prod:nope"]).await;
    assert!(!ok && out.contains("no longer firing"), "{out}");
    let (ok, out) = onduty_cli(&cfg, &["silences"]).await;
    assert!(
        ok && out.contains("cleanup running") && out.contains("2 silence(s)"),
        "{out}"
    );
}

/// Grafana-managed alerts: Grafana serves an Alertmanager-compatible API under
/// `/api/alertmanager/grafana/api/v2/`, with a service-account token. The Alertmanager
/// source reads it as it reads any Alertmanager behind a path: here a real Alertmanager
/// served under that prefix, with the token sent as a bearer.
#[tokio::test]
async fn an_alertmanager_behind_grafanas_path_is_read_and_acked_through_it() {
    let am = Alertmanager::start_behind("/api/alertmanager/grafana").await;
    assert!(am.url.ends_with("/api/alertmanager/grafana"), "{}", am.url);
    am.post_alerts(json!([alert("GrafanaRuleFired", "critical", json!({}))]))
        .await;
    let mut c = config("grafana", &am.url);
    c.token_command = Some("printf glsa_0123456789abcdef".into());
    let mut s = AlertmanagerSource::new(c, Duration::from_secs(5), Arc::new(SystemClock)).unwrap();
    let snap = s.fetch().await.unwrap();
    let a = snap
        .alerts
        .iter()
        .find(|a| &*a.title == "GrafanaRuleFired")
        .unwrap()
        .clone();
    s.perform(&a.key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let silences = am.silences().await;
    assert_eq!(
        silences.len(),
        1,
        "the ack silence, through the prefixed path: {silences:?}"
    );
    let snap = s.fetch().await.unwrap();
    let acked = snap.alerts.iter().find(|x| x.key == a.key).unwrap();
    assert_eq!(acked.status, Status::Acked);
}
