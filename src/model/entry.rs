//! A timeline entry: what the journal records under a subject (an alert key or
//! `incident:N`) — a note, a correction, an action done in onduty, a change seen at a source.

use chrono::{DateTime, Utc};

use super::sanitize;

/// What an entry records.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntryKind {
    /// An action taken in onduty and its outcome.
    Action,
    /// A note, as typed.
    Note,
    /// A change seen at a source (fired, acked by someone else, resolved).
    Observed,
    /// A correction of an earlier entry.
    Correction,
    /// A runbook checklist step ticked or unticked.
    Step,
}

impl EntryKind {
    /// The stored and shown name.
    pub fn name(self) -> &'static str {
        match self {
            EntryKind::Action => "action",
            EntryKind::Note => "note",
            EntryKind::Observed => "observed",
            EntryKind::Correction => "correction",
            EntryKind::Step => "step",
        }
    }

    /// The kind stored as `s` (an unknown one reads as a note).
    pub fn parse(s: &str) -> EntryKind {
        match s {
            "note" => EntryKind::Note,
            "observed" => EntryKind::Observed,
            "correction" => EntryKind::Correction,
            "step" => EntryKind::Step,
            _ => EntryKind::Action,
        }
    }
}

/// One timeline entry. The journal keeps it as written; the value read back is `cleaned`, so
/// every view shows it as it is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its id (increasing).
    pub id: i64,
    /// The alert key or `incident:N` it belongs to.
    pub subject: String,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (the configured identity), or the source for observed changes.
    pub author: String,
    /// What kind.
    pub kind: EntryKind,
    /// The text.
    pub body: String,
    /// Whether it leads the post-mortem.
    pub starred: bool,
    /// The entry this one corrects.
    pub corrects: Option<i64>,
}

impl Entry {
    /// The entry with its text made safe to show (an entry is written by people and back
    /// ends, and by other processes on a shared journal): every field that reaches a view is
    /// sanitized here, once.
    pub fn cleaned(self) -> Entry {
        Entry {
            subject: sanitize::line(&self.subject, sanitize::LABEL_CAP),
            author: sanitize::line(&self.author, sanitize::TITLE_CAP),
            body: sanitize::text(&self.body, sanitize::TEXT_CAP),
            ..self
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_read_back_is_safe_to_show_and_keeps_its_lines() {
        let raw = Entry {
            id: 1,
            subject: "am:\u{1b}]0;owned\u{7}x".into(),
            at: DateTime::<Utc>::UNIX_EPOCH,
            author: "ana\u{202e}".into(),
            kind: EntryKind::Note,
            body: "first\n\u{1b}[31msecond\u{200b}".into(),
            starred: false,
            corrects: None,
        };
        let shown = raw.cleaned();
        assert_eq!(shown.subject, "am:x");
        assert_eq!(shown.author, "ana");
        assert_eq!(shown.body, "first\nsecond");
    }
}
