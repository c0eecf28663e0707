//! Every note on an alert, wherever it lives: its back end's (a PagerDuty incident's notes)
//! and the journal's (written in onduty, shared through PostgreSQL). The detail pane and
//! `onduty alerts --json` list them from here.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::App;
use crate::model::EntryKind;
use crate::model::{Alert, sanitize};

/// One note and where it lives.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PlacedNote {
    /// When it was written.
    pub at: DateTime<Utc>,
    /// Who wrote it.
    pub author: String,
    /// What was written (sanitized, line breaks kept).
    pub text: String,
    /// Where it lives: the source's name, or `journal`.
    pub place: String,
}

/// Where the journal's notes live, as shown.
pub const JOURNAL: &str = "journal";

impl App {
    /// Every note on `alert`, oldest first; a correction replaces nothing, it is listed as
    /// written.
    pub fn notes_on(&self, alert: &Alert) -> Vec<PlacedNote> {
        let source = &*alert.source.0;
        let mut all: Vec<PlacedNote> = alert
            .notes
            .iter()
            .map(|n| PlacedNote {
                at: n.at,
                author: n.author.clone(),
                text: n.text.clone(),
                place: source.to_string(),
            })
            .collect();
        let written = self.timeline.get(&alert.key.0).into_iter().flatten();
        all.extend(
            written
                .filter(|e| matches!(e.kind, EntryKind::Note | EntryKind::Correction))
                .map(|e| PlacedNote {
                    at: e.at,
                    author: sanitize::line(&e.author, 64),
                    text: sanitize::text(&e.body, sanitize::TEXT_CAP),
                    place: JOURNAL.to_string(),
                }),
        );
        all.sort_by_key(|n| n.at);
        all
    }
}
