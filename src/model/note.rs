//! A note (annotation) a responder wrote on an alert or incident.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::sanitize;

/// Something behind an alert that its back end lists on demand: one of a PagerDuty
/// incident's alerts (sanitized when built).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Related {
    /// What it is, one line.
    pub summary: String,
    /// Its state at the back end (`triggered`, `resolved`).
    pub status: String,
    /// When it was created.
    pub at: Option<DateTime<Utc>>,
}

impl Related {
    /// Builds one from outside text.
    pub fn new(summary: &str, status: &str, at: Option<DateTime<Utc>>) -> Related {
        Related {
            summary: sanitize::line(summary, sanitize::TITLE_CAP),
            status: sanitize::line(status, 24),
            at,
        }
    }
}

/// A note: who wrote it, when, and what. The text is kept sanitized for display.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
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
