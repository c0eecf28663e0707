//! `ZendeskSource` on the fault server serving answers shaped as Zendesk documents them (no
//! official description is within reach): tickets from a search export paged by cursor
//! (`meta.has_more`, `links.next`), their comments, and the method, path, auth and body of
//! every write — an internal note with the marker, not sent again when the marker is there,
//! solve and transitions, a new ticket with its Idempotency-Key; 429 with Retry-After; and
//! hostile text arriving clean.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::{AlertKey, TicketState, sanitize};
use onduty::sources::backend::FromConfig;
use onduty::sources::zendesk::{KIND, ZendeskSource};
use onduty::sources::{Error, NewTicket, Operation, Source};
use serde_json::{Value, json};
use support::faults::{Fault, FaultServer, Seen};

fn ticket(id: u64, subject: &str, status: &str) -> Value {
    json!({"id": id, "url": format!("https://acme.zendesk.com/api/v2/tickets/{id}.json"),
        "subject": subject, "description": "Customers see 502 at checkout", "status": status,
        "priority": "urgent", "assignee_id": 3001, "tags": ["incident", "checkout"],
        "created_at": "2026-12-05T09:00:00Z", "updated_at": "2026-12-05T09:30:00Z"})
}

/// Answers as Zendesk does; `base` is the server's own URL (its next links are absolute).
fn answer(seen: &Seen, base: &str) -> Fault {
    let t = seen.target();
    match (seen.method(), seen.path()) {
        ("GET", "/api/v2/search/export") if t.contains("page%5Bafter%5D=c1") || t.contains("page[after]=c1") => {
            Fault::Body(json!({"results": [ticket(3, "Refunds failing", "solved")],
                "meta": {"has_more": false, "after_cursor": null}, "links": {"next": null}}).to_string())
        }
        ("GET", "/api/v2/search/export") => Fault::Body(
            json!({"results": [ticket(1, "Checkout is down", "open"), ticket(2, "Slow search", "pending")],
                "meta": {"has_more": true, "after_cursor": "c1"},
                "links": {"next": format!("{base}/api/v2/search/export?page[after]=c1&page[size]=100")}})
            .to_string(),
        ),
        ("GET", p) if p.ends_with("/comments") => Fault::Body(
            json!({"comments": [
                {"id": 12, "type": "Comment", "body": "Rolled back\n\n<!-- onduty:od-existing -->", "public": false,
                 "author_id": 3001, "created_at": "2026-12-05T09:20:00Z"},
                {"id": 11, "type": "Comment", "body": "Customers see 502 at checkout", "public": true,
                 "author_id": 42, "created_at": "2026-12-05T09:00:00Z"}],
                "meta": {"has_more": false}}).to_string(),
        ),
        ("GET", "/api/v2/users/me") => Fault::Body(
            json!({"user": {"id": 3001, "name": "Ana L\u{1b}[31mópez", "email": "ana@example.com"}})
                .to_string(),
        ),
        ("GET", "/api/v2/tickets/3") => Fault::Body(json!({"ticket": ticket(3, "Refunds failing", "solved")}).to_string()),
        ("GET", p) if p.starts_with("/api/v2/tickets/") => {
            Fault::Body(json!({"ticket": ticket(1, "Checkout is down", "open")}).to_string())
        }
        ("PUT", _) => Fault::Body(json!({"ticket": ticket(1, "Checkout is down", "open")}).to_string()),
        ("POST", "/api/v2/tickets") => Fault::Headed {
            status: 201,
            headers: "",
            body: json!({"ticket": ticket(9, "new", "new")}).to_string(),
        },
        _ => Fault::Status(404, r#"{"error":"RecordNotFound"}"#),
    }
}

fn source(url: &str) -> ZendeskSource {
    let mut c = SourceConfig::new("zd", KIND);
    c.url = Some(url.into());
    c.token_command = Some("printf zd-token".into());
    c.set("email", "ana@example.com");
    ZendeskSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

async fn server() -> FaultServer {
    let base = Arc::new(Mutex::new(String::new()));
    let b = base.clone();
    let server = FaultServer::start_full(move |_, seen| answer(seen, &b.lock().unwrap())).await;
    *base.lock().unwrap() = server.url.clone();
    server
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[tokio::test]
async fn tickets_are_paged_by_cursor_and_read_with_their_comments() {
    let server = server().await;
    let snap = source(&server.url).fetch().await.unwrap();
    let ids: Vec<&str> = snap.tickets.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["1", "2", "3"], "both pages");
    let t = &snap.tickets[0];
    assert_eq!(
        (t.title.as_str(), t.status.as_str(), t.state),
        ("Checkout is down", "open", TicketState::Open)
    );
    assert_eq!(
        snap.tickets[1].state,
        TicketState::InProgress,
        "pending waits on someone"
    );
    assert_eq!(snap.tickets[2].state, TicketState::Done);
    assert_eq!(
        t.url.as_deref(),
        Some(format!("{}/agent/tickets/1", server.url).as_str())
    );
    assert_eq!(t.labels, ["incident", "checkout"]);
    assert_eq!(t.comments.len(), 2);
    assert!(
        t.comments[0].text.starts_with("[public reply]"),
        "oldest first: {:?}",
        t.comments
    );
    assert!(t.comments[1].text.contains("[internal note] Rolled back"));
    let seen = server.seen();
    let first = &seen[0];
    assert_eq!(first.path(), "/api/v2/search/export");
    let target = first.target();
    assert!(
        target.contains("page%5Bsize%5D=100") && target.contains("filter%5Btype%5D=ticket"),
        "{target}"
    );
    assert!(
        target.contains("query=type%3Aticket+status%3Csolved+tags%3Aincident"),
        "{target}"
    );
    assert!(
        seen[1].target().contains("page[after]=c1"),
        "the next link followed: {}",
        seen[1].target()
    );
    // ana@example.com/token:zd-token
    let basic = "Basic YW5hQGV4YW1wbGUuY29tL3Rva2VuOnpkLXRva2Vu";
    assert!(
        seen.iter()
            .all(|r| header(r, "authorization") == Some(basic))
    );
}

#[tokio::test]
async fn every_write_is_the_documented_request_and_a_re_send_is_not_doubled() {
    let server = server().await;
    let mut s = source(&server.url);
    let key = AlertKey("zd:1".into());
    let note = Operation::Comment {
        text: "Failing over the DB".into(),
        marker: "od-new".into(),
    };
    s.perform(&key, &note, "ana").await.unwrap();
    let again = Operation::Comment {
        text: "Rolled back".into(),
        marker: "od-existing".into(),
    };
    s.perform(&key, &again, "ana").await.unwrap();
    s.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    s.perform(&AlertKey("zd:3".into()), &Operation::Resolve, "ana")
        .await
        .unwrap();
    s.perform(
        &key,
        &Operation::Transition {
            to: "Pending".into(),
        },
        "ana",
    )
    .await
    .unwrap();
    let err = s
        .perform(
            &key,
            &Operation::Transition {
                to: "escalated".into(),
            },
            "ana",
        )
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("new, open, pending, hold, solved"),
        "{err}"
    );
    let new = NewTicket {
        title: "SEV2 Checkout is down".into(),
        body: "Declared in onduty.".into(),
        marker: "od-t1".into(),
    };
    s.perform(
        &AlertKey("zd:".into()),
        &Operation::CreateTicket(Box::new(new)),
        "ana",
    )
    .await
    .unwrap();
    let writes: Vec<Seen> = server
        .seen()
        .into_iter()
        .filter(|r| r.method() != "GET")
        .collect();
    let bodies: Vec<(String, String, Value)> = writes
        .iter()
        .map(|r| {
            (
                r.method().to_string(),
                r.path().to_string(),
                serde_json::from_str(&r.body).unwrap(),
            )
        })
        .collect();
    assert_eq!(
        bodies.len(),
        4,
        "note, solve of #1, pending, create — not the re-sent note nor #3: {bodies:?}"
    );
    let (m, p, b) = &bodies[0];
    assert_eq!((m.as_str(), p.as_str()), ("PUT", "/api/v2/tickets/1"));
    assert_eq!(b["ticket"]["comment"]["public"], false, "an internal note");
    let body = b["ticket"]["comment"]["body"].as_str().unwrap();
    assert!(
        body.starts_with("Failing over the DB") && body.contains("od-new"),
        "{body}"
    );
    assert_eq!(bodies[1].2, json!({"ticket": {"status": "solved"}}));
    assert_eq!(bodies[2].2, json!({"ticket": {"status": "pending"}}));
    let (m, p, b) = &bodies[3];
    assert_eq!((m.as_str(), p.as_str()), ("POST", "/api/v2/tickets"));
    assert_eq!(header(&writes[3], "idempotency-key"), Some("od-t1"));
    assert_eq!(b["ticket"]["subject"], "SEV2 Checkout is down");
    assert!(
        b["ticket"]["comment"]["body"]
            .as_str()
            .unwrap()
            .contains("od-t1")
    );
}

#[tokio::test]
async fn a_rate_limit_is_waited_out_as_zendesk_says() {
    let server = FaultServer::start(|_, _| Fault::RateLimited(Some("9"))).await;
    let err = source(&server.url).fetch().await.unwrap_err();
    assert!(
        matches!(err, Error::RateLimited(Some(d)) if d == Duration::from_secs(9)),
        "{err:?}"
    );
}

#[tokio::test]
async fn hostile_text_in_a_ticket_arrives_clean() {
    let evil = "\u{1b}]52;c;cGF5\u{7}evil\u{202e}subject\u{200b}\u{1b}[2J";
    let body = json!({"results": [ticket(1, evil, evil)], "meta": {"has_more": false}}).to_string();
    let server = FaultServer::start(move |_, line| {
        if line.contains("/comments") {
            Fault::Body(json!({"comments": [{"body": evil, "public": true, "created_at": "2026-12-05T09:00:00Z"}]}).to_string())
        } else {
            Fault::Body(body.clone())
        }
    })
    .await;
    let snap = source(&server.url).fetch().await.unwrap();
    let t = &snap.tickets[0];
    for text in [
        t.title.as_str(),
        t.status.as_str(),
        t.comments[0].text.as_str(),
    ] {
        assert!(
            !text.chars().any(sanitize::is_forbidden) && text.contains("evil"),
            "{text:?}"
        );
    }
}

// Who the token is (issue 32): `GET /api/v2/users/me`, its user (clean of escapes); a token
// Zendesk does not know answers as the anonymous user: nobody.
#[tokio::test]
async fn the_tokens_user_is_read_from_users_me() {
    let server = server().await;
    let mut zd = source(&server.url);
    let who = zd
        .whoami()
        .await
        .unwrap()
        .expect("a known token names its user");
    assert_eq!(who.said(), "Ana López <ana@example.com>");
    let unknown = FaultServer::start_full(|_, _| {
        Fault::Body(
            json!({"user": {"id": null, "name": "Anonymous user", "email": "invalid@example.com"}})
                .to_string(),
        )
    })
    .await;
    let mut anonymous = source(&unknown.url);
    assert_eq!(anonymous.whoami().await.unwrap(), None);
}
