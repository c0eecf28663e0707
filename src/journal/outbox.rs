//! The outbox: every action is written here before it is sent, and its outcome after.
//! pending (written, waiting) -> sent (handed to the back end, leased by one sender) ->
//! confirmed (the back end said yes) or failed (it said no, with its reason); a transient
//! failure puts it back to pending with a later attempt time. A sender that dies while an
//! item is sent loses its lease, and the item is sent again: sources check whether the
//! effect already happened before re-sending, so the effect happens once.

use crate::model::incident::{IncidentChange, IncidentStatus, NewIncident, Role};
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::timeline::{Entry, NewEntry, insert_entry};
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
             state, attempts, next_attempt_at, lease_until, holder) \
             VALUES ($1, $2, $2, $3, $4, $5, $6, 'sent', 1, $2, $7, $8)",
        )
        .bind(action.id.0 as i64)
        .bind(to_millis(now))
        .bind(&action.author)
        .bind(&*action.source.0)
        .bind(&action.key.0)
        .bind(op)
        .bind(to_millis(now + LEASE))
        .bind(this_process())
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
        // A reader (a viewer's wall) sends nothing: the database would refuse the claim.
        if !self.access.may_append {
            return Ok(Vec::new());
        }
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
                 updated_at = $2, holder = $4 \
                 WHERE id = $3 AND lease_until <= $2 AND state IN ('pending', 'sent')",
            )
            .bind(to_millis(now + LEASE))
            .bind(to_millis(now))
            .bind(item.id.0 as i64)
            .bind(this_process())
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

    /// The back end did it, or refused for good (with its reason): the item is settled and
    /// `entry` (what happened, for the timeline) appended in one transaction, so a kill
    /// between the two cannot leave a settled action missing from the timeline, the
    /// post-mortem and the hand-off. Its scope is free again. Returns the entry as stored.
    pub async fn settle(
        &self,
        id: CommandId,
        failure: Option<&str>,
        entry: NewEntry<'_>,
        now: DateTime<Utc>,
    ) -> Result<Entry, JournalError> {
        let state = match failure {
            None => OutboxState::Confirmed,
            Some(_) => OutboxState::Failed,
        };
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE outbox SET state = $1, last_error = $2, lease_until = 0, updated_at = $3 \
             WHERE id = $4",
        )
        .bind(state.name())
        .bind(failure)
        .bind(to_millis(now))
        .bind(id.0 as i64)
        .execute(&mut *tx)
        .await?;
        release_scope(&mut *tx, id).await?;
        let entry = insert_entry(&mut *tx, entry).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// It could not be sent now (back end down, timeout): pending again, tried at `at`.
    pub async fn retry_at(
        &self,
        id: CommandId,
        reason: &str,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "UPDATE outbox SET state = 'pending', last_error = $1, next_attempt_at = $2, \
             lease_until = 0, updated_at = $3 WHERE id = $4 AND state IN ('pending', 'sent')",
        )
        .bind(reason)
        .bind(to_millis(at))
        .bind(to_millis(now))
        .bind(id.0 as i64)
        .execute(&mut *tx)
        .await?;
        release_scope(&mut *tx, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Takes `item`'s scope (its alert, or its silence's matchers) for one lease, unless
    /// another item holds it: the look-for-an-existing-effect-then-create step of a back end
    /// runs for one sender at a time across every process on this journal. False when
    /// another holds it; the caller waits or retries later.
    pub async fn take_scope(
        &self,
        item: &OutboxItem,
        now: DateTime<Utc>,
    ) -> Result<bool, JournalError> {
        let taken = sqlx::query(
            "INSERT INTO action_claims (scope, holder, until_ms) VALUES ($1, $2, $3) \
             ON CONFLICT (scope) DO UPDATE SET holder = excluded.holder, \
             until_ms = excluded.until_ms \
             WHERE action_claims.until_ms <= $4 OR action_claims.holder = excluded.holder",
        )
        .bind(scope(item))
        .bind(item.id.0 as i64)
        .bind(to_millis(now + LEASE))
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(taken.rows_affected() == 1)
    }

    /// Frees the items being sent by a process of this host that is gone (killed, or its
    /// terminal closed), without waiting for their leases: `onduty outbox --flush` sends
    /// them at once. Returns how many were freed.
    pub async fn free_orphans(&self, now: DateTime<Utc>) -> Result<usize, JournalError> {
        let rows =
            sqlx::query("SELECT id, holder FROM outbox WHERE state = 'sent' AND lease_until > $1")
                .bind(to_millis(now))
                .fetch_all(&self.pool)
                .await?;
        let mut freed = 0;
        for row in rows {
            let (id, holder): (i64, Option<String>) = (row.try_get(0)?, row.try_get(1)?);
            if !holder.as_deref().is_some_and(is_gone) {
                continue;
            }
            let mut tx = self.pool.begin().await?;
            let done = sqlx::query(
                "UPDATE outbox SET lease_until = 0 WHERE id = $1 AND state = 'sent' AND holder = $2",
            )
            .bind(id)
            .bind(&holder)
            .execute(&mut *tx)
            .await?;
            release_scope(&mut *tx, CommandId(id as u64)).await?;
            tx.commit().await?;
            freed += done.rows_affected() as usize;
        }
        Ok(freed)
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

/// What one sender at a time may act on: the alert; for a silence by matchers, the
/// matchers (and its start, for a window's), and for an expiry, the silence (two different
/// silences from one source do not wait for each other).
fn scope(item: &OutboxItem) -> String {
    let mut scope = format!("{}\u{1f}{}", item.source, item.key.0);
    match &item.op {
        Operation::CreateSilence {
            matchers,
            starts_at,
            ..
        } => {
            for m in matchers {
                scope.push('\u{1f}');
                scope.push_str(&m.to_string());
            }
            // A maintenance window's silences share their matchers, not their start.
            if let Some(at) = starts_at {
                scope.push_str(&format!("\u{1f}from\u{1f}{}", at.timestamp()));
            }
        }
        Operation::ExpireSilence { id } => {
            scope.push_str("\u{1f}silence\u{1f}");
            scope.push_str(id);
        }
        _ => {}
    }
    scope
}

async fn release_scope<'e, E>(executor: E, id: CommandId) -> Result<(), JournalError>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    sqlx::query("DELETE FROM action_claims WHERE holder = $1")
        .bind(id.0 as i64)
        .execute(executor)
        .await?;
    Ok(())
}

