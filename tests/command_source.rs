//! `CommandSource` with real programs (sh scripts in a temp dir): JSON lines and arrays read
//! as alerts, what is not an alert counted, a program that hangs killed with the poll, one
//! that prints garbage, prints without end or exits non-zero failing with a reason (its
//! stderr in the log, not in the reason), action programs handed the alert on stdin, and
//! another onduty's `alerts --json` read as a source.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::{Severity, Status, sanitize};
use onduty::sources::backend::FromConfig;
use onduty::sources::command::{CommandSource, KIND};
use onduty::sources::{Error, Operation, Source};

/// A script at `dir/name` running `body` under sh.
fn script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
    path.display().to_string()
}

fn source(
    command: Vec<String>,
    actions: &[(&str, Vec<String>)],
    max: Option<i64>,
) -> CommandSource {
    let mut c = SourceConfig::new("cmd", KIND);
    c.set(
        "command",
        toml::Value::Array(command.into_iter().map(toml::Value::String).collect()),
    );
    if !actions.is_empty() {
        let mut table = toml::map::Map::new();
        for (name, argv) in actions {
            let mut action = toml::map::Map::new();
            action.insert(
                "command".into(),
                toml::Value::Array(argv.iter().cloned().map(toml::Value::String).collect()),
            );
            table.insert((*name).into(), toml::Value::Table(action));
        }
        c.set("actions", toml::Value::Table(table));
    }
    if let Some(m) = max {
        c.set("max_output", m);
    }
    CommandSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

fn sh(path: String) -> Vec<String> {
    vec!["/bin/sh".into(), path]
}

#[tokio::test]
async fn what_a_program_prints_is_read_as_alerts_and_actions_run_with_the_alert_on_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let poll = script(
        dir.path(),
        "poll.sh",
        r#"echo '{"id":"db1-disk","title":"Disk 95% on db1","severity":"critical","service":"db","labels":{"host":"db1"}}'
echo 'a line that is no JSON'
echo '{"id":"web-slow","title":"p99 2s","severity":"warning","status":"acked","acked_by":"bo"}'
echo 'progress: 3 checks' >&2"#,
    );
    let got = dir.path().join("got.json");
    let ack = script(dir.path(), "ack.sh", &format!("cat > {}", got.display()));
    let refuse = script(dir.path(), "refuse.sh", "echo 'no such alert' >&2; exit 4");
    let mut s = source(
        sh(poll),
        &[("acknowledge", sh(ack)), ("resolve", sh(refuse))],
        None,
    );
    let can = s.capabilities_now().unwrap();
    assert!(can.acknowledge.is_yes() && can.resolve.is_yes() && !can.snooze.is_yes());
    let snap = s.fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 2);
    assert_eq!(
        snap.invalid, 1,
        "the line that is no JSON is counted, not kept"
    );
    let disk = &snap.alerts[0];
    assert_eq!(disk.key.0, "cmd:db1-disk");
    assert_eq!((disk.severity, &*disk.service), (Severity::Critical, "db"));
    assert_eq!(snap.alerts[1].status, Status::Acked);
    s.perform(&disk.key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let given: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&got).unwrap()).unwrap();
    assert_eq!(given["action"], "acknowledge");
    assert_eq!(given["id"], "db1-disk");
    assert_eq!(given["author"], "ana");
    assert_eq!(given["schema"], 1);
    assert_eq!(
        given["alert"]["labels"]["host"], "db1",
        "the alert as printed"
    );
    let err = s
        .perform(&disk.key, &Operation::Resolve, "ana")
        .await
        .unwrap_err();
    assert!(
        matches!(&err, Error::Rejected(m) if m.contains("exited with status 4")),
        "{err:?}"
    );
    assert!(
        !err.to_string().contains("no such alert"),
        "stderr goes to the log: {err}"
    );
    let err = s
        .perform(&disk.key, &Operation::Unresolve, "ana")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("[source.actions.unresolve]"),
        "{err}"
    );
}

#[tokio::test]
async fn a_program_that_fails_fails_the_poll_with_a_reason() {
    let dir = tempfile::tempdir().unwrap();
    let garbage = script(
        dir.path(),
        "garbage.sh",
        "echo '<html>502 Bad Gateway</html>'",
    );
    let err = source(sh(garbage), &[], None).fetch().await.unwrap_err();
    assert!(err.to_string().contains("none is an alert"), "{err}");
    let exits = script(dir.path(), "exits.sh", "echo 'token expired' >&2; exit 3");
    let err = source(sh(exits), &[], None).fetch().await.unwrap_err();
    assert!(err.to_string().contains("exited with status 3"), "{err}");
    assert!(!err.to_string().contains("token expired"), "{err}");
    let endless = vec![
        "/bin/sh".into(),
        "-c".into(),
        r#"yes '{"id":"x","title":"again"}'"#.into(),
    ];
    let err = source(endless, &[], Some(1 << 20))
        .fetch()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("more than 1048576 bytes"), "{err}");
    let missing = vec!["/nonexistent/program".to_string()];
    let err = source(missing, &[], None).fetch().await.unwrap_err();
    assert!(err.to_string().contains("/nonexistent/program"), "{err}");
    // Nothing printed is no alerts, not an error.
    let quiet = script(dir.path(), "quiet.sh", "exit 0");
    assert!(
        source(sh(quiet), &[], None)
            .fetch()
            .await
            .unwrap()
            .alerts
            .is_empty()
    );
}

