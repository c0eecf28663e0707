//! `update` tests of silences: marking, the editor and its preview, the silences view.

use super::tests::*;

#[test]
fn space_marks_and_capital_s_opens_the_editor_on_the_shared_labels() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ' ');
    key(&mut app, ' ');
    assert_eq!(app.marked.len(), 2);
    key(&mut app, 'S');
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    // The two top alerts are payments critical alerts: they share team and severity.
    assert!(
        editor.matchers.text().contains("team=\"payments\""),
        "{}",
        editor.matchers.text()
    );
    assert!(
        !editor.matchers.text().contains("alertname"),
        "alertnames differ"
    );
    assert_eq!(
        editor.preview.as_ref().map(Vec::len),
        Ok(3),
        "three payments criticals fire"
    );
    assert!(
        editor.warning().is_some(),
        "no alertname/service matcher: broad"
    );
}

#[test]
fn the_editor_preview_follows_the_matchers_and_enter_creates_the_silence() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'S');
    code(&mut app, KeyCode::BackTab);
    code(&mut app, KeyCode::BackTab);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "service=~\"pay.*\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert_eq!(editor.preview.as_ref().map(Vec::len), Ok(3));
    typed(&mut app, " alertname=\"ErrorRateHigh\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert_eq!(editor.preview.as_ref().map(Vec::len), Ok(1));
    assert!(editor.warning().is_none());
    code(&mut app, KeyCode::Tab);
    code(&mut app, KeyCode::Tab);
    typed(&mut app, "deploy");
    let fx = code(&mut app, KeyCode::Enter);
    let [
        Effect::SendCommand {
            source,
            command:
                SourceCommand::Perform {
                    op:
                        Operation::CreateSilence {
                            matchers,
                            comment,
                            duration,
                            ..
                        },
                    ..
                },
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(&*source.0, "demo");
    assert_eq!(
        (matchers.len(), comment.as_str(), duration.as_secs()),
        (2, "deploy", 7200)
    );
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn the_editor_refuses_bad_matchers_with_a_reason() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'S');
    code(&mut app, KeyCode::Tab);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "team=~\"(\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert!(
        editor
            .preview
            .as_ref()
            .is_err_and(|e| e.contains("bad regex"))
    );
    assert!(code(&mut app, KeyCode::Enter).is_empty());
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("closed on bad input")
    };
    assert!(editor.error.is_some());
}

#[test]
fn the_silences_view_lists_active_first_and_expires_after_a_yes() {
    let mut app = crate::testing::demo_app_with_silences(100, 80, 24);
    key(&mut app, '4');
    assert_eq!(app.view, View::Silences);
    assert_eq!(app.silence_list.rows.len(), 2);
    assert_eq!(
        app.silence_list.rows[0].2, 1,
        "the active silence catches ReplicationLag"
    );
    assert_eq!(
        app.selected_silence().map(|s| s.id.as_str()),
        Some("0f1e2d3c-aaaa")
    );
    key(&mut app, 'x');
    assert!(matches!(app.overlay, Overlay::Confirm(Confirm::Expire(..))));
    let fx = key(&mut app, 'y');
    assert!(
        matches!(fx.as_slice(), [Effect::SendCommand { command: SourceCommand::Perform { op: Operation::ExpireSilence { id }, .. }, .. }] if id == "0f1e2d3c-aaaa")
    );
    key(&mut app, 'j');
    key(&mut app, 'x');
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("expired already"))
    );
}

#[test]
fn a_window_typed_in_the_editor_sends_each_of_its_silences_from_its_own_start() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'S');
    code(&mut app, KeyCode::BackTab);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    let until = (app.now + TimeDelta::days(28)).date_naive();
    typed(&mut app, &format!("every sun 02:00-04:00 until {until}"));
    let fx = code(&mut app, KeyCode::Enter);
    let made: Vec<(chrono::DateTime<chrono::Utc>, String)> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SendCommand {
                command:
                    SourceCommand::Perform {
                        op:
                            Operation::CreateSilence {
                                starts_at: Some(at),
                                duration,
                                comment,
                                ..
                            },
                        ..
                    },
                ..
            } if duration.as_secs() == 7_200 => Some((*at, comment.clone())),
            _ => None,
        })
        .collect();
    assert!(
        (4..=5).contains(&made.len()),
        "four weeks of Sundays: {fx:?}"
    );
    let tags: Vec<_> = made
        .iter()
        .map(|(_, c)| crate::model::window::WindowTag::of(c).unwrap())
        .collect();
    assert!(
        tags.iter()
            .all(|t| t.id == tags[0].id && t.every == "sun 02:00-04:00 UTC")
    );
    assert_eq!(
        tags.iter().map(|t| t.n).collect::<Vec<_>>(),
        (1..=made.len() as u32).collect::<Vec<_>>()
    );
    for pair in made.windows(2) {
        assert_eq!(pair[1].0 - pair[0].0, TimeDelta::weeks(1));
    }
    assert!(matches!(app.overlay, Overlay::None), "sent, and closed");
}

