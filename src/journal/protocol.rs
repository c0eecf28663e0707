//! What the dashboard asks of the journal's task (`Request`) and what the task tells back
//! (`JournalEvent`): the protocol between the UI task and the journal's actor.

pub use crate::model::incident::IncidentChange;
use std::sync::Arc;

use chrono::{DateTime, Utc};

use super::checklists::Tick;
use super::drafts::Draft;
use super::incidents::{Declaration, Incident};
use super::ticket_links::TicketLink;
use super::{Entry, OutboxItem};
use crate::model::{Alert, AlertKey, SourceId};
use crate::sources::observe::Observation;
use crate::sources::{CommandId, Failure, Operation};

/// What the dashboard asks of the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Request {
    /// Write this action, then hand it to its source.
    Submit {
        /// Its id.
        id: CommandId,
        /// Who asks.
        author: String,
        /// The source.
        source: SourceId,
        /// The alert.
        key: AlertKey,
        /// What to do.
        op: Operation,
    },
    /// A source answered command `id`.
    Outcome {
        /// The command.
        id: CommandId,
        /// The alert.
        key: AlertKey,
        /// What was asked.
        op: Operation,
        /// Who asked.
        author: String,
        /// The answer.
        result: Result<(), Failure>,
    },
    /// Keep these as the last known alerts of `source`.
    SaveSnapshot {
        /// The source.
        source: SourceId,
        /// When they were fetched.
        fetched_at: DateTime<Utc>,
        /// The alerts (shared with the dashboard, encoded off the UI task).
        alerts: Arc<Vec<Alert>>,
    },
    /// Declare an incident.
    DeclareIncident(Declaration),
    /// Change an incident: its status, a role, or the alerts it groups.
    ChangeIncident {
        /// Which incident.
        id: i64,
        /// What changes.
        change: IncidentChange,
        /// Who changes it.
        author: String,
    },
    /// Record what a source was seen to change.
    Observed {
        /// The source.
        source: SourceId,
        /// The changes.
        changes: Vec<Observation>,
    },
    /// Write a note on `subject`.
    Note {
        /// The alert key or `incident:N`.
        subject: String,
        /// Who writes.
        author: String,
        /// As typed.
        text: String,
        /// The entry this note corrects (written as a correction; nothing is edited).
        corrects: Option<i64>,
        /// The dashboard's number for it: a note sent again after an outage is written once.
        client_id: i64,
    },
    /// Keep what is being typed (an empty body removes the draft).
    SaveDraft(Draft),
    /// Link a ticket to an incident or an alert, writing `shown` on the timeline.
    LinkTicket {
        /// The link.
        link: TicketLink,
        /// How the ticket reads on the timeline (its key, or the title of one being opened).
        shown: String,
    },
    /// Turn "notes on `subject` go to its tickets as comments" on or off.
    TicketNotes {
        /// `incident:N`.
        subject: String,
        /// On or off.
        is_on: bool,
        /// Who.
        author: String,
    },
    /// Tick or untick a runbook step, writing `said` on the timeline.
    Tick {
        /// The step's new state.
        tick: Tick,
        /// The timeline entry's text ("runbook Disk full: done 'Free space' (3/5)").
        said: String,
    },
    /// Prepare the post-mortem of `subject`: the kept draft, or a new one (`fresh`: always).
    Postmortem {
        /// `incident:N` or an alert key.
        subject: String,
        /// The template.
        template: Arc<str>,
        /// Write a new one even when a draft is kept.
        fresh: bool,
        /// Its alerts as the dashboard holds them.
        known: Vec<Alert>,
    },
    /// Gather the record of a shift for its hand-off, to be written to `path`.
    Handoff {
        /// The shift.
        shift: crate::handoff::Shift,
        /// Where the hand-off goes.
        path: std::path::PathBuf,
    },
    /// Open a problem.
    OpenProblem(super::problems::NewProblem),
    /// Change a problem.
    ChangeProblem {
        /// Which.
        id: i64,
        /// What changes.
        change: crate::model::problem::ProblemChange,
        /// Who changes it.
        author: String,
    },
    /// Read what fixed these past incidents (`incident:N`).
    PastFixes(Vec<String>),
    /// Read the history insights are worked out from (changes seen and actions taken since
    /// `since`), for the view `9`.
    History {
        /// From.
        since: DateTime<Utc>,
    },
    /// Star or unstar a timeline entry (starred entries lead the post-mortem).
    Star {
        /// The entry.
        id: i64,
        /// Starred or not.
        starred: bool,
    },
}

/// What the journal tells the dashboard.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum JournalEvent {
    /// The action was written and handed to its source.
    Recorded(CommandId),
    /// The action could not be written, so it was not sent.
    NotRecorded {
        /// Which.
        id: CommandId,
        /// Why.
        error: String,
    },
    /// Actions being sent again (left pending, or by a previous run).
    Resumed(Vec<OutboxItem>),
    /// Every incident (after a change here or in another process).
    Incidents(Vec<Incident>),
    /// When alerts fired over the last day (alert key, time), read at start.
    Fires(Vec<(String, DateTime<Utc>)>),
    /// Timeline entries not seen before (notes included), from any process.
    Entries(Vec<Entry>),
    /// This responder's unsaved note drafts, read at start.
    Drafts(Vec<Draft>),
    /// A post-mortem prepared (or why not).
    Postmortem {
        /// Its subject.
        subject: String,
        /// The draft.
        result: Result<crate::postmortem::Prepared, String>,
    },
    /// Runbook steps' states (recent ones at start; then each one ticked, here or by
    /// another process).
    Ticks(Vec<Tick>),
    /// Every ticket link (at start, and again after any link here or elsewhere).
    TicketLinks(Vec<TicketLink>),
    /// A shift's record gathered for its hand-off (or why not).
    Handoff {
        /// The shift.
        shift: crate::handoff::Shift,
        /// Where the hand-off goes.
        path: std::path::PathBuf,
        /// The record.
        result: Result<Box<crate::handoff::ShiftJournal>, String>,
    },
    /// Every problem (at start, and after a change here or in another process).
    Problems(Vec<crate::model::problem::Problem>),
    /// What fixed past incidents (asked by `Request::PastFixes`).
    PastFixes(Vec<crate::model::problem::PastFix>),
    /// The history asked for by `Request::History`, folded (or why it could not be read).
    History(Result<Box<crate::insights::ledger::Ledger>, String>),
    /// An entry was starred or unstarred.
    Starred {
        /// The entry.
        id: i64,
        /// Starred or not.
        starred: bool,
    },
    /// A note could not be written; the dashboard keeps it and sends it again when the
    /// journal is back.
    NoteNotWritten {
        /// The dashboard's number for it.
        client_id: i64,
    },
    /// The journal is (or became) unusable; the message says why.
    Unavailable(String),
    /// The journal works again after being unavailable.
    Available,
}
