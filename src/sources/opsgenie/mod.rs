//! `OpsgenieSource`: the alerts of one Opsgenie account (Alert API v2) that a query finds.
//! Issue 27 is being built here: listing (every page, refused past Opsgenie's window) and the
//! mapping are done; actions (asynchronous, followed by request id), on-call, escalations
//! and JSM Operations are not, so the back end is not in the registry yet and no config can
//! name it.

mod client;
mod config;
mod map;
pub mod wire;

use std::time::Duration;

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, SourceId};
use crate::sources::backend::BackendSettings;
use client::Client;

pub use crate::sources::region::Region;
pub use client::{EU_API, PAGE, US_API, WINDOW};
pub use config::Settings;

/// Its kind, as the config will write it.
pub const KIND: SourceKind = SourceKind::named("opsgenie");

/// The alerts listed unless `query` says otherwise.
pub const DEFAULT_QUERY: &str = "status: open";

/// One Opsgenie account.
pub struct OpsgenieSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    client: Option<Client>,
}

impl OpsgenieSource {
    /// A source for the account `config` describes; the problems of its keys if they are
    /// bad.
    pub fn new(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<OpsgenieSource, Vec<Problem>> {
        Ok(OpsgenieSource {
            id: SourceId(config.name.as_str().into()),
            settings: Settings::read(&config)?,
            config,
            timeout,
            clock,
            client: None,
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(
            &mut self.client,
            Client::new(&self.config, &self.settings, self.timeout),
        )
        .await
    }
}

impl Source for OpsgenieSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let query = self
            .settings
            .query
            .clone()
            .unwrap_or_else(|| DEFAULT_QUERY.into());
        let listed = self.client().await?.alerts(&query).await?;
        let now = self.clock.now();
        let alerts = listed
            .iter()
            .map(|a| map::alert(a, &self.id, now))
            .collect();
        Ok(Snapshot {
            alerts: std::sync::Arc::new(alerts),
            escalation: Vec::new(),
            silences: Vec::new(),
            tickets: Vec::new(),
            invalid: 0,
        })
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        // Not reachable from a config until the registry lists this back end (issue 27).
        Err(Error::Rejected(format!(
            "{} on {key}: Opsgenie actions are not built yet",
            op.verb()
        )))
    }
}
