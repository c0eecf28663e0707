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
