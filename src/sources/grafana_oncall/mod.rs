//! `GrafanaOnCallSource`: the open alert groups of Grafana OnCall / Grafana Cloud IRM (its
//! public API v1, `../shared/reference/grafana-oncall.md`), their resolution notes, its
//! escalation chains and schedules as policies with who is on call, and what a responder
//! does to groups — acknowledge and back, resolve and back, silence for a while, a note —
//! each checked against the group as it is now when OnCall refuses it, so that a re-send
//! after a lost answer is done, not refused. A service account's key acts on nothing.

mod config;
mod escalation;
mod map;
mod wire;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use serde::de::DeserializeOwned;

use super::notes_cache::NotesCache;
use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, EscalationPolicy, SourceId, Status};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers};
use crate::sources::{Can, Capabilities, NotesGo};
pub use config::{DEFAULT_MAX_ALERT_GROUPS, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("grafana_oncall");

/// What Grafana OnCall does: acknowledge and take it back, resolve, silence for a while,
/// resolution notes; escalation is its own chains'.
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    unacknowledge: Can::Yes,
    resolve: Can::Yes,
    unresolve: Can::Yes,
    snooze: Can::Yes,
    keeps_resolved: true,
    reassign: Can::No("Grafana OnCall hands alert groups on by its escalation chains"),
    notes: NotesGo::AsNote,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<GrafanaOnCallSource>,
);

/// What OnCall's refusal of a service account's action means, said instead of its words.
pub const SERVICE_ACCOUNT: &str = "Grafana OnCall lets no service account (a glsa_ token) act \
     on alert groups: give this source a user's OnCall API key (OnCall → Settings → API \
     keys) to acknowledge, resolve, silence or write notes";

/// What a source whose key turned out to be a service account's does: it reads, and
/// takes no action on alert groups (notes, which service accounts may write, stay).
pub const SERVICE_ACCOUNT_CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::No(SERVICE_ACCOUNT),
    unacknowledge: Can::No(SERVICE_ACCOUNT),
    resolve: Can::No(SERVICE_ACCOUNT),
    unresolve: Can::No(SERVICE_ACCOUNT),
    snooze: Can::No(SERVICE_ACCOUNT),
    ..CAPABILITIES
};

/// The states an open group is in, as the list filter names them.
const OPEN_STATES: [&str; 3] = ["new", "acknowledged", "silenced"];
/// Items per page (OnCall's own size for groups and notes; 100 is its cap).
const PER_PAGE: usize = 50;
/// Users are read again after this long (names of who acknowledged and wrote notes).
const USERS_EVERY: TimeDelta = TimeDelta::minutes(10);
/// Most users read.
const MAX_USERS: usize = 10_000;
/// Escalation chains and schedules are read again after this long.
const POLICIES_EVERY: TimeDelta = TimeDelta::minutes(5);
/// Most schedules whose final shifts are read (one request each).
const MAX_SCHEDULES: usize = 20;
/// How far ahead shifts are read (who is next).
const SHIFTS_AHEAD: TimeDelta = TimeDelta::days(7);

/// One Grafana OnCall stack.
pub struct GrafanaOnCallSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
    notes: NotesCache,
    users: HashMap<String, String>,
    users_at: Option<DateTime<Utc>>,
    /// Also list the groups resolved that started within this window (`:resolved`).
    resolved_window: Option<Duration>,
    /// OnCall refused an action as a service account's: none is sent again.
    is_service_account: bool,
    /// Its escalation chains as policies, with who is on call, read every few minutes.
    policies: Vec<EscalationPolicy>,
    /// Route id → the name of the chain its groups follow.
    chains: HashMap<String, String>,
    policies_at: Option<DateTime<Utc>>,
}

impl GrafanaOnCallSource {
    async fn http(&mut self) -> Result<&Http, Error> {
        let base = format!(
            "{}/api/v1",
            self.config
                .url
                .as_deref()
                .unwrap_or_default()
                .trim_end_matches('/')
        );
        let mut headers: HeaderMap = json_headers();
        if let Some(url) = &self.settings.grafana_url {
            let value = HeaderValue::from_str(url)
                .map_err(|_| Error::Rejected(format!("grafana_url '{url}' is no header value")))?;
            headers.insert(HeaderName::from_static("x-grafana-url"), value);
        }
        // The key is the whole header: OnCall reads no scheme word.
        let build = Http::new(
            &self.config,
            &base,
            self.timeout,
            Scheme::Prefixed(""),
            headers,
        );
        super::built(&mut self.http, build).await
    }