#[tokio::test]
async fn a_program_that_hangs_is_killed_with_the_poll() {
    let dir = tempfile::tempdir().unwrap();
    let pid = dir.path().join("pid");
    let hangs = script(
        dir.path(),
        "hangs.sh",
        &format!("sleep 600 & echo $! > {}; wait", pid.display()),
    );
    let mut s = source(sh(hangs), &[], None);
    let timed_out = tokio::time::timeout(Duration::from_millis(500), s.fetch()).await;
    assert!(timed_out.is_err(), "it never answers");
    let pid: u32 = std::fs::read_to_string(&pid)
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    // Killed when the poll gave up, children included (its process group).
    // SIGKILL is sent before `fetch` returns; the kernel tears the process down at once,
    // its reaping (by init) may take a moment: wait for that, up to two seconds.
    let alive = || {
        let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
        !state.is_empty() && !state.contains(") Z ")
    };
    let mut gone = !alive();
    for _ in 0..100 {
        if gone {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
        gone = !alive();
    }
    assert!(
        gone,
        "what the hung program started ({pid}) was killed with it"
    );
}

#[tokio::test]
async fn hostile_text_from_a_program_arrives_clean() {
    let dir = tempfile::tempdir().unwrap();
    let evil = r#"{"id":"e\u001b]52;c;cGF5\u0007","title":"t\u001b[2J\u202eevil\u200b","service":"s\u0007","labels":{"k\u001b[31m":"v\u009b31m"}}"#;
    let printer = script(dir.path(), "evil.sh", &format!("printf '%s\\n' '{evil}'"));
    let snap = source(sh(printer), &[], None).fetch().await.unwrap();
    let a = &snap.alerts[0];
    let mut texts = vec![a.key.0.as_str(), &*a.title, &*a.service];
    for (k, v) in a.labels.iter() {
        texts.push(k);
        texts.push(v);
    }
    for t in texts {
        assert!(!t.chars().any(sanitize::is_forbidden), "{t:?}");
    }
    assert!(a.title.contains("evil"));
}

#[tokio::test]
async fn another_ondutys_alerts_json_is_a_source() {
    let dir = tempfile::tempdir().unwrap();
    let command = vec![
        "/usr/bin/env".to_string(),
        format!("ONDUTY_CONFIG_DIR={}", dir.path().display()),
        format!("ONDUTY_DATA_DIR={}", dir.path().display()),
        env!("CARGO_BIN_EXE_onduty").to_string(),
        "--demo".into(),
        "alerts".into(),
        "--json".into(),
    ];
    let snap = source(command, &[], None).fetch().await.unwrap();
    assert!(
        snap.alerts.len() >= 3,
        "the demo's alerts: {}",
        snap.alerts.len()
    );
    assert_eq!(snap.invalid, 0);
    let a = &snap.alerts[0];
    assert!(a.key.0.starts_with("cmd:demo:"), "{}", a.key);
    assert!(snap.alerts.iter().any(|a| a.severity == Severity::Critical));
}

#[tokio::test]
async fn the_readmes_uptime_kuma_example_reads_the_monitors_that_are_down() {
    use support::faults::{Fault, FaultServer};
    let server = FaultServer::start(|_, line| {
        if line.contains("/api/status-page/heartbeat/prod") {
            Fault::Body(
                serde_json::json!({"heartbeatList": {
                    "1": [{"status": 1, "time": "2026-12-05 09:59:00.120", "msg": "", "ping": 40},
                          {"status": 1, "time": "2026-12-05 10:00:00.120", "msg": "", "ping": 41}],
                    "2": [{"status": 1, "time": "2026-12-05 09:59:00.000", "msg": "", "ping": 12},
                          {"status": 0, "time": "2026-12-05 10:00:00.000", "msg": "connect ECONNREFUSED 10.0.0.7:443", "ping": null}],
                    "3": [{"status": 0, "time": "2026-12-05 10:01:00.000", "msg": "timeout", "ping": null}]},
                    "uptimeList": {"1_24": 1, "2_24": 0.98, "3_24": 0.5}})
                .to_string(),
            )
        } else if line.contains("/api/status-page/prod") {
            Fault::Body(
                serde_json::json!({"config": {"slug": "prod", "title": "Prod"},
                    "publicGroupList": [{"id": 1, "name": "Services", "monitorList": [
                        {"id": 1, "name": "Website"}, {"id": 2, "name": "Checkout API"}]}]})
                .to_string(),
            )
        } else {
            Fault::Status(404, "{}")
        }
    })
    .await;
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```toml")
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains("name = \"kuma\""))
        .expect("the README's Uptime Kuma example")
        .replace("https://kuma.example.com", &server.url);
    let config = onduty::config::Config::from_str_at(
        &block,
        "kuma.toml",
        &onduty::config::Overrides::default(),
    )
    .unwrap()
    .sources[0]
        .clone();
    let mut s =
        CommandSource::from_config(config, Duration::from_secs(10), Arc::new(SystemClock)).unwrap();
    let snap = s.fetch().await.unwrap();
    let down: Vec<(&str, &str)> = snap
        .alerts
        .iter()
        .map(|a| (a.key.0.as_str(), &*a.title))
        .collect();
    assert_eq!(
        down,
        [
            ("kuma:2", "Checkout API is down"),
            ("kuma:3", "monitor 3 is down")
        ],
        "the monitors whose latest heartbeat is down, by name"
    );
    let checkout = &snap.alerts[0];
    assert_eq!(checkout.severity, Severity::Critical);
    assert_eq!(
        checkout.started_at.to_rfc3339(),
        "2026-12-05T10:00:00+00:00"
    );
    assert_eq!(
        checkout.annotations.get("message"),
        Some("connect ECONNREFUSED 10.0.0.7:443")
    );
}
