//! PagerDuty's endpoints: the version-selecting `Accept` header, `From` on every write,
//! offset pagination followed to the end (never silently cut), and one request in flight
//! per token (PagerDuty's limits are per token, shared by every source using it).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap, HeaderValue};
use reqwest::{Method, RequestBuilder};
use serde::de::DeserializeOwned;

use super::config::Settings;
use super::wire;
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, path_segment};

/// The API host of US accounts.
pub const US_API: &str = "https://api.pagerduty.com";
/// The API host of EU accounts.
pub const EU_API: &str = "https://api.eu.pagerduty.com";
/// Items per page (PagerDuty's most on `/incidents`).
const PAGE: usize = 100;
/// PagerDuty refuses `offset + limit` above this (code 2002).
const MAX_OFFSET: usize = 10_000;

/// PagerDuty's most incidents in one `PUT /incidents` (more are refused with 413).
pub const MOST_PER_PUT: usize = 250;

/// Who a reassignment hands the incident to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Target {
    /// A user, by id.
    User(String),
    /// An escalation policy, by id.
    Policy(String),
}

/// A client for one PagerDuty account.
pub struct Client {
    http: Http,
    /// Held for each request: one in flight per token.
    gate: Arc<tokio::sync::Mutex<()>>,
}

/// One gate per token, shared by every source that uses it.
static GATES: LazyLock<Mutex<HashMap<u64, Arc<tokio::sync::Mutex<()>>>>> =
    LazyLock::new(Default::default);

impl Client {
    /// Builds the client for `cfg` with its `settings`.
    pub async fn new(
        cfg: &SourceConfig,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Client, Error> {
        let base = settings.region.base(cfg.url.as_deref(), US_API, EU_API);
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.pagerduty+json;version=2"),
        );
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        let http = Http::new(
            cfg,
            &base,
            timeout,
            Scheme::Prefixed("Token token="),
            headers,
        )
        .await?;
        let gate = {
            let mut gates = GATES.lock().unwrap_or_else(|e| e.into_inner());
            gates.entry(http.token_key()).or_default().clone()
        };
        Ok(Client { http, gate })
    }

