//! Back ends behind one trait. A source task owns its back end, polls it on its own interval
//! (see `poller`), performs the commands handed to it and reports facts up as `SourceEvent`s.
//! It never touches the UI.

pub mod alertmanager;
pub mod backend;
pub mod capabilities;
pub mod command;
pub mod demo;
mod erased;
mod error;
pub mod github;
pub mod grafana_oncall;
pub mod http;
pub mod identity;
pub mod incident_io;
mod info;
pub mod jira;
pub mod json;
mod json_array;
pub mod notes_cache;
pub mod observe;
pub mod opsgenie;
pub mod pace;
pub mod pagerduty;
mod poller;
pub mod prometheus;
pub mod region;
pub mod registry;
pub mod servicenow;
pub mod share;
pub mod splunk_oncall;
pub mod start;
pub mod stream;
pub mod ticketing;
pub mod when;
pub mod zendesk;

use crate::model::incident::{IncidentChange, NewIncident};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use capabilities::{Can, Capabilities, NotesGo};
pub use error::{Error, Failure, RETRY_AFTER_CAP, parse_retry_after};
pub use info::SourceInfo;
pub use poller::{PollPolicy, spawn};

use crate::model::{
    Alert, AlertKey, AlertRule, EscalationPolicy, Matcher, Related, Silence, SourceId, Ticket,
};

/// Identifies one command sent to a source, so its outcome can be matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommandId(pub u64);

/// What a responder asked a source to do to one alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Operation {
    /// Acknowledge the alert.
    Acknowledge,
    /// Take the acknowledgement back: the alert pages again (Opsgenie, JSM Operations).
    Unacknowledge,
    /// Resolve the alert.
    Resolve,
    /// Open a resolved alert again (Grafana OnCall).
    Unresolve,
    /// Silence the alert for a while.
    Silence {
        /// How long.
        duration: Duration,
        /// Why.
        comment: String,
    },
    /// Add a note.
    AddNote {
        /// The note as typed.
        text: String,
    },
    /// Create a silence from matchers (not tied to one alert).
    CreateSilence {
        /// What it catches.
        matchers: Vec<Matcher>,
        /// When it starts: now (`None`), or later (a maintenance window's; Alertmanager keeps
        /// it pending until then).
        starts_at: Option<DateTime<Utc>>,
        /// How long, from its start.
        duration: Duration,
        /// Why.
        comment: String,
    },
    /// Expire (end now) a silence.
    ExpireSilence {
        /// The silence's id.
        id: String,
    },
    /// Hand the alert to someone else: a user or an escalation policy, by id or name.
    Reassign {
        /// Who or what takes it (`bo`, `user:PXPGF42`, `policy:Payments`).
        to: String,
    },
    /// Ask someone else to respond as well, keeping those who do.
    AddResponder {
        /// Who (`team:SRE`, `user:bo@example.com`, `escalation:NAME`, `schedule:NAME`).
        who: String,
    },
    /// Page the next level of the escalation policy, or `level` (1 for the first).
    Escalate {
        /// The level to page; `None` for the next one.
        level: Option<u32>,
    },
    /// Comment on a ticket.
    Comment {
        /// The comment as typed.
        text: String,
        /// Written under the comment, so that a re-send finds the first one.
        marker: String,
    },
    /// Move a ticket to the status called `to` ("In Progress", "Done", "closed", "open").
    Transition {
        /// The status (or transition) name.
        to: String,
    },
    /// Open a new ticket (the key names the source only, `SOURCE:`).
    CreateTicket(Box<NewTicket>),
    /// Change an incident the back end keeps (the key is the incident's): its status,
    /// severity or a role.
    ChangeIncident(IncidentChange),
    /// Declare an incident in the back end (the key names the source only, `SOURCE:`).
    DeclareIncident(Box<NewIncident>),
}

