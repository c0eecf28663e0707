//! Tickets linked to incidents and alerts by hand (`L`) or opened for them from onduty, kept
//! so that the link survives a restart and is shared through a PostgreSQL journal. Each link
//! also writes a timeline entry: the post-mortem shows it, and other processes hear of it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::timeline::NewEntry;
use super::{Entry, EntryKind, Journal, JournalError, from_millis, to_millis};
pub use crate::model::TicketLink;

/// Most links loaded at once.
const MOST_LINKS: i64 = 10_000;
/// How a link's timeline entry starts (how `pick_up` tells one).
pub const LINKED: &str = "linked ticket ";
/// The reference of the per-incident setting "notes go to the tickets as comments": a row
/// with it means on.
pub const NOTES_TO_TICKETS: &str = "notes-to-tickets";
/// How the setting's timeline entries start.
pub const TICKET_NOTES: &str = "ticket notes ";

/// Whether a timeline entry changed links or the notes setting (other processes reload).
pub fn is_link_news(body: &str) -> bool {
    body.starts_with(LINKED) || body.starts_with(TICKET_NOTES)
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

    /// Turns "notes go to the tickets" on or off for `subject`, saying so on its timeline;
    /// `None` when it already was so.
    pub async fn set_ticket_notes(
        &self,
        subject: &str,
        is_on: bool,
        author: &str,
        at: DateTime<Utc>,
    ) -> Result<Option<Entry>, JournalError> {
        let changed = if is_on {
            sqlx::query(
                "INSERT INTO ticket_links (subject, reference, author, created_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT (subject, reference) DO NOTHING",
            )
            .bind(subject)
            .bind(NOTES_TO_TICKETS)
            .bind(author)
            .bind(to_millis(at))
            .execute(&self.pool)
            .await?
        } else {
            sqlx::query("DELETE FROM ticket_links WHERE subject = $1 AND reference = $2")
                .bind(subject)
                .bind(NOTES_TO_TICKETS)
                .execute(&self.pool)
                .await?
        };
        if changed.rows_affected() == 0 {
            return Ok(None);
        }
        let said = format!("{TICKET_NOTES}{}", if is_on { "on" } else { "off" });
        self.append(NewEntry {
            subject,
            at,
            author,
            kind: EntryKind::Action,
            body: &said,
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
