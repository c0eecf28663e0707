//! `SplunkOnCallSource`: Splunk On-Call (VictorOps) incidents — open, acknowledged and
//! recently resolved — as alerts, who is on call now as policies, and what a responder does
//! to incidents: acknowledge, resolve (several in one request, as the API takes a list) and
//! reroute to a user or a policy, each as the configured `user`. A refusal of an incident
//! already as asked (a re-send after a lost answer) is done, not refused.

mod config;
mod map;
mod wire;

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::Method;
use reqwest::header::{HeaderName, HeaderValue};

use super::{BatchItem, Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, EscalationPolicy, SourceId, Status};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers, path_segment};
use crate::sources::pace::Pace;
use crate::sources::{Can, Capabilities};
pub use config::{DEFAULT_URL, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("splunk_oncall");

/// What Splunk On-Call does: acknowledge, resolve, reroute; notes stay in the journal (the
/// public API this is built on has no incident notes).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    resolve: Can::Yes,
    reassign: Can::Yes,
    snooze: Can::No("Splunk On-Call has no snooze; acknowledge, or reroute"),
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<SplunkOnCallSource>,
);

/// Who is on call is read again after this long.
const ONCALL_EVERY: TimeDelta = TimeDelta::minutes(5);
/// Most teams whose rota is read (one request each, 60 a minute allowed).
const MAX_TEAMS: usize = 20;

/// One Splunk On-Call organisation.
pub struct SplunkOnCallSource {
    id: SourceId,
    config: SourceConfig,
    user: String,
    api_id: String,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
    /// Whether `user` was found in the organisation (asked once).
    is_user_known: bool,
    policies: Vec<EscalationPolicy>,
    policies_at: Option<DateTime<Utc>>,
}

/// Requests a minute the API allows (each endpoint of its description says 60).
const RATE_PER_MINUTE: u32 = 60;

impl SplunkOnCallSource {
    async fn http(&mut self) -> Result<&Http, Error> {
        let base = self.config.base_url(DEFAULT_URL);
        let mut headers = json_headers();
        let id = HeaderValue::from_str(&self.api_id)
            .map_err(|_| Error::Rejected("api_id is no header value".into()))?;
        headers.insert(HeaderName::from_static("x-vo-api-id"), id);
        let build = Http::new(
            &self.config,
            &base,
            self.timeout,
            Scheme::Header("X-VO-Api-Key".into()),
            headers,
        );
        // The API allows 60 calls a minute per endpoint: the whole source keeps to that,
        // ten at once at most (a poll of a few teams goes at once, a bulk waits its turn).
        let build = async { Ok(build.await?.paced(Pace::per_minute(RATE_PER_MINUTE, 10))) };
        super::built(&mut self.http, build).await
    }

    /// That `user` is a member of the organisation: actions are made as them.
    async fn check_user(&mut self) -> Result<(), Error> {
        if self.is_user_known {
            return Ok(());
        }
        let path = format!("/api-public/v1/user/{}", path_segment(&self.user));
        let http = self.http().await?;
        match http.body(http.request(Method::GET, &path)).await {
            Ok(_) => {
                self.is_user_known = true;
                Ok(())
            }
            Err(Error::Http { status: 404, .. }) => Err(Error::Rejected(format!(
                "user '{}' is not a member of this Splunk On-Call organisation (key `user`)",
                self.user
            ))),
            Err(e) => Err(e),
        }
    }

    async fn incidents(&mut self) -> Result<Vec<wire::Incident>, Error> {
        let http = self.http().await?;
        let req = http.request(Method::GET, "/api-public/v1/incidents");
        let answer: wire::Incidents = http.json(req).await?;
        Ok(answer.incidents)
    }

    /// Who is on call now, every few minutes; a failure keeps the last (a 429 waits).
    async fn refresh_policies(&mut self, now: DateTime<Utc>) -> Result<(), Error> {
        if self.policies_at.is_some_and(|at| now - at < ONCALL_EVERY) {
            return Ok(());
        }
        match self.read_policies(now).await {
            Ok(policies) => self.policies = policies,
            Err(e @ Error::RateLimited(_)) => return Err(e),
            Err(e) => tracing::info!(source = %self.id, error = %e, "on call not read"),
        }
        self.policies_at = Some(now);
        Ok(())
    }

