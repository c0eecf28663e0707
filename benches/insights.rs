//! The insights view on a year of 100,000 incidents (issue 31: opens in ≤ 200 ms, a new
//! incident updates it in ≤ 5 ms). Through the dashboard's own path: a real SQLite journal
//! holding the year, the history the period needs read and folded as the journal's task
//! does (`Journal::history_since`), handed to the dashboard, the report worked out and the
//! view drawn at 200x60; then one new fire arriving as the journal tells it, folded in and
//! the report worked out again; and `9` pressed when the history was read at start, as the
//! dashboard does. p50/p99 beside criterion's.

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use onduty::app::{Action, App, Command};
use onduty::journal::task::JournalEvent;
use onduty::journal::{Journal, Location};
use onduty::model::{AlertKey, Entry, EntryKind, SourceId};
use onduty::sources::observe::Observation;
use onduty::testing::{demo_app, insight_history, screen};

/// Incidents in the year: 100,000 under `cargo bench`; a smoke run of 2,000 when `cargo
/// test --all-targets` runs this bench as a test.
fn incidents() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        100_000
    } else {
        2_000
    }
}

/// A journal holding `history`, written as the sources' observations are.
async fn journal_of(history: &[Entry], dir: &std::path::Path) -> Journal {
    let journal = Journal::open(&Location::Sqlite(dir.join("j.sqlite3")))
        .await
        .expect("journal");
    let source = SourceId("am".into());
    let seen: Vec<Observation> = history
        .iter()
        .map(|e| Observation {
            key: AlertKey(e.subject.clone()),
            at: e.at,
            what: e.body.clone(),
        })
        .collect();
    for chunk in seen.chunks(5_000) {
        journal.observe(&source, chunk).await.expect("observe");
    }
    journal
}

/// Opens the view on `days` days: read and fold (the journal's task), hand over, report,
/// draw. The app is made beforehand, untimed.
fn open(
    runtime: &tokio::runtime::Runtime,
    journal: &Journal,
    now: DateTime<Utc>,
    days: i64,
) -> (App, Duration, Duration) {
    let mut app = demo_app(100, 200, 60);
    app.insights.days = days;
    app.update(Action::Run(Command::ShowInsights));
    let started = Instant::now();
    let ledger = runtime
        .block_on(journal.history_since(now - TimeDelta::days(2 * days)))
        .expect("read");
    let read = started.elapsed();
    app.update(Action::Journal(JournalEvent::History(Ok(Box::new(ledger)))));
    let drawn = screen(&app, 200, 60);
    let took = started.elapsed();
    assert!(drawn.contains(" fired ("), "{drawn}");
    (app, took, read)
}

fn insights(c: &mut Criterion) {
    let n = incidents();
    let now = demo_app(100, 80, 24).now;
    let history = insight_history(now, 365, n);
    println!("a year of {n} incidents: {} journal entries", history.len());
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let dir = tempfile::tempdir().expect("temp dir");
    let journal = runtime.block_on(journal_of(&history, dir.path()));
    for days in [30, 90] {
        let mut opens = Vec::new();
        let mut reads = Vec::new();
        c.bench_function(&format!("insights_open_{days}d_of_a_year_100k"), |b| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let (_, took, read) = open(&runtime, &journal, now, days);
                    opens.push(took);
                    reads.push(read);
                    total += took;
                }
                total
            })
        });
        percentiles::report(
            &format!("insights: open {days} days (read + fold + report + draw)"),
            opens,
        );
        percentiles::report(
            &format!("insights: of which the read and fold, {days} days"),
            reads,
        );
    }
    // As a responder meets it: the history was read at start (off the UI task), so `9`
    // works out the report and draws.
    let (read_at_start, ..) = open(&runtime, &journal, now, 30);
    let mut warm = Vec::new();
    c.bench_function("insights_press_9_history_read_at_start_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let mut app = demo_app(100, 200, 60);
                let ledger = read_at_start.insights.ledger.clone().expect("read");
                app.update(Action::Journal(JournalEvent::History(Ok(ledger))));
                let started = Instant::now();
                app.update(Action::Run(Command::ShowInsights));
                let drawn = screen(&app, 200, 60);
                let took = started.elapsed();
                assert!(drawn.contains(" fired ("), "{drawn}");
                warm.push(took);
                total += took;
            }
            total
        })
    });
    percentiles::report(
        "insights: press 9 with the history read at start (report + draw)",
        warm,
    );
    let (mut app, ..) = open(&runtime, &journal, now, 30);
    let mut id = history.len() as i64 + 1;
    let mut updates = Vec::new();
    c.bench_function("insights_one_new_incident_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                id += 1;
                let fired = Entry {
                    id,
                    subject: format!("am:new-{id}"),
                    at: app.now - TimeDelta::minutes(1),
                    author: "am".into(),
                    kind: EntryKind::Observed,
                    body: "fired (critical): Fresh · svc-01 [team team-1]".into(),
                    starred: false,
                    corrects: None,
                };
                let started = Instant::now();
                app.update(Action::Journal(JournalEvent::Entries(vec![fired])));
                let took = started.elapsed();
                updates.push(took);
                total += took;
            }
            total
        })
    });
    percentiles::report("insights: one new incident (fold + report again)", updates);
    assert!(app.insights.report.as_ref().expect("a report").total.fired > 0);
    runtime.block_on(journal.close());
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10);
    targets = insights
}
criterion_main!(benches);
