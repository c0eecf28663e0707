//! `AlertmanagerSource`: alerts and silences from one Alertmanager (API v2), silences created
//! and expired, and the ack that lasts: a short silence pinned to one alert, marked as an
//! onduty ack, extended on every poll while the alert fires and left to lapse once it
//! resolves. The ack state lives in Alertmanager itself, so a restarted onduty (or a
//! colleague's) sees it.

mod client;
mod config;
mod map;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::escalation::LocalEscalation;
use crate::model::{Alert, AlertKey, Matcher, Silence, SilenceState, SourceId, ack_comment};
use client::{AnswerHash, Client};
use wire::PostableSilence;

use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use crate::sources::{Can, Capabilities};
pub use client::DEFAULT_MAX_RESPONSE_MB;
pub use config::Settings;
pub use config::severity_map_problems;
pub use map::SeverityRule;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("alertmanager");

/// What an Alertmanager does: an ack is a silence onduty extends while the alert fires, its
/// alerts resolve at their source, escalation is onduty's own (`escalation.toml`).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    resolve: Can::No(
        "Alertmanager alerts resolve at their source (Prometheus); ack or silence instead",
    ),
    snooze: Can::Yes,
    reassign: Can::No("Alertmanager assigns alerts to nobody; reassign in the paging tool"),
    silences: true,
    escalates_locally: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(KIND, CAPABILITIES, check::<Settings>, build);

/// An Alertmanager source as `setting` describes it, with the config's escalation policies.
fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let am = AlertmanagerSource::new(
        setting.source.clone(),
        setting.timeout,
        setting.clock.clone(),
    )?;
    Ok(AnySource::new(
        am.with_escalation(setting.escalation.clone()),
    ))
}

/// Default length of an ack silence; it is extended while the alert fires.
pub const DEFAULT_ACK_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Alertmanager's own default `resolve_timeout`, when its status does not name one.
const DEFAULT_RESOLVE_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// One Alertmanager.
pub struct AlertmanagerSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    rule: SeverityRule,
    ack_window: TimeDelta,
    clock: SharedClock,
    client: Option<Client>,
    /// The last poll's alerts and silences, to act on without fetching again.
    alerts: Arc<Vec<Alert>>,
    silences: Vec<Silence>,
    /// The hash of the answer `alerts` was decoded from.
    last_answer: Option<AnswerHash>,
    /// How many items of that answer were no alerts (and were not kept).
    invalid: usize,
    /// The local escalation file's policies (Alertmanager pages nobody itself).
    escalation: Arc<LocalEscalation>,
}

impl AlertmanagerSource {
    /// A source for the Alertmanager `config` describes; the problems of its keys if they
    /// are bad.
    pub fn new(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<AlertmanagerSource, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        let rule = SeverityRule::new(settings.severity_label.as_deref(), &settings.severity_map);
        let window = settings.ack_window.unwrap_or(DEFAULT_ACK_WINDOW);
        Ok(AlertmanagerSource {
            id: SourceId(config.name.as_str().into()),
            ack_window: TimeDelta::from_std(window).unwrap_or(TimeDelta::minutes(10)),
            config,
            settings,
            timeout,
            rule,
            clock,
            client: None,
            alerts: Arc::default(),
            silences: Vec::new(),
            last_answer: None,
            invalid: 0,
            escalation: Arc::default(),
        })
    }

    /// The same source, reporting the local escalation file's policies.
    pub fn with_escalation(mut self, escalation: Arc<LocalEscalation>) -> Self {
        self.escalation = escalation;
        self
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(&mut self.client, Client::new(&self.config, self.timeout)).await
    }

    /// Fetches alerts and silences, extends the ack silences whose alerts still fire.
    /// The first answer streams into the decoder (never held whole); later ones are
    /// hashed first, and one identical to the last, with the same silences, is not decoded
    /// again: the snapshot stays the same `Arc`, which the poller reports as unchanged.
    async fn refresh(&mut self) -> Result<(), Error> {
        let now = self.clock.now();
        let request = Request {
            source: self.id.clone(),
            rule: self.rule.clone(),
            filter: self.settings.filter.clone(),
            receiver: self.settings.receiver.clone(),
            now,
        };
        let last = self.last_answer;
        let previous_silences = std::mem::take(&mut self.silences);
        let client = self.client().await?;
        let fetched = match last {
            None => Some(request.streamed(client).await?),
            Some(last) => request.buffered(client, last, &previous_silences).await?,
        };
        match fetched {
            Some((map::Mapped { alerts, invalid }, silences, hash)) => {
                self.invalid = invalid;
                self.alerts = Arc::new(alerts);
                self.silences = silences;
                self.last_answer = Some(hash);
            }
            None => self.silences = previous_silences,
        }
        self.extend_acks(now).await;
        Ok(())
    }

