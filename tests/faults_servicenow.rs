//! `ServiceNowSource` against the fault server answering in the Table API's shape (there is
//! no official OpenAPI description of it to serve): records paged by offset with display
//! values, the journal read as comments, work notes and state changes through PATCH with
//! their re-sends finding the effect, resolve with close notes, create, 429, 401, and a
//! record number that would change the encoded query refused before anything is sent.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::config::{Config, Overrides};
use onduty::model::{AlertKey, TicketState};
use onduty::sources::servicenow::ServiceNowSource;
use onduty::sources::{Error, NewTicket, Operation, Source};
use serde_json::json;
use support::faults::{Fault, FaultServer};

const TOKEN: &str = "sn-canary-password";

fn source(url: &str) -> ServiceNowSource {
    let toml = format!(
        "[[source]]\nname = 'sn'\nkind = 'servicenow'\nurl = '{url}'\nusername = 'onduty'\n\
         token_command = 'printf {TOKEN}'\n"
    );
    let cfg = Config::from_str_at(&toml, "sn.toml", &Overrides::default()).unwrap();
    ServiceNowSource::new(cfg.sources[0].clone(), Duration::from_secs(5)).unwrap()
}

fn field(value: &str, display: &str) -> serde_json::Value {
    json!({"value": value, "display_value": display})
}

fn record(n: usize, state: &str) -> serde_json::Value {
    json!({
        "sys_id": field(&format!("sys{n:04}"), &format!("sys{n:04}")),
        "number": field(&format!("INC{n:07}"), &format!("INC{n:07}")),
        "short_description": field(&format!("incident {n}"), &format!("incident {n}")),
        "description": field("Checkout is down", "Checkout is down"),
        "state": field(state, match state { "2" => "In Progress", "6" => "Resolved", _ => "New" }),
        "priority": field("1", "1 - Critical"),
        "assigned_to": field("6816f79cc0a8016401c5a33be04be441", "Ana Ops"),
        "sys_created_on": field("2026-11-25 10:00:00", "25/11/2026 11:00:00"),
        "sys_updated_on": field("2026-11-25 10:05:00", "25/11/2026 11:05:00"),
    })
}

