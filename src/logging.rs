//! Logs go to daily files under `<data>/onduty/logs/` (seven kept), never to the screen.
//! `ONDUTY_LOG` sets the filter (EnvFilter syntax), default `onduty=info`.

use std::path::Path;

use tracing_appender::non_blocking::WorkerGuard;
use tracing_subscriber::EnvFilter;

/// Starts file logging; keep the guard alive until exit so buffered lines are written.
/// Returns `None` (and logs nowhere) when the directory cannot be made.
pub fn init(dir: &Path) -> Option<WorkerGuard> {
    crate::config::ensure_private_dir(dir).ok()?;
    let appender = tracing_appender::rolling::Builder::new()
        .rotation(tracing_appender::rolling::Rotation::DAILY)
        .filename_prefix("onduty")
        .filename_suffix("log")
        .max_log_files(7)
        .build(dir)
        .ok()?;
    // The default queue preallocates 128,000 lines (~4 MB resident) before anything is
    // logged; a thousand lines is plenty for a dashboard and keeps the one-shot commands small.
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .buffered_lines_limit(1024)
        .lossy(true)
        .finish(appender);
    let filter =
        EnvFilter::try_from_env("ONDUTY_LOG").unwrap_or_else(|_| EnvFilter::new("onduty=info"));
    tracing_subscriber::fmt()
        .with_writer(writer)
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}