    /// Who is on call now, and each team's rota of the coming week (until when, who next).
    async fn read_policies(&mut self, now: DateTime<Utc>) -> Result<Vec<EscalationPolicy>, Error> {
        let http = self.http().await?;
        let req = http.request(Method::GET, "/api-public/v1/oncall/current");
        let current: wire::OnCallCurrent = http.json(req).await?;
        let mut rotas = Vec::new();
        let teams = current.teams_on_call.iter().map(|t| &t.team.slug);
        for slug in teams.filter(|s| !s.is_empty()).take(MAX_TEAMS) {
            let path = format!("/api-public/v2/team/{}/oncall/schedule", path_segment(slug));
            let req = http
                .request(Method::GET, &path)
                .query(&[("daysForward", "7")]);
            let schedule: wire::TeamSchedule = http.json(req).await?;
            rotas.extend(schedule.schedules);
        }
        Ok(map::policies(&current, &rotas, now))
    }

    fn incident_number<'k>(&self, key: &'k AlertKey) -> Result<&'k str, Error> {
        key.id_in(&self.id)
            .ok_or_else(|| Error::Rejected(format!("{key} is no incident of {}", self.id)))
    }

    /// Acknowledges or resolves `numbers` in one request; each number's outcome. One
    /// refused because it is already as asked (a re-send) is done.
    async fn ack_or_resolve(
        &mut self,
        numbers: &[&str],
        wanted: Status,
    ) -> Result<Vec<Result<(), Error>>, Error> {
        self.check_user().await?;
        let verb = if wanted == Status::Acked {
            "ack"
        } else {
            "resolve"
        };
        let user = self.user.clone();
        let body = wire::AckOrResolve {
            user_name: &user,
            incident_names: numbers.to_vec(),
            message: "from onduty",
        };
        let http = self.http().await?;
        let path = format!("/api-public/v1/incidents/{verb}");
        let req = http.request(Method::PATCH, &path).json(&body);
        let answer: wire::AckOrResolveResults = http.json(req).await?;
        let refused: Vec<&wire::AckOrResolveResult> =
            answer.results.iter().filter(|r| !r.cmd_accepted).collect();
        // Refused ones are looked at as they are now: already so is done.
        let now_as: Vec<(String, Status)> = if refused.is_empty() {
            Vec::new()
        } else {
            self.incidents()
                .await?
                .iter()
                .map(|i| (i.incident_number.clone(), map::status(&i.current_phase)))
                .collect()
        };
        let is_already = |n: &str| {
            now_as.iter().any(|(m, s)| {
                m == n && (*s == wanted || (wanted == Status::Acked && *s == Status::Resolved))
            })
        };
        Ok(numbers
            .iter()
            .map(|n| match refused.iter().find(|r| r.incident_number == *n) {
                None => Ok(()),
                Some(_) if is_already(n) => Ok(()),
                Some(r) => Err(Error::Rejected(format!(
                    "Splunk On-Call said no: {}",
                    r.message.as_deref().unwrap_or("refused")
                ))),
            })
            .collect())
    }

    /// Reroutes incident `number` to `to`: `policy:SLUG`, or a user name (`user:NAME`).
    async fn reroute(&mut self, number: &str, to: &str) -> Result<(), Error> {
        self.check_user().await?;
        let (kind, slug) = match to.split_once(':') {
            Some(("policy" | "escalation", slug)) => ("EscalationPolicy", slug),
            Some(("user", name)) => ("User", name),
            _ => ("User", to),
        };
        let user = self.user.clone();
        let body = wire::Reroutes {
            user_name: &user,
            reroutes: vec![wire::Reroute {
                incident_number: number,
                targets: vec![wire::Target { kind, slug }],
            }],
        };
        let http = self.http().await?;
        let req = http
            .request(Method::POST, "/api-public/v1/incidents/reroute")
            .json(&body);
        let answer: wire::RerouteStatuses = http.json(req).await?;
        match answer.statuses.iter().find(|s| !s.success) {
            None => Ok(()),
            Some(s) => Err(Error::Rejected(format!(
                "Splunk On-Call said no: {}",
                s.message.as_deref().unwrap_or("reroute refused")
            ))),
        }
    }
}

