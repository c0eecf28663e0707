//! The journal's task in the dashboard, so that no journal write ever runs on the UI task.
//! An action is written, and only then handed to its source; outcomes settle it; pending
//! actions (back end down, or left by a previous run) are retried with backoff; notes and
//! entries written by other processes on the same journal are picked up (PostgreSQL
//! LISTEN/NOTIFY, or a cheap poll of the newest id).

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use tokio::sync::mpsc;
use tokio::time::{MissedTickBehavior, interval};
use tokio_util::sync::CancellationToken;

use super::checklists::Tick;
use super::drafts::{Draft, draft_subject};
use super::incidents::{Declaration, Incident, IncidentStatus, Role};
use super::outbox::NewAction;
use super::ticket_links::{TicketLink, is_link_news};
use super::timeline::NewEntry;
use super::{Entry, EntryKind, Journal, JournalError, Location, OutboxItem};
use crate::clock::SharedClock;
use crate::model::{Alert, AlertKey, SourceId};
use crate::sources::observe::Observation;
use crate::sources::{CommandId, Failure, Operation, SourceCommand};

/// How often due retries are looked for.
const RETRY_CHECK: Duration = Duration::from_secs(5);
/// Why an item waits while another sender acts on the same alert.
pub const SCOPE_BUSY: &str = "another onduty is sending an action on this alert; sent after it";
/// When an item that found its alert busy is tried again.
const SCOPE_RETRY: TimeDelta = TimeDelta::seconds(2);
/// How often the journal is checked for other processes' entries (SQLite; PostgreSQL is
/// told at once and checks this often only as a safety net).
const WATCH_SQLITE: Duration = Duration::from_millis(750);
const WATCH_POSTGRES: Duration = Duration::from_secs(30);
/// Changes seen at sources loaded at start (the newest of the last day).
const HISTORY_KEPT: i64 = 2_000;
/// Notes older than this are not loaded at start.
const NOTES_KEPT: TimeDelta = TimeDelta::days(7);
/// Checklist steps changed longer ago than this are not loaded at start.
const STEPS_KEPT: TimeDelta = TimeDelta::days(30);

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
    /// Star or unstar a timeline entry (starred entries lead the post-mortem).
    Star {
        /// The entry.
        id: i64,
        /// Starred or not.
        starred: bool,
    },
}

/// A change to an incident.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IncidentChange {
    /// A new status.
    Status(IncidentStatus),
    /// A role given to someone.
    Role(Role, String),
    /// Alerts added.
    Attach(Vec<AlertKey>),
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

/// The delay before attempt `attempts + 1`: 5 s, doubling, at most 5 minutes.
pub fn backoff(attempts: u32) -> TimeDelta {
    let secs = 5i64.saturating_mul(1 << attempts.saturating_sub(1).min(6));
    TimeDelta::seconds(secs.min(300))
}

/// Everything the task needs.
pub struct JournalTask {
    /// The journal, or why it could not be opened.
    pub journal: Result<Journal, JournalError>,
    /// Requests from the dashboard.
    pub requests: mpsc::UnboundedReceiver<Request>,
    /// News for the dashboard.
    pub events: mpsc::UnboundedSender<JournalEvent>,
    /// Each source's command channel.
    pub commands: HashMap<SourceId, mpsc::UnboundedSender<SourceCommand>>,
    /// The clock.
    pub clock: SharedClock,
    /// Whose drafts to bring back at start (the configured identity).
    pub author: String,
    /// Stops the task.
    pub cancel: CancellationToken,
}

