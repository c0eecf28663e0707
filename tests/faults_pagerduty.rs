//! `PagerDutySource` against the fault server, for what Prism's static examples cannot do:
//! pagination over several pages and up to PagerDuty's offset limit, 429 with its
//! `ratelimit-reset`, 401 with a clear message, 5xx retried by the poller, an ack re-sent
//! after it took (nothing sent twice), one request in flight per token.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use onduty::app::SourceInfo;
use onduty::clock::{SharedClock, SystemClock};
use onduty::config::{Config, Overrides, SourceConfig};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::pagerduty::PagerDutySource;
use onduty::sources::start::{self, AnySource, Built};
use onduty::sources::{Error, Operation, PollPolicy, Source, SourceEvent};
use serde_json::json;
use support::faults::{Fault, FaultServer};

fn config(url: &str) -> SourceConfig {
    let toml = format!(
        "[[source]]\nname = 'pd'\nkind = 'pagerduty'\nurl = '{url}'\n\
         token_command = 'printf pd-canary-token'\nfrom_email = 'oncall@example.com'\n"
    );
    Config::from_str_at(&toml, "pd.toml", &Overrides::default())
        .unwrap()
        .sources[0]
        .clone()
}

fn source(url: &str) -> PagerDutySource {
    PagerDutySource::new(config(url), Duration::from_secs(5), Arc::new(SystemClock)).unwrap()
}

fn incident(id: &str, status: &str) -> serde_json::Value {
    json!({"id": id, "title": format!("incident {id}"), "status": status, "urgency": "high",
           "created_at": "2026-11-25T10:00:00Z",
           "assignments": [{"at": "2026-11-25T10:00:00Z", "assignee": {"id": "PUSER01", "summary": "ana"}}]})
}

fn page(from: usize, n: usize, more: bool) -> String {
    let items: Vec<_> = (from..from + n)
        .map(|i| incident(&format!("P{i:06}"), "triggered"))
        .collect();
    json!({"incidents": items, "limit": 100, "offset": from, "more": more}).to_string()
}