/// This process, as an outbox item's holder: `host:pid`.
/// This process, as a holder of leases and claims: `host:pid`.
pub(crate) fn this_process() -> String {
    format!("{}:{}", host_name(), std::process::id())
}

fn host_name() -> String {
    rustix::system::uname()
        .nodename()
        .to_string_lossy()
        .into_owned()
}

/// Whether `holder` (`host:pid`) is a process of this host that no longer runs. A holder on
/// another host is never judged from here: its lease decides.
fn is_gone(holder: &str) -> bool {
    let Some((host, pid)) = holder.rsplit_once(':') else {
        return false;
    };
    if host != host_name() {
        return false;
    }
    let Some(pid) = pid
        .parse::<i32>()
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    matches!(
        rustix::process::test_kill_process(pid),
        Err(rustix::io::Errno::SRCH)
    )
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
        // Written by any process on a shared journal: safe to show once read.
        last_error: row
            .try_get::<Option<String>, _>("last_error")?
            .map(|e| crate::model::sanitize::line(&e, crate::model::sanitize::LABEL_CAP)),
    })
}

/// An operation as stored: plain fields, stable names.
#[derive(Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
enum StoredOp {
    Acknowledge,
    Unacknowledge,
    AddResponder {
        who: String,
    },
    Resolve,
    Unresolve,
    Silence {
        seconds: u64,
        comment: String,
    },
    AddNote {
        text: String,
    },
    CreateSilence {
        matchers: Vec<StoredMatcher>,
        /// Unix seconds; absent in items written before windows (they start when sent).
        #[serde(default)]
        starts_at: Option<i64>,
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
    IncidentStatus {
        status: String,
    },
    IncidentSeverity {
        severity: u8,
    },
    IncidentRole {
        role: String,
        who: String,
    },
    DeclareIncident {
        title: String,
        severity: u8,
        summary: String,
        idempotency_key: String,
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
        Operation::Unacknowledge => StoredOp::Unacknowledge,
        Operation::AddResponder { who } => StoredOp::AddResponder { who: who.clone() },
        Operation::Resolve => StoredOp::Resolve,
        Operation::Unresolve => StoredOp::Unresolve,
        Operation::Silence { duration, comment } => StoredOp::Silence {
            seconds: duration.as_secs(),
            comment: comment.clone(),
        },
        Operation::AddNote { text } => StoredOp::AddNote { text: text.clone() },
        Operation::CreateSilence {
            matchers,
            starts_at,
            duration,
            comment,
        } => StoredOp::CreateSilence {
            starts_at: starts_at.map(|t| t.timestamp()),
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
        Operation::ChangeIncident(IncidentChange::Status(s)) => StoredOp::IncidentStatus {
            status: s.name().to_string(),
        },
        Operation::ChangeIncident(IncidentChange::Severity(s)) => {
            StoredOp::IncidentSeverity { severity: *s }
        }
        Operation::ChangeIncident(IncidentChange::Role(role, who)) => StoredOp::IncidentRole {
            role: role.code().to_string(),
            who: who.clone(),
        },
        Operation::ChangeIncident(IncidentChange::Attach(_)) => {
            return Err(JournalError::Io(
                "alerts are attached in the journal, never sent".into(),
            ));
        }
        Operation::DeclareIncident(i) => StoredOp::DeclareIncident {
            title: i.title.clone(),
            severity: i.severity,
            summary: i.summary.clone(),
            idempotency_key: i.idempotency_key.clone(),
        },
    };
    serde_json::to_string(&stored).map_err(|e| JournalError::Io(e.to_string()))
}

fn decode(text: &str) -> Result<Operation, JournalError> {
    let bad = |e: String| JournalError::Io(format!("an outbox item cannot be read: {e}"));
    let stored: StoredOp = serde_json::from_str(text).map_err(|e| bad(e.to_string()))?;
    Ok(match stored {
        StoredOp::Acknowledge => Operation::Acknowledge,
        StoredOp::Unacknowledge => Operation::Unacknowledge,
        StoredOp::AddResponder { who } => Operation::AddResponder { who },
        StoredOp::Resolve => Operation::Resolve,
        StoredOp::Unresolve => Operation::Unresolve,
        StoredOp::Silence { seconds, comment } => Operation::Silence {
            duration: Duration::from_secs(seconds),
            comment,
        },
        StoredOp::AddNote { text } => Operation::AddNote { text },
        StoredOp::CreateSilence {
            matchers,
            starts_at,
            seconds,
            comment,
        } => Operation::CreateSilence {
            starts_at: starts_at.and_then(|t| chrono::DateTime::from_timestamp(t, 0)),
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
        StoredOp::IncidentStatus { status } => Operation::ChangeIncident(IncidentChange::Status(
            IncidentStatus::parse(&status).ok_or_else(|| bad(format!("status {status}")))?,
        )),
        StoredOp::IncidentSeverity { severity } => {
            Operation::ChangeIncident(IncidentChange::Severity(severity))
        }
        StoredOp::IncidentRole { role, who } => Operation::ChangeIncident(IncidentChange::Role(
            Role::parse(&role).ok_or_else(|| bad(format!("role {role}")))?,
            who,
        )),
        StoredOp::DeclareIncident {
            title,
            severity,
            summary,
            idempotency_key,
        } => Operation::DeclareIncident(Box::new(NewIncident {
            title,
            severity,
            summary,
            idempotency_key,
        })),
    })
}
