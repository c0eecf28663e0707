//! `JiraSource` against the fault server, for what Prism cannot show: Cloud's
//! `nextPageToken` walk and Data Center's `startAt` walk to the end, a listing over
//! `max_tickets` refused rather than cut, 429 with Retry-After, 401 without the token in
//! the message, and re-sent actions that find their effect already there and send nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::config::{Config, Overrides, SourceConfig};
use onduty::model::AlertKey;
use onduty::sources::jira::JiraSource;
use onduty::sources::{Error, NewTicket, Operation, Source};
use serde_json::json;
use support::faults::{Fault, FaultServer};

const TOKEN: &str = "jira-canary-token";

fn config(url: &str, extra: &str) -> SourceConfig {
    let toml = format!(
        "[[source]]\nname = 'jira'\nkind = 'jira'\nurl = '{url}'\n\
         token_command = 'printf {TOKEN}'\nproject = 'OPS'\n{extra}"
    );
    Config::from_str_at(&toml, "jira.toml", &Overrides::default())
        .unwrap()
        .sources[0]
        .clone()
}

fn cloud(url: &str) -> JiraSource {
    JiraSource::new(
        config(url, "username = 'ana@example.com'\n"),
        Duration::from_secs(5),
    )
    .unwrap()
}

fn datacenter(url: &str, extra: &str) -> JiraSource {
    let extra = format!("deployment = 'datacenter'\n{extra}");
    JiraSource::new(config(url, &extra), Duration::from_secs(5)).unwrap()
}

fn issue(n: usize, category: &str) -> serde_json::Value {
    json!({"id": format!("{}", 10000 + n), "key": format!("OPS-{n}"),
           "fields": {"summary": format!("ticket {n}"),
                      "status": {"name": "Whatever", "statusCategory": {"key": category}},
                      "updated": "2026-11-25T10:00:00.000+0000"}})
}

fn issues(from: usize, n: usize) -> Vec<serde_json::Value> {
    (from..from + n).map(|i| issue(i, "new")).collect()
}

#[tokio::test]
async fn cloud_follows_next_page_tokens_until_the_token_is_gone() {
    let server = FaultServer::start(|n, _| {
        let body = match n {
            0 => json!({"issues": issues(0, 100), "nextPageToken": "tok-2", "isLast": false}),
            1 => json!({"issues": issues(100, 100), "nextPageToken": "tok-3", "isLast": false}),
            // The last page: the token is absent, not null.
            _ => json!({"issues": issues(200, 7)}),
        };
        Fault::Body(body.to_string())
    })
    .await;
    let snapshot = cloud(&server.url).fetch().await.unwrap();
    assert_eq!(snapshot.tickets.len(), 207);
    let t = server.targets("GET /rest/api/3/search/jql");
    assert_eq!(t.len(), 3, "{t:?}");
    assert!(!t[0].contains("nextPageToken"), "{}", t[0]);
    assert!(t[1].contains("nextPageToken=tok-2"), "{}", t[1]);
    assert!(t[2].contains("nextPageToken=tok-3"), "{}", t[2]);
    assert!(t[0].contains("jql=labels"), "the default JQL: {}", t[0]);
    assert!(
        t[0].contains("fields=summary"),
        "fields are asked for: {}",
        t[0]
    );
    let auth = &server.seen()[0].head;
    assert!(
        auth.to_lowercase().contains("authorization: basic "),
        "{auth}"
    );
}

