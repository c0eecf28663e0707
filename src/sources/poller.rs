//! The task that drives one source: polls on its interval with a timeout, backs off with
//! jitter after failures, performs commands and reports everything up as `SourceEvent`s.

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{Instant, sleep_until, timeout};
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

use super::{BatchItem, CommandId, Error, Failure, Snapshot, Source, SourceCommand, SourceEvent};
use crate::clock::SharedClock;

/// How a source is polled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PollPolicy {
    /// Time between polls while all is well.
    pub interval: Duration,
    /// Longest a poll or a command may take.
    pub timeout: Duration,
    /// Longest wait between polls while failing.
    pub max_backoff: Duration,
    /// Waited once more after the first poll, so that sources on the same interval take
    /// turns instead of all landing at once every interval (see `start::build`).
    pub phase: Duration,
}

impl Default for PollPolicy {
    fn default() -> PollPolicy {
        PollPolicy {
            interval: Duration::from_secs(15),
            timeout: Duration::from_secs(10),
            max_backoff: Duration::from_secs(60),
            phase: Duration::ZERO,
        }
    }
}

impl PollPolicy {
    /// The wait before the next poll after `failures` failures in a row: the interval while
    /// healthy, then doubling up to `max_backoff`, with ±20% jitter so that many onduty
    /// instances do not hammer a recovering back end in step.
    pub fn delay_after(&self, failures: u32) -> Duration {
        if failures == 0 {
            return self.interval;
        }
        let base = self
            .interval
            .saturating_mul(1 << failures.min(16))
            .min(self.max_backoff);
        let jitter = 0.8 + fastrand::f64() * 0.4;
        base.mul_f64(jitter).min(self.max_backoff)
    }
}

/// Starts the task for `source`. It stops when `cancel` fires or the command channel closes.
pub fn spawn<S: Source>(
    source: S,
    policy: PollPolicy,
    clock: SharedClock,
    events: mpsc::Sender<SourceEvent>,
    commands: mpsc::UnboundedReceiver<SourceCommand>,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    spawn_sharing(source, policy, clock, events, commands, cancel, None)
}

/// `spawn`, with the source's polls shared through the journal when `shared` says how.
pub fn spawn_sharing<S: Source>(
    source: S,
    policy: PollPolicy,
    clock: SharedClock,
    events: mpsc::Sender<SourceEvent>,
    commands: mpsc::UnboundedReceiver<SourceCommand>,
    cancel: CancellationToken,
    shared: Option<super::share::Shared>,
) -> JoinHandle<()> {
    let task = SourceTask {
        shared,
        source,
        policy,
        clock,
        events,
        failures: 0,
        is_paused: false,
        last: None,
        not_before: Instant::now(),
        told_can: None,
        is_identity_asked: false,
    };
    tokio::spawn(task.run(commands, cancel))
}

/// The most actions handed to a source in one batch.
const MOST_BATCHED: usize = 1_000;

/// `first` and the actions queued right behind it, up to `MOST_BATCHED`; and the first
/// other command found, to handle after them.
fn gather(
    commands: &mut mpsc::UnboundedReceiver<SourceCommand>,
    first: (CommandId, BatchItem),
) -> (Vec<(CommandId, BatchItem)>, Option<SourceCommand>) {
    let mut batch = vec![first];
    while batch.len() < MOST_BATCHED {
        match commands.try_recv() {
            Ok(SourceCommand::Perform {
                id,
                key,
                op,
                author,
            }) => {
                batch.push((id, BatchItem { key, op, author }));
            }
            Ok(other) => return (batch, Some(other)),
            Err(_) => break,
        }
    }
    (batch, None)
}

