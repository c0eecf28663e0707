//! `SplunkOnCallSource` against a small stateful Splunk On-Call on the fault server, for what
//! Prism's static answers cannot show: phases and transitions mapped, a bulk ack sent as one
//! request naming every incident, a re-sent ack (the incident acked already) done and a real
//! refusal said, a user outside the organisation named, 429 with Retry-After honoured, and
//! hostile text arriving clean.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use onduty::sources::backend::FromConfig;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::{AlertKey, Status, sanitize};
use onduty::sources::splunk_oncall::{KIND, SplunkOnCallSource};
use onduty::sources::{BatchItem, Error, Operation, Source};
use support::faults::{Fault, FaultServer, Seen};

/// (number, phase, entity).
type Incident = (String, String, String);

#[derive(Default)]
struct Fake {
    incidents: Vec<Incident>,
    throttled: usize,
}

fn json(status: u16, body: String) -> Fault {
    Fault::Headed {
        status,
        headers: "Content-Type: application/json\r\n",
        body,
    }
}

fn answer(fake: &Arc<Mutex<Fake>>, seen: &Seen) -> Fault {
    let mut f = fake.lock().unwrap();
    let head = seen.head.to_ascii_lowercase();
    if !head.contains("\r\nx-vo-api-id: app-1\r\n") || !head.contains("\r\nx-vo-api-key: key-1\r\n")
    {
        return json(
            403,
            r#"{"message":"Authentication failed or rate-limit reached"}"#.into(),
        );
    }
    if f.throttled > 0 {
        f.throttled -= 1;
        return Fault::Headed {
            status: 429,
            headers: "Retry-After: 2\r\n",
            body: String::new(),
        };
    }
    match (seen.method(), seen.path()) {
        ("GET", "/api-public/v1/user/ana") => json(200, r#"{"username":"ana"}"#.into()),
        ("GET", p) if p.starts_with("/api-public/v1/user/") => json(404, r#"{"error":"user not found"}"#.into()),
        ("GET", "/api-public/v1/oncall/current") => json(200, r#"{"teamsOnCall":[{"team":{"name":"Database","slug":"team-db"},
            "onCallNow":[{"escalationPolicy":{"name":"DB primary","slug":"pol-db"},"users":[{"onCallUser":{"username":"bo"}}]}]}]}"#.into()),
        ("GET", "/api-public/v2/team/team-db/oncall/schedule") => {
            let now = chrono::Utc::now();
            let at = |h: i64| (now + chrono::TimeDelta::hours(h)).to_rfc3339();
            json(200, serde_json::json!({"team": {"name": "Database", "slug": "team-db"}, "schedules": [{
                "policy": {"name": "DB primary", "slug": "pol-db"},
                "schedule": [{"onCallUser": {"username": "bo"}, "rotationName": "weekly", "shiftName": "day",
                    "rolls": [
                        {"start": at(-3), "end": at(5), "onCallUser": {"username": "bo"}, "isRoll": true},
                        {"start": at(5), "end": at(29), "onCallUser": {"username": "cy"}, "isRoll": true}]}],
                "overrides": []}]}).to_string())
        }
        ("GET", "/api-public/v1/incidents") => {
            let list: Vec<serde_json::Value> = f.incidents.iter().map(|(n, phase, entity)| serde_json::json!({
                "incidentNumber": n, "startTime": "2026-12-05T09:00:00Z", "currentPhase": phase,
                "alertCount": 4, "entityId": entity, "host": "db-2", "service": "postgres",
                "pagedUsers": ["bo"], "pagedTeams": ["team-db"],
                "pagedPolicies": [{"policy": {"name": "DB primary", "slug": "pol-db"}, "team": {"name": "Database", "slug": "team-db"}}],
                "transitions": if phase == "ACKED" {
                    serde_json::json!([{"name": "ACKED", "at": "2026-12-05T09:05:00Z", "by": "bo", "message": "looking"}])
                } else { serde_json::json!([]) }
            })).collect();
            json(200, serde_json::json!({"incidents": list}).to_string())
        }
        ("PATCH", p) if p.starts_with("/api-public/v1/incidents/") => {
            let to = if p.ends_with("/ack") { "ACKED" } else { "RESOLVED" };
            let body: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
            assert_eq!(body["userName"], "ana");
            let results: Vec<serde_json::Value> = body["incidentNames"].as_array().unwrap().iter().map(|n| {
                let n = n.as_str().unwrap();
                match f.incidents.iter_mut().find(|i| i.0 == n) {
                    Some(i) if i.1 == "UNACKED" || (to == "RESOLVED" && i.1 == "ACKED") => {
                        i.1 = to.into();
                        serde_json::json!({"incidentNumber": n, "entityId": i.2, "cmdAccepted": true, "message": "ok"})
                    }
                    Some(i) => serde_json::json!({"incidentNumber": n, "entityId": i.2, "cmdAccepted": false,
                        "message": format!("Incident is {}", i.1)}),
                    None => serde_json::json!({"incidentNumber": n, "cmdAccepted": false, "message": "No such incident"}),
                }
            }).collect();
            json(200, serde_json::json!({"results": results}).to_string())
        }
        _ => json(404, "{}".into()),
    }
}

async fn fake(f: Fake) -> (FaultServer, Arc<Mutex<Fake>>) {
    let shared = Arc::new(Mutex::new(f));
    let s = shared.clone();
    (
        FaultServer::start_full(move |_, seen| answer(&s, seen)).await,
        shared,
    )
}