    /// Every item of a list, page after page (`page=N`, rebuilt here: OnCall's `next` links
    /// carry its own configured host, which the token is not sent to); more than `cap` is an
    /// error, never a shorter list.
    async fn all<T: DeserializeOwned + Send + 'static>(
        &mut self,
        path: &str,
        query: &[(&str, String)],
        cap: usize,
        too_many: &str,
    ) -> Result<Vec<T>, Error> {
        let http = self.http().await?;
        let mut out = Vec::new();
        for page in 1.. {
            let mut q: Vec<(&str, String)> = query.to_vec();
            q.push(("page", page.to_string()));
            q.push(("perpage", PER_PAGE.to_string()));
            let req = http.request(Method::GET, path).query(&q);
            let answer: wire::Page<T> = http.json(req).await?;
            let is_last = answer.next.is_none() || answer.results.is_empty();
            out.extend(answer.results);
            if out.len() > cap {
                return Err(Error::Rejected(format!("more than {cap} {too_many}")));
            }
            if is_last {
                break;
            }
        }
        Ok(out)
    }

    /// The open alert groups the filters let in, each once.
    async fn open_groups(&mut self) -> Result<Vec<wire::AlertGroup>, Error> {
        let cap = self
            .settings
            .max_alert_groups
            .unwrap_or(DEFAULT_MAX_ALERT_GROUPS);
        let mut filters: Vec<(&str, String)> = Vec::new();
        if let Some(t) = &self.settings.team_id {
            filters.push(("team_id", t.clone()));
        }
        if let Some(i) = &self.settings.integration_id {
            filters.push(("integration_id", i.clone()));
        }
        filters.extend(self.settings.labels.iter().map(|l| ("label", l.clone())));
        let too_many = "open alert groups: narrow team_id, integration_id or labels, or raise \
                        max_alert_groups";
        let mut groups: Vec<wire::AlertGroup> = Vec::new();
        let mut seen = HashSet::new();
        let now = self.clock.now();
        let resolved = self.resolved_window.map(|w| {
            let from = now - TimeDelta::from_std(w).unwrap_or(TimeDelta::days(1));
            let at = |t: DateTime<Utc>| t.format("%Y-%m-%dT%H:%M:%S").to_string();
            ("resolved", Some(format!("{}_{}", at(from), at(now))))
        });
        let states = OPEN_STATES.map(|s| (s, None)).into_iter().chain(resolved);
        for (state, started) in states {
            let mut q = filters.clone();
            q.push(("state", state.to_string()));
            // Resolved groups: those that started within the window.
            q.extend(started.map(|s| ("started_at", s)));
            // A group that moved between two states' requests is listed once.
            for g in self
                .all::<wire::AlertGroup>("/alert_groups/", &q, cap, too_many)
                .await?
            {
                if seen.insert(g.id.clone()) {
                    groups.push(g);
                }
            }
            if groups.len() > cap {
                return Err(Error::Rejected(format!("more than {cap} {too_many}")));
            }
        }
        Ok(groups)
    }

    /// Reads user names now and then; a key that may not read users keeps showing ids. A
    /// 429 is the whole key's: the poll waits for it.
    async fn refresh_users(&mut self, now: DateTime<Utc>) -> Result<(), Error> {
        if self.users_at.is_some_and(|at| now - at < USERS_EVERY) {
            return Ok(());
        }
        match self
            .all::<wire::User>("/users/", &[], MAX_USERS, "users")
            .await
        {
            Ok(users) => {
                self.users = users.into_iter().map(|u| (u.id, u.username)).collect();
            }
            Err(e @ Error::RateLimited(_)) => return Err(e),
            Err(e) => tracing::info!(source = %self.id, error = %e, "users not read: ids shown"),
        }
        self.users_at = Some(now);
        Ok(())
    }

    /// Reads the escalation chains, their steps, the routes and the schedules with who is
    /// on call (now and next) every few minutes; a failure keeps the last ones (a key that
    /// may not read them shows none).
    async fn refresh_policies(&mut self, now: DateTime<Utc>) -> Result<(), Error> {
        if self.policies_at.is_some_and(|at| now - at < POLICIES_EVERY) {
            return Ok(());
        }
        match self.read_policies(now).await {
            Ok((policies, chains)) => {
                self.policies = policies;
                self.chains = chains;
            }
            Err(e @ Error::RateLimited(_)) => return Err(e),
            Err(e) => tracing::info!(source = %self.id, error = %e, "escalation not read"),
        }
        self.policies_at = Some(now);
        Ok(())
    }

    async fn read_policies(
        &mut self,
        now: DateTime<Utc>,
    ) -> Result<(Vec<EscalationPolicy>, HashMap<String, String>), Error> {
        let cap = 5_000;
        let chains: Vec<wire::Chain> = self.all("/escalation_chains/", &[], cap, "chains").await?;
        let steps: Vec<wire::Step> = self.all("/escalation_policies/", &[], cap, "steps").await?;
        let routes: Vec<wire::Route> = self.all("/routes/", &[], cap, "routes").await?;
        let schedules: Vec<wire::Schedule> = self.all("/schedules/", &[], cap, "schedules").await?;
        let paged: HashSet<&str> = steps
            .iter()
            .filter_map(|s| s.notify_on_call_from_schedule.as_deref())
            .collect();
        let day = |t: DateTime<Utc>| t.format("%Y-%m-%d").to_string();
        let window = [
            ("start_date", day(now)),
            ("end_date", day(now + SHIFTS_AHEAD)),
        ];
        let mut read = Vec::new();
        for schedule in schedules {
            let shifts = if paged.contains(schedule.id.as_str()) && read.len() < MAX_SCHEDULES {
                let path = format!(
                    "/schedules/{}/final_shifts",
                    crate::sources::http::path_segment(&schedule.id)
                );
                self.all(&path, &window, 10_000, "shifts").await?
            } else {
                Vec::new()
            };
            read.push(escalation::ScheduleNow { schedule, shifts });
        }
        let names: HashMap<&str, &str> = chains
            .iter()
            .map(|c| (c.id.as_str(), c.name.as_str()))
            .collect();
        let by_route = routes
            .iter()
            .filter_map(|r| {
                let chain = names.get(r.escalation_chain_id.as_deref()?)?;
                Some((r.id.clone(), crate::model::sanitize::line(chain, 256)))
            })
            .collect();
        let policies = escalation::policies(&chains, &steps, &read, &self.users, now);
        Ok((policies, by_route))
    }

    async fn notes_of(&mut self, group: &str) -> Result<Vec<wire::ResolutionNote>, Error> {
        let q = [("alert_group_id", group.to_string())];
        self.all("/resolution_notes/", &q, 1_000, "notes").await
    }

    /// The group's state as OnCall has it now.
    async fn state_of(&mut self, group: &str) -> Result<Status, Error> {
        let http = self.http().await?;
        let path = format!(
            "/alert_groups/{}",
            crate::sources::http::path_segment(group)
        );
        let g: wire::AlertGroup = http.json(http.request(Method::GET, &path)).await?;
        Ok(map::status(&g.state))
    }

    /// `POST /alert_groups/{id}/{action}`; a refusal of a group already as `wanted` (a
    /// re-send after a lost answer) is done.
    async fn act(
        &mut self,
        group: &str,
        action: &str,
        body: Option<serde_json::Value>,
        wanted: Status,
    ) -> Result<(), Error> {
        if self.is_service_account {
            return Err(Error::Rejected(SERVICE_ACCOUNT.into()));
        }
        let http = self.http().await?;
        let path = format!(
            "/alert_groups/{}/{action}",
            crate::sources::http::path_segment(group)
        );
        let mut req = http.request(Method::POST, &path);
        if let Some(body) = body {
            req = req.json(&body);
        }
        match http.body(req).await {
            Ok(_) => Ok(()),
            Err(e) => match refusal(&e) {
                Some(_) if is_service_account(&e) => {
                    self.is_service_account = true;
                    Err(Error::Rejected(SERVICE_ACCOUNT.into()))
                }
                Some(said) => match self.state_of(group).await {
                    Ok(now) if now == wanted => Ok(()),
                    _ => Err(Error::Rejected(format!("Grafana OnCall said no: {said}"))),
                },
                None => Err(e),
            },
        }
    }

    /// A resolution note, unless the group has one with this text already (a re-send).
    async fn note(&mut self, group: &str, text: &str) -> Result<(), Error> {
        if self.notes_of(group).await?.iter().any(|n| n.text == text) {
            return Ok(());
        }
        let http = self.http().await?;
        let body = serde_json::json!({ "alert_group_id": group, "text": text });
        let req = http.request(Method::POST, "/resolution_notes/").json(&body);
        match http.body(req).await {
            Ok(_) => Ok(()),
            Err(e) if is_service_account(&e) => Err(Error::Rejected(SERVICE_ACCOUNT.into())),
            Err(e) => match refusal(&e) {
                Some(said) => Err(Error::Rejected(format!("Grafana OnCall said no: {said}"))),
                None => Err(e),
            },
        }
    }

    fn group_id<'k>(&self, key: &'k AlertKey) -> Result<&'k str, Error> {
        key.id_in(&self.id)
            .ok_or_else(|| Error::Rejected(format!("{key} is not an alert group of {}", self.id)))
    }
}