impl JournalTask {
    /// Runs until cancelled or the dashboard is gone.
    pub async fn run(mut self) {
        let journal = match self.journal {
            Ok(ref j) => j.clone(),
            Err(ref e) => {
                self.tell(JournalEvent::Unavailable(e.to_string()));
                return self.refuse_all().await;
            }
        };
        let mut seen = self.load_start(&journal).await;
        let mut listener = Listener::start(journal.location()).await;
        let mut retry = interval(RETRY_CHECK);
        retry.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut watch = interval(if listener.is_live() {
            WATCH_POSTGRES
        } else {
            WATCH_SQLITE
        });
        watch.set_missed_tick_behavior(MissedTickBehavior::Delay);
        let mut healthy = true;
        loop {
            let result = tokio::select! {
                () = self.cancel.cancelled() => {
                    // What was asked before the stop is still written: outcomes, notes,
                    // the exit's snapshots.
                    while let Ok(request) = self.requests.try_recv() {
                        if let Err(e) = self.handle(&journal, request).await {
                            tracing::warn!(error = %e, "journal write at exit");
                        }
                    }
                    break;
                }
                request = self.requests.recv() => match request {
                    Some(request) => self.handle(&journal, request).await,
                    None => break,
                },
                _ = retry.tick() => self.resume_due(&journal).await,
                _ = watch.tick() => self.pick_up(&journal, &mut seen).await,
                changed = listener.changed() => match changed {
                    Ok(()) => self.pick_up(&journal, &mut seen).await,
                    // Said once, when it goes down (it is tried again every second).
                    Err(e) if !healthy => {
                        tracing::debug!(error = %e, "journal: still unreachable");
                        continue;
                    }
                    Err(e) => Err(e),
                },
            };
            match result {
                Ok(()) if !healthy => {
                    healthy = true;
                    self.tell(JournalEvent::Available);
                }
                Ok(()) => {}
                Err(e) => {
                    healthy = false;
                    tracing::warn!(error = %e, "journal");
                    self.tell(JournalEvent::Unavailable(e.to_string()));
                }
            }
        }
        journal.close().await;
    }

    /// With no journal, every action is refused: nothing is sent that was not written.
    async fn refuse_all(mut self) {
        loop {
            tokio::select! {
                () = self.cancel.cancelled() => return,
                request = self.requests.recv() => match request {
                    Some(Request::Submit { id, .. }) => self.tell(JournalEvent::NotRecorded {
                        id,
                        error: "the journal is unavailable".into(),
                    }),
                    Some(Request::Note { client_id, .. }) => {
                        self.tell(JournalEvent::NoteNotWritten { client_id });
                        self.tell(JournalEvent::Unavailable(
                            "note not saved: the journal is unavailable (n brings it back)".into(),
                        ))
                    }
                    Some(Request::Tick { .. }) => self.tell(JournalEvent::Unavailable(
                        "step not kept: the journal is unavailable".into(),
                    )),
                    Some(Request::LinkTicket { .. } | Request::TicketNotes { .. }) => {
                        self.tell(JournalEvent::Unavailable(
                            "ticket link not kept: the journal is unavailable".into(),
                        ))
                    }
                    Some(Request::Postmortem { subject, .. }) => {
                        self.tell(JournalEvent::Postmortem {
                            subject,
                            result: Err("the journal is unavailable: a post-mortem is written from it".into()),
                        })
                    }
                    Some(Request::Handoff { shift, path }) => self.tell(JournalEvent::Handoff {
                        shift,
                        path,
                        result: Err("the journal is unavailable: a hand-off is written from it".into()),
                    }),
                    Some(_) => {}
                    None => return,
                },
            }
        }
    }

    fn tell(&self, event: JournalEvent) {
        // The dashboard is gone only when quitting.
        let _ = self.events.send(event);
    }

    /// Recent news for the dashboard; returns the newest entry id seen.
    async fn load_start(&self, journal: &Journal) -> i64 {
        let (news, last) = start_news(journal, self.clock.now(), &self.author).await;
        for event in news {
            self.tell(event);
        }
        last
    }

