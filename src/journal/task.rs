//! The journal's task in the dashboard, so that no journal write ever runs on the UI task.
//! An action is written, and only then handed to its source; outcomes settle it; pending
//! actions (back end down, or left by a previous run) are retried with backoff; notes and
//! entries written by other processes on the same journal are picked up (PostgreSQL
//! LISTEN/NOTIFY, or a cheap poll of the newest id).

use std::collections::HashMap;
use std::time::Duration;

use chrono::TimeDelta;
use tokio::sync::mpsc;
use tokio::time::{MissedTickBehavior, interval};
use tokio_util::sync::CancellationToken;

use super::drafts::draft_subject;
use super::outbox::NewAction;
use super::ticket_links::is_link_news;
use super::timeline::NewEntry;
use super::{EntryKind, Journal, JournalError, OutboxItem};
use crate::clock::SharedClock;
use crate::model::{AlertKey, SourceId};
use crate::sources::{CommandId, Operation, SourceCommand};

pub use super::news::start_news;
use super::news::{Heard, Listener};
pub use super::protocol::{IncidentChange, JournalEvent, Request};
pub use super::settle::{Outcome, SCOPE_BUSY, backoff, describe, settle};

/// How often due retries are looked for.
const RETRY_CHECK: Duration = Duration::from_secs(5);
/// When an item that found its alert busy is tried again.
const SCOPE_RETRY: TimeDelta = TimeDelta::seconds(2);
/// How often the journal is checked for other processes' entries (SQLite; PostgreSQL is
/// told at once and checks this often only as a safety net).
const WATCH_SQLITE: Duration = Duration::from_millis(750);
const WATCH_POSTGRES: Duration = Duration::from_secs(30);

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
    /// The shared sources' command channels by fingerprint: told when their poller wrote a
    /// frame (`Running::wake`; empty when nothing is shared).
    pub wake: HashMap<String, mpsc::UnboundedSender<SourceCommand>>,
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
        let mut listener = Listener::start(journal.location(), !self.wake.is_empty()).await;
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
                    Ok(Heard::Entries) => self.pick_up(&journal, &mut seen).await,
                    Ok(Heard::Frames(fingerprint)) => {
                        if let Some(follower) = self.wake.get(&fingerprint) {
                            let _ = follower.send(SourceCommand::FramesWritten);
                        }
                        Ok(())
                    }
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
                    Some(Request::OpenProblem(_) | Request::ChangeProblem { .. }) => {
                        self.tell(JournalEvent::Unavailable(
                            "problem not kept: the journal is unavailable".into(),
                        ))
                    }
                    Some(Request::History { .. }) => self.tell(JournalEvent::History(Err(
                        "the journal is unavailable: insights are worked out from it".into(),
                    ))),
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
                let is_attach = matches!(change, IncidentChange::Attach(_));
                journal.change_incident(id, &change, &author, now).await?;
                if is_attach {
                    self.send_carried_steps(journal, &format!("incident:{id}"))
                        .await?;
                }
                self.send_incidents(journal).await
            }
            Request::PastFixes(incidents) => {
                let fixes = journal.past_fixes(&incidents).await?;
                self.tell(JournalEvent::PastFixes(fixes));
                Ok(())
            }
            Request::OpenProblem(p) => {
                journal.open_problem(&p, now).await?;
                self.tell(JournalEvent::Problems(journal.problems().await?));
                Ok(())
            }
            Request::ChangeProblem { id, change, author } => {
                journal.change_problem(id, &change, &author, now).await?;
                self.tell(JournalEvent::Problems(journal.problems().await?));
                Ok(())
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
            Request::History { since } => {
                let result = journal
                    .history_since(since)
                    .await
                    .map(Box::new)
                    .map_err(|e| e.to_string());
                self.tell(JournalEvent::History(result));
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
            let problems_changed = entries.iter().any(|e| e.subject.starts_with("problem:"));
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
            if problems_changed {
                self.tell(JournalEvent::Problems(journal.problems().await?));
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
