//! Shared polling (issue 33). Its store on SQLite and a real PostgreSQL: one holder of a
//! source's lease at a time (taken when free or run out, on the database's clock; let go at
//! once), frames written only while the lease is held, a newcomer reading from the newest
//! full frame, a full frame pruning the ones before it, and a 1% delta of 10,000 alerts
//! taking under 5% of the full frame's bytes. Then dashboards (the real source tasks) on a
//! real Alertmanager and a real PostgreSQL: one poll per interval for two, the follower
//! showing what the Alertmanager has, the poller killed and replaced, a config that differs
//! not shared, PostgreSQL stopped (each polls alone) and back (shared again).

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
    // How long ana's lease has left, as bo reads it: a follower looks again when it ends.
    let look = b.poll_holder(FP, "host-b:2").await.unwrap().unwrap();
    assert!(
        look.left > Duration::from_secs(50) && look.left <= minute,
        "{:?}",
        look.left
    );
    // Frames only while the lease is held.
    let alerts = onduty::testing::estate_alerts(200, 1).remove(0);
    let source = alerts[0].source.clone();
    let at = Utc::now();
    let full = Frame::Full(alerts.clone());
    assert_eq!(
        a.publish(FP, "host-a:1", &full, None, at, Duration::from_secs(60))
            .await
            .unwrap(),
        Some(1)
    );
    assert_eq!(
        b.publish(FP, "host-b:2", &full, None, at, Duration::from_secs(60))
            .await
            .unwrap(),
        None,
        "not the holder: nothing written"
    );
    let mut after = alerts.clone();
    after[3].status = Status::Acked;
    after.pop();
    let delta = Frame::between(&alerts, &after);
    assert_eq!(
        a.publish(FP, "host-a:1", &delta, None, at, Duration::from_secs(60))
            .await
            .unwrap(),
        Some(2)
    );
    // A newcomer reads the full frame and the delta; one that has seq 1, the delta.
    let frames = b.frames_after(&source, FP, 0).await.unwrap();
    assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), [1, 2]);
    let mut seen = Vec::new();
    for published in frames {
        published.frame.apply(&mut seen);
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
        a.publish(
            FP,
            "host-a:1",
            &Frame::Full(after.clone()),
            None,
            at,
            Duration::from_secs(60)
        )
        .await
        .unwrap(),
        Some(3)
    );
    let frames = b.frames_after(&source, FP, 1).await.unwrap();
    assert_eq!(frames.iter().map(|f| f.seq).collect::<Vec<_>>(), [3]);
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
        b.publish(
            FP,
            "host-b:2",
            &Frame::Full(after),
            None,
            at,
            Duration::from_secs(60)
        )
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
    ana.publish(
        FP,
        "a:1",
        &Frame::Full(alerts.clone()),
        None,
        at,
        Duration::from_secs(60),
    )
    .await
    .unwrap();
    let delta = Frame::between(&alerts, &after);
    assert_eq!(delta.len(), 100);
    ana.publish(FP, "a:1", &delta, None, at, Duration::from_secs(60))
        .await
        .unwrap();
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

mod dashboards {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::{Arc, Mutex};
    use std::time::Duration;

    use onduty::clock::{SharedClock, SystemClock};
    use onduty::config::{Config, Overrides};
    use onduty::journal::{Journal, Location};
    use onduty::model::{AlertKey, SourceId};
    use onduty::sources::share::PolledBy;
    use onduty::sources::start::{self, AnySource, Built, Running, Sharing};
    use onduty::sources::{Error, Operation, Snapshot, Source, SourceEvent};

    use super::support;

    /// A source that counts its polls of the back end, and can be cut off from it (a
    /// network partition from the back end, not from PostgreSQL).
    struct Counted {
        inner: AnySource,
        polls: Arc<AtomicUsize>,
        cut_off: Arc<AtomicBool>,
    }

    impl Source for Counted {
        fn id(&self) -> &SourceId {
            self.inner.id()
        }
        async fn fetch(&mut self) -> Result<Snapshot, Error> {
            if self.cut_off.load(Ordering::SeqCst) {
                return Err(Error::Timeout(Duration::from_secs(1)));
            }
            self.polls.fetch_add(1, Ordering::SeqCst);
            self.inner.fetch().await
        }
        async fn perform(
            &mut self,
            key: &AlertKey,
            op: &Operation,
            author: &str,
        ) -> Result<(), Error> {
            self.inner.perform(key, op, author).await
        }
    }

