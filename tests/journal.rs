//! The journal on SQLite and on a real PostgreSQL: the outbox's states and leases (one
//! sender per item, even with several processes), the append-only timeline, and another
//! process's note reaching a running dashboard's journal task within a second.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use onduty::clock::SystemClock;
use onduty::journal::drafts::Draft;
use onduty::journal::outbox::{NewAction, new_command_id};
use onduty::journal::snapshots;
use onduty::journal::task::{JournalEvent, JournalTask, Request};
use onduty::journal::timeline::NewEntry;
use onduty::journal::{EntryKind, Journal, Location, OutboxState};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::Operation;
use support::postgres::Postgres;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

async fn sqlite() -> (tempfile::TempDir, Location) {
    let dir = tempfile::tempdir().unwrap();
    let location = Location::Sqlite(dir.path().join("journal.sqlite3"));
    (dir, location)
}

/// Where each author's process opens the journal: one place for everyone on SQLite and on a
/// PostgreSQL without roles; on one with roles, each author logs in as themself (and the
/// database signs their rows).
#[derive(Clone, Debug)]
struct Place {
    location: Location,
    is_per_person: bool,
}

impl Place {
    fn shared(location: &Location) -> Place {
        Place {
            location: location.clone(),
            is_per_person: false,
        }
    }

    /// A new database of `pg` with the journal's roles set up; ana and bo responders.
    async fn responders(pg: &Postgres, database: &str) -> Place {
        let url = pg.with_responders(database, &["ana", "bo"]).await;
        Place {
            location: Location::Postgres(url),
            is_per_person: true,
        }
    }

    /// Where `author` opens it.
    fn of(&self, author: &str) -> Location {
        match (&self.location, self.is_per_person) {
            (Location::Postgres(url), true) => {
                Location::Postgres(url.replace("onduty@", &format!("{author}@")))
            }
            (location, _) => location.clone(),
        }
    }

    /// The `journal` config value for `author`.
    fn value(&self, author: &str) -> String {
        match self.of(author) {
            Location::Postgres(url) => url,
            Location::Sqlite(path) => format!("sqlite:{}", path.display()),
        }
    }
}

fn ack(key: &str) -> NewAction {
    NewAction {
        id: new_command_id(),
        author: "ana".into(),
        source: SourceId("am".into()),
        key: AlertKey(key.into()),
        op: Operation::Silence {
            duration: Duration::from_secs(7200),
            comment: "deploy \u{1b}[31m window".into(),
        },
    }
}

async fn outbox_lifecycle(place: &Place) {
    let a = Journal::open(&place.of("ana")).await.unwrap();
    // A second pool on the same journal stands for a second process.
    let b = Journal::open(&place.of("ana")).await.unwrap();
    let now = Utc::now();
    let action = ack("am:1");
    a.record(&action, now).await.unwrap();
    let item = b.outbox_item(action.id).await.unwrap().unwrap();
    assert_eq!((item.state, item.attempts), (OutboxState::Sent, 1));
    assert_eq!(item.op, action.op, "the operation comes back as written");
    assert!(
        b.claim_due(now, now).await.unwrap().is_empty(),
        "held by its sender for a lease"
    );
    // The sender died: once the lease has run out, exactly one of two takers gets it.
    let later = now + TimeDelta::seconds(61);
    let (got_a, got_b) = tokio::join!(a.claim_due(later, later), b.claim_due(later, later));
    let (got_a, got_b) = (got_a.unwrap(), got_b.unwrap());
    assert_eq!(got_a.len() + got_b.len(), 1, "{got_a:?} {got_b:?}");
    let taken = got_a.into_iter().chain(got_b).next().unwrap();
    assert_eq!((taken.id, taken.attempts), (action.id, 2));
    // Back end down: pending again, not due before its time, listed as open.
    a.retry_at(
        action.id,
        "connection refused",
        later + TimeDelta::seconds(10),
        later,
    )
    .await
    .unwrap();
    assert!(a.claim_due(later, later).await.unwrap().is_empty());
    let open = a.open_items().await.unwrap();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].last_error.as_deref(), Some("connection refused"));
    let flushed = a
        .claim_due(later, later + TimeDelta::days(1))
        .await
        .unwrap();
    assert_eq!(flushed.len(), 1, "a flush takes it before its retry time");
    let done = a
        .settle(action.id, None, action_entry("am:1", "ack: done"), later)
        .await
        .unwrap();
    assert!(a.open_items().await.unwrap().is_empty());
    assert_eq!(b.timeline("am:1").await.unwrap()[0].id, done.id);
    let failing = ack("am:2");
    a.record(&failing, now).await.unwrap();
    a.settle(
        failing.id,
        Some("alert no longer firing"),
        action_entry("am:2", "ack: failed"),
        now,
    )
    .await
    .unwrap();
    let recent = b.recent_items(10).await.unwrap();
    let states: HashMap<_, _> = recent.iter().map(|i| (i.id, i.state)).collect();
    assert_eq!(states[&action.id], OutboxState::Confirmed);
    assert_eq!(states[&failing.id], OutboxState::Failed);
}

