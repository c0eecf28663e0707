//! Bulk work at low CPU priority: decoding large answers and packing snapshots on threads of
//! their own, so that when the cores are busy a responder's key is drawn before them.
//! Only the dashboard lowers it (`keys_come_first`): a one-shot command such as
//! `onduty alerts` has no key to protect, and its user waits for exactly that work.
//!
//! Each job gets a new thread that lowers its own priority (nice [`BULK_NICE`]) and ends with
//! the job. A thread of tokio's blocking pool cannot be used: an unprivileged thread can lower
//! its priority but never raise it again, and the pool later runs work a responder waits for
//! (filter passes, exports). A thread costs tens of microseconds; a job is tens of
//! milliseconds. Work a responder waits for (a filter, the startup snapshot) stays on the pool.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use tokio::sync::oneshot;

/// How much lower the bulk threads run: at nice 10 a thread gets about a tenth of the CPU
/// that one at nice 0 gets when both want it, and all of it when nothing else does.
pub const BULK_NICE: i32 = 10;

/// Whether bulk threads lower their priority (the dashboard is up).
static IS_LOWERED: AtomicBool = AtomicBool::new(false);

/// From now on bulk jobs run below the responder's keys: called by the dashboard.
pub fn keys_come_first() {
    IS_LOWERED.store(true, Ordering::Relaxed);
}

/// The job gave no result: it panicked, or no thread could be started for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stopped(&'static str);

impl fmt::Display for Stopped {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)
    }
}

impl std::error::Error for Stopped {}

/// Starts `job` at once on a low-priority thread of its own; the future gives its result
/// without blocking the async task. The start does not wait for the first poll: a streaming
/// decoder must be reading before its feeder fills the channel between them.
pub fn run<T, F>(job: F) -> impl Future<Output = Result<T, Stopped>>
where
    T: Send + 'static,
    F: FnOnce() -> T + Send + 'static,
{
    let (tx, rx) = oneshot::channel();
    let started = spawn(move || {
        let _ = tx.send(job());
    });
    async move {
        started?;
        rx.await.map_err(|_| Stopped("stopped before it finished"))
    }
}

/// Starts `job` on a low-priority thread of its own, for work that reports by itself.
pub fn spawn<F>(job: F) -> Result<(), Stopped>
where
    F: FnOnce() + Send + 'static,
{
    std::thread::Builder::new()
        .name("onduty-bulk".into())
        .spawn(move || {
            if IS_LOWERED.load(Ordering::Relaxed) {
                lower_own_priority();
            }
            job();
        })
        .map(drop)
        .map_err(|_| Stopped("no thread could be started"))
}

/// Lowers the calling thread's priority. On Linux the nice value belongs to the thread;
/// elsewhere `setpriority` would lower the whole process, so nothing is changed there.
fn lower_own_priority() {
    #[cfg(target_os = "linux")]
    if let Err(e) = rustix::process::setpriority_process(None, BULK_NICE) {
        tracing::debug!(error = %e, "bulk thread keeps its priority");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn own_nice() -> i32 {
        rustix::process::getpriority_process(None).unwrap()
    }

    #[cfg(target_os = "linux")]
    #[tokio::test]
    async fn the_job_runs_on_a_thread_of_lower_priority_and_the_caller_keeps_its_own() {
        keys_come_first();
        let before = own_nice();
        let (nice, name) = run(|| {
            let name = std::thread::current().name().map(str::to_owned);
            (own_nice(), name)
        })
        .await
        .unwrap();
        // Lowering is always allowed; a test run already at nice 19 stays there.
        assert_eq!(nice, (before + BULK_NICE).min(19));
        assert_eq!(name.as_deref(), Some("onduty-bulk"));
        assert_eq!(own_nice(), before, "the caller's thread is unchanged");
    }

    #[tokio::test]
    async fn a_job_that_panics_is_an_error_not_a_hang() {
        let result: Result<(), Stopped> = run(|| panic!("a decoder bug")).await;
        assert_eq!(result, Err(Stopped("stopped before it finished")));
    }

    #[test]
    fn the_job_starts_before_its_result_is_awaited() {
        let (started_tx, started_rx) = std::sync::mpsc::channel();
        let result = run(move || started_tx.send(()).is_ok());
        // Nothing polls `result` yet: the job must be running without it.
        started_rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .expect("the job had not started before its result was awaited");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        assert_eq!(runtime.block_on(result), Ok(true));
    }

    #[tokio::test]
    async fn each_job_gives_its_own_result() {
        let (a, b) = tokio::join!(run(|| 1 + 1), run(|| "two".to_owned()));
        assert_eq!((a.unwrap(), b.unwrap().as_str()), (2, "two"));
    }
}
