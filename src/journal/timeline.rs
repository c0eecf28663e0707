//! The timeline: an append-only, timestamped record per alert or incident of what was done
//! in onduty (who, what, outcome), what was seen from the sources, and the notes. Nothing is
//! edited in place: a correction is a new entry pointing at the one it amends; only the star
//! (which entries lead the post-mortem) can be toggled.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Journal, JournalError, from_millis, to_millis};
pub use crate::model::{Entry, EntryKind};

/// A new entry, before it is written.
#[derive(Clone, Debug)]
pub struct NewEntry<'a> {
    /// The alert key or `incident:N`.
    pub subject: &'a str,
    /// When.
    pub at: DateTime<Utc>,
    /// Who.
    pub author: &'a str,
    /// What kind.
    pub kind: EntryKind,
    /// The text.
    pub body: &'a str,
    /// The entry it corrects.
    pub corrects: Option<i64>,
}

impl Journal {
    /// Appends an entry; returns it as stored.
    pub async fn append(&self, new: NewEntry<'_>) -> Result<Entry, JournalError> {
        insert_entry(&self.pool, new).await
    }

    /// Appends a note the dashboard numbered `client_id`, once: a second write with the same
    /// id (sent again after the journal was unreachable, when the first may or may not have
    /// landed) returns the entry already stored.
    pub async fn append_once(
        &self,
        new: NewEntry<'_>,
        client_id: i64,
    ) -> Result<Entry, JournalError> {
        match insert(&self.pool, new, Some(client_id)).await? {
            Some(entry) => Ok(entry),
            None => {
                let row = sqlx::query("SELECT * FROM timeline WHERE client_id = $1")
                    .bind(client_id)
                    .fetch_one(&self.pool)
                    .await?;
                entry(&row)
            }
        }
    }

    /// Records changes seen at `source` (author: the source), each once even when several
    /// processes on one journal saw it; returns how many were new.
    pub async fn observe(
        &self,
        source: &crate::model::SourceId,
        changes: &[crate::sources::observe::Observation],
    ) -> Result<u64, JournalError> {
        // A reader (a viewer's wall) records nothing: the responders' dashboards do.
        if !self.access.may_append {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for c in changes {
            let done = sqlx::query(
                "INSERT INTO timeline (subject, at, author, kind, body, starred) \
                 VALUES ($1, $2, $3, 'observed', $4, 0) \
                 ON CONFLICT (subject, kind, body, at) WHERE kind = 'observed' DO NOTHING",
            )
            .bind(&c.key.0)
            .bind(to_millis(c.at))
            .bind(&*source.0)
            .bind(&c.what)
            .execute(&mut *tx)
            .await?;
            added += done.rows_affected();
        }
        tx.commit().await?;
        Ok(added)
    }

    /// The timeline of `subject`, oldest first.
    pub async fn timeline(&self, subject: &str) -> Result<Vec<Entry>, JournalError> {
        let rows = sqlx::query("SELECT * FROM timeline WHERE subject = $1 ORDER BY id")
            .bind(subject)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry).collect()
    }

