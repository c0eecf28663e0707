//! `OpsgenieSource`: the alerts a query finds in one Opsgenie account (Alert API v2) or one
//! JSM Operations site (its successor: the same API under a new base and auth), their notes
//! and activity logs, and the responder's actions — each answered 202 with a request id that
//! is followed until Opsgenie says it was done or why not, each preceded by a look at the
//! alert so that a re-sent action does not act twice. Two back ends, one family: moving from
//! `opsgenie` to `jsm_ops` is a config change.

mod actions;
pub mod client;
mod config;
mod jsm;
mod map;
pub mod wire;
mod writes;

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Error, Operation, Snapshot, Source, within};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{Alert, AlertKey, EscalationPolicy, Note, SourceId};
use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use crate::sources::capabilities::Sunset;
use crate::sources::notes_cache::NotesCache;
use crate::sources::{Can, Capabilities, NotesGo};
use client::{Client, Dialect};

pub use crate::sources::region::Region;
pub use client::{EU_API, PAGE, US_API, WINDOW};
pub use config::{DEFAULT_QUERY, JSM_API, JsmSettings, Settings};

/// Opsgenie's kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("opsgenie");
/// JSM Operations' kind, as the config writes it.
pub const JSM_KIND: SourceKind = SourceKind::named("jsm_ops");

/// What both do: every alert action (unack and responders too), notes kept on the alert.
const ALERT_ACTIONS: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    unacknowledge: Can::Yes,
    resolve: Can::Yes,
    snooze: Can::Yes,
    reassign: Can::Yes,
    responders: Can::Yes,
    notes: NotesGo::AsNote,
    ..Capabilities::NONE
};

/// What an Opsgenie account does, and when its API is switched off.
pub const CAPABILITIES: Capabilities = Capabilities {
    sunset: Some(Sunset {
        on: match chrono::NaiveDate::from_ymd_opt(2027, 4, 5) {
            Some(day) => day,
            None => panic!("2027-04-05 is a day"), // evaluated at compile time
        },
        instead: "move the source to kind = \"jsm_ops\" (onduty check shows how)",
    }),
    ..ALERT_ACTIONS
};

/// What a JSM Operations site does.
pub const JSM_CAPABILITIES: Capabilities = ALERT_ACTIONS;

/// Opsgenie, as the registry lists it.
pub const BACKEND: Backend = Backend {
    kind: KIND,
    can: CAPABILITIES,
    check: check::<Settings>,
    build,
    runbooks: Vec::new,
    advice: config::to_jsm,
};
/// JSM Operations, as the registry lists it.
pub const JSM_BACKEND: Backend =
    Backend::of(JSM_KIND, JSM_CAPABILITIES, check::<JsmSettings>, build);

/// An Opsgenie or JSM Operations source as `setting` describes it.
fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let source = OpsgenieSource::new(
        setting.source.clone(),
        setting.timeout,
        setting.clock.clone(),
    )?;
    Ok(AnySource::new(source))
}

/// How long escalations and who is on call are kept before they are fetched again: they
/// change at hand-offs, not between two polls.
const ON_CALL_EVERY: TimeDelta = TimeDelta::minutes(5);
/// The incidents listed: the open ones.
const INCIDENT_QUERY: &str = "status: open";
/// Most schedules whose on-call is asked in one refresh (two requests each).
const SCHEDULES_MOST: usize = 20;
/// How long an alert's notes and log are kept before they are fetched again.
const NOTES_EVERY: TimeDelta = TimeDelta::minutes(2);
/// Most alerts whose notes, log and details are fetched in one poll (three requests each).
const NOTES_PER_POLL: usize = 5;

/// A hash of an alert id, to find it again cheaply.
fn hash_of(id: &str) -> u64 {
    use std::hash::BuildHasher;
    foldhash::fast::FixedState::default().hash_one(id)
}

/// An alert's details and description.
type Details = (
    std::collections::BTreeMap<String, serde_json::Value>,
    Option<String>,
);

/// Which API, with its own keys.
enum Account {
    Opsgenie(Settings),
    Jsm(JsmSettings),
}

impl Account {
    fn is_opsgenie(&self) -> bool {
        matches!(self, Account::Opsgenie(_))
    }

