//! The journal's cost (issue 5): 10,000 timeline entries appended one by one (each its own
//! durable write, as when responders work), then the timeline of those 10,000 entries
//! opened; p50/p99 per append and the time to open. SQLite always (a temp file, the
//! dashboard's settings: WAL, synchronous=FULL); PostgreSQL when ONDUTY_BENCH_PG_URL names
//! one (scripts/bench.sh starts a real one).

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::time::{Duration, Instant};

use chrono::Utc;
use onduty::journal::timeline::NewEntry;
use onduty::journal::{EntryKind, Journal, Location};

/// Entries appended and opened: 10,000 under `cargo bench`; a smoke run of 200 when
/// `cargo test --all-targets` runs this bench as a test.
fn entries() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    }
}

async fn run(name: &str, location: Location) {
    let entries = entries();
    let journal = Journal::open(&location).await.expect("journal");
    let subject = format!("incident:{}", fastrand::u32(..));
    let mut appends = Vec::with_capacity(entries);
    for i in 0..entries {
        let body = format!("entry {i}: checked the replica lag, still 40 s behind; paging dba");
        let started = Instant::now();
        journal
            .append(NewEntry {
                subject: &subject,
                at: Utc::now(),
                author: "ana",
                kind: EntryKind::Note,
                body: &body,
                corrects: None,
            })
            .await
            .expect("append");
        appends.push(started.elapsed());
    }
    percentiles::report(&format!("{name}: append one entry"), appends);
    let mut opens: Vec<Duration> = Vec::new();
    for _ in 0..20 {
        let started = Instant::now();
        let timeline = journal.timeline(&subject).await.expect("open");
        opens.push(started.elapsed());
        assert_eq!(timeline.len(), entries);
    }
    percentiles::report(
        &format!("{name}: open a timeline of {entries} entries"),
        opens,
    );
    journal.close().await;
}

fn main() {
    let rt = tokio::runtime::Runtime::new().expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    rt.block_on(run(
        "sqlite",
        Location::Sqlite(dir.path().join("bench.sqlite3")),
    ));
    match std::env::var("ONDUTY_BENCH_PG_URL") {
        Ok(url) => rt.block_on(run("postgres", Location::Postgres(url))),
        Err(_) => println!("postgres: skipped (set ONDUTY_BENCH_PG_URL, or run scripts/bench.sh)"),
    }
}
