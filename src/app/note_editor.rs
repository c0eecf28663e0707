//! The note editor: a multi-line text area (ratatui-textarea) for a note on an alert or an
//! incident, or a correction of a timeline entry. What is typed is kept as a draft in the
//! journal after every edit, so a dropped SSH session loses nothing; saving writes the note
//! and removes the draft.

use std::sync::{Mutex, MutexGuard, PoisonError};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui_textarea::TextArea;

use crate::model::sanitize;

/// Longest note, in characters (the cap the timeline shows).
pub const NOTE_CAP: usize = sanitize::TEXT_CAP;
/// Longest post-mortem edited here, in characters.
pub const POSTMORTEM_CAP: usize = 200_000;

/// A note being written.
#[derive(Debug)]
pub struct NoteEditor {
    /// The alert key or `incident:N` the note is on.
    pub subject: String,
    /// The timeline entry this corrects, for a correction.
    pub corrects: Option<i64>,
    /// Why the last save was refused.
    pub error: Option<String>,
    /// Whether it edits a post-mortem (kept as a draft; saving keeps it) rather than a note.
    pub is_postmortem: bool,
    /// The unsaved note (see `UnsavedNote`) this editor shows again, while the journal is
    /// down: saving changes that note rather than adding another.
    pub unsaved: Option<i64>,
    /// Longest text, in characters.
    cap: usize,
    // The text area caches its screen layout in cells; the lock makes the app shareable
    // with the filter's worker threads (only this task ever takes it).
    area: Mutex<TextArea<'static>>,
}

/// A note saved in the editor and not yet in the journal: sent (awaiting the journal), or
/// waiting for the journal to come back, when it is sent again under the same `client_id`
/// (so it is written once however many times it is sent).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnsavedNote {
    /// Its number, unique in the journal.
    pub client_id: i64,
    /// The alert key or `incident:N`.
    pub subject: String,
    /// As typed.
    pub text: String,
    /// The entry it corrects.
    pub corrects: Option<i64>,
    /// Whether it is with the journal task now (else it waits for the journal).
    pub is_sent: bool,
    /// When it was saved in the editor.
    pub saved_at: chrono::DateTime<chrono::Utc>,
}

/// What a key did in the editor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EditorOutcome {
    /// The text changed: keep the draft.
    Edited,
    /// Only the cursor moved.
    Moved,
    /// Ctrl+S (or Alt+Enter): save the note.
    Save,
    /// Esc: close, keeping the draft.
    Close,
}

impl NoteEditor {
    /// An editor on `subject` holding `draft` (text kept from before), cursor at its end.
    pub fn new(subject: String, corrects: Option<i64>, draft: &str) -> NoteEditor {
        NoteEditor::with_cap(subject, corrects, draft, NOTE_CAP)
    }

    /// An editor on the post-mortem of `subject`, cursor at the top.
    pub fn postmortem(subject: String, text: &str) -> NoteEditor {
        let mut editor = NoteEditor::with_cap(subject, None, text, POSTMORTEM_CAP);
        editor.is_postmortem = true;
        editor.area().move_cursor(ratatui_textarea::CursorMove::Top);
        editor
            .area()
            .move_cursor(ratatui_textarea::CursorMove::Head);
        editor
    }

    fn with_cap(subject: String, corrects: Option<i64>, draft: &str, cap: usize) -> NoteEditor {
        let clean = sanitize::text(draft, cap);
        let mut area = TextArea::new(clean.split('\n').map(str::to_string).collect());
        area.move_cursor(ratatui_textarea::CursorMove::Bottom);
        area.move_cursor(ratatui_textarea::CursorMove::End);
        area.set_wrap_mode(ratatui_textarea::WrapMode::WordOrGlyph);
        NoteEditor {
            subject,
            corrects,
            error: None,
            is_postmortem: false,
            unsaved: None,
            cap,
            area: Mutex::new(area),
        }
    }

    /// The text, lines joined with newlines.
    pub fn text(&self) -> String {
        self.area().lines().join("\n")
    }

