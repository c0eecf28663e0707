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

/// Steps ticked on an alert before it joined an incident are the incident's: `2/6 done`
/// stays `2/6` after `I` (the incident's own state of a step wins; unticked ones are not
/// carried), told to the dashboard at once and said on the incident's timeline.
async fn ticks_carry_over_to_the_incident(location: &Location) {
    use onduty::journal::incidents::Declaration;
    let (mut events, requests, cancel) = support::journal_task::dashboard(location).await;
    let on_alert = |step: &str, done: bool| {
        let mut t = tick(step, done, "ana");
        if let Request::Tick { tick, .. } = &mut t {
            tick.subject = "prod:pool".into();
        }
        t
    };
    requests.send(on_alert("Check the pool", true)).unwrap();
    requests
        .send(on_alert("Raise the pool size", true))
        .unwrap();
    requests.send(on_alert("Page the DBA", false)).unwrap();
    requests
        .send(Request::DeclareIncident(Declaration {
            title: "payments pool".into(),
            severity: 2,
            author: "ana".into(),
            alerts: vec![onduty::model::AlertKey("prod:pool".into())],
        }))
        .unwrap();
    let incident = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Some(JournalEvent::Incidents(list)) if !list.is_empty() => return list[0].id,
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await
    .expect("the incident is told");
    let subject = format!("incident:{incident}");
    let carried = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Some(JournalEvent::Ticks(ticks)) if ticks.iter().all(|t| t.subject == subject) => {
                    return ticks;
                }
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await
    .expect("the incident's steps are told");
    let mut steps: Vec<(&str, bool)> = carried.iter().map(|t| (t.step.as_str(), t.done)).collect();
    steps.sort_unstable();
    assert_eq!(
        steps,
        [("Check the pool", true), ("Raise the pool size", true)]
    );
    cancel.cancel();
    let reader = Journal::open(location).await.unwrap();
    let said: Vec<String> = reader
        .timeline(&subject)
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == EntryKind::Step)
        .map(|e| e.body)
        .collect();
    assert_eq!(said, ["2 runbook step(s) done on prod:pool carried over"]);
}

#[tokio::test]
async fn ticks_carry_over_to_the_incident_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    ticks_carry_over_to_the_incident(&Location::Sqlite(dir.path().join("journal.sqlite3"))).await;
}

#[tokio::test]
async fn ticks_carry_over_to_the_incident_on_postgres() {
    let pg = Postgres::start();
    ticks_carry_over_to_the_incident(&Location::Postgres(pg.url.clone())).await;
}

// As a responder on a journal whose roles are set up (issue 32): ticking needs no more.
#[tokio::test]
async fn checklists_work_as_a_responder_on_postgres() {
    let pg = Postgres::start();
    let url = pg.with_responders("shared", &["ana"]).await;
    let ana = Location::Postgres(url.replace("onduty@", "ana@"));
    checklist_is_shared_and_survives_a_restart(&ana).await;
    let url = pg.with_responders("carried", &["ana"]).await;
    ticks_carry_over_to_the_incident(&Location::Postgres(url.replace("onduty@", "ana@"))).await;
}
