//! Builds the configured sources and starts a task for each: the runtime's way from a
//! `Config` to running sources (the registry says which back end builds each).

use std::collections::HashMap;
use std::time::Duration;

use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::Source as _;
pub use super::backend::AnySource;
use super::backend::Setting;
use super::{PollPolicy, SourceCommand, SourceEvent, SourceInfo, registry};
use crate::clock::SharedClock;
use crate::config::{Config, SourceConfig};
use crate::model::SourceId;

/// How many source events may wait for the UI before a source task waits.
const EVENT_QUEUE: usize = 256;

/// The runbook library of `config`'s `runbook_dirs`, with the runbooks its back ends bring.
pub fn runbook_library(config: &Config) -> crate::runbook::Library {
    let mut library = config.runbook_library();
    let mut kinds = Vec::new();
    for s in &config.sources {
        if !kinds.contains(&s.kind) {
            kinds.push(s.kind.clone());
        }
    }
    for kind in &kinds {
        library.entries.extend(registry::runbooks(kind));
    }
    library
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
        source: s,
        escalation: &config.escalation,
        timeout: policy.timeout,
        clock,
    };
    let source = registry::build(&setting);
    let declared = SourceInfo::new(id, s.kind.clone(), policy.interval);
    let info = SourceInfo {
        cluster: s.cluster.clone(),
        // What this source's own keys make it able to do (a command source's actions), known
        // before its first poll.
        can: source.capabilities_now().unwrap_or(declared.can),
        ..declared
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
    /// The shared sources' commands by fingerprint: the journal's task tells each when its
    /// poller wrote a frame (it listens on one connection for both; empty when nothing is
    /// shared).
    pub wake: HashMap<String, mpsc::UnboundedSender<SourceCommand>>,
    /// Cancels every task.
    pub cancel: CancellationToken,
    /// The tasks, to await on shutdown.
    pub tasks: Vec<JoinHandle<()>>,
}

/// Starts a task per source.
pub fn start(built: Vec<Built>, clock: &SharedClock) -> Running {
    start_sharing(built, clock, None)
}

/// How the sources' polls are shared through a PostgreSQL journal (issue 33).
pub struct Sharing {
    /// The journal.
    pub journal: crate::journal::Journal,
    /// Whose dashboard this is ("ana").
    pub who: String,
    /// This process as the lease's holder (`host:pid`).
    pub holder: String,
    /// Whether the journal lets this dashboard only read (a viewer's wall): it follows.
    pub is_reader: bool,
    /// The fingerprint of each source that may be shared (`share::fingerprint`).
    pub fingerprints: HashMap<SourceId, String>,
}

impl Sharing {
    /// Sharing on `journal` (a PostgreSQL one: an SQLite file is one machine's) of the
    /// sources of `config` whose config allows it.
    pub fn of(config: &Config, journal: &crate::journal::Journal, who: &str) -> Option<Sharing> {
        if !matches!(journal.location(), crate::journal::Location::Postgres(_)) {
            return None;
        }
        let fingerprints: HashMap<SourceId, String> = config
            .sources
            .iter()
            .filter_map(|s| {
                let fp = super::share::fingerprint(s)?;
                Some((SourceId(s.name.as_str().into()), fp))
            })
            .collect();
        (!fingerprints.is_empty()).then(|| Sharing {
            journal: journal.clone(),
            who: who.to_string(),
            holder: crate::journal::outbox::this_process(),
            is_reader: !journal.access().may_append,
            fingerprints,
        })
    }
}

/// `start`, with the polls of the sources `sharing` names shared through its journal (the
/// journal's task, given `Running::wake`, wakes each follower when its poller wrote a frame).
pub fn start_sharing(built: Vec<Built>, clock: &SharedClock, sharing: Option<Sharing>) -> Running {
    let (tx, events) = mpsc::channel(EVENT_QUEUE);
    let cancel = CancellationToken::new();
    let mut commands = HashMap::new();
    let mut tasks = Vec::new();
    for b in built {
        let (ctx, crx) = mpsc::unbounded_channel();
        commands.insert(b.info.id.clone(), ctx);
        let (policy, events, stop) = (b.policy, tx.clone(), cancel.child_token());
        let shared = sharing.as_ref().and_then(|s| {
            let fingerprint = s.fingerprints.get(&b.info.id)?.clone();
            Some(super::share::Shared::new(super::share::Share {
                journal: s.journal.clone(),
                fingerprint,
                holder: s.holder.clone(),
                who: s.who.clone(),
                is_reader: s.is_reader,
            }))
        });
        let task = super::poller::spawn_sharing(
            b.source,
            policy,
            clock.clone(),
            events,
            crx,
            stop,
            shared,
        );
        tasks.push(task);
    }
    let wake = sharing
        .map(|sharing| {
            sharing
                .fingerprints
                .iter()
                .filter_map(|(id, fp)| Some((fp.clone(), commands.get(id)?.clone())))
                .collect()
        })
        .unwrap_or_default();
    Running {
        events,
        commands,
        wake,
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
