//! An action's outcome written to the journal, shared by the journal's task and the CLI: the
//! outbox item confirmed, failed with its timeline entry, or pending again with backoff.

use crate::model::incident::IncidentChange;
use chrono::{DateTime, TimeDelta, Utc};

use super::timeline::NewEntry;
use super::{Entry, EntryKind, Journal, JournalError};
use crate::model::AlertKey;
use crate::sources::{CommandId, Failure, Operation};

/// Why an item waits while another sender acts on the same alert.
pub const SCOPE_BUSY: &str = "another onduty is sending an action on this alert; sent after it";

/// The delay before attempt `attempts + 1`: 5 s, doubling, at most 5 minutes.
pub fn backoff(attempts: u32) -> TimeDelta {
    let secs = 5i64.saturating_mul(1 << attempts.saturating_sub(1).min(6));
    TimeDelta::seconds(secs.min(300))
}

/// A source's answer to one outbox item.
pub struct Outcome<'a> {
    /// The item.
    pub id: CommandId,
    /// The alert.
    pub key: &'a AlertKey,
    /// What was asked.
    pub op: &'a Operation,
    /// Who asked.
    pub author: &'a str,
    /// The answer.
    pub result: &'a Result<(), Failure>,
}

/// Records an outcome: confirmed or failed with a timeline entry (returned), or, for a
/// transient failure, pending again with backoff (no entry: nothing happened yet).
pub async fn settle(
    journal: &Journal,
    outcome: Outcome<'_>,
    now: DateTime<Utc>,
) -> Result<Option<Entry>, JournalError> {
    let id = outcome.id;
    let (failure, said) = match outcome.result {
        Ok(()) => (None, "done".to_string()),
        Err(f) if f.is_transient => {
            let attempts = journal.outbox_item(id).await?.map_or(1, |i| i.attempts);
            journal
                .retry_at(id, &f.message, now + backoff(attempts), now)
                .await?;
            return Ok(None);
        }
        Err(f) => (Some(f.message.as_str()), format!("failed: {}", f.message)),
    };
    let body = format!("{}: {said}", describe(outcome.op));
    let entry = NewEntry {
        subject: &outcome.key.0,
        at: now,
        author: outcome.author,
        kind: EntryKind::Action,
        body: &body,
        corrects: None,
    };
    journal.settle(id, failure, entry, now).await.map(Some)
}

/// What an action did, for the timeline ("ack", "silence 2h: deploy").
pub fn describe(op: &Operation) -> String {
    let words = match op {
        Operation::Silence { duration, comment }
        | Operation::CreateSilence {
            duration, comment, ..
        } => {
            format!(
                "silence {}: {comment}",
                crate::duration_fmt::short(*duration)
            )
        }
        Operation::ExpireSilence { id } => format!("expire silence {id}"),
        Operation::Reassign { to } => format!("reassign to {to}"),
        Operation::AddResponder { who } => format!("add responder {who}"),
        Operation::Escalate { level: Some(l) } => format!("escalate to L{l}"),
        Operation::Transition { to } => format!("transition to {to}"),
        Operation::CreateTicket(t) => format!("create ticket: {}", t.title),
        Operation::ChangeIncident(IncidentChange::Status(s)) => format!("status: {}", s.name()),
        Operation::ChangeIncident(IncidentChange::Severity(s)) => format!("severity: SEV{s}"),
        Operation::ChangeIncident(IncidentChange::Role(role, who)) => {
            format!("{}: {who}", role.name())
        }
        Operation::DeclareIncident(i) => format!("declare SEV{}: {}", i.severity, i.title),
        other => other.verb().to_string(),
    };
    // Its text is a responder's (a note, a comment): shown, so sanitized here.
    crate::model::sanitize::line(&words, crate::model::sanitize::TEXT_CAP)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_five_seconds_to_five_minutes() {
        let secs: Vec<i64> = (1..=9).map(|a| backoff(a).num_seconds()).collect();
        assert_eq!(secs, [5, 10, 20, 40, 80, 160, 300, 300, 300]);
    }
}