    /// Extends every onduty ack silence that still catches a firing alert and would end
    /// within half a window. One that catches nothing is left to lapse.
    async fn extend_acks(&mut self, now: DateTime<Utc>) {
        let due: Vec<usize> = self
            .silences
            .iter()
            .enumerate()
            .filter(|(_, s)| s.state == SilenceState::Active && s.is_ack())
            .filter(|(_, s)| s.ends_at - now < self.ack_window / 2)
            .filter(|(_, s)| self.alerts.iter().any(|a| s.catches(a)))
            .map(|(i, _)| i)
            .collect();
        for i in due {
            let s = &self.silences[i];
            let body = PostableSilence {
                id: Some(s.id.clone()),
                matchers: map::wire_matchers(&s.matchers),
                starts_at: s.starts_at,
                ends_at: now + self.ack_window,
                created_by: s.created_by.clone(),
                comment: s.comment.clone(),
            };
            let Some(client) = self.client.as_ref() else {
                return;
            };
            match client.post_silence(&body).await {
                Ok(id) => {
                    tracing::info!(source = %self.id, silence = %id, "extended an ack");
                    let s = &mut self.silences[i];
                    s.id = id;
                    s.ends_at = body.ends_at;
                }
                Err(e) => tracing::warn!(source = %self.id, error = %e, "could not extend an ack"),
            }
        }
    }

    fn find_alert(&self, key: &AlertKey) -> Result<&Alert, Error> {
        self.alerts
            .iter()
            .find(|a| &a.key == key)
            .ok_or_else(|| Error::Rejected(format!("{key} is no longer firing in {}", self.id)))
    }

    /// Ok when `key` is here; else why it is absent: gone for good, or not back yet.
    async fn is_here(&mut self, key: &AlertKey) -> Result<(), Error> {
        match self.find_alert(key) {
            Ok(_) => Ok(()),
            Err(_) => Err(self.absent(key).await),
        }
    }

    /// Why `key` is not in this Alertmanager. A restarted Alertmanager holds nothing until
    /// Prometheus re-sends its firing alerts (every minute by default), so for `retry_for`
    /// (default: two of its `resolve_timeout`s) after it started, an absent alert is not yet
    /// back, and an action queued during the outage waits for it instead of failing.
    async fn absent(&mut self, key: &AlertKey) -> Error {
        let gone = Error::Rejected(format!("{key} is no longer firing in {}", self.id));
        let status = match self.client().await {
            Ok(client) => client.status().await,
            Err(e) => Err(e),
        };
        let status = match status {
            Ok(status) => status,
            Err(e) if e.is_transient() => return e,
            Err(_) => return gone,
        };
        let Some(started) = status.uptime else {
            return gone;
        };
        let grace = self
            .settings
            .retry_for
            .unwrap_or_else(|| resolve_timeout(&status.config.original) * 2);
        let up = (self.clock.now() - started).to_std().unwrap_or_default();
        if up >= grace {
            return gone;
        }
        let refusal = gone.to_string();
        Error::NotYetBack {
            message: format!(
                "{key} is not in {} since it restarted {} ago; retrying for {} more",
                self.id,
                crate::duration_fmt::short(up),
                crate::duration_fmt::short(grace - up),
            ),
            restarted_at: started,
            refusal,
        }
    }

    /// Whether an active silence with these matchers, author and comment exists: a
    /// retried command must not silence twice.
    fn has_silence(&self, matchers: &[Matcher], author: &str, comment: &str) -> bool {
        self.silences.iter().any(|s| {
            s.state != SilenceState::Expired
                && s.matchers == matchers
                && s.created_by == author
                && s.comment == comment
        })
    }

    /// Creates a silence from `when.0` to `when.1` unless an active or pending one with the
    /// same matchers, author and comment exists: a retried command must not silence twice
    /// (each of a window's silences carries its own number in its comment).
    async fn silence(
        &mut self,
        matchers: Vec<Matcher>,
        (starts, until): (DateTime<Utc>, DateTime<Utc>),
        author: &str,
        comment: &str,
    ) -> Result<(), Error> {
        if self.has_silence(&matchers, author, comment) {
            return Ok(());
        }
        let body = PostableSilence {
            id: None,
            matchers: map::wire_matchers(&matchers),
            starts_at: starts,
            ends_at: until,
            created_by: author.to_string(),
            comment: comment.to_string(),
        };
        let id = self.client().await?.post_silence(&body).await?;
        tracing::info!(source = %self.id, silence = %id, "silence created");
        Ok(())
    }
}

