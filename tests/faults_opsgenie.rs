//! `OpsgenieSource` against the fault server, for what Prism's static examples cannot show:
//! paging to the end, Opsgenie's 20,000 window refused rather than cut, the key sent as
//! `GenieKey` and kept out of errors, hostile text sanitized; writes followed by request id
//! through 404s to success or to Opsgenie's reason, a retry following the same request, a
//! restart finding the write done and sending nothing, 429 and 401; JSM Operations' cloud id
//! found from the site and its writes without a body.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use std::sync::Mutex;

use onduty::model::AlertKey;
use onduty::sources::opsgenie::{JSM_KIND, KIND, OpsgenieSource, PAGE, WINDOW};
use onduty::sources::{Error, Operation, Source};
use support::faults::{Fault, FaultServer, Seen};
use support::opsgenie::{Fake, answer, fake};

const KEY: &str = "4f1d2c3b-aa11-bb22-cc33-dd44ee55ff66";

fn source(url: &str) -> OpsgenieSource {
    let mut c = SourceConfig::new("og", KIND);
    c.url = Some(url.into());
    c.token_command = Some(format!("printf {KEY}"));
    OpsgenieSource::new(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

/// A page of `n` alerts numbered from `from`.
fn page(from: usize, n: usize) -> String {
    let data: Vec<String> = (from..from + n)
        .map(|i| {
            format!(r#"{{"id":"a{i}","message":"alert {i}","status":"open","priority":"P2"}}"#)
        })
        .collect();
    format!(
        r#"{{"data":[{}],"took":0.1,"requestId":"r"}}"#,
        data.join(",")
    )
}

/// The `offset` a listing asked for.
fn offset_of(target: &str) -> usize {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix("offset="))
        .unwrap()
        .parse()
        .unwrap()
}

/// Whether `seen` lists alerts (not one alert's notes or log).
fn is_listing(seen: &Seen) -> bool {
    seen.target().starts_with("/v2/alerts?")
}

#[tokio::test]
async fn every_page_is_read_with_the_genie_key_until_a_short_one() {
    let s = FaultServer::start_full(|_, seen| {
        if !is_listing(seen) {
            return Fault::Body(r#"{"data":[]}"#.into());
        }
        let offset = offset_of(seen.target());
        match offset {
            0 => Fault::Body(page(0, PAGE)),
            100 => Fault::Body(page(100, PAGE)),
            _ => Fault::Body(page(offset, 17)),
        }
    })
    .await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), 2 * PAGE + 17);
    let offsets: Vec<usize> = s
        .seen()
        .iter()
        .filter(|r| is_listing(r))
        .map(|r| offset_of(r.target()))
        .collect();
    assert_eq!(offsets, [0, 100, 200]);
    let listings: Vec<Seen> = s.seen().into_iter().filter(is_listing).collect();
    let head = &listings[0].head;
    assert!(
        head.contains(&format!("authorization: GenieKey {KEY}"))
            || head.contains(&format!("Authorization: GenieKey {KEY}")),
        "{head}"
    );
    assert!(
        listings[0].target().contains("query=status%3A+open"),
        "{}",
        listings[0].target()
    );
}

#[tokio::test]
async fn more_than_the_window_is_an_error_never_a_shorter_list() {
    let s = FaultServer::start_full(|_, seen| match is_listing(seen) {
        true => Fault::Body(page(offset_of(seen.target()), PAGE)),
        false => Fault::Body(r#"{"data":[]}"#.into()),
    })
    .await;
    let err = source(&s.url).fetch().await.unwrap_err().to_string();
    assert!(
        err.contains("20000") && err.contains("narrow `query`"),
        "{err}"
    );
    assert_eq!(
        s.seen().iter().filter(|r| is_listing(r)).count(),
        WINDOW / PAGE,
        "every page the window allows, then no more"
    );
}

#[tokio::test]
async fn a_refused_key_is_named_without_its_value() {
    let s = FaultServer::start(|_, _| Fault::Reflect(401)).await;
    let err = source(&s.url).fetch().await.unwrap_err().to_string();
    assert!(!err.contains(KEY), "{err}");
    assert!(err.contains("check the"), "{err}");
}

#[tokio::test]
async fn hostile_text_is_sanitized_when_the_alert_is_built() {
    let body = r#"{"data":[{"id":"h1","message":"\u001b]52;c;ZXZpbA==\u0007pwned\u202e","status":"open","tags":["\u001b[2Jx"]}]}"#;
    let s = FaultServer::start(move |_, _| Fault::Body(body.into())).await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    let a = &snapshot.alerts[0];
    assert_eq!(&*a.title, "pwned");
    assert_eq!(a.field("tags"), Some("x"));
}

fn a1() -> AlertKey {
    AlertKey("og:a1".into())
}

fn posts(s: &FaultServer) -> Vec<Seen> {
    s.seen()
        .into_iter()
        .filter(|r| r.line.starts_with("POST"))
        .collect()
}

#[tokio::test]
async fn a_write_is_followed_through_its_404s_until_it_is_done() {
    let (s, state) = fake(Fake {
        pending: 2,
        outcome: Some(Ok(())),
        ..Fake::default()
    })
    .await;
    let mut og = source(&s.url);
    og.perform(&a1(), &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let posted = posts(&s);
    assert_eq!(posted.len(), 1);
    assert!(
        posted[0]
            .target()
            .starts_with("/v2/alerts/a1/acknowledge?identifierType=id")
    );
    let body: serde_json::Value = serde_json::from_str(&posted[0].body).unwrap();
    assert_eq!(
        (body["user"].as_str(), body["source"].as_str()),
        (Some("ana"), Some("onduty"))
    );
    assert_eq!(state.lock().unwrap().looks, 3, "two 404s, then the outcome");
    assert!(state.lock().unwrap().acknowledged);
}

#[tokio::test]
async fn a_request_that_fails_is_refused_with_opsgenies_reason() {
    let (s, _) = fake(Fake {
        pending: 1,
        outcome: Some(Err("Alert is not open for this action".into())),
        ..Fake::default()
    })
    .await;
    let err = source(&s.url)
        .perform(&a1(), &Operation::Acknowledge, "ana")
        .await
        .unwrap_err();
    assert!(!err.is_transient(), "{err}");
    assert!(
        err.to_string()
            .contains("Alert is not open for this action"),
        "{err}"
    );
}

#[tokio::test]
async fn a_retry_follows_the_same_request_and_sends_nothing_new() {
    let (s, state) = fake(Fake::default()).await;
    let mut og = source(&s.url);
    let first = onduty::sources::within(
        Duration::from_millis(700),
        og.perform(&a1(), &Operation::Acknowledge, "ana"),
    )
    .await;
    assert!(matches!(first, Err(Error::Timeout(_))), "{first:?}");
    state.lock().unwrap().outcome = Some(Ok(()));
    og.perform(&a1(), &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    assert_eq!(posts(&s).len(), 1, "the retry followed r1");
    let looked: Vec<String> = s
        .seen()
        .iter()
        .filter(|r| r.target().starts_with("/v2/alerts/requests/"))
        .map(|r| r.target().to_string())
        .collect();
    assert!(
        looked.iter().all(|t| t == "/v2/alerts/requests/r1"),
        "{looked:?}"
    );
}

#[tokio::test]
async fn a_restart_between_the_202_and_its_outcome_finds_it_done_and_sends_nothing() {
    let (s, state) = fake(Fake::default()).await;
    // The first process sends the ack and is gone before the outcome (its future dropped
    // like a killed process's); Opsgenie goes on and does it.
    let first = onduty::sources::within(
        Duration::from_millis(500),
        source(&s.url).perform(&a1(), &Operation::Acknowledge, "ana"),
    )
    .await;
    assert!(first.is_err());
    state.lock().unwrap().acknowledged = true;
    // A new process (nothing in memory) re-sends from the outbox: it looks first.
    source(&s.url)
        .perform(&a1(), &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    assert_eq!(posts(&s).len(), 1, "the re-send found the alert acked");
}

#[tokio::test]
async fn a_note_already_there_is_not_written_twice() {
    let (s, _) = fake(Fake {
        notes: vec!["rolled back".into()],
        outcome: Some(Ok(())),
        ..Fake::default()
    })
    .await;
    let note = Operation::AddNote {
        text: "rolled back".into(),
    };
    source(&s.url).perform(&a1(), &note, "ana").await.unwrap();
    assert!(posts(&s).is_empty());
    let other = Operation::AddNote {
        text: "paged the DBA".into(),
    };
    source(&s.url).perform(&a1(), &other, "ana").await.unwrap();
    assert_eq!(posts(&s).len(), 1);
}

#[tokio::test]
async fn a_429_says_how_long_to_wait_from_opsgenies_headers() {
    let s = FaultServer::start(|_, _| Fault::Headed {
        status: 429,
        headers: "X-RateLimit-State: THROTTLED\r\nX-RateLimit-Period-In-Sec: 60\r\n",
        body: r#"{"message":"Too many requests"}"#.into(),
    })
    .await;
    let err = source(&s.url).fetch().await.unwrap_err();
    assert_eq!(err, Error::RateLimited(Some(Duration::from_secs(60))));
}

fn jsm(site: &str) -> OpsgenieSource {
    let mut c = SourceConfig::new("jsm", JSM_KIND);
    c.url = Some(site.into());
    c.username = Some("ana@example.com".into());
    c.token_command = Some(format!("printf {KEY}"));
    c.set(
        "api_url",
        format!("{site}/jsm/ops/api/{{cloud_id}}").as_str(),
    );
    OpsgenieSource::new(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

#[tokio::test]
async fn jsm_finds_its_cloud_id_once_and_writes_ack_without_a_body() {
    let shared = Arc::new(Mutex::new(Fake {
        outcome: Some(Ok(())),
        ..Fake::default()
    }));
    let st = shared.clone();
    let s = FaultServer::start_full(move |_, seen| match seen.target() {
        "/_edge/tenant_info" => Fault::Body(r#"{"cloudId":"cloud-7"}"#.into()),
        t if t.starts_with("/jsm/ops/api/cloud-7/v1/alerts?") => {
            Fault::Body(r#"{"values":[{"id":"a1","status":"acked","count":3}],"count":1}"#.into())
        }
        _ => answer(&st, seen),
    })
    .await;
    let mut j = jsm(&s.url);
    let snap = j.fetch().await.unwrap();
    assert_eq!(snap.alerts[0].status, onduty::model::Status::Acked);
    j.perform(&AlertKey("jsm:a1".into()), &Operation::Resolve, "ana")
        .await
        .unwrap();
    let seen = s.seen();
    assert_eq!(
        seen.iter()
            .filter(|r| r.target() == "/_edge/tenant_info")
            .count(),
        1,
        "asked once"
    );
    let close = seen.iter().find(|r| r.line.starts_with("POST")).unwrap();
    assert_eq!(close.target(), "/jsm/ops/api/cloud-7/v1/alerts/a1/close");
    assert!(close.body.is_empty(), "JSM's close takes no body");
    assert!(
        close.head.to_lowercase().contains("authorization: basic "),
        "{}",
        close.head
    );
    assert!(
        seen.iter()
            .any(|r| r.target() == "/jsm/ops/api/cloud-7/v1/alerts/requests/r1")
    );
}

#[tokio::test]
async fn e_escalates_to_the_next_rule_of_the_escalation_responding() {
    let (s, _) = fake(Fake {
        outcome: Some(Ok(())),
        ..Fake::default()
    })
    .await;
    source(&s.url)
        .perform(&a1(), &Operation::Escalate { level: None }, "ana")
        .await
        .unwrap();
    let posted = posts(&s);
    assert_eq!(posted.len(), 1);
    assert!(posted[0].target().starts_with("/v2/alerts/a1/escalate"));
    let body: serde_json::Value = serde_json::from_str(&posted[0].body).unwrap();
    assert_eq!(body["escalation"]["id"], "e1");
    assert_eq!(body["escalation"]["type"], "escalation");
    let err = source(&s.url)
        .perform(&a1(), &Operation::Escalate { level: Some(3) }, "ana")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("next rule"), "{err}");
}

#[tokio::test]
async fn escalations_and_their_schedules_feed_the_on_call_view() {
    let s = FaultServer::start_full(|_, seen| match seen.target().split('?').next().unwrap() {
        "/v2/alerts" => Fault::Body(
            r#"{"data":[{"id":"a1","status":"open","responders":[{"type":"escalation","id":"e1"}]}]}"#
                .into(),
        ),
        "/v2/escalations" => Fault::Body(
            r#"{"data":[{"id":"e1","name":"Night","rules":[
              {"delay":{"timeAmount":0},"recipient":{"type":"schedule","id":"s1","name":"Primary"}},
              {"delay":{"timeAmount":15},"recipient":{"type":"user","username":"dana@x"}}]}]}"#
                .into(),
        ),
        "/v2/schedules/s1/on-calls" => {
            Fault::Body(r#"{"data":{"onCallRecipients":["ana@x"]}}"#.into())
        }
        "/v2/schedules/s1/next-on-calls" => {
            Fault::Body(r#"{"data":{"exactNextOnCallRecipients":["bo@x"]}}"#.into())
        }
        _ => Fault::Body(r#"{"data":[]}"#.into()),
    })
    .await;
    let snap = source(&s.url).fetch().await.unwrap();
    let p = &snap.escalation[0];
    assert_eq!(p.name, "Night");
    assert_eq!(p.levels[0].on_call[0].who, "ana@x");
    assert_eq!(p.levels[0].on_call[0].next.as_deref(), Some("bo@x"));
    assert_eq!(p.levels[1].after, chrono::TimeDelta::minutes(15));
    assert_eq!(snap.alerts[0].field("escalation_policy"), Some("Night"));
    assert!(p.covers(&snap.alerts[0]));
}

#[tokio::test]
async fn a_bulk_action_sends_every_write_first_then_follows_them() {
    let s = FaultServer::start_full(|_, seen| {
        let path = seen.target().split('?').next().unwrap().to_string();
        match seen.line.split(' ').next().unwrap() {
            "POST" => {
                let id = path.split('/').nth(3).unwrap().to_string();
                Fault::Headed {
                    status: 202,
                    headers: "",
                    body: format!(r#"{{"requestId":"r-{id}"}}"#),
                }
            }
            _ if path.starts_with("/v2/alerts/requests/") => {
                Fault::Body(r#"{"data":{"isSuccess":true,"status":"Processed"}}"#.into())
            }
            _ => {
                let id = path.trim_start_matches("/v2/alerts/");
                Fault::Body(format!(r#"{{"data":{{"id":"{id}","status":"open"}}}}"#))
            }
        }
    })
    .await;
    let items: Vec<onduty::sources::BatchItem> = (0..20)
        .map(|i| onduty::sources::BatchItem {
            key: AlertKey(format!("og:a{i}")),
            op: Operation::Acknowledge,
            author: "ana".into(),
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    source(&s.url)
        .perform_batch(&items, Duration::from_secs(10), &tx)
        .await;
    drop(tx);
    let mut outcomes = Vec::new();
    while let Some((i, r)) = rx.recv().await {
        outcomes.push((i, r.is_ok()));
    }
    outcomes.sort();
    assert_eq!(outcomes, (0..20).map(|i| (i, true)).collect::<Vec<_>>());
    let lines: Vec<String> = s.seen().iter().map(|r| r.target().to_string()).collect();
    let last_post = s
        .seen()
        .iter()
        .rposition(|r| r.line.starts_with("POST"))
        .unwrap();
    let first_look = lines
        .iter()
        .position(|t| t.starts_with("/v2/alerts/requests/"))
        .unwrap();
    assert!(last_post < first_look, "{lines:?}");
    assert_eq!(
        lines
            .iter()
            .filter(|t| t.starts_with("/v2/alerts/requests/"))
            .count(),
        20,
        "one look each: done by the time it was asked"
    );
}

#[tokio::test]
async fn an_alert_on_two_pages_is_kept_once() {
    let s = FaultServer::start_full(|_, seen| {
        if !is_listing(seen) {
            return Fault::Body(r#"{"data":[]}"#.into());
        }
        match offset_of(seen.target()) {
            0 => Fault::Body(page(0, PAGE)),
            // The list moved: the last alert of the first page leads the second.
            _ => Fault::Body(page(PAGE - 1, 17)),
        }
    })
    .await;
    let snapshot = source(&s.url).fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), PAGE + 16);
    let mut keys: Vec<&str> = snapshot.alerts.iter().map(|a| &*a.key.0).collect();
    keys.sort();
    keys.dedup();
    assert_eq!(keys.len(), PAGE + 16);
}

#[tokio::test]
async fn jsm_turns_an_email_and_an_escalation_name_into_the_ids_it_takes() {
    let shared = Arc::new(Mutex::new(Fake {
        outcome: Some(Ok(())),
        ..Fake::default()
    }));
    let st = shared.clone();
    let s = FaultServer::start_full(move |_, seen| {
        let path = seen.target().split('?').next().unwrap().to_string();
        match path.as_str() {
            "/_edge/tenant_info" => Fault::Body(r#"{"cloudId":"cloud-7"}"#.into()),
            "/rest/api/3/user/search" => Fault::Body(
                r#"[{"accountId":"557058:0a1b2c3d-aa11-bb22-cc33-dd44ee55ff66",
                     "emailAddress":"ana@example.com","displayName":"Ana"}]"#
                    .into(),
            ),
            "/jsm/ops/api/cloud-7/v1/alerts" => Fault::Body(
                r#"{"values":[{"id":"a1","status":"open","responders":[{"type":"team","id":"t1"}]}]}"#
                    .into(),
            ),
            "/jsm/ops/api/cloud-7/v1/teams/t1/escalations" => Fault::Body(
                r#"{"values":[{"id":"4a6e3e90-aa11-bb22-cc33-dd44ee55ff66","name":"Night","rules":[]}]}"#
                    .into(),
            ),
            _ => answer(&st, seen),
        }
    })
    .await;
    let mut j = jsm(&s.url);
    j.fetch().await.unwrap();
    j.fetch().await.unwrap(); // the teams of the first poll's alerts: their escalations now
    let key = AlertKey("jsm:a1".into());
    for _ in 0..2 {
        let to = Operation::Reassign {
            to: "ana@example.com".into(),
        };
        j.perform(&key, &to, "ana").await.unwrap();
    }
    let night = Operation::Reassign {
        to: "escalation:night".into(),
    };
    j.perform(&key, &night, "ana").await.unwrap();
    let seen = s.seen();
    let lookups = seen
        .iter()
        .filter(|r| {
            r.target()
                .starts_with("/rest/api/3/user/search?query=ana%40example.com")
        })
        .count();
    assert_eq!(lookups, 1, "the account id is asked once");
    let bodies: Vec<(String, serde_json::Value)> = seen
        .iter()
        .filter(|r| r.line.starts_with("POST"))
        .map(|r| {
            let action = r.target().rsplit('/').next().unwrap().to_string();
            (action, serde_json::from_str(&r.body).unwrap())
        })
        .collect();
    assert_eq!(bodies[0].0, "assign");
    assert_eq!(
        bodies[0].1["accountId"],
        "557058:0a1b2c3d-aa11-bb22-cc33-dd44ee55ff66"
    );
    let escalate = bodies.iter().find(|(a, _)| a == "escalate").unwrap();
    assert_eq!(
        escalate.1["escalationId"],
        "4a6e3e90-aa11-bb22-cc33-dd44ee55ff66"
    );
    let refused = j
        .perform(
            &key,
            &Operation::Reassign {
                to: "escalation:Day".into(),
            },
            "ana",
        )
        .await
        .unwrap_err();
    assert!(
        refused.to_string().contains("no escalation called 'Day'"),
        "{refused}"
    );
}

#[tokio::test]
async fn opsgenie_incidents_join_the_list_and_r_closes_one_through_its_request() {
    let closed = Arc::new(Mutex::new(false));
    let c = closed.clone();
    let s = FaultServer::start_full(move |_, seen| {
        let path = seen.target().split('?').next().unwrap().to_string();
        match (seen.line.split(' ').next().unwrap(), path.as_str()) {
            ("GET", "/v2/alerts") => Fault::Body(r#"{"data":[{"id":"a1","status":"open"}]}"#.into()),
            ("GET", "/v1/incidents/") => Fault::Body(
                r#"{"data":[{"id":"i1","tinyId":"7","message":"Checkout down","status":"open","priority":"P1"}]}"#
                    .into(),
            ),
            ("GET", "/v1/incidents/i1") => Fault::Body(format!(
                r#"{{"data":{{"id":"i1","status":"{}"}}}}"#,
                if *c.lock().unwrap() { "closed" } else { "open" }
            )),
            ("POST", "/v1/incidents/i1/close") => Fault::Headed {
                status: 202,
                headers: "",
                body: r#"{"result":"Request will be processed","requestId":"ri"}"#.into(),
            },
            ("GET", "/v1/incidents/requests/ri") => {
                *c.lock().unwrap() = true;
                Fault::Body(r#"{"data":{"isSuccess":true,"status":"Closed"}}"#.into())
            }
            _ => Fault::Body(r#"{"data":[]}"#.into()),
        }
    })
    .await;
    let mut og = source(&s.url);
    let snap = og.fetch().await.unwrap();
    let incident = snap
        .alerts
        .iter()
        .find(|a| a.key.0 == "og:incident:i1")
        .unwrap();
    assert_eq!(incident.field("type"), Some("incident"));
    assert_eq!(incident.severity, onduty::model::Severity::Critical);
    let key = incident.key.clone();
    og.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    og.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    let closes = s
        .seen()
        .iter()
        .filter(|r| r.line.starts_with("POST /v1/incidents/i1/close"))
        .count();
    assert_eq!(closes, 1, "the second found it closed");
    let ack = og.perform(&key, &Operation::Acknowledge, "ana").await;
    assert!(ack.unwrap_err().to_string().contains("Opsgenie incident"));
}

#[tokio::test]
async fn an_account_without_the_incident_api_is_not_asked_again() {
    let s = FaultServer::start_full(|_, seen| match seen.target().split('?').next().unwrap() {
        "/v1/incidents/" => Fault::Status(402, r#"{"message":"Your plan has no incidents"}"#),
        "/v2/alerts" => Fault::Body(r#"{"data":[{"id":"a1","status":"open"}]}"#.into()),
        _ => Fault::Body(r#"{"data":[]}"#.into()),
    })
    .await;
    let mut og = source(&s.url);
    for _ in 0..3 {
        assert_eq!(og.fetch().await.unwrap().alerts.len(), 1);
    }
    let asked = s
        .seen()
        .iter()
        .filter(|r| r.target().starts_with("/v1/incidents/"))
        .count();
    assert_eq!(asked, 1);
}

#[tokio::test]
async fn details_only_the_alert_itself_carries_join_it_from_the_next_poll() {
    let s = FaultServer::start_full(|_, seen| match seen.target().split('?').next().unwrap() {
        "/v2/alerts" => Fault::Body(r#"{"data":[{"id":"a1","status":"open"}]}"#.into()),
        "/v2/alerts/a1" => Fault::Body(
            r#"{"data":{"id":"a1","status":"open","description":"Checkout p99 above 2s",
                "details":{"runbook":"https://wiki.example.com/checkout","hosts":3}}}"#
                .into(),
        ),
        _ => Fault::Body(r#"{"data":[]}"#.into()),
    })
    .await;
    let mut og = source(&s.url);
    let first = og.fetch().await.unwrap();
    assert_eq!(
        first.alerts[0].field("detail.runbook"),
        None,
        "the listing has none"
    );
    let second = og.fetch().await.unwrap();
    let a = &second.alerts[0];
    assert_eq!(
        a.field("detail.runbook"),
        Some("https://wiki.example.com/checkout")
    );
    assert_eq!(a.field("detail.hosts"), Some("3"));
    assert_eq!(
        a.annotations.get("description"),
        Some("Checkout p99 above 2s")
    );
}