    async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        req: RequestBuilder,
    ) -> Result<T, Error> {
        let _one_at_a_time = self.gate.lock().await;
        self.http.json(req).await
    }

    async fn send(&self, req: RequestBuilder) -> Result<(), Error> {
        let _one_at_a_time = self.gate.lock().await;
        self.http.body(req).await.map(drop)
    }

    /// Every page of a list, following `more`. Refuses, rather than cuts, a list longer
    /// than PagerDuty lets an offset reach. Offsets over a list that changes meanwhile can
    /// show an item twice: it is kept once; a page with nothing new ends the walk (a
    /// server that keeps saying `more` would otherwise be followed to the offset limit).
    async fn all_pages<T: DeserializeOwned + Keyed + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, String)],
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut offset = 0;
        loop {
            let req = self
                .http
                .request(Method::GET, path)
                .query(query)
                .query(&[("limit", PAGE), ("offset", offset)]);
            let page: wire::Page<T> = self.json(req).await?;
            let got = page.items.len();
            let before = out.len();
            out.extend(page.items.into_iter().filter(|i| seen.insert(i.key())));
            if page.more != Some(true) || out.len() == before {
                if got > 0 && out.len() == before {
                    tracing::warn!(path, offset, "a page repeated what was seen; list ends");
                }
                return Ok(out);
            }
            offset += got;
            if offset + PAGE > MAX_OFFSET {
                return Err(Error::Rejected(format!(
                    "{path}: more than {MAX_OFFSET} match, which PagerDuty cannot page \
                     through; narrow it with team_ids, service_ids or user_ids"
                )));
            }
        }
    }

    /// Open incidents (triggered and acknowledged) however old, filtered; with `resolved`,
    /// also those created in that window that are resolved now.
    pub async fn incidents(
        &self,
        services: &[String],
        teams: &[String],
        users: &[String],
        resolved: Option<(DateTime<Utc>, DateTime<Utc>)>,
    ) -> Result<Vec<wire::Incident>, Error> {
        let mut filters: Vec<(&str, String)> = vec![
            ("time_zone", "UTC".into()),
            ("sort_by", "created_at:desc".into()),
            ("include[]", "priorities".into()),
        ];
        filters.extend(services.iter().map(|s| ("service_ids[]", s.clone())));
        filters.extend(teams.iter().map(|t| ("team_ids[]", t.clone())));
        filters.extend(users.iter().map(|u| ("user_ids[]", u.clone())));
        // Without a date range PagerDuty lists the last month only: an incident open for
        // longer would silently drop out.
        let mut open = filters.clone();
        open.extend([
            ("statuses[]", "triggered".to_string()),
            ("statuses[]", "acknowledged".to_string()),
            ("date_range", "all".to_string()),
        ]);
        let mut incidents = self.all_pages("/incidents", &open).await?;
        if let Some((since, until)) = resolved {
            let mut done = filters;
            done.extend([
                ("statuses[]", "resolved".to_string()),
                ("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)),
                ("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ]);
            let resolved: Vec<wire::Incident> = self.all_pages("/incidents", &done).await?;
            incidents.extend(
                resolved
                    .into_iter()
                    .filter(|r| r.status == wire::IncidentStatus::Resolved),
            );
        }
        Ok(incidents)
    }

    /// One incident as it is now.
    pub async fn incident(&self, id: &str) -> Result<wire::Incident, Error> {
        let req = self
            .http
            .request(Method::GET, &format!("/incidents/{}", path_segment(id)));
        let one: wire::OneIncident = self.json(req).await?;
        Ok(one.incident)
    }

    /// Escalation policies with their targets, of `teams` (all when empty).
    pub async fn escalation_policies(
        &self,
        teams: &[String],
    ) -> Result<Vec<wire::EscalationPolicy>, Error> {
        let mut query: Vec<(&str, String)> = vec![("include[]", "targets".into())];
        query.extend(teams.iter().map(|t| ("team_ids[]", t.clone())));
        self.all_pages("/escalation_policies", &query).await
    }

    /// Every on-call entry of `policies` between `since` and `until` (now and next).
    pub async fn oncalls(
        &self,
        policies: &[String],
        since: DateTime<Utc>,
        until: DateTime<Utc>,
    ) -> Result<Vec<wire::OnCall>, Error> {
        if policies.is_empty() {
            return Ok(Vec::new());
        }
        let mut query: Vec<(&str, String)> = vec![
            ("time_zone", "UTC".into()),
            ("since", since.to_rfc3339_opts(SecondsFormat::Secs, true)),
            ("until", until.to_rfc3339_opts(SecondsFormat::Secs, true)),
        ];
        query.extend(
            policies
                .iter()
                .map(|p| ("escalation_policy_ids[]", p.clone())),
        );
        self.all_pages("/oncalls", &query).await
    }

    /// The notes of an incident (not paginated).
    pub async fn notes(&self, id: &str) -> Result<Vec<wire::IncidentNote>, Error> {
        let path = format!("/incidents/{}/notes", path_segment(id));
        let notes: wire::Notes = self.json(self.http.request(Method::GET, &path)).await?;
        Ok(notes.notes)
    }

    /// The overview log entries of an incident (triggers, acks, escalations, assignments…).
    pub async fn log_entries(&self, id: &str) -> Result<Vec<wire::LogEntry>, Error> {
        let path = format!("/incidents/{}/log_entries", path_segment(id));
        let query = [
            ("is_overview", "true".to_string()),
            ("time_zone", "UTC".to_string()),
        ];
        self.all_pages(&path, &query).await
    }

    /// The alerts grouped into an incident.
    pub async fn incident_alerts(&self, id: &str) -> Result<Vec<wire::IncidentAlert>, Error> {
        let path = format!("/incidents/{}/alerts", path_segment(id));
        self.all_pages(&path, &[]).await
    }

    /// The token's own user (`GET /users/me`, user tokens only).
    pub async fn me(&self) -> Result<wire::Reference, Error> {
        let me: wire::Me = self
            .json(self.http.request(Method::GET, "/users/me"))
            .await?;
        Ok(me.user)
    }

    /// The id of the user called `who` (an id, a name or an email).
    pub async fn user_id(&self, who: &str) -> Result<String, Error> {
        let req = self
            .http
            .request(Method::GET, "/users")
            .query(&[("query", who), ("limit", "25")]);
        let page: wire::Page<wire::Reference> = self.json(req).await?;
        let wanted = |u: &&wire::Reference| {
            u.id == who
                || u.name
                    .as_deref()
                    .is_some_and(|n| n.eq_ignore_ascii_case(who))
                || u.email
                    .as_deref()
                    .is_some_and(|e| e.eq_ignore_ascii_case(who))
                || u.summary
                    .as_deref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(who))
        };
        match page.items.iter().find(wanted) {
            Some(u) => Ok(u.id.clone()),
            None if looks_like_an_id(who) => Ok(who.to_string()),
            None => Err(Error::Rejected(format!("no PagerDuty user '{who}'"))),
        }
    }

    fn post(&self, path: &str, body: &impl serde::Serialize, from: &str) -> RequestBuilder {
        self.http
            .request(Method::POST, path)
            .header("From", from)
            .json(body)
    }

    fn put_incident(&self, id: &str, change: wire::IncidentChange, from: &str) -> RequestBuilder {
        self.http
            .request(Method::PUT, &format!("/incidents/{}", path_segment(id)))
            .header("From", from)
            .json(&wire::IncidentUpdate { incident: change })
    }

    /// Acknowledges or resolves.
    pub async fn set_status(
        &self,
        id: &str,
        status: &'static str,
        from: &str,
    ) -> Result<(), Error> {
        self.send(self.put_incident(id, status_change(status), from))
            .await
    }

    /// Pages `level` (1-based) of the incident's policy.
    pub async fn escalate(&self, id: &str, level: u32, from: &str) -> Result<(), Error> {
        let change = wire::IncidentChange {
            escalation_level: Some(level),
            ..Default::default()
        };
        self.send(self.put_incident(id, change, from)).await
    }

    /// Hands the incident to a user or a policy.
    pub async fn reassign(&self, id: &str, to: &Target, from: &str) -> Result<(), Error> {
        self.send(self.put_incident(id, reassign_change(to), from))
            .await
    }

    /// Changes up to `MOST_PER_PUT` incidents in one `PUT /incidents`, each change naming
    /// its incident. PagerDuty answers 200 only when every one took.
    pub async fn update_incidents(
        &self,
        changes: &[wire::IncidentChange],
        from: &str,
    ) -> Result<(), Error> {
        if changes.len() > MOST_PER_PUT {
            return Err(Error::Rejected(format!(
                "{} incidents in one request; PagerDuty takes at most {MOST_PER_PUT}",
                changes.len()
            )));
        }
        let req = self
            .http
            .request(Method::PUT, "/incidents")
            .header("From", from)
            .json(&wire::IncidentsUpdate { incidents: changes });
        self.send(req).await
    }

    /// Snoozes an acknowledged incident (1 s to 7 days).
    pub async fn snooze(&self, id: &str, duration: Duration, from: &str) -> Result<(), Error> {
        let path = format!("/incidents/{}/snooze", path_segment(id));
        let body = wire::Snooze {
            duration: duration.as_secs().clamp(1, 604_800),
        };
        self.send(self.post(&path, &body, from)).await
    }

    /// The analytics of the incidents created in `[since, until)` of `teams` (all when
    /// empty): aggregated `over` `all` or per `services`.
    pub async fn analytics_metrics(
        &self,
        over: &str,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        teams: &[String],
    ) -> Result<Vec<wire::AnalyticsMetrics>, Error> {
        let query = wire::AnalyticsQuery {
            filters: analytics_filters(since, until, teams),
            time_zone: "Etc/UTC",
        };
        let path = format!("/analytics/metrics/incidents/{}", path_segment(over));
        let req = self.http.request(Method::POST, &path).json(&query);
        let answer: wire::AnalyticsAnswer<wire::AnalyticsMetrics> = self.json(req).await?;
        Ok(answer.data)
    }

    /// The `limit` slowest incidents to resolve created in `[since, until)`.
    pub async fn analytics_slowest(
        &self,
        since: DateTime<Utc>,
        until: DateTime<Utc>,
        teams: &[String],
        limit: u32,
    ) -> Result<Vec<wire::AnalyticsIncident>, Error> {
        let query = wire::AnalyticsRawQuery {
            filters: analytics_filters(since, until, teams),
            order_by: "seconds_to_resolve",
            order: "desc",
            limit: limit.clamp(1, 1000),
            time_zone: "Etc/UTC",
        };
        let req = self
            .http
            .request(Method::POST, "/analytics/raw/incidents")
            .json(&query);
        let answer: wire::AnalyticsAnswer<wire::AnalyticsIncident> = self.json(req).await?;
        Ok(answer.data)
    }

    /// Adds a note unless the incident already has one with this text (a re-send).
    pub async fn add_note_once(&self, id: &str, text: &str, from: &str) -> Result<(), Error> {
        if self.notes(id).await?.iter().any(|n| n.content == text) {
            return Ok(());
        }
        let path = format!("/incidents/{}/notes", path_segment(id));
        let body = wire::NewNote {
            note: wire::NoteContent { content: text },
        };
        self.send(self.post(&path, &body, from)).await
    }
}

fn analytics_filters(
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    teams: &[String],
) -> wire::AnalyticsFilters {
    wire::AnalyticsFilters {
        created_at_start: since.to_rfc3339_opts(SecondsFormat::Secs, true),
        created_at_end: until.to_rfc3339_opts(SecondsFormat::Secs, true),
        team_ids: teams.to_vec(),
    }
}

/// The change that acknowledges or resolves.
pub fn status_change(status: &'static str) -> wire::IncidentChange {
    wire::IncidentChange {
        status: Some(status),
        ..Default::default()
    }
}

/// The change that hands an incident to `to`.
pub fn reassign_change(to: &Target) -> wire::IncidentChange {
    let mut change = wire::IncidentChange::default();
    match to {
        Target::User(id) => {
            change.assignments = Some(vec![wire::AssigneeRef {
                assignee: wire::TypedRef {
                    id: id.clone(),
                    kind: "user_reference",
                },
            }]);
        }
        Target::Policy(id) => {
            change.escalation_policy = Some(wire::TypedRef {
                id: id.clone(),
                kind: "escalation_policy_reference",
            });
        }
    }
    change
}

/// Whether `incident` is already with `to`.
pub fn is_with(incident: &wire::Incident, to: &Target) -> bool {
    match to {
        Target::Policy(p) => incident
            .escalation_policy
            .as_ref()
            .is_some_and(|r| &r.id == p),
        Target::User(u) => incident.assignments.iter().any(|a| &a.assignee.id == u),
    }
}

/// What tells two items of a list apart.
pub trait Keyed {
    /// The item's identity.
    fn key(&self) -> String;
}

impl Keyed for wire::Incident {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for wire::EscalationPolicy {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for wire::LogEntry {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for wire::IncidentAlert {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for wire::Reference {
    fn key(&self) -> String {
        self.id.clone()
    }
}

impl Keyed for wire::OnCall {
    fn key(&self) -> String {
        format!(
            "{}/{:?}/{}/{:?}",
            self.escalation_policy.id, self.escalation_level, self.user.id, self.start
        )
    }
}

/// PagerDuty ids are short upper-case alphanumerics (`PXPGF42`).
fn looks_like_an_id(s: &str) -> bool {
    (5..=20).contains(&s.len())
        && s.starts_with('P')
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}