impl Source for AlertmanagerSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        self.refresh().await?;
        Ok(Snapshot {
            alerts: self.alerts.clone(),
            escalation: self.escalation.policies_at(self.clock.now()),
            silences: self.silences.clone(),
            tickets: Vec::new(),
            invalid: self.invalid,
            rules: Default::default(),
            incidents: Default::default(),
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, author: &str) -> Result<(), Error> {
        // Act on the server's current picture, not on one that may be a poll old.
        self.refresh().await?;
        self.perform_fresh(key, op, author).await
    }

    /// One look at the server for the whole batch (not one per action: at 10,000 alerts a
    /// look costs ~0.5 s), then the silences it needs posted a few at a time.
    async fn perform_batch(
        &mut self,
        items: &[super::BatchItem],
        per_item: Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        let looked = super::within(per_item, self.refresh()).await;
        if let Err(e) = looked {
            for i in 0..items.len() {
                let _ = done.send((i, Err(e.clone())));
            }
            return;
        }
        let mut to_post: Vec<(usize, PostableSilence)> = Vec::new();
        let mut others = Vec::new();
        let mut plans = Vec::new();
        for (i, item) in items.iter().enumerate() {
            match self
                .planned_silence(&item.key, &item.op, &item.author)
                .await
            {
                Some(Ok(Some(body))) => plans.push((i, body)),
                Some(Ok(None)) => {
                    let _ = done.send((i, Ok(())));
                }
                Some(Err(e)) => {
                    let _ = done.send((i, Err(e)));
                }
                None => others.push(i),
            }
        }
        // The same silence asked twice in one batch is posted once.
        for (i, body) in plans {
            if to_post.iter().any(|(_, p)| same_silence(p, &body)) {
                let _ = done.send((i, Ok(())));
            } else {
                to_post.push((i, body));
            }
        }
        let source = self.id.clone();
        match self.client().await {
            Ok(client) => post_all(client, &source, to_post, per_item, done).await,
            Err(e) => {
                for (i, _) in to_post {
                    let _ = done.send((i, Err(e.clone())));
                }
            }
        }
        for i in others {
            let item = &items[i];
            let performed = self.perform_fresh(&item.key, &item.op, &item.author);
            let result = super::within(per_item, performed).await;
            let _ = done.send((i, result));
        }
    }
}

impl AlertmanagerSource {
    /// The silence an ack or a silence of `key` needs, on the picture at hand: `Ok(None)`
    /// when one is in force already (a re-sent action must not silence twice), `None` for
    /// the other operations.
    async fn planned_silence(
        &mut self,
        key: &AlertKey,
        op: &Operation,
        author: &str,
    ) -> Option<Result<Option<PostableSilence>, Error>> {
        let now = self.clock.now();
        let (until, comment) = match op {
            Operation::Acknowledge => {
                (now + self.ack_window, ack_comment("acknowledged in onduty"))
            }
            Operation::Silence { duration, comment } => (
                now + TimeDelta::from_std(*duration).unwrap_or(TimeDelta::hours(1)),
                comment.clone(),
            ),
            _ => return None,
        };
        if let Err(e) = self.is_here(key).await {
            return Some(Err(e));
        }
        let alert = match self.find_alert(key) {
            Ok(alert) => alert,
            Err(e) => return Some(Err(e)),
        };
        let is_acked =
            |s: &Silence| s.state == SilenceState::Active && s.is_ack() && s.catches(alert);
        if matches!(op, Operation::Acknowledge) && self.silences.iter().any(is_acked) {
            return Some(Ok(None));
        }
        let matchers = map::pin(alert);
        if self.has_silence(&matchers, author, &comment) {
            return Some(Ok(None));
        }
        Some(Ok(Some(PostableSilence {
            id: None,
            matchers: map::wire_matchers(&matchers),
            starts_at: now,
            ends_at: until,
            created_by: author.to_string(),
            comment,
        })))
    }