/// A ticket to open (boxed in `Operation`: commands stay small on their channel).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewTicket {
    /// Its title.
    pub title: String,
    /// Its description (Markdown).
    pub body: String,
    /// Written in the description, so that a re-send finds the ticket made.
    pub marker: String,
}

impl Operation {
    /// The verb shown while the operation is pending ("ack", "silence").
    pub fn verb(&self) -> &'static str {
        match self {
            Operation::Acknowledge => "ack",
            Operation::Unacknowledge => "unack",
            Operation::AddResponder { .. } => "add responder",
            Operation::Resolve => "resolve",
            Operation::Unresolve => "unresolve",
            Operation::Silence { .. } => "silence",
            Operation::AddNote { .. } => "note",
            Operation::CreateSilence { .. } => "silence",
            Operation::ExpireSilence { .. } => "expire",
            Operation::Reassign { .. } => "reassign",
            Operation::Escalate { .. } => "escalate",
            Operation::Comment { .. } => "comment",
            Operation::Transition { .. } => "transition",
            Operation::CreateTicket(_) => "create ticket",
            Operation::ChangeIncident(IncidentChange::Status(_)) => "status",
            Operation::ChangeIncident(IncidentChange::Severity(_)) => "severity",
            Operation::ChangeIncident(IncidentChange::Role(..)) => "role",
            Operation::ChangeIncident(IncidentChange::Attach(_)) => "attach",
            Operation::DeclareIncident(_) => "declare",
        }
    }

    /// Whether only a ticketing source can do it.
    pub fn is_for_tickets(&self) -> bool {
        matches!(
            self,
            Operation::Comment { .. } | Operation::Transition { .. } | Operation::CreateTicket(_)
        )
    }
}

/// The client in `slot`, built by `build` on first use (a token command runs then, not at
/// start) and kept after; a failed build is tried again next time.
pub async fn built<C>(
    slot: &mut Option<C>,
    build: impl Future<Output = Result<C, Error>>,
) -> Result<&C, Error> {
    if slot.is_none() {
        *slot = Some(build.await?);
    }
    slot.as_ref()
        .ok_or_else(|| Error::Connect("no client".into()))
}

/// The refusal of a ticket operation by a source that keeps no tickets.
pub fn not_a_ticket_source(source: &SourceId) -> Error {
    Error::Rejected(format!(
        "{source} is not a ticketing source; comment on or create tickets in a Jira, GitHub or \
         ServiceNow source"
    ))
}

/// The refusal of an incident operation by a source that keeps no incidents.
pub fn keeps_no_incidents(source: &SourceId) -> Error {
    Error::Rejected(format!(
        "{source} keeps no incidents; change them in the journal or an incident.io source"
    ))
}

/// A command handed down to a source task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceCommand {
    /// Perform `op` on alert `key` on behalf of `author`.
    Perform {
        /// Matches the outcome.
        id: CommandId,
        /// The alert.
        key: AlertKey,
        /// What to do.
        op: Operation,
        /// Who asks (the configured identity).
        author: String,
    },
    /// Poll now instead of waiting for the interval.
    PollNow,
    /// The dashboard polling this source for the journal wrote a frame: a follower applies
    /// it now (the poller itself ignores it).
    FramesWritten,
    /// Stop (true) or resume (false) polling.
    SetPaused(bool),
    /// Also report what resolved within this window (none: open alerts only), then poll.
    ShowResolved(Option<Duration>),
    /// Only what is assigned to me (true) or everything the config lets in, then poll.
    MineOnly(bool),
    /// List what is behind this alert (a PagerDuty incident's alerts).
    Related(AlertKey),
    /// Ask the back end's own analytics for `[since, until)` (those that have them).
    Analytics {
        /// From.
        since: chrono::DateTime<chrono::Utc>,
        /// Until.
        until: chrono::DateTime<chrono::Utc>,
    },
}

