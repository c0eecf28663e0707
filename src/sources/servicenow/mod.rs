//! `ServiceNowSource`: records of an instance's incident table (the Table API) as tickets,
//! their newest work notes and comments, and what a responder does to them (work note or
//! comment, state changes, resolve with close notes, create), each checked against the
//! record as it is now so that a re-send does not act twice.

pub mod client;
mod config;

use std::collections::HashMap;
use std::time::Duration;

use serde_json::json;

use super::ticketing::{self, DEFAULT_MAX_TICKETS, TicketBackend, parse_time, with_marker};
use super::{Error, NewTicket, Operation};
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{COMMENTS_KEPT, RawComment, SourceId, Ticket, TicketDraft, TicketState};
use crate::sources::Capabilities;
use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use client::{Client, Record, shown, value};
pub use config::Settings;

/// What a ticketing back end does: `a` starts a ticket, `r` resolves it, notes go as
/// comments; snoozes and silences are not for tickets.
pub const CAPABILITIES: Capabilities = super::ticketing::CAPABILITIES;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("servicenow");

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(KIND, CAPABILITIES, check::<Settings>, build);

fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let source = ServiceNowSource::new(setting.source.clone(), setting.timeout)?;
    Ok(AnySource::new(source))
}

/// The records listed unless `query` says otherwise.
pub const DEFAULT_QUERY: &str = "active=true^ORDERBYDESCsys_updated_on";
/// Most records whose journal is read in one poll (one request each).
const JOURNAL_PER_POLL: usize = 10;

/// The incident states of a stock instance, by name.
const STATES: &[(&str, &str)] = &[
    ("new", "1"),
    ("in progress", "2"),
    ("on hold", "3"),
    ("resolved", "6"),
    ("closed", "7"),
    ("canceled", "8"),
    ("cancelled", "8"),
];

/// One ServiceNow instance.
pub struct ServiceNowSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    client: Option<Client>,
    /// Journal entries read per record, with its `sys_updated_on` when read.
    journal: HashMap<String, (String, Vec<RawComment>)>,
}

/// Where a state number stands.
fn state_of(state: Option<&str>) -> TicketState {
    match state {
        Some("6" | "7" | "8") => TicketState::Done,
        Some("2" | "3") => TicketState::InProgress,
        _ => TicketState::Open,
    }
}

/// A record number as typed (`INC0010001`); anything else could change the encoded query.
fn checked_number(id: &str) -> Result<&str, Error> {
    if !id.is_empty() && id.len() <= 40 && id.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(id)
    } else {
        Err(Error::Rejected(format!("'{id}' is not a record number")))
    }
}

/// A marker as onduty makes them (letters, digits, '-'): safe inside an encoded query.
fn checked_marker(marker: &str) -> Result<&str, Error> {
    if !marker.is_empty()
        && marker
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-')
    {
        Ok(marker)
    } else {
        Err(Error::Rejected(format!(
            "'{marker}' is not an onduty marker"
        )))
    }
}

impl ServiceNowSource {
    /// The problems of its keys if they are bad; else a source for the instance `config` describes.
    pub fn new(config: SourceConfig, timeout: Duration) -> Result<ServiceNowSource, Vec<Problem>> {
        Ok(ServiceNowSource {
            id: SourceId(config.name.as_str().into()),
            settings: Settings::read(&config)?,
            config,
            timeout,
            client: None,
            journal: HashMap::new(),
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(
            &mut self.client,
            Client::new(&self.config, &self.settings, self.timeout),
        )
        .await
    }

    /// Reads the journal of records that changed since it was read, a few a poll.
    async fn read_journal(&mut self, records: &[Record]) -> Result<(), Error> {
        let stale: Vec<(String, String)> = records
            .iter()
            .filter_map(|r| Some((value(r, "sys_id")?, value(r, "sys_updated_on")?)))
            .filter(|(id, at)| self.journal.get(*id).is_none_or(|(seen, _)| seen != at))
            .map(|(id, at)| (id.to_string(), at.to_string()))
            .take(JOURNAL_PER_POLL)
            .collect();
        for (sys_id, at) in stale {
            let entries = self
                .client()
                .await?
                .journal(&sys_id, "", COMMENTS_KEPT)
                .await?;
            self.journal
                .insert(sys_id, (at, entries.iter().filter_map(entry).collect()));
        }
        self.journal
            .retain(|id, _| records.iter().any(|r| value(r, "sys_id") == Some(id)));
        Ok(())
    }

    fn ticket(&self, r: &Record) -> Option<Ticket> {
        let number = value(r, "number")?;
        let sys_id = value(r, "sys_id").unwrap_or_default();
        let base = self.config.url.clone().unwrap_or_default();
        let table = self
            .settings
            .table
            .clone()
            .unwrap_or_else(|| "incident".into());
        let journal = self.journal.get(sys_id).map(|(_, j)| j.clone());
        Some(
            TicketDraft {
                id: number.to_string(),
                title: shown(r, "short_description")
                    .unwrap_or_default()
                    .to_string(),
                status: shown(r, "state").unwrap_or_default().to_string(),
                state: Some(state_of(value(r, "state"))),
                assignee: shown(r, "assigned_to").map(String::from),
                priority: shown(r, "priority").map(String::from),
                labels: Vec::new(),
                url: Some(format!(
                    "{}/nav_to.do?uri={table}.do?sys_id={sys_id}",
                    base.trim_end_matches('/')
                )),
                created: value(r, "sys_created_on").and_then(parse_time),
                updated: value(r, "sys_updated_on").and_then(parse_time),
                description: value(r, "description").unwrap_or_default().to_string(),
                comments: journal.unwrap_or_default(),
                comment_count: 0,
            }
            .build(&self.id),
        )
    }

    /// The record numbered `id`.
    async fn record(&mut self, id: &str) -> Result<Record, Error> {
        let number = checked_number(id)?.to_string();
        self.client()
            .await?
            .first(&format!("number={number}"))
            .await?
            .ok_or_else(|| Error::Rejected(format!("no record {number}")))
    }

    /// Sets the state numbered `state`, unless the record is there already; resolving and
    /// closing write the close code and notes a stock instance requires.
    async fn set_state(&mut self, id: &str, state: &str) -> Result<(), Error> {
        let record = self.record(id).await?;
        if value(&record, "state") == Some(state) {
            return Ok(());
        }
        let sys_id = value(&record, "sys_id").unwrap_or_default().to_string();
        let mut fields = json!({ "state": state });
        if matches!(state, "6" | "7") {
            fields["close_code"] = json!(self.close_code());
            fields["close_notes"] = json!("Resolved from onduty");
        }
        self.client().await?.patch(&sys_id, &fields).await
    }

    fn close_code(&self) -> String {
        self.settings
            .close_code
            .clone()
            .unwrap_or_else(|| "Solution provided".into())
    }

    fn note_field(&self) -> &'static str {
        match self.settings.note_field.as_deref() {
            Some("comments") => "comments",
            _ => "work_notes",
        }
    }
}

/// A journal entry as (author, when, text).
fn entry(r: &Record) -> Option<RawComment> {
    let at = value(r, "sys_created_on").and_then(parse_time)?;
    let who = value(r, "sys_created_by").unwrap_or("someone").to_string();
    let kind = match value(r, "element") {
        Some("comments") => "comment",
        _ => "work note",
    };
    let text = value(r, "value").unwrap_or_default();
    Some((who, at, format!("[{kind}] {text}")))
}

impl TicketBackend for ServiceNowSource {
    fn source_id(&self) -> &SourceId {
        &self.id
    }

