//! `PrometheusSource`: one Prometheus's alerting rules (`/api/v1/rules`) — each rule with
//! its expression, `for`, health and last error, and the alerts it holds. Pending alerts
//! (which never reach an Alertmanager) join the list; the rules stand behind the alerts
//! they fire, wherever those alerts are listed from, and broken rules show in the health
//! view. Nothing is done to it: its alerts are acted on in the Alertmanager they fire to.

mod config;
mod map;
mod wire;

use std::time::Duration;

use reqwest::Method;

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, SourceId};
use crate::sources::alertmanager::SeverityRule;
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers};
use crate::sources::{Can, Capabilities};
pub use config::Settings;
pub use map::fingerprint;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("prometheus");

/// What a Prometheus does: it tells, it takes no actions (its alerts are acted on in the
/// Alertmanager they fire to).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::No(
        "a Prometheus alert is acknowledged in the Alertmanager it fires to, once it fires",
    ),
    resolve: Can::No("a Prometheus alert resolves when its condition stops holding"),
    snooze: Can::No(
        "silence a pending alert ahead in the Alertmanager it fires to (onduty silence --matcher …)",
    ),
    reports_rules: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<PrometheusSource>,
);

/// Rule groups asked for per page (servers before 2.52 ignore it and send them all).
const GROUPS_PER_PAGE: usize = 500;
/// Most pages followed in one poll.
const MAX_PAGES: usize = 100;

/// One Prometheus.
pub struct PrometheusSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    severity: SeverityRule,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
}

impl PrometheusSource {
    async fn http(&mut self) -> Result<&Http, Error> {
        let base = self.config.url.clone().unwrap_or_default();
        let build = Http::new(
            &self.config,
            &base,
            self.timeout,
            Scheme::BearerOrBasic,
            json_headers(),
        );
        super::built(&mut self.http, build).await
    }

    /// Every alerting rule group, page after page (`groupNextToken`) to the end.
    async fn groups(&mut self) -> Result<Vec<wire::Group>, Error> {
        let http = self.http().await?;
        let mut groups = Vec::new();
        let mut next: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut query = vec![
                ("type", "alert".to_string()),
                ("group_limit", GROUPS_PER_PAGE.to_string()),
            ];
            if let Some(token) = next.take() {
                query.push(("group_next_token", token));
            }
            let req = http.request(Method::GET, "/api/v1/rules").query(&query);
            let answer: wire::Envelope<wire::RulesData> = http.json(req).await?;
            let data = match (answer.status.as_str(), answer.data) {
                ("success", Some(data)) => data,
                (_, _) => {
                    let why = answer.error.unwrap_or_else(|| "no data".into());
                    return Err(Error::Decode(format!("Prometheus said: {why}")));
                }
            };
            groups.extend(data.groups);
            match data.next.filter(|t| !t.is_empty()) {
                Some(token) => next = Some(token),
                None => return Ok(groups),
            }
        }
        Err(Error::Decode(format!(
            "more than {} pages of rule groups",
            MAX_PAGES
        )))
    }
}

/// The source `config` describes; the problems of its keys if bad.
impl FromConfig for PrometheusSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(PrometheusSource {
            id: SourceId(config.name.as_str().into()),
            severity: SeverityRule::new(settings.severity_label.as_deref(), &settings.severity_map),
            settings,
            config,
            timeout,
            clock,
            http: None,
        })
    }
}

impl Source for PrometheusSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let groups = self.groups().await?;
        let base = self
            .settings
            .external_url
            .as_deref()
            .or(self.config.url.as_deref())
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let cx = map::Context {
            source: &self.id,
            severity: &self.severity,
            firing: self.settings.firing,
            graph_base: &base,
            now: self.clock.now(),
        };
        let mapped = map::map(&groups, &cx);
        Ok(Snapshot {
            alerts: std::sync::Arc::new(mapped.alerts),
            invalid: mapped.invalid,
            rules: mapped.rules.into(),
            ..Snapshot::default()
        })
    }

    async fn perform(&mut self, _: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        let can = match op {
            Operation::Acknowledge => CAPABILITIES.acknowledge,
            Operation::Resolve => CAPABILITIES.resolve,
            Operation::Silence { .. } => CAPABILITIES.snooze,
            _ => Can::No("a Prometheus takes no actions: act in the Alertmanager it fires to"),
        };
        Err(can.refusal())
    }
}
