//! What the `update` tests share: keys typed, and the imports every test file uses
//! (`use super::tests::*`). The tests sit beside it by area (`*_tests.rs`).

pub(super) use chrono::TimeDelta;
pub(super) use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

pub(super) use crate::app::rows::{AlertRef, Row};
pub(super) use crate::app::{Action, App, Command, Confirm, Effect, Overlay, View};
pub(super) use crate::journal::task::Request;
pub(super) use crate::model::{SourceId, Status};
pub(super) use crate::sources::{Failure, Operation, SourceCommand, SourceEvent};
pub(super) use crate::testing::{demo_app, demo_source, empty_app, feed};

pub(super) fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

pub(super) fn code(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, c);
    }
}

pub(super) fn selected_key(app: &App) -> String {
    app.selected_alert()
        .map(|a| a.key.0.clone())
        .unwrap_or_default()
}
