//! Every view and overlay at every size from 1x1 to 500x150: nothing panics, nothing is drawn
//! outside the frame, and below the minimum only the "terminal too small" notice is shown.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, App};
use onduty::testing::demo_app_with_silences;
use onduty::ui::layout::MIN_SIZE;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn press(app: &mut App, keys: &[KeyCode]) {
    for &code in keys {
        app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn chars(s: &str) -> Vec<KeyCode> {
    s.chars().map(KeyCode::Char).collect()
}

/// The states worth drawing: each view, the detail, and each overlay.
fn states() -> Vec<(&'static str, Vec<KeyCode>)> {
    vec![
        ("list", vec![]),
        ("grouped", chars("v")),
        ("detail", vec![KeyCode::Enter]),
        ("oncall", chars("2")),
        ("sources", chars("3")),
        ("silences", chars("4")),
        ("outbox", chars("5")),
        ("incidents", chars("6")),
        ("history", chars("7")),
        ("help", chars("?")),
        ("palette", chars(":sil")),
        ("filter", chars("/sev=crit")),
        ("silence editor", chars("S")),
        ("note editor", chars("n")),
        ("confirm", chars("r")),
        ("prompt", chars("s")),
    ]
}

fn sizes() -> Vec<(u16, u16)> {
    let mut sizes = vec![
        (1, 1),
        (2, 1),
        (1, 2),
        (MIN_SIZE.0 - 1, MIN_SIZE.1),
        (MIN_SIZE.0, MIN_SIZE.1 - 1),
        MIN_SIZE,
        (MIN_SIZE.0 + 1, MIN_SIZE.1 + 1),
        (80, 24),
        (119, 40),
        (120, 40),
        (200, 60),
        (300, 80),
        (500, 150),
        (500, 1),
        (1, 150),
    ];
    sizes.extend((1..=12).map(|i| (i * 41 % 500 + 1, i * 13 % 150 + 1)));
    sizes
}

#[test]
fn every_state_draws_at_every_size() {
    for (name, keys) in states() {
        let mut app = demo_app_with_silences(100, 80, 24);
        press(&mut app, &keys);
        for (w, h) in sizes() {
            // The app hears the resize as it would from the terminal, then draws at it.
            app.update(Action::Resize(w, h));
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal.draw(|f| onduty::ui::view(&app, f)).unwrap();
            let screen = format!("{}", terminal.backend());
            let too_small = w < MIN_SIZE.0 || h < MIN_SIZE.1;
            if too_small && w >= 8 {
                assert!(screen.contains("terminal"), "{name} at {w}x{h}: {screen}");
            }
            if !too_small && h > 3 {
                assert!(!screen.contains("too small"), "{name} at {w}x{h}");
            }
        }
    }
}

#[test]
fn a_storm_of_resizes_between_keys_leaves_a_consistent_app() {
    let mut app = demo_app_with_silences(100, 80, 24);
    let sizes = sizes();
    for round in 0..400usize {
        let (w, h) = sizes[round * 7 % sizes.len()];
        app.update(Action::Resize(w, h));
        let key = [
            KeyCode::Char('j'),
            KeyCode::Char('k'),
            KeyCode::Enter,
            KeyCode::Esc,
        ][round % 4];
        press(&mut app, &[key]);
        if round % 5 == 0 {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal.draw(|f| onduty::ui::view(&app, f)).unwrap();
        }
    }
    app.update(Action::Resize(80, 24));
    assert_eq!(app.viewport, (80, 24));
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| onduty::ui::view(&app, f)).unwrap();
    assert!(format!("{}", terminal.backend()).contains("CRIT"));
}
