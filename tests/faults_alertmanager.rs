//! The Alertmanager source against every fault the harness can inject, on both fetch paths
//! (the first poll streams into the decoder, later ones are buffered and hashed), and the
//! poller's manners under faults: Retry-After honoured, refusals not retried, backoff, one
//! request in flight, and a hanging back end leaving the UI loop responsive.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use onduty::app::SourceInfo;
use onduty::clock::{SharedClock, SystemClock};
use onduty::config::SourceConfig;
use onduty::model::SourceId;
use onduty::sources::alertmanager::AlertmanagerSource;
use onduty::sources::start::{self, AnySource, Built, Running};
use onduty::sources::{Error, PollPolicy, Source, SourceCommand, SourceEvent};
use support::faults::{Fault, FaultServer};

fn config(url: &str, cap_mb: Option<u64>) -> SourceConfig {
    let mut c = SourceConfig::new("f", onduty::sources::demo::KIND);
    c.kind = onduty::sources::alertmanager::KIND;
    c.url = Some(url.to_string());
    c.max_response_mb = cap_mb;
    c
}

/// A valid `/api/v2/alerts` answer with `n` alerts.
fn alerts_body(n: usize) -> String {
    let alerts: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"labels":{{"alertname":"A{i}","severity":"critical"}},"annotations":{{"summary":"s{i}"}},"startsAt":"2026-11-25T10:00:00Z","endsAt":"2026-11-25T11:00:00Z","updatedAt":"2026-11-25T10:00:00Z","fingerprint":"{i:016x}","receivers":[{{"name":"r"}}],"status":{{"state":"active","silencedBy":[],"inhibitedBy":[]}}}}"#
            )
        })
        .collect();
    format!("[{}]", alerts.join(","))
}

/// Answers silences with `[]` and alerts with `alerts(n)` for the n-th alerts request.
async fn server(alerts: impl Fn(usize) -> Fault + Send + Sync + 'static) -> FaultServer {
    let asked = std::sync::atomic::AtomicUsize::new(0);
    FaultServer::start(move |_, line| {
        if line.ends_with("/silences") {
            Fault::Body("[]".into())
        } else {
            alerts(asked.fetch_add(1, Ordering::SeqCst))
        }
    })
    .await
}

/// The error of the first poll (streamed path) and of a poll after a good one (buffered).
async fn both_paths(fault: Fault, timeout: Duration, cap_mb: Option<u64>) -> [Error; 2] {
    let first = {
        let f = fault.clone();
        let s = server(move |_| f.clone()).await;
        let mut src =
            AlertmanagerSource::new(config(&s.url, cap_mb), timeout, Arc::new(SystemClock))
                .unwrap();
        src.fetch().await.unwrap_err()
    };
    let later = {
        let f = fault.clone();
        let s = server(move |n| {
            if n == 0 {
                Fault::Body(alerts_body(2))
            } else {
                f.clone()
            }
        })
        .await;
        let mut src =
            AlertmanagerSource::new(config(&s.url, cap_mb), timeout, Arc::new(SystemClock))
                .unwrap();
        assert_eq!(src.fetch().await.unwrap().alerts.len(), 2);
        src.fetch().await.unwrap_err()
    };
    [first, later]
}

#[tokio::test]
async fn hangs_resets_cut_and_endless_bodies_are_errors_never_partial_lists() {
    let t = Duration::from_secs(5);
    for e in both_paths(Fault::Hang, Duration::from_millis(400), None).await {
        assert!(matches!(e, Error::Timeout(_)), "hang: {e:?}");
    }
    let reset = Fault::ResetMidBody {
        announced: 4000,
        sent: alerts_body(3)[..500].to_string(),
    };
    for e in both_paths(reset, t, None).await {
        assert!(
            matches!(e, Error::Decode(_) | Error::Connect(_)),
            "reset: {e:?}"
        );
    }
    // A body cut right after a complete element would parse as fewer alerts if read greedily.
    let whole = alerts_body(3);
    let cut = whole[..whole.rfind("},{").unwrap() + 1].to_string();
    let truncated = Fault::Truncated {
        announced: whole.len(),
        sent: cut,
    };
    for e in both_paths(truncated, t, None).await {
        assert!(
            matches!(e, Error::Decode(_) | Error::Connect(_)),
            "truncated: {e:?}"
        );
    }
    for e in both_paths(Fault::Body("[{\"labels\": ".into()), t, None).await {
        assert!(matches!(e, Error::Decode(_)), "invalid: {e:?}");
    }
    for e in both_paths(Fault::Endless, t, Some(1)).await {
        assert!(
            matches!(&e, Error::Decode(m) if m.contains("1 MB cap")),
            "endless: {e:?}"
        );
    }
    for e in both_paths(Fault::Huge(3 << 20), t, Some(2)).await {
        assert!(
            matches!(&e, Error::Decode(m) if m.contains("2 MB cap")),
            "huge: {e:?}"
        );
    }
}

