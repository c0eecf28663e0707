//! Matching alerts against a filter, inline for small lists and off the UI task for large
//! ones: a `FilterJob` carries what it needs (shared snapshots, the order to walk) to a
//! blocking thread and comes back as `Action::FilterApplied`; only the newest job's result
//! is applied (latest wins), so typing never waits for a pass over 100,000 alerts.

use std::sync::Arc;

use super::filter::Filter;
use super::rows::AlertRef;
use crate::model::Alert;

/// From this many alerts to walk, a keystroke's filtering leaves the UI task.
pub const OFF_TASK_FROM: usize = 20_000;

/// One filtering pass to run off the UI task.
#[derive(Clone)]
pub struct FilterJob {
    /// Which keystroke asked for it; older results are dropped.
    pub generation: u64,
    filter: Filter,
    input: Vec<AlertRef>,
    sources: Vec<Arc<Vec<Alert>>>,
}

impl FilterJob {
    /// A job matching `input` (refs into `sources`) against `filter`.
    pub fn new(
        generation: u64,
        filter: Filter,
        input: Vec<AlertRef>,
        sources: Vec<Arc<Vec<Alert>>>,
    ) -> FilterJob {
        FilterJob {
            generation,
            filter,
            input,
            sources,
        }
    }

    /// Runs the pass (blocking: call from a blocking thread) and says what it found.
    pub fn run(self) -> Filtered {
        let sources = &self.sources;
        let alert = |r: AlertRef| sources.get(r.source as usize)?.get(r.index as usize);
        let matched = matching(&self.filter, &self.input, alert);
        Filtered {
            generation: self.generation,
            matched,
        }
    }
}

/// What a filter pass found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Filtered {
    /// The job's generation; only the newest is applied.
    pub generation: u64,
    /// The alerts that passed, in list order.
    pub matched: Vec<AlertRef>,
}

impl std::fmt::Debug for FilterJob {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "FilterJob(#{}, {} alerts)",
            self.generation,
            self.input.len()
        )
    }
}

/// Jobs compare by generation: two jobs for the same keystroke are the same work order.
impl PartialEq for FilterJob {
    fn eq(&self, other: &FilterJob) -> bool {
        self.generation == other.generation
    }
}

impl Eq for FilterJob {}

/// Below this many alerts, matching on one core is faster than starting threads.
const PARALLEL_FROM: usize = 20_000;

/// The refs of `refs` whose alert passes `filter`, in order; large lists on every core.
pub fn matching<'a>(
    filter: &Filter,
    refs: &[AlertRef],
    alert: impl Fn(AlertRef) -> Option<&'a Alert> + Sync,
) -> Vec<AlertRef> {
    if filter.is_empty() {
        return refs.to_vec();
    }
    let keep = |chunk: &[AlertRef]| -> Vec<AlertRef> {
        chunk
            .iter()
            .copied()
            .filter(|r| alert(*r).is_some_and(|a| filter.matches(a)))
            .collect()
    };
    let cores = crate::work::cores::count();
    if refs.len() < PARALLEL_FROM || cores < 2 {
        return keep(refs);
    }
    crate::work::cores::map_chunks(refs, refs.len().div_ceil(cores), keep)
        .into_iter()
        .flat_map(Option::unwrap_or_default)
        .collect()
}
