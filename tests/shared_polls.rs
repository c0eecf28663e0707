//! Shared polling's store (issue 33) on SQLite and a real PostgreSQL: one holder of a
//! source's lease at a time (taken when free or run out, on the database's clock; let go at
//! once), frames written only while the lease is held, a newcomer reading from the newest
//! full frame, a full frame pruning the ones before it, and a 1% delta of 10,000 alerts
//! taking under 5% of the full frame's bytes.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use chrono::Utc;
use onduty::journal::polls::Frame;
use onduty::journal::{Journal, Location};
use onduty::model::Status;
use sqlx::{Connection, Row};
use support::postgres::Postgres;

const FP: &str = "am-0:0123456789abcdef";

async fn store(location: &Location) {
    let (a, b) = (
        Journal::open(location).await.unwrap(),
        Journal::open(location).await.unwrap(),
    );
    let minute = Duration::from_secs(60);
    let mine = a.hold_poll(FP, "host-a:1", "ana", minute).await.unwrap();
    assert!(mine.is_mine && mine.polled_at.is_none());
    let theirs = b.hold_poll(FP, "host-b:2", "bo", minute).await.unwrap();
    assert!(!theirs.is_mine);
    assert_eq!(theirs.who, "ana", "bo's dashboard says who polls");
    // Frames only while the lease is held.
    let alerts = onduty::testing::estate_alerts(200, 1).remove(0);
    let source = alerts[0].source.clone();
    let at = Utc::now();
    let full = Frame::Full(alerts.clone());
    assert_eq!(a.publish(FP, "host-a:1", &full, at).await.unwrap(), Some(1));
    assert_eq!(
        b.publish(FP, "host-b:2", &full, at).await.unwrap(),
        None,
        "not the holder: nothing written"
    );
    let mut after = alerts.clone();
    after[3].status = Status::Acked;
    after.pop();
    let delta = Frame::between(&alerts, &after);
    assert_eq!(
        a.publish(FP, "host-a:1", &delta, at).await.unwrap(),
        Some(2)
    );
    // A newcomer reads the full frame and the delta; one that has seq 1, the delta.
    let frames = b.frames_after(&source, FP, 0).await.unwrap();
    assert_eq!(frames.iter().map(|f| f.0).collect::<Vec<_>>(), [1, 2]);
    let mut seen = Vec::new();
    for (_, _, frame) in frames {
        frame.apply(&mut seen);
    }
    assert_eq!(seen.len(), after.len());
    assert!(
        seen.iter()
            .any(|x| x.key == after[3].key && x.status == Status::Acked)
    );
    assert_eq!(b.frames_after(&source, FP, 1).await.unwrap().len(), 1);
    assert!(b.frames_after(&source, FP, 2).await.unwrap().is_empty());
    let lease = b.hold_poll(FP, "host-b:2", "bo", minute).await.unwrap();
    assert_eq!(
        lease.polled_at.map(|t| t.timestamp_millis()),
        Some(at.timestamp_millis()),
        "the holder's last poll"
    );
    // A full frame prunes what came before; one behind it starts again from it.
    assert_eq!(
        a.publish(FP, "host-a:1", &Frame::Full(after.clone()), at)
            .await
            .unwrap(),
        Some(3)
    );
    let frames = b.frames_after(&source, FP, 1).await.unwrap();
    assert_eq!(frames.iter().map(|f| f.0).collect::<Vec<_>>(), [3]);
    // Let go: the next to look takes it.
    a.let_go_of_poll(FP, "host-a:1").await.unwrap();
    assert!(
        b.hold_poll(FP, "host-b:2", "bo", minute)
            .await
            .unwrap()
            .is_mine
    );
    assert!(
        !a.hold_poll(FP, "host-a:1", "ana", minute)
            .await
            .unwrap()
            .is_mine
    );
    // A lease that runs out (its holder killed) is taken at the next look after it.
    let short = Duration::from_millis(50);
    assert!(
        b.hold_poll(FP, "host-b:2", "bo", short)
            .await
            .unwrap()
            .is_mine
    );
    let taken = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            if a.hold_poll(FP, "host-a:1", "ana", minute)
                .await
                .unwrap()
                .is_mine
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
    })
    .await;
    assert!(taken.is_ok(), "the run-out lease was taken");
    assert_eq!(
        b.publish(FP, "host-b:2", &Frame::Full(after), at)
            .await
            .unwrap(),
        None,
        "the old holder writes nothing once it lost the lease"
    );
}

#[tokio::test]
async fn one_holder_at_a_time_and_frames_only_from_it_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    store(&Location::Sqlite(dir.path().join("j.sqlite3"))).await;
}

#[tokio::test]
async fn one_holder_at_a_time_and_frames_only_from_it_on_postgres() {
    let pg = Postgres::start();
    store(&Location::Postgres(pg.url.clone())).await;
}

#[tokio::test]
async fn as_responders_too_and_a_one_percent_delta_is_under_five_percent_of_the_bytes() {
    let pg = Postgres::start();
    let url = pg.with_responders("shared", &["ana", "bo"]).await;
    let ana = Journal::open(&Location::Postgres(url.replace("onduty@", "ana@")))
        .await
        .unwrap();
    let alerts = onduty::testing::estate_alerts(10_000, 1).remove(0);
    let mut after = alerts.clone();
    for a in after.iter_mut().step_by(100) {
        a.status = match a.status {
            Status::Acked => Status::Firing,
            _ => Status::Acked,
        };
    }
    let minute = Duration::from_secs(60);
    assert!(
        ana.hold_poll(FP, "a:1", "ana", minute)
            .await
            .unwrap()
            .is_mine
    );
    let at = Utc::now();
    ana.publish(FP, "a:1", &Frame::Full(alerts.clone()), at)
        .await
        .unwrap();
    let delta = Frame::between(&alerts, &after);
    assert_eq!(delta.len(), 100);
    ana.publish(FP, "a:1", &delta, at).await.unwrap();
    let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
    let sizes: Vec<i64> = sqlx::query(
        "SELECT CAST(octet_length(packed) AS BIGINT) AS n FROM poll_frames ORDER BY seq",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap()
    .iter()
    .map(|r| r.get("n"))
    .collect();
    assert_eq!(sizes.len(), 2);
    assert!(
        sizes[1] * 20 <= sizes[0],
        "the delta is {} bytes, the full frame {}",
        sizes[1],
        sizes[0]
    );
    // bo, another responder, reads them.
    let bo = Journal::open(&Location::Postgres(url.replace("onduty@", "bo@")))
        .await
        .unwrap();
    let source = alerts[0].source.clone();
    assert_eq!(bo.frames_after(&source, FP, 0).await.unwrap().len(), 2);
}
