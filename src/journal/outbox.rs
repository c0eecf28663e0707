//! The outbox: every action is written here before it is sent, and its outcome after.
//! pending (written, waiting) -> sent (handed to the back end, leased by one sender) ->
//! confirmed (the back end said yes) or failed (it said no, with its reason); a transient
//! failure puts it back to pending with a later attempt time. A sender that dies while an
//! item is sent loses its lease, and the item is sent again: sources check whether the
//! effect already happened before re-sending, so the effect happens once.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Journal, JournalError, from_millis, to_millis};
use crate::model::{AlertKey, Matcher, SourceId};
use crate::sources::{CommandId, NewTicket, Operation};

/// How long a sender holds an item before another may take it over.
pub const LEASE: TimeDelta = TimeDelta::seconds(60);

/// Where an action stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OutboxState {
    /// Written, waiting to be sent (or to be retried).
    Pending,
    /// Handed to the back end; its answer is awaited.
    Sent,
    /// The back end did it.
    Confirmed,
    /// The back end refused; the reason is kept.
    Failed,
}

impl OutboxState {
    /// The stored and shown name.
    pub fn name(self) -> &'static str {
        match self {
            OutboxState::Pending => "pending",
            OutboxState::Sent => "sent",
            OutboxState::Confirmed => "confirmed",
            OutboxState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> OutboxState {
        match s {
            "sent" => OutboxState::Sent,
            "confirmed" => OutboxState::Confirmed,
            "failed" => OutboxState::Failed,
            _ => OutboxState::Pending,
        }
    }
}

/// One action in the outbox.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxItem {
    /// Its id, also the command id its outcome comes back with.
    pub id: CommandId,
    /// When it was written.
    pub created_at: DateTime<Utc>,
    /// Who asked.
    pub author: String,
    /// The source it goes to.
    pub source: SourceId,
    /// The alert it concerns (`SOURCE:` for a whole source).
    pub key: AlertKey,
    /// What was asked.
    pub op: Operation,
    /// Where it stands.
    pub state: OutboxState,
    /// How many times it was handed to the back end.
    pub attempts: u32,
    /// The last failure's reason.
    pub last_error: Option<String>,
}

/// A new action, before it is written.
#[derive(Clone, Debug)]
pub struct NewAction {
    /// Its id (see `new_command_id`).
    pub id: CommandId,
    /// Who asks.
    pub author: String,
    /// The source.
    pub source: SourceId,
    /// The alert.
    pub key: AlertKey,
    /// What to do.
    pub op: Operation,
}

/// A fresh command id: random, so processes sharing a journal never collide (and never 0).
pub fn new_command_id() -> CommandId {
    CommandId(fastrand::u64(1..i64::MAX as u64))
}

impl Journal {
    /// Writes `action` as sent by the caller, who holds it for one lease: it sends it right
    /// after this returns. Until this returns Ok, nothing may be sent. Returns the item as
    /// stored.
    pub async fn record(
        &self,
        action: &NewAction,
        now: DateTime<Utc>,
    ) -> Result<OutboxItem, JournalError> {
        let op = encode(&action.op)?;
        sqlx::query(
            "INSERT INTO outbox (id, created_at, updated_at, author, source, alert_key, operation, \
             state, attempts, next_attempt_at, lease_until) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, 'sent', 1, $2, $7)",
        )
        .bind(action.id.0 as i64)
        .bind(to_millis(now))
        .bind(&action.author)
        .bind(&*action.source.0)
        .bind(&action.key.0)
        .bind(op)
        .bind(to_millis(now + LEASE))
        .execute(&self.pool)
        .await?;
        Ok(OutboxItem {
            id: action.id,
            created_at: now,
            author: action.author.clone(),
            source: action.source.clone(),
            key: action.key.clone(),
            op: action.op.clone(),
            state: OutboxState::Sent,
            attempts: 1,
            last_error: None,
        })
    }

