//! `GitHubSource` against recorded-shape answers from the fault server: pages followed to a
//! short one across repositories, pull requests left out, comments read only for issues
//! that changed, GitHub's 403 rate limit, a 401, and re-sent actions that find their effect
//! already there and send nothing.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::config::{Config, Overrides};
use onduty::model::{AlertKey, TicketState};
use onduty::sources::github::GitHubSource;
use onduty::sources::{Error, NewTicket, Operation, Source};
use serde_json::json;
use support::faults::{Fault, FaultServer};

const TOKEN: &str = "ghp_canaryCanary";

fn source(url: &str) -> GitHubSource {
    let toml = format!(
        "[[source]]\nname = 'gh'\nkind = 'github'\nurl = '{url}'\n\
         token_command = 'printf {TOKEN}'\nrepos = ['acme/web', 'acme/api']\n"
    );
    let cfg = Config::from_str_at(&toml, "gh.toml", &Overrides::default()).unwrap();
    GitHubSource::new(cfg.sources[0].clone(), Duration::from_secs(5)).unwrap()
}

fn issue(n: u64, state: &str, comments: u64, updated: &str) -> serde_json::Value {
    json!({"number": n, "title": format!("issue {n}"), "state": state,
           "labels": [{"name": "incident"}], "assignees": [{"login": "ana"}],
           "html_url": format!("https://github.com/acme/web/issues/{n}"),
           "created_at": "2026-11-25T10:00:00Z", "updated_at": updated,
           "body": "Checkout is down", "comments": comments})
}

#[tokio::test]
async fn every_repository_is_read_to_a_short_page_and_pull_requests_are_left_out() {
    let pages = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let p = pages.clone();
    let server = FaultServer::start(move |_, line| match line {
        "GET /repos/acme/web/issues" => {
            let n = p.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let items: Vec<_> = match n {
                0 => (100..200)
                    .map(|i| issue(i, "open", 0, "2026-11-25T10:00:00Z"))
                    .collect(),
                _ => {
                    let mut pr = issue(500, "open", 0, "2026-11-25T10:00:00Z");
                    pr["pull_request"] = json!({"url": "https://x"});
                    vec![
                        issue(7, "open", 1, "2026-11-25T10:05:00Z"),
                        issue(8, "open", 0, "2026-11-25T10:00:00Z"),
                        pr,
                    ]
                }
            };
            Fault::Body(json!(items).to_string())
        }
        "GET /repos/acme/api/issues" => {
            Fault::Body(json!([issue(1, "open", 0, "2026-11-25T10:00:00Z")]).to_string())
        }
        "GET /repos/acme/web/issues/7/comments" => Fault::Body(
            json!([{"body": "rolled back", "user": {"login": "bo"},
                    "created_at": "2026-11-25T10:05:00Z"}])
            .to_string(),
        ),
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut gh = source(&server.url);
    let snapshot = gh.fetch().await.unwrap();
    assert_eq!(
        snapshot.tickets.len(),
        103,
        "100 + 2 issues in web, 1 in api; no PR"
    );
    let t = snapshot
        .tickets
        .iter()
        .find(|t| t.key.0 == "gh:acme/web#7")
        .unwrap();
    assert_eq!(t.state, TicketState::Open);
    assert_eq!(t.assignee.as_deref(), Some("ana"));
    assert_eq!(t.last_comment().unwrap().text, "rolled back");
    let web = server.targets("GET /repos/acme/web/issues");
    assert_eq!(web.len(), 2);
    assert!(
        web[0].contains("labels=incident") && web[0].contains("state=open"),
        "{}",
        web[0]
    );
    assert!(web[1].contains("page=2"), "{}", web[1]);
    let head = &server.seen()[0].head.to_lowercase();
    assert!(head.contains("x-github-api-version: 2022-11-28"), "{head}");
    assert!(
        head.contains("accept: application/vnd.github+json"),
        "{head}"
    );

    // Nothing changed: the comments are not read again.
    pages.store(0, std::sync::atomic::Ordering::SeqCst);
    gh.fetch().await.unwrap();
    let reads = server
        .targets("GET /repos/acme/web/issues/7/comments")
        .len();
    assert_eq!(
        reads, 1,
        "comments are read again only when the issue changed"
    );
}

#[tokio::test]
async fn a_403_rate_limit_waits_for_the_reset_and_a_401_never_shows_the_token() {
    let limited = FaultServer::start(|_, _| Fault::Headed {
        status: 403,
        headers: "x-ratelimit-limit: 5000\r\nx-ratelimit-remaining: 0\r\nretry-after: 42\r\n",
        body: r#"{"message":"API rate limit exceeded"}"#.into(),
    })
    .await;
    let err = source(&limited.url).fetch().await.unwrap_err();
    assert_eq!(err, Error::RateLimited(Some(Duration::from_secs(42))));

    let refused = FaultServer::start(|_, _| Fault::Echo(401)).await;
    let err = source(&refused.url).fetch().await.unwrap_err();
    assert!(matches!(err, Error::Auth(_)), "{err:?}");
    assert!(!err.to_string().contains(TOKEN), "{err}");
}

#[tokio::test]
async fn re_sent_actions_find_their_effect_and_send_nothing() {
    let marker = "od-00000000cafe";
    let server = FaultServer::start(move |_, line| match line {
        "GET /repos/acme/web/issues/7/comments" => Fault::Body(
            json!([{"body": format!("failover\n\n(sent from onduty, ref {marker})"),
                    "user": {"login": "ana"}, "created_at": "2026-11-25T10:05:00Z"}])
            .to_string(),
        ),
        "GET /repos/acme/web/issues/7" => {
            Fault::Body(issue(7, "closed", 1, "2026-11-25T10:05:00Z").to_string())
        }
        "GET /repos/acme/web/issues" => {
            let mut made = issue(9, "open", 0, "2026-11-25T10:06:00Z");
            made["body"] = json!(format!("Declared SEV1\n\n(sent from onduty, ref {marker})"));
            Fault::Body(json!([made]).to_string())
        }
        _ => Fault::Status(500, "unexpected"),
    })
    .await;
    let mut gh = source(&server.url);
    let key = AlertKey("gh:acme/web#7".into());
    let comment = Operation::Comment {
        text: "failover".into(),
        marker: marker.into(),
    };
    gh.perform(&key, &comment, "ana").await.unwrap();
    gh.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "Checkout is down".into(),
        body: "Declared SEV1".into(),
        marker: marker.into(),
    }));
    gh.perform(&AlertKey("gh:".into()), &create, "ana")
        .await
        .unwrap();
    let seen = server.lines();
    assert!(
        seen.iter().all(|l| l.starts_with("GET ")),
        "nothing was written: {seen:?}"
    );
    let recent = server.targets("GET /repos/acme/web/issues");
    assert!(
        recent[0].contains("state=all") && recent[0].contains("sort=created"),
        "{recent:?}"
    );

    let err = gh
        .perform(
            &key,
            &Operation::Transition {
                to: "wontfix".into(),
            },
            "ana",
        )
        .await
        .unwrap_err();
    assert!(err.to_string().contains("open or closed"), "{err}");
    let err = gh
        .perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap_err();
    assert!(matches!(err, Error::Rejected(_)), "{err:?}");
}