    async fn handle(&self, journal: &Journal, request: Request) -> Result<(), JournalError> {
        let now = self.clock.now();
        match request {
            Request::Submit {
                id,
                author,
                source,
                key,
                op,
            } => {
                let action = NewAction {
                    id,
                    author,
                    source,
                    key,
                    op,
                };
                let item = match journal.record(&action, now).await {
                    Ok(item) => item,
                    Err(e) => {
                        self.tell(JournalEvent::NotRecorded {
                            id,
                            error: e.to_string(),
                        });
                        return Err(e);
                    }
                };
                self.tell(JournalEvent::Recorded(id));
                self.send_when_free(journal, item).await
            }
            Request::Outcome {
                id,
                key,
                op,
                author,
                result,
            } => {
                let outcome = Outcome {
                    id,
                    key: &key,
                    op: &op,
                    author: &author,
                    result: &result,
                };
                if let Some(entry) = settle(journal, outcome, now).await? {
                    self.tell(JournalEvent::Entries(vec![entry]));
                }
                Ok(())
            }
            Request::SaveSnapshot {
                source,
                fetched_at,
                alerts,
            } => {
                let encoded = crate::work::bulk::run(move || super::snapshots::encode(&alerts))
                    .await
                    .map_err(|e| JournalError::Io(format!("snapshot encoder stopped: {e}")))??;
                journal.save_snapshot(&source, fetched_at, &encoded).await
            }
            Request::Observed { source, changes } => {
                // Picked up, like another process's entries, at the next watch.
                journal.observe(&source, &changes).await.map(drop)
            }
            Request::DeclareIncident(declaration) => {
                let incident = journal.declare(&declaration, now).await?;
                self.send_incidents(journal).await?;
                self.send_carried_steps(journal, &incident.subject()).await
            }
            Request::ChangeIncident { id, change, author } => {
                match change {
                    IncidentChange::Status(status) => {
                        journal.set_status(id, status, &author, now).await?;
                    }
                    IncidentChange::Role(role, who) => {
                        journal.set_role(id, role, &who, &author, now).await?;
                    }
                    IncidentChange::Attach(keys) => {
                        journal.attach(id, &keys, &author, now).await?;
                        self.send_carried_steps(journal, &format!("incident:{id}"))
                            .await?;
                    }
                }
                self.send_incidents(journal).await
            }
            Request::Note {
                subject,
                author,
                text,
                corrects,
                client_id,
            } => {
                let new = NewEntry {
                    subject: &subject,
                    at: now,
                    author: &author,
                    kind: if corrects.is_some() {
                        EntryKind::Correction
                    } else {
                        EntryKind::Note
                    },
                    body: &text,
                    corrects,
                };
                let entry = match journal.append_once(new, client_id).await {
                    Ok(entry) => entry,
                    Err(e) => {
                        // The dashboard keeps it and sends it again once the journal is back.
                        self.tell(JournalEvent::NoteNotWritten { client_id });
                        return Err(e);
                    }
                };
                self.tell(JournalEvent::Entries(vec![entry]));
                // The note is kept: its draft is not needed any more.
                journal
                    .drop_draft(&draft_subject(&subject, corrects), &author)
                    .await
            }
            Request::SaveDraft(draft) => journal.save_draft(&draft).await,
            Request::Postmortem {
                subject,
                template,
                fresh,
                known,
            } => {
                let result =
                    crate::postmortem::prepare(journal, &subject, &template, now, fresh, &known)
                        .await;
                self.tell(JournalEvent::Postmortem { subject, result });
                Ok(())
            }
            Request::Handoff { shift, path } => {
                let result = crate::handoff::gather(journal, &shift)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                self.tell(JournalEvent::Handoff {
                    shift,
                    path,
                    result,
                });
                Ok(())
            }
            Request::LinkTicket { link, shown } => {
                let entry = journal.link_ticket(&link, &shown).await?;
                self.tell(JournalEvent::TicketLinks(journal.ticket_links().await?));
                if let Some(entry) = entry {
                    self.tell(JournalEvent::Entries(vec![entry]));
                }
                Ok(())
            }
            Request::TicketNotes {
                subject,
                is_on,
                author,
            } => {
                let entry = journal
                    .set_ticket_notes(&subject, is_on, &author, now)
                    .await?;
                self.tell(JournalEvent::TicketLinks(journal.ticket_links().await?));
                if let Some(entry) = entry {
                    self.tell(JournalEvent::Entries(vec![entry]));
                }
                Ok(())
            }
            Request::Tick { tick, said } => {
                let entry = journal.tick(&tick, &said).await?;
                self.tell(JournalEvent::Ticks(vec![tick]));
                self.tell(JournalEvent::Entries(vec![entry]));
                Ok(())
            }
            Request::Star { id, starred } => {
                journal.star(id, starred).await?;
                self.tell(JournalEvent::Starred { id, starred });
                Ok(())
            }
        }
    }

