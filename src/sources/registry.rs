//! Builds the configured sources and starts their tasks. The one place that maps a config
//! `kind` to a `Source` implementation.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::alertmanager::AlertmanagerSource;
use super::demo::DemoSource;
use super::github::GitHubSource;
use super::jira::JiraSource;
use super::pagerduty::PagerDutySource;
use super::servicenow::ServiceNowSource;
use super::{
    Capabilities, Error, PollPolicy, Snapshot, Source, SourceCommand, SourceEvent, SourceInfo,
};
use crate::clock::SharedClock;
use crate::config::{Config, SourceConfig, SourceKind};
use crate::model::SourceId;

/// How many source events may wait for the UI before a source task waits.
const EVENT_QUEUE: usize = 256;

/// A configured source of any kind.
pub enum AnySource {
    /// The demo.
    Demo(Box<DemoSource>),
    /// An Alertmanager.
    Alertmanager(Box<AlertmanagerSource>),
    /// A PagerDuty account.
    PagerDuty(Box<PagerDutySource>),
    /// A Jira site.
    Jira(Box<JiraSource>),
    /// GitHub issues.
    GitHub(Box<GitHubSource>),
    /// A ServiceNow instance.
    ServiceNow(Box<ServiceNowSource>),
}

impl AnySource {
    /// Fetches once (for the one-shot CLI commands).
    pub async fn fetch(&mut self) -> Result<Snapshot, Error> {
        match self {
            AnySource::Demo(s) => s.fetch().await,
            AnySource::Alertmanager(s) => s.fetch().await,
            AnySource::PagerDuty(s) => s.fetch().await,
            AnySource::Jira(s) => s.fetch().await,
            AnySource::GitHub(s) => s.fetch().await,
            AnySource::ServiceNow(s) => s.fetch().await,
        }
    }

    /// Performs one operation (for the one-shot CLI commands).
    pub async fn perform(
        &mut self,
        key: &crate::model::AlertKey,
        op: &super::Operation,
        author: &str,
    ) -> Result<(), Error> {
        match self {
            AnySource::Demo(s) => s.perform(key, op, author).await,
            AnySource::Alertmanager(s) => s.perform(key, op, author).await,
            AnySource::PagerDuty(s) => s.perform(key, op, author).await,
            AnySource::Jira(s) => s.perform(key, op, author).await,
            AnySource::GitHub(s) => s.perform(key, op, author).await,
            AnySource::ServiceNow(s) => s.perform(key, op, author).await,
        }
    }
}

impl AnySource {
    /// Performs a batch (for `onduty ack KEY…`), as the source's task does.
    pub async fn perform_batch(
        &mut self,
        items: &[super::BatchItem],
        per_item: std::time::Duration,
        done: &tokio::sync::mpsc::UnboundedSender<(usize, Result<(), Error>)>,
    ) {
        match self {
            AnySource::Demo(s) => s.perform_batch(items, per_item, done).await,
            AnySource::Alertmanager(s) => s.perform_batch(items, per_item, done).await,
            AnySource::PagerDuty(s) => s.perform_batch(items, per_item, done).await,
            AnySource::Jira(s) => s.perform_batch(items, per_item, done).await,
            AnySource::GitHub(s) => s.perform_batch(items, per_item, done).await,
            AnySource::ServiceNow(s) => s.perform_batch(items, per_item, done).await,
        }
    }
}

/// What a back end of `kind` can do, as its folder declares it.
pub fn capabilities(kind: SourceKind) -> Capabilities {
    match kind {
        SourceKind::Demo => super::demo::CAPABILITIES,
        SourceKind::Alertmanager => super::alertmanager::CAPABILITIES,
        SourceKind::Pagerduty => super::pagerduty::CAPABILITIES,
        SourceKind::Jira => super::jira::CAPABILITIES,
        SourceKind::Github => super::github::CAPABILITIES,
        SourceKind::Servicenow => super::servicenow::CAPABILITIES,
    }
}

/// A source ready to start: what the UI knows of it, the source, and its poll policy.
pub struct Built {
    /// Name, kind, interval.
    pub info: SourceInfo,
    /// The source itself.
    pub source: AnySource,
    /// How it is polled.
    pub policy: PollPolicy,
}

/// Builds every configured source.
pub fn build(config: &Config, clock: &SharedClock) -> Vec<Built> {
    let count = config.sources.len().max(1) as u32;
    config
        .sources
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mut built = build_one(config, s, clock);
            // Polled on one interval from one start, sources would land together every
            // interval (ten Alertmanagers of 10k: ten decodes at once on a jump host's two
            // cores, and ten answers asked of the back ends at once). The first polls are
            // at once; then source i of n keeps i/n of an interval after the first.
            built.policy.phase = built.policy.interval * i as u32 / count;
            built
        })
        .collect()
}

