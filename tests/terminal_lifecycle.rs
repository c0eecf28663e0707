//! The real binary in a real pty through everything that ends a session: `q`, SIGTERM (the
//! terminal's modes exactly as before, by `stty -a`), SIGHUP from a dropped SSH session with
//! a note being typed and an action on the wire, the terminal closed under it while SIGHUP is
//! ignored, a panic while drawing, a resize storm, and terminals it cannot use.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use onduty::journal::{Journal, Location};
use portable_pty::CommandBuilder;
use support::faults::{Fault, FaultServer};
use support::pty::{Session, cpu_ticks, onduty};

const START: Duration = Duration::from_secs(20);

fn demo(dir: &std::path::Path) -> Session {
    let mut s = Session::spawn(onduty(dir, &["--demo"]), 80, 24);
    s.wait_for("DEMO", START);
    s.wait_for("CRIT", START);
    s
}

#[test]
fn q_quits_and_restores_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(dir.path());
    s.send(b"q");
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
}

#[test]
fn sigterm_exits_and_the_terminal_modes_are_exactly_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let (before, after) = (dir.path().join("before"), dir.path().join("after"));
    // A shell in the pty records the modes, runs onduty, records them again.
    let mut cmd = CommandBuilder::new("sh");
    cmd.arg("-c");
    cmd.arg(r#"stty -a > "$1"; "$0" --demo; echo "exit=$?"; stty -a > "$2"; echo recorded"#);
    cmd.arg(env!("CARGO_BIN_EXE_onduty"));
    cmd.arg(&before);
    cmd.arg(&after);
    cmd.env("TERM", "xterm-256color");
    cmd.env("ONDUTY_CONFIG_DIR", dir.path().join("cfg"));
    cmd.env("ONDUTY_DATA_DIR", dir.path().join("data"));
    let mut s = Session::spawn(cmd, 80, 24);
    s.wait_for("CRIT", START);
    let shell = s.child.process_id().unwrap();
    let children = std::fs::read_to_string(format!("/proc/{shell}/task/{shell}/children")).unwrap();
    let pid = children
        .split_whitespace()
        .next()
        .expect("onduty runs under the shell");
    let started = Instant::now();
    std::process::Command::new("kill")
        .args(["-TERM", pid])
        .status()
        .unwrap();
    s.wait_for("recorded", Duration::from_secs(5));
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(s.text().contains("exit=143"), "128 + SIGTERM: {}", s.text());
    s.assert_terminal_restored();
    let (before, after) = (
        std::fs::read_to_string(before).unwrap(),
        std::fs::read_to_string(after).unwrap(),
    );
    assert!(before.contains("icanon") && before.contains("echo"));
    assert_eq!(before, after, "stty -a differs after onduty");
}

/// A fake Alertmanager (one alert; a POST is read and never answered) in a runtime of its own.
fn hanging_writes() -> (tokio::runtime::Runtime, FaultServer) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let alert = r#"[{"labels":{"alertname":"DiskFull","severity":"critical"},"annotations":{},"startsAt":"2026-11-25T10:00:00Z","endsAt":"2026-11-25T11:00:00Z","updatedAt":"2026-11-25T10:00:00Z","fingerprint":"00000000000000aa","receivers":[{"name":"r"}],"status":{"state":"active","silencedBy":[],"inhibitedBy":[]}}]"#;
    let server = rt.block_on(FaultServer::start(move |_, line| {
        if line.starts_with("POST") {
            Fault::Hang
        } else if line.ends_with("/silences") {
            Fault::Body("[]".into())
        } else {
            Fault::Body(alert.into())
        }
    }));
    (rt, server)
}

#[test]
fn sighup_with_a_note_being_typed_and_an_ack_on_the_wire_loses_neither() {
    let (rt, server) = hanging_writes();
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    let config = dir.path().join("cfg").join("config.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\n[[source]]\nname = \"prod\"\nkind = \"alertmanager\"\nurl = \"{}\"\n",
            server.url
        ),
    )
    .unwrap();
    let mut s = Session::spawn(
        onduty(dir.path(), &["--config", config.to_str().unwrap()]),
        100,
        30,
    );
    s.wait_for("DiskFull", START);
    s.send(b"a");
    let deadline = Instant::now() + START;
    while !server.seen().iter().any(|r| r.line.starts_with("POST")) {
        assert!(
            Instant::now() < deadline,
            "the ack never reached the server"
        );
        std::thread::yield_now();
    }
    s.send(b"n");
    s.wait_for("ctrl+s", START);
    s.send(b"disk at 97%, cleaning /var/log");
    s.wait_for_screen("cleaning /var/log", START);
    let started = Instant::now();
    s.signal("HUP");
    let status = s.wait_exit(Duration::from_secs(2));
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(
        status.exit_code(),
        129,
        "128 + SIGHUP, as a shell reports it"
    );

    let (drafts, open) = rt.block_on(async {
        let journal = Journal::open(&Location::Sqlite(
            dir.path().join("data").join("journal.sqlite3"),
        ))
        .await
        .unwrap();
        (
            journal.drafts("ana").await.unwrap(),
            journal.open_items().await.unwrap(),
        )
    });
    assert_eq!(drafts.len(), 1, "{drafts:?}");
    assert_eq!(drafts[0].body, "disk at 97%, cleaning /var/log");
    assert_eq!(open.len(), 1, "the ack is kept to be resent: {open:?}");
    assert!(open[0].key.0.starts_with("prod:"));
}

