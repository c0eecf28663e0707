//! The `onduty` binary: parse the command line, start logging, run. See the library's docs.

use std::process::ExitCode;

use clap::Parser;
use onduty::cli::{self, Cli};
use onduty::config::Paths;

/// jemalloc rather than the system allocator: with snapshots of 100k alerts replaced every
/// poll and decoded on varying threads, glibc's per-thread arenas kept freed
/// memory and RSS crept up round after round; jemalloc gives it back (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[tokio::main]
async fn main() -> ExitCode {
    // Everything onduty creates (journal, its WAL, logs, drafts, exports, their directories)
    // holds what responders wrote and what the back ends said: owner only, 0600 and 0700.
    #[cfg(unix)]
    rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    onduty::errors::init();
    let cli = Cli::parse();
    let paths = Paths::discover();
    let _log_guard = onduty::logging::init(&paths.log_dir());
    match cli::run(cli, paths).await {
        Ok(code) => code,
        // A reader that went away (`onduty outbox | head`) ends us quietly, as SIGPIPE ends
        // `ls`: 128 + 13, nothing said.
        Err(e) if is_broken_pipe(&e) => ExitCode::from(141),
        Err(e) => {
            // Not eprintln!: it panics when stderr is gone (a closed terminal).
            use std::io::Write;
            let text = format!("{e:#}");
            let _ = writeln!(
                std::io::stderr(),
                "onduty: {}",
                onduty::config::redact::scrub(&text)
            );
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
