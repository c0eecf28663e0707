//! `JiraSource` (Cloud, REST v3) against Prism serving the official Jira Cloud OpenAPI spec:
//! every request onduty makes (search with `nextPageToken`, comments read and written,
//! the status, transitions listed and applied, recent issues, an issue created)
//! passes the spec's validation, and deliberately malformed ones are refused, so the check is
//! live. Prism runs in dynamic mode: the spec's examples are JSON inside strings.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::config::{Config, Overrides, SourceConfig};
use onduty::model::AlertKey;
use onduty::sources::backend::BackendSettings;
use onduty::sources::jira::JiraSource;
use onduty::sources::jira::client::Client;
use onduty::sources::{Error, NewTicket, Operation, Source};
use support::prism::Prism;

const SPEC: &str = "jira-v3.openapi.json";

fn config(url: &str) -> SourceConfig {
    let toml = format!(
        "[[source]]\nname = 'jira'\nkind = 'jira'\nurl = '{url}'\nusername = 'ana@example.com'\n\
         token_command = 'printf ATATT3xFfGF0T'\nproject = 'OPS'\n"
    );
    let c = Config::from_str_at(&toml, "jira.toml", &Overrides::default()).unwrap();
    c.sources[0].clone()
}

/// Whether an outcome is one the back end's answer allows: done, or refused in words (the
/// generated transitions have random names, so the one wanted may not be among them).
fn is_answered(r: &Result<(), Error>) -> bool {
    matches!(r, Ok(()) | Err(Error::Rejected(_)))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_and_every_action_pass_the_jira_spec() {
    let prism = Prism::start_dynamic(SPEC).await;
    let cfg = config(&prism.url);
    let mut jira = JiraSource::new(cfg.clone(), Duration::from_secs(30)).unwrap();

    let snapshot = jira.fetch().await.unwrap();
    assert!(
        snapshot.alerts.is_empty(),
        "a ticketing source reports no alerts"
    );
    assert!(
        snapshot
            .tickets
            .iter()
            .all(|t| t.key.0.starts_with("jira:")),
        "{:?}",
        snapshot.tickets
    );

    let key = AlertKey("jira:OPS-1".into());
    let comment = Operation::Comment {
        text: "failover started\nby ana".into(),
        marker: "od-0000000000ab".into(),
    };
    jira.perform(&key, &comment, "ana").await.unwrap();
    for op in [
        Operation::Transition {
            to: "In Progress".into(),
        },
        Operation::Resolve,
        Operation::Acknowledge,
    ] {
        let r = jira.perform(&key, &op, "ana").await;
        assert!(is_answered(&r), "{op:?}: {r:?}");
    }
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "Checkout is down".into(),
        body: "Declared SEV1 from onduty".into(),
        marker: "od-0000000000cd".into(),
    }));
    jira.perform(&AlertKey("jira:".into()), &create, "ana")
        .await
        .unwrap();
    // The transition request itself, whatever the generated transitions were called.
    let settings = onduty::sources::jira::Settings::read(&cfg).unwrap();
    let client = Client::new(&cfg, &settings, Duration::from_secs(30))
        .await
        .unwrap();
    client.transition("OPS-1", "31").await.unwrap();

    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    for want in [
        "GET /rest/api/3/search/jql",
        "GET /rest/api/3/issue/OPS-1/comment",
        "POST /rest/api/3/issue/OPS-1/comment",
        "GET /rest/api/3/issue/OPS-1",
        "GET /rest/api/3/issue/OPS-1/transitions",
        "POST /rest/api/3/issue/OPS-1/transitions",
        "POST /rest/api/3/issue",
    ] {
        assert!(
            seen.iter()
                .any(|s| s.to_uppercase().starts_with(&want.to_uppercase())
                    && (s.len() == want.len() || s[want.len()..].starts_with(['?', ' ']))),
            "no {want} among {seen:#?}"
        );
    }
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_jira_requests_are_refused_so_the_check_is_live() {
    let prism = Prism::start_dynamic(SPEC).await;
    let http = reqwest::Client::new();
    let search = http
        .get(format!("{}/rest/api/3/search/jql", prism.url))
        .basic_auth("ana@example.com", Some("t"))
        .query(&[("jql", "project = OPS"), ("maxResults", "many")])
        .send()
        .await
        .unwrap();
    assert!(search.status().is_client_error(), "{}", search.status());
    let transition = http
        .post(format!("{}/rest/api/3/issue/OPS-1/transitions", prism.url))
        .basic_auth("ana@example.com", Some("t"))
        .json(&serde_json::json!({ "transition": "31" }))
        .send()
        .await
        .unwrap();
    assert!(
        transition.status().is_client_error(),
        "{}",
        transition.status()
    );
    assert_eq!(prism.refused().len(), 2, "{}", prism.log());
}

// Who the token is (issue 32): `GET /rest/api/3/myself` passes the spec and its answer
// (generated: any name the schema allows) arrives clean.
#[tokio::test(flavor = "multi_thread")]
async fn the_tokens_user_is_read_from_myself_as_the_spec_says() {
    let prism = Prism::start_dynamic(SPEC).await;
    let mut jira = JiraSource::new(config(&prism.url), Duration::from_secs(30)).unwrap();
    let who = jira.whoami().await.unwrap();
    if let Some(who) = who {
        assert!(!who.name.trim().is_empty());
        assert!(!who.said().chars().any(char::is_control), "{who:?}");
    }
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    assert!(
        seen.iter()
            .any(|r| r.eq_ignore_ascii_case("GET /rest/api/3/myself")),
        "{seen:?}"
    );
}
