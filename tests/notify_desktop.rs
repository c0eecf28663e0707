//! Desktop notifications never hang onduty: with no D-Bus the attempt returns at once; with a
//! session bus socket that accepts and never answers (a wedged desktop), the real notify-rust
//! call is abandoned within 2 s and the breaker skips the next attempt without trying.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::os::unix::net::UnixListener;
use std::time::{Duration, Instant};

fn notify(env: &[(&str, String)]) -> (String, Duration) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_onduty"));
    cmd.args(["notify", "--times", "2", "disk full"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("ONDUTY_CONFIG_DIR", dir.path())
        .env("ONDUTY_DATA_DIR", dir.path());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let started = Instant::now();
    let out = cmd.output().unwrap();
    let took = started.elapsed();
    assert!(!out.status.success(), "nothing can have been shown");
    (String::from_utf8_lossy(&out.stdout).to_string(), took)
}

#[test]
fn without_a_desktop_nothing_is_tried() {
    let (out, took) = notify(&[]);
    assert_eq!(
        out.matches("desktop: no desktop session").count(),
        2,
        "{out}"
    );
    assert!(took < Duration::from_secs(2), "{took:?}");
}

#[test]
fn a_bus_that_accepts_and_never_answers_is_abandoned_then_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let socket = dir.path().join("bus");
    let listener = UnixListener::bind(&socket).unwrap();
    // Accepts every connection and keeps it open, never writing a byte.
    std::thread::spawn(move || {
        let mut held = Vec::new();
        while let Ok((conn, _)) = listener.accept() {
            held.push(conn);
        }
    });
    let (out, took) = notify(&[
        ("DISPLAY", ":99".into()),
        (
            "DBUS_SESSION_BUS_ADDRESS",
            format!("unix:path={}", socket.display()),
        ),
    ]);
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("desktop:")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    assert!(
        out.ends_with("terminal: standard output is not a terminal: nothing sent\n"),
        "a pipe gets no escape sequences: {out}"
    );
    assert!(lines[0].starts_with("desktop: abandoned after 2s"), "{out}");
    assert!(
        lines[1].starts_with("desktop: not tried: the D-Bus hung recently"),
        "{out}"
    );
    // Two attempts, one 2 s wait: the second never waited.
    assert!(took < Duration::from_secs(4), "{took:?}");
}
