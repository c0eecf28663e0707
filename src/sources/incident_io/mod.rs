//! `IncidentIoSource`: incident.io's firing alerts (API v2, cursor paging to the end) in the
//! alert list and its live incidents in the incidents view, with their roles and updates;
//! resolving an alert, changing an incident's status, severity or roles, and declaring one,
//! all through the outbox. Requests keep to the API's 1,200 a minute.

mod catalog;
mod config;
mod incidents;
mod wire;
mod writes;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::incident::{Incident, OriginUpdate};
use crate::model::{Alert, AlertDraft, AlertKey, ITS_PAGE, Severity, SourceId, Status};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers, path_segment};
use crate::sources::pace::Pace;
use crate::sources::{Can, Capabilities};
pub use config::{DEFAULT_MAX_ALERTS, DEFAULT_MAX_INCIDENTS, DEFAULT_URL, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("incident_io");

/// What incident.io does from here: resolve its alerts; keep incidents (shown, changed and
/// declared there).
pub const CAPABILITIES: Capabilities = Capabilities {
    resolve: Can::Yes,
    acknowledge: Can::No("incident.io alerts are acknowledged through their escalations' pages"),
    keeps_incidents: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<IncidentIoSource>,
);

/// Alerts asked for per page (the API's most).
const PAGE_SIZE: usize = 50;

/// Incidents and updates asked for per page.
const INCIDENT_PAGE_SIZE: usize = 100;

/// Most updates read of one incident (a longer story is an error, not a loop).
const MOST_UPDATES: usize = 5_000;

/// Requests a minute the API allows per key (its description's prose: a token bucket).
const RATE_PER_MINUTE: u32 = 1_200;

/// How long the severities, statuses and roles read are trusted before reading them again.
const CATALOG_FOR: chrono::TimeDelta = chrono::TimeDelta::minutes(15);

/// One incident.io organisation.
pub struct IncidentIoSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
    /// The organisation's severities, statuses and roles, and when they were read.
    catalog: Option<(catalog::Catalog, DateTime<Utc>)>,
    /// Each incident's updates, read again only when the incident changed (`updated_at`).
    updates: HashMap<String, (Option<String>, Vec<OriginUpdate>)>,
}

impl FromConfig for IncidentIoSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(IncidentIoSource {
            id: SourceId(config.name.as_str().into()),
            config,
            settings,
            timeout,
            clock,
            http: None,
            catalog: None,
            updates: HashMap::new(),
        })
    }
}

use incidents::time;

fn alert(a: &wire::Alert, source: &SourceId, now: DateTime<Utc>) -> Alert {
    let mut labels = Vec::new();
    for (k, v) in [
        ("deduplication_key", &a.deduplication_key),
        ("alert_source", &a.alert_source_id),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            labels.push((Cow::Borrowed(k), Cow::Borrowed(v)));
        }
    }
    // Its attributes as labels (`service = Payments`, several values joined).
    for attr in &a.attributes {
        let values: Vec<&str> = match &attr.value {
            Some(one) => one.shown().into_iter().collect(),
            None => attr
                .array_value
                .iter()
                .filter_map(wire::Value::shown)
                .collect(),
        };
        if !attr.attribute.name.is_empty() && !values.is_empty() {
            labels.push((
                Cow::Borrowed(attr.attribute.name.as_str()),
                Cow::Owned(values.join(", ")),
            ));
        }
    }
    let annotations = a
        .description
        .as_deref()
        .filter(|d| !d.trim().is_empty())
        .map(|d| (Cow::Borrowed("description"), Cow::Borrowed(d)))
        .into_iter()
        .collect();
    let links = a
        .source_url
        .as_deref()
        .filter(|u| !u.is_empty())
        .map(|u| (Cow::Borrowed(ITS_PAGE), Cow::Borrowed(u)))
        .into_iter()
        .collect();
    let draft = AlertDraft {
        id: Cow::Borrowed(a.id.as_str()),
        title: Cow::Borrowed(if a.title.trim().is_empty() {
            "(untitled alert)"
        } else {
            &a.title
        }),
        severity: Severity::Unknown,
        status: if a.status == "resolved" {
            Status::Resolved
        } else {
            Status::Firing
        },
        labels,
        annotations,
        started_at: time(a.created_at.as_deref()).unwrap_or(now),
        last_seen: time(a.updated_at.as_deref()).unwrap_or(now),
        acked_by: None,
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: None,
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    draft.build(source)
}

