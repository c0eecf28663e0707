//! The dashboard as a jump host sees it: the real binary in a pty under each TERM of the
//! issue (colours kept within what the terminal has, synchronized output where it is taken),
//! `--inline` on the normal screen, and the bytes written per refresh at 200x50 with 2,000
//! alerts from a real Alertmanager (the figures BENCHMARKS.md reports, with their limits).
//!
//! Frames are counted by their synchronized-update markers, so every byte is attributed to
//! what caused it without timing anything: a measurement ends with a "fence" key whose own
//! frame starts after everything written before it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::json;
use support::Alertmanager;
use support::pty::{Session, onduty};

const WAIT: Duration = Duration::from_secs(30);
const SYNC_BEGIN: &str = "\x1b[?2026h";
const SYNC_END: &str = "\x1b[?2026l";

/// Every colour the SGR sequences of `out` set: `Err(index)` for `38;5;N`/`48;5;N`, `Ok` for
/// 24-bit `38;2;R;G;B`/`48;2;…` (fg and bg may share one sequence).
fn colours(out: &str) -> Vec<Result<[u32; 3], u32>> {
    let mut found = Vec::new();
    for seq in out.split("\x1b[").skip(1) {
        let Some(end) = seq.find(|c: char| !(c.is_ascii_digit() || c == ';')) else {
            continue;
        };
        if !seq[end..].starts_with('m') {
            continue;
        }
        let p: Vec<u32> = seq[..end]
            .split(';')
            .map(|p| p.parse().unwrap_or(0))
            .collect();
        let mut i = 0;
        while i < p.len() {
            match (p[i], p.get(i + 1)) {
                (38 | 48, Some(5)) => {
                    found.push(Err(p[i + 2]));
                    i += 3;
                }
                (38 | 48, Some(2)) => {
                    found.push(Ok([p[i + 2], p[i + 3], p[i + 4]]));
                    i += 5;
                }
                _ => i += 1,
            }
        }
    }
    found
}

fn demo_session(term: &str, args: &[&str]) -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = onduty(dir.path(), args);
    cmd.env("TERM", term);
    cmd.env_remove("COLORTERM");
    cmd.env_remove("ONDUTY_COLORS");
    cmd.env_remove("NO_COLOR");
    let s = Session::spawn(cmd, 120, 30);
    (dir, s)
}

#[test]
fn every_term_of_a_jump_host_gets_colours_it_has_and_the_terminal_back() {
    // (TERM, the highest colour index it may be sent, synchronized output)
    let matrix = [
        ("xterm", 15, true),
        ("xterm-256color", 255, true),
        ("screen", 15, true),
        ("tmux-256color", 255, true),
        ("linux", 7, false),
    ];
    for (term, highest, is_synchronized) in matrix {
        let (_dir, mut s) = demo_session(term, &["--demo"]);
        s.wait_for("ReplicationLag", WAIT);
        s.send(b"q");
        let status = s.wait_exit(WAIT);
        assert!(status.success(), "{term}: {status:?}");
        let out = s.text();
        let used = colours(&out);
        assert!(!used.is_empty(), "{term}: the demo is drawn in colour");
        for colour in &used {
            assert!(
                colour.is_err_and(|n| n <= highest),
                "{term}: {colour:?} is beyond colour {highest}"
            );
        }
        assert_eq!(out.contains(SYNC_BEGIN), is_synchronized, "{term}");
        s.assert_terminal_restored();
    }
}

#[test]
fn truecolor_terminals_get_the_themes_own_colours() {
    let (_dir, mut s) = demo_session("xterm-256color", &["--demo", "--colors", "truecolor"]);
    s.wait_for("ReplicationLag", WAIT);
    s.send(b"q");
    s.wait_exit(WAIT);
    // The default theme's header background, #1f2430.
    assert!(
        colours(&s.text()).contains(&Ok([31, 36, 48])),
        "{:?}",
        s.text()
    );
}

#[test]
fn a_bad_colour_depth_is_refused_naming_it() {
    let err = support::onduty_refuses(&["--colors", "12", "info"]);
    assert!(err.contains("--colors") && err.contains("'12'"), "{err}");
}

#[test]
fn inline_draws_on_the_normal_screen_and_leaves_the_last_frame() {
    let (_dir, mut s) = demo_session("xterm-256color", &["--demo", "--inline"]);
    s.wait_for("ReplicationLag", WAIT);
    s.send(b"q");
    assert!(s.wait_exit(WAIT).success());
    let out = s.text();
    assert!(!out.contains("\x1b[?1049h"), "no alternate screen: {out:?}");
    assert!(!out.contains("\x1b[?1049l"));
    let last_show = out.rfind("\x1b[?25h").expect("the cursor is shown again");
    assert!(out.rfind("ReplicationLag").unwrap() < last_show);
    // What stays on screen after quitting: the last frame, with the prompt under it.
    let mut screen = vt100::Parser::new(
        std::num::NonZeroU16::new(30).unwrap(),
        std::num::NonZeroU16::new(120).unwrap(),
        0,
    );
    screen.process(&s.seen);
    assert!(screen.screen().contents().contains("ReplicationLag"));
    assert_eq!(
        screen.screen().cursor_position().0,
        29,
        "the prompt goes on the last row"
    );
}

/// Counts the "poll" lines the dashboard logged for its source.
fn polls_logged(data: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(data.join("logs")) else {
        return 0;
    };
    entries
        .flatten()
        .filter_map(|e| std::fs::read_to_string(e.path()).ok())
        .map(|t| {
            t.lines()
                .filter(|l| l.contains("poll ok") || l.contains("poll unchanged"))
                .count()
        })
        .sum()
}