fn source(url: &str, user: &str) -> SplunkOnCallSource {
    let mut c = SourceConfig::new("vo", KIND);
    c.url = Some(url.into());
    c.token_command = Some("printf key-1".into());
    c.set("api_id", "app-1");
    c.set("user", user);
    SplunkOnCallSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

fn incidents(n: usize) -> Vec<Incident> {
    (1..=n)
        .map(|i| {
            (
                i.to_string(),
                "UNACKED".to_string(),
                format!("disk full on db-{i}"),
            )
        })
        .collect()
}

#[tokio::test]
async fn incidents_map_with_phase_labels_transitions_and_who_is_on_call() {
    let mut list = incidents(2);
    list[1].1 = "ACKED".into();
    let (server, _) = fake(Fake {
        incidents: list,
        ..Fake::default()
    })
    .await;
    let snap = source(&server.url, "ana").fetch().await.unwrap();
    let a = &snap.alerts[0];
    assert_eq!(
        (a.key.0.as_str(), a.status, &*a.title),
        ("vo:1", Status::Firing, "disk full on db-1")
    );
    assert_eq!(a.labels.get("host"), Some("db-2"));
    assert_eq!(a.labels.get("escalation_policy"), Some("DB primary"));
    let acked = &snap.alerts[1];
    assert_eq!(
        (acked.status, acked.acked_by.as_deref()),
        (Status::Acked, Some("bo"))
    );
    assert!(
        acked
            .notes
            .iter()
            .any(|n| n.text == "acked: looking" && n.author == "bo")
    );
    let [policy] = snap.escalation.as_slice() else {
        panic!("{:?}", snap.escalation)
    };
    assert!(policy.covers(a));
    let bo = &policy.levels[0].on_call[0];
    assert_eq!(
        (bo.who.as_str(), bo.next.as_deref()),
        ("bo", Some("cy")),
        "{bo:?}"
    );
    assert!(
        bo.until
            .is_some_and(|u| u > chrono::Utc::now() + chrono::TimeDelta::hours(4))
    );
}

#[tokio::test]
async fn a_bulk_ack_is_one_request_and_a_re_send_is_done_while_a_refusal_is_said() {
    let (server, state) = fake(Fake {
        incidents: incidents(3),
        ..Fake::default()
    })
    .await;
    let mut s = source(&server.url, "ana");
    s.fetch().await.unwrap();
    let items: Vec<BatchItem> = (1..=3)
        .map(|i| BatchItem {
            key: AlertKey(format!("vo:{i}")),
            op: Operation::Acknowledge,
            author: "ana".into(),
        })
        .collect();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    s.perform_batch(&items, Duration::from_secs(5), &tx).await;
    drop(tx);
    let mut told = Vec::new();
    while let Some((i, r)) = rx.recv().await {
        told.push((i, r.is_ok()));
    }
    told.sort();
    assert_eq!(told, [(0, true), (1, true), (2, true)]);
    let patches: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|x| x.line.starts_with("PATCH"))
        .collect();
    assert_eq!(patches.len(), 1, "one request for the bulk");
    assert!(
        patches[0].body.contains(r#""incidentNames":["1","2","3"]"#),
        "{}",
        patches[0].body
    );
    assert!(
        state
            .lock()
            .unwrap()
            .incidents
            .iter()
            .all(|i| i.1 == "ACKED")
    );
    // The answer was lost and the outbox sends it again: acked already, so done.
    s.perform(&AlertKey("vo:1".into()), &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    s.perform(&AlertKey("vo:1".into()), &Operation::Resolve, "ana")
        .await
        .unwrap();
    let err = s
        .perform(&AlertKey("vo:9".into()), &Operation::Resolve, "ana")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Splunk On-Call said no: No such incident"),
        "{err}"
    );
}

#[tokio::test]
async fn a_user_outside_the_organisation_is_named_and_rate_limits_are_waited_for() {
    let (server, _) = fake(Fake {
        incidents: incidents(1),
        throttled: 1,
    })
    .await;
    let mut s = source(&server.url, "ana");
    assert_eq!(
        s.fetch().await.unwrap_err(),
        Error::RateLimited(Some(Duration::from_secs(2)))
    );
    let err = source(&server.url, "mallory").fetch().await.unwrap_err();
    assert!(
        err.to_string().contains("user 'mallory' is not a member"),
        "{err}"
    );
    let mut bad = SourceConfig::new("vo", KIND);
    bad.url = Some(server.url.clone());
    bad.token_command = Some("printf wrong".into());
    bad.set("api_id", "app-1");
    bad.set("user", "ana");
    let mut wrong =
        SplunkOnCallSource::from_config(bad, Duration::from_secs(10), Arc::new(SystemClock))
            .unwrap();
    let err = wrong.fetch().await.unwrap_err();
    assert!(
        matches!(err, Error::Auth(_)) && !err.to_string().contains("wrong"),
        "{err:?}"
    );
}

#[tokio::test]
async fn hostile_text_in_an_incident_arrives_clean() {
    let hostile = vec![(
        "7".to_string(),
        "UNACKED".to_string(),
        "\u{1b}]52;c;cGF5\u{7}db\u{202e}full\u{200b}".to_string(),
    )];
    let (server, _) = fake(Fake {
        incidents: hostile,
        ..Fake::default()
    })
    .await;
    let snap = source(&server.url, "ana").fetch().await.unwrap();
    let title = &snap.alerts[0].title;
    assert!(
        !title.chars().any(sanitize::is_forbidden) && title.contains("db"),
        "{title:?}"
    );
}
