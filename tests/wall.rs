//! The war-room wall: snapshots at 80x24, 200x60 and 300x80 (a fixed-clock demo with an
//! incident and timeline entries), rotation and its pause, every key and every command
//! refused on the update path, and a note written by another responder on a shared
//! PostgreSQL journal reaching the wall's timeline within a second.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::TimeDelta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, App, Command, Effect};
use onduty::journal::incidents::{Incident, IncidentStatus};
use onduty::journal::task::JournalEvent;
use onduty::journal::{Entry, EntryKind};
use onduty::testing::demo_app;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn draw(app: &App) -> String {
    let (w, h) = app.viewport;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| onduty::ui::view(app, f)).unwrap();
    format!("{}", terminal.backend())
}

fn press(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

/// The demo at a fixed time as a wall: SEV1 open for 1h23m45s with ana commanding, and a
/// note, an action and a fire on the timeline.
fn wall(w: u16, h: u16) -> App {
    let mut app = demo_app(100, w, h);
    app.start_wall(TimeDelta::seconds(15), &mut Vec::new());
    let now = app.now;
    let first = app.sources[0].alerts[0].key.clone();
    app.update(Action::Journal(JournalEvent::Incidents(vec![Incident {
        id: 3,
        title: "Payments are failing".into(),
        severity: 1,
        status: IncidentStatus::Investigating,
        commander: Some("ana".into()),
        scribe: Some("bo".into()),
        comms: None,
        alerts: vec![first.clone()],
        opened_at: now - TimeDelta::seconds(5_025),
        resolved_at: None,
        origin: None,
    }])));
    let entry = |id, subject: &str, mins, author: &str, kind, body: &str| Entry {
        id,
        subject: subject.into(),
        at: now - TimeDelta::minutes(mins),
        author: author.into(),
        kind,
        body: body.into(),
        starred: false,
        corrects: None,
    };
    app.update(Action::Journal(JournalEvent::Entries(vec![
        entry(
            1,
            &first.0,
            20,
            "demo",
            EntryKind::Observed,
            "fired (critical): ConnectionPoolExhausted · payments-db",
        ),
        entry(
            2,
            "incident:3",
            12,
            "ana",
            EntryKind::Action,
            "declared SEV1",
        ),
        entry(
            3,
            "incident:3",
            4,
            "bo",
            EntryKind::Note,
            "pgbouncer pool raised to 400 \u{1b}[31mred",
        ),
    ])));
    app.is_dirty = false;
    app
}

#[test]
fn the_wall_at_80x24_200x60_and_300x80() {
    for (w, h) in [(80, 24), (200, 60), (300, 80)] {
        let app = wall(w, h);
        let drawn = draw(&app);
        assert!(
            drawn.contains("SEV1 · 1:23:45 · IC ana"),
            "{w}x{h}:\n{drawn}"
        );
        assert!(
            !drawn.contains('\u{1b}'),
            "no escape from a note reaches the screen"
        );
        insta::assert_snapshot!(format!("wall_{w}x{h}"), drawn);
    }
    // At 80 columns one panel shows at a time; tab turns to the next.
    let mut app = wall(80, 24);
    press(&mut app, KeyCode::Tab);
    insta::assert_snapshot!("wall_80x24_firing", draw(&app));
}

#[test]
fn pages_turn_on_the_timer_and_space_pauses_them() {
    let mut app = wall(80, 24);
    let at = app.now;
    let page = |app: &App| app.wall.as_ref().unwrap().page;
    app.update(Action::Tick(at + TimeDelta::seconds(14)));
    assert_eq!(page(&app), 0);
    app.update(Action::Tick(at + TimeDelta::seconds(15)));
    assert_eq!(page(&app), 1);
    press(&mut app, KeyCode::Char(' '));
    app.update(Action::Tick(at + TimeDelta::seconds(60)));
    assert_eq!(page(&app), 1, "paused");
    assert!(draw(&app).contains("paused"));
    press(&mut app, KeyCode::Char(' '));
    app.update(Action::Tick(at + TimeDelta::seconds(90)));
    assert_eq!(page(&app), 2);
    press(&mut app, KeyCode::BackTab);
    assert_eq!(page(&app), 1);
    // At 300 columns every panel is on screen: nothing to turn.
    let mut app = wall(300, 80);
    app.update(Action::Tick(at + TimeDelta::seconds(15)));
    assert_eq!(page(&app), 0);
    assert!(!draw(&app).contains("next in"));
}

/// Whether `fx` does anything beyond the screen.
fn acts(fx: &[Effect]) -> bool {
    fx.iter().any(|e| {
        matches!(
            e,
            Effect::SendCommand { .. }
                | Effect::Journal(_)
                | Effect::Copy(_)
                | Effect::OpenUrl(_)
                | Effect::Export { .. }
                | Effect::WriteHandoff(_)
                | Effect::EditExternally { .. }
        )
    })
}

#[test]
fn no_key_on_the_wall_acts() {
    let mut app = wall(200, 60);
    let before = (app.view, app.overlay.clone(), app.filter_text.clone());
    let mut keys: Vec<KeyCode> = (b'!'..=b'~').map(|c| KeyCode::Char(c as char)).collect();
    keys.retain(|k| !matches!(k, KeyCode::Char('q' | 'Q')));
    keys.extend([
        KeyCode::Enter,
        KeyCode::Up,
        KeyCode::Down,
        KeyCode::PageDown,
        KeyCode::F(1),
        KeyCode::Delete,
    ]);
    for k in keys {
        for modifiers in [
            KeyModifiers::NONE,
            KeyModifiers::SHIFT,
            KeyModifiers::CONTROL,
        ] {
            if k == KeyCode::Char('c') && modifiers == KeyModifiers::CONTROL {
                continue; // ctrl-c quits
            }
            let fx = app.update(Action::Key(KeyEvent::new(k, modifiers)));
            assert!(!acts(&fx), "{k:?} {modifiers:?}: {fx:?}");
            assert!(!fx.iter().any(|e| matches!(e, Effect::Quit)), "{k:?}");
        }
    }
    let fx = app.update(Action::Paste("a".into()));
    assert!(!acts(&fx));
    assert_eq!(
        (app.view, app.overlay.clone(), app.filter_text.clone()),
        before
    );
    assert!(app.wall.is_some() && app.settings.is_read_only);
    let fx = press(&mut app, KeyCode::Char('q'));
    assert!(fx.iter().any(|e| matches!(e, Effect::Quit)), "q quits");
}

#[test]
fn the_update_path_refuses_every_command_on_the_wall() {
    let mut app = wall(200, 60);
    for c in Command::ALL {
        if matches!(c, Command::Quit | Command::Refresh | Command::ToggleClock) {
            continue;
        }
        app.toast = None;
        let fx = app.update(Action::Run(*c));
        assert!(!acts(&fx), "{c:?}: {fx:?}");
        assert_eq!(app.overlay, onduty::app::Overlay::None, "{c:?}");
        let toast = app
            .toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default();
        assert!(toast.contains("wall takes no actions"), "{c:?}: {toast}");
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_note_written_elsewhere_reaches_the_wall_within_a_second_on_shared_postgres() {
    let pg = support::postgres::Postgres::start();
    let location = onduty::journal::Location::Postgres(pg.url.clone());
    // The wall's journal task, as `onduty wall` runs it.
    let (mut events, _requests, cancel) = support::journal_task::dashboard(&location).await;
    // 300 columns: the timeline is on screen with the rest. Its entries are the journal's own.
    let mut app = demo_app(100, 300, 80);
    app.start_wall(TimeDelta::seconds(15), &mut Vec::new());
    // Whatever it tells at start.
    while let Ok(Some(e)) =
        tokio::time::timeout(std::time::Duration::from_millis(300), events.recv()).await
    {
        app.update(Action::Journal(e));
    }
    // Another responder's process writes a note.
    let elsewhere = onduty::journal::Journal::open(&location).await.unwrap();
    let written = std::time::Instant::now();
    support::append_entry(
        &elsewhere,
        "incident:3",
        app.now,
        "carol",
        EntryKind::Note,
        "failover done, error rate back to 0.1%",
    )
    .await;
    let seen = loop {
        let e = tokio::time::timeout(std::time::Duration::from_secs(10), events.recv())
            .await
            .expect("the note reached the wall")
            .unwrap();
        app.update(Action::Journal(e));
        if draw(&app).contains("failover done") {
            break written.elapsed();
        }
    };
    println!("a note written elsewhere reached the wall in {seen:?}");
    assert!(
        seen < std::time::Duration::from_secs(1),
        "the wall showed the note after {seen:?}"
    );
    assert!(draw(&app).contains("carol · INC#3"));
    cancel.cancel();
    elsewhere.close().await;
}

#[test]
fn onduty_wall_runs_high_contrast_refuses_actions_and_quits() {
    use support::pty::{Session, onduty};
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = onduty(dir.path(), &["--demo", "wall", "--rotate", "5s"]);
    cmd.env_remove("NO_COLOR");
    cmd.env_remove("ONDUTY_THEME");
    let mut s = Session::spawn(cmd, 120, 30);
    let wait = std::time::Duration::from_secs(30);
    s.wait_for("onduty wall", wait);
    s.wait_for("next in", wait);
    let before = s.seen.len();
    s.send(b"a");
    s.wait_for_after(before, "takes no actions", wait);
    s.send(b"q");
    assert!(s.wait_exit(wait).success());
    // High contrast: the header is black on white.
    assert!(
        s.text().contains("38;5;0;48;5;15m onduty wall"),
        "{:?}",
        s.text()
    );
    s.assert_terminal_restored();
    let err = support::onduty_refuses(&["--demo", "wall", "--rotate", "0s"]);
    assert!(err.contains("--rotate '0s'"), "{err}");
}
