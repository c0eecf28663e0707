//! Problem records in the journal, on SQLite and a real PostgreSQL: opened in one dashboard,
//! told to another on the same journal and after a restart, changed field by field with
//! each change on the problem's timeline; `onduty problems --json` lists it with how often
//! its alert fired in 30 days.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use chrono::{TimeDelta, Utc};
use onduty::journal::problems::NewProblem;
use onduty::journal::task::{JournalEvent, Request};
use onduty::journal::{Journal, Location};
use onduty::model::problem::{AlertName, Problem, ProblemChange, ProblemStatus};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::observe::Observation;
use support::postgres::Postgres;
use tokio::sync::mpsc;

/// Waits (5 s at most) until the problems told by `events` satisfy `is_done`.
async fn until_problems(
    events: &mut mpsc::UnboundedReceiver<JournalEvent>,
    is_done: impl Fn(&[Problem]) -> bool,
) -> Vec<Problem> {
    let mut known = Vec::new();
    let waited = tokio::time::timeout(Duration::from_secs(5), async {
        while !is_done(&known) {
            match events.recv().await {
                Some(JournalEvent::Problems(p)) => known = p,
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await;
    assert!(waited.is_ok(), "problems told: {known:?}");
    known
}

async fn problems_are_shared_changed_and_listed(location: &Location, dir: &std::path::Path) {
    let (mut here, requests, cancel_here) = support::journal_task::dashboard(location).await;
    let (mut there, _keep, cancel_there) = support::journal_task::dashboard(location).await;
    let name = AlertName::parse("PoolExhausted · checkout");
    requests
        .send(Request::OpenProblem(NewProblem {
            title: "Checkout pool runs dry".into(),
            author: "ana".into(),
            alerts: vec![name.clone()],
            incidents: vec!["incident:1".into()],
        }))
        .unwrap();
    let opened = until_problems(&mut here, |p| !p.is_empty()).await;
    let id = opened[0].id;
    for change in [
        ProblemChange::Workaround("restart the pool; raise max_conns to 200".into()),
        ProblemChange::Status(ProblemStatus::KnownError),
        ProblemChange::Owner("bo".into()),
    ] {
        requests
            .send(Request::ChangeProblem {
                id,
                change,
                author: "bo".into(),
            })
            .unwrap();
    }
    let seen = until_problems(&mut there, |p| p.first().is_some_and(|p| p.owner == "bo")).await;
    assert_eq!(
        seen[0].workaround,
        "restart the pool; raise max_conns to 200"
    );
    assert_eq!(seen[0].status, ProblemStatus::KnownError);
    cancel_here.cancel();
    cancel_there.cancel();
    let (mut restarted, _r, cancel) = support::journal_task::dashboard(location).await;
    let told = until_problems(&mut restarted, |p| !p.is_empty()).await;
    assert_eq!(told, seen, "told at start");
    cancel.cancel();

    // Its alert fired three times this month and once long before.
    let journal = Journal::open(location).await.unwrap();
    let now = Utc::now();
    let fired = |key: &str, ago: TimeDelta| Observation {
        key: AlertKey(key.into()),
        at: now - ago,
        what: "fired (critical): PoolExhausted · checkout".into(),
    };
    journal
        .observe(
            &SourceId("am".into()),
            &[
                fired("am:a", TimeDelta::days(40)),
                fired("am:a", TimeDelta::days(20)),
                fired("am:b", TimeDelta::days(2)),
                fired("am:a", TimeDelta::hours(1)),
            ],
        )
        .await
        .unwrap();
    journal.close().await;
    let config = dir.join("onduty.toml");
    let url = match location {
        Location::Sqlite(p) => format!("sqlite:{}", p.display()),
        Location::Postgres(u) => u.clone(),
    };
    std::fs::write(
        &config,
        format!("identity = \"ana\"\njournal = \"{url}\"\n"),
    )
    .unwrap();
    let (code, out) = support::run_onduty(dir, &config, &["problems", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(v[0]["id"], id);
    assert_eq!(v[0]["status"], "known error");
    assert_eq!(
        v[0]["workaround"],
        "restart the pool; raise max_conns to 200"
    );
    assert_eq!(v[0]["alerts"][0]["service"], "checkout");
    assert_eq!(v[0]["incidents"][0], "incident:1");
    assert_eq!(v[0]["fired_30d"], 3, "the fire 40 days ago is outside: {v}");
    let (code, text) = support::run_onduty(dir, &config, &["problems"]).await;
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("[known error] Checkout pool runs dry"),
        "{text}"
    );
    assert!(text.contains("workaround  restart the pool"), "{text}");
}

#[tokio::test]
async fn problems_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("journal.sqlite3"));
    problems_are_shared_changed_and_listed(&location, dir.path()).await;
}

#[tokio::test]
async fn problems_on_postgres() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    problems_are_shared_changed_and_listed(&Location::Postgres(pg.url.clone()), dir.path()).await;
}

// As a responder on a journal whose roles are set up (issue 32): problems need no more.
#[tokio::test]
async fn problems_as_a_responder_on_postgres() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let url = pg.with_responders("problems", &["ana"]).await;
    let ana = Location::Postgres(url.replace("onduty@", "ana@"));
    problems_are_shared_changed_and_listed(&ana, dir.path()).await;
}
