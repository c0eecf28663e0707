//! Ordering every alert again after a source brought new ones, off the UI task at scale.
//! The new snapshot waits beside the old one (`SourceState::incoming`) while an `OrderJob`
//! sorts all alerts on a low-priority thread (`crate::work::bulk`); the result comes back as
//! `Action::Ordered` and is installed together with the snapshots it was computed from, so
//! list references always point into the alerts they were made for. Only the newest job's result is used (latest
//! wins); anything that orders the list on the UI task meanwhile makes it stale.

use std::sync::Arc;

use super::rows::{self, AlertRef, Duplicates};
use crate::config::{GroupBy, SortKey};
use crate::model::Alert;

/// From this many alerts, a refresh orders the list off the UI task.
pub const OFF_TASK_FROM: usize = super::filter_job::OFF_TASK_FROM;

/// One ordering of every source's alerts to run off the UI task.
#[derive(Clone)]
pub struct OrderJob {
    generation: u64,
    sources: Vec<Arc<Vec<Alert>>>,
    sort: SortKey,
    group: GroupBy,
}

/// What an `OrderJob` found: the order of every alert of `sources`.
#[derive(Clone)]
pub struct Ordered {
    /// The job's generation; only the newest is installed.
    pub generation: u64,
    /// The snapshots it ordered, one per source in config order.
    pub sources: Vec<Arc<Vec<Alert>>>,
    /// Every alert in list order, one per fingerprint.
    pub base: Vec<AlertRef>,
    /// The other instances of the alerts in `base`.
    pub duplicates: Duplicates,
}

impl OrderJob {
    /// A job ordering `sources` by `sort` within `group`.
    pub fn new(
        generation: u64,
        sources: Vec<Arc<Vec<Alert>>>,
        sort: SortKey,
        group: GroupBy,
    ) -> OrderJob {
        OrderJob {
            generation,
            sources,
            sort,
            group,
        }
    }

    /// Orders (blocking: call from a blocking thread) and says what it found.
    pub fn run(self) -> Ordered {
        let (base, duplicates) = rows::order(
            rows::enumerate(self.sources.iter().map(|s| s.as_slice())),
            self.sort,
            self.group,
        );
        Ordered {
            generation: self.generation,
            sources: self.sources,
            base,
            duplicates,
        }
    }
}

impl std::fmt::Debug for OrderJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "OrderJob(#{}, {} sources)",
            self.generation,
            self.sources.len()
        )
    }
}

impl std::fmt::Debug for Ordered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Ordered(#{}, {} alerts)",
            self.generation,
            self.base.len()
        )
    }
}

/// Jobs compare by generation: two jobs of one generation are the same work order.
impl PartialEq for OrderJob {
    fn eq(&self, other: &OrderJob) -> bool {
        self.generation == other.generation
    }
}

impl Eq for OrderJob {}
