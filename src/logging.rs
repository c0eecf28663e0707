//! Logs go to daily files under `<data>/onduty/logs/` (seven kept), never to the screen.
//! `ONDUTY_LOG` sets the filter (EnvFilter syntax), default `onduty=info`. Every line passes
//! the secret scrubber (`config::redact`) on its way to the file, whatever logged it.

use std::path::Path;

use tracing_appender::non_blocking::{NonBlocking, WorkerGuard};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::fmt::MakeWriter;

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
        .with_writer(Scrubbed(writer))
        .with_ansi(false)
        .with_env_filter(filter)
        .try_init()
        .ok()?;
    Some(guard)
}

/// The log file's writer, scrubbing each formatted line (tracing writes an event in one call).
#[derive(Clone)]
struct Scrubbed(NonBlocking);

impl<'a> MakeWriter<'a> for Scrubbed {
    type Writer = Scrubbed;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

impl std::io::Write for Scrubbed {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        match std::str::from_utf8(buf) {
            Ok(text) => self
                .0
                .write_all(crate::config::redact::scrub(text).as_bytes())?,
            Err(_) => self.0.write_all(buf)?,
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}
