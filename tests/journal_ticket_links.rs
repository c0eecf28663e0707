//! Ticket links in the journal, on SQLite and a real PostgreSQL: a link made in one
//! dashboard reaches another on the same journal, survives a restart (told at start), is
//! kept once however often it is made, and is on the subject's timeline.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use chrono::Utc;
use onduty::journal::task::{JournalEvent, Request};
use onduty::journal::ticket_links::TicketLink;
use onduty::journal::{EntryKind, Journal, Location};
use support::postgres::Postgres;
use tokio::sync::mpsc;

/// Waits (5 s at most) until the links told by `events` are `expected` (subject, ticket).
async fn until_links(
    events: &mut mpsc::UnboundedReceiver<JournalEvent>,
    expected: &[(&str, &str)],
) {
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|(s, r)| (s.to_string(), r.to_string()))
        .collect();
    let mut known = Vec::new();
    let waited = tokio::time::timeout(Duration::from_secs(5), async {
        while known != want {
            match events.recv().await {
                Some(JournalEvent::TicketLinks(links)) => {
                    known = links
                        .iter()
                        .map(|l| (l.subject.clone(), l.reference.clone()))
                        .collect();
                    // Links made in the same millisecond may come in either order.
                    known.sort();
                }
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await;
    assert!(waited.is_ok(), "links told: {known:?}, expected {want:?}");
}

fn link(subject: &str, reference: &str) -> Request {
    Request::LinkTicket {
        link: TicketLink {
            subject: subject.into(),
            reference: reference.into(),
            author: "ana".into(),
            at: Utc::now(),
        },
        shown: reference.into(),
    }
}

async fn links_are_shared_and_survive_a_restart(location: &Location) {
    let (mut here, requests, cancel_here) = support::journal_task::dashboard(location).await;
    let (mut there, _keep, cancel_there) = support::journal_task::dashboard(location).await;
    requests.send(link("incident:3", "jira:OPS-7")).unwrap();
    requests
        .send(link("incident:3", "marker:od-00000000abcd"))
        .unwrap();
    requests.send(link("incident:3", "jira:OPS-7")).unwrap();
    let want = [
        ("incident:3", "jira:OPS-7"),
        ("incident:3", "marker:od-00000000abcd"),
    ];
    until_links(&mut here, &want).await;
    until_links(&mut there, &want).await;
    cancel_here.cancel();
    cancel_there.cancel();

    let (mut restarted, requests, cancel) = support::journal_task::dashboard(location).await;
    until_links(&mut restarted, &want).await;
    // The "notes go to the tickets" setting: a row while on, none once off.
    let notes = |is_on: bool| Request::TicketNotes {
        subject: "incident:3".into(),
        is_on,
        author: "ana".into(),
    };
    requests.send(notes(true)).unwrap();
    let on = onduty::journal::ticket_links::NOTES_TO_TICKETS;
    let with_on = [want[0], want[1], ("incident:3", on)];
    until_links(&mut restarted, &with_on).await;
    requests.send(notes(false)).unwrap();
    requests.send(notes(false)).unwrap();
    until_links(&mut restarted, &want).await;
    cancel.cancel();

    let reader = Journal::open(location).await.unwrap();
    let timeline = reader.timeline("incident:3").await.unwrap();
    let said: Vec<&str> = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Action)
        .map(|e| e.body.as_str())
        .collect();
    assert_eq!(
        said,
        [
            "linked ticket jira:OPS-7",
            "linked ticket marker:od-00000000abcd",
            "ticket notes on",
            "ticket notes off"
        ],
        "a link made twice, or a setting set twice, is written once"
    );
}

#[tokio::test]
async fn links_are_shared_and_survive_a_restart_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("journal.sqlite3"));
    links_are_shared_and_survive_a_restart(&location).await;
}

#[tokio::test]
async fn links_are_shared_and_survive_a_restart_on_postgres() {
    let pg = Postgres::start();
    links_are_shared_and_survive_a_restart(&Location::Postgres(pg.url.clone())).await;
}

// As a responder on a journal whose roles are set up (issue 32): linking needs no more.
#[tokio::test]
async fn links_work_as_a_responder_on_postgres() {
    let pg = Postgres::start();
    let url = pg.with_responders("links", &["ana"]).await;
    links_are_shared_and_survive_a_restart(&Location::Postgres(url.replace("onduty@", "ana@")))
        .await;
}
