//! A note (annotation) a responder wrote on an alert or incident.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::sanitize;

/// A note: who wrote it, when, and what. The text is kept sanitized for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Note {
    /// Who wrote it.
    pub author: String,
    /// When it was written.
    pub at: DateTime<Utc>,
    /// What was written.
    pub text: String,
}

impl Note {
    /// Builds a note from outside text, sanitizing author and text.
    pub fn new(author: &str, at: DateTime<Utc>, text: &str) -> Note {
        Note {
            author: sanitize::line(author, sanitize::LABEL_CAP),
            at,
            text: sanitize::text(text, sanitize::TEXT_CAP),
        }
    }
}
