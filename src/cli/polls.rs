//! Every source polled once, concurrently, each within its timeout: what the one-shot
//! commands (`alerts`, `check`, `oncall`, `handoff`, the headless app) read.

use std::sync::Arc;
use std::time::Instant;

use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::duration_fmt;
use crate::sources::start::{self, Built};
use crate::sources::{Snapshot, Source};

/// Polls every source once, concurrently, each within its timeout.
pub(super) async fn poll_all(
    config: &Config,
) -> Vec<(Built, Result<Snapshot, String>, std::time::Duration)> {
    let clock: SharedClock = Arc::new(SystemClock);
    let polls = start::build(config, &clock)
        .into_iter()
        .map(|mut b| async move {
            let started = Instant::now();
            let result = match tokio::time::timeout(b.policy.timeout, b.source.fetch()).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err(format!(
                    "timed out after {}",
                    duration_fmt::short(b.policy.timeout)
                )),
            };
            (b, result, started.elapsed())
        });
    futures::future::join_all(polls).await
}

/// The snapshots of the sources that answered, each with its source's name, and whether
/// any failed (each failure is reported on stderr).
pub(super) async fn answered_by_source(config: &Config) -> (Vec<(String, Snapshot)>, bool) {
    let (snapshots, failed) = answered_with_info(config).await;
    let named = snapshots
        .into_iter()
        .map(|(info, s)| (info.id.to_string(), s))
        .collect();
    (named, failed)
}

/// Like `answered_by_source`, each snapshot with what the dashboard knows of its source.
pub(super) async fn answered_with_info(
    config: &Config,
) -> (Vec<(crate::app::SourceInfo, Snapshot)>, bool) {
    let (snapshots, failing) = answered_or_failing(config).await;
    (snapshots, !failing.is_empty())
}

/// Like `answered_with_info`, with the names of the sources that failed.
pub(super) async fn answered_or_failing(
    config: &Config,
) -> (Vec<(crate::app::SourceInfo, Snapshot)>, Vec<String>) {
    let mut snapshots = Vec::new();
    let mut failing = Vec::new();
    for (b, result, _) in poll_all(config).await {
        match result {
            Ok(s) => snapshots.push((b.info, s)),
            Err(e) => {
                #[allow(clippy::print_stderr, reason = "CLI output, no TUI")]
                {
                    eprintln!("onduty: source '{}' failed: {e}", b.info.id);
                }
                failing.push(b.info.id.to_string());
            }
        }
    }
    (snapshots, failing)
}