#[tokio::test]
async fn statuses_are_classified_for_retry() {
    let t = Duration::from_secs(5);
    for code in [500, 502, 503] {
        for e in both_paths(Fault::Status(code, "{}"), t, None).await {
            assert!(e.is_transient() && !e.is_refusal(), "{code}: {e:?}");
        }
    }
    for code in [401, 403, 404] {
        for e in both_paths(Fault::Status(code, "no"), t, None).await {
            assert!(!e.is_transient() && e.is_refusal(), "{code}: {e:?}");
        }
    }
    for e in both_paths(Fault::RateLimited(Some("7")), t, None).await {
        assert_eq!(e, Error::RateLimited(Some(Duration::from_secs(7))));
        assert!(e.to_string().contains("retrying after 7s"), "{e}");
    }
    let in_a_minute = (chrono::Utc::now() + chrono::TimeDelta::seconds(61)).to_rfc2822();
    let date: &'static str = Box::leak(in_a_minute.replace("+0000", "GMT").into_boxed_str());
    for e in both_paths(Fault::RateLimited(Some(date)), t, None).await {
        let Error::RateLimited(Some(after)) = e else {
            panic!("{e:?}")
        };
        assert!((55..=61).contains(&after.as_secs()), "{after:?}");
    }
    for e in both_paths(Fault::RateLimited(Some("999999999")), t, None).await {
        assert_eq!(
            e,
            Error::RateLimited(Some(onduty::sources::RETRY_AFTER_CAP))
        );
    }
}

#[tokio::test]
async fn slow_and_dribbled_answers_arrive_whole() {
    let body = alerts_body(40);
    let t = Duration::from_secs(20);
    let one_byte = server({
        let b = body.clone();
        move |_| Fault::OneByteChunks(b.clone())
    })
    .await;
    let mut src =
        AlertmanagerSource::new(config(&one_byte.url, None), t, Arc::new(SystemClock)).unwrap();
    assert_eq!(src.fetch().await.unwrap().alerts.len(), 40, "streamed");
    assert_eq!(src.fetch().await.unwrap().alerts.len(), 40, "buffered");

    // ~16 KB at 10 KB/s: done in under 2 s when the timeout allows, a timeout when not.
    let slow = |b: String| {
        move |_| Fault::Throttled {
            body: b.clone(),
            bytes_per_sec: 10_000,
        }
    };
    let s = server(slow(body.clone())).await;
    let mut src = AlertmanagerSource::new(config(&s.url, None), t, Arc::new(SystemClock)).unwrap();
    assert_eq!(src.fetch().await.unwrap().alerts.len(), 40);
    let s = server(slow(body)).await;
    let mut src = AlertmanagerSource::new(
        config(&s.url, None),
        Duration::from_millis(500),
        Arc::new(SystemClock),
    )
    .unwrap();
    assert!(matches!(src.fetch().await, Err(Error::Timeout(_))));
}

fn start_polling(url: &str, interval: Duration, max_backoff: Duration) -> Running {
    let clock: SharedClock = Arc::new(SystemClock);
    let policy = PollPolicy {
        interval,
        timeout: Duration::from_secs(5),
        max_backoff,
        phase: Duration::ZERO,
    };
    let source = AlertmanagerSource::new(config(url, None), policy.timeout, clock.clone()).unwrap();
    let built = Built {
        info: SourceInfo::new(
            SourceId("f".into()),
            onduty::sources::alertmanager::KIND,
            interval,
        ),
        source: AnySource::new(source),
        policy,
    };
    start::start(vec![built], &clock)
}

async fn next_failure(running: &mut Running) -> String {
    loop {
        match running.events.recv().await.unwrap() {
            SourceEvent::PollFailed { error, .. } => return error,
            SourceEvent::PauseChanged { .. } => {}
            other => panic!("expected a failure, got {other:?}"),
        }
    }
}

fn poll_now(running: &Running) {
    for tx in running.commands.values() {
        tx.send(SourceCommand::PollNow).unwrap();
    }
}

#[tokio::test]
async fn retry_after_is_honoured_even_when_a_poll_is_asked_for() {
    let s = FaultServer::start(|n, _| {
        if n == 0 {
            Fault::RateLimited(Some("1"))
        } else {
            Fault::Status(503, "{}")
        }
    })
    .await;
    let mut running = start_polling(&s.url, Duration::from_millis(20), Duration::from_millis(40));
    let error = next_failure(&mut running).await;
    assert!(error.contains("retrying after 1s"), "{error}");
    poll_now(&running);
    next_failure(&mut running).await;
    let seen = s.seen();
    let gap = seen[1].at - seen[0].at;
    assert!(gap >= Duration::from_secs(1), "asked again after {gap:?}");
    running.cancel.cancel();
}

#[tokio::test]
async fn a_refusal_is_shown_and_not_retried_until_asked() {
    let s = FaultServer::start(|_, _| Fault::Status(401, "bad token")).await;
    let mut running = start_polling(&s.url, Duration::from_millis(10), Duration::from_millis(20));
    let error = next_failure(&mut running).await;
    assert!(
        error.contains("HTTP 401") && error.contains("not retried"),
        "{error}"
    );
    // Fifty intervals pass without a request (a retrying poller would have made dozens).
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(s.seen().len(), 1, "{:?}", s.seen());
    poll_now(&running);
    next_failure(&mut running).await;
    assert_eq!(s.seen().len(), 2);
    running.cancel.cancel();
}

