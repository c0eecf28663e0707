//! Every pane of text scrolls with the same keys and stops at its ends: the detail (a 10 KB
//! description), the post-mortem, the help overlay.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::tests::{code, key};
use crate::app::{Action, App, Overlay};
use crate::model::Labels;
use crate::testing::{demo_app, feed};

fn draw(app: &App) -> String {
    crate::testing::screen(app, 80, 24)
}

fn ctrl(app: &mut App, c: char) {
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::CONTROL,
    )));
}

/// A demo app whose selected alert has a description of `lines` numbered lines.
fn with_long_description(lines: usize) -> App {
    let mut app = demo_app(100, 80, 24);
    let key = app.selected_alert().unwrap().key.clone();
    let mut alerts: Vec<crate::model::Alert> = app.sources[0].alerts.iter().cloned().collect();
    let text: String = (1..=lines)
        .map(|i| format!("step {i:04} of the description\n"))
        .collect();
    for a in alerts.iter_mut().filter(|a| a.key == key) {
        let mut pairs: Vec<(Arc<str>, Arc<str>)> = a
            .annotations
            .iter()
            .map(|(k, v)| (Arc::from(k), Arc::from(v)))
            .collect();
        pairs.push((Arc::from("description"), Arc::from(text.as_str())));
        a.annotations = Labels::from_pairs(pairs);
    }
    let snapshot = crate::sources::Snapshot {
        alerts: Arc::new(alerts),
        escalation: Vec::new(),
        silences: Vec::new(),
        tickets: Vec::new(),
        invalid: 0,
        rules: Default::default(),
        incidents: Default::default(),
    };
    let now = app.now;
    feed(&mut app, snapshot, now);
    app
}

/// `g g`, `end`, `home` go to the ends of a pane that scrolls up to `limit`.
fn ends_are_reached_by_every_key(app: &mut App, limit: u16) {
    key(app, 'g');
    key(app, 'g');
    assert_eq!(app.detail_scroll, 0);
    code(app, KeyCode::End);
    assert_eq!(app.detail_scroll, limit);
    code(app, KeyCode::Home);
    assert_eq!(app.detail_scroll, 0);
}

#[test]
fn the_detail_pages_and_stops_at_its_end() {
    let mut app = with_long_description(300);
    code(&mut app, KeyCode::Enter);
    draw(&app);
    let extent = app.scrolled.get();
    assert!(extent.limit > 300, "{extent:?}");
    assert_eq!(
        extent.page, 19,
        "24 rows less the header, key bar and border"
    );
    code(&mut app, KeyCode::PageDown);
    assert_eq!(app.detail_scroll, extent.page);
    key(&mut app, ' ');
    assert_eq!(app.detail_scroll, 2 * extent.page);
    ctrl(&mut app, 'f');
    assert_eq!(app.detail_scroll, 3 * extent.page);
    ctrl(&mut app, 'b');
    assert_eq!(app.detail_scroll, 2 * extent.page);
    key(&mut app, 'G');
    assert_eq!(app.detail_scroll, extent.limit);
    let screen = draw(&app);
    assert!(
        screen.contains("step 0300"),
        "the end is on screen:\n{screen}"
    );
    key(&mut app, 'j');
    assert_eq!(app.detail_scroll, extent.limit, "j stops at the end");
    assert!(
        draw(&app).contains("step 0300"),
        "no blank pane past the end"
    );
    ends_are_reached_by_every_key(&mut app, extent.limit);
    key(&mut app, 'k');
    assert_eq!(app.detail_scroll, 0, "k stops at the top");
}

#[test]
fn the_postmortem_takes_the_same_keys() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'p');
    let subject = app.postmortem.as_ref().unwrap().subject.clone();
    let text: String = (1..=80).map(|i| format!("- line {i}\n")).collect();
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Postmortem {
            subject,
            result: Ok(crate::postmortem::Prepared {
                text,
                is_kept: true,
            }),
        },
    ));
    draw(&app);
    let extent = app.scrolled.get();
    assert!(extent.limit > 0, "{extent:?}");
    key(&mut app, 'G');
    assert_eq!(app.detail_scroll, extent.limit);
    code(&mut app, KeyCode::PageDown);
    assert_eq!(app.detail_scroll, extent.limit, "pagedown stops at the end");
    ends_are_reached_by_every_key(&mut app, extent.limit);
}

#[test]
fn help_scrolls_with_the_same_keys_and_stops_at_its_end() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, '?');
    draw(&app);
    let extent = app.scrolled.get();
    assert!(extent.limit > 0, "help is longer than 24 rows: {extent:?}");
    key(&mut app, 'G');
    assert_eq!(app.overlay, Overlay::Help(extent.limit));
    key(&mut app, ' ');
    assert_eq!(
        app.overlay,
        Overlay::Help(extent.limit),
        "space stops at the end"
    );
    key(&mut app, 'g');
    assert_eq!(app.overlay, Overlay::Help(0));
    ctrl(&mut app, 'f');
    assert_eq!(app.overlay, Overlay::Help(extent.page.min(extent.limit)));
}