    /// What a dashboard was last told.
    #[derive(Default)]
    struct Seen {
        alerts: Vec<String>,
        polled_by: Option<PolledBy>,
    }

    struct Dashboard {
        polls: Arc<AtomicUsize>,
        cut_off: Arc<AtomicBool>,
        seen: Arc<Mutex<Seen>>,
        running: Option<Running>,
        journal_stop: tokio_util::sync::CancellationToken,
    }

    impl Dashboard {
        async fn start(config: &Config, journal: &str, who: &str) -> Dashboard {
            let clock: SharedClock = Arc::new(SystemClock);
            let polls = Arc::new(AtomicUsize::new(0));
            let cut_off = Arc::new(AtomicBool::new(false));
            let built: Vec<Built> = start::build(config, &clock)
                .into_iter()
                .map(|b| Built {
                    info: b.info,
                    source: AnySource::new(Counted {
                        inner: b.source,
                        polls: polls.clone(),
                        cut_off: cut_off.clone(),
                    }),
                    policy: b.policy,
                })
                .collect();
            let journal = Journal::open(&Location::Postgres(journal.into()))
                .await
                .unwrap();
            let sharing = Sharing::of(config, &journal, who).map(|mut s| {
                // Two dashboards in one test process: two holders, as two processes are.
                s.holder = format!("test:{who}");
                s
            });
            assert!(sharing.is_some(), "an Alertmanager on PostgreSQL is shared");
            let mut running = start::start_sharing(built, &clock, sharing);
            let journal_stop = support::journal_task::beside(journal, &running, who);
            let seen = Arc::new(Mutex::new(Seen::default()));
            let mut events =
                std::mem::replace(&mut running.events, tokio::sync::mpsc::channel(1).1);
            let told = seen.clone();
            tokio::spawn(async move {
                while let Some(event) = events.recv().await {
                    let mut s = told.lock().unwrap();
                    match event {
                        SourceEvent::AlertsFetched { alerts, .. } => {
                            s.alerts = alerts.iter().map(|a| a.key.0.clone()).collect();
                        }
                        SourceEvent::PolledBy { by, .. } => s.polled_by = Some(by),
                        _ => {}
                    }
                }
            });
            Dashboard {
                polls,
                cut_off,
                seen,
                running: Some(running),
                journal_stop,
            }
        }

        fn polls(&self) -> usize {
            self.polls.load(Ordering::SeqCst)
        }

        fn polled_by(&self) -> Option<PolledBy> {
            self.seen.lock().unwrap().polled_by.clone()
        }