    async fn list(&mut self) -> Result<Vec<Ticket>, Error> {
        let query = self
            .settings
            .query
            .clone()
            .unwrap_or_else(|| DEFAULT_QUERY.into());
        let cap = self.settings.max_tickets.unwrap_or(DEFAULT_MAX_TICKETS);
        let records = self.client().await?.records(&query, cap).await?;
        self.read_journal(&records).await?;
        Ok(records.iter().filter_map(|r| self.ticket(r)).collect())
    }

    async fn create(&mut self, t: &NewTicket) -> Result<(), Error> {
        let marker = checked_marker(&t.marker)?;
        let client = self.client().await?;
        if client
            .first(&format!("descriptionLIKE{marker}"))
            .await?
            .is_some()
        {
            return Ok(());
        }
        let fields = json!({
            "short_description": t.title,
            "description": with_marker(&t.body, &t.marker),
        });
        client.create(&fields).await
    }

    async fn comment(&mut self, id: &str, text: &str, marker: &str) -> Result<(), Error> {
        let record = self.record(id).await?;
        let sys_id = value(&record, "sys_id").unwrap_or_default().to_string();
        let marker = checked_marker(marker)?;
        let field = self.note_field();
        let client = self.client().await?;
        let found = client
            .journal(&sys_id, &format!("valueLIKE{marker}"), 1)
            .await?;
        if !found.is_empty() {
            return Ok(());
        }
        let fields = json!({ field: with_marker(text, marker) });
        client.patch(&sys_id, &fields).await
    }

    async fn act(&mut self, id: &str, op: &Operation) -> Result<(), Error> {
        match op {
            Operation::Resolve => self.set_state(id, "6").await,
            Operation::Transition { to } => {
                let wanted = to.trim().to_ascii_lowercase();
                let state = STATES
                    .iter()
                    .find(|(name, number)| *name == wanted || *number == wanted)
                    .map(|(_, n)| *n)
                    .ok_or_else(|| {
                        Error::Rejected(format!(
                            "no state '{}': new, in progress, on hold, resolved, closed, canceled",
                            crate::model::sanitize::line(to, 40)
                        ))
                    })?;
                self.set_state(id, state).await
            }
            Operation::Acknowledge => {
                let record = self.record(id).await?;
                if state_of(value(&record, "state")) != TicketState::Open {
                    return Ok(());
                }
                self.set_state(id, "2").await
            }
            other => Err(ticketing::not_for_tickets(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_numbers_that_could_change_a_query_are_refused() {
        assert!(checked_number("INC0010001").is_ok());
        for bad in ["INC1^ORactive=true", "", "INC 1", "a=b"] {
            assert!(checked_number(bad).is_err(), "{bad}");
        }
        assert!(checked_marker("od-00000000beef").is_ok());
        assert!(checked_marker("od-1^ORactive=true").is_err());
        assert_eq!(state_of(Some("2")), TicketState::InProgress);
        assert_eq!(state_of(Some("7")), TicketState::Done);
        assert_eq!(state_of(None), TicketState::Open);
    }
}