    fn hand_over(
        &self,
        id: CommandId,
        source: SourceId,
        key: AlertKey,
        op: Operation,
        author: String,
    ) {
        let command = SourceCommand::Perform {
            id,
            key,
            op,
            author,
        };
        match self.commands.get(&source) {
            Some(tx) => {
                // A source task that is gone leaves the item leased; it is retried later.
                let _ = tx.send(command);
            }
            None => tracing::warn!(source = %source, "an outbox item for an unknown source waits"),
        }
    }

    /// Sends again whatever is due: left pending by a failure, or by a previous run.
    async fn resume_due(&self, journal: &Journal) -> Result<(), JournalError> {
        let due: Vec<OutboxItem> = journal
            .claim_due(self.clock.now(), self.clock.now())
            .await?
            .into_iter()
            .filter(|i| self.commands.contains_key(&i.source))
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        self.tell(JournalEvent::Resumed(due.clone()));
        for item in due {
            self.send_when_free(journal, item).await?;
        }
        Ok(())
    }

    /// Hands `item` to its source when no other sender (this process or another on the
    /// journal) is acting on the same alert; else it waits, pending, and is tried again
    /// at the next retry check, after the other one settled.
    async fn send_when_free(
        &self,
        journal: &Journal,
        item: OutboxItem,
    ) -> Result<(), JournalError> {
        let now = self.clock.now();
        if !journal.take_scope(&item, now).await? {
            return journal
                .retry_at(item.id, SCOPE_BUSY, now + SCOPE_RETRY, now)
                .await;
        }
        self.hand_over(item.id, item.source, item.key, item.op, item.author);
        Ok(())
    }

    async fn pick_up(&self, journal: &Journal, seen: &mut i64) -> Result<(), JournalError> {
        let entries = journal.entries_after(*seen, 500).await?;
        if let Some(last) = entries.last() {
            *seen = last.id;
            // Every incident change writes an entry: someone changed one.
            let incidents_changed = entries.iter().any(|e| e.subject.starts_with("incident:"));
            // A step ticked (here or elsewhere): its subject's steps as they stand now.
            let mut ticked: Vec<&str> = entries
                .iter()
                .filter(|e| e.kind == EntryKind::Step)
                .map(|e| e.subject.as_str())
                .collect();
            ticked.sort_unstable();
            ticked.dedup();
            for subject in ticked {
                self.tell(JournalEvent::Ticks(journal.ticks_of(subject).await?));
            }
            if entries.iter().any(|e| is_link_news(&e.body)) {
                self.tell(JournalEvent::TicketLinks(journal.ticket_links().await?));
            }
            self.tell(JournalEvent::Entries(entries));
            if incidents_changed {
                self.send_incidents(journal).await?;
            }
        }
        Ok(())
    }

    /// The steps of incident `subject`, after its alerts' ticks were carried over to it.
    async fn send_carried_steps(
        &self,
        journal: &Journal,
        subject: &str,
    ) -> Result<(), JournalError> {
        let ticks = journal.ticks_of(subject).await?;
        if !ticks.is_empty() {
            self.tell(JournalEvent::Ticks(ticks));
        }
        Ok(())
    }

    async fn send_incidents(&self, journal: &Journal) -> Result<(), JournalError> {
        let incidents = journal.incidents().await?;
        self.tell(JournalEvent::Incidents(incidents));
        Ok(())
    }
}