    /// The text area, for drawing.
    pub fn area(&self) -> MutexGuard<'_, TextArea<'static>> {
        self.area.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Handles one key.
    pub fn handle(&mut self, key: KeyEvent) -> EditorOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let alt = key.modifiers.contains(KeyModifiers::ALT);
        match key.code {
            KeyCode::Esc => return EditorOutcome::Close,
            KeyCode::Char('s') if ctrl => return EditorOutcome::Save,
            KeyCode::Enter if alt => return EditorOutcome::Save,
            // Typed text is what gets drawn: nothing invisible or controlling gets in.
            KeyCode::Char(c) if !ctrl && !alt && (sanitize::is_forbidden(c) || self.is_full(1)) => {
                return EditorOutcome::Moved;
            }
            KeyCode::Enter | KeyCode::Tab if self.is_full(1) => return EditorOutcome::Moved,
            _ => {}
        }
        if self.area().input(key) {
            self.error = None;
            EditorOutcome::Edited
        } else {
            EditorOutcome::Moved
        }
    }

    /// Inserts pasted text at the cursor, sanitized and within the cap.
    pub fn paste(&mut self, text: &str) -> EditorOutcome {
        let room = self.cap.saturating_sub(self.chars());
        let clean: String = sanitize::text(text, self.cap).chars().take(room).collect();
        if clean.is_empty() || !self.area().insert_str(clean) {
            return EditorOutcome::Moved;
        }
        self.error = None;
        EditorOutcome::Edited
    }

    fn chars(&self) -> usize {
        let area = self.area();
        let lines = area.lines();
        lines.iter().map(|l| l.chars().count()).sum::<usize>() + lines.len().saturating_sub(1)
    }

    fn is_full(&self, more: usize) -> bool {
        self.chars() + more > self.cap
    }
}

/// Two editors are the same when they are on the same thing and hold the same text at the
/// same place (the text area itself has no equality).
impl PartialEq for NoteEditor {
    fn eq(&self, other: &NoteEditor) -> bool {
        let (mine, theirs) = (self.area(), other.area());
        self.subject == other.subject
            && self.corrects == other.corrects
            && self.error == other.error
            && self.is_postmortem == other.is_postmortem
            && self.unsaved == other.unsaved
            && mine.lines() == theirs.lines()
            && mine.cursor() == theirs.cursor()
    }
}

impl Clone for NoteEditor {
    fn clone(&self) -> NoteEditor {
        NoteEditor {
            subject: self.subject.clone(),
            corrects: self.corrects,
            error: self.error.clone(),
            is_postmortem: self.is_postmortem,
            unsaved: self.unsaved,
            cap: self.cap,
            area: Mutex::new(self.area().clone()),
        }
    }
}

impl Eq for NoteEditor {}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    fn typed(editor: &mut NoteEditor, s: &str) {
        for c in s.chars() {
            let code = if c == '\n' {
                KeyCode::Enter
            } else {
                KeyCode::Char(c)
            };
            editor.handle(key(code));
        }
    }

    #[test]
    fn enter_breaks_the_line_and_ctrl_s_saves() {
        let mut e = NoteEditor::new("am:1".into(), None, "");
        typed(&mut e, "rolled back\ndeploy 42");
        assert_eq!(e.text(), "rolled back\ndeploy 42");
        let save = KeyEvent::new(KeyCode::Char('s'), KeyModifiers::CONTROL);
        assert_eq!(e.handle(save), EditorOutcome::Save);
        assert_eq!(e.handle(key(KeyCode::Esc)), EditorOutcome::Close);
        assert_eq!(e.text(), "rolled back\ndeploy 42", "closing keeps the text");
    }

    #[test]
    fn a_draft_comes_back_with_the_cursor_at_its_end() {
        let mut e = NoteEditor::new("am:1".into(), None, "first\nsecond");
        typed(&mut e, "!");
        assert_eq!(e.text(), "first\nsecond!");
    }

    #[test]
    fn invisible_and_control_characters_never_get_in() {
        let mut e = NoteEditor::new("am:1".into(), None, "a\u{202E}b\u{1b}]0;x\u{7}");
        typed(&mut e, "c\u{200B}d\u{7}");
        assert_eq!(
            e.paste("\u{1b}[31mred\u{1b}[0m\u{2066}!"),
            EditorOutcome::Edited
        );
        assert_eq!(e.text(), "abcdred!");
    }

    #[test]
    fn the_text_stops_at_the_cap() {
        let mut e = NoteEditor::new("am:1".into(), None, "");
        e.paste(&"x".repeat(NOTE_CAP + 10));
        assert_eq!(e.text().chars().count(), NOTE_CAP);
        assert_eq!(e.handle(key(KeyCode::Char('y'))), EditorOutcome::Moved);
        assert_eq!(e.text().chars().count(), NOTE_CAP);
    }
}