#[tokio::test]
async fn datacenter_walks_start_at_to_the_total_and_a_repeated_page_ends_the_walk() {
    let server = FaultServer::start(|n, _| {
        let body = match n {
            0 => json!({"startAt": 0, "total": 250, "issues": issues(0, 100)}),
            1 => json!({"startAt": 100, "total": 250, "issues": issues(100, 100)}),
            _ => json!({"startAt": 200, "total": 250, "issues": issues(200, 50)}),
        };
        Fault::Body(body.to_string())
    })
    .await;
    let snapshot = datacenter(&server.url, "").fetch().await.unwrap();
    assert_eq!(snapshot.tickets.len(), 250);
    let t = server.targets("GET /rest/api/2/search");
    let starts: Vec<&str> = t
        .iter()
        .map(|t| {
            t.split(['?', '&'])
                .find(|p| p.starts_with("startAt="))
                .unwrap()
        })
        .collect();
    assert_eq!(starts, ["startAt=0", "startAt=100", "startAt=200"]);
    let auth = &server.seen()[0].head;
    assert!(
        auth.contains(&format!("Bearer {TOKEN}")) || auth.contains(&format!("bearer {TOKEN}")),
        "a personal access token is a bearer token: {auth}"
    );

    // A server that answers the same page forever (total never reached) is not followed.
    let repeating = FaultServer::start(|_, _| {
        Fault::Body(json!({"startAt": 0, "total": 100000, "issues": issues(0, 100)}).to_string())
    })
    .await;
    let snapshot = datacenter(&repeating.url, "").fetch().await.unwrap();
    assert_eq!(snapshot.tickets.len(), 100);
    assert_eq!(repeating.seen().len(), 2, "the repeated page ends it");
}

#[tokio::test]
async fn more_tickets_than_max_tickets_is_an_error_never_a_cut_list() {
    let server = FaultServer::start(|n, _| {
        Fault::Body(json!({"issues": issues(n * 100, 100), "nextPageToken": "more"}).to_string())
    })
    .await;
    let mut jira = JiraSource::new(
        config(&server.url, "username = 'a@b.c'\nmax_tickets = 250\n"),
        Duration::from_secs(5),
    )
    .unwrap();
    let err = jira.fetch().await.unwrap_err();
    assert!(err.to_string().contains("more than 250"), "{err}");
    assert_eq!(
        server.seen().len(),
        3,
        "stops at the page that passed the cap"
    );
}

#[tokio::test]
async fn a_429_waits_for_retry_after_and_a_401_never_shows_the_token() {
    let limited = FaultServer::start(|_, _| Fault::Headed {
        status: 429,
        headers: "Retry-After: 17\r\nX-RateLimit-Reset: 2026-11-25T10:00:17Z\r\nRateLimit-Reason: jira-burst-based\r\n",
        body: r#"{"errorMessages":["Rate limit exceeded"]}"#.into(),
    })
    .await;
    let err = cloud(&limited.url).fetch().await.unwrap_err();
    assert_eq!(err, Error::RateLimited(Some(Duration::from_secs(17))));

    let refused = FaultServer::start(|_, _| Fault::Echo(401)).await;
    let err = cloud(&refused.url).fetch().await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(!err.to_string().contains(TOKEN), "{err}");
    assert!(err.is_refusal(), "a 401 is not retried until told to");
}

#[tokio::test]
async fn a_re_sent_comment_transition_or_create_finds_its_effect_and_sends_nothing() {
    let marker = "od-00000000beef";
    let server = FaultServer::start(move |_, line| match line {
        "GET /rest/api/2/issue/OPS-1/comment" => Fault::Body(
            json!({"comments": [{"created": "2026-11-25T10:00:00.000+0000",
                "author": {"displayName": "ana"},
                "body": format!("failover\n\n(sent from onduty, ref {marker})")}]})
            .to_string(),
        ),
        "GET /rest/api/2/issue/OPS-1" => Fault::Body(
            json!({"key": "OPS-1", "fields": {"status": {"name": "In Progress",
                "statusCategory": {"key": "indeterminate"}}}})
            .to_string(),
        ),
        "GET /rest/api/2/search" => Fault::Body(
            json!({"issues": [{"key": "OPS-9", "fields": {
                "description": format!("Declared SEV1\n\n(sent from onduty, ref {marker})")}}]})
            .to_string(),
        ),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut jira = datacenter(&server.url, "");
    let key = AlertKey("jira:OPS-1".into());
    let comment = Operation::Comment {
        text: "failover".into(),
        marker: marker.into(),
    };
    jira.perform(&key, &comment, "ana").await.unwrap();
    let to_progress = Operation::Transition {
        to: "in progress".into(),
    };
    jira.perform(&key, &to_progress, "ana").await.unwrap();
    // An ack of a ticket in progress already is done.
    jira.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "Checkout is down".into(),
        body: "Declared SEV1".into(),
        marker: marker.into(),
    }));
    jira.perform(&AlertKey("jira:".into()), &create, "ana")
        .await
        .unwrap();
    let seen = server.lines();
    assert!(
        seen.iter().all(|l| l.starts_with("GET ")),
        "nothing was written: {seen:?}"
    );
    assert_eq!(seen.len(), 4, "{seen:?}");
}

