//! `GitHubSource` against Prism serving GitHub's official REST description (npm
//! `@octokit/openapi`, cut down to the issue paths so Prism starts in seconds): every request
//! onduty makes (issues listed by label and page, one issue read, comments read and written,
//! state set, an issue created) passes validation, deliberately malformed ones are refused,
//! and a pull request in the issue list is not taken for a ticket.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::config::{Config, Overrides, SourceConfig};
use onduty::model::AlertKey;
use onduty::sources::github::GitHubSource;
use onduty::sources::{NewTicket, Operation, Source};
use support::prism::{Prism, github_spec};

/// The paths onduty uses, with every component they refer to.
const PATHS: &[&str] = &[
    "/user",
    "/repos/{owner}/{repo}/issues",
    "/repos/{owner}/{repo}/issues/{issue_number}",
    "/repos/{owner}/{repo}/issues/{issue_number}/comments",
];

/// Prism offers the spec's `application/json`; GitHub's own type is asked first.
const ACCEPT_FOR_PRISM: &str = "application/vnd.github+json, application/json;q=0.9";

async fn prism() -> (Prism, tempfile::TempDir) {
    let text = std::fs::read_to_string(github_spec()).unwrap();
    let mut spec: serde_json::Value = serde_json::from_str(&text).unwrap();
    let paths = spec["paths"].as_object_mut().unwrap();
    paths.retain(|k, _| PATHS.contains(&k.as_str()));
    assert_eq!(
        paths.len(),
        PATHS.len(),
        "the description lost a path onduty uses"
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("github-issues.json");
    std::fs::write(&file, spec.to_string()).unwrap();
    (Prism::start_file(&file, &[]).await, dir)
}

fn config(url: &str) -> SourceConfig {
    let toml = format!(
        "[[source]]\nname = 'gh'\nkind = 'github'\nurl = '{url}'\n\
         token_command = 'printf ghp_canary'\nrepos = ['octocat/Hello-World']\n\
         headers = {{ Accept = '{ACCEPT_FOR_PRISM}' }}\n"
    );
    Config::from_str_at(&toml, "gh.toml", &Overrides::default())
        .unwrap()
        .sources[0]
        .clone()
}

fn count(prism: &Prism, prefix: &str) -> usize {
    prism
        .requests()
        .iter()
        .filter(|r| {
            let (req, want) = (r.request.to_lowercase(), prefix.to_lowercase());
            req == want || (req.starts_with(&want) && req[want.len()..].starts_with(['?', ' ']))
        })
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_and_every_action_pass_the_github_description() {
    let (prism, _dir) = prism().await;
    let mut gh = GitHubSource::new(config(&prism.url), Duration::from_secs(30)).unwrap();
    let snapshot = gh.fetch().await.unwrap();
    // The description's example issue is a pull request (it carries `pull_request`), which
    // the issues list also returns: it is not a ticket.
    assert!(snapshot.tickets.is_empty(), "{:?}", snapshot.tickets);

    let key = AlertKey("gh:octocat/Hello-World#1347".into());
    let comment = Operation::Comment {
        text: "failover started".into(),
        marker: "od-00000000aaaa".into(),
    };
    gh.perform(&key, &comment, "ana").await.unwrap();
    // The single-issue example is a `$ref` that Prism serves as it stands, without a state,
    // so both state changes are sent (the re-send checks are in tests/faults_github.rs).
    let reopen = Operation::Transition { to: "open".into() };
    gh.perform(&key, &reopen, "ana").await.unwrap();
    gh.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    let create = Operation::CreateTicket(Box::new(NewTicket {
        title: "Checkout is down".into(),
        body: "Declared SEV1 from onduty".into(),
        marker: "od-00000000bbbb".into(),
    }));
    gh.perform(&AlertKey("gh:".into()), &create, "ana")
        .await
        .unwrap();

    let issue = "/repos/octocat/Hello-World/issues";
    assert!(
        count(&prism, &format!("GET {issue}")) >= 2,
        "{:#?}",
        prism.requests()
    );
    assert_eq!(count(&prism, &format!("GET {issue}/1347/comments")), 1);
    assert_eq!(count(&prism, &format!("POST {issue}/1347/comments")), 1);
    assert_eq!(count(&prism, &format!("GET {issue}/1347")), 2);
    assert_eq!(count(&prism, &format!("PATCH {issue}/1347")), 2);
    assert_eq!(count(&prism, &format!("POST {issue}")), 1);
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn malformed_github_requests_are_refused_so_the_check_is_live() {
    let (prism, _dir) = prism().await;
    let http = reqwest::Client::new();
    let send = |req: reqwest::RequestBuilder| async move {
        req.header("accept", ACCEPT_FOR_PRISM)
            .bearer_auth("ghp_canary")
            .send()
            .await
            .unwrap()
            .status()
    };
    let issue = format!("{}/repos/octocat/Hello-World/issues", prism.url);
    // (Prism lets a PATCH with a bad state and a POST without a title through: the
    // description's `oneOf` bodies are not checked there; these two rules it does check.)
    let bad_state = http.get(&issue).query(&[("state", "finished")]);
    assert!(send(bad_state).await.is_client_error());
    let no_body = http
        .post(format!("{issue}/1347/comments"))
        .json(&serde_json::json!({ "text": "not the field" }));
    assert!(send(no_body).await.is_client_error());
    assert_eq!(prism.refused().len(), 2, "{}", prism.log());
}

// Who the token is (issue 32): `GET /user`, as GitHub's description says.
#[tokio::test]
async fn the_tokens_user_is_read_from_user_as_the_spec_says() {
    let (prism, _dir) = prism().await;
    let mut gh = GitHubSource::new(config(&prism.url), Duration::from_secs(30)).unwrap();
    let who = gh.whoami().await.unwrap().expect("a token names its user");
    assert_eq!(
        who.said(),
        "octocat (monalisa octocat) <octocat@github.com>"
    );
    assert!(who.contradiction("gh", "octocat").is_none());
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}
