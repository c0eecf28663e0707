//! Sharing a source's polls between the dashboards on one PostgreSQL journal (issue 33):
//! of the dashboards whose source configs are identical (a fingerprint of the config, never
//! of a token), the one holding the journal's lease polls the back end and writes what it
//! fetched as frames; the others read and apply them, woken by the journal's notification.
//! A dashboard that cannot reach the journal polls by itself and says so.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::{Error, Snapshot, Source};
use crate::config::SourceConfig;
use crate::journal::Journal;
use crate::journal::polls::{Extras, Frame, Lease};
use crate::model::Alert;

/// Full frames every this many: a newcomer reads at most this many deltas.
const FULL_EVERY: u32 = 50;

/// Who polls a source, as its dashboard tells it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PolledBy {
    /// This dashboard, for every dashboard on the journal with the same source.
    Here,
    /// Another dashboard ("ana"): this one applies what it writes.
    Other(String),
    /// This dashboard alone: the journal cannot be reached (the reason).
    Alone(String),
}

impl PolledBy {
    /// "polled by ana's onduty", for the source view.
    pub fn said(&self) -> String {
        match self {
            PolledBy::Here => "polled here, shared with the journal's other dashboards".into(),
            PolledBy::Other(who) => format!("polled by {who}'s onduty"),
            PolledBy::Alone(why) => format!("polling by itself: {why}"),
        }
    }
}

/// The fingerprint of a source's config, which two dashboards must share to share its polls:
/// its name, kind, address, filters and headers, the token's reference (the variable, the
/// command or the file, never the token), and this onduty's version (the frames' encoding). `None`: never shared — `share_polls = false`, `mine_only` (each responder's
/// own), the demo and a local program (each machine's own).
pub fn fingerprint(config: &SourceConfig) -> Option<String> {
    let never = !config.share_polls.unwrap_or(true)
        || config.mine_only
        || super::registry::capabilities(&config.kind).is_local;
    if never {
        return None;
    }
    // Header values count (a tenant header scopes what is seen); like everything here they
    // are only ever stored folded into the 64-bit hash.
    let described = format!("{}|{config:?}", env!("CARGO_PKG_VERSION"));
    Some(format!(
        "{}:{:016x}",
        config.name,
        super::ticketing::fnv1a(&described)
    ))
}

/// A source's part in sharing: where the lease and frames are, and this dashboard's name.
#[derive(Clone, Debug)]
pub struct Share {
    /// The shared journal.
    pub journal: Journal,
    /// The source's fingerprint.
    pub fingerprint: String,
    /// This process (`host:pid`).
    pub holder: String,
    /// Whose dashboard this is ("ana").
    pub who: String,
    /// Whether this dashboard may only read the journal (a viewer's wall): it follows a
    /// poller when there is one, and polls alone when there is none.
    pub is_reader: bool,
}

/// What one turn came to.
pub enum Turn {
    /// This dashboard polled the back end (and wrote what it fetched, when good).
    Polled(Result<Snapshot, Error>),
    /// Another's polls, applied: the picture, and when its newest poll was made.
    Followed(Snapshot, DateTime<Utc>),
    /// Another polls and has written nothing yet: nothing to tell.
    Waiting,
}

/// A source's sharing state, kept by its poller.
pub struct Shared {
    share: Share,
    /// The last picture written (as the poller), and how many deltas since a full frame.
    written: Option<(Arc<Vec<Alert>>, Extras, u32)>,
    /// The picture applied (as a follower), and the last frame applied; `shown` is the
    /// alerts as last told (the same `Arc` while no frame came: an unchanged turn costs
    /// a pointer comparison, not a copy of every alert).
    seq: i64,
    alerts: Vec<Alert>,
    shown: Arc<Vec<Alert>>,
    extras: Extras,
    /// Who polled at the last turn.
    pub polled_by: Option<PolledBy>,
    /// The journal was unreachable: it is not asked again before this (each try waits out
    /// the pool's timeout, and the back end is polled meanwhile).
    journal_down_until: Option<std::time::Instant>,
    /// How long the lease lasts from a renewal (1.5 poll intervals).
    ttl: Duration,
    /// The poller's last poll when the frames were last read.
    looked_at: Option<DateTime<Utc>>,
}

/// How long an unreachable journal is left alone before it is tried again.
const JOURNAL_RETRY: Duration = Duration::from_secs(10);

impl Shared {
    /// Starts sharing by `share`.
    pub fn new(share: Share) -> Shared {
        Shared {
            share,
            written: None,
            seq: 0,
            alerts: Vec::new(),
            shown: Arc::default(),
            extras: Extras::default(),
            polled_by: None,
            journal_down_until: None,
            ttl: Duration::from_secs(60),
            looked_at: None,
        }
    }

