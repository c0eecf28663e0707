//! A timeline entry: what the journal records under a subject (an alert key or
//! `incident:N`) — a note, a correction, an action done in onduty, a change seen at a source.

use chrono::{DateTime, Utc};

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

/// One timeline entry. `body` is stored as written; it is sanitized when shown.
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