/// The source `config` describes; the problems of its keys if bad.
impl FromConfig for SplunkOnCallSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(SplunkOnCallSource {
            id: SourceId(config.name.as_str().into()),
            user: settings.user.unwrap_or_default(),
            api_id: settings.api_id.unwrap_or_default(),
            config,
            timeout,
            clock,
            http: None,
            is_user_known: false,
            policies: Vec::new(),
            policies_at: None,
        })
    }
}

impl Source for SplunkOnCallSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let now = self.clock.now();
        self.check_user().await?;
        self.refresh_policies(now).await?;
        let incidents = self.incidents().await?;
        let alerts = incidents
            .iter()
            .filter(|i| !i.incident_number.is_empty())
            .map(|i| map::alert(i, &self.id, now))
            .collect();
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            escalation: self.policies.clone(),
            ..Snapshot::default()
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        let number = self.incident_number(key)?.to_string();
        match op {
            Operation::Acknowledge | Operation::Resolve => {
                let wanted = match op {
                    Operation::Acknowledge => Status::Acked,
                    _ => Status::Resolved,
                };
                let mut outcomes = self.ack_or_resolve(&[&number], wanted).await?;
                outcomes.pop().unwrap_or(Ok(()))
            }
            Operation::Reassign { to } => self.reroute(&number, to).await,
            Operation::Silence { .. } => Err(CAPABILITIES.snooze.refusal()),
            Operation::AddNote { .. } => Err(Error::Rejected(
                "Splunk On-Call's public API takes no incident notes; the note is in the journal"
                    .into(),
            )),
            Operation::Unacknowledge => Err(CAPABILITIES.unacknowledge.refusal()),
            Operation::Unresolve => Err(CAPABILITIES.unresolve.refusal()),
            Operation::AddResponder { .. } => Err(CAPABILITIES.responders.refusal()),
            Operation::Escalate { .. } => Err(Error::Rejected(
                "Splunk On-Call escalates by its policies; reroute instead".into(),
            )),
            Operation::CreateSilence { .. } | Operation::ExpireSilence { .. } => {
                Err(Error::Rejected("Splunk On-Call has no silences".into()))
            }
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
                Err(super::keeps_no_incidents(&self.id))
            }
        }
    }

    /// Acknowledges (and resolves) a bulk's incidents in one request each — the API takes a
    /// list, and a 60-a-minute limit would not take one request per incident; the rest one
    /// by one.
    async fn perform_batch(
        &mut self,
        items: &[BatchItem],
        per_item: Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        for wanted in [Status::Acked, Status::Resolved] {
            let op = if wanted == Status::Acked {
                Operation::Acknowledge
            } else {
                Operation::Resolve
            };
            let mine: Vec<(usize, String)> = items
                .iter()
                .enumerate()
                .filter(|(_, it)| it.op == op)
                .filter_map(|(i, it)| Some((i, self.incident_number(&it.key).ok()?.to_string())))
                .collect();
            if mine.is_empty() {
                continue;
            }
            let numbers: Vec<&str> = mine.iter().map(|(_, n)| n.as_str()).collect();
            let limit = per_item.saturating_mul(u32::try_from(numbers.len()).unwrap_or(u32::MAX));
            match super::within(limit, self.ack_or_resolve(&numbers, wanted)).await {
                Ok(outcomes) => {
                    for ((i, _), outcome) in mine.iter().zip(outcomes) {
                        let _ = done.send((*i, outcome));
                    }
                }
                Err(e) => {
                    for (i, _) in &mine {
                        let _ = done.send((*i, Err(e.clone())));
                    }
                }
            }
        }
        for (i, item) in items.iter().enumerate() {
            if matches!(item.op, Operation::Acknowledge | Operation::Resolve)
                && self.incident_number(&item.key).is_ok()
            {
                continue;
            }
            let result =
                super::within(per_item, self.perform(&item.key, &item.op, &item.author)).await;
            let _ = done.send((i, result));
        }
    }
}