fn action_entry<'a>(subject: &'a str, body: &'a str) -> NewEntry<'a> {
    NewEntry {
        subject,
        at: Utc::now(),
        author: "ana",
        kind: EntryKind::Action,
        body,
        corrects: None,
    }
}

/// Two senders (two processes) with an item each on the same alert: one holds the scope
/// while it sends, the other waits; settling frees it; a claim of a dead sender lapses with
/// its lease. A silence by other matchers does not wait.
async fn one_sender_per_scope(place: &Place) {
    let a = Journal::open(&place.of("ana")).await.unwrap();
    let b = Journal::open(&place.of("ana")).await.unwrap();
    let now = Utc::now();
    let first = a.record(&ack("am:9"), now).await.unwrap();
    let second = b.record(&ack("am:9"), now).await.unwrap();
    let (took_a, took_b) = tokio::join!(a.take_scope(&first, now), b.take_scope(&second, now));
    assert_eq!(
        [took_a.unwrap(), took_b.unwrap()]
            .iter()
            .filter(|t| **t)
            .count(),
        1,
        "exactly one sender holds the alert"
    );
    let (holder, waiter, hj, wj) = match a.take_scope(&first, now).await.unwrap() {
        true => (&first, &second, &a, &b),
        false => (&second, &first, &b, &a),
    };
    assert!(
        hj.take_scope(holder, now).await.unwrap(),
        "its own claim again"
    );
    assert!(!wj.take_scope(waiter, now).await.unwrap());
    let other = b.record(&ack("am:10"), now).await.unwrap();
    assert!(b.take_scope(&other, now).await.unwrap(), "another alert");
    hj.settle(holder.id, None, action_entry("am:9", "ack: done"), now)
        .await
        .unwrap();
    assert!(
        wj.take_scope(waiter, now).await.unwrap(),
        "free once settled"
    );
    let third = a.record(&ack("am:9"), now).await.unwrap();
    assert!(!a.take_scope(&third, now).await.unwrap());
    let later = now + TimeDelta::seconds(61);
    assert!(
        a.take_scope(&third, later).await.unwrap(),
        "lapsed with the lease"
    );
}

async fn timeline_append_only(place: &Place) {
    let j = Journal::open(&place.of("ana")).await.unwrap();
    let at = Utc::now();
    let typed = "restarted pgbouncer\n\u{1b}]52;c;ZXZpbA==\u{7} as typed";
    let note = j
        .append(NewEntry {
            subject: "am:1",
            at,
            author: "ana",
            kind: EntryKind::Note,
            body: typed,
            corrects: None,
        })
        .await
        .unwrap();
    let fix = j
        .append(NewEntry {
            subject: "am:1",
            at,
            author: "ana",
            kind: EntryKind::Correction,
            body: "it was pgbouncer-2",
            corrects: Some(note.id),
        })
        .await
        .unwrap();
    j.star(note.id, true).await.unwrap();
    let timeline = j.timeline("am:1").await.unwrap();
    assert_eq!(timeline.len(), 2);
    // Kept as typed in the journal; read back safe to show (no OSC 52 clipboard write).
    assert_eq!(timeline[0].body, "restarted pgbouncer\n as typed");
    assert!(timeline[0].starred);
    assert_eq!(timeline[1].corrects, Some(note.id));
    assert_eq!(j.entries_after(note.id, 10).await.unwrap()[0].id, fix.id);
    assert!(j.timeline("am:2").await.unwrap().is_empty());
}

