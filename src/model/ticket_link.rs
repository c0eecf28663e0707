//! A ticket linked to an incident or an alert (kept in the journal, shared through it).

use chrono::{DateTime, Utc};

/// A ticket linked to an incident or an alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketLink {
    /// `incident:N`, or the alert key.
    pub subject: String,
    /// The ticket: its key, id or URL, or `marker:od-…` for one opened from onduty.
    pub reference: String,
    /// Who linked it.
    pub author: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl TicketLink {
    /// The marker of a ticket opened from onduty, when this link is one.
    pub fn marker(&self) -> Option<&str> {
        self.reference.strip_prefix("marker:")
    }
}
