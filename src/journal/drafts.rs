//! Note drafts: the text a responder is typing, kept per subject and author as it is typed,
//! so that a dropped SSH session, a SIGHUP or a crash loses nothing. Saving the note
//! removes its draft.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Journal, JournalError, from_millis, to_millis};

/// A note being written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Draft {
    /// The alert key or `incident:N`.
    pub subject: String,
    /// Who is writing.
    pub author: String,
    /// The text so far, as typed.
    pub body: String,
    /// When it was last changed.
    pub updated_at: DateTime<Utc>,
}

impl Journal {
    /// Keeps `draft`, replacing the author's earlier draft on the same subject; an empty
    /// body removes it.
    pub async fn save_draft(&self, draft: &Draft) -> Result<(), JournalError> {
        if draft.body.trim().is_empty() {
            return self.drop_draft(&draft.subject, &draft.author).await;
        }
        sqlx::query(
            "INSERT INTO drafts (subject, author, body, updated_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (subject, author) DO UPDATE SET body = excluded.body, \
             updated_at = excluded.updated_at",
        )
        .bind(&draft.subject)
        .bind(&draft.author)
        .bind(&draft.body)
        .bind(to_millis(draft.updated_at))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes the author's draft on `subject` (the note was saved, or emptied).
    pub async fn drop_draft(&self, subject: &str, author: &str) -> Result<(), JournalError> {
        sqlx::query("DELETE FROM drafts WHERE subject = $1 AND author = $2")
            .bind(subject)
            .bind(author)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The author's draft on `subject`.
    pub async fn draft(&self, subject: &str, author: &str) -> Result<Option<Draft>, JournalError> {
        let row = sqlx::query(
            "SELECT subject, author, body, updated_at FROM drafts \
             WHERE subject = $1 AND author = $2",
        )
        .bind(subject)
        .bind(author)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(draft).transpose()
    }

    /// The author's drafts, newest first.
    pub async fn drafts(&self, author: &str) -> Result<Vec<Draft>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, author, body, updated_at FROM drafts WHERE author = $1 \
             ORDER BY updated_at DESC",
        )
        .bind(author)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(draft).collect()
    }
}

fn draft(r: &sqlx::any::AnyRow) -> Result<Draft, JournalError> {
    Ok(Draft {
        subject: r.try_get("subject")?,
        author: r.try_get("author")?,
        body: r.try_get("body")?,
        updated_at: from_millis(r.try_get("updated_at")?),
    })
}

/// Where the draft of a note on `subject` is kept: the subject itself, or for a correction
/// of entry N, `SUBJECT#N` (a note and a correction can be under way at once).
pub fn draft_subject(subject: &str, corrects: Option<i64>) -> String {
    match corrects {
        Some(id) => format!("{subject}#{id}"),
        None => subject.to_string(),
    }
}