/// The demo's silences, and more: one catching nothing, one fine, a window of three.
fn app_with_upkeep() -> App {
    use crate::model::{Matcher, Silence, SilenceState};
    let (source, clock) = demo_source(100);
    let mut app = empty_app(clock.now_utc());
    app.update(Action::Resize(100, 30));
    let now = app.now;
    let mut silences = crate::testing::demo_silences(&app);
    let mk = |id: &str, m: &str, state, hours: i64, comment: &str| Silence {
        id: id.into(),
        source: SourceId("demo".into()),
        matchers: vec![Matcher::parse(m).unwrap()],
        starts_at: now + TimeDelta::hours(hours - 3),
        ends_at: now + TimeDelta::hours(hours),
        created_by: "ana".into(),
        comment: comment.into(),
        state,
    };
    silences.push(mk(
        "nothing",
        "alertname=\"Gone\"",
        SilenceState::Active,
        3,
        "left over",
    ));
    silences.push(mk(
        "fine",
        "alertname=\"ReplicationLag\"",
        SilenceState::Active,
        3,
        "ok",
    ));
    for n in 1..=3 {
        let comment = crate::model::window::tagged("patch", "0a1b2c3d", n, "sun 02:00-04:00 UTC");
        let hours = 24 * 7 * i64::from(n);
        silences.push(mk(
            &format!("w{n}"),
            "team=\"db\"",
            SilenceState::Pending,
            hours,
            &comment,
        ));
    }
    let mut snapshot = source.snapshot();
    snapshot.silences = silences;
    feed(&mut app, snapshot, clock.now_utc());
    app
}

#[test]
fn x_on_a_window_silence_expires_the_whole_window_after_a_yes() {
    let mut app = app_with_upkeep();
    key(&mut app, '4');
    while app.selected_silence().is_some_and(|s| s.window().is_none()) {
        key(&mut app, 'j');
    }
    key(&mut app, 'x');
    let Overlay::Confirm(Confirm::Expire(all, what)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(all.len(), 3, "{all:?}");
    assert!(what.contains("window 0a1b2c3d"), "{what}");
    let fx = key(&mut app, 'y');
    let expired: Vec<&str> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::SendCommand {
                command:
                    SourceCommand::Perform {
                        op: Operation::ExpireSilence { id },
                        ..
                    },
                ..
            } => Some(id.as_str()),
            _ => None,
        })
        .collect();
    assert_eq!(expired, ["w1", "w2", "w3"]);
}

#[test]
fn silences_stale_lists_those_catching_nothing_or_ending_soon_and_expire_all_takes_them() {
    let mut app = app_with_upkeep();
    key(&mut app, ':');
    typed(&mut app, "silences stale");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::Silences);
    let listed: Vec<&str> = app
        .silence_list
        .rows
        .iter()
        .map(|&(s, i, _)| app.sources[s].silences[i].id.as_str())
        .collect();
    // The demo's replica-rebuild silence ends in 40 minutes; "left over" catches nothing.
    assert_eq!(listed.len(), 2, "{listed:?}");
    assert!(listed.contains(&"nothing") && listed.contains(&"0f1e2d3c-aaaa"));
    let screen = crate::testing::screen(&app, 140, 30);
    assert!(
        screen.contains("catches nothing") && screen.contains("ends soon"),
        "{screen}"
    );
    key(&mut app, ':');
    typed(&mut app, "expire-all");
    code(&mut app, KeyCode::Enter);
    let Overlay::Confirm(Confirm::Expire(all, _)) = &app.overlay else {
        panic!("{:?}", app.overlay)
    };
    assert_eq!(all.len(), 2);
    code(&mut app, KeyCode::Esc);
    key(&mut app, ':');
    typed(&mut app, "silences");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.silence_list.rows.len(), 7, "every silence again");
}