#[tokio::test]
async fn records_are_paged_by_offset_with_display_values_and_their_journal() {
    let server = FaultServer::start(|n, line| match line {
        "GET /api/now/table/incident" => {
            let items: Vec<_> = if n == 0 {
                (0..100).map(|i| record(i, "2")).collect()
            } else {
                (100..104).map(|i| record(i, "1")).collect()
            };
            Fault::Body(json!({ "result": items }).to_string())
        }
        "GET /api/now/table/sys_journal_field" => Fault::Body(
            json!({"result": [{"value": field("db failed over", "db failed over"),
                "element": field("work_notes", "Work notes"),
                "sys_created_by": field("bo", "bo"),
                "sys_created_on": field("2026-11-25 10:04:00", "x")}]})
            .to_string(),
        ),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let snapshot = source(&server.url).fetch().await.unwrap();
    assert_eq!(snapshot.tickets.len(), 104);
    let t = &snapshot.tickets[0];
    assert_eq!(t.key.0, "sn:INC0000000");
    assert_eq!(
        (t.status.as_str(), t.state),
        ("In Progress", TicketState::InProgress)
    );
    assert_eq!(t.assignee.as_deref(), Some("Ana Ops"));
    assert_eq!(t.priority.as_deref(), Some("1 - Critical"));
    assert_eq!(
        t.updated.unwrap().to_rfc3339(),
        "2026-11-25T10:05:00+00:00",
        "value, in UTC"
    );
    assert_eq!(t.last_comment().unwrap().text, "[work note] db failed over");
    assert!(
        t.url
            .as_deref()
            .unwrap()
            .contains("incident.do?sys_id=sys0000")
    );
    let pages = server.targets("GET /api/now/table/incident");
    assert_eq!(pages.len(), 2);
    assert!(
        pages[0].contains("sysparm_display_value=all"),
        "{}",
        pages[0]
    );
    assert!(
        pages[0].contains("sysparm_query=active%3Dtrue"),
        "{}",
        pages[0]
    );
    assert!(pages[1].contains("sysparm_offset=100"), "{}", pages[1]);
    let journal = server.targets("GET /api/now/table/sys_journal_field");
    assert_eq!(journal.len(), 10, "a few records' journals a poll");
    let auth = server.seen()[0].head.to_lowercase();
    assert!(auth.contains("authorization: basic "), "{auth}");
}

#[tokio::test]
async fn notes_and_state_changes_are_patched_once_and_resolve_writes_close_notes() {
    let marker = "od-00000000f00d";
    let server = FaultServer::start_full(move |_, seen| match seen.line.as_str() {
        "GET /api/now/table/incident" if seen.target().contains("descriptionLIKE") => {
            Fault::Body(json!({"result": []}).to_string())
        }
        "GET /api/now/table/incident" => {
            Fault::Body(json!({"result": [record(7, "2")]}).to_string())
        }
        "GET /api/now/table/sys_journal_field" => Fault::Body(json!({"result": []}).to_string()),
        "PATCH /api/now/table/incident/sys0007" => {
            Fault::Body(json!({"result": record(7, "6")}).to_string())
        }
        "POST /api/now/table/incident" => Fault::Status(201, r#"{"result":{}}"#),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut sn = source(&server.url);
    let key = AlertKey("sn:INC0000007".into());
    let note = Operation::Comment {
        text: "db failed over".into(),
        marker: marker.into(),
    };
    sn.perform(&key, &note, "ana").await.unwrap();
    // In progress already: an ack and a transition to in progress send nothing.
    sn.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let to = |s: &str| Operation::Transition { to: s.into() };
    sn.perform(&key, &to("In Progress"), "ana").await.unwrap();
    sn.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "Checkout is down".into(),
        body: "Declared SEV1".into(),
        marker: marker.into(),
    }));
    sn.perform(&AlertKey("sn:".into()), &create, "ana")
        .await
        .unwrap();
    let writes: Vec<String> = server
        .lines()
        .into_iter()
        .filter(|l| !l.starts_with("GET"))
        .collect();
    assert_eq!(
        writes,
        [
            "PATCH /api/now/table/incident/sys0007",
            "PATCH /api/now/table/incident/sys0007",
            "POST /api/now/table/incident"
        ],
        "a work note, a resolve, a create"
    );
    let bodies: Vec<serde_json::Value> = server
        .seen()
        .iter()
        .filter(|r| !r.line.starts_with("GET"))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    assert_eq!(
        bodies[0]["work_notes"],
        "db failed over\n\n(sent from onduty, ref od-00000000f00d)"
    );
    assert_eq!(bodies[1]["state"], "6");
    assert_eq!(bodies[1]["close_code"], "Solution provided");
    assert!(bodies[1]["close_notes"].is_string());
    assert_eq!(bodies[2]["short_description"], "Checkout is down");
    let look = server.targets("GET /api/now/table/sys_journal_field");
    assert!(look[0].contains("valueLIKEod-00000000f00d"), "{look:?}");
    let err = sn.perform(&key, &to("wontfix"), "ana").await.unwrap_err();
    assert!(err.to_string().contains("no state"), "{err}");
}

#[tokio::test]
async fn a_re_sent_note_or_create_finds_its_marker_and_sends_nothing() {
    let server = FaultServer::start(|_, line| match line {
        "GET /api/now/table/incident" => {
            Fault::Body(json!({"result": [record(7, "1")]}).to_string())
        }
        "GET /api/now/table/sys_journal_field" => Fault::Body(
            json!({"result": [{"value": field("x (sent from onduty, ref od-1)", "x")}]})
                .to_string(),
        ),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut sn = source(&server.url);
    let note = Operation::Comment {
        text: "x".into(),
        marker: "od-1".into(),
    };
    sn.perform(&AlertKey("sn:INC0000007".into()), &note, "ana")
        .await
        .unwrap();
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "t".into(),
        body: "b".into(),
        marker: "od-1".into(),
    }));
    sn.perform(&AlertKey("sn:".into()), &create, "ana")
        .await
        .unwrap();
    assert!(
        server.lines().iter().all(|l| l.starts_with("GET")),
        "{:?}",
        server.lines()
    );
}

#[tokio::test]
async fn hostile_numbers_are_refused_before_sending_and_faults_read_as_words() {
    let server = FaultServer::start(|_, _| Fault::Status(500, "unexpected")).await;
    let mut sn = source(&server.url);
    let err = sn
        .perform(
            &AlertKey("sn:INC1^ORactive=true".into()),
            &Operation::Resolve,
            "ana",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
    assert!(server.seen().is_empty(), "nothing was sent");

    let limited = FaultServer::start(|_, _| Fault::RateLimited(Some("30"))).await;
    let err = source(&limited.url).fetch().await.unwrap_err();
    assert_eq!(err, Error::RateLimited(Some(Duration::from_secs(30))));
    let refused = FaultServer::start(|_, _| Fault::Echo(401)).await;
    let err = source(&refused.url).fetch().await.unwrap_err();
    assert!(
        matches!(err, Error::Auth(_)) && !err.to_string().contains(TOKEN),
        "{err}"
    );
}