fn build_one(config: &Config, s: &SourceConfig, clock: &SharedClock) -> Built {
    let id = SourceId(s.name.as_str().into());
    let policy = PollPolicy {
        interval: s.poll_interval.unwrap_or(config.poll_interval),
        timeout: s.timeout.unwrap_or(config.timeout),
        max_backoff: Duration::from_secs(60),
        phase: Duration::ZERO,
    };
    let source = match s.kind {
        SourceKind::Demo => AnySource::Demo(Box::new(
            DemoSource::new(id.clone(), clock.clone()).with_escalation(config.escalation.clone()),
        )),
        SourceKind::Alertmanager => {
            let am = AlertmanagerSource::new(s.clone(), policy.timeout, clock.clone())
                .with_escalation(config.escalation.clone());
            AnySource::Alertmanager(Box::new(am))
        }
        SourceKind::Pagerduty => {
            let pd = PagerDutySource::new(s.clone(), policy.timeout, clock.clone());
            AnySource::PagerDuty(Box::new(pd))
        }
        SourceKind::Jira => {
            let jira = JiraSource::new(s.clone(), policy.timeout);
            AnySource::Jira(Box::new(jira))
        }
        SourceKind::Github => {
            let gh = GitHubSource::new(s.clone(), policy.timeout);
            AnySource::GitHub(Box::new(gh))
        }
        SourceKind::Servicenow => {
            let sn = ServiceNowSource::new(s.clone(), policy.timeout);
            AnySource::ServiceNow(Box::new(sn))
        }
    };
    let info = SourceInfo {
        id,
        kind: s.kind.name().into(),
        interval: policy.interval,
        cluster: s.cluster.clone(),
        can: capabilities(s.kind),
    };
    Built {
        info,
        source,
        policy,
    }
}

/// The running source tasks and the channels to and from them.
pub struct Running {
    /// Facts from every source.
    pub events: mpsc::Receiver<SourceEvent>,
    /// Commands to each source.
    pub commands: HashMap<SourceId, mpsc::UnboundedSender<SourceCommand>>,
    /// Cancels every task.
    pub cancel: CancellationToken,
    /// The tasks, to await on shutdown.
    pub tasks: Vec<JoinHandle<()>>,
}

/// Starts a task per source.
pub fn start(built: Vec<Built>, clock: &SharedClock) -> Running {
    let (tx, events) = mpsc::channel(EVENT_QUEUE);
    let cancel = CancellationToken::new();
    let mut commands = HashMap::new();
    let mut tasks = Vec::new();
    for b in built {
        let (ctx, crx) = mpsc::unbounded_channel();
        commands.insert(b.info.id.clone(), ctx);
        let (policy, events, stop) = (b.policy, tx.clone(), cancel.child_token());
        let task = match b.source {
            AnySource::Demo(s) => super::spawn(*s, policy, clock.clone(), events, crx, stop),
            AnySource::Alertmanager(s) => {
                super::spawn(*s, policy, clock.clone(), events, crx, stop)
            }
            AnySource::PagerDuty(s) => super::spawn(*s, policy, clock.clone(), events, crx, stop),
            AnySource::Jira(s) => super::spawn(*s, policy, clock.clone(), events, crx, stop),
            AnySource::GitHub(s) => super::spawn(*s, policy, clock.clone(), events, crx, stop),
            AnySource::ServiceNow(s) => super::spawn(*s, policy, clock.clone(), events, crx, stop),
        };
        tasks.push(task);
    }
    Running {
        events,
        commands,
        cancel,
        tasks,
    }
}

impl Running {
    /// Stops every task, waiting at most `deadline` for them.
    pub async fn shutdown(self, deadline: Duration) {
        self.cancel.cancel();
        let all = futures::future::join_all(self.tasks);
        if tokio::time::timeout(deadline, all).await.is_err() {
            tracing::warn!("source tasks did not stop within {deadline:?}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sources_on_one_interval_take_turns() {
        let text = (1..=4)
            .map(|i| format!("[[source]]\nname = \"am-{i}\"\nkind = \"demo\"\n"))
            .collect::<String>();
        let text = format!("poll_interval = \"20s\"\n{text}");
        let config = Config::from_str_at(&text, "test.toml", &Default::default()).unwrap();
        let clock: SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
        let phases: Vec<u64> = build(&config, &clock)
            .iter()
            .map(|b| b.policy.phase.as_secs())
            .collect();
        assert_eq!(phases, [0, 5, 10, 15]);
    }
}
