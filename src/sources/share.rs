//! Sharing a source's polls between the dashboards on one PostgreSQL journal (issue 33):
//! of the dashboards whose source configs are identical (a fingerprint of the config, never
//! of a token), the one holding the journal's lease polls the back end and writes what it
//! fetched as frames; the others read and apply them, woken by the journal's notification.
//! A dashboard that cannot reach the journal polls by itself and says so.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use super::{Error, Snapshot, Source};
use crate::config::SourceConfig;
use crate::journal::Journal;
use crate::journal::polls::{Extras, Frame, Lease};
use crate::model::{Alert, AlertKey};

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
    /// Another's polls, applied: the picture, when its newest poll was made, and what the
    /// frames changed among the alerts when deltas alone told it (`None`: a full frame came,
    /// compare everything).
    Followed(Snapshot, DateTime<Utc>, Option<Changed>),
    /// Another polls and has written nothing yet: nothing to tell.
    Waiting,
}

/// What the frames of one turn changed among a source's alerts: the alerts they touched,
/// as they were before the turn and as they are after (left out where there was none /
/// is none now). A follower's observations are worked out from these — the 1% a delta
/// names — not from a comparison of every alert; but only when `from`, the picture the
/// frames were applied to, is the one the poller last told (not after it polled alone).
#[derive(Debug)]
pub struct Changed {
    /// The picture the turn started from.
    pub from: Arc<Vec<Alert>>,
    /// The touched alerts before.
    pub before: Vec<Alert>,
    /// The touched alerts after.
    pub after: Vec<Alert>,
}

impl Changed {
    /// Nothing touched, from `from`.
    fn none(from: Arc<Vec<Alert>>) -> Changed {
        Changed {
            from,
            before: Vec::new(),
            after: Vec::new(),
        }
    }

    /// Whether no alert was touched.
    pub fn is_empty(&self) -> bool {
        self.before.is_empty() && self.after.is_empty()
    }
}

/// The alerts a turn's deltas touched, in the order first touched: each one's version
/// before the turn's first frame and after its last.
#[derive(Default)]
struct Touched {
    order: Vec<AlertKey>,
    before: FxHashMap<AlertKey, Option<Alert>>,
    after: FxHashMap<AlertKey, Option<Alert>>,
    /// The keys the frame being applied touched first.
    fresh: FxHashSet<AlertKey>,
}

impl Touched {
    /// Applies `frame` onto `alerts`, keeping what a delta touched; after a full frame
    /// anything may have changed, and nothing is kept (`None`).
    fn apply(touched: &mut Option<Touched>, frame: Frame, alerts: &mut Vec<Alert>) {
        let (Some(t), Frame::Delta { changed, gone }) = (touched.as_mut(), &frame) else {
            *touched = None;
            frame.apply(alerts);
            return;
        };
        t.keep(changed, gone);
        for was in frame.apply(alerts).into_iter().flatten() {
            if t.fresh.contains(&was.key) {
                t.before.insert(was.key.clone(), Some(was));
            }
        }
    }

    /// Notes the keys a delta touches: first touched now (their version before is the one
    /// it displaces, or none), and their version after it.
    fn keep(&mut self, changed: &[Alert], gone: &[AlertKey]) {
        self.fresh.clear();
        let keys = changed.iter().map(|a| &a.key).chain(gone);
        for key in keys {
            if !self.before.contains_key(key) {
                self.before.insert(key.clone(), None);
                self.order.push(key.clone());
                self.fresh.insert(key.clone());
            }
        }
        for a in changed {
            self.after.insert(a.key.clone(), Some(a.clone()));
        }
        for key in gone {
            self.after.insert(key.clone(), None);
        }
    }

    fn finish(mut self, from: Arc<Vec<Alert>>) -> Changed {
        let mut changed = Changed::none(from);
        for key in &self.order {
            changed.before.extend(self.before.remove(key).flatten());
            changed.after.extend(self.after.remove(key).flatten());
        }
        changed
    }
}

/// A source's sharing state, kept by its poller.
pub struct Shared {
    share: Share,
    /// The last picture written (as the poller), and how many deltas since a full frame.
    written: Option<(Arc<Vec<Alert>>, Extras, u32)>,
    /// The last frame applied (as a follower), and the picture it left: the same `Arc`
    /// while no frame changed an alert (an unchanged turn costs a pointer comparison, not
    /// a copy of every alert).
    seq: i64,
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
    /// When the lease followed runs out unless renewed: a follower looks again then.
    runs_out: Option<std::time::Instant>,
}

/// How long after the followed lease's end a follower looks (the database's and this
/// machine's clocks tick apart by the query's time).
const LOOK_AFTER_RUN_OUT: Duration = Duration::from_millis(100);

/// How long an unreachable journal is left alone before it is tried again.
const JOURNAL_RETRY: Duration = Duration::from_secs(10);

