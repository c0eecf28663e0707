//! PagerDuty bulk actions against the fault server (Prism checks the request's shape in
//! `contract_pagerduty`): a batch of acks is one listing and `PUT /incidents` requests of at
//! most 250, a re-sent batch sends only what is left, a refused request is done again one
//! incident at a time, a 429 stops the batch, an ack goes before a resolve of the same
//! incident, and reassigns go in bulk too.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::{Config, Overrides};
use onduty::model::AlertKey;
use onduty::sources::pagerduty::PagerDutySource;
use onduty::sources::{BatchItem, Error, Operation, Source};
use serde_json::{Value, json};
use support::faults::{Fault, FaultServer, Seen};

fn source(url: &str) -> PagerDutySource {
    let toml = format!(
        "[[source]]\nname = 'pd'\nkind = 'pagerduty'\nurl = '{url}'\n\
         token_command = 'printf pd-canary-token'\nfrom_email = 'oncall@example.com'\n"
    );
    let config = Config::from_str_at(&toml, "pd.toml", &Overrides::default())
        .unwrap()
        .sources[0]
        .clone();
    PagerDutySource::new(config, Duration::from_secs(5), Arc::new(SystemClock)).unwrap()
}

fn id(n: usize) -> String {
    format!("P{n:06}")
}

fn incident(id: &str, status: &str) -> Value {
    json!({"id": id, "title": format!("incident {id}"), "status": status, "urgency": "high",
           "created_at": "2026-11-25T10:00:00Z",
           "escalation_policy": {"id": "PPOLOLD", "summary": "Old"},
           "assignments": [{"at": "2026-11-25T10:00:00Z", "assignee": {"id": "PUSER01", "summary": "ana"}}]})
}

/// The page of the open-incident listing at `offset` (in the request's query), 100 a page,
/// over `incidents`.
fn listing(seen: &Seen, incidents: &[Value]) -> Fault {
    let offset: usize = seen
        .target()
        .split(['?', '&'])
        .find_map(|kv| kv.strip_prefix("offset="))
        .and_then(|o| o.parse().ok())
        .unwrap_or(0);
    let page: Vec<&Value> = incidents.iter().skip(offset).take(100).collect();
    let more = offset + page.len() < incidents.len();
    Fault::Body(
        json!({"incidents": page, "limit": 100, "offset": offset, "more": more}).to_string(),
    )
}

fn item(n: usize, op: Operation) -> BatchItem {
    BatchItem {
        key: AlertKey(format!("pd:{}", id(n))),
        op,
        author: "ana".into(),
    }
}

/// Performs `items` as one batch; every item is told exactly once.
async fn batch(pd: &mut PagerDutySource, items: &[BatchItem]) -> Vec<Result<(), Error>> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    pd.perform_batch(items, Duration::from_secs(5), &tx).await;
    drop(tx);
    let mut told: Vec<Option<Result<(), Error>>> = vec![None; items.len()];
    while let Some((i, result)) = rx.recv().await {
        assert!(told[i].is_none(), "item {i} told twice");
        told[i] = Some(result);
    }
    told.into_iter()
        .enumerate()
        .map(|(i, r)| r.unwrap_or_else(|| panic!("item {i} never told")))
        .collect()
}

/// The bodies of the `PUT /incidents` requests seen, in order.
fn bulk_bodies(s: &FaultServer) -> Vec<Vec<Value>> {
    s.seen()
        .iter()
        .filter(|r| r.line == "PUT /incidents")
        .map(|r| {
            let body: Value = serde_json::from_str(&r.body).unwrap();
            body["incidents"].as_array().unwrap().clone()
        })
        .collect()
}

const UPDATED: &str = r#"{"incidents":[]}"#;

