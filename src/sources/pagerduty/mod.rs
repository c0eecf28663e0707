//! `PagerDutySource`: open incidents of one PagerDuty account (REST API v2) as alerts, its
//! escalation policies with who is on call now and next, and the responder's actions
//! (acknowledge, resolve, snooze, note, reassign, escalate), each checked against the
//! incident's current state first so that a re-sent action does not act twice.

mod analytics;
mod bulk;
pub mod client;
mod config;
mod map;
pub mod wire;

use crate::sources::identity::Identity;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::insights::analytics::Analytics;
use crate::model::{Alert, AlertKey, EscalationPolicy, Note, Related, SourceId};
use client::Client;

use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use crate::sources::notes_cache::NotesCache;
pub use crate::sources::region::Region;
use crate::sources::{Can, Capabilities, NotesGo};
pub use client::{EU_API, US_API};
pub use config::Settings;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("pagerduty");

/// What a PagerDuty account does: every incident action, notes kept on the incident, its
/// alerts behind an incident, assignments (`:mine`).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    resolve: Can::Yes,
    snooze: Can::Yes,
    reassign: Can::Yes,
    notes: NotesGo::AsNote,
    related: true,
    analytics: true,
    assigns: true,
    keeps_resolved: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(KIND, CAPABILITIES, check::<Settings>, build);

/// A PagerDuty source as `setting` describes it.
fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let pd = PagerDutySource::new(
        setting.source.clone(),
        setting.timeout,
        setting.clock.clone(),
    )?;
    Ok(AnySource::new(pd))
}

/// How long the escalation policies and on-call entries are kept before they are fetched
/// again: they change at hand-offs, not between two polls, and `/oncalls` has its own rate
/// limit.
const ON_CALL_EVERY: TimeDelta = TimeDelta::minutes(5);
/// How long an incident's notes and log entries are kept before they are fetched again.
const NOTES_EVERY: TimeDelta = TimeDelta::minutes(2);
/// Most incidents whose notes are fetched in one poll (one request each).
const NOTES_PER_POLL: usize = 10;
/// How far ahead on-call entries are read, to know who is next.
const ON_CALL_AHEAD: TimeDelta = TimeDelta::days(8);

/// One PagerDuty account.
pub struct PagerDutySource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    client: Option<Client>,
    /// The user whose incidents `mine_only` shows.
    me: Option<String>,
    policies: Vec<EscalationPolicy>,
    policies_at: Option<DateTime<Utc>>,
    notes: NotesCache,
    alerts: Arc<Vec<Alert>>,
    /// Also list incidents resolved this recently.
    resolved_window: Option<Duration>,
}

