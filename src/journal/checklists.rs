//! Runbook checklists: the steps ticked per incident (or alert), kept so that progress
//! survives a restart and is shared through a PostgreSQL journal. Each tick also writes a
//! timeline entry, so the post-mortem shows when every step was done and by whom.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::timeline::NewEntry;
use super::{Entry, EntryKind, Journal, JournalError, from_millis, to_millis};

/// Most steps loaded at once.
const MOST_STEPS: i64 = 10_000;

/// A step ticked or unticked.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tick {
    /// `incident:N`, or the alert key.
    pub subject: String,
    /// The runbook's path or URL.
    pub runbook: String,
    /// The step's name (its text).
    pub step: String,
    /// Ticked or not.
    pub done: bool,
    /// Who.
    pub author: String,
    /// When.
    pub at: DateTime<Utc>,
}

impl Journal {
    /// Keeps `tick` (the step's latest state) and writes `said` on the subject's timeline.
    pub async fn tick(&self, tick: &Tick, said: &str) -> Result<Entry, JournalError> {
        sqlx::query(
            "INSERT INTO checklist_steps (subject, runbook, step, done, author, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (subject, runbook, step) DO UPDATE \
             SET done = excluded.done, author = excluded.author, updated_at = excluded.updated_at",
        )
        .bind(&tick.subject)
        .bind(&tick.runbook)
        .bind(&tick.step)
        .bind(i64::from(tick.done))
        .bind(&tick.author)
        .bind(to_millis(tick.at))
        .execute(&self.pool)
        .await?;
        self.append(NewEntry {
            subject: &tick.subject,
            at: tick.at,
            author: &tick.author,
            kind: EntryKind::Step,
            body: said,
            corrects: None,
        })
        .await
    }

    /// The steps changed since `since` (newest last).
    pub async fn ticks_since(&self, since: DateTime<Utc>) -> Result<Vec<Tick>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, runbook, step, done, author, updated_at FROM checklist_steps \
             WHERE updated_at >= $1 ORDER BY updated_at LIMIT $2",
        )
        .bind(to_millis(since))
        .bind(MOST_STEPS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tick).collect()
    }

    /// The steps of `subject`.
    pub async fn ticks_of(&self, subject: &str) -> Result<Vec<Tick>, JournalError> {
        let rows = sqlx::query(
            "SELECT subject, runbook, step, done, author, updated_at FROM checklist_steps \
             WHERE subject = $1 ORDER BY updated_at LIMIT $2",
        )
        .bind(subject)
        .bind(MOST_STEPS)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(tick).collect()
    }
}

fn tick(row: &sqlx::any::AnyRow) -> Result<Tick, JournalError> {
    Ok(Tick {
        subject: row.try_get("subject")?,
        runbook: row.try_get("runbook")?,
        step: row.try_get("step")?,
        done: row.try_get::<i64, _>("done")? != 0,
        author: row.try_get("author")?,
        at: from_millis(row.try_get("updated_at")?),
    })
}