fn wait_for_polls(data: &Path, at_least: usize) {
    let deadline = Instant::now() + WAIT;
    while polls_logged(data) < at_least {
        assert!(
            Instant::now() < deadline,
            "fewer than {at_least} polls logged"
        );
        // Log lines are not a stream to wait on; reading the file again is all there is.
        std::thread::park_timeout(Duration::from_millis(50));
    }
}

/// Where `needle` first occurs in `hay`.
fn find(hay: &[u8], needle: &str) -> Option<usize> {
    hay.windows(needle.len())
        .position(|w| w == needle.as_bytes())
}

/// A pty session with a byte position to measure from.
struct Meter {
    s: Session,
    /// Where the previous measurement ended (the end of its fence frame).
    from: usize,
}

impl Meter {
    /// Waits for the first frame that begins at or after byte `after`: its begin and end.
    fn next_frame(&mut self, after: usize, limit: Duration) -> (usize, usize) {
        let deadline = Instant::now() + limit;
        loop {
            let tail = &self.s.seen[after..];
            if let Some(b) = find(tail, SYNC_BEGIN)
                && let Some(e) = find(&tail[b..], SYNC_END)
            {
                return (after + b, after + b + e + SYNC_END.len());
            }
            let left = deadline.saturating_duration_since(Instant::now());
            assert!(self.s.pump(left), "no frame within {limit:?}");
        }
    }

    /// Ends a measurement: `key` (one that redraws) is typed, and what was written from the
    /// end of the previous measurement up to the key's own frame is what the event cost.
    /// Output still in flight when the key goes is written before the key is read, so it
    /// lies before the key's frame and is counted.
    fn fence(&mut self, key: &[u8]) -> usize {
        let before = self.s.seen.len();
        self.s.send(key);
        let (begin, end) = self.next_frame(before, WAIT);
        let cost = begin - self.from;
        self.from = end;
        cost
    }
}

fn minute() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        / 60
}

#[tokio::test(flavor = "multi_thread")]
async fn bytes_per_refresh_at_200x50_with_2000_alerts_stay_within_the_limits() {
    let am = Alertmanager::start().await;
    let started = (chrono::Utc::now() - chrono::TimeDelta::hours(3)).to_rfc3339();
    let mut alerts = vec![json!({
        "labels": {"alertname": "TopAlert", "severity": "critical", "service": "pay"},
        "annotations": {"summary": "first summary"},
        "startsAt": started,
    })];
    for i in 0..1999 {
        alerts.push(json!({
            "labels": {"alertname": format!("Alert{i:04}"), "severity": "warning",
                       "service": format!("svc{}", i % 40), "instance": format!("host-{i}")},
            "annotations": {"summary": format!("summary of alert {i}")},
            "startsAt": started,
        }));
    }
    am.post_alerts(json!(alerts)).await;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("cfg")).unwrap();
    std::fs::write(
        dir.path().join("cfg/config.toml"),
        format!("poll_interval = \"1s\"\n{}", am.source_toml("prod")),
    )
    .unwrap();
    let data = dir.path().join("data");
    let mut cmd = onduty(dir.path(), &["--no-mouse"]);
    cmd.env("ONDUTY_LOG", "onduty=debug");
    cmd.env_remove("COLORTERM");
    let mut s = Session::spawn(cmd, 200, 50);
    s.wait_for("first summary", WAIT);
    let mut m = Meter { s, from: 0 };
    // The first frames (start, first poll) are not measured.
    let first = m.fence(b"j");
    let mut figures = vec![("first frame (whole screen)", first)];

    // No change: three polls that find nothing new. Retried if a minute turned meanwhile
    // (the clock's own redraw is measured on its own below).
    let no_change = loop {
        let at = minute();
        let polls = polls_logged(&data);
        wait_for_polls(&data, polls + 3);
        let cost = m.fence(b"k");
        if minute() == at {
            break cost / 3;
        }
    };
    figures.push(("no change (per refresh)", no_change));

    // One alert changed: the selected alert's summary, shown in its row and the detail.
    let mut top = alerts[0].clone();
    top["annotations"]["summary"] = json!("second summary");
    am.post_alerts(json!([top])).await;
    m.s.wait_for_screen("second summary", WAIT);
    let one_changed = m.fence(b"j");
    figures.push(("one alert changed", one_changed));

    // One row scrolled: the selection walks past the last visible row (59 rows down at 50
    // lines is past it whatever the layout), then one more row.
    m.s.send(&[b'j'; 58]);
    let _ = m.fence(b"j");
    let before = m.s.seen.len();
    m.s.send(b"j");
    let (begin, end) = m.next_frame(before, WAIT);
    m.from = end;
    figures.push(("one row scrolled", end - begin));

    // The clock's minute: the first frame after it turns (nothing else changes meanwhile).
    let at = minute();
    let mut pos = m.s.seen.len();
    let tick = loop {
        let (begin, end) = m.next_frame(pos, Duration::from_secs(75));
        if minute() != at {
            break end - begin;
        }
        pos = end;
    };
    figures.push(("clock tick (minute)", tick));

    for (what, bytes) in &figures {
        println!("bandwidth 200x50 2000 alerts | {what:<28} | {bytes:>7} B");
    }
    assert!(
        no_change <= 100,
        "no change wrote {no_change} B per refresh"
    );
    assert!(
        one_changed <= 2048,
        "one changed alert wrote {one_changed} B"
    );
    m.s.send(b"q");
    m.s.wait_exit(WAIT);
}