impl PagerDutySource {
    /// A source for the account `config` describes; the problems of its keys if they are
    /// bad.
    pub fn new(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<PagerDutySource, Vec<Problem>> {
        Ok(PagerDutySource {
            id: SourceId(config.name.as_str().into()),
            settings: Settings::read(&config)?,
            config,
            timeout,
            clock,
            client: None,
            me: None,
            policies: Vec::new(),
            policies_at: None,
            notes: NotesCache::new(NOTES_EVERY, NOTES_PER_POLL),
            alerts: Arc::default(),
            resolved_window: None,
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(
            &mut self.client,
            Client::new(&self.config, &self.settings, self.timeout),
        )
        .await
    }

    /// The user ids incidents are filtered on: the configured ones, or with `mine_only`
    /// and none configured, the token's own user.
    async fn user_filter(&mut self) -> Result<Vec<String>, Error> {
        if !self.settings.user_ids.is_empty() || !self.config.mine_only {
            return Ok(self.settings.user_ids.clone());
        }
        if self.me.is_none() {
            let me = self.client().await?.me().await.map_err(|e| match e {
                Error::Http { status: 400, .. } | Error::Auth(_) => Error::Rejected(
                    "mine_only needs a user's API token (an account key has no 'me'): \
                     set user_ids instead"
                        .into(),
                ),
                other => other,
            })?;
            self.me = Some(me.id);
        }
        Ok(self.me.clone().into_iter().collect())
    }

    /// Fetches the policies and on-call entries when they are older than `ON_CALL_EVERY`.
    async fn refresh_policies(&mut self, now: DateTime<Utc>) -> Result<(), Error> {
        if self.policies_at.is_some_and(|at| now - at < ON_CALL_EVERY) {
            return Ok(());
        }
        let teams = self.settings.team_ids.clone();
        let client = self.client().await?;
        let wire_policies = client.escalation_policies(&teams).await?;
        let ids: Vec<String> = wire_policies.iter().map(|p| p.id.clone()).collect();
        let oncalls = client.oncalls(&ids, now, now + ON_CALL_AHEAD).await?;
        self.policies = wire_policies
            .iter()
            .map(|p| map::policy(p, &oncalls, now))
            .collect();
        self.policies_at = Some(now);
        Ok(())
    }

    /// Fetches the notes of the incidents whose notes are oldest, a few per poll.
    async fn refresh_notes(&mut self, ids: &[String], now: DateTime<Utc>) -> Result<(), Error> {
        for id in self.notes.due(ids, now) {
            let client = self.client().await?;
            let mut notes: Vec<Note> = client.notes(&id).await?.iter().map(map::note).collect();
            let log = client.log_entries(&id).await?;
            notes.extend(log.iter().filter_map(map::log_entry));
            notes.sort_by_key(|n| n.at);
            self.notes.keep(id, now, notes);
        }
        Ok(())
    }

    /// The open incidents this source shows (and those resolved in `resolved`), as they
    /// are now.
    async fn listed(
        &mut self,
        resolved: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<wire::Incident>, Error> {
        let users = self.user_filter().await?;
        let (services, teams) = (
            self.settings.service_ids.clone(),
            self.settings.team_ids.clone(),
        );
        self.client()
            .await?
            .incidents(&services, &teams, &users, resolved)
            .await
    }

    async fn refresh(&mut self) -> Result<(), Error> {
        let now = self.clock.now();
        self.refresh_policies(now).await?;
        let window = self
            .resolved_window
            .and_then(|w| TimeDelta::from_std(w).ok())
            .map(|w| (now - w, now));
        let incidents = self.listed(window).await?;
        let ids: Vec<String> = incidents.iter().map(|i| i.id.clone()).collect();
        self.refresh_notes(&ids, now).await?;
        let alerts = incidents
            .iter()
            .map(|i| map::incident(i, &self.id, &self.policies, self.notes.of(&i.id), now))
            .collect();
        self.alerts = Arc::new(alerts);
        Ok(())
    }

    /// The incident id of `key`.
    fn incident_id<'k>(&self, key: &'k AlertKey) -> Result<&'k str, Error> {
        key.0
            .strip_prefix(&*self.id.0)
            .and_then(|rest| rest.strip_prefix(':'))
            .filter(|id| !id.is_empty())
            .ok_or_else(|| Error::Rejected(format!("{key} is not an incident of {}", self.id)))
    }

    /// Hands the incident to a user or a policy, unless it is theirs already.
    async fn reassign(&mut self, id: &str, to: &str, from: &str) -> Result<(), Error> {
        let target = self.target(to).await?;
        let client = self.client().await?;
        if client::is_with(&client.incident(id).await?, &target) {
            return Ok(());
        }
        client.reassign(id, &target, from).await
    }

    /// Who `to` names: `policy:NAME`, `user:NAME`, or a bare name, a known policy's first.
    async fn target(&mut self, to: &str) -> Result<client::Target, Error> {
        let policy = match to.strip_prefix("policy:") {
            Some(p) => Some(self.policy_id(p).unwrap_or_else(|| p.to_string())),
            None if !to.starts_with("user:") => self.policy_id(to),
            None => None,
        };
        match policy {
            Some(p) => Ok(client::Target::Policy(p)),
            None => {
                let user = to.trim_start_matches("user:");
                Ok(client::Target::User(
                    self.client().await?.user_id(user).await?,
                ))
            }
        }
    }

    /// The id of the known policy called `name`.
    fn policy_id(&self, name: &str) -> Option<String> {
        self.policies
            .iter()
            .find(|p| p.name.eq_ignore_ascii_case(name))
            .map(|p| p.id.clone())
    }

    /// Snoozes the incident, acknowledging it first when it is not (PagerDuty only snoozes
    /// acknowledged incidents); the comment becomes a note.
    async fn snooze(
        &mut self,
        key: &AlertKey,
        id: &str,
        duration: Duration,
        comment: &str,
        from: &str,
    ) -> Result<(), Error> {
        let client = self.client().await?;
        match client.incident(id).await?.status {
            wire::IncidentStatus::Resolved => {
                return Err(Error::Rejected(format!("{key} is already resolved")));
            }
            wire::IncidentStatus::Triggered | wire::IncidentStatus::Unknown => {
                client.set_status(id, "acknowledged", from).await?;
            }
            wire::IncidentStatus::Acknowledged => {}
        }
        client.snooze(id, duration, from).await?;
        if !comment.trim().is_empty() {
            let text = format!(
                "snoozed for {}: {comment}",
                crate::duration_fmt::short(duration)
            );
            client.add_note_once(id, &text, from).await?;
        }
        self.notes.forget(id);
        Ok(())
    }

    /// Pages `level` (1-based), or the level after the one the incident is at.
    async fn escalate(
        &mut self,
        key: &AlertKey,
        level: Option<u32>,
        from: &str,
    ) -> Result<(), Error> {
        let id = self.incident_id(key)?.to_string();
        let now = self.clock.now();
        let client = self.client().await?;
        let incident = client.incident(&id).await?;
        if incident.status == wire::IncidentStatus::Resolved {
            return Err(Error::Rejected(format!("{key} is already resolved")));
        }
        let alert = map::incident(&incident, &self.id, &self.policies, Vec::new(), now);
        let levels = incident
            .escalation_policy
            .as_ref()
            .and_then(|r| self.policies.iter().find(|p| p.id == r.id))
            .map(|p| p.levels.len() as u32);
        let current = alert.escalation.map(|e| e.level as u32 + 1);
        let target = match (level, current, levels) {
            (Some(l), _, _) => l,
            (None, Some(c), Some(n)) if c >= n => {
                return Err(Error::Rejected(format!(
                    "{key} is already at the last level ({n}) of its policy"
                )));
            }
            (None, Some(c), _) => c + 1,
            (None, None, _) => 2,
        };
        if current == Some(target) {
            return Ok(()); // sent before, and it took
        }
        self.client().await?.escalate(&id, target, from).await
    }
}

impl Source for PagerDutySource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    fn show_resolved(&mut self, window: Option<Duration>) {
        self.resolved_window = window;
    }

    fn set_mine_only(&mut self, mine_only: bool) {
        self.config.mine_only = mine_only;
    }

    async fn whoami(&mut self) -> Result<Option<Identity>, Error> {
        match self.client().await?.me().await {
            Ok(me) => Ok(Identity::new(me.label(), me.email.as_deref(), None)),
            // An account key belongs to nobody: PagerDuty says 400 to "me".
            Err(Error::Http { status: 400, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn analytics(
        &mut self,
        since: chrono::DateTime<chrono::Utc>,
        until: chrono::DateTime<chrono::Utc>,
    ) -> Result<Option<Analytics>, Error> {
        let teams = self.settings.team_ids.clone();
        let client = self.client().await?;
        let all = client
            .analytics_metrics("all", since, until, &teams)
            .await?;
        let services = client
            .analytics_metrics("services", since, until, &teams)
            .await?;
        let slowest = client.analytics_slowest(since, until, &teams, 5).await?;
        Ok(Some(analytics::of(
            &self.id.0, since, until, &all, &services, &slowest,
        )))
    }

    async fn related(&mut self, key: &AlertKey) -> Result<Vec<Related>, Error> {
        let id = self.incident_id(key)?.to_string();
        let alerts = self.client().await?.incident_alerts(&id).await?;
        Ok(alerts
            .iter()
            .map(|a| {
                let summary = a.summary.as_deref().unwrap_or(&a.id);
                Related::new(summary, a.status.as_deref().unwrap_or(""), a.created_at)
            })
            .collect())
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        self.refresh().await?;
        Ok(Snapshot {
            alerts: self.alerts.clone(),
            escalation: self.policies.clone(),
            silences: Vec::new(),
            invalid: 0,
            rules: Default::default(),
            incidents: Default::default(),
            tickets: Vec::new(),
        })
    }

    async fn perform(
        &mut self,
        key: &AlertKey,
        op: &Operation,
        _author: &str,
    ) -> Result<(), Error> {
        let id = self.incident_id(key)?.to_string();
        let from = self.settings.from_email.clone().unwrap_or_default();
        // Each action looks at the incident as it is now: a retry after a lost answer
        // finds it done and sends nothing.
        match op {
            Operation::Acknowledge | Operation::Resolve => {
                let client = self.client().await?;
                let incident = client.incident(&id).await?;
                let (wanted, done) = match op {
                    Operation::Acknowledge => (
                        "acknowledged",
                        incident.status != wire::IncidentStatus::Triggered,
                    ),
                    _ => (
                        "resolved",
                        incident.status == wire::IncidentStatus::Resolved,
                    ),
                };
                if done {
                    return Ok(());
                }
                client.set_status(&id, wanted, &from).await
            }
            Operation::Silence { duration, comment } => {
                self.snooze(key, &id, *duration, comment, &from).await
            }
            Operation::AddNote { text } => {
                self.client().await?.add_note_once(&id, text, &from).await?;
                self.notes.forget(&id);
                Ok(())
            }
            Operation::Reassign { to } => self.reassign(&id, to, &from).await,
            Operation::Unacknowledge => Err(CAPABILITIES.unacknowledge.refusal()),
            Operation::Unresolve => Err(CAPABILITIES.unresolve.refusal()),
            Operation::AddResponder { .. } => Err(CAPABILITIES.responders.refusal()),
            Operation::Escalate { level } => self.escalate(key, *level, &from).await,
            Operation::CreateSilence { .. } | Operation::ExpireSilence { .. } => Err(
                Error::Rejected("PagerDuty has no silences; snooze an incident with s".into()),
            ),
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
                Err(super::keeps_no_incidents(&self.id))
            }
        }
    }
    /// Acks, resolves and reassigns in `PUT /incidents` requests of up to 250 after one
    /// listing (not one look and one request per incident); the rest one by one.
    async fn perform_batch(
        &mut self,
        items: &[super::BatchItem],
        per_item: Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        self.perform_in_bulk(items, per_item, done).await;
    }
}
