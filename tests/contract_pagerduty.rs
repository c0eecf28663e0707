//! `PagerDutySource` against Prism serving PagerDuty's official OpenAPI spec: every request
//! onduty makes (list with pagination, one incident, ack, resolve, snooze, notes, reassign,
//! escalate, bulk `PUT /incidents`, on-calls, escalation policies, users) passes the spec's validation, a
//! deliberately malformed one is refused (so the check is live), and the spec's example
//! answers map into the model.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeDelta, Utc};
use onduty::clock::SystemClock;
use onduty::config::{Config, Overrides, SourceConfig};
use onduty::model::{AlertKey, Severity, Status};
use onduty::sources::backend::BackendSettings;
use onduty::sources::pagerduty::PagerDutySource;
use onduty::sources::pagerduty::client::{self, Client, Target};
use onduty::sources::pagerduty::wire::IncidentChange;
use onduty::sources::{BatchItem, Operation, Source};
use support::prism::Prism;

const SPEC: &str = "pagerduty-v2.openapi.json";
/// Prism only offers the spec's `application/json`; the live API wants the vendor type
/// alone, which onduty sends unless told otherwise (see ../shared/specs/SOURCES.md).
const ACCEPT_FOR_PRISM: &str = "application/vnd.pagerduty+json;version=2, application/json;q=0.9";

fn config(url: &str) -> SourceConfig {
    let toml = format!(
        "[[source]]\nname = 'pd'\nkind = 'pagerduty'\nurl = '{url}'\n\
         token_command = 'printf y_NbAkKc66ryYTWUXYEu'\nfrom_email = 'oncall@example.com'\n\
         headers = {{ Accept = '{ACCEPT_FOR_PRISM}' }}\n"
    );
    let c = Config::from_str_at(&toml, "pd.toml", &Overrides::default()).unwrap();
    c.sources[0].clone()
}

/// The source, on Prism at `url`.
fn source(url: &str) -> PagerDutySource {
    PagerDutySource::new(config(url), Duration::from_secs(20), Arc::new(SystemClock)).unwrap()
}