/// An incident's (empty) notes or log entries.
fn notes_or_log(line: &str) -> Fault {
    if line.ends_with("/log_entries") {
        Fault::Body(r#"{"log_entries":[],"more":false}"#.into())
    } else {
        Fault::Body(r#"{"notes":[]}"#.into())
    }
}

const NO_POLICIES: &str = r#"{"escalation_policies":[],"more":false}"#;

#[tokio::test]
async fn every_page_is_read_and_each_asks_for_the_next_offset() {
    let pages = Arc::new(AtomicUsize::new(0));
    let p = pages.clone();
    let s = FaultServer::start(move |_, line| match line {
        "GET /escalation_policies" => Fault::Body(NO_POLICIES.into()),
        "GET /incidents" => match p.fetch_add(1, Ordering::SeqCst) {
            0 => Fault::Body(page(0, 100, true)),
            1 => Fault::Body(page(100, 100, true)),
            _ => Fault::Body(page(200, 17, false)),
        },
        other => notes_or_log(other),
    })
    .await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), 217);
    let offsets: Vec<String> = s
        .seen()
        .iter()
        .filter(|r| r.line == "GET /incidents")
        .map(|r| {
            let target = r.head.split_whitespace().nth(1).unwrap().to_string();
            assert!(target.contains("limit=100"), "{target}");
            assert!(
                target.contains("statuses%5B%5D=triggered")
                    && target.contains("statuses%5B%5D=acknowledged"),
                "{target}"
            );
            target
                .split(['?', '&'])
                .find_map(|kv| kv.strip_prefix("offset="))
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(offsets, ["0", "100", "200"]);
}

#[tokio::test]
async fn open_incidents_of_any_age_and_recently_resolved_ones_on_demand() {
    let s = FaultServer::start(|_, line| match line {
        "GET /escalation_policies" => Fault::Body(NO_POLICIES.into()),
        "GET /incidents" => Fault::Body(page(0, 2, false)),
        other => notes_or_log(other),
    })
    .await;
    let mut pd = source(&s.url);
    pd.fetch().await.unwrap();
    let targets = |s: &FaultServer| -> Vec<String> {
        s.seen()
            .iter()
            .filter(|r| r.line == "GET /incidents")
            .map(|r| r.head.split_whitespace().nth(1).unwrap().to_string())
            .collect()
    };
    let first = targets(&s);
    assert_eq!(first.len(), 1);
    // Without date_range=all PagerDuty would list only the last month's incidents.
    assert!(first[0].contains("date_range=all"), "{first:?}");
    pd.show_resolved(Some(Duration::from_secs(24 * 3600)));
    pd.fetch().await.unwrap();
    let second = targets(&s);
    assert_eq!(second.len(), 3, "open, then resolved: {second:?}");
    assert!(
        second[2].contains("statuses%5B%5D=resolved")
            && second[2].contains("since=")
            && second[2].contains("until=")
            && !second[2].contains("date_range"),
        "{second:?}"
    );
}

#[tokio::test]
async fn mine_only_asks_who_the_token_is_once_and_filters_on_them() {
    let s = FaultServer::start(|_, line| match line {
        "GET /escalation_policies" => Fault::Body(NO_POLICIES.into()),
        "GET /users/me" => Fault::Body(r#"{"user":{"id":"PME0001","summary":"ana"}}"#.into()),
        "GET /incidents" => Fault::Body(page(0, 1, false)),
        other => notes_or_log(other),
    })
    .await;
    let mut pd = source(&s.url);
    pd.fetch().await.unwrap();
    pd.set_mine_only(true);
    pd.fetch().await.unwrap();
    pd.fetch().await.unwrap();
    let seen = s.seen();
    let me = seen.iter().filter(|r| r.line == "GET /users/me").count();
    assert_eq!(me, 1, "asked once: {seen:?}");
    let lists: Vec<&str> = seen
        .iter()
        .filter(|r| r.line == "GET /incidents")
        .map(|r| r.head.split_whitespace().nth(1).unwrap())
        .collect();
    assert!(!lists[0].contains("user_ids"), "{lists:?}");
    assert!(lists[1].contains("user_ids%5B%5D=PME0001"), "{lists:?}");
}

#[tokio::test]
async fn a_list_longer_than_pagerduty_can_page_is_an_error_not_a_cut() {
    let pages = Arc::new(AtomicUsize::new(0));
    let p = pages.clone();
    let s = FaultServer::start(move |_, line| match line {
        "GET /escalation_policies" => Fault::Body(NO_POLICIES.into()),
        _ => Fault::Body(page(p.fetch_add(1, Ordering::SeqCst) * 100, 100, true)),
    })
    .await;
    let err = source(&s.url).fetch().await.unwrap_err();
    assert!(
        err.to_string().contains("more than 10000") && err.to_string().contains("team_ids"),
        "{err}"
    );
    assert_eq!(
        pages.load(Ordering::SeqCst),
        100,
        "100 pages of 100, then it stops"
    );
}

#[tokio::test]
async fn a_429_waits_for_ratelimit_reset_and_a_401_says_check_the_token() {
    let limited = FaultServer::start(|_, _| Fault::Headed {
        status: 429,
        headers: "ratelimit-limit: 960\r\nratelimit-remaining: 0\r\nratelimit-reset: 17\r\n",
        body: r#"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#.into(),
    })
    .await;
    let err = source(&limited.url).fetch().await.unwrap_err();
    assert_eq!(err, Error::RateLimited(Some(Duration::from_secs(17))));
    assert!(err.to_string().contains("retrying after 17s"), "{err}");

    let refused = FaultServer::start(|_, _| {
        Fault::Status(
            401,
            r#"{"error":{"message":"Unauthorized","code":2006},"echo":"Token token=pd-canary-token"}"#,
        )
    })
    .await;
    let err = source(&refused.url).fetch().await.unwrap_err().to_string();
    assert!(
        err.contains("HTTP 401") && err.contains("check the token"),
        "{err}"
    );
    assert!(
        !err.contains("pd-canary-token"),
        "the token is never shown: {err}"
    );
    // The token went as PagerDuty wants it, with the version-selecting Accept header.
    let head = &refused.seen()[0].head.to_ascii_lowercase();
    assert!(
        head.contains("authorization: token token=pd-canary-token"),
        "{head}"
    );
    assert!(
        head.contains("accept: application/vnd.pagerduty+json;version=2"),
        "{head}"
    );
}

#[tokio::test]
async fn a_server_error_is_retried_by_the_poller_and_the_picture_arrives() {
    let s = FaultServer::start(|n, line| match (n, line) {
        (0, _) => Fault::Status(503, r#"{"error":"maintenance"}"#),
        (_, "GET /escalation_policies") => Fault::Body(NO_POLICIES.into()),
        (_, "GET /incidents") => Fault::Body(page(0, 3, false)),
        (_, other) => notes_or_log(other),
    })
    .await;
    let clock: SharedClock = Arc::new(SystemClock);
    let policy = PollPolicy {
        interval: Duration::from_secs(60),
        timeout: Duration::from_secs(5),
        max_backoff: Duration::from_millis(200),
        phase: Duration::ZERO,
    };
    let built = Built {
        info: SourceInfo::new(
            SourceId("pd".into()),
            onduty::sources::pagerduty::KIND,
            policy.interval,
        ),
        source: AnySource::new(source(&s.url)),
        policy,
    };
    let mut running = start::start(vec![built], &clock);
    let mut failed = false;
    let alerts = loop {
        match running.events.recv().await.unwrap() {
            SourceEvent::PollFailed { error, .. } => {
                assert!(error.contains("HTTP 503"), "{error}");
                failed = true;
            }
            SourceEvent::AlertsFetched { alerts, .. } => break alerts,
            _ => {}
        }
    };
    assert!(failed, "the 503 was reported first");
    assert_eq!(alerts.len(), 3);
    running.cancel.cancel();
}

#[tokio::test]
async fn an_ack_re_sent_after_it_took_sends_nothing_twice() {
    let acked = Arc::new(AtomicBool::new(false));
    let a = acked.clone();
    let s = FaultServer::start(move |_, line| match line {
        "PUT /incidents/PABC123" => {
            a.store(true, Ordering::SeqCst);
            Fault::Body(json!({"incident": incident("PABC123", "acknowledged")}).to_string())
        }
        "GET /incidents/PABC123" => {
            let status = if a.load(Ordering::SeqCst) {
                "acknowledged"
            } else {
                "triggered"
            };
            Fault::Body(json!({"incident": incident("PABC123", status)}).to_string())
        }
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let mut pd = source(&s.url);
    let key = AlertKey("pd:PABC123".into());
    pd.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    // The outbox re-sends after a lost answer: the incident is looked up and found acked.
    pd.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let lines: Vec<String> = s.seen().into_iter().map(|r| r.line).collect();
    assert_eq!(
        lines,
        [
            "GET /incidents/PABC123",
            "PUT /incidents/PABC123",
            "GET /incidents/PABC123"
        ]
    );
    let put = s
        .seen()
        .into_iter()
        .find(|r| r.line.starts_with("PUT"))
        .unwrap();
    assert!(
        put.head
            .to_ascii_lowercase()
            .contains("from: oncall@example.com"),
        "{}",
        put.head
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_sources_on_one_token_never_have_two_requests_in_flight() {
    let s = FaultServer::start(|_, line| match line {
        "GET /escalation_policies" => Fault::Throttled {
            body: NO_POLICIES.into(),
            bytes_per_sec: 400,
        },
        _ => Fault::Throttled {
            body: page(0, 1, false),
            bytes_per_sec: 4000,
        },
    })
    .await;
    let (mut a, mut b) = (source(&s.url), source(&s.url));
    let (ra, rb) = tokio::join!(a.fetch(), b.fetch());
    ra.unwrap();
    rb.unwrap();
    assert!(s.seen().len() >= 4, "{:?}", s.seen());
    assert_eq!(s.most_in_flight(), 1);
}

/// Whether `s` holds nothing that could steer a terminal or hide text.
fn is_inert(s: &str) -> bool {
    let steers = |c: char| {
        (c.is_control() && c != '\n')
            || matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}')
            || matches!(c, '\u{2060}'..='\u{2069}' | '\u{feff}' | '\u{61c}')
            || ('\u{e0000}'..='\u{e007f}').contains(&c)
    };
    !s.chars().any(steers)
}

#[tokio::test]
async fn hostile_text_from_pagerduty_arrives_inert_and_capped() {
    const EVIL: &str = "a\u{1b}]52;c;ZXZpbA==\u{7}b\u{202e}c\u{200b}d\u{9b}2Je\u{e0041}";
    let huge = "x".repeat(1 << 20);
    let policies = json!({"escalation_policies": [{"id": "PEVIL01", "name": EVIL,
        "escalation_rules": [{"escalation_delay_in_minutes": 5,
            "targets": [{"id": "S1", "summary": EVIL}]}],
        "services": [{"id": "SV", "summary": EVIL}]}], "more": false})
    .to_string();
    let oncalls = json!({"oncalls": [{"user": {"id": "U1", "summary": EVIL},
        "schedule": {"id": "S1", "summary": EVIL}, "escalation_policy": {"id": "PEVIL01"},
        "escalation_level": 1, "start": null, "end": null}], "more": false})
    .to_string();
    let mut i = incident("PEVIL01", "triggered");
    i["title"] = json!(format!("{EVIL}{huge}"));
    i["service"] = json!({"id": "SV", "summary": EVIL});
    i["escalation_policy"] = json!({"id": "PEVIL01", "summary": EVIL});
    let incidents = json!({"incidents": [i], "more": false}).to_string();
    let notes = json!({"notes": [{"content": EVIL, "user": {"summary": EVIL}}]}).to_string();
    let log = json!({"log_entries": [{"id": "L1", "type": "escalate_log_entry",
        "summary": EVIL, "agent": {"summary": EVIL}}], "more": false})
    .to_string();
    let s = FaultServer::start(move |_, line| {
        Fault::Body(match line {
            "GET /escalation_policies" => policies.clone(),
            "GET /oncalls" => oncalls.clone(),
            "GET /incidents" => incidents.clone(),
            l if l.ends_with("/notes") => notes.clone(),
            _ => log.clone(),
        })
    })
    .await;
    assert!(!is_inert(EVIL), "the check sees what it checks for");
    let snapshot = source(&s.url).fetch().await.unwrap();
    let a = &snapshot.alerts[0];
    assert!(a.title.chars().count() <= onduty::model::sanitize::TITLE_CAP);
    assert!(a.title.starts_with("abcde"), "{}", &a.title[..40]);
    let mut texts: Vec<String> = vec![a.title.to_string(), a.service.to_string()];
    texts.extend(a.labels.iter().map(|(_, v)| v.to_string()));
    texts.extend(
        a.notes
            .iter()
            .flat_map(|n| [n.author.clone(), n.text.clone()]),
    );
    let p = &snapshot.escalation[0];
    texts.push(p.name.clone());
    texts.extend(p.services.clone());
    for on in p.levels.iter().flat_map(|l| l.on_call.iter()) {
        texts.push(on.who.clone());
        texts.extend(on.via.clone());
    }
    assert_eq!(a.notes.len(), 2, "the note and the log entry");
    for t in &texts {
        assert!(is_inert(t), "{t:?}");
    }
    assert_eq!(p.name, "abcde");
}