    /// Gives the lease up when this dashboard holds it (it quits), bounded by a second.
    pub async fn let_go(&self) {
        if self.polled_by != Some(PolledBy::Here) {
            return;
        }
        let s = &self.share;
        let done = tokio::time::timeout(
            Duration::from_secs(1),
            s.journal.let_go_of_poll(&s.fingerprint, &s.holder),
        )
        .await;
        if !matches!(done, Ok(Ok(()))) {
            tracing::info!("shared poll: lease not let go at exit; it runs out by itself");
        }
    }

    /// Whether the last turn followed another's polls.
    pub fn is_following(&self) -> bool {
        matches!(self.polled_by, Some(PolledBy::Other(_)))
    }

    /// One turn: takes or renews the lease and polls, or applies what the holder wrote.
    /// `interval` sizes the lease: it runs out 1.5 intervals after its last renewal, and a
    /// follower looks every half interval, so a dead poller is replaced within two.
    pub async fn turn<S: Source>(
        &mut self,
        source: &mut S,
        interval: Duration,
        timeout: Duration,
    ) -> Turn {
        let ttl = interval + interval / 2;
        self.ttl = ttl;
        if self
            .journal_down_until
            .is_some_and(|t| std::time::Instant::now() < t)
        {
            return Turn::Polled(fetch(source, timeout).await);
        }
        let s = &self.share;
        let lease = if s.is_reader {
            match s.journal.poll_holder(&s.fingerprint, &s.holder).await {
                Ok(Some(lease)) => Ok(lease),
                Ok(None) => {
                    self.polled_by = Some(PolledBy::Alone(
                        "no responder's dashboard polls it for the journal".into(),
                    ));
                    return Turn::Polled(fetch(source, timeout).await);
                }
                Err(e) => Err(e),
            }
        } else {
            // A look first (a read): only a free, run-out or own lease is written.
            match s.journal.poll_holder(&s.fingerprint, &s.holder).await {
                Ok(Some(lease)) if !lease.is_mine => Ok(lease),
                // Unreachable: said at once (a second try would wait the pool out again).
                Err(e) => Err(e),
                Ok(_) => {
                    s.journal
                        .hold_poll(&s.fingerprint, &s.holder, &s.who, ttl)
                        .await
                }
            }
        };
        match lease {
            Err(e) => {
                self.written = None;
                self.journal_down_until = Some(std::time::Instant::now() + JOURNAL_RETRY);
                self.polled_by = Some(PolledBy::Alone(format!("journal unreachable ({e})")));
                Turn::Polled(fetch(source, timeout).await)
            }
            Ok(Lease { is_mine: true, .. }) => {
                self.journal_down_until = None;
                self.polled_by = Some(PolledBy::Here);
                let polled = self.fetch_holding(source, timeout).await;
                match &polled {
                    Ok(snapshot) => self.write(snapshot).await,
                    Err(_) => {
                        // Another may reach the back end: the lease is its at once.
                        self.written = None;
                        let s = &self.share;
                        if let Err(e) = s.journal.let_go_of_poll(&s.fingerprint, &s.holder).await {
                            tracing::info!(error = %e, "shared poll: lease not let go");
                        }
                    }
                }
                Turn::Polled(polled)
            }
            Ok(lease) => {
                self.journal_down_until = None;
                self.written = None;
                self.polled_by = Some(PolledBy::Other(lease.who.clone()));
                self.follow(source.id(), lease.polled_at).await
            }
        }
    }

    /// Polls the back end, renewing the lease every third of its length meanwhile: a poll
    /// slowed by a busy machine (ten answers of 10,000 at once) keeps its lease.
    async fn fetch_holding<S: Source>(
        &self,
        source: &mut S,
        timeout: Duration,
    ) -> Result<Snapshot, Error> {
        let s = &self.share;
        let fetching = fetch(source, timeout);
        tokio::pin!(fetching);
        let mut beat = tokio::time::interval(self.ttl / 3);
        beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        beat.tick().await;
        loop {
            tokio::select! {
                polled = &mut fetching => return polled,
                _ = beat.tick() => {
                    let renewed = s.journal.hold_poll(&s.fingerprint, &s.holder, &s.who, self.ttl);
                    if let Err(e) = renewed.await {
                        tracing::info!(error = %e, "shared poll: lease not renewed");
                    }
                }
            }
        }
    }