#[tokio::test]
async fn resolve_takes_the_transition_into_the_done_category_and_names_the_open_ones_otherwise() {
    let server = FaultServer::start(|_, line| match line {
        "GET /rest/api/2/issue/OPS-2" => Fault::Body(issue(2, "new").to_string()),
        "GET /rest/api/2/issue/OPS-2/transitions" => Fault::Body(
            json!({"transitions": [
                {"id": "11", "name": "Start", "to": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}}},
                {"id": "31", "name": "Close", "to": {"name": "Closed", "statusCategory": {"key": "done"}}}]})
            .to_string(),
        ),
        "POST /rest/api/2/issue/OPS-2/transitions" => Fault::Status(204, ""),
        "GET /rest/api/2/issue/OPS-3" => Fault::Body(issue(3, "new").to_string()),
        "GET /rest/api/2/issue/OPS-3/transitions" => Fault::Body(
            json!({"transitions": [{"id": "11", "name": "Start", "to": {"name": "In Progress"}}]})
                .to_string(),
        ),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut jira = datacenter(&server.url, "");
    jira.perform(&AlertKey("jira:OPS-2".into()), &Operation::Resolve, "ana")
        .await
        .unwrap();
    assert!(
        server
            .lines()
            .contains(&"POST /rest/api/2/issue/OPS-2/transitions".to_string())
    );
    let err = jira
        .perform(&AlertKey("jira:OPS-3".into()), &Operation::Resolve, "ana")
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("no transition to done") && err.to_string().contains("Start"),
        "{err}"
    );
    let err = jira
        .perform(
            &AlertKey("jira:OPS-3".into()),
            &Operation::Silence {
                duration: Duration::from_secs(60),
                comment: String::new(),
            },
            "ana",
        )
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
}

#[tokio::test]
async fn cloud_writes_documents_and_datacenter_plain_text() {
    let server = FaultServer::start(|_, line| match line {
        "GET /rest/api/3/issue/OPS-1/comment" | "GET /rest/api/2/issue/OPS-1/comment" => {
            Fault::Body(json!({"comments": []}).to_string())
        }
        _ => Fault::Status(201, "{}"),
    })
    .await;
    let comment = Operation::Comment {
        text: "failover started".into(),
        marker: "od-1".into(),
    };
    let key = AlertKey("jira:OPS-1".into());
    cloud(&server.url)
        .perform(&key, &comment, "ana")
        .await
        .unwrap();
    datacenter(&server.url, "")
        .perform(&key, &comment, "ana")
        .await
        .unwrap();
    let posts: Vec<serde_json::Value> = server
        .seen()
        .iter()
        .filter(|r| r.line.starts_with("POST"))
        .map(|r| serde_json::from_str(&r.body).unwrap())
        .collect();
    // Cloud refuses a plain string ("Comment body is not valid!"); Prism cannot tell.
    assert_eq!(posts[0]["body"]["type"], "doc");
    assert_eq!(
        posts[0]["body"]["content"][0]["content"][0]["text"],
        "failover started"
    );
    assert_eq!(
        posts[1]["body"],
        "failover started\n\n(sent from onduty, ref od-1)"
    );
}