struct SourceTask<S> {
    source: S,
    policy: PollPolicy,
    clock: SharedClock,
    events: mpsc::Sender<SourceEvent>,
    failures: u32,
    is_paused: bool,
    /// The last snapshot sent up, to recognise a poll that changed nothing.
    last: Option<Snapshot>,
    /// No poll before this, not even one asked for: the back end's Retry-After.
    not_before: Instant,
    /// What the source last said it can do now (`Source::capabilities_now`).
    told_can: Option<super::Capabilities>,
    /// Whether the back end was asked who the token is (once, after the first good poll).
    is_identity_asked: bool,
    /// How its polls are shared with the journal's other dashboards, when they are.
    shared: Option<super::share::Shared>,
}

impl<S: Source> SourceTask<S> {
    async fn run(
        mut self,
        commands: mpsc::UnboundedReceiver<SourceCommand>,
        cancel: CancellationToken,
    ) {
        self.serve(commands, cancel).await;
        // A dashboard that quits hands its polls on at once (a killed one, when its lease
        // runs out).
        if let Some(shared) = &self.shared {
            shared.let_go().await;
        }
    }

    async fn serve(
        &mut self,
        mut commands: mpsc::UnboundedReceiver<SourceCommand>,
        cancel: CancellationToken,
    ) {
        // None: not polled again until told to (the back end refused the request).
        let mut next_poll = Some(Instant::now());
        let mut phase = Some(self.policy.phase);
        loop {
            tokio::select! {
                _ = cancel.cancelled() => return,
                command = commands.recv() => {
                    let Some(command) = command else { return };
                    // Actions queued together (a bulk action) go to the source together.
                    let (batch, next) = match command {
                        SourceCommand::Perform { id, key, op, author } => {
                            gather(&mut commands, (id, BatchItem { key, op, author }))
                        }
                        other => (Vec::new(), Some(other)),
                    };
                    if !batch.is_empty() {
                        tokio::select! {
                            _ = cancel.cancelled() => return,
                            () = self.perform_all(batch) => {}
                        }
                        // What the actions changed is shown by a poll right after them.
                        next_poll = Some(self.not_before.max(Instant::now()));
                    }
                    let Some(command) = next else { continue };
                    let poll_soon = tokio::select! {
                        _ = cancel.cancelled() => return,
                        poll_soon = self.handle(command) => poll_soon,
                    };
                    if poll_soon {
                        next_poll = Some(self.not_before.max(Instant::now()));
                    }
                }
                _ = sleep_until(next_poll.unwrap_or_else(Instant::now)), if !self.is_paused && next_poll.is_some() => {
                    let wait = tokio::select! {
                        _ = cancel.cancelled() => return,
                        wait = self.poll() => wait,
                    };
                    let phase = phase.take().unwrap_or_default();
                    next_poll = wait.map(|wait| Instant::now() + wait + phase);
                }
            }
        }
    }

    /// Handles one command; returns whether a poll should follow at once.
    async fn handle(&mut self, command: SourceCommand) -> bool {
        match command {
            SourceCommand::PollNow => true,
            SourceCommand::FramesWritten => self
                .shared
                .as_ref()
                .is_some_and(super::share::Shared::is_following),
            SourceCommand::ShowResolved(window) => {
                self.source.show_resolved(window);
                true
            }
            SourceCommand::MineOnly(mine_only) => {
                self.source.set_mine_only(mine_only);
                true
            }
            SourceCommand::Related(key) => {
                let result = match timeout(self.policy.timeout, self.source.related(&key)).await {
                    Ok(r) => r.map_err(|e| e.to_string()),
                    Err(_) => Err(Error::Timeout(self.policy.timeout).to_string()),
                };
                send(&self.events, SourceEvent::Related { key, result }).await;
                false
            }
            SourceCommand::Analytics { since, until } => {
                let asked = self.source.analytics(since, until);
                let result = match timeout(self.policy.timeout, asked).await {
                    Ok(Ok(Some(a))) => Ok(Box::new(a)),
                    Ok(Ok(None)) => Err("no analytics at this back end".to_string()),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(_) => Err(Error::Timeout(self.policy.timeout).to_string()),
                };
                let source = self.source.id().clone();
                send(&self.events, SourceEvent::Analytics { source, result }).await;
                false
            }
            SourceCommand::SetPaused(is_paused) => {
                self.is_paused = is_paused;
                let source = self.source.id().clone();
                send(
                    &self.events,
                    SourceEvent::PauseChanged { source, is_paused },
                )
                .await;
                !is_paused
            }
            SourceCommand::Perform {
                id,
                key,
                op,
                author,
            } => {
                self.perform_all(vec![(id, BatchItem { key, op, author })])
                    .await;
                true
            }
        }
    }