#[tokio::test]
async fn server_errors_back_off_up_to_the_cap() {
    let s = FaultServer::start(|_, _| Fault::Status(503, "{}")).await;
    let mut running = start_polling(
        &s.url,
        Duration::from_millis(50),
        Duration::from_millis(400),
    );
    for _ in 0..5 {
        next_failure(&mut running).await;
    }
    let at: Vec<Instant> = s.seen().iter().map(|r| r.at).collect();
    let gaps: Vec<Duration> = at.windows(2).map(|w| w[1] - w[0]).collect();
    // 100, 200, 400, 400 ms ± 20 %: later gaps are longer than the first, and capped.
    assert!(gaps[0] >= Duration::from_millis(80), "{gaps:?}");
    assert!(gaps[2] >= Duration::from_millis(320), "{gaps:?}");
    assert!(gaps[3] < Duration::from_millis(1000), "{gaps:?}");
    running.cancel.cancel();
}

#[tokio::test]
async fn a_source_never_has_two_requests_in_flight() {
    let body = alerts_body(5);
    let s = FaultServer::start(move |_, line| {
        if line.ends_with("/silences") {
            Fault::Slow(Duration::from_millis(100))
        } else {
            Fault::Body(body.clone())
        }
    })
    .await;
    let mut running = start_polling(&s.url, Duration::from_millis(5), Duration::from_millis(5));
    for _ in 0..4 {
        poll_now(&running);
        let event = running.events.recv().await.unwrap();
        assert!(
            !matches!(event, SourceEvent::PollFailed { .. }),
            "{event:?}"
        );
    }
    assert!(s.seen().len() >= 8);
    assert_eq!(s.most_in_flight(), 1);
    running.cancel.cancel();
}

/// A back end that accepts and never answers does not hold the loop: a key is handled and
/// the loop ends (its input closed) long before the hanging poll's 60 s timeout.
#[tokio::test]
async fn a_hanging_back_end_leaves_the_loop_responsive() {
    let s = FaultServer::start(|_, _| Fault::Hang).await;
    let clock: SharedClock = Arc::new(SystemClock);
    let policy = PollPolicy {
        interval: Duration::from_secs(60),
        timeout: Duration::from_secs(60),
        max_backoff: Duration::from_secs(60),
        phase: Duration::ZERO,
    };
    let source =
        AlertmanagerSource::new(config(&s.url, None), policy.timeout, clock.clone()).unwrap();
    let mut app = onduty::testing::empty_app(clock.now());
    let info = SourceInfo {
        id: SourceId("f".into()),
        ..app.sources[0].info.clone()
    };
    app.sources[0].info = info.clone();
    let built = Built {
        info,
        source: AnySource::new(source),
        policy,
    };
    let running = start::start(vec![built], &clock);
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let server = s.clone();
    tokio::spawn(async move {
        while server.seen().is_empty() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let help = KeyEvent::new(KeyCode::Char('?'), KeyModifiers::NONE);
        tx.send(Ok(Event::Key(help))).unwrap();
        // Dropping the sender ends the input: the loop leaves as if the terminal closed.
    });
    let events =
        futures::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (e, rx)) });
    let started = Instant::now();
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 30)).unwrap();
    let (app, exit) = onduty::runtime::run(
        &mut terminal,
        app,
        Box::pin(events),
        running,
        Err(onduty::journal::JournalError::Open {
            place: "journal".into(),
            message: "none in this test".into(),
        }),
        clock,
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(
        exit,
        onduty::runtime::Exit::TerminalGone("end of input".into())
    );
    assert!(
        matches!(app.overlay, onduty::app::Overlay::Help(_)),
        "the key was handled"
    );
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "the loop waited for the poll"
    );
    assert_eq!(s.seen().len(), 1, "the one hanging request");
}

// A million `{}` was "ok, 1,000,000 alerts" in health while the list showed one `?` row and
// the process held 330 MB: items with no fingerprint or labels are counted, not kept, on the
// streamed first poll and on a later buffered one alike.
#[tokio::test]
async fn a_million_empty_items_are_counted_as_invalid_and_not_kept() {
    let empties = format!("[{}]", vec!["{}"; 1_000_000].join(","));
    let mixed = alerts_body(3).replacen('[', &format!("[{}", "{},".repeat(1000)), 1);
    let s = server(move |n| match n {
        0 => Fault::Body(empties.clone()),
        _ => Fault::Body(mixed.clone()),
    })
    .await;
    let mut src = AlertmanagerSource::new(
        config(&s.url, None),
        Duration::from_secs(30),
        Arc::new(SystemClock),
    )
    .unwrap();
    let first = src.fetch().await.unwrap();
    assert_eq!((first.alerts.len(), first.invalid), (0, 1_000_000));
    let second = src.fetch().await.unwrap();
    assert_eq!((second.alerts.len(), second.invalid), (3, 1000));
}
