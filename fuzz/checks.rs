//! What each fuzz target checks, one function per target over raw bytes. Shared by the fuzz
//! targets (fuzz_targets/*.rs) and by tests/fuzz_regressions.rs, which replays every input
//! kept under fuzz/regressions/<target>/ in the normal test run.

#![allow(dead_code, reason = "each includer uses some of the checks")]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::Action;
use onduty::app::filter::{Filter, parse_user};
use onduty::model::sanitize::{Lines, clean, is_forbidden};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

/// One check over one input.
pub type Check = fn(&[u8]);

/// The checks by target name.
pub const TARGETS: &[(&str, Check)] = &[
    ("alertmanager_answers", alertmanager_answers),
    ("config", config),
    ("escalation", escalation),
    ("theme", theme),
    ("filter", filter),
    ("palette", palette),
    ("sanitize", sanitize),
];

/// Alertmanager answers as a poll decodes them: silences, then alerts both whole and streamed
/// in 7-byte pieces. Never panics; the two alert decoders agree; nothing decoded keeps a
/// character that may not reach the terminal. The input is the silences answer and the alerts
/// answer split at the first 0xFF (never in UTF-8 JSON); without one, silences are `[]`.
pub fn alertmanager_answers(data: &[u8]) {
    let (silences, alerts) = match data.iter().position(|b| *b == 0xFF) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (&b"[]"[..], data),
    };
    let now = chrono::DateTime::UNIX_EPOCH;
    let (silences, whole, streamed) =
        onduty::sources::alertmanager::decode_answers(silences, alerts, now);
    if let Ok(silences) = &silences {
        for s in silences {
            assert!(!s.comment.chars().any(is_forbidden));
            assert!(!s.created_by.chars().any(is_forbidden));
        }
    }
    match (&whole, &streamed) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "whole and streamed decodes differ"),
        (Err(_), Err(_)) => {}
        _ if silences.is_err() => {}
        _ => panic!("one decoder accepted what the other refused: {whole:?} / {streamed:?}"),
    }
    for alert in whole.iter().flatten() {
        assert!(!alert.title.chars().any(is_forbidden));
        for (k, v) in alert.labels.iter() {
            assert!(!k.chars().any(is_forbidden) && !v.chars().any(is_forbidden));
        }
    }
}

/// The config parser on any text: an error or a config, never a panic.
pub fn config(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let overrides = onduty::config::Overrides::default();
    let _ = onduty::config::Config::from_str_at(text, "fuzz.toml", &overrides);
}

/// The escalation file on any text: an error or rotations and policies; then who is on
/// call at a few instants (across DST changes), each shift holding its instant, and every
/// member's next shift; never a panic, never a loop.
pub fn escalation(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(file) = onduty::config::escalation_file::parse(text, "fuzz.toml") else {
        return;
    };
    let instants = [
        0,
        1_774_746_000,
        1_792_890_000,
        1_798_761_599,
        4_102_444_800,
    ];
    for secs in instants {
        let Some(now) = chrono::DateTime::from_timestamp(secs, 0) else {
            continue;
        };
        for policy in file.policies_at(now) {
            for on in policy.levels.iter().flat_map(|l| l.on_call.iter()) {
                if let (Some(from), Some(until)) = (on.from, on.until) {
                    assert!(from <= now && now < until, "{on:?} at {now}");
                }
                assert!(!on.who.chars().any(is_forbidden));
            }
        }
        for r in &file.rotations {
            for m in &r.members {
                if let Some((from, until, _)) = file.next_shift_of(m, now) {
                    assert!(now < until && from < until, "{m}: {from}..{until} at {now}");
                }
            }
        }
    }
}

/// The theme parser on any text: an error or a theme, never a panic.
pub fn theme(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = onduty::theme::parse_theme("fuzz.toml", text);
}

/// The filter language on any text, and any filter it accepts run over the demo's alerts.
pub fn filter(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // Built once: the check only reads it; building it per input made this target ~50x
    // slower than the others (179 runs/s).
    static APP: std::sync::OnceLock<onduty::app::App> = std::sync::OnceLock::new();
    let app = APP.get_or_init(|| onduty::testing::demo_app(100, 80, 24));
    for filter in [Filter::parse(text), parse_user(text)]
        .into_iter()
        .flatten()
    {
        for (_, alert) in app.all_alerts() {
            let _ = filter.matches(alert);
        }
    }
}

/// The command palette on any text: pasted into `:`, run against the demo app, then drawn.
pub fn palette(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut app = onduty::testing::demo_app(100, 80, 24);
    let key = |code| Action::Key(KeyEvent::new(code, KeyModifiers::NONE));
    app.update(key(KeyCode::Char(':')));
    app.update(Action::Paste(text.to_string()));
    app.update(key(KeyCode::Enter));
    let Ok(mut terminal) = Terminal::new(TestBackend::new(80, 24));
    let _ = terminal.draw(|f| onduty::ui::view(&app, f));
}

/// `sanitize` on any text at any cap (the first two bytes; the third picks the mode): never a
/// panic, nothing forbidden kept, within the cap, and sanitizing twice changes nothing.
pub fn sanitize(data: &[u8]) {
    if data.len() < 3 {
        return;
    }
    let cap = usize::from(u16::from_le_bytes([data[0], data[1]]) % 2048);
    let lines = if data[2] & 1 == 1 {
        Lines::Multi
    } else {
        Lines::Single
    };
    let text = String::from_utf8_lossy(&data[3..]);
    let out = clean(&text, lines, cap);
    assert!(!out.chars().any(is_forbidden));
    assert!(out.chars().count() <= cap);
    assert!(lines == Lines::Multi || !out.contains('\n'));
    assert_eq!(clean(&out, lines, cap), out);
}