    /// Performs `batch` on the source, telling each outcome as soon as it is known.
    async fn perform_all(&mut self, batch: Vec<(CommandId, BatchItem)>) {
        let (ids, items): (Vec<CommandId>, Vec<BatchItem>) = batch.into_iter().unzip();
        let span = tracing::info_span!("commands", source = %self.source.id(), count = items.len());
        let (done, mut told) = mpsc::unbounded_channel();
        let per_item = self.policy.timeout;
        let source = self.source.id().clone();
        let events = self.events.clone();
        let work = async {
            self.source
                .perform_batch(&items, per_item, &done)
                .instrument(span)
                .await;
            drop(done);
        };
        let tell = async {
            while let Some((i, result)) = told.recv().await {
                let Some(id) = ids.get(i).copied() else {
                    continue;
                };
                if let Err(e) = &result {
                    tracing::warn!(error = %e, "command failed");
                }
                let result = result.map_err(|e: Error| Failure::from(&e));
                let source = source.clone();
                send(&events, SourceEvent::CommandDone { id, source, result }).await;
            }
        };
        tokio::join!(work, tell);
    }

    /// Polls once; returns the wait before the next poll, or None when the back end refused
    /// the request (a 4xx): asking again unchanged would get the same answer.
    async fn poll(&mut self) -> Option<Duration> {
        let started = std::time::Instant::now();
        // A follower's frames say what changed among the alerts (`None`: compare them all).
        let (outcome, polled_at, told) = match &mut self.shared {
            None => (
                match timeout(self.policy.timeout, self.source.fetch()).await {
                    Ok(outcome) => outcome,
                    Err(_) => Err(Error::Timeout(self.policy.timeout)),
                },
                None,
                None,
            ),
            Some(shared) => {
                let before = shared.polled_by.clone();
                let (interval, limit) = (self.policy.interval, self.policy.timeout);
                let turn = shared.turn(&mut self.source, interval, limit).await;
                if shared.polled_by != before
                    && let Some(by) = shared.polled_by.clone()
                {
                    let source = self.source.id().clone();
                    send(&self.events, SourceEvent::PolledBy { source, by }).await;
                }
                match turn {
                    super::share::Turn::Polled(outcome) => (outcome, None, None),
                    super::share::Turn::Followed(snapshot, at, changed) => {
                        (Ok(snapshot), Some(at), changed)
                    }
                    // A follower looks again in half an interval, or as the lease runs out.
                    super::share::Turn::Waiting => return Some(shared.next_look(interval)),
                }
            }
        };
        let source = self.source.id().clone();
        let at = polled_at.unwrap_or_else(|| self.clock.now());
        // The first poll sees no changes: there is nothing to compare it with.
        let mut observed = None;
        let mut invalid = None;
        let (rules, incidents) =
            match &outcome {
                Ok(snapshot) => {
                    let last = self.last.as_ref();
                    let rules = (last.map_or(&[][..], |l| &l.rules[..]) != &snapshot.rules[..])
                        .then(|| SourceEvent::RulesFetched {
                            source: source.clone(),
                            rules: snapshot.rules.clone(),
                        });
                    let incidents = (last.map_or(&[][..], |l| &l.incidents[..])
                        != &snapshot.incidents[..])
                        .then(|| SourceEvent::IncidentsFetched {
                            source: source.clone(),
                            incidents: snapshot.incidents.clone(),
                        });
                    (rules, incidents)
                }
                Err(_) => (None, None),
            };
        let mut wait = Some(self.policy.delay_after(0));
        // Alerts a follower's frames changed are not compared one by one to learn it (when
        // the frames were applied to the picture last told).
        let told = told.filter(|c| {
            self.last
                .as_ref()
                .is_some_and(|last| Arc::ptr_eq(&last.alerts, &c.from))
        });
        let is_known_changed = told.as_ref().is_some_and(|c| !c.is_empty());
        let event = match outcome {
            Ok(snapshot)
                if !is_known_changed
                    && self.last.as_ref().is_some_and(|last| same(last, &snapshot)) =>
            {
                // Compared here, off the UI task: an unchanged poll rebuilds and redraws nothing.
                self.failures = 0;
                // Rules and incidents change apart from alerts: told apart.
                if let Some(last) = &mut self.last {
                    last.rules = snapshot.rules;
                    last.incidents = snapshot.incidents;
                    // The same alerts: the newer handle, which a follower's next frames start from.
                    last.alerts = snapshot.alerts;
                }
                tracing::debug!(source = %source, ms = started.elapsed().as_millis() as u64, "poll unchanged");
                SourceEvent::Unchanged { source, at }
            }
            Ok(snapshot) => {
                self.failures = 0;
                let changes = match (&self.last, &told) {
                    (None, _) => Vec::new(),
                    (Some(_), Some(c)) => super::observe::changes(&c.before, &c.after, at),
                    (Some(last), None) => {
                        super::observe::changes(&last.alerts, &snapshot.alerts, at)
                    }
                };
                if !changes.is_empty() {
                    observed = Some(SourceEvent::Observed {
                        source: source.clone(),
                        changes,
                    });
                }
                let before = self.last.as_ref().map_or(0, |l| l.invalid);
                if snapshot.invalid != before {
                    invalid = Some(SourceEvent::InvalidItems {
                        source: source.clone(),
                        count: snapshot.invalid,
                    });
                }
                self.last = Some(snapshot.clone());
                tracing::debug!(source = %source, alerts = snapshot.alerts.len(), ms = started.elapsed().as_millis() as u64, "poll ok");
                SourceEvent::AlertsFetched {
                    source,
                    alerts: snapshot.alerts,
                    escalation: Arc::from(snapshot.escalation),
                    silences: Arc::from(snapshot.silences),
                    tickets: Arc::from(snapshot.tickets),
                    fetched_at: at,
                }
            }
            Err(error) => {
                self.failures = self.failures.saturating_add(1);
                tracing::warn!(source = %source, failures = self.failures, error = %error, "poll failed");
                let mut error_text = error.to_string();
                wait = match &error {
                    _ if error.is_refusal() => {
                        error_text.push_str(" (not retried: ctrl-r polls again)");
                        None
                    }
                    Error::RateLimited(Some(after)) => {
                        self.not_before = Instant::now() + *after;
                        Some(self.policy.delay_after(self.failures).max(*after))
                    }
                    _ => Some(self.policy.delay_after(self.failures)),
                };
                SourceEvent::PollFailed {
                    source,
                    error: error_text,
                    at,
                }
            }
        };
        send(&self.events, event).await;
        let can = self.source.capabilities_now();
        let changed = match can {
            Some(can) if self.told_can != Some(can) => {
                self.told_can = Some(can);
                let source = self.source.id().clone();
                Some(SourceEvent::CapabilitiesChanged { source, can })
            }
            _ => None,
        };
        for event in [observed, invalid, rules, incidents, changed]
            .into_iter()
            .flatten()
        {
            send(&self.events, event).await;
        }
        // A follower looks every half interval and when the lease runs out: a dead
        // poller's lease (1.5 intervals) is taken as it ends.
        if let Some(shared) = self.shared.as_ref().filter(|s| s.is_following()) {
            wait = wait.map(|w| w.min(shared.next_look(self.policy.interval)));
        }
        if self.failures == 0 && !self.is_identity_asked {
            self.is_identity_asked = true;
            self.tell_identity().await;
        }
        wait
    }