/// What a source knows at one moment.
#[derive(Clone, Debug, Default)]
pub struct Snapshot {
    /// The alerts it reports (shared, never copied on the way to the UI).
    pub alerts: Arc<Vec<Alert>>,
    /// The escalation policies it knows, with who is on call.
    pub escalation: Vec<EscalationPolicy>,
    /// Its silences (every state it reports).
    pub silences: Vec<Silence>,
    /// Its tickets (ticketing back ends).
    pub tickets: Vec<Ticket>,
    /// Items of its answer that lack what an alert needs (a million `{}`): counted, shown in
    /// the health view, never kept.
    pub invalid: usize,
    /// The alerting rules it evaluates (a Prometheus): shown behind the alerts they fire,
    /// the broken ones in the health view (shared, as the alerts are, never copied up).
    pub rules: Arc<[AlertRule]>,
    /// The incidents it keeps (incident.io): shown in the incidents view beside the
    /// journal's own, told apart from alerts as rules are.
    pub incidents: Arc<[crate::model::incident::Incident]>,
}

/// A fact reported up by a source task.
#[derive(Clone, Debug)]
pub enum SourceEvent {
    /// A poll succeeded.
    AlertsFetched {
        /// Which source.
        source: SourceId,
        /// What it reported.
        alerts: Arc<Vec<Alert>>,
        /// Its escalation policies.
        escalation: Arc<[EscalationPolicy]>,
        /// Its silences.
        silences: Arc<[Silence]>,
        /// Its tickets.
        tickets: Arc<[Ticket]>,
        /// When.
        fetched_at: DateTime<Utc>,
    },
    /// A poll's answer held items that are no alerts (see `Snapshot::invalid`); told when
    /// the count changes.
    InvalidItems {
        /// Which source.
        source: SourceId,
        /// How many, in the last answer.
        count: usize,
    },
    /// What a source can do changed while it ran (its token turned out unable to act):
    /// the actions it no longer does are not offered for it again.
    CapabilitiesChanged {
        /// Which source.
        source: SourceId,
        /// What it can do now.
        can: Capabilities,
    },
    /// A poll's alerting rules differ from the previous poll's (after `AlertsFetched` or
    /// `Unchanged`).
    RulesFetched {
        /// Which source.
        source: SourceId,
        /// Its rules.
        rules: Arc<[AlertRule]>,
    },
    /// A poll's incidents differ from the previous poll's (after `AlertsFetched` or
    /// `Unchanged`).
    IncidentsFetched {
        /// Which source.
        source: SourceId,
        /// Its incidents.
        incidents: Arc<[crate::model::incident::Incident]>,
    },
    /// A poll succeeded and found exactly what the previous one did.
    Unchanged {
        /// Which source.
        source: SourceId,
        /// When.
        at: DateTime<Utc>,
    },
    /// A poll failed; the last good data stays.
    PollFailed {
        /// Which source.
        source: SourceId,
        /// Why, one line, without secrets.
        error: String,
        /// When.
        at: DateTime<Utc>,
    },
    /// What changed at the source since its previous poll (after `AlertsFetched`).
    Observed {
        /// Which source.
        source: SourceId,
        /// The changes.
        changes: Vec<observe::Observation>,
    },
    /// A command finished.
    CommandDone {
        /// Which command.
        id: CommandId,
        /// Which source performed it.
        source: SourceId,
        /// `Err` holds the back end's reason.
        result: Result<(), Failure>,
    },
    /// What is behind an alert, asked for with `SourceCommand::Related`.
    Related {
        /// The alert.
        key: AlertKey,
        /// The list, or why it could not be had.
        result: Result<Vec<Related>, String>,
    },
    /// Who polls the source changed (shared polling: here, another dashboard, or here
    /// alone because the journal is unreachable).
    PolledBy {
        /// Which source.
        source: SourceId,
        /// Who.
        by: share::PolledBy,
    },
    /// Who the back end knows the token as (asked once, after the first good poll, of the
    /// back ends that can say).
    Identity {
        /// Which source.
        source: SourceId,
        /// Its user.
        identity: identity::Identity,
    },
    /// The back end's analytics, asked for with `SourceCommand::Analytics`.
    Analytics {
        /// Which source.
        source: SourceId,
        /// Its figures, or why they could not be had.
        result: Result<Box<crate::insights::analytics::Analytics>, String>,
    },
    /// Polling was paused or resumed.
    PauseChanged {
        /// Which source.
        source: SourceId,
        /// Whether it is paused now.
        is_paused: bool,
    },
}

