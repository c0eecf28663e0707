//! Tickets linked to incidents and alerts by hand (`L`) or opened for them from onduty, kept
//! so that the link survives a restart and is shared through a PostgreSQL journal. Each link
//! also writes a timeline entry: the post-mortem shows it, and other processes hear of it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::timeline::NewEntry;
use super::{Entry, EntryKind, Journal, JournalError, from_millis, to_millis};

/// Most links loaded at once.
const MOST_LINKS: i64 = 10_000;
/// How a link's timeline entry starts (how `pick_up` tells one).
pub const LINKED: &str = "linked ticket ";

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

impl Journal {
    /// Keeps `link` and writes it on the subject's timeline (`shown` names the ticket); a
    /// link made before is kept once and written nowhere (`None`).
    pub async fn link_ticket(
        &self,
        link: &TicketLink,
        shown: &str,
    ) -> Result<Option<Entry>, JournalError> {
        let made = sqlx::query(
            "INSERT INTO ticket_links (subject, reference, author, created_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (subject, reference) DO NOTHING",
        )
        .bind(&link.subject)
        .bind(&link.reference)
        .bind(&link.author)
        .bind(to_millis(link.at))
        .execute(&self.pool)
        .await?;
        if made.rows_affected() == 0 {
            return Ok(None);
        }
        self.append(NewEntry {
            subject: &link.subject,
            at: link.at,
            author: &link.author,
            kind: EntryKind::Action,
            body: &format!("{LINKED}{shown}"),
            corrects: None,
        })
        .await
        .map(Some)
    }

    /// Every link, oldest first.
    pub async fn ticket_links(&self) -> Result<Vec<TicketLink>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, reference, author, created_at FROM ticket_links \
             ORDER BY created_at, subject, reference LIMIT $1",
        )
        .bind(MOST_LINKS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(TicketLink {
                    subject: row.try_get("subject")?,
                    reference: row.try_get("reference")?,
                    author: row.try_get("author")?,
                    at: from_millis(row.try_get("created_at")?),
                })
            })
            .collect()
    }
}