    /// Writes `snapshot` as the next frame: whole now and then, else what changed.
    async fn write(&mut self, snapshot: &Snapshot) {
        let extras = Extras::of(snapshot);
        let (frame, with_extras, deltas) = match &self.written {
            Some((before, was, deltas)) if *deltas < FULL_EVERY => (
                Frame::between(before, &snapshot.alerts),
                (*was != extras).then_some(&extras),
                deltas + 1,
            ),
            _ => (Frame::Full(snapshot.alerts.to_vec()), Some(&extras), 0),
        };
        let s = &self.share;
        let at = Utc::now();
        // Nothing changed: no frame, no notification; the lease says when it polled.
        if frame.is_empty() && with_extras.is_none() && !matches!(frame, Frame::Full(_)) {
            if let Err(e) = s
                .journal
                .polled(&s.fingerprint, &s.holder, at, self.ttl)
                .await
            {
                tracing::info!(error = %e, "shared poll: last poll not said");
            }
            return;
        }
        match s
            .journal
            .publish(&s.fingerprint, &s.holder, &frame, with_extras, at, self.ttl)
            .await
        {
            Ok(Some(_)) => {
                self.written = Some((snapshot.alerts.clone(), extras, deltas));
            }
            Ok(None) => self.written = None,
            Err(e) => {
                tracing::warn!(error = %e, "shared poll: not written");
                self.written = None;
            }
        }
    }

    /// Applies the frames written since the last one applied.
    async fn follow(
        &mut self,
        source: &crate::model::SourceId,
        polled_at: Option<DateTime<Utc>>,
    ) -> Turn {
        // The poller has not polled since the last look: nothing to read.
        if self.seq > 0 && polled_at.is_some() && polled_at == self.looked_at {
            return match polled_at {
                Some(at) => Turn::Followed(self.snapshot(), at),
                None => Turn::Waiting,
            };
        }
        self.looked_at = polled_at;
        let s = &self.share;
        let frames = match s
            .journal
            .frames_after(source, &s.fingerprint, self.seq)
            .await
        {
            Ok(frames) => frames,
            Err(e) => {
                tracing::warn!(error = %e, "shared poll: frames not read");
                return Turn::Waiting;
            }
        };
        let mut at = polled_at;
        let before = self.seq;
        for published in frames {
            published.frame.apply(&mut self.alerts);
            if let Some(extras) = published.extras {
                self.extras = extras;
            }
            self.seq = published.seq;
            at = Some(at.map_or(published.at, |a| a.max(published.at)));
        }
        if self.seq > before {
            self.shown = Arc::new(self.alerts.clone());
        }
        if self.seq > before && !self.share.is_reader {
            let s = &self.share;
            let said = s
                .journal
                .applied(&s.fingerprint, &s.holder, &s.who, self.seq)
                .await;
            if let Err(e) = said {
                tracing::info!(error = %e, "shared poll: where this follower stands not said");
            }
        }
        match at {
            Some(at) if self.seq > 0 => Turn::Followed(self.snapshot(), at),
            _ => Turn::Waiting,
        }
    }

    fn snapshot(&self) -> Snapshot {
        Snapshot {
            alerts: self.shown.clone(),
            escalation: self.extras.escalation.clone(),
            silences: self.extras.silences.clone(),
            tickets: self.extras.tickets.clone(),
            invalid: 0,
            rules: self.extras.rules.clone().into(),
            incidents: self.extras.incidents.clone().into(),
        }
    }
}

/// A poll of the back end, bounded by `timeout`.
async fn fetch<S: Source>(source: &mut S, timeout: Duration) -> Result<Snapshot, Error> {
    match tokio::time::timeout(timeout, source.fetch()).await {
        Ok(outcome) => outcome,
        Err(_) => Err(Error::Timeout(timeout)),
    }
}

impl Extras {
    /// What `snapshot` holds beside its alerts.
    pub fn of(snapshot: &Snapshot) -> Extras {
        Extras {
            escalation: snapshot.escalation.clone(),
            silences: snapshot.silences.clone(),
            tickets: snapshot.tickets.clone(),
            rules: snapshot.rules.to_vec(),
            incidents: snapshot.incidents.to_vec(),
        }
    }
}

/// Wakes the follower of a source when its poller wrote a frame (the journal's
/// notification on `onduty_polls`, payload: the fingerprint), until `stop`. Without it a
/// follower still looks every half interval; a lost connection is made again every 2 s.
pub async fn wake_followers(
    location: crate::journal::Location,
    wake: std::collections::HashMap<
        String,
        tokio::sync::mpsc::UnboundedSender<super::SourceCommand>,
    >,
    stop: tokio_util::sync::CancellationToken,
) {
    let crate::journal::Location::Postgres(url) = location else {
        return;
    };
    loop {
        let listened = async {
            let mut l = sqlx::postgres::PgListener::connect(&url).await?;
            l.listen(crate::journal::polls::CHANNEL).await?;
            loop {
                let n = l.recv().await?;
                if let Some(follower) = wake.get(n.payload()) {
                    let _ = follower.send(super::SourceCommand::FramesWritten);
                }
            }
            #[allow(unreachable_code, reason = "the loop ends by an error only")]
            Ok::<(), sqlx::Error>(())
        };
        tokio::select! {
            () = stop.cancelled() => return,
            ended = listened => if let Err(e) = ended {
                tracing::info!(error = %crate::model::sanitize::line(&e.to_string(), 200), "shared polls: no notifications, looking every half interval");
            },
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}