    /// `op` on `key`, on the picture at hand.
    async fn perform_fresh(
        &mut self,
        key: &AlertKey,
        op: &Operation,
        author: &str,
    ) -> Result<(), Error> {
        let now = self.clock.now();
        match op {
            Operation::Acknowledge | Operation::Silence { .. } => {
                match self.planned_silence(key, op, author).await {
                    Some(Ok(Some(body))) => {
                        let id = self.client().await?.post_silence(&body).await?;
                        tracing::info!(source = %self.id, silence = %id, "silence created");
                        Ok(())
                    }
                    Some(Ok(None)) | None => Ok(()),
                    Some(Err(e)) => Err(e),
                }
            }
            Operation::CreateSilence {
                matchers,
                starts_at,
                duration,
                comment,
            } => {
                let starts = starts_at.unwrap_or(now).max(now);
                let until = starts + TimeDelta::from_std(*duration).unwrap_or(TimeDelta::hours(1));
                self.silence(matchers.clone(), (starts, until), author, comment)
                    .await
            }
            Operation::ExpireSilence { id } => {
                let state = self.silences.iter().find(|s| &s.id == id).map(|s| s.state);
                match state {
                    None => Err(Error::Rejected(format!("no silence {id} in {}", self.id))),
                    Some(SilenceState::Expired) => Ok(()),
                    Some(_) => self.client().await?.expire_silence(id).await,
                }
            }
            Operation::Resolve => Err(CAPABILITIES.resolve.refusal()),
            Operation::Unresolve => Err(CAPABILITIES.unresolve.refusal()),
            Operation::AddNote { .. } => Err(Error::Rejected(
                "Alertmanager keeps no notes; notes on its alerts arrive with the journal".into(),
            )),
            // Alertmanager pages nobody by level: a local policy's escalation is the
            // journal's timeline entry (written before this is sent), nothing to send.
            Operation::Escalate { .. } => self.is_here(key).await,
            Operation::Reassign { .. } => Err(CAPABILITIES.reassign.refusal()),
            Operation::Unacknowledge => Err(CAPABILITIES.unacknowledge.refusal()),
            Operation::AddResponder { .. } => Err(CAPABILITIES.responders.refusal()),
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
                Err(super::keeps_no_incidents(&self.id))
            }
        }
    }
}

/// Silences posted at once by a batch. Alertmanager writes silences one at a time under
/// one lock, so more in flight gains nothing on its side; a few hide the round trip of a
/// slow link (a jump host) and stay polite to a server that may be in trouble.
const POSTS_IN_FLIGHT: usize = 8;

/// Whether two planned silences are one: the same matchers, author and comment.
fn same_silence(a: &PostableSilence, b: &PostableSilence) -> bool {
    a.matchers == b.matchers && a.created_by == b.created_by && a.comment == b.comment
}

/// Posts `silences` (each with its index in the batch), `POSTS_IN_FLIGHT` at a time, each
/// result told on `done`. After an outage or a 429 the ones not sent yet are not sent: they
/// get the same transient error, and the outbox sends them again later.
async fn post_all(
    client: &Client,
    source: &SourceId,
    silences: Vec<(usize, PostableSilence)>,
    per_item: Duration,
    done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
) {
    use futures::StreamExt;
    let stopped: std::sync::Mutex<Option<Error>> = std::sync::Mutex::new(None);
    let stopped = &stopped;
    let posts = futures::stream::iter(silences).map(|(i, body)| async move {
        let earlier = stopped.lock().ok().and_then(|s| s.clone());
        if let Some(e) = earlier {
            return (i, Err(e));
        }
        let posted = super::within(per_item, client.post_silence(&body)).await;
        match posted {
            Ok(id) => {
                tracing::info!(source = %source, silence = %id, "silence created");
                (i, Ok(()))
            }
            Err(e) => {
                if e.is_transient()
                    && let Ok(mut s) = stopped.lock()
                {
                    s.get_or_insert_with(|| e.clone());
                }
                (i, Err(e))
            }
        }
    });
    let mut posts = posts.buffer_unordered(POSTS_IN_FLIGHT);
    while let Some(told) = posts.next().await {
        let _ = done.send(told);
    }
}

/// The `resolve_timeout` in an Alertmanager's loaded config (its status shows it with the
/// defaults filled in), else Alertmanager's default.
fn resolve_timeout(config_yaml: &str) -> Duration {
    config_yaml
        .lines()
        .find_map(|l| l.trim().strip_prefix("resolve_timeout:"))
        .and_then(|v| crate::duration_fmt::parse(v.trim().trim_matches(['"', '\''])).ok())
        .filter(|d| !d.is_zero())
        .unwrap_or(DEFAULT_RESOLVE_TIMEOUT)
}

