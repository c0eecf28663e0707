//! `IncidentIoSource`: incident.io's firing alerts (API v2, cursor paging to the end) in the
//! alert list, and resolving one through the outbox — a resolve of an alert already resolved
//! (a re-send after a lost answer) is done. Its incidents, their updates and roles are not
//! read yet (issue 29).

mod config;
mod wire;

use std::borrow::Cow;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use reqwest::Method;

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{Alert, AlertDraft, AlertKey, ITS_PAGE, Severity, SourceId, Status};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers, path_segment};
use crate::sources::{Can, Capabilities};
pub use config::{DEFAULT_MAX_ALERTS, DEFAULT_URL, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("incident_io");

/// What incident.io does to its alerts from here: resolve them.
pub const CAPABILITIES: Capabilities = Capabilities {
    resolve: Can::Yes,
    acknowledge: Can::No("incident.io alerts are acknowledged through their escalations' pages"),
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

/// One incident.io organisation.
pub struct IncidentIoSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
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
        })
    }
}

fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

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
        super::built(&mut self.http, build).await
    }

    /// Every firing alert, page after page (`after`) to the end; more than `max_alerts` is
    /// an error, never a shorter list. A cursor given twice ends the walk (a server
    /// repeating itself must not loop it).
    async fn firing(&mut self) -> Result<Vec<wire::Alert>, Error> {
        let cap = self.settings.max_alerts.unwrap_or(DEFAULT_MAX_ALERTS);
        let source = self.settings.alert_source.clone();
        let http = self.http().await?;
        let mut out: Vec<wire::Alert> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        let mut after: Option<String> = None;
        loop {
            let mut q = vec![
                ("page_size", PAGE_SIZE.to_string()),
                ("status[one_of]", "firing".to_string()),
            ];
            if let Some(s) = &source {
                q.push(("alert_source[one_of]", s.clone()));
            }
            if let Some(a) = after.take() {
                q.push(("after", a));
            }
            let page: wire::AlertsPage = http
                .json(http.request(Method::GET, "/v2/alerts").query(&q))
                .await?;
            let is_empty = page.alerts.is_empty();
            for a in page.alerts {
                if seen.insert(a.id.clone()) {
                    out.push(a);
                }
            }
            if out.len() > cap {
                return Err(Error::Rejected(format!(
                    "more than {cap} firing alerts: narrow alert_source or raise max_alerts"
                )));
            }
            match page.pagination_meta.and_then(|m| m.after) {
                Some(next) if !is_empty && seen.insert(format!("after:{next}")) => {
                    after = Some(next)
                }
                _ => return Ok(out),
            }
        }
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
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            ..Snapshot::default()
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        let id = self.alert_id(key)?.to_string();
        match op {
            Operation::Resolve => self.resolve(&id).await,
            Operation::Acknowledge => Err(CAPABILITIES.acknowledge.refusal()),
            Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => Err(super::not_a_ticket_source(&self.id)),
            _ => Err(Error::Rejected(
                "incident.io alerts are resolved from here; the rest is done in incident.io".into(),
            )),
        }
    }
}
