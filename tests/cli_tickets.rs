//! `onduty tickets` from the real binary: a real Alertmanager whose alert names ticket
//! OPS-7 by its `ticket` label, a Jira Data Center answering from the fault server; the
//! tickets are listed with their state and the alert they are linked to, filtered with the
//! `/` language, and a ticket source that fails is said on stderr with exit 2.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use serde_json::{Value, json};
use support::Alertmanager;
use support::faults::{Fault, FaultServer};

async fn jira() -> FaultServer {
    FaultServer::start(|_, line| match line {
        "GET /rest/api/2/search" => Fault::Body(
            json!({"total": 2, "issues": [
                {"key": "OPS-7", "fields": {"summary": "Checkout errors",
                    "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
                    "assignee": {"displayName": "Ana Ops"},
                    "updated": "2026-11-25T10:00:00.000+0000",
                    "comment": {"total": 1, "comments": [{"author": {"displayName": "bo"},
                        "created": "2026-11-25T10:05:00.000+0000", "body": "rolled back"}]}}},
                {"key": "OPS-8", "fields": {"summary": "Old one",
                    "status": {"name": "Done", "statusCategory": {"key": "done"}}}}]})
            .to_string(),
        ),
        _ => Fault::Status(404, "{}"),
    })
    .await
}

fn config(dir: &std::path::Path, am: &Alertmanager, jira_url: &str) -> std::path::PathBuf {
    let cfg = dir.join("onduty.toml");
    let toml = format!(
        "identity = \"ana\"\n{}\n[[source]]\nname = \"jira\"\nkind = \"jira\"\nurl = \"{jira_url}\"\n\
         deployment = \"datacenter\"\ntoken_command = \"printf jira-pat-canary\"\n",
        am.source_toml("prod")
    );
    std::fs::write(&cfg, toml).unwrap();
    cfg
}

#[tokio::test(flavor = "multi_thread")]
async fn tickets_lists_each_ticket_with_the_alerts_that_name_it() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([
        {"labels": {"alertname": "CheckoutErrors", "severity": "critical", "ticket": "OPS-7"}},
        {"labels": {"alertname": "DiskFull", "severity": "warning"}}
    ]))
    .await;
    let server = jira().await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &am, &server.url);

    let (code, out) = support::run_onduty(dir.path(), &cfg, &["tickets", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    let rows: Vec<Value> = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["key"], "jira:OPS-7", "open work first");
    assert_eq!(rows[0]["state"], "in_progress");
    assert_eq!(rows[0]["assignee"], "Ana Ops");
    assert_eq!(rows[0]["last_comment"]["text"], "rolled back");
    assert_eq!(rows[0]["url"], format!("{}/browse/OPS-7", server.url));
    let linked = rows[0]["linked"].as_array().unwrap();
    assert_eq!(linked.len(), 1, "{linked:?}");
    assert!(
        linked[0].as_str().unwrap().starts_with("prod:"),
        "{linked:?}"
    );
    assert_eq!(rows[1]["linked"], json!([]));

    let (code, out) =
        support::run_onduty(dir.path(), &cfg, &["tickets", "--filter", "is:resolved"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("jira:OPS-8") && !out.contains("jira:OPS-7"),
        "{out}"
    );
    assert!(out.contains("1 ticket(s)"), "{out}");

    let (code, out) =
        support::run_onduty(dir.path(), &cfg, &["tickets", "--filter", "sev>=bogus"]).await;
    assert_ne!(code, 0);
    assert!(out.contains("--filter"), "{out}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failing_ticket_source_is_said_and_exits_2() {
    let am = Alertmanager::start().await;
    let refused = FaultServer::start(|_, _| Fault::Status(401, "nope")).await;
    let dir = tempfile::tempdir().unwrap();
    let cfg = config(dir.path(), &am, &refused.url);
    let (code, out) = support::run_onduty(dir.path(), &cfg, &["tickets"]).await;
    assert_eq!(code, 2, "{out}");
    assert!(
        out.contains("source 'jira' failed") && out.contains("0 ticket(s)"),
        "{out}"
    );
    assert!(
        !out.contains("jira-pat-canary"),
        "the token is never shown: {out}"
    );
}