/// What OnCall said when it refused (400 or 403 with `{"detail": …}`), in its words.
fn refusal(e: &Error) -> Option<String> {
    let said = match e {
        Error::Http {
            status: 400,
            message,
        } => message,
        Error::Auth(message) => message,
        _ => return None,
    };
    let body = said.find('{').map_or(said.as_str(), |i| &said[i..]);
    let detail = serde_json::from_str::<serde_json::Value>(body.trim_end_matches(')'))
        .ok()
        .and_then(|v| v.get("detail").and_then(|d| d.as_str()).map(str::to_string));
    Some(detail.unwrap_or_else(|| said.clone()))
}

fn is_service_account(e: &Error) -> bool {
    matches!(e, Error::Auth(m) if m.contains("Service accounts are not allowed"))
}

/// The source `config` describes; the problems of its keys if bad.
impl FromConfig for GrafanaOnCallSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(GrafanaOnCallSource {
            id: SourceId(config.name.as_str().into()),
            config,
            settings,
            timeout,
            clock,
            http: None,
            notes: NotesCache::new(TimeDelta::minutes(2), 5),
            users: HashMap::new(),
            users_at: None,
            resolved_window: None,
            is_service_account: false,
            policies: Vec::new(),
            chains: HashMap::new(),
            policies_at: None,
        })
    }
}