#[tokio::test]
async fn outbox_states_and_leases_on_sqlite() {
    let (_dir, location) = sqlite().await;
    outbox_lifecycle(&Place::shared(&location)).await;
}

#[tokio::test]
async fn outbox_states_and_leases_on_postgres() {
    let pg = Postgres::start();
    outbox_lifecycle(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

#[tokio::test]
async fn one_sender_per_alert_on_sqlite() {
    let (_dir, location) = sqlite().await;
    one_sender_per_scope(&Place::shared(&location)).await;
}

#[tokio::test]
async fn one_sender_per_alert_on_postgres() {
    let pg = Postgres::start();
    one_sender_per_scope(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

// A settled action and its timeline entry are one write: when the entry cannot be written
// (here a trigger refuses it; in the fault trial, a kill between the two), the action is not
// settled either, and is sent again rather than missing from the timeline.
#[tokio::test]
async fn an_action_is_never_settled_without_its_timeline_entry() {
    use onduty::journal::task::{Outcome, settle};
    let (dir, location) = sqlite().await;
    let j = Journal::open(&location).await.unwrap();
    let now = Utc::now();
    let action = ack("am:1");
    j.record(&action, now).await.unwrap();
    let path = dir.path().join("journal.sqlite3");
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse BEFORE INSERT ON timeline BEGIN SELECT RAISE(ABORT, 'no'); END",
    )
    .execute(&pool)
    .await
    .unwrap();
    let outcome = Outcome {
        id: action.id,
        key: &action.key,
        op: &action.op,
        author: "ana",
        result: &Ok(()),
    };
    assert!(settle(&j, outcome, now).await.is_err());
    let item = j.outbox_item(action.id).await.unwrap().unwrap();
    assert_eq!(
        item.state,
        OutboxState::Sent,
        "not confirmed without its entry"
    );
    sqlx::query("DROP TRIGGER refuse")
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    let outcome = Outcome {
        id: action.id,
        key: &action.key,
        op: &action.op,
        author: "ana",
        result: &Ok(()),
    };
    settle(&j, outcome, now).await.unwrap();
    let item = j.outbox_item(action.id).await.unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Confirmed);
    assert_eq!(j.timeline("am:1").await.unwrap().len(), 1);
}

#[tokio::test]
async fn timeline_is_append_only_on_sqlite() {
    let (_dir, location) = sqlite().await;
    timeline_append_only(&Place::shared(&location)).await;
}

#[tokio::test]
async fn timeline_is_append_only_on_postgres() {
    let pg = Postgres::start();
    timeline_append_only(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

#[tokio::test]
async fn a_corrupt_sqlite_file_is_a_clear_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("journal.sqlite3");
    std::fs::write(&path, vec![0x5a; 8192]).unwrap();
    let e = Journal::open(&Location::Sqlite(path.clone()))
        .await
        .unwrap_err()
        .to_string();
    assert!(e.contains(&path.display().to_string()), "{e}");
    assert!(e.contains("not a database"), "{e}");
}

async fn note_from_another_process_arrives(place: &Place) {
    let journal = Journal::open(&place.of("ana")).await.unwrap();
    let (mut events, _requests, cancel) = support::journal_task::start(journal, &[]);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!("identity = \"bo\"\njournal = \"{}\"\n", place.value("bo")),
    )
    .unwrap();
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["note", "demo:disk-full", "freed", "20G"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let seen = tokio::time::timeout(Duration::from_secs(1), async {
        loop {
            match events.recv().await {
                Some(JournalEvent::Entries(e)) if e.iter().any(|e| e.body == "freed 20G") => {
                    return e;
                }
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await
    .expect("the other process's note arrives within a second");
    let note = seen.iter().find(|e| e.body == "freed 20G").unwrap();
    assert_eq!(
        (note.author.as_str(), note.subject.as_str(), note.kind),
        ("bo", "demo:disk-full", EntryKind::Note)
    );
    cancel.cancel();
}

#[tokio::test]
async fn a_note_written_by_another_process_reaches_the_dashboard_on_postgres() {
    let pg = Postgres::start();
    note_from_another_process_arrives(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

#[tokio::test]
async fn a_note_written_by_another_process_reaches_the_dashboard_on_sqlite() {
    let (_dir, location) = sqlite().await;
    note_from_another_process_arrives(&Place::shared(&location)).await;
}

#[tokio::test]
async fn the_last_known_picture_comes_back_at_start_on_sqlite_and_postgres() {
    let pg = Postgres::start();
    let (_dir, sqlite) = sqlite().await;
    for location in [sqlite, Location::Postgres(pg.url.clone())] {
        last_known_comes_back(&location).await;
    }
}

async fn last_known_comes_back(location: &Location) {
    {
        let journal = Journal::open(location).await.unwrap();
        let alerts = onduty::testing::estate_alerts(300, 2);
        let fetched_at = Utc::now() - TimeDelta::minutes(5);
        for source_alerts in &alerts {
            let encoded = snapshots::encode(source_alerts).unwrap();
            journal
                .save_snapshot(&source_alerts[0].source, fetched_at, &encoded)
                .await
                .unwrap();
        }
        // An older picture never replaces a newer one.
        let older = snapshots::encode(&alerts[0][..1]).unwrap();
        journal
            .save_snapshot(
                &alerts[0][0].source,
                fetched_at - TimeDelta::hours(1),
                &older,
            )
            .await
            .unwrap();
        // Only configured sources are loaded: am-1 is gone from this config.
        let loaded = journal
            .load_snapshots(&[SourceId("am-0".into()), SourceId("gone".into())])
            .await
            .unwrap();
        assert_eq!(loaded.len(), 1);
        assert_eq!(loaded[0].source, SourceId("am-0".into()));
        assert_eq!(
            loaded[0].fetched_at.timestamp_millis(),
            fetched_at.timestamp_millis()
        );
        assert_eq!(loaded[0].alerts, alerts[0]);
    }
}

async fn incident_lifecycle(place: &Place) {
    use onduty::journal::incidents::{Declaration, IncidentStatus, Role};
    let j = Journal::open(&place.of("ana")).await.unwrap();
    let bo = Journal::open(&place.of("bo")).await.unwrap();
    let now = Utc::now();
    let declared = j
        .declare(
            &Declaration {
                title: "Checkout is down".into(),
                severity: 2,
                alerts: vec![AlertKey("am:1".into()), AlertKey("am:2".into())],
                author: "ana".into(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(
        (
            declared.severity,
            declared.status,
            declared.commander.as_deref()
        ),
        (2, IncidentStatus::Investigating, Some("ana"))
    );
    bo.attach(
        declared.id,
        &[AlertKey("am:2".into()), AlertKey("am:3".into())],
        "bo",
        now,
    )
    .await
    .unwrap();
    j.set_role(declared.id, Role::Scribe, "bo", "ana", now)
        .await
        .unwrap();
    j.set_status(declared.id, IncidentStatus::Identified, "ana", now)
        .await
        .unwrap();
    let other = bo
        .declare(
            &Declaration {
                title: "Search is slow".into(),
                severity: 4,
                alerts: Vec::new(),
                author: "bo".into(),
            },
            now,
        )
        .await
        .unwrap();
    bo.set_status(other.id, IncidentStatus::Resolved, "bo", now)
        .await
        .unwrap();
    let all = j.incidents().await.unwrap();
    assert_eq!(
        all.iter().map(|i| i.id).collect::<Vec<_>>(),
        [declared.id, other.id],
        "open first"
    );
    let i = &all[0];
    assert_eq!(
        i.alerts.iter().map(|k| k.0.as_str()).collect::<Vec<_>>(),
        ["am:1", "am:2", "am:3"],
        "an alert already in it is not attached twice"
    );
    assert_eq!(
        (i.status, i.scribe.as_deref()),
        (IncidentStatus::Identified, Some("bo"))
    );
    assert!(all[1].resolved_at.is_some());
    let story: Vec<String> = j
        .timeline(&i.subject())
        .await
        .unwrap()
        .into_iter()
        .map(|e| format!("{}: {}", e.author, e.body))
        .collect();
    assert_eq!(
        story,
        [
            "ana: declared SEV2: Checkout is down (incident commander ana)",
            "ana: attached am:1, am:2",
            "bo: attached am:3",
            "ana: scribe: bo",
            "ana: status: identified",
        ]
    );
}

#[tokio::test]
async fn incidents_are_declared_changed_and_told_in_their_timeline_on_sqlite() {
    let (_dir, location) = sqlite().await;
    incident_lifecycle(&Place::shared(&location)).await;
}

#[tokio::test]
async fn incidents_are_declared_changed_and_told_in_their_timeline_on_postgres() {
    let pg = Postgres::start();
    incident_lifecycle(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

#[tokio::test]
async fn what_was_asked_before_the_stop_is_still_written() {
    let (_dir, location) = sqlite().await;
    let journal = Journal::open(&location).await.unwrap();
    let (requests_tx, requests) = mpsc::unbounded_channel();
    let (events_tx, _events) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    for n in 0..20 {
        requests_tx
            .send(onduty::journal::task::Request::Note {
                subject: "am:1".into(),
                author: "ana".into(),
                text: format!("note {n}"),
                corrects: None,
                client_id: n + 1,
            })
            .unwrap();
    }
    // Stopped before it ever ran: every queued note is written all the same.
    cancel.cancel();
    JournalTask {
        journal: Ok(journal.clone()),
        requests,
        events: events_tx,
        commands: HashMap::new(),
        wake: HashMap::new(),
        clock: Arc::new(SystemClock),
        author: "ana".into(),
        cancel,
    }
    .run()
    .await;
    let reader = Journal::open(&location).await.unwrap();
    assert_eq!(reader.timeline("am:1").await.unwrap().len(), 20);
}

#[tokio::test]
async fn a_locked_sqlite_journal_refuses_the_write_and_works_again_once_released() {
    use sqlx::{Connection, Executor};
    let (dir, location) = sqlite().await;
    let journal = Journal::open(&location).await.unwrap();
    let path = dir.path().join("journal.sqlite3");
    // Another program holds the file's write lock (what a stuck process would do).
    let mut holder = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display()))
        .await
        .unwrap();
    holder.execute("BEGIN EXCLUSIVE").await.unwrap();
    let action = ack("am:1");
    let e = journal.record(&action, Utc::now()).await.unwrap_err();
    assert!(e.to_string().contains("locked"), "{e}");
    holder.execute("ROLLBACK").await.unwrap();
    assert!(
        journal.outbox_item(action.id).await.unwrap().is_none(),
        "nothing was recorded as written"
    );
    journal.record(&action, Utc::now()).await.unwrap();
    assert!(journal.outbox_item(action.id).await.unwrap().is_some());
}

async fn observed_once(place: &Place) {
    use onduty::sources::observe::Observation;
    let a = Journal::open(&place.of("ana")).await.unwrap();
    let b = Journal::open(&place.of("ana")).await.unwrap();
    let at = Utc::now();
    let changes = vec![
        Observation {
            key: AlertKey("am:1".into()),
            at,
            what: "fired (critical)".into(),
        },
        Observation {
            key: AlertKey("am:1".into()),
            at: at + TimeDelta::minutes(3),
            what: "acked by bo".into(),
        },
    ];
    let source = SourceId("am".into());
    assert_eq!(a.observe(&source, &changes).await.unwrap(), 2);
    // A second dashboard on the same journal saw the same poll.
    assert_eq!(b.observe(&source, &changes).await.unwrap(), 0);
    let timeline = a.timeline("am:1").await.unwrap();
    let told: Vec<_> = timeline
        .iter()
        .map(|e| (e.kind, e.author.as_str(), e.body.as_str()))
        .collect();
    assert_eq!(
        told,
        [
            (EntryKind::Observed, "am", "fired (critical)"),
            (EntryKind::Observed, "am", "acked by bo")
        ]
    );
    let fires = a.fires_since(at - TimeDelta::minutes(1)).await.unwrap();
    assert_eq!(fires.len(), 1);
    assert_eq!(
        (fires[0].0.as_str(), fires[0].1.timestamp_millis()),
        ("am:1", at.timestamp_millis())
    );
    assert!(
        a.fires_since(at + TimeDelta::minutes(1))
            .await
            .unwrap()
            .is_empty()
    );
    let newest = b.observed_since(at - TimeDelta::hours(1), 1).await.unwrap();
    assert_eq!(newest.len(), 1, "the limit keeps the newest");
    assert_eq!(newest[0].body, "acked by bo");
}

#[tokio::test]
async fn a_change_seen_by_two_processes_is_recorded_once_on_sqlite() {
    let (_dir, location) = sqlite().await;
    observed_once(&Place::shared(&location)).await;
}

#[tokio::test]
async fn a_change_seen_by_two_processes_is_recorded_once_on_postgres() {
    let pg = Postgres::start();
    observed_once(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

/// A draft kept as typed comes back in the next run (the author's only), a correction's
/// draft beside the note's; saving the note writes it and removes its draft, in one request.
async fn drafts_survive_and_go_with_the_note(place: &Place) {
    let journal = Journal::open(&place.of("ana")).await.unwrap();
    let now = Utc::now();
    for (subject, author, body) in [
        ("am:1", "ana", "first line"),
        ("am:1", "ana", "first line\nsecond line"),
        ("am:1#7", "ana", "the failover was at 14:07"),
        ("am:1", "bo", "someone else's"),
    ] {
        let draft = Draft {
            subject: subject.into(),
            author: author.into(),
            body: body.into(),
            updated_at: now,
        };
        let theirs = Journal::open(&place.of(author)).await.unwrap();
        theirs.save_draft(&draft).await.unwrap();
        theirs.close().await;
    }
    let (mut events, requests, cancel) = support::journal_task::start(journal.clone(), &[]);
    let drafts = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            match events.recv().await {
                Some(JournalEvent::Drafts(d)) => return d,
                Some(_) => {}
                None => panic!("the journal task stopped"),
            }
        }
    })
    .await
    .expect("drafts are told at start");
    let mut bodies: Vec<(&str, &str)> = drafts
        .iter()
        .map(|d| (d.subject.as_str(), d.body.as_str()))
        .collect();
    bodies.sort();
    assert_eq!(
        bodies,
        [
            ("am:1", "first line\nsecond line"),
            ("am:1#7", "the failover was at 14:07")
        ]
    );
    requests
        .send(Request::Note {
            subject: "am:1".into(),
            author: "ana".into(),
            text: "first line\nsecond line".into(),
            corrects: None,
            client_id: 1,
        })
        .unwrap();
    requests
        .send(Request::Note {
            subject: "am:1".into(),
            author: "ana".into(),
            text: "the failover was at 14:07".into(),
            corrects: Some(7),
            client_id: 2,
        })
        .unwrap();
    let reader = Journal::open(&place.of("ana")).await.unwrap();
    tokio::time::timeout(Duration::from_secs(5), async {
        while !reader.drafts("ana").await.unwrap().is_empty() {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("saving removes both drafts");
    let kinds: Vec<(EntryKind, Option<i64>)> = reader
        .timeline("am:1")
        .await
        .unwrap()
        .iter()
        .map(|e| (e.kind, e.corrects))
        .collect();
    assert_eq!(
        kinds,
        [(EntryKind::Note, None), (EntryKind::Correction, Some(7))]
    );
    let bo = Journal::open(&place.of("bo")).await.unwrap();
    assert_eq!(bo.drafts("bo").await.unwrap().len(), 1, "bo's draft is his");
    cancel.cancel();
}

#[tokio::test]
async fn drafts_survive_and_go_with_the_note_on_sqlite() {
    let (_dir, location) = sqlite().await;
    drafts_survive_and_go_with_the_note(&Place::shared(&location)).await;
}

#[tokio::test]
async fn drafts_survive_and_go_with_the_note_on_postgres() {
    let pg = Postgres::start();
    drafts_survive_and_go_with_the_note(&Place::shared(&Location::Postgres(pg.url.clone()))).await;
}

#[tokio::test]
async fn an_unreachable_postgresql_is_a_clear_error_naming_it() {
    let port = support::free_port();
    let url = format!("postgres://onduty@127.0.0.1:{port}/onduty");
    let e = Journal::open(&Location::Postgres(url))
        .await
        .unwrap_err()
        .to_string();
    // "refused", not a pool's "timed out": the cause is said, and said at once.
    assert!(
        e.contains(&format!("127.0.0.1:{port}")) && e.to_lowercase().contains("refused"),
        "{e}"
    );
}

/// The next event `wanted` picks, within `within`; panics naming what was seen instead.
async fn next_event(
    events: &mut mpsc::UnboundedReceiver<JournalEvent>,
    within: Duration,
    what: &str,
    wanted: impl Fn(&JournalEvent) -> bool,
) {
    let mut seen = Vec::new();
    let found = tokio::time::timeout(within, async {
        while let Some(e) = events.recv().await {
            if wanted(&e) {
                return;
            }
            seen.push(format!("{e:?}").chars().take(120).collect::<String>());
        }
    })
    .await;
    assert!(
        found.is_ok(),
        "no {what} within {within:?}; seen: {seen:#?}"
    );
}

fn note_request(client_id: i64, text: &str) -> Request {
    Request::Note {
        subject: "am:1".into(),
        author: "ana".into(),
        text: text.into(),
        corrects: None,
        client_id,
    }
}

// A real PostgreSQL stopped under a dashboard's journal task: the dashboard is told at once
// (before a note is saved into the void), a note sent meanwhile is told back as not written,
// and once PostgreSQL is back, that note sent again (twice, as if an answer were lost) is
// written exactly once.
#[tokio::test]
async fn a_note_across_a_postgres_outage_is_told_back_and_written_once() {
    let pg = Postgres::start();
    note_across_an_outage(&pg, &Location::Postgres(pg.url.clone())).await;
}

async fn note_across_an_outage(pg: &Postgres, location: &Location) {
    let location = location.clone();
    let (mut events, requests, cancel) = support::journal_task::dashboard(&location).await;
    requests.send(note_request(1, "before")).unwrap();
    next_event(
        &mut events,
        Duration::from_secs(10),
        "the first note",
        |e| matches!(e, JournalEvent::Entries(es) if es.iter().any(|x| x.body == "before")),
    )
    .await;

    pg.stop();
    // Told by the LISTEN connection, or by the next retry check (every 5 s, 4 s pool wait).
    next_event(&mut events, Duration::from_secs(15), "Unavailable", |e| {
        matches!(e, JournalEvent::Unavailable(_))
    })
    .await;
    requests.send(note_request(7, "A-note-5")).unwrap();
    next_event(
        &mut events,
        Duration::from_secs(30),
        "NoteNotWritten",
        |e| matches!(e, JournalEvent::NoteNotWritten { client_id: 7 }),
    )
    .await;

    pg.start_again();
    next_event(&mut events, Duration::from_secs(60), "Available", |e| {
        matches!(e, JournalEvent::Available)
    })
    .await;
    requests.send(note_request(7, "A-note-5")).unwrap();
    requests.send(note_request(7, "A-note-5")).unwrap();
    requests.send(note_request(8, "after")).unwrap();
    next_event(
        &mut events,
        Duration::from_secs(10),
        "the last note",
        |e| matches!(e, JournalEvent::Entries(es) if es.iter().any(|x| x.body == "after")),
    )
    .await;
    cancel.cancel();
    let reader = Journal::open(&location).await.unwrap();
    let bodies: Vec<String> = reader
        .timeline("am:1")
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.body)
        .collect();
    assert_eq!(bodies, ["before", "A-note-5", "after"]);
}

// A dashboard and a CLI acting on the same alert take turns: while the CLI's ack holds the
// alert, the dashboard's is written but not handed to its source (it waits, pending, saying
// why); once the CLI's settles, the dashboard's is sent, and its source finds the silence.
#[tokio::test]
async fn a_dashboard_waits_while_another_process_acts_on_the_same_alert() {
    use onduty::journal::task::SCOPE_BUSY;
    use onduty::sources::SourceCommand;
    let (_dir, location) = sqlite().await;
    let cli = Journal::open(&location).await.unwrap();
    let now = Utc::now();
    let theirs = cli.record(&ack("am:1"), now).await.unwrap();
    assert!(cli.take_scope(&theirs, now).await.unwrap());

    let (commands_tx, mut commands) = mpsc::unbounded_channel();
    let (requests_tx, requests) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    tokio::spawn(
        JournalTask {
            journal: Ok(Journal::open(&location).await.unwrap()),
            requests,
            events: events_tx,
            commands: [(SourceId("am".into()), commands_tx)].into_iter().collect(),
            wake: HashMap::new(),
            clock: Arc::new(SystemClock),
            author: "ana".into(),
            cancel: cancel.clone(),
        }
        .run(),
    );
    let mine = ack("am:1");
    requests_tx
        .send(Request::Submit {
            id: mine.id,
            author: mine.author.clone(),
            source: mine.source.clone(),
            key: mine.key.clone(),
            op: mine.op.clone(),
        })
        .unwrap();
    next_event(
        &mut events,
        Duration::from_secs(5),
        "Recorded",
        |e| matches!(e, JournalEvent::Recorded(id) if *id == mine.id),
    )
    .await;
    // Recorded is told before the hand-over is decided: wait for the item to settle as
    // pending (the task writes that next).
    let waiting = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let item = cli.outbox_item(mine.id).await.unwrap().unwrap();
            if item.state == OutboxState::Pending {
                return item;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("the dashboard's ack waits");
    assert_eq!(waiting.last_error.as_deref(), Some(SCOPE_BUSY));
    assert!(commands.try_recv().is_err(), "not handed to the source");

    cli.settle(
        theirs.id,
        None,
        action_entry("am:1", "ack: done"),
        Utc::now(),
    )
    .await
    .unwrap();
    let sent = tokio::time::timeout(Duration::from_secs(15), commands.recv())
        .await
        .expect("sent once the alert is free")
        .unwrap();
    assert!(matches!(sent, SourceCommand::Perform { id, .. } if id == mine.id));
    cancel.cancel();
}

// `check` said "config ok" with a PostgreSQL journal whose role did not exist, and `info`
// printed the SQLite path with a PostgreSQL journal configured.
#[tokio::test]
async fn check_connects_to_the_journal_and_info_names_the_one_configured() {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onduty.toml");
    let write = |url: &str| {
        std::fs::write(
            &config,
            format!("journal = \"{url}\"\n[[source]]\nname = \"demo\"\nkind = \"demo\"\n"),
        )
        .unwrap();
    };
    write(&pg.url);
    let (code, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("journal ok: postgres 127.0.0.1:")
            && out.contains("as role onduty (reads, appends, and may rewrite the timeline)"),
        "{out}"
    );
    // A role the database lets only read: check says so, from the database's grants.
    {
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&pg.url).await.unwrap();
        for sql in [
            "CREATE ROLE wall_viewer LOGIN",
            "GRANT SELECT ON ALL TABLES IN SCHEMA public TO wall_viewer",
        ] {
            sqlx::query(sql).execute(&mut admin).await.unwrap();
        }
        admin.close().await.unwrap();
    }
    write(&pg.url.replace("onduty@", "wall_viewer@"));
    let (code, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("as role wall_viewer (reads only)"), "{out}");
    write(&pg.url);
    let (_, out) = support::run_onduty(dir.path(), &config, &["info"]).await;
    assert!(out.contains("journal      postgres 127.0.0.1:"), "{out}");
    write(&pg.url.replace("onduty@", "nosuchrole@"));
    let (code, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("journal FAILED") && out.contains("nosuchrole"),
        "{out}"
    );
}

// The whole journal suite again, each author logging in as themself on a journal whose roles
// are set up (issue 32): nothing a dashboard or the CLI does needs more than a responder may.
#[tokio::test]
async fn the_outbox_and_the_timeline_work_as_responders_on_postgres() {
    let pg = Postgres::start();
    outbox_lifecycle(&Place::responders(&pg, "outbox").await).await;
    one_sender_per_scope(&Place::responders(&pg, "scopes").await).await;
    timeline_append_only(&Place::responders(&pg, "appends").await).await;
    observed_once(&Place::responders(&pg, "observed").await).await;
    let place = Place::responders(&pg, "last_known").await;
    last_known_comes_back(&place.of("ana")).await;
}

#[tokio::test]
async fn incidents_notes_and_drafts_work_as_responders_on_postgres() {
    let pg = Postgres::start();
    incident_lifecycle(&Place::responders(&pg, "incidents").await).await;
    note_from_another_process_arrives(&Place::responders(&pg, "notes").await).await;
    drafts_survive_and_go_with_the_note(&Place::responders(&pg, "drafts").await).await;
}

#[tokio::test]
async fn a_note_across_an_outage_is_written_once_as_a_responder_on_postgres() {
    let pg = Postgres::start();
    let place = Place::responders(&pg, "outage").await;
    note_across_an_outage(&pg, &place.of("ana")).await;
}