impl IncidentIoSource {
    async fn http(&mut self) -> Result<&Http, Error> {
        let base = self.config.base_url(DEFAULT_URL);
        let build = Http::new(
            &self.config,
            &base,
            self.timeout,
            Scheme::BearerOrBasic,
            json_headers(),
        );
        // Twenty at once: a poll of a few changed incidents goes without waiting.
        let build = async { Ok(build.await?.paced(Pace::per_minute(RATE_PER_MINUTE, 20))) };
        super::built(&mut self.http, build).await
    }

    /// Every firing alert, page after page (`after`) to the end; more than `max_alerts` is
    /// an error, never a shorter list.
    async fn firing(&mut self) -> Result<Vec<wire::Alert>, Error> {
        let cap = self.settings.max_alerts.unwrap_or(DEFAULT_MAX_ALERTS);
        let mut q = vec![
            ("page_size", PAGE_SIZE.to_string()),
            ("status[one_of]", "firing".to_string()),
        ];
        if let Some(s) = &self.settings.alert_source {
            q.push(("alert_source[one_of]", s.clone()));
        }
        let too_many =
            format!("more than {cap} firing alerts: narrow alert_source or raise max_alerts");
        let http = self.http().await?;
        let alerts = walk(
            http,
            "/v2/alerts",
            q,
            (cap, &too_many),
            |p: wire::AlertsPage| (p.alerts, p.pagination_meta),
        );
        let alerts = alerts.await?;
        let mut seen = HashSet::new();
        Ok(alerts
            .into_iter()
            .filter(|a| seen.insert(a.id.clone()))
            .collect())
    }

    /// The organisation's severities, statuses and roles: read at the first poll, again
    /// after `CATALOG_FOR`, and before a change when the one wanted is not known.
    async fn catalog(&mut self, fresh: bool) -> Result<&catalog::Catalog, Error> {
        let now = self.clock.now();
        let stale = self
            .catalog
            .as_ref()
            .is_none_or(|(_, at)| fresh || now - *at > CATALOG_FOR);
        if stale {
            let http = self.http().await?;
            let severities: wire::Severities = http
                .json(http.request(Method::GET, "/v1/severities"))
                .await?;
            let statuses: wire::Statuses = http
                .json(http.request(Method::GET, "/v1/incident_statuses"))
                .await?;
            let roles: wire::Roles = http
                .json(http.request(Method::GET, "/v2/incident_roles"))
                .await?;
            let c = catalog::Catalog::new(
                severities.severities,
                statuses.incident_statuses,
                roles.incident_roles,
            );
            self.catalog = Some((c, now));
        }
        self.catalog
            .as_ref()
            .map(|(c, _)| c)
            .ok_or_else(|| Error::Decode("no catalog".into()))
    }

    /// Every incident not over (triage, live, paused), with its updates: those of an
    /// incident unchanged since the last poll are kept, not asked again.
    async fn live_incidents(&mut self) -> Result<Vec<Incident>, Error> {
        let cap = self.settings.max_incidents.unwrap_or(DEFAULT_MAX_INCIDENTS);
        let mut q = vec![("page_size", INCIDENT_PAGE_SIZE.to_string())];
        for c in catalog::OPEN_CATEGORIES {
            q.push(("status_category[one_of]", c.to_string()));
        }
        let too_many = format!("more than {cap} live incidents: raise max_incidents");
        let http = self.http().await?;
        let listed = walk(
            http,
            "/v2/incidents",
            q,
            (cap, &too_many),
            |p: wire::IncidentsPage| (p.incidents, p.pagination_meta),
        );
        // An incident on two pages (a cursor that moved under a change) is listed once.
        let mut seen = HashSet::new();
        let listed: Vec<wire::Incident> = listed
            .await?
            .into_iter()
            .filter(|i| seen.insert(i.id.clone()))
            .collect();
        let now = self.clock.now();
        let mut updates = HashMap::new();
        for i in &listed {
            let known = self
                .updates
                .remove(&i.id)
                .filter(|(at, _)| *at == i.updated_at);
            let kept = match known {
                Some((_, kept)) => kept,
                None => self.updates_of(&i.id, now).await?,
            };
            updates.insert(i.id.clone(), (i.updated_at.clone(), kept));
        }
        // Incidents no longer live are forgotten with their updates.
        self.updates = updates;
        let catalog = self.catalog(false).await?.clone();
        Ok(listed
            .iter()
            .map(|i| {
                let kept = self
                    .updates
                    .get(&i.id)
                    .map_or_else(Vec::new, |(_, u)| u.clone());
                incidents::incident(i, kept, &catalog, &self.id, now)
            })
            .collect())
    }

