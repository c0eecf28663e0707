//! What every ticketing source (Jira, GitHub, ServiceNow) shares: the ticket id inside a key,
//! the vendors' timestamp formats, the marker written under what onduty sends (so that a
//! re-send finds it), and the cap on how many tickets a listing may hold.

use std::future::Future;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::{Error, NewTicket, Operation, Snapshot, Source};
use crate::model::{AlertKey, SourceId, Ticket, marker_line};

use super::{Can, Capabilities, NotesGo};

/// What every ticketing back end does: `a` takes a ticket on (in progress), `r` resolves
/// it, a note is also a comment on it.
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    resolve: Can::Yes,
    snooze: Can::No("a ticket is not silenced; resolve it, or comment with n"),
    notes: NotesGo::AsComment,
    tickets: true,
    ..Capabilities::NONE
};

/// What tells one ticketing back end from another. Every one of them is a `Source` through
/// the impl below: it lists tickets and no alerts, and hands each operation to the one
/// method that does it, with the ticket's id taken from the key.
pub trait TicketBackend: Send + 'static {
    /// Its configured name.
    fn source_id(&self) -> &SourceId;

    /// The tickets it shows now.
    fn list(&mut self) -> impl Future<Output = Result<Vec<Ticket>, Error>> + Send;

    /// Opens `ticket`, unless a ticket holding its marker exists already.
    fn create(&mut self, ticket: &NewTicket) -> impl Future<Output = Result<(), Error>> + Send;

    /// Comments on ticket `id`, unless a comment holding `marker` exists already.
    fn comment(
        &mut self,
        id: &str,
        text: &str,
        marker: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Any other operation on ticket `id` (resolve, transition, acknowledge).
    fn act(&mut self, id: &str, op: &Operation) -> impl Future<Output = Result<(), Error>> + Send;

    /// Who the token is, where the back end says (Jira `myself`, GitHub `user`).
    fn whoami(
        &mut self,
    ) -> impl Future<Output = Result<Option<super::identity::Identity>, Error>> + Send {
        async { Ok(None) }
    }
}

impl<T: TicketBackend> Source for T {
    fn id(&self) -> &SourceId {
        self.source_id()
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        Ok(Snapshot {
            alerts: Arc::default(),
            escalation: Vec::new(),
            silences: Vec::new(),
            invalid: 0,
            rules: Default::default(),
            incidents: Default::default(),
            tickets: self.list().await?,
        })
    }

    async fn whoami(&mut self) -> Result<Option<super::identity::Identity>, Error> {
        TicketBackend::whoami(self).await
    }

    async fn perform(
        &mut self,
        key: &AlertKey,
        op: &Operation,
        _author: &str,
    ) -> Result<(), Error> {
        if let Operation::CreateTicket(t) = op {
            return self.create(t).await;
        }
        let id = id_in(self.source_id(), key)?.to_string();
        match comment_parts(op) {
            Some((text, marker)) => self.comment(&id, text, &marker).await,
            None => self.act(&id, op).await,
        }
    }
}

/// Most tickets a source lists unless `max_tickets` says otherwise.
pub const DEFAULT_MAX_TICKETS: usize = 500;

/// The problem of a `max_tickets` that lets nothing in.
pub fn max_tickets_problem(max_tickets: Option<usize>) -> Option<crate::config::read::Problem> {
    (max_tickets == Some(0))
        .then(|| crate::config::read::Problem::new("max_tickets", "0", "must be at least 1"))
}

/// The ticket id in `key` (`jira:OPS-1` → `OPS-1`), or a refusal naming the source.
pub fn id_in<'k>(source: &SourceId, key: &'k AlertKey) -> Result<&'k str, Error> {
    key.0
        .strip_prefix(&*source.0)
        .and_then(|rest| rest.strip_prefix(':'))
        .filter(|id| !id.is_empty())
        .ok_or_else(|| Error::Rejected(format!("{key} is not a ticket of {source}")))
}

/// `text` with the marker line under it.
pub fn with_marker(text: &str, marker: &str) -> String {
    format!("{}\n\n{}", text.trim_end(), marker_line(marker))
}

/// A comment's text and marker: a ticket comment carries its own; a plain note (the CLI's
/// `onduty note` on a ticket) gets one from its words, so the same note sent twice is one.
pub fn comment_parts(op: &Operation) -> Option<(&str, String)> {
    match op {
        Operation::Comment { text, marker } => Some((text, marker.clone())),
        Operation::AddNote { text } => {
            Some((text, format!("od-n{:012x}", fnv1a(text) & 0xffff_ffff_ffff)))
        }
        _ => None,
    }
}

/// FNV-1a: a hash that stays the same across builds and Rust versions, unlike std's, so a
/// note re-sent by a newer onduty still finds the first one.
pub(crate) fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A timestamp in any of the forms ticketing back ends send (`sources::when`).
pub fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    super::when::parse(s)
}

/// Refuses a listing that grew past `cap`: a cut list would hide tickets without saying so.
pub fn check_count(n: usize, cap: usize, narrow: &str) -> Result<(), Error> {
    if n > cap {
        return Err(Error::Rejected(format!(
            "more than {cap} tickets match; narrow {narrow} or raise max_tickets"
        )));
    }
    Ok(())
}

/// Ticketing sources keep no silences and page nobody.
pub fn not_for_tickets(op: &Operation) -> Error {
    Error::Rejected(format!(
        "{} is not something a ticket can do; comment (n), transition (:transition) or \
         resolve it",
        op.verb()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_vendor_timestamp_parses_to_the_same_instant() {
        let want = DateTime::parse_from_rfc3339("2021-01-17T12:34:00Z").unwrap();
        for s in [
            "2021-01-17T12:34:00Z",
            "2021-01-17T12:34:00.000+0000",
            "2021-01-17T13:34:00.000+0100",
            "2021-01-17 12:34:00",
        ] {
            assert_eq!(parse_time(s), Some(want.with_timezone(&Utc)), "{s}");
        }
        assert_eq!(parse_time("yesterday"), None);
    }

    #[test]
    fn a_note_gets_the_same_marker_each_time_and_a_comment_keeps_its_own() {
        let note = Operation::AddNote {
            text: "db failed over".into(),
        };
        assert_eq!(comment_parts(&note), comment_parts(&note));
        let comment = Operation::Comment {
            text: "x".into(),
            marker: "od-1".into(),
        };
        assert_eq!(comment_parts(&comment).unwrap().1, "od-1");
        assert!(comment_parts(&Operation::Resolve).is_none());
        assert_eq!(
            fnv1a("a"),
            0xaf63_dc4c_8601_ec8c,
            "the published FNV-1a value"
        );
        let key = AlertKey("jira:OPS-1".into());
        assert_eq!(id_in(&SourceId("jira".into()), &key).unwrap(), "OPS-1");
        assert!(id_in(&SourceId("gh".into()), &key).is_err());
    }
}