    fn search(&self) -> String {
        match self {
            Account::Opsgenie(s) => s.search(),
            Account::Jsm(s) => s.search(),
        }
    }
}

/// One Opsgenie account or JSM Operations site.
pub struct OpsgenieSource {
    id: SourceId,
    config: SourceConfig,
    account: Account,
    timeout: Duration,
    clock: SharedClock,
    client: Option<Client>,
    /// Each alert's notes and log entries, and when they were fetched.
    notes: NotesCache,
    /// The escalations as policies, with who is on call, and when they were fetched.
    policies: Vec<EscalationPolicy>,
    policies_at: Option<DateTime<Utc>>,
    /// Opsgenie's open incidents as last listed; none: the account has no Incident API.
    incidents: Option<Vec<Alert>>,
    /// Each open alert's details and description, fetched with its notes (the listing has
    /// none), put on it from the next poll.
    details: HashMap<String, Details>,
    /// Atlassian account ids by email, as the site told them (JSM assigns by account id).
    accounts: HashMap<String, String>,
    /// The teams responding to the alerts of the last poll (JSM reads escalations per team).
    teams: BTreeSet<String>,
    /// Writes sent whose outcome is not known yet, by alert id and action: a retry follows
    /// the request instead of sending it again.
    following: HashMap<(String, &'static str), (String, DateTime<Utc>)>,
}

impl OpsgenieSource {
    /// A source for the account (`kind = "opsgenie"`) or site (`kind = "jsm_ops"`) `config`
    /// describes; the problems of its keys if they are bad.
    pub fn new(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<OpsgenieSource, Vec<Problem>> {
        let account = match config.kind == JSM_KIND {
            true => Account::Jsm(JsmSettings::read(&config)?),
            false => Account::Opsgenie(Settings::read(&config)?),
        };
        Ok(OpsgenieSource {
            id: SourceId(config.name.as_str().into()),
            account,
            config,
            timeout,
            clock,
            client: None,
            notes: NotesCache::new(NOTES_EVERY, NOTES_PER_POLL),
            policies: Vec::new(),
            policies_at: None,
            teams: BTreeSet::new(),
            accounts: HashMap::new(),
            details: HashMap::new(),
            incidents: Some(Vec::new()),
            following: HashMap::new(),
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        let (config, account, timeout) = (&self.config, &self.account, self.timeout);
        super::built(&mut self.client, async move {
            match account {
                Account::Opsgenie(s) => {
                    let base = s.region.base(config.url.as_deref(), US_API, EU_API);
                    Client::new(config, &base, Dialect::Opsgenie, timeout).await
                }
                Account::Jsm(s) => {
                    let base = jsm::api_base(config, s, timeout).await?;
                    Client::new(config, &base, Dialect::JsmOps, timeout).await
                }
            }
        })
        .await
    }

    /// `e` with a hint where Opsgenie's words alone mislead: a key refused by the US host
    /// is most often an EU account's.
    fn explained(&self, e: Error) -> Error {
        match (&e, &self.account) {
            (Error::Auth(why), Account::Opsgenie(s))
                if self.config.url.is_none() && s.region == Region::Us =>
            {
                Error::Auth(format!(
                    "{why}; check the key (an EU account needs region = \"eu\")"
                ))
            }
            _ => e,
        }
    }

    /// Fetches the notes and log of the open alerts whose notes are oldest, a few per poll,
    /// and puts them on `alerts`. A failure keeps what was fetched before and does not fail
    /// the poll.
    async fn refresh_notes(&mut self, alerts: &mut [Alert], now: DateTime<Utc>) {
        let prefix = format!("{}:", self.id);
        let open: Vec<&str> = alerts
            .iter()
            .filter(|a| a.status != crate::model::Status::Resolved)
            .filter_map(|a| a.key.0.strip_prefix(&prefix))
            .collect();
        let due = self.notes.due(&open, now);
        // Details are fetched with notes: kept as long as the notes are.
        let notes = &self.notes;
        self.details.retain(|id, _| notes.has(id));
        for id in due {
            match self.notes_of(&id).await {
                Ok((notes, details)) => {
                    self.details.insert(id.clone(), details);
                    let key = format!("{}:{id}", self.id);
                    if let Some(a) = alerts.iter_mut().find(|a| a.key.0 == key) {
                        a.notes = notes.clone().into_boxed_slice();
                    }
                    self.notes.keep(id, now, notes);
                }
                Err(e) => {
                    tracing::warn!(source = %self.id, alert = %id, "notes not fetched: {e}");
                    break;
                }
            }
        }
    }

    /// Fetches the escalations and who is on call on the schedules they page, when older
    /// than `ON_CALL_EVERY` (JSM's per team, of the teams responding to the alerts the last
    /// poll listed). A failure keeps the last ones and does not fail the poll.
    async fn refresh_policies(&mut self, now: DateTime<Utc>) {
        if self.policies_at.is_some_and(|at| now - at < ON_CALL_EVERY) {
            return;
        }
        let teams: Vec<String> = self.teams.iter().cloned().collect();
        match self.policies_now(&teams).await {
            Ok(policies) => self.policies = policies,
            Err(e) => tracing::warn!(source = %self.id, "escalations not fetched: {e}"),
        }
        self.policies_at = Some(now);
    }

    async fn policies_now(&mut self, teams: &[String]) -> Result<Vec<EscalationPolicy>, Error> {
        let client = self.client().await?;
        let escalations = client.escalations(teams).await?;
        let mut schedules: Vec<&str> = escalations
            .iter()
            .flat_map(|e| &e.rules)
            .filter_map(|r| r.recipient.as_ref())
            .filter(|r| r.kind == "schedule" && !r.id.is_empty())
            .map(|r| r.id.as_str())
            .collect();
        schedules.sort();
        schedules.dedup();
        let mut on_calls = map::OnCalls::new();
        for id in schedules.into_iter().take(SCHEDULES_MOST) {
            let now = client.on_call(id, false).await?;
            let next = client.on_call(id, true).await?;
            on_calls.insert(id.to_string(), (now, next));
        }
        Ok(escalations
            .iter()
            .map(|e| map::policy(e, &on_calls))
            .collect())
    }

    /// Opsgenie's open incidents as alerts: asked each poll, the last ones kept when asking
    /// fails; never asked again of an account without the Incident API (402, 403, 404), nor
    /// of JSM (its incidents are Jira issues).
    async fn open_incidents(&mut self, now: DateTime<Utc>) -> Vec<Alert> {
        if !self.account.is_opsgenie() || self.incidents.is_none() {
            return Vec::new();
        }
        let mut listed = Vec::new();
        let id = self.id.clone();
        let asked = match self.client().await {
            Ok(client) => {
                client
                    .incidents(INCIDENT_QUERY, |page| {
                        listed.extend(page.iter().map(|i| map::incident(i, &id, now)));
                    })
                    .await
            }
            Err(e) => Err(e),
        };
        match asked {
            Ok(()) => self.incidents = Some(listed),
            Err(
                Error::Http {
                    status: 402..=404, ..
                }
                | Error::Auth(_),
            ) => {
                tracing::info!(source = %self.id, "no Incident API here: incidents not listed");
                self.incidents = None;
            }
            Err(e) => tracing::warn!(source = %self.id, "incidents not listed: {e}"),
        }
        self.incidents.clone().unwrap_or_default()
    }

    /// The notes and activity log of alert `id`, oldest first, and its details and
    /// description (which only the alert itself carries, not the listing).
    async fn notes_of(&mut self, id: &str) -> Result<(Vec<Note>, Details), Error> {
        let client = self.client().await?;
        let mut notes: Vec<Note> = client.notes(id).await?.iter().map(map::note).collect();
        notes.extend(client.log(id).await?.iter().map(map::log_entry));
        notes.sort_by_key(|n| n.at);
        // The details are a nicety: an alert that cannot be read alone keeps its notes.
        let details = match client.alert(id).await {
            Ok(alert) => (alert.details, alert.description),
            Err(e) => {
                tracing::debug!(alert = %id, "details not fetched: {e}");
                Details::default()
            }
        };
        Ok((notes, details))
    }

    /// `result` of `op` on alert `id`, explained; its notes fetched again after a note.
    fn acted(&mut self, id: &str, op: &Operation, result: Result<(), Error>) -> Result<(), Error> {
        if matches!(op, Operation::AddNote { .. } | Operation::Silence { .. }) {
            self.notes.forget(id);
        }
        result.map_err(|e| self.explained(e))
    }

    /// The alert id of `key`.
    fn alert_id<'k>(&self, key: &'k AlertKey) -> Result<&'k str, Error> {
        key.id_in(&self.id)
            .ok_or_else(|| Error::Rejected(format!("{key} is not an alert of {}", self.id)))
    }
}

impl Source for OpsgenieSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let search = self.account.search();
        let now = self.clock.now();
        self.refresh_policies(now).await;
        self.client().await?;
        let (mut alerts, mut teams) = (Vec::<Alert>::new(), BTreeSet::new());
        // Where each alert is in `alerts`, by a hash of its id: one seen twice (the list
        // moved between two pages) is kept once, without a second copy of every id. Two ids
        // of one hash (never seen in practice) are told apart by looking at every alert.
        let mut seen: HashMap<u64, u32> = HashMap::new();
        let listing = match &self.client {
            Some(client) => {
                let (id, notes, policies) = (&self.id, &self.notes, &self.policies);
                let details = &self.details;
                client
                    .alerts(&search, |page| {
                        alerts.reserve(page.len());
                        for mut a in page {
                            if let Some((more, description)) = details.get(&a.id)
                                && a.details.is_empty()
                            {
                                a.details = more.clone();
                                a.description = a.description.or_else(|| description.clone());
                            }
                            // `b` is `a` again: its key is `SOURCE:` and `a`'s id.
                            let is_a = |b: &Alert| {
                                b.key
                                    .0
                                    .strip_prefix(&*id.0)
                                    .and_then(|k| k.strip_prefix(':'))
                                    == Some(a.id.as_str())
                            };
                            let is_new = match seen.get(&hash_of(&a.id)) {
                                None => true,
                                Some(&i) if alerts.get(i as usize).is_some_and(is_a) => false,
                                Some(_) => !alerts.iter().any(is_a),
                            };
                            if !is_new {
                                continue;
                            }
                            let at = u32::try_from(alerts.len()).unwrap_or(u32::MAX);
                            seen.entry(hash_of(&a.id)).or_insert(at);
                            let responding = a.responders.iter().filter(|r| r.kind == "team");
                            teams
                                .extend(responding.map(|r| r.id.clone()).filter(|t| !t.is_empty()));
                            alerts.push(map::alert(&a, id, notes.of(&a.id), policies, now));
                        }
                    })
                    .await
            }
            None => return Err(Error::Connect("no client".into())),
        };
        if let Err(e) = listing {
            return Err(self.explained(e));
        }
        if teams != self.teams {
            // JSM reads escalations per team: new teams, new escalations at the next poll.
            self.teams = teams;
            self.policies_at = self.policies_at.filter(|_| self.account.is_opsgenie());
        }
        drop(seen);
        self.refresh_notes(&mut alerts, now).await;
        alerts.extend(self.open_incidents(now).await);
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            escalation: self.policies.clone(),
            silences: Vec::new(),
            tickets: Vec::new(),
            invalid: 0,
            rules: Default::default(),
            incidents: Default::default(),
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, author: &str) -> Result<(), Error> {
        let id = self.alert_id(key)?.to_string();
        let result = self.act(key, &id, op, author).await;
        self.acted(&id, op, result)
    }

    /// Sends every write of the batch first (a look at each alert and its write), then
    /// follows the requests: by the time the first outcome is asked for, most of the others
    /// are done, so a batch costs its requests, not a wait per item.
    async fn perform_batch(
        &mut self,
        items: &[super::BatchItem],
        per_item: Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        let mut sent = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let id = match self.alert_id(&item.key) {
                Ok(id) => id.to_string(),
                Err(e) => {
                    let _ = done.send((i, Err(e)));
                    continue;
                }
            };
            let started = within(per_item, self.send(&item.key, &id, &item.op, &item.author));
            match started.await {
                Ok(s) => sent.push((i, id, s)),
                Err(e) => {
                    let _ = done.send((i, self.acted(&id, &item.op, Err(e))));
                }
            }
        }
        for (i, id, s) in sent {
            let item = &items[i];
            let result = within(per_item, self.finish(&id, s, &item.author)).await;
            let _ = done.send((i, self.acted(&id, &item.op, result)));
        }
    }
}
