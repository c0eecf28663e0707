//! A one-line text input: the filter, the palette and the action prompts.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::model::sanitize;

/// Longest text a prompt takes, in characters.
const INPUT_CAP: usize = 4096;

/// The text typed so far and where the cursor is (in characters).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextInput {
    text: String,
    cursor: usize,
}

/// What a key did to the input.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InputOutcome {
    /// The text or cursor changed.
    Edited,
    /// Enter was pressed.
    Submitted,
    /// Esc was pressed.
    Cancelled,
    /// The key means nothing here.
    Ignored,
}

impl TextInput {
    /// An input holding `text`, cursor at the end.
    pub fn with_text(text: &str) -> TextInput {
        TextInput {
            text: text.to_string(),
            cursor: text.chars().count(),
        }
    }

    /// The text.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The cursor position, in characters.
    pub fn cursor(&self) -> usize {
        self.cursor
    }

    /// Inserts pasted or typed text at the cursor, as one line, sanitized.
    pub fn insert(&mut self, s: &str) {
        let room = INPUT_CAP.saturating_sub(self.text.chars().count());
        let clean: String = sanitize::line(s, INPUT_CAP).chars().take(room).collect();
        let at = self.byte_at(self.cursor);
        self.text.insert_str(at, &clean);
        self.cursor += clean.chars().count();
    }

    /// Handles one key.
    pub fn handle(&mut self, key: KeyEvent) -> InputOutcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Enter => return InputOutcome::Submitted,
            KeyCode::Esc => return InputOutcome::Cancelled,
            KeyCode::Char('u') if ctrl => {
                let at = self.byte_at(self.cursor);
                self.text.replace_range(..at, "");
                self.cursor = 0;
            }
            KeyCode::Char('w') if ctrl => self.delete_word(),
            KeyCode::Char('a') if ctrl => self.cursor = 0,
            KeyCode::Char('e') if ctrl => self.cursor = self.len(),
            KeyCode::Char(c) if !ctrl => self.insert(c.encode_utf8(&mut [0; 4])),
            KeyCode::Backspace if self.cursor > 0 => {
                self.cursor -= 1;
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Delete if self.cursor < self.len() => {
                let at = self.byte_at(self.cursor);
                self.text.remove(at);
            }
            KeyCode::Left => self.cursor = self.cursor.saturating_sub(1),
            KeyCode::Right => self.cursor = (self.cursor + 1).min(self.len()),
            KeyCode::Home => self.cursor = 0,
            KeyCode::End => self.cursor = self.len(),
            KeyCode::Backspace | KeyCode::Delete => {}
            _ => return InputOutcome::Ignored,
        }
        InputOutcome::Edited
    }

    fn len(&self) -> usize {
        self.text.chars().count()
    }

    fn byte_at(&self, chars: usize) -> usize {
        self.text
            .char_indices()
            .nth(chars)
            .map_or(self.text.len(), |(i, _)| i)
    }

    fn delete_word(&mut self) {
        let chars: Vec<char> = self.text.chars().collect();
        let mut start = self.cursor;
        while start > 0 && chars[start - 1] == ' ' {
            start -= 1;
        }
        while start > 0 && chars[start - 1] != ' ' {
            start -= 1;
        }
        let (a, b) = (self.byte_at(start), self.byte_at(self.cursor));
        self.text.replace_range(a..b, "");
        self.cursor = start;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn typing_editing_and_words() {
        let mut t = TextInput::default();
        for c in "team=pay é".chars() {
            t.handle(key(KeyCode::Char(c)));
        }
        assert_eq!(t.text(), "team=pay é");
        t.handle(key(KeyCode::Backspace));
        t.handle(key(KeyCode::Left));
        t.handle(key(KeyCode::Char('X')));
        assert_eq!(t.text(), "team=payX ");
        t.handle(KeyEvent::new(KeyCode::Char('w'), KeyModifiers::CONTROL));
        assert_eq!(t.text(), " ");
        assert_eq!(t.handle(key(KeyCode::Enter)), InputOutcome::Submitted);
    }

    #[test]
    fn paste_is_one_sanitized_line() {
        let mut t = TextInput::default();
        t.insert("a\nb\u{1b}[2Jc");
        assert_eq!(t.text(), "a bc");
    }
}
