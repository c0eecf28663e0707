//! Builds the configured sources and starts their tasks. The one place that maps a config
//! `kind` to a `Source` implementation.

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use super::erased::AnySource;
use super::{Capabilities, PollPolicy, SourceCommand, SourceEvent, SourceInfo};
use super::{alertmanager, demo, github, jira, pagerduty, servicenow};
use crate::clock::SharedClock;
use crate::config::{Config, SourceConfig, SourceKind};
use crate::model::SourceId;

/// How many source events may wait for the UI before a source task waits.
const EVENT_QUEUE: usize = 256;

/// One back end: its kind, what it can do, how a source of it is built. Each back end
/// declares its own (`BACKEND`, beside its `CAPABILITIES`).
pub struct Backend {
    kind: SourceKind,
    can: Capabilities,
    build: fn(&Setting<'_>) -> AnySource,
    /// Runbooks it brings along (the demo's), added to the library when it is configured.
    runbooks: fn() -> Vec<crate::runbook::Entry>,
}

/// Every back end, one line each.
const BACKENDS: [Backend; 6] = [
    demo::BACKEND,
    alertmanager::BACKEND,
    pagerduty::BACKEND,
    jira::BACKEND,
    github::BACKEND,
    servicenow::BACKEND,
];

impl Backend {
    /// The back end of `kind`, doing what `can` says, built by `build`.
    pub const fn of(
        kind: SourceKind,
        can: Capabilities,
        build: fn(&Setting<'_>) -> AnySource,
    ) -> Self {
        Backend {
            kind,
            can,
            build,
            runbooks: Vec::new,
        }
    }

    /// The same, bringing `runbooks` along.
    pub const fn with_runbooks(self, runbooks: fn() -> Vec<crate::runbook::Entry>) -> Self {
        Backend { runbooks, ..self }
    }
}

/// What a source is built from: the whole config (escalation policies), its own section,
/// its request timeout and the clock.
pub struct Setting<'a> {
    /// The whole config.
    pub config: &'a Config,
    /// The source's section.
    pub source: &'a SourceConfig,
    /// How long one request may take.
    pub timeout: Duration,
    /// The clock.
    pub clock: &'a SharedClock,
}

fn backend(kind: SourceKind) -> &'static Backend {
    // Every kind has its line (a test checks); the first is a harmless stand-in otherwise.
    BACKENDS
        .iter()
        .find(|b| b.kind == kind)
        .unwrap_or(&BACKENDS[0])
}

/// The runbook library of `config`'s `runbook_dirs`, with the runbooks its back ends bring.
pub fn runbook_library(config: &Config) -> crate::runbook::Library {
    let mut library = config.runbook_library();
    let mut kinds: Vec<SourceKind> = Vec::new();
    for s in &config.sources {
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind);
        }
    }
    for kind in kinds {
        library.entries.extend((backend(kind).runbooks)());
    }
    library
}

/// What a back end of `kind` can do, as its folder declares it.
pub fn capabilities(kind: SourceKind) -> Capabilities {
    backend(kind).can
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
    let setting = Setting {
        config,
        source: s,
        timeout: policy.timeout,
        clock,
    };
    let source = (backend(s.kind).build)(&setting);
    let info = SourceInfo {
        id,
        kind: s.kind.name().into(),
        interval: policy.interval,
        cluster: s.cluster.clone(),
        can: backend(s.kind).can,
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
        let task = super::spawn(b.source, policy, clock.clone(), events, crx, stop);
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

    #[test]
    fn every_kind_has_its_line() {
        for kind in SourceKind::ALL {
            assert_eq!(backend(kind).kind, kind, "{}", kind.name());
        }
    }
}