    /// The updates posted on incident `id`, oldest first.
    async fn updates_of(
        &mut self,
        id: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<OriginUpdate>, Error> {
        let http = self.http().await?;
        let q = vec![
            ("incident_id", id.to_string()),
            ("page_size", INCIDENT_PAGE_SIZE.to_string()),
        ];
        let cap = (MOST_UPDATES, "more than 5,000 updates on one incident");
        let listed = walk(
            http,
            "/v2/incident_updates",
            q,
            cap,
            |p: wire::UpdatesPage| (p.incident_updates, p.pagination_meta),
        );
        let mut seen = HashSet::new();
        let mut updates: Vec<OriginUpdate> = listed
            .await?
            .iter()
            .filter(|u| u.id.is_empty() || seen.insert(u.id.clone()))
            .map(|u| incidents::update(u, now))
            .collect();
        updates.sort_by_key(|u| u.at);
        Ok(updates)
    }

    fn alert_id<'k>(&self, key: &'k AlertKey) -> Result<&'k str, Error> {
        key.id_in(&self.id)
            .ok_or_else(|| Error::Rejected(format!("{key} is no alert of {}", self.id)))
    }

    async fn resolve(&mut self, id: &str) -> Result<(), Error> {
        let http = self.http().await?;
        let path = format!("/v2/alerts/{}/actions/resolve", path_segment(id));
        match http.body(http.request(Method::POST, &path)).await {
            Ok(_) => Ok(()),
            Err(e @ (Error::Http { .. } | Error::Rejected(_))) => {
                // Resolved already (a re-send after a lost answer) is done.
                let path = format!("/v2/alerts/{}", path_segment(id));
                match http
                    .json::<wire::OneAlert>(http.request(Method::GET, &path))
                    .await
                {
                    Ok(one) if one.alert.status == "resolved" => Ok(()),
                    _ => Err(e),
                }
            }
            Err(e) => Err(e),
        }
    }
}

impl Source for IncidentIoSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let now = self.clock.now();
        let firing = self.firing().await?;
        let alerts = firing.iter().map(|a| alert(a, &self.id, now)).collect();
        let incidents = self.live_incidents().await?;
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            incidents: incidents.into(),
            ..Snapshot::default()
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        match op {
            Operation::DeclareIncident(new) => self.declare(new).await,
            Operation::ChangeIncident(change) => {
                let id = self.alert_id(key)?.to_string();
                self.change(&id, change).await
            }
            Operation::Resolve => {
                let id = self.alert_id(key)?.to_string();
                self.resolve(&id).await
            }
            Operation::Acknowledge => Err(CAPABILITIES.acknowledge.refusal()),
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            _ => Err(Error::Rejected(
                "incident.io alerts are resolved from here, its incidents changed and declared; \
                 the rest is done in incident.io"
                    .into(),
            )),
        }
    }
}

/// Every item of a cursor-paged list (`after`), page after page to the end; more than `cap`
/// is the error `too_many`, never a shorter list. A cursor given twice, or a page with
/// nothing on it, ends the walk (a server repeating itself must not loop it).
async fn walk<P, T>(
    http: &Http,
    path: &str,
    query: Vec<(&str, String)>,
    (cap, too_many): (usize, &str),
    split: impl Fn(P) -> (Vec<T>, Option<wire::PaginationMeta>),
) -> Result<Vec<T>, Error>
where
    P: serde::de::DeserializeOwned + Send + 'static,
{
    let mut out = Vec::new();
    let mut cursors = HashSet::new();
    let mut after: Option<String> = None;
    loop {
        let mut q = query.clone();
        if let Some(a) = after.take() {
            q.push(("after", a));
        }
        let page: P = http.json(http.request(Method::GET, path).query(&q)).await?;
        let (items, meta) = split(page);
        let is_empty = items.is_empty();
        out.extend(items);
        if out.len() > cap {
            return Err(Error::Rejected(too_many.to_string()));
        }
        match meta.and_then(|m| m.after) {
            Some(next) if !is_empty && cursors.insert(next.clone()) => after = Some(next),
            _ => return Ok(out),
        }
    }
}