/// Performs `op` on the spec's example incident.
async fn act(pd: &mut PagerDutySource, op: Operation) -> Result<(), onduty::sources::Error> {
    pd.perform(&AlertKey("pd:PT4KHLK".into()), &op, "ana").await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_poll_and_every_action_pass_the_spec_and_the_examples_map_into_the_model() {
    let prism = Prism::start(SPEC).await;
    let mut pd = source(&prism.url);
    let snapshot = pd.fetch().await.unwrap();

    // The spec's example incident.
    let a = snapshot
        .alerts
        .iter()
        .find(|a| a.key.0 == "pd:PT4KHLK")
        .expect("the example incident");
    assert_eq!(&*a.title, "The server is on fire.");
    assert_eq!(a.severity, Severity::Error, "priority P2");
    assert_eq!(a.status, Status::Resolved, "the example is resolved");
    assert_eq!(&*a.service, "My Mail Service");
    assert_eq!(a.field("incident_number"), Some("1234"));
    assert_eq!(
        a.field("escalation_policy"),
        Some("Another Escalation Policy")
    );
    assert_eq!(a.field("team"), Some("Engineering"));
    assert_eq!(
        &*a.links[0].url,
        "https://subdomain.pagerduty.com/incidents/PT4KHLK"
    );
    assert!(
        a.notes
            .iter()
            .any(|n| n.text == "Firefighters are on the scene." && n.author == "Earline Greenholt"),
        "{:?}",
        a.notes
    );
    // Prism answers every page with the same example and `more: true`: the repeated page
    // ends the walk instead of following it to PagerDuty's offset limit.
    assert_eq!(snapshot.alerts.len(), 1);

    // The example policy, its level and targets (nobody is on call for it in the example
    // on-call list, so the level shows what it targets).
    let p = snapshot
        .escalation
        .iter()
        .find(|p| p.name == "Engineering Escalation Policy")
        .expect("the example policy");
    assert_eq!((p.id.as_str(), p.repeats), ("PANZZEQ", 0));
    assert_eq!(p.services, vec!["My Mail Service"]);
    assert_eq!(p.levels.len(), 1);
    let who: Vec<&str> = p.levels[0].on_call.iter().map(|o| o.who.as_str()).collect();
    assert_eq!(who, ["PagerDuty Admin", "Daily Engineering Rotation"]);

    // Actions through the source: each looks the incident up first. The spec's example
    // incident is acknowledged and assigned to Earline Greenholt: an ack, or a reassign to
    // her, finds nothing to do and sends nothing.
    act(&mut pd, Operation::Acknowledge).await.unwrap();
    act(&mut pd, Operation::Resolve).await.unwrap();
    act(
        &mut pd,
        Operation::Silence {
            duration: Duration::from_secs(3600),
            comment: "waiting on the vendor".into(),
        },
    )
    .await
    .unwrap();
    // A note already there (the example's) is not added twice; a new one is.
    let note = |text: &str| Operation::AddNote { text: text.into() };
    act(&mut pd, note("Firefighters are on the scene."))
        .await
        .unwrap();
    act(&mut pd, note("rolled back 4f2a")).await.unwrap();
    let reassign = |to: &str| Operation::Reassign { to: to.into() };
    act(&mut pd, reassign("Earline Greenholt")).await.unwrap();
    act(&mut pd, reassign("Engineering Escalation Policy"))
        .await
        .unwrap();
    let err = act(
        &mut pd,
        Operation::CreateSilence {
            starts_at: None,
            matchers: vec![],
            duration: Duration::from_secs(60),
            comment: String::new(),
        },
    )
    .await
    .unwrap_err();
    assert!(err.to_string().contains("snooze"), "{err}");

    // The incident's alerts, asked for when its detail opens.
    let related = pd.related(&AlertKey("pd:PT4KHLK".into())).await.unwrap();
    assert!(
        related
            .iter()
            .all(|r| !r.summary.is_empty() && !r.status.is_empty()),
        "{related:?}"
    );
    assert!(!related.is_empty());

    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    let count = |r: &str| seen.iter().filter(|s| *s == r).count();
    assert_eq!(count("get /incidents"), 2, "two pages: {seen:?}");
    assert_eq!(
        count("put /incidents/PT4KHLK"),
        2,
        "resolve and the reassign to a policy: {seen:?}"
    );
    assert_eq!(count("post /incidents/PT4KHLK/snooze"), 1, "{seen:?}");
    assert_eq!(
        count("post /incidents/PT4KHLK/notes"),
        2,
        "the snooze's comment and the new note: {seen:?}"
    );
    for r in [
        "get /escalation_policies",
        "get /oncalls",
        "get /users",
        "get /incidents/PT4KHLK/log_entries",
    ] {
        assert!(count(r) >= 1, "{r} not sent: {seen:?}");
    }
    assert_eq!(prism.refused(), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bulk_reassign_and_ack_through_the_source_pass_the_spec() {
    let prism = Prism::start(SPEC).await;
    let mut pd = source(&prism.url);
    pd.fetch().await.unwrap();
    // The example incident is listed resolved under "Another Escalation Policy": the ack
    // finds nothing to do, the reassign goes in one `PUT /incidents`.
    let item = |op: Operation| BatchItem {
        key: AlertKey("pd:PT4KHLK".into()),
        op,
        author: "ana".into(),
    };
    let items = [
        item(Operation::Acknowledge),
        item(Operation::Reassign {
            to: "Engineering Escalation Policy".into(),
        }),
    ];
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    pd.perform_batch(&items, Duration::from_secs(20), &tx).await;
    drop(tx);
    let mut told = Vec::new();
    while let Some((i, result)) = rx.recv().await {
        told.push((i, result.map_err(|e| e.to_string())));
    }
    told.sort_by_key(|(i, _)| *i);
    assert_eq!(told, [(0, Ok(())), (1, Ok(()))]);
    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    assert_eq!(
        seen.iter().filter(|r| *r == "put /incidents").count(),
        1,
        "{seen:?}"
    );
    assert!(
        !seen.iter().any(|r| r.starts_with("put /incidents/")),
        "nothing one by one: {seen:?}"
    );
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
}

#[tokio::test(flavor = "multi_thread")]
async fn every_request_shape_passes_the_spec_and_a_malformed_one_is_refused() {
    let prism = Prism::start(SPEC).await;
    let cfg = config(&prism.url);
    let settings = onduty::sources::pagerduty::Settings::read(&cfg).unwrap();
    let client = Client::new(&cfg, &settings, Duration::from_secs(20))
        .await
        .unwrap();
    let from = "oncall@example.com";
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let now = Utc::now();
    let incidents = client
        .incidents(
            &ids(&["PIJ90N7"]),
            &ids(&["PQ9K7I8"]),
            &ids(&["PXPGF42"]),
            Some((now - TimeDelta::hours(24), now)),
        )
        .await
        .unwrap();
    assert_eq!(incidents[0].id, "PT4KHLK");
    client.incident("PT4KHLK").await.unwrap();
    client
        .set_status("PT4KHLK", "acknowledged", from)
        .await
        .unwrap();
    client
        .set_status("PT4KHLK", "resolved", from)
        .await
        .unwrap();
    client
        .snooze("PT4KHLK", Duration::from_secs(2 * 3600), from)
        .await
        .unwrap();
    client
        .add_note_once("PT4KHLK", "checking the mail queue", from)
        .await
        .unwrap();
    client
        .reassign("PT4KHLK", &Target::User("PXPGF42".into()), from)
        .await
        .unwrap();
    client
        .reassign("PT4KHLK", &Target::Policy("PANZZEQ".into()), from)
        .await
        .unwrap();
    client.escalate("PT4KHLK", 2, from).await.unwrap();
    let bulk = [
        IncidentChange {
            id: Some("PT4KHLK".into()),
            ..client::status_change("acknowledged")
        },
        IncidentChange {
            id: Some("PQMF62U".into()),
            ..client::status_change("resolved")
        },
        IncidentChange {
            id: Some("PXPGF42".into()),
            ..client::reassign_change(&Target::User("PXPGF42".into()))
        },
    ];
    client.update_incidents(&bulk, from).await.unwrap();
    let policies = client
        .escalation_policies(&ids(&["PQ9K7I8"]))
        .await
        .unwrap();
    assert_eq!(policies[0].id, "PANZZEQ");
    let oncalls = client
        .oncalls(&ids(&["PANZZEQ"]), now, now + TimeDelta::days(8))
        .await
        .unwrap();
    assert_eq!(oncalls[0].escalation_level, Some(2));
    let alerts = client.incident_alerts("PT4KHLK").await.unwrap();
    assert!(!alerts.is_empty(), "the spec's example lists an alert");
    assert_eq!(client.me().await.unwrap().id, "PXPGF42");
    assert_eq!(
        client.user_id("Earline Greenholt").await.unwrap(),
        "PXPGF42"
    );

    let seen: Vec<String> = prism.requests().into_iter().map(|r| r.request).collect();
    for r in [
        "get /incidents",
        "get /incidents/PT4KHLK",
        "put /incidents/PT4KHLK",
        "put /incidents",
        "post /incidents/PT4KHLK/snooze",
        "get /incidents/PT4KHLK/notes",
        "post /incidents/PT4KHLK/notes",
        "get /escalation_policies",
        "get /oncalls",
        "get /users/me",
        "get /users",
        "get /incidents/PT4KHLK/alerts",
    ] {
        assert!(seen.iter().any(|s| s == r), "{r} not sent: {seen:?}");
    }
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());

    // The check is live: a status the spec does not allow, and a write without `From`.
    let http = reqwest::Client::new();
    let put = |body: serde_json::Value, from: Option<&str>| {
        let mut req = http
            .put(format!("{}/incidents/PT4KHLK", prism.url))
            .header("Accept", ACCEPT_FOR_PRISM)
            .header("Authorization", "Token token=y_NbAkKc66ryYTWUXYEu")
            .json(&body);
        if let Some(f) = from {
            req = req.header("From", f);
        }
        req.send()
    };
    let closed =
        serde_json::json!({"incident": {"type": "incident_reference", "status": "closed"}});
    assert_eq!(put(closed, Some(from)).await.unwrap().status(), 422);
    let ack =
        serde_json::json!({"incident": {"type": "incident_reference", "status": "acknowledged"}});
    assert_eq!(put(ack, None).await.unwrap().status(), 422);
    let refused = prism.refused();
    assert_eq!(refused.len(), 2, "{refused:?}");
    assert!(refused[0].contains("allowed values"), "{refused:?}");
    assert!(refused[1].contains("from"), "{refused:?}");
}

/// PagerDuty's analytics (issue 31): the aggregated metrics (all, per service) and the raw
/// incidents, slowest first, pass the spec's validation, the spec's examples map into the
/// insights' figures, and a path that is no analytics endpoint is refused (the check is live).
#[tokio::test(flavor = "multi_thread")]
async fn analytics_pass_the_spec_and_the_examples_map_into_the_figures() {
    let prism = Prism::start(SPEC).await;
    let mut pd = source(&prism.url);
    let until = Utc::now();
    let since = until - TimeDelta::days(30);
    let a = pd
        .analytics(since, until)
        .await
        .unwrap()
        .expect("PagerDuty keeps analytics");
    assert_eq!(a.source, "pd");
    let service = a
        .services
        .iter()
        .find(|f| f.name == "Critical Prod Service 1")
        .expect("the example service");
    assert_eq!(service.incidents, 124);
    assert_eq!(
        service.to_ack[0],
        Some(TimeDelta::seconds(63)),
        "mean seconds to first ack"
    );
    assert_eq!(service.to_resolve[0], Some(TimeDelta::seconds(380)));
    assert_eq!(
        (
            service.escalated_by_timeout,
            service.escalated_by_hand,
            service.auto_resolved
        ),
        (4, 9, 12)
    );
    assert_eq!(service.interruptions, [81, 20, 21]);
    assert!(a.total.incidents > 0, "{:?}", a.total);
    let slowest = a.slowest.first().expect("the example raw incidents");
    assert_eq!(slowest.id, "PYC0H08");
    assert_eq!(slowest.to_resolve, TimeDelta::seconds(3305));
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    // Not an analytics endpoint: Prism refuses it, so the calls above were checked.
    let cfg = config(&prism.url);
    let settings = onduty::sources::pagerduty::Settings::read(&cfg).unwrap();
    let client = Client::new(&cfg, &settings, Duration::from_secs(20))
        .await
        .unwrap();
    assert!(
        client
            .analytics_metrics("no_such_grouping", since, until, &[])
            .await
            .is_err()
    );
}

// Who the token is (issue 32): `GET /users/me`, as the spec says, shown by `onduty check`
// and the dashboard; a configured identity naming someone else is told.
#[tokio::test]
async fn the_tokens_user_is_read_from_users_me_as_the_spec_says() {
    let prism = Prism::start(SPEC).await;
    let mut pd = source(&prism.url);
    let who = pd
        .whoami()
        .await
        .unwrap()
        .expect("a user token names its user");
    assert_eq!(
        who.said(),
        "Earline Greenholt <125.greenholt.earline@graham.name>"
    );
    assert!(who.contradiction("pd", "125.greenholt.earline").is_none());
    assert!(who.contradiction("pd", "ana").is_some());
    assert_eq!(prism.refused(), Vec::<String>::new(), "{}", prism.log());
    assert!(
        prism
            .requests()
            .iter()
            .any(|r| r.request.eq_ignore_ascii_case("GET /users/me")),
        "{}",
        prism.log()
    );
    // `onduty check` says it, and warns of a configured identity naming someone else.
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("onduty.toml");
    for (identity, warned) in [("ana", true), ("Earline Greenholt", false)] {
        std::fs::write(
            &file,
            format!(
                "identity = '{identity}'\n\
                 [[source]]\nname = 'pd'\nkind = 'pagerduty'\nurl = '{}'\n\
                 token_command = 'printf y_NbAkKc66ryYTWUXYEu'\nfrom_email = 'oncall@example.com'\n\
                 headers = {{ Accept = '{ACCEPT_FOR_PRISM}' }}\n",
                prism.url
            ),
        )
        .unwrap();
        let (_, out) = support::run_onduty(dir.path(), &file, &["check"]).await;
        assert!(
            out.contains("  acts as Earline Greenholt <125.greenholt.earline@graham.name>"),
            "{out}"
        );
        assert_eq!(
            out.contains(
                "  warning: pd acts as Earline Greenholt <125.greenholt.earline@graham.name>, \
                 but identity is \"ana\""
            ),
            warned,
            "{out}"
        );
    }
}