/// What a dashboard learns from the journal when it starts (and what the CLI twins of its
/// views load, so that both tell one story): fires and changes of the last day, `author`'s
/// drafts, ticket links, checklist ticks, recent notes, incidents; with the newest entry id
/// seen (0 when it could not be read). A failure is told as `Unavailable`.
pub async fn start_news(
    journal: &Journal,
    now: DateTime<Utc>,
    author: &str,
) -> (Vec<JournalEvent>, i64) {
    let mut news = Vec::new();
    let mut keep = |got: Result<Option<JournalEvent>, JournalError>| match got {
        Ok(Some(event)) => news.push(event),
        Ok(None) => {}
        Err(e) => news.push(JournalEvent::Unavailable(e.to_string())),
    };
    let some = |is_empty: bool, event: JournalEvent| (!is_empty).then_some(event);
    // Where picking up starts is read first: anything written while the rest loads is
    // then picked up (told twice at worst, and each kind of news is kept once), never
    // lost between a load and the id read after it.
    let last = journal.last_entry_id().await;
    let day_ago = now - TimeDelta::hours(24);
    keep(
        journal
            .fires_since(day_ago)
            .await
            .map(|f| some(f.is_empty(), JournalEvent::Fires(f))),
    );
    // What happened while nobody looked, for :history and the detail's timeline.
    keep(
        journal
            .observed_since(day_ago, HISTORY_KEPT)
            .await
            .map(|e| some(e.is_empty(), JournalEvent::Entries(e))),
    );
    keep(
        journal
            .drafts(author)
            .await
            .map(|d| some(d.is_empty(), JournalEvent::Drafts(d))),
    );
    keep(
        journal
            .ticket_links()
            .await
            .map(|l| some(l.is_empty(), JournalEvent::TicketLinks(l))),
    );
    keep(
        journal
            .ticks_since(now - STEPS_KEPT)
            .await
            .map(|t| some(t.is_empty(), JournalEvent::Ticks(t))),
    );
    let notes = journal.notes_since(now - NOTES_KEPT).await;
    // Notes not read are read again from the start with the next pick-up.
    let is_notes_read = notes.is_ok();
    keep(notes.map(|n| some(n.is_empty(), JournalEvent::Entries(n))));
    keep(
        journal
            .incidents()
            .await
            .map(|i| Some(JournalEvent::Incidents(i))),
    );
    let last = match last {
        Ok(last) if is_notes_read => last,
        Ok(_) => 0,
        Err(e) => {
            keep(Err(e));
            0
        }
    };
    (news, last)
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
    match op {
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
        Operation::Escalate { level: Some(l) } => format!("escalate to L{l}"),
        Operation::Transition { to } => format!("transition to {to}"),
        Operation::CreateTicket(t) => format!("create ticket: {}", t.title),
        other => other.verb().to_string(),
    }
}

/// Tells when another process wrote to a PostgreSQL journal, and when the journal went away
/// (its connection drops at once when PostgreSQL stops: the dashboard says so before a
/// responder saves a note into the void).
struct Listener {
    listener: Option<sqlx::postgres::PgListener>,
    is_failing: bool,
}

impl Listener {
    async fn start(location: &Location) -> Listener {
        let Location::Postgres(url) = location else {
            return Listener::none();
        };
        let listener = async {
            // Its own pool, quick to give up: a reconnect to a server that is down then
            // fails in seconds (the default pool retries for 30 s) and the outage is told.
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(2))
                .connect(url)
                .await?;
            let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
            l.listen_all(["onduty_timeline", "onduty_outbox"]).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match listener.await {
            Ok(l) => Listener {
                listener: Some(l),
                is_failing: false,
            },
            Err(e) => {
                tracing::warn!(error = %crate::model::sanitize::line(&e.to_string(), 200), "journal: no LISTEN, polling instead");
                Listener::none()
            }
        }
    }

    fn none() -> Listener {
        Listener {
            listener: None,
            is_failing: false,
        }
    }

    fn is_live(&self) -> bool {
        self.listener.is_some()
    }

    /// Resolves at the next notification, or when the connection is lost and cannot be made
    /// again (never, without a listener).
    async fn changed(&mut self) -> Result<(), JournalError> {
        let Some(l) = &mut self.listener else {
            return std::future::pending().await;
        };
        if self.is_failing {
            // It reconnects on the next recv; once a second while the journal is down.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        match l.recv().await {
            Ok(_) => {
                self.is_failing = false;
                Ok(())
            }
            Err(e) => {
                self.is_failing = true;
                Err(e.into())
            }
        }
    }
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