/// A back end. One value per configured source, owned by its task.
pub trait Source: Send + 'static {
    /// Its configured name.
    fn id(&self) -> &SourceId;

    /// Fetches what the back end reports now.
    fn fetch(&mut self) -> impl Future<Output = Result<Snapshot, Error>> + Send;

    /// Also reports what resolved within `window` (none: open ones only), for the back ends
    /// that keep resolved items (PagerDuty); the others ignore it.
    fn show_resolved(&mut self, window: Option<Duration>) {
        let _ = window;
    }

    /// Only what is assigned to the token's user, where the back end assigns (PagerDuty);
    /// the others ignore it.
    fn set_mine_only(&mut self, mine_only: bool) {
        let _ = mine_only;
    }

    /// What it can do now, when it found out while running that it cannot do all its back
    /// end declares (a Grafana service-account token may not act on alert groups); `None`:
    /// as declared. Asked after every poll.
    fn capabilities_now(&self) -> Option<Capabilities> {
        None
    }

    /// What is behind alert `key` (a PagerDuty incident's alerts); nothing for most.
    fn related(
        &mut self,
        key: &AlertKey,
    ) -> impl Future<Output = Result<Vec<Related>, Error>> + Send {
        let _ = key;
        async { Ok(Vec::new()) }
    }

    /// Who the back end knows the token as, where it can say (`users/me`, `myself`);
    /// `None` for the others.
    fn whoami(&mut self) -> impl Future<Output = Result<Option<identity::Identity>, Error>> + Send {
        async { Ok(None) }
    }

    /// The back end's own figures for `[since, until)`, where it keeps analytics (PagerDuty);
    /// `None` for the others.
    fn analytics(
        &mut self,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> impl Future<Output = Result<Option<crate::insights::analytics::Analytics>, Error>> + Send
    {
        let _ = (since, until);
        async { Ok(None) }
    }

    /// Performs `op` on alert `key` on behalf of `author`. For `CreateSilence` and
    /// `ExpireSilence` the key names the source only (`SOURCE:`).
    fn perform(
        &mut self,
        key: &AlertKey,
        op: &Operation,
        author: &str,
    ) -> impl Future<Output = Result<(), Error>> + Send;

    /// Performs several actions that arrived together (a responder's bulk action), telling
    /// each item's result on `done` by its index as soon as it is known; each waits at most
    /// `per_item`. By default one `perform` after another; a back end that can do better
    /// (one look at the server for the whole batch, a few requests at a time) overrides it.
    fn perform_batch(
        &mut self,
        items: &[BatchItem],
        per_item: Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) -> impl Future<Output = ()> + Send {
        async move {
            for (i, item) in items.iter().enumerate() {
                let result =
                    within(per_item, self.perform(&item.key, &item.op, &item.author)).await;
                let _ = done.send((i, result));
            }
        }
    }
}

/// `work`, or `Error::Timeout` after `limit`: how every wait on a back end is bounded.
pub async fn within<T>(
    limit: Duration,
    work: impl Future<Output = Result<T, Error>>,
) -> Result<T, Error> {
    tokio::time::timeout(limit, work)
        .await
        .unwrap_or(Err(Error::Timeout(limit)))
}

/// One action of a batch.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchItem {
    /// The alert (or `SOURCE:`).
    pub key: AlertKey,
    /// What to do.
    pub op: Operation,
    /// On whose behalf.
    pub author: String,
}