impl Shared {
    /// Starts sharing by `share`.
    pub fn new(share: Share) -> Shared {
        Shared {
            share,
            written: None,
            seq: 0,
            shown: Arc::default(),
            extras: Extras::default(),
            polled_by: None,
            journal_down_until: None,
            ttl: Duration::from_secs(60),
            looked_at: None,
            runs_out: None,
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

    /// How soon a follower looks again: every half interval, and just after the lease it
    /// follows runs out (a dead poller is replaced 1.5 intervals after its last renewal at
    /// most, not up to two).
    pub fn next_look(&self, interval: Duration) -> Duration {
        let half = interval / 2;
        let Some(runs_out) = self.runs_out else {
            return half;
        };
        let until = runs_out.saturating_duration_since(std::time::Instant::now());
        half.min(until + LOOK_AFTER_RUN_OUT)
    }

    /// One turn: takes or renews the lease and polls, or applies what the holder wrote.
    /// `interval` sizes the lease: it runs out 1.5 intervals after its last renewal, and a
    /// follower looks every half interval and as it runs out (`next_look`), so a dead
    /// poller is replaced 1.5 intervals after its last renewal.
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
                self.runs_out = Some(std::time::Instant::now() + lease.left);
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
                Some(at) => {
                    let unchanged = Changed::none(self.shown.clone());
                    Turn::Followed(self.snapshot(), at, Some(unchanged))
                }
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
        // The picture is copied once a turn, when a frame changes an alert (the copy the
        // dashboard was told stays as it was).
        let from = self.shown.clone();
        let mut alerts: Option<Vec<Alert>> = None;
        let mut touched = Some(Touched::default());
        for published in frames {
            if !published.frame.is_empty() || matches!(published.frame, Frame::Full(_)) {
                let onto = alerts.get_or_insert_with(|| match &published.frame {
                    Frame::Full(_) => Vec::new(),
                    Frame::Delta { .. } => self.shown.to_vec(),
                });
                Touched::apply(&mut touched, published.frame, onto);
            }
            if let Some(extras) = published.extras {
                self.extras = extras;
            }
            self.seq = published.seq;
            at = Some(at.map_or(published.at, |a| a.max(published.at)));
        }
        if let Some(alerts) = alerts {
            self.shown = Arc::new(alerts);
        }
        let changed = touched.map(|t| t.finish(from));
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
            Some(at) if self.seq > 0 => Turn::Followed(self.snapshot(), at, changed),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::sources::observe;

    /// Observations worked out from a turn's deltas are those of comparing every alert,
    /// over several frames: an alert that appeared then changed, one changed then gone,
    /// one gone then back, one new and gone within the turn.
    #[test]
    fn what_deltas_touched_tells_the_same_changes_as_comparing_everything() {
        let start = crate::testing::estate_alerts(300, 1).remove(0);
        let now = start[0].last_seen;
        let mut pictures = vec![start.clone()];
        let mut next = start.clone();
        // Frame 1: two acked, one gone, one new.
        next[0].status = Status::Acked;
        next[0].acked_by = Some("ana".into());
        next[1].status = Status::Silenced;
        let gone_then_back = next.remove(2);
        let mut fresh = start[3].clone();
        fresh.key = AlertKey(format!("{}-new", start[3].key.0));
        next.push(fresh.clone());
        pictures.push(next.clone());
        // Frame 2: the new one acked, the acked one gone, the gone one back, a passer-by.
        next.iter_mut().find(|a| a.key == fresh.key).unwrap().status = Status::Acked;
        next.remove(0);
        next.push(gone_then_back);
        let mut passer = start[4].clone();
        passer.key = AlertKey(format!("{}-brief", start[4].key.0));
        next.push(passer.clone());
        pictures.push(next.clone());
        // Frame 3: the passer-by gone.
        next.retain(|a| a.key != passer.key);
        pictures.push(next.clone());

        let mut alerts = start.clone();
        let mut touched = Some(Touched::default());
        for pair in pictures.windows(2) {
            Touched::apply(
                &mut touched,
                Frame::between(&pair[0], &pair[1]),
                &mut alerts,
            );
        }
        let changed = touched
            .expect("deltas only")
            .finish(Arc::new(start.clone()));
        let key = |a: &Alert| a.key.0.clone();
        let mut ends: Vec<String> = alerts.iter().map(key).collect();
        let mut expected: Vec<String> = next.iter().map(key).collect();
        ends.sort();
        expected.sort();
        assert_eq!(ends, expected, "the frames leave the last picture");

        let said = |mut o: Vec<observe::Observation>| {
            o.sort_by(|a, b| (&a.key.0, &a.what).cmp(&(&b.key.0, &b.what)));
            o
        };
        let from_deltas = said(observe::changes(&changed.before, &changed.after, now));
        let from_all = said(observe::changes(&start, &next, now));
        assert_eq!(from_deltas, from_all);
        // The acked one gone (resolved), the silenced, the new one (fired); the gone one back
        // and the passer-by are no change.
        assert_eq!(from_deltas.len(), 3, "{from_deltas:?}");
        assert!(
            changed.before.len() + changed.after.len() < 12,
            "only what was touched"
        );
    }
}