        /// Waits (at most `within`) until its alerts are `n`, each key once.
        async fn shows(&self, n: usize, within: Duration) {
            let shown = tokio::time::timeout(within, async {
                loop {
                    {
                        let s = self.seen.lock().unwrap();
                        let keys: std::collections::HashSet<_> = s.alerts.iter().collect();
                        assert_eq!(keys.len(), s.alerts.len(), "an alert shown twice");
                        if s.alerts.len() == n {
                            return;
                        }
                    }
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            let have = self.seen.lock().unwrap().alerts.len();
            assert!(
                shown.is_ok(),
                "{n} alerts not shown within {within:?} (shows {have})"
            );
        }

        /// Waits (at most `within`) until it says `by` polls.
        async fn polled_by_is(&self, by: &PolledBy, within: Duration) {
            let told = tokio::time::timeout(within, async {
                while self.polled_by().as_ref() != Some(by) {
                    tokio::time::sleep(Duration::from_millis(20)).await;
                }
            })
            .await;
            assert!(
                told.is_ok(),
                "not {by:?} within {within:?}: {:?}",
                self.polled_by()
            );
        }

        /// Dies without a word (as kill -9 does: nothing let go).
        fn kill(&mut self) {
            self.journal_stop.cancel();
            if let Some(r) = self.running.take() {
                r.cancel.cancel();
                for t in r.tasks {
                    t.abort();
                }
            }
        }
    }

    impl Drop for Dashboard {
        fn drop(&mut self) {
            self.kill();
        }
    }

    fn alerts(n: usize, prefix: &str) -> serde_json::Value {
        serde_json::Value::Array(
            (0..n)
                .map(|i| {
                    serde_json::json!({"labels": {"alertname": format!("{prefix}{i}"),
                        "severity": "critical", "service": "checkout"},
                        "annotations": {"summary": "x"}})
                })
                .collect(),
        )
    }

    fn toml(am: &support::Alertmanager, journal: &str, extra: &str) -> String {
        format!(
            "journal = \"{journal}\"\npoll_interval = \"1s\"\n{}{extra}",
            am.source_toml("am")
        )
    }

    fn config(am: &support::Alertmanager, journal: &str, extra: &str) -> Config {
        Config::from_str_at(
            &toml(am, journal, extra),
            "onduty.toml",
            &Overrides::default(),
        )
        .unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn two_dashboards_cost_the_alertmanager_one_poll_and_a_killed_poller_is_replaced() {
        let am = support::Alertmanager::start().await;
        am.post_alerts(alerts(50, "A")).await;
        let pg = super::Postgres::start();
        let cfg = config(&am, &pg.url, "");
        let second = Duration::from_secs(1);
        let mut ds = [
            Dashboard::start(&cfg, &pg.url, "ana").await,
            Dashboard::start(&cfg, &pg.url, "bo").await,
        ];
        ds[0].shows(50, 10 * second).await;
        ds[1].shows(50, 10 * second).await;
        let p = ds
            .iter()
            .position(|d| d.polled_by() == Some(PolledBy::Here))
            .expect("one dashboard polls");
        let f = 1 - p;
        let poller_name = ["ana", "bo"][p];
        assert_eq!(
            ds[f].polled_by(),
            Some(PolledBy::Other(poller_name.into())),
            "the other follows"
        );
        let follower_polls = ds[f].polls();
        // Five intervals: the poller polls about five times, the follower not at all.
        let before = ds[p].polls();
        tokio::time::sleep(5 * second).await;
        let polled = ds[p].polls() - before;
        assert!((3..=7).contains(&polled), "{polled} polls in 5 intervals");
        assert_eq!(
            ds[f].polls(),
            follower_polls,
            "the follower polled the Alertmanager"
        );
        // A change at the Alertmanager reaches the follower at the next poll (the bench
        // measures how soon: BENCHMARKS.md).
        am.post_alerts(alerts(1, "B")).await;
        ds[f].shows(51, 3 * second).await;
        // `onduty sources` says who polls and how far behind the follower is.
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("onduty.toml");
        std::fs::write(&file, toml(&am, &pg.url, "")).unwrap();
        let (code, out) = support::run_onduty(dir.path(), &file, &["sources"]).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("(this config)")
                && out.contains(&format!("polled by {poller_name}'s onduty, last poll"))
                && out.contains(&format!(
                    "followed by {}: 0 frame(s) behind",
                    ["ana", "bo"][f]
                )),
            "{out}"
        );
        let (_, out) = support::run_onduty(dir.path(), &file, &["sources", "--json"]).await;
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["polled_by"], poller_name);
        assert_eq!(v[0]["followers"][0]["behind"], 0);
        // The poller dies without a word: the follower polls within two intervals, and
        // shows the same alerts, none twice.
        ds[p].kill();
        ds[f].polled_by_is(&PolledBy::Here, 3 * second).await;
        am.post_alerts(alerts(1, "C")).await;
        ds[f].shows(52, 3 * second).await;
        assert!(ds[f].polls() > follower_polls);
        // A newcomer follows; the poller quits: it hands over at once, not after its lease.
        let cy = Dashboard::start(&cfg, &pg.url, "cy").await;
        cy.shows(52, 3 * second).await;
        cy.polled_by_is(&PolledBy::Other(["ana", "bo"][f].into()), 3 * second)
            .await;
        let running = ds[f].running.take().unwrap();
        running.shutdown(second).await;
        cy.polled_by_is(&PolledBy::Here, second).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_config_that_differs_is_not_shared_and_postgres_down_means_each_polls_alone() {
        let am = support::Alertmanager::start().await;
        am.post_alerts(alerts(20, "A")).await;
        let pg = super::Postgres::start();
        let second = Duration::from_secs(1);
        let same = config(&am, &pg.url, "");
        let narrowed = config(&am, &pg.url, "receiver = \"x.*\"\n");
        let ana = Dashboard::start(&same, &pg.url, "ana").await;
        ana.polled_by_is(&PolledBy::Here, 5 * second).await;
        let cy = Dashboard::start(&narrowed, &pg.url, "cy").await;
        cy.polled_by_is(&PolledBy::Here, 5 * second).await;
        let bo = Dashboard::start(&same, &pg.url, "bo").await;
        bo.polled_by_is(&PolledBy::Other("ana".into()), 5 * second)
            .await;
        bo.shows(20, 5 * second).await;
        // PostgreSQL stops: each polls alone, and says why.
        pg.stop();
        let alone = |d: &Dashboard| matches!(d.polled_by(), Some(PolledBy::Alone(_)));
        let both = tokio::time::timeout(10 * second, async {
            while !(alone(&ana) && alone(&bo)) {
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(both.is_ok(), "{:?} {:?}", ana.polled_by(), bo.polled_by());
        am.post_alerts(alerts(1, "B")).await;
        bo.shows(21, 5 * second).await;
        // Back: shared again, one polling.
        pg.start_again();
        let shared = tokio::time::timeout(15 * second, async {
            loop {
                let by = [ana.polled_by(), bo.polled_by()];
                let here = by.iter().filter(|b| **b == Some(PolledBy::Here)).count();
                let other = by
                    .iter()
                    .filter(|b| matches!(b, Some(PolledBy::Other(_))))
                    .count();
                if (here, other) == (1, 1) {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        assert!(shared.is_ok(), "{:?} {:?}", ana.polled_by(), bo.polled_by());
    }

    // A viewer's wall may not write the lease: it follows a responder's dashboard, and polls
    // alone (saying why) when none polls.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_viewers_wall_follows_and_polls_alone_when_nobody_polls() {
        use sqlx::Connection;
        let am = support::Alertmanager::start().await;
        am.post_alerts(alerts(10, "A")).await;
        let pg = super::Postgres::start();
        let url = pg.with_responders("team", &["ana"]).await;
        let mut admin = sqlx::PgConnection::connect(&url).await.unwrap();
        sqlx::query("CREATE ROLE wall LOGIN IN ROLE onduty_viewer")
            .execute(&mut admin)
            .await
            .unwrap();
        let second = Duration::from_secs(1);
        let (ana_url, wall_url) = (
            url.replace("onduty@", "ana@"),
            url.replace("onduty@", "wall@"),
        );
        let mut ana = Dashboard::start(&config(&am, &ana_url, ""), &ana_url, "ana").await;
        ana.polled_by_is(&PolledBy::Here, 5 * second).await;
        let wall = Dashboard::start(&config(&am, &wall_url, ""), &wall_url, "wall").await;
        wall.polled_by_is(&PolledBy::Other("ana".into()), 5 * second)
            .await;
        wall.shows(10, 5 * second).await;
        assert_eq!(wall.polls(), 0, "the wall polled the Alertmanager");
        ana.kill();
        wall.polled_by_is(
            &PolledBy::Alone("no responder's dashboard polls it for the journal".into()),
            4 * second,
        )
        .await;
        am.post_alerts(alerts(1, "B")).await;
        wall.shows(11, 3 * second).await;
    }

    // A poller cut off from the back end but not from PostgreSQL lets go at once: a
    // dashboard that reaches the back end polls, and the cut-off one follows it.
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn a_poller_cut_off_from_the_back_end_hands_over_to_one_that_reaches_it() {
        let am = support::Alertmanager::start().await;
        am.post_alerts(alerts(10, "A")).await;
        let pg = super::Postgres::start();
        let cfg = config(&am, &pg.url, "");
        let second = Duration::from_secs(1);
        let ana = Dashboard::start(&cfg, &pg.url, "ana").await;
        ana.polled_by_is(&PolledBy::Here, 5 * second).await;
        let bo = Dashboard::start(&cfg, &pg.url, "bo").await;
        bo.polled_by_is(&PolledBy::Other("ana".into()), 5 * second)
            .await;
        bo.shows(10, 5 * second).await;
        ana.cut_off.store(true, Ordering::SeqCst);
        bo.polled_by_is(&PolledBy::Here, 3 * second).await;
        ana.polled_by_is(&PolledBy::Other("bo".into()), 3 * second)
            .await;
        am.post_alerts(alerts(1, "B")).await;
        ana.shows(11, 3 * second).await;
    }
}