    /// Asks the back end who the token is, once: told when it says (a failure is logged,
    /// not shown: it changes nothing the responder can do).
    async fn tell_identity(&mut self) {
        let source = self.source.id().clone();
        match timeout(self.policy.timeout, self.source.whoami()).await {
            Ok(Ok(Some(identity))) => {
                send(&self.events, SourceEvent::Identity { source, identity }).await;
            }
            Ok(Ok(None)) => {}
            Ok(Err(error)) => {
                tracing::info!(source = %source, %error, "who the token is: not told")
            }
            Err(_) => tracing::info!(source = %source, "who the token is: timed out"),
        }
    }
}

/// Whether two snapshots say the same thing of alerts, silences, policies and tickets
/// (rules and incidents are told apart: `RulesFetched`, `IncidentsFetched`).
fn same(a: &Snapshot, b: &Snapshot) -> bool {
    (Arc::ptr_eq(&a.alerts, &b.alerts) || a.alerts[..] == b.alerts[..])
        && a.silences == b.silences
        && a.escalation == b.escalation
        && a.tickets == b.tickets
}

async fn send(events: &mpsc::Sender<SourceEvent>, event: SourceEvent) {
    // The receiver is gone only when the app is shutting down; nothing is left to tell.
    let _ = events.send(event).await;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_poll_that_finds_the_same_alerts_reports_unchanged() {
        let (demo, clock) = crate::testing::demo_source(100);
        let (tx, mut rx) = mpsc::channel(8);
        let (cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let policy = PollPolicy {
            interval: Duration::from_secs(3600),
            ..PollPolicy::default()
        };
        let task = spawn(
            demo,
            policy,
            Arc::new(clock.clone()),
            tx,
            cmd_rx,
            cancel.clone(),
        );
        assert!(matches!(
            rx.recv().await,
            Some(SourceEvent::AlertsFetched { .. })
        ));
        cmd_tx.send(SourceCommand::PollNow).unwrap();
        assert!(
            matches!(rx.recv().await, Some(SourceEvent::Unchanged { .. })),
            "same clock, same story"
        );
        clock.advance(chrono::TimeDelta::seconds(30));
        cmd_tx.send(SourceCommand::PollNow).unwrap();
        assert!(
            matches!(rx.recv().await, Some(SourceEvent::AlertsFetched { .. })),
            "the story moved on"
        );
        cancel.cancel();
        task.await.unwrap();
    }

    // Paused time: each poll's virtual time is exact.
    #[tokio::test(start_paused = true)]
    async fn the_phase_is_waited_once_after_the_first_poll() {
        let (demo, clock) = crate::testing::demo_source(100);
        let (tx, mut rx) = mpsc::channel(8);
        let (_cmd_tx, cmd_rx) = mpsc::unbounded_channel();
        let cancel = CancellationToken::new();
        let policy = PollPolicy {
            interval: Duration::from_secs(10),
            phase: Duration::from_secs(4),
            ..PollPolicy::default()
        };
        let start = Instant::now();
        let task = spawn(demo, policy, Arc::new(clock), tx, cmd_rx, cancel.clone());
        let mut polled_at = Vec::new();
        for _ in 0..3 {
            assert!(rx.recv().await.is_some());
            polled_at.push((Instant::now() - start).as_secs());
        }
        assert_eq!(polled_at, [0, 14, 24]);
        cancel.cancel();
        task.await.unwrap();
    }

    #[test]
    fn backoff_doubles_then_caps_with_jitter() {
        let p = PollPolicy {
            interval: Duration::from_secs(5),
            timeout: Duration::from_secs(2),
            max_backoff: Duration::from_secs(60),
            phase: Duration::ZERO,
        };
        assert_eq!(p.delay_after(0), Duration::from_secs(5));
        for _ in 0..50 {
            let d = p.delay_after(1);
            assert!(
                d >= Duration::from_secs(8) && d <= Duration::from_secs(12),
                "{d:?}"
            );
            assert!(p.delay_after(10) <= Duration::from_secs(60));
            assert!(p.delay_after(10) >= Duration::from_secs(48));
        }
    }
}