impl Source for GrafanaOnCallSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    fn show_resolved(&mut self, window: Option<Duration>) {
        self.resolved_window = window;
    }

    fn capabilities_now(&self) -> Option<Capabilities> {
        self.is_service_account
            .then_some(SERVICE_ACCOUNT_CAPABILITIES)
    }

    /// The key's owner (`GET /users/current/`); a service account's key is nobody's.
    async fn whoami(&mut self) -> Result<Option<crate::sources::identity::Identity>, Error> {
        let http = self.http().await?;
        let req = http.request(Method::GET, "/users/current/");
        match http.json::<wire::User>(req).await {
            Ok(me) => Ok(crate::sources::identity::Identity::new(
                &me.username,
                me.email.as_deref(),
                None,
            )),
            Err(
                Error::Http {
                    status: 403 | 404, ..
                }
                | Error::Auth(_),
            ) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let now = self.clock.now();
        // A service account's token says so by its prefix: its actions are not offered.
        let is_service_account = self.http().await?.token_starts_with("glsa_");
        self.is_service_account |= is_service_account;
        self.refresh_users(now).await?;
        self.refresh_policies(now).await?;
        let groups = self.open_groups().await?;
        let ids: Vec<&str> = groups.iter().map(|g| g.id.as_str()).collect();
        for id in self.notes.due(&ids, now) {
            match self.notes_of(&id).await {
                Ok(notes) => {
                    let notes = notes.iter().map(|n| map::note(n, &self.users)).collect();
                    self.notes.keep(id, now, notes);
                }
                // Notes wait for the next poll; the groups are shown anyway.
                Err(e) => tracing::info!(source = %self.id, error = %e, "notes not read"),
            }
        }
        let names = (&self.users, &self.chains);
        let alerts = groups
            .iter()
            .map(|g| map::alert(g, &self.id, self.notes.of(&g.id), names, now))
            .collect();
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            escalation: self.policies.clone(),
            ..Snapshot::default()
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        let group = self.group_id(key)?.to_string();
        match op {
            Operation::Acknowledge => self.act(&group, "acknowledge", None, Status::Acked).await,
            Operation::Unacknowledge => {
                self.act(&group, "unacknowledge", None, Status::Firing)
                    .await
            }
            Operation::Resolve => self.act(&group, "resolve", None, Status::Resolved).await,
            Operation::Unresolve => self.act(&group, "unresolve", None, Status::Firing).await,
            Operation::Silence { duration, .. } => {
                let delay = serde_json::json!({ "delay": duration.as_secs().max(60) });
                self.act(&group, "silence", Some(delay), Status::Silenced)
                    .await
            }
            Operation::AddNote { text } => self.note(&group, text).await,
            Operation::Reassign { .. } => Err(CAPABILITIES.reassign.refusal()),
            Operation::AddResponder { .. } => Err(CAPABILITIES.responders.refusal()),
            Operation::Escalate { .. } => Err(Error::Rejected(
                "Grafana OnCall escalates by its own chains".into(),
            )),
            Operation::CreateSilence { .. } | Operation::ExpireSilence { .. } => Err(
                Error::Rejected("Grafana OnCall silences alert groups one by one: s".into()),
            ),
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
                Err(super::keeps_no_incidents(&self.id))
            }
        }
    }
}