    /// Entries after `id`, oldest first, at most `limit`: how another process's writes
    /// are picked up.
    pub async fn entries_after(&self, id: i64, limit: i64) -> Result<Vec<Entry>, JournalError> {
        let rows = sqlx::query("SELECT * FROM timeline WHERE id > $1 ORDER BY id LIMIT $2")
            .bind(id)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry).collect()
    }

    /// Every entry since `since`, oldest first, at most `limit` (a shift's hand-off).
    pub async fn entries_since(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Entry>, JournalError> {
        let rows = sqlx::query("SELECT * FROM timeline WHERE at >= $1 ORDER BY at, id LIMIT $2")
            .bind(to_millis(since))
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(entry).collect()
    }

    /// The "fired" entries since `since`: (alert key, body), oldest first, so a later one
    /// wins when they are collected by key.
    pub async fn fired_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, String)>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, body FROM timeline WHERE kind = 'observed' AND body LIKE 'fired (%' \
             AND at >= $1 ORDER BY at",
        )
        .bind(to_millis(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("subject")?, r.try_get("body")?)))
            .collect()
    }

    /// The notes written since `since`, oldest first (what the dashboard shows on alerts).
    pub async fn notes_since(&self, since: DateTime<Utc>) -> Result<Vec<Entry>, JournalError> {
        let rows =
            sqlx::query("SELECT * FROM timeline WHERE kind = 'note' AND at >= $1 ORDER BY id")
                .bind(to_millis(since))
                .fetch_all(&self.pool)
                .await?;
        rows.iter().map(entry).collect()
    }

    /// When each alert fired since `since`, as the sources were seen to report it: (alert
    /// key, time), oldest first.
    pub async fn fires_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<Vec<(String, DateTime<Utc>)>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, at FROM timeline WHERE kind = 'observed' AND body LIKE 'fired%' \
             AND at >= $1 ORDER BY at",
        )
        .bind(to_millis(since))
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("subject")?, from_millis(r.try_get("at")?))))
            .collect()
    }

    /// The newest `limit` changes seen at sources since `since`, oldest first.
    pub async fn observed_since(
        &self,
        since: DateTime<Utc>,
        limit: i64,
    ) -> Result<Vec<Entry>, JournalError> {
        let rows = sqlx::query(
            "SELECT * FROM (SELECT * FROM timeline WHERE kind = 'observed' AND at >= $1 \
             ORDER BY at DESC LIMIT $2) AS newest ORDER BY at",
        )
        .bind(to_millis(since))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(entry).collect()
    }

    /// What insights are worked out from: the changes seen at sources and the actions taken
    /// since `since`, folded into a ledger in the order they were written — row by row as
    /// they stream from the database (a year of a busy estate is never held as entries).
    pub async fn history_since(
        &self,
        since: DateTime<Utc>,
    ) -> Result<crate::insights::ledger::Ledger, JournalError> {
        use futures::TryStreamExt;
        let mut rows = sqlx::query(
            "SELECT id, subject, at, author, kind, body FROM timeline \
             WHERE kind IN ('observed', 'action') AND at >= $1 ORDER BY id",
        )
        .bind(to_millis(since))
        .fetch(&self.pool);
        let mut ledger = crate::insights::ledger::Ledger::since(since);
        while let Some(row) = rows.try_next().await? {
            // Raw, by column index: the ledger cleans each name once, not each entry.
            let raw = Entry {
                id: row.try_get(0)?,
                subject: row.try_get(1)?,
                at: from_millis(row.try_get(2)?),
                author: row.try_get(3)?,
                kind: EntryKind::parse(&row.try_get::<String, _>(4)?),
                body: row.try_get(5)?,
                starred: false,
                corrects: None,
            };
            ledger.add(&raw);
        }
        Ok(ledger)
    }

    /// One entry.
    pub async fn entry(&self, id: i64) -> Result<Option<Entry>, JournalError> {
        let row = sqlx::query("SELECT * FROM timeline WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(entry).transpose()
    }

    /// Stars or unstars an entry.
    pub async fn star(&self, id: i64, starred: bool) -> Result<(), JournalError> {
        sqlx::query("UPDATE timeline SET starred = $1 WHERE id = $2")
            .bind(i64::from(starred))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The highest entry id (0 when empty).
    pub async fn last_entry_id(&self) -> Result<i64, JournalError> {
        let row = sqlx::query("SELECT COALESCE(MAX(id), 0) AS last FROM timeline")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.try_get::<i64, _>("last")?)
    }
}

fn entry(row: &AnyRow) -> Result<Entry, JournalError> {
    let stored = Entry {
        id: row.try_get("id")?,
        subject: row.try_get("subject")?,
        at: from_millis(row.try_get("at")?),
        author: row.try_get("author")?,
        kind: EntryKind::parse(&row.try_get::<String, _>("kind")?),
        body: row.try_get("body")?,
        starred: row.try_get::<i64, _>("starred")? != 0,
        corrects: row.try_get("corrects")?,
    };
    Ok(stored.cleaned())
}

/// Inserts an entry through `executor` (the pool, or a transaction that settles an action
/// with it); returns it as stored.
pub(crate) async fn insert_entry<'e, E>(
    executor: E,
    new: NewEntry<'_>,
) -> Result<Entry, JournalError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    insert(executor, new, None)
        .await?
        .ok_or_else(|| JournalError::Io("the timeline stored no entry".into()))
}

/// The one INSERT of a timeline entry: None when `client_id` is already stored (an entry
/// without a client id never conflicts).
async fn insert<'e, E>(
    executor: E,
    new: NewEntry<'_>,
    client_id: Option<i64>,
) -> Result<Option<Entry>, JournalError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let row = sqlx::query(
        "INSERT INTO timeline (subject, at, author, kind, body, starred, corrects, client_id) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7) \
         ON CONFLICT (client_id) WHERE client_id IS NOT NULL DO NOTHING RETURNING id, author",
    )
    .bind(new.subject)
    .bind(to_millis(new.at))
    .bind(new.author)
    .bind(new.kind.name())
    .bind(new.body)
    .bind(new.corrects)
    .bind(client_id)
    .fetch_optional(executor)
    .await?;
    row.map(|row| Ok(stored(&new, row.try_get("id")?, row.try_get("author")?)))
        .transpose()
}

/// `new` as stored under `id`, by `author` (the database signs a responder's rows).
fn stored(new: &NewEntry<'_>, id: i64, author: String) -> Entry {
    Entry {
        id,
        subject: new.subject.to_string(),
        at: new.at,
        author,
        kind: new.kind,
        body: new.body.to_string(),
        starred: false,
        corrects: new.corrects,
    }
    .cleaned()
}