    /// Takes every item due by `due_by` whose lease has run out (pending, or sent by a
    /// sender that never reported back), each for one lease. Each item is taken by one
    /// caller only, even with several processes on one journal. `due_by` is `now` for the
    /// retry schedule, later for "send everything now" (`onduty outbox --flush`).
    pub async fn claim_due(
        &self,
        now: DateTime<Utc>,
        due_by: DateTime<Utc>,
    ) -> Result<Vec<OutboxItem>, JournalError> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE state IN ('pending', 'sent') \
             AND next_attempt_at <= $1 AND lease_until <= $2 ORDER BY created_at",
        )
        .bind(to_millis(due_by))
        .bind(to_millis(now))
        .fetch_all(&self.pool)
        .await?;
        let mut claimed = Vec::new();
        for row in rows {
            let mut item = item(&row)?;
            let taken = sqlx::query(
                "UPDATE outbox SET state = 'sent', attempts = attempts + 1, lease_until = $1, \
                 updated_at = $2 WHERE id = $3 AND lease_until <= $2 AND state IN ('pending', 'sent')",
            )
            .bind(to_millis(now + LEASE))
            .bind(to_millis(now))
            .bind(item.id.0 as i64)
            .execute(&self.pool)
            .await?;
            if taken.rows_affected() == 1 {
                item.state = OutboxState::Sent;
                item.attempts += 1;
                claimed.push(item);
            }
        }
        Ok(claimed)
    }

    /// The back end did it.
    pub async fn confirm(&self, id: CommandId, now: DateTime<Utc>) -> Result<(), JournalError> {
        self.settle(id, OutboxState::Confirmed, None, now).await
    }

    /// The back end refused, for good.
    pub async fn fail(
        &self,
        id: CommandId,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.settle(id, OutboxState::Failed, Some(reason), now)
            .await
    }

    /// It could not be sent now (back end down, timeout): pending again, tried at `at`.
    pub async fn retry_at(
        &self,
        id: CommandId,
        reason: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        sqlx::query(
            "UPDATE outbox SET state = 'pending', last_error = $1, next_attempt_at = $2, \
             lease_until = 0, updated_at = $3 WHERE id = $4 AND state IN ('pending', 'sent')",
        )
        .bind(reason)
        .bind(to_millis(at))
        .bind(to_millis(now))
        .bind(id.0 as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    async fn settle(
        &self,
        id: CommandId,
        state: OutboxState,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        sqlx::query(
            "UPDATE outbox SET state = $1, last_error = $2, lease_until = 0, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(state.name())
        .bind(reason)
        .bind(to_millis(now))
        .bind(id.0 as i64)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Items not yet settled (pending or sent), oldest first.
    pub async fn open_items(&self) -> Result<Vec<OutboxItem>, JournalError> {
        let rows = sqlx::query(
            "SELECT * FROM outbox WHERE state IN ('pending', 'sent') ORDER BY created_at",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(item).collect()
    }

    /// The `limit` most recent items, newest first.
    pub async fn recent_items(&self, limit: i64) -> Result<Vec<OutboxItem>, JournalError> {
        let rows = sqlx::query("SELECT * FROM outbox ORDER BY created_at DESC LIMIT $1")
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(item).collect()
    }

    /// One item.
    pub async fn outbox_item(&self, id: CommandId) -> Result<Option<OutboxItem>, JournalError> {
        let row = sqlx::query("SELECT * FROM outbox WHERE id = $1")
            .bind(id.0 as i64)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(item).transpose()
    }
}

fn item(row: &AnyRow) -> Result<OutboxItem, JournalError> {
    let op: String = row.try_get("operation")?;
    Ok(OutboxItem {
        id: CommandId(row.try_get::<i64, _>("id")? as u64),
        created_at: from_millis(row.try_get("created_at")?),
        author: row.try_get("author")?,
        source: SourceId(row.try_get::<String, _>("source")?.into()),
        key: AlertKey(row.try_get("alert_key")?),
        op: decode(&op)?,
        state: OutboxState::parse(&row.try_get::<String, _>("state")?),
        attempts: u32::try_from(row.try_get::<i64, _>("attempts")?).unwrap_or(u32::MAX),
        last_error: row.try_get("last_error")?,
    })
}

/// An operation as stored: plain fields, stable names.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum StoredOp {
    Acknowledge,
    Resolve,
    Silence {
        seconds: u64,
        comment: String,
    },
    AddNote {
        text: String,
    },
    CreateSilence {
        matchers: Vec<StoredMatcher>,
        seconds: u64,
        comment: String,
    },
    ExpireSilence {
        id: String,
    },
    Reassign {
        to: String,
    },
    Escalate {
        level: Option<u32>,
    },
    Comment {
        text: String,
        marker: String,
    },
    Transition {
        to: String,
    },
    CreateTicket {
        title: String,
        body: String,
        marker: String,
    },
}

#[derive(Serialize, Deserialize)]
struct StoredMatcher {
    name: String,
    value: String,
    is_regex: bool,
    is_equal: bool,
}

fn encode(op: &Operation) -> Result<String, JournalError> {
    let stored = match op {
        Operation::Acknowledge => StoredOp::Acknowledge,
        Operation::Resolve => StoredOp::Resolve,
        Operation::Silence { duration, comment } => StoredOp::Silence {
            seconds: duration.as_secs(),
            comment: comment.clone(),
        },
        Operation::AddNote { text } => StoredOp::AddNote { text: text.clone() },
        Operation::CreateSilence {
            matchers,
            duration,
            comment,
        } => StoredOp::CreateSilence {
            matchers: matchers
                .iter()
                .map(|m| StoredMatcher {
                    name: m.name.clone(),
                    value: m.value.clone(),
                    is_regex: m.is_regex,
                    is_equal: m.is_equal,
                })
                .collect(),
            seconds: duration.as_secs(),
            comment: comment.clone(),
        },
        Operation::ExpireSilence { id } => StoredOp::ExpireSilence { id: id.clone() },
        Operation::Reassign { to } => StoredOp::Reassign { to: to.clone() },
        Operation::Escalate { level } => StoredOp::Escalate { level: *level },
        Operation::Comment { text, marker } => StoredOp::Comment {
            text: text.clone(),
            marker: marker.clone(),
        },
        Operation::Transition { to } => StoredOp::Transition { to: to.clone() },
        Operation::CreateTicket(t) => StoredOp::CreateTicket {
            title: t.title.clone(),
            body: t.body.clone(),
            marker: t.marker.clone(),
        },
    };
    serde_json::to_string(&stored).map_err(|e| JournalError::Io(e.to_string()))
}

fn decode(text: &str) -> Result<Operation, JournalError> {
    let bad = |e: String| JournalError::Io(format!("an outbox item cannot be read: {e}"));
    let stored: StoredOp = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    Ok(match stored {
        StoredOp::Acknowledge => Operation::Acknowledge,
        StoredOp::Resolve => Operation::Resolve,
        StoredOp::Silence { seconds, comment } => Operation::Silence {
            duration: Duration::from_secs(seconds),
            comment,
        },
        StoredOp::AddNote { text } => Operation::AddNote { text },
        StoredOp::CreateSilence {
            matchers,
            seconds,
            comment,
        } => Operation::CreateSilence {
            matchers: matchers
                .iter()
                .map(|m| Matcher::new(&m.name, &m.value, m.is_regex, m.is_equal))
                .collect::<Result<_, _>>()
                .map_err(bad)?,
            duration: Duration::from_secs(seconds),
            comment,
        },
        StoredOp::ExpireSilence { id } => Operation::ExpireSilence { id },
        StoredOp::Reassign { to } => Operation::Reassign { to },
        StoredOp::Escalate { level } => Operation::Escalate { level },
        StoredOp::Comment { text, marker } => Operation::Comment { text, marker },
        StoredOp::Transition { to } => Operation::Transition { to },
        StoredOp::CreateTicket {
            title,
            body,
            marker,
        } => Operation::CreateTicket(Box::new(NewTicket {
            title,
            body,
            marker,
        })),
    })
}
