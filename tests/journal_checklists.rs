//! Runbook checklists in the journal, on SQLite and a real PostgreSQL: a step ticked in one
//! dashboard reaches another on the same journal, survives a restart (the next run's journal
//! task tells the steps at start), and each tick is on the incident's timeline.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::BTreeMap;
use std::time::Duration;

use chrono::Utc;
use onduty::journal::checklists::Tick;
use onduty::journal::task::{JournalEvent, Request};
use onduty::journal::{EntryKind, Journal, Location};
use support::postgres::Postgres;
use tokio::sync::mpsc;

/// Waits (5 s at most) until the steps told by `events` add up to `expected`.
async fn until_steps(
    events: &mut mpsc::UnboundedReceiver<JournalEvent>,
    expected: &[(&str, bool)],
) {
    let mut known: BTreeMap<String, bool> = BTreeMap::new();
    let want: BTreeMap<String, bool> = expected.iter().map(|(s, d)| (s.to_string(), *d)).collect();
    let waited = tokio::time::timeout(Duration::from_secs(5), async {
        while known != want {
            match events.recv().await {
                Some(JournalEvent::Ticks(ticks)) => {
                    for t in ticks
                        .iter()
                        .filter(|t| t.subject == "incident:3" && t.runbook == "/runbooks/pool.md")
                    {
                        known.insert(t.step.clone(), t.done);
                    }
                }
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await;
    assert!(waited.is_ok(), "steps told: {known:?}, expected {want:?}");
}

fn tick(step: &str, done: bool, author: &str) -> Request {
    Request::Tick {
        tick: Tick {
            subject: "incident:3".into(),
            runbook: "/runbooks/pool.md".into(),
            step: step.into(),
            done,
            author: author.into(),
            at: Utc::now(),
        },
        said: format!(
            "runbook Pool: {} {step}",
            if done { "done" } else { "not done" }
        ),
    }
}

async fn checklist_is_shared_and_survives_a_restart(location: &Location) {
    let (mut here, requests, cancel_here) = support::journal_task::dashboard(location).await;
    let (mut there, _keep, cancel_there) = support::journal_task::dashboard(location).await;
    requests.send(tick("Check the pool", true, "ana")).unwrap();
    requests
        .send(tick("Raise the pool size", true, "ana"))
        .unwrap();
    requests
        .send(tick("Raise the pool size", false, "ana"))
        .unwrap();
    // Told here at once (each tick), and to the other dashboard from the journal.
    let last = [("Check the pool", true), ("Raise the pool size", false)];
    until_steps(&mut here, &last).await;
    until_steps(&mut there, &last).await;
    cancel_here.cancel();
    cancel_there.cancel();

    // A new run: the steps are told at start, as they were left.
    let (mut restarted, _r, cancel) = support::journal_task::dashboard(location).await;
    until_steps(&mut restarted, &last).await;
    cancel.cancel();

    let reader = Journal::open(location).await.unwrap();
    let timeline = reader.timeline("incident:3").await.unwrap();
    let steps: Vec<&str> = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Step)
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(
        steps,
        [
            "runbook Pool: done Check the pool",
            "runbook Pool: done Raise the pool size",
            "runbook Pool: not done Raise the pool size"
        ]
    );
}

#[tokio::test]
async fn checklist_is_shared_and_survives_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("journal.sqlite3"));
    checklist_is_shared_and_survives_a_restart(&location).await;
}

#[tokio::test]
async fn checklist_is_shared_and_survives_a_restart_on_postgres() {
    let pg = Postgres::start();
    checklist_is_shared_and_survives_a_restart(&Location::Postgres(pg.url.clone())).await;
}