// A signal ends the dashboard cleanly (terminal restored) with 128 + its number, as a shell
// reports a program it ended: a script or supervisor can tell a signal from a quit.
#[test]
fn sigterm_and_sigint_end_the_dashboard_with_128_plus_the_signal() {
    for (signal, code) in [("TERM", 143), ("INT", 130)] {
        let dir = tempfile::tempdir().unwrap();
        let mut s = demo(dir.path());
        s.signal(signal);
        let status = s.wait_exit(Duration::from_secs(5));
        assert_eq!(status.exit_code(), code, "SIG{signal}: {status:?}");
        s.assert_terminal_restored();
    }
}

#[test]
fn a_closed_terminal_ends_the_dashboard_even_with_sighup_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = CommandBuilder::new("sh");
    cmd.arg("-c");
    // An ignored signal stays ignored across exec: onduty never hears the hangup.
    cmd.arg(r#"trap "" HUP; exec "$0" --demo"#);
    cmd.arg(env!("CARGO_BIN_EXE_onduty"));
    cmd.env("TERM", "xterm-256color");
    cmd.env("ONDUTY_CONFIG_DIR", dir.path().join("cfg"));
    cmd.env("ONDUTY_DATA_DIR", dir.path().join("data"));
    let mut s = Session::spawn(cmd, 80, 24);
    s.wait_for("CRIT", START);
    let pid = s.child.process_id().unwrap();
    let before = cpu_ticks(pid).unwrap();
    let closed = Instant::now();
    s.close_terminal();
    let mut used = 0;
    loop {
        if let Some(t) = cpu_ticks(pid) {
            used = t - before;
        }
        if let Some(status) = s.child.try_wait().unwrap() {
            // 1: "the terminal went away" (a signal would have been 128 + its number).
            assert_eq!(status.exit_code(), 1, "{status:?}");
            break;
        }
        assert!(
            closed.elapsed() < Duration::from_secs(5),
            "still running 5 s after the terminal closed ({used} ticks of CPU)"
        );
        std::thread::yield_now();
    }
    // A spin would burn ~100 ticks a second; drawing, saving and stopping take a few. A stop
    // that stalls (seen once in CI, cause not found yet) is cut at 2 s by the hangup watch,
    // while crossterm's reader spins: at most ~2.5 s of CPU.
    assert!(used < 250, "{used} ticks of CPU after the terminal closed");
}

#[test]
fn a_panic_while_drawing_restores_the_terminal_and_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = onduty(dir.path(), &["--demo"]);
    cmd.env("ONDUTY_TEST_PANIC_IN_RENDER", "1");
    let mut s = Session::spawn(cmd, 80, 24);
    let status = s.wait_exit(START);
    assert!(!status.success());
    s.assert_terminal_restored();
    let out = s.text();
    let tail = &out[out.find("\u{1b}[?1049l").unwrap()..];
    assert!(tail.contains("onduty crashed"), "{tail:?}");
    assert!(tail.contains("drawing failed on purpose"), "{tail:?}");
}

#[test]
fn a_storm_of_resizes_from_1x1_to_500x150_is_survived() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = demo(dir.path());
    let sizes = [
        (1, 1),
        (500, 150),
        (2, 1),
        (29, 5),
        (30, 6),
        (80, 24),
        (1, 150),
        (500, 1),
    ];
    for round in 0..50 {
        for (i, (w, h)) in sizes.iter().enumerate() {
            let jitter = ((round * 7 + i * 13) % 5) as u16;
            s.resize(w + jitter, h + jitter);
        }
    }
    let mark = s.seen.len();
    s.resize(20, 4);
    s.wait_for_after(mark, "small", START);
    let mark = s.seen.len();
    s.resize(80, 24);
    s.wait_for_after(mark, "CRIT", START);
    let mark = s.seen.len();
    s.send(b"?");
    s.wait_for_after(mark, "HELP", START);
    // The first q closes the help, the second quits.
    s.send(b"qq");
    let status = s.wait_exit(Duration::from_secs(5));
    assert!(status.success(), "{status:?}");
    s.assert_terminal_restored();
}

#[test]
fn term_dumb_gets_one_plain_line() {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = onduty(dir.path(), &["--demo"]);
    cmd.env("TERM", "dumb");
    let mut s = Session::spawn(cmd, 80, 24);
    let status = s.wait_exit(START);
    assert!(!status.success());
    let out = s.text();
    assert!(!out.contains('\u{1b}'), "{out:?}");
    assert_eq!(out.trim().lines().count(), 1, "{out:?}");
    assert!(
        out.contains("TERM=dumb") && out.contains("onduty alerts"),
        "{out:?}"
    );
}

#[test]
fn no_tty_gets_one_plain_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onduty"))
        .arg("--demo")
        .env("TERM", "xterm-256color")
        .env("ONDUTY_CONFIG_DIR", dir.path().join("cfg"))
        .env("ONDUTY_DATA_DIR", dir.path().join("data"))
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!out.status.success());
    let (stdout, stderr) = (
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr),
    );
    assert!(stdout.is_empty(), "{stdout:?}");
    assert!(!stderr.contains('\u{1b}'), "{stderr:?}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr:?}");
    assert!(stderr.contains("not a tty"), "{stderr:?}");
}