#[tokio::test]
async fn five_hundred_acks_are_one_listing_and_two_requests_of_250() {
    let open: Vec<Value> = (0..500).map(|n| incident(&id(n), "triggered")).collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Body(UPDATED.into()),
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let items: Vec<BatchItem> = (0..500).map(|n| item(n, Operation::Acknowledge)).collect();
    let told = batch(&mut source(&s.url), &items).await;
    assert!(told.iter().all(Result::is_ok), "{told:?}");

    let lines: Vec<String> = s.lines();
    let count = |l: &str| lines.iter().filter(|s| *s == l).count();
    assert_eq!(count("GET /incidents"), 5, "five pages of 100: {lines:?}");
    assert_eq!(count("PUT /incidents"), 2, "{lines:?}");
    assert_eq!(lines.len(), 7, "no look or request per incident: {lines:?}");
    let bodies = bulk_bodies(&s);
    assert_eq!(bodies[0].len(), 250);
    assert_eq!(bodies[1].len(), 250);
    let sent: BTreeSet<String> = bodies
        .iter()
        .flatten()
        .map(|c| {
            assert_eq!(c["type"], "incident_reference");
            assert_eq!(c["status"], "acknowledged");
            c["id"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(sent, (0..500).map(id).collect::<BTreeSet<_>>());
    let put = s
        .seen()
        .into_iter()
        .find(|r| r.line == "PUT /incidents")
        .unwrap();
    assert!(
        put.head
            .to_ascii_lowercase()
            .contains("from: oncall@example.com"),
        "{}",
        put.head
    );
}

#[tokio::test]
async fn a_batch_re_sent_after_part_of_it_took_sends_only_what_is_left() {
    // P0, P2, P4, P6, P8 were acked before the answer was lost; P9 resolved since.
    let open: Vec<Value> = (0..9)
        .map(|n| {
            let status = if n % 2 == 0 {
                "acknowledged"
            } else {
                "triggered"
            };
            incident(&id(n), status)
        })
        .collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Body(UPDATED.into()),
        "GET /incidents/P000009" => {
            Fault::Body(json!({"incident": incident("P000009", "resolved")}).to_string())
        }
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let items: Vec<BatchItem> = (0..10).map(|n| item(n, Operation::Acknowledge)).collect();
    let told = batch(&mut source(&s.url), &items).await;
    assert!(told.iter().all(Result::is_ok), "{told:?}");
    let sent: Vec<String> = bulk_bodies(&s)
        .concat()
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(sent, [1, 3, 5, 7].map(id));
    // The one no longer open is looked at alone, found resolved, and left alone.
    let lines = s.lines();
    assert!(
        lines.contains(&"GET /incidents/P000009".to_string()),
        "{lines:?}"
    );
    assert!(
        !lines.iter().any(|l| l.starts_with("PUT /incidents/")),
        "{lines:?}"
    );
}

#[tokio::test]
async fn a_refused_bulk_request_is_done_one_incident_at_a_time() {
    let open: Vec<Value> = (0..3).map(|n| incident(&id(n), "triggered")).collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Status(
            400,
            r#"{"error":{"message":"Invalid Input Provided","code":2001}}"#,
        ),
        "PUT /incidents/P000001" => Fault::Status(
            400,
            r#"{"error":{"message":"Incident cannot be acknowledged","code":2001}}"#,
        ),
        l if l.starts_with("PUT /incidents/") => Fault::Body("{}".into()),
        l if l.starts_with("GET /incidents/") => {
            let id = l.trim_start_matches("GET /incidents/");
            Fault::Body(json!({"incident": incident(id, "triggered")}).to_string())
        }
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let items: Vec<BatchItem> = (0..3).map(|n| item(n, Operation::Acknowledge)).collect();
    let told = batch(&mut source(&s.url), &items).await;
    assert!(told[0].is_ok() && told[2].is_ok(), "{told:?}");
    let refused = told[1].clone().unwrap_err();
    assert!(!refused.is_transient(), "{refused}");
    assert!(refused.to_string().contains("HTTP 400"), "{refused}");
    let puts: Vec<String> = s
        .lines()
        .into_iter()
        .filter(|l| l.starts_with("PUT"))
        .collect();
    assert_eq!(
        puts,
        [
            "PUT /incidents",
            "PUT /incidents/P000000",
            "PUT /incidents/P000001",
            "PUT /incidents/P000002"
        ]
    );
}

#[tokio::test]
async fn a_429_stops_the_batch_and_every_item_left_stays_to_retry() {
    let open: Vec<Value> = (0..300).map(|n| incident(&id(n), "triggered")).collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Headed {
            status: 429,
            headers: "ratelimit-limit: 960\r\nratelimit-remaining: 0\r\nratelimit-reset: 30\r\n",
            body: r#"{"error":{"message":"Rate Limit Exceeded","code":2020}}"#.into(),
        },
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let items: Vec<BatchItem> = (0..300).map(|n| item(n, Operation::Acknowledge)).collect();
    let told = batch(&mut source(&s.url), &items).await;
    for result in &told {
        assert_eq!(
            result,
            &Err(Error::RateLimited(Some(Duration::from_secs(30))))
        );
    }
    assert_eq!(
        bulk_bodies(&s).len(),
        1,
        "the second 50 are not sent into a 429: {:?}",
        s.lines()
    );
}

#[tokio::test]
async fn an_ack_and_a_resolve_of_one_incident_go_ack_first_whatever_the_order_asked() {
    let open: Vec<Value> = (0..2).map(|n| incident(&id(n), "triggered")).collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Body(UPDATED.into()),
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let items = [
        item(0, Operation::Resolve),
        item(0, Operation::Acknowledge),
        item(1, Operation::Acknowledge),
        item(1, Operation::Acknowledge),
    ];
    let told = batch(&mut source(&s.url), &items).await;
    assert!(told.iter().all(Result::is_ok), "{told:?}");
    let bodies = bulk_bodies(&s);
    let shown: Vec<Vec<(String, String)>> = bodies
        .iter()
        .map(|b| {
            b.iter()
                .map(|c| (c["id"].to_string(), c["status"].to_string()))
                .collect()
        })
        .collect();
    assert_eq!(
        shown,
        [
            vec![
                (r#""P000000""#.into(), r#""acknowledged""#.into()),
                (r#""P000001""#.into(), r#""acknowledged""#.into())
            ],
            vec![(r#""P000000""#.into(), r#""resolved""#.into())]
        ],
        "an ack sent after the resolve would reopen P000000; P000001 once"
    );
}

#[tokio::test]
async fn reassigns_go_in_bulk_and_skip_incidents_already_with_the_target() {
    let open: Vec<Value> = (0..3)
        .map(|n| {
            let mut i = incident(&id(n), "acknowledged");
            if n == 1 {
                i["escalation_policy"] = json!({"id": "PPOLNEW", "summary": "Payments"});
            }
            i
        })
        .collect();
    let s = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /incidents" => listing(seen, &open),
        "PUT /incidents" => Fault::Body(UPDATED.into()),
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let to = Operation::Reassign {
        to: "policy:PPOLNEW".into(),
    };
    let items: Vec<BatchItem> = (0..3).map(|n| item(n, to.clone())).collect();
    let told = batch(&mut source(&s.url), &items).await;
    assert!(told.iter().all(Result::is_ok), "{told:?}");
    let bodies = bulk_bodies(&s);
    assert_eq!(bodies.len(), 1, "{:?}", s.lines());
    let ids: Vec<&str> = bodies[0]
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["P000000", "P000002"]);
    assert_eq!(
        bodies[0][0]["escalation_policy"],
        json!({"id": "PPOLNEW", "type": "escalation_policy_reference"})
    );
}
