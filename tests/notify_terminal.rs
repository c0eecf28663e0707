//! Notifications through the terminal, end to end: the real binary in a pty "over SSH"
//! (`auto` then takes the bell and OSC 9/777), a real Alertmanager; an alert that fires
//! after the first poll reaches the terminal as the exact OSC 9 and OSC 777 sequences and a
//! bell; one that was already firing at start does not notify; `:mute` stops the next.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use serde_json::json;
use support::Alertmanager;
use support::pty::{Session, onduty};

const WAIT: Duration = Duration::from_secs(30);

fn alert(name: &str) -> serde_json::Value {
    json!({"labels": {"alertname": name, "severity": "critical", "service": "db"},
           "annotations": {"summary": format!("{name} summary")}})
}

#[tokio::test(flavor = "multi_thread")]
async fn a_new_critical_alert_reaches_the_terminal_as_osc_9_777_and_a_bell() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([alert("AlreadyFiring")])).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(
        dir.path().join("cfg/config.toml"),
        format!(
            "identity = \"ana\"\npoll_interval = \"1s\"\n{}",
            am.source_toml("prod")
        ),
    )
    .unwrap();
    let mut cmd = onduty(dir.path(), &[]);
    // As over SSH, with no desktop: `auto` is the bell and the OSC sequences.
    cmd.env("SSH_CONNECTION", "192.0.2.1 50000 192.0.2.2 22");
    for var in [
        "TMUX",
        "STY",
        "DISPLAY",
        "WAYLAND_DISPLAY",
        "DBUS_SESSION_BUS_ADDRESS",
    ] {
        cmd.env_remove(var);
    }
    let mut s = Session::spawn(cmd, 100, 30);
    s.wait_for("AlreadyFiring", WAIT);
    let before = s.seen.len();

    am.post_alerts(json!([alert("DbDown")])).await;
    s.wait_for_after(
        before,
        "\x1b]9;CRIT DbDown: db · prod · DbDown summary\x07",
        WAIT,
    );
    s.wait_for_after(
        before,
        "\x1b]777;notify;CRIT DbDown;db · prod · DbDown summary\x07",
        WAIT,
    );
    let after = String::from_utf8_lossy(&s.seen[before..]).to_string();
    let bells = after.matches('\x07').count();
    assert!(bells >= 3, "two sequence ends and the bell: {after:?}");
    let text = s.text();
    assert!(
        !text.contains("AlreadyFiring: "),
        "known at start: not notified"
    );

    // Muted: the next alert notifies nothing.
    s.send(b":mute 10m\r");
    s.wait_for("muted", WAIT);
    let muted_at = s.seen.len();
    am.post_alerts(json!([alert("CacheDown")])).await;
    s.wait_for_after(muted_at, "CacheDown", WAIT);
    let since = String::from_utf8_lossy(&s.seen[muted_at..]).to_string();
    assert!(!since.contains("\x1b]9;"), "muted: {since:?}");
    s.send(b"q");
    s.wait_exit(WAIT);
}