/// What one refresh asks for and maps with.
struct Request {
    source: SourceId,
    rule: SeverityRule,
    filter: Vec<String>,
    receiver: Option<String>,
    now: DateTime<Utc>,
}

type Fetched = (map::Mapped, Vec<Silence>, AnswerHash);

impl Request {
    fn context<'c>(&'c self, silences: &'c [Silence]) -> map::Context<'c> {
        map::Context {
            source: &self.source,
            rule: &self.rule,
            silences,
            now: self.now,
        }
    }

    /// Silences first (the ack status needs them), then the alerts stream into the decoder
    /// on a low-priority thread. One request at a time: a source never has two in flight.
    async fn streamed(self, client: &Client) -> Result<Fetched, Error> {
        let silences = silences(client, &self.source).await?;
        let (filter, receiver) = (self.filter.clone(), self.receiver.clone());
        let cap = client.max_body();
        let decode = move |body: &mut dyn std::io::Read| {
            let alerts = map::alerts_from_reader(body, &self.context(&silences), cap)
                .map_err(|e| Error::Decode(e.to_string()))?;
            Ok((alerts, silences))
        };
        let ((alerts, silences), hash) = client
            .alerts_streamed(&filter, receiver.as_deref(), decode)
            .await?;
        Ok((alerts, silences, hash))
    }

    /// The whole answer, decoded only when it or the silences differ from the last poll.
    async fn buffered(
        self,
        client: &Client,
        last: AnswerHash,
        last_silences: &[Silence],
    ) -> Result<Option<Fetched>, Error> {
        // One request at a time: a source never has two in flight.
        let silences = silences(client, &self.source).await?;
        let (answer, hash) = client
            .alerts_body(&self.filter, self.receiver.as_deref())
            .await?;
        if hash == last && silences == last_silences {
            return Ok(None);
        }
        let is_big = answer.len() >= client::DECODE_OFF_TASK;
        let decode = move || {
            let body = answer.into_bytes();
            let alerts = map::alerts_from_body(&body, &self.context(&silences))
                .map_err(|e| Error::Decode(format!("{e} ({} bytes)", body.len())))?;
            Ok((alerts, silences, hash))
        };
        if !is_big {
            return decode().map(Some);
        }
        // A multi-megabyte answer is decoded off the async task, below the responder's keys.
        crate::work::bulk::run(decode)
            .await
            .map_err(|e| Error::Decode(format!("decoder stopped: {e}")))?
            .map(Some)
    }
}

async fn silences(client: &Client, source: &SourceId) -> Result<Vec<Silence>, Error> {
    Ok(silences_from_wire(client.silences().await?, source))
}

/// The silences of a `/api/v2/silences` answer that map into the model.
fn silences_from_wire(wire: Vec<wire::GettableSilence>, source: &SourceId) -> Vec<Silence> {
    wire.into_iter()
        .filter_map(|s| map::silence(s, source))
        .collect()
}

/// What `decode_answers` made of two answers: the silences, the alerts decoded whole, the
/// alerts decoded streamed.
pub type Decoded = (
    Result<Vec<Silence>, String>,
    Result<Vec<Alert>, String>,
    Result<Vec<Alert>, String>,
);

/// Decodes a `/api/v2/silences` answer, then a `/api/v2/alerts` answer both ways a poll does
/// (whole body, and streamed through a reader in small pieces), with the mapping and
/// sanitizing: for the fuzz targets, which also check that the two ways agree.
pub fn decode_answers(
    silences: &[u8],
    alerts: &[u8],
    now: chrono::DateTime<chrono::Utc>,
) -> Decoded {
    let source = SourceId("fuzz".into());
    let rule = SeverityRule {
        label: "severity".into(),
        map: Default::default(),
    };
    let decoded: Result<Vec<wire::GettableSilence>, _> = serde_json::from_slice(silences);
    let silences: Vec<Silence> = match decoded {
        Ok(wire) => silences_from_wire(wire, &source),
        Err(e) => return (Err(e.to_string()), Err(String::new()), Err(String::new())),
    };
    let cx = map::Context {
        source: &source,
        rule: &rule,
        silences: &silences,
        now,
    };
    let whole = map::alerts_from_body(alerts, &cx)
        .map(|m| m.alerts)
        .map_err(|e| e.to_string());
    let mut pieces = std::io::BufReader::with_capacity(7, alerts);
    let streamed = map::alerts_from_reader(&mut pieces, &cx, usize::MAX)
        .map(|m| m.alerts)
        .map_err(|e| e.to_string());
    (Ok(silences), whole, streamed)
}
