//! `GrafanaOnCallSource` against a small stateful Grafana OnCall on the fault server, its
//! answers shaped as OnCall's serializers write them (no official description exists;
//! `../shared/reference/grafana-oncall.md` names the files): every request checked for
//! method, path, the bare key in `Authorization` and its body; paging to the end without
//! following `next` to OnCall's own host; states and labels mapped; actions that re-send
//! safely; a service account's refusal said plainly; 403 as a refused key; 429 waited for;
//! hostile text sanitized.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use onduty::sources::backend::FromConfig;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::{AlertKey, Status, sanitize};
use onduty::sources::grafana_oncall::{
    GrafanaOnCallSource, KIND, SERVICE_ACCOUNT, SERVICE_ACCOUNT_CAPABILITIES,
};
use onduty::sources::{Error, Operation, Source};
use support::faults::{Fault, FaultServer, Seen};

const KEY: &str = "c0ffee-oncall-key";

/// A small OnCall: groups with states, notes, one user.
#[derive(Default)]
struct Fake {
    /// (id, state, title).
    groups: Vec<(String, String, String)>,
    /// (group, text).
    notes: Vec<(String, String)>,
    /// Actions refused as a service account's.
    is_service_account: bool,
    /// Requests answered 429 before the others.
    throttled: usize,
}

type Shared = Arc<Mutex<Fake>>;

fn param<'a>(target: &'a str, name: &str) -> Option<&'a str> {
    target
        .split(['?', '&'])
        .find_map(|p| p.strip_prefix(name)?.strip_prefix('='))
}

fn json(status: u16, body: String) -> Fault {
    Fault::Headed {
        status,
        headers: "Content-Type: application/json\r\n",
        body,
    }
}

fn group_json(id: &str, state: &str, title: &str) -> String {
    serde_json::json!({
        "id": id, "integration_id": "CFRPV98RPR1U8", "team_id": "TE5EF3RQHJQPI",
        "route_id": "RIYGUJXCPFHXY", "alerts_count": 3, "state": state,
        "created_at": "2026-12-05T09:00:00Z", "resolved_at": null, "resolved_by": null,
        "acknowledged_at": if state == "acknowledged" { "2026-12-05T09:05:00Z" } else { "" },
        "acknowledged_by": if state == "acknowledged" { "U4DNY931HHJS5" } else { "" },
        "labels": [{"key": {"id": "k1", "name": "severity"}, "value": {"id": "v1", "name": "critical"}}],
        "title": title,
        "permalinks": {"slack": null, "slack_app": null, "telegram": null,
                       "web": format!("https://stack.grafana.net/a/grafana-oncall-app/alert-groups/{id}")},
        "silenced_at": null,
        "last_alert": {"id": "AA74DN7T4JQB6", "alert_group_id": id, "created_at": "2026-12-05T09:00:00Z",
                       "payload": {"commonAnnotations": {"summary": "checkout is slow",
                                   "runbook_url": "https://runbooks.example.com/checkout"}}}
    })
    .to_string()
}

fn answer(fake: &Shared, seen: &Seen) -> Fault {
    let mut f = fake.lock().unwrap();
    let head = seen.head.to_ascii_lowercase();
    if !head.contains(&format!("\r\nauthorization: {KEY}\r\n")) {
        return json(403, r#"{"detail":"Invalid token."}"#.into());
    }
    if f.throttled > 0 {
        f.throttled -= 1;
        return Fault::Headed {
            status: 429,
            headers: "RateLimit-Reset: 1\r\n",
            body: r#"{"detail":"Request was throttled. Expected available in 1 seconds."}"#.into(),
        };
    }
    let target = seen.target().to_string();
    let path = seen.path().trim_end_matches('/');
    let method = seen.method();
    let page = |items: Vec<String>, page: usize| {
        let chunk: Vec<String> = items
            .iter()
            .skip((page - 1) * 50)
            .take(50)
            .cloned()
            .collect();
        let next = (page * 50 < items.len()).then(|| {
            // Built from OnCall's own BASE_URL: not where the client called.
            format!(
                "https://oncall-internal.example:8080/api/v1/alert_groups/?page={}",
                page + 1
            )
        });
        serde_json::json!({"count": items.len(), "next": next, "previous": null,
            "results": chunk.iter().map(|c| serde_json::from_str::<serde_json::Value>(c).unwrap()).collect::<Vec<_>>(),
            "page_size": 50, "current_page_number": page, "total_pages": items.len().div_ceil(50)})
        .to_string()
    };
    let n: usize = param(&target, "page")
        .and_then(|p| p.parse().ok())
        .unwrap_or(1);
    match (method, path) {
        // The key's owner (`views/users.py`); a service account's key is nobody's.
        ("GET", "/api/v1/users/current") if f.is_service_account => {
            json(404, r#"{"detail":"Not found."}"#.into())
        }
        ("GET", "/api/v1/users/current") => json(
            200,
            r#"{"id":"U4DNY931HHJS5","email":"ana@example.com","username":"ana\u001b[2J","role":"admin","timezone":"Europe/Berlin","teams":[]}"#.into(),
        ),
        ("GET", "/api/v1/users") => json(
            200,
            page(vec![r#"{"id":"U4DNY931HHJS5","username":"ana"}"#.into()], n),
        ),
        ("GET", "/api/v1/alert_groups") => {
            let state = param(&target, "state").unwrap_or_default();
            let listed = f
                .groups
                .iter()
                .filter(|(_, s, _)| (if s == "firing" { "new" } else { s.as_str() }) == state)
                .map(|(id, s, t)| group_json(id, s, t))
                .collect();
            json(200, page(listed, n))
        }
        ("GET", "/api/v1/resolution_notes") => {
            let group = param(&target, "alert_group_id").unwrap_or_default();
            let notes = f
                .notes
                .iter()
                .filter(|(g, _)| g == group)
                .map(|(g, t)| {
                    serde_json::json!({"id": "N1", "alert_group_id": g, "author": "U4DNY931HHJS5",
                        "source": "web", "created_at": "2026-12-05T09:10:00Z", "text": t})
                    .to_string()
                })
                .collect();
            json(200, page(notes, n))
        }
        ("POST", "/api/v1/resolution_notes") => {
            let v: serde_json::Value = serde_json::from_str(&seen.body).unwrap();
            let (g, t) = (
                v["alert_group_id"].as_str().unwrap(),
                v["text"].as_str().unwrap(),
            );
            f.notes.push((g.into(), t.into()));
            json(
                201,
                serde_json::json!({"id": "N2", "alert_group_id": g, "text": t}).to_string(),
            )
        }
        ("GET", p) if p.starts_with("/api/v1/alert_groups/") => {
            let id = p.rsplit('/').next().unwrap();
            match f.groups.iter().find(|(g, _, _)| g == id) {
                Some((g, s, t)) => json(200, group_json(g, s, t)),
                None => json(404, r#"{"detail":"Not found."}"#.into()),
            }
        }
        ("POST", p) if p.starts_with("/api/v1/alert_groups/") => {
            let mut parts = p.rsplit('/');
            let (action, id) = (parts.next().unwrap(), parts.next().unwrap().to_string());
            if f.is_service_account {
                return json(
                    403,
                    format!(
                        r#"{{"detail":"Service accounts are not allowed to {action} alert groups"}}"#
                    ),
                );
            }
            let Some(g) = f.groups.iter_mut().find(|(g, _, _)| *g == id) else {
                return json(404, r#"{"detail":"Not found."}"#.into());
            };
            let (from_ok, to): (&[&str], &str) = match action {
                "acknowledge" => (&["firing"], "acknowledged"),
                "unacknowledge" => (&["acknowledged"], "firing"),
                "resolve" => (&["firing", "acknowledged", "silenced"], "resolved"),
                "unresolve" => (&["resolved"], "firing"),
                "silence" => {
                    let v: serde_json::Value = serde_json::from_str(&seen.body).unwrap_or_default();
                    if !v["delay"].is_i64() {
                        return json(400, r#"{"detail":"delay is required"}"#.into());
                    }
                    (&["firing"], "silenced")
                }
                _ => return json(404, r#"{"detail":"Not found."}"#.into()),
            };
            if !from_ok.contains(&g.1.as_str()) {
                return json(
                    400,
                    format!(
                        r#"{{"detail":"Can't {action} an alert group that is {}"}}"#,
                        g.1
                    ),
                );
            }
            g.1 = to.into();
            Fault::Headed {
                status: 200,
                headers: "",
                body: String::new(),
            }
        }
        ("GET", "/api/v1/escalation_chains") => json(
            200,
            page(vec![r#"{"id":"F5JU6KJET33FE","name":"Checkout","team_id":null}"#.into()], n),
        ),
        ("GET", "/api/v1/escalation_policies") => json(
            200,
            page(
                vec![
                    r#"{"id":"E3","escalation_chain_id":"F5JU6KJET33FE","position":2,"type":"notify_persons","important":true,"persons_to_notify":["U4DNY931HHJS5"]}"#.into(),
                    r#"{"id":"E1","escalation_chain_id":"F5JU6KJET33FE","position":0,"type":"notify_on_call_from_schedule","important":false,"notify_on_call_from_schedule":"SBM7DV7BKFUYU"}"#.into(),
                    r#"{"id":"E2","escalation_chain_id":"F5JU6KJET33FE","position":1,"type":"wait","duration":300}"#.into(),
                ],
                n,
            ),
        ),
        ("GET", "/api/v1/routes") => json(
            200,
            page(vec![r#"{"id":"RIYGUJXCPFHXY","integration_id":"CFRPV98RPR1U8","escalation_chain_id":"F5JU6KJET33FE","routing_regex":"us-(east|west)","position":0,"is_the_last_route":false}"#.into()], n),
        ),
        ("GET", "/api/v1/schedules") => json(
            200,
            page(vec![r#"{"id":"SBM7DV7BKFUYU","team_id":null,"type":"calendar","name":"Primary","time_zone":"UTC","on_call_now":["U4DNY931HHJS5"],"shifts":[]}"#.into()], n),
        ),
        ("GET", "/api/v1/schedules/SBM7DV7BKFUYU/final_shifts") => {
            let now = chrono::Utc::now();
            let at = |h: i64| (now + chrono::TimeDelta::hours(h)).format("%Y-%m-%dT%H:%M:%SZ").to_string();
            let shifts = vec![
                format!(r#"{{"user_pk":"U4DNY931HHJS5","user_email":"ana@example.com","user_username":"ana","shift_start":"{}","shift_end":"{}"}}"#, at(-2), at(6)),
                format!(r#"{{"user_pk":"U2","user_email":"bo@example.com","user_username":"bo","shift_start":"{}","shift_end":"{}"}}"#, at(6), at(14)),
            ];
            json(200, page(shifts, n))
        }
        _ => json(404, r#"{"detail":"Not found."}"#.into()),
    }
}

async fn fake(f: Fake) -> (FaultServer, Shared) {
    let shared = Arc::new(Mutex::new(f));
    let s = shared.clone();
    let server = FaultServer::start_full(move |_, seen| answer(&s, seen)).await;
    (server, shared)
}

fn source(url: &str, key: &str) -> GrafanaOnCallSource {
    let mut c = SourceConfig::new("irm", KIND);
    c.url = Some(format!("{url}/"));
    c.token_command = Some(format!("printf {key}"));
    GrafanaOnCallSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

fn groups(n: usize) -> Vec<(String, String, String)> {
    (0..n)
        .map(|i| {
            let state = ["firing", "acknowledged", "silenced", "resolved"][i % 4];
            (
                format!("G{i:04}"),
                state.to_string(),
                format!("Checkout 5xx {i}"),
            )
        })
        .collect()
}

#[tokio::test]
async fn open_alert_groups_are_listed_to_the_end_of_every_page_with_states_labels_and_links() {
    let (server, _) = fake(Fake {
        groups: groups(240),
        ..Fake::default()
    })
    .await;
    let snap = source(&server.url, KEY).fetch().await.unwrap();
    assert_eq!(
        snap.alerts.len(),
        180,
        "every open group (the resolved left out)"
    );
    let acked = snap.alerts.iter().find(|a| a.key.0 == "irm:G0001").unwrap();
    assert_eq!(acked.status, Status::Acked);
    assert_eq!(
        acked.acked_by.as_deref(),
        Some("ana"),
        "user id read as a name"
    );
    let a = snap.alerts.iter().find(|a| a.key.0 == "irm:G0000").unwrap();
    assert_eq!((a.status, &*a.title), (Status::Firing, "Checkout 5xx 0"));
    assert_eq!(
        a.severity,
        onduty::model::Severity::Critical,
        "from its severity label"
    );
    assert_eq!(a.labels.get("team"), Some("TE5EF3RQHJQPI"));
    assert_eq!(a.labels.get(onduty::model::OCCURRENCES), Some("3"));
    assert_eq!(a.annotations.get("summary"), Some("checkout is slow"));
    assert!(
        a.links
            .iter()
            .any(|l| l.url.ends_with("/alert-groups/G0000"))
    );
    assert!(a.links.iter().any(|l| &*l.label == "runbook"));
    // Its route's chain, with who is on call on the schedule it pages, until when, who next.
    assert_eq!(a.labels.get("escalation_policy"), Some("Checkout"));
    let [chain] = snap.escalation.as_slice() else {
        panic!("{:?}", snap.escalation)
    };
    assert!(chain.covers(a));
    assert_eq!(chain.levels.len(), 2, "{chain:?}");
    let first = &chain.levels[0].on_call[0];
    assert_eq!(
        (first.who.as_str(), first.via.as_deref()),
        ("ana", Some("Primary"))
    );
    assert_eq!(first.next.as_deref(), Some("bo"));
    assert!(
        first
            .until
            .is_some_and(|u| u > chrono::Utc::now() + chrono::TimeDelta::hours(5))
    );
    assert_eq!(chain.levels[1].after, chrono::TimeDelta::minutes(5));
    assert_eq!(chain.levels[1].on_call[0].who, "ana");
    let silenced = snap.alerts.iter().find(|a| a.key.0 == "irm:G0002").unwrap();
    assert_eq!(silenced.status, Status::Silenced);
    let seen = server.seen();
    let shifts = seen
        .iter()
        .find(|s| s.target().contains("/final_shifts"))
        .unwrap();
    assert!(
        param(shifts.target(), "start_date").is_some_and(|d| d.len() == 10),
        "{}",
        shifts.target()
    );
    for s in &seen {
        assert!(s.line.starts_with("GET /api/v1/"), "{}", s.line);
        assert!(
            s.head.contains(&format!("authorization: {KEY}\r\n"))
                || s.head.contains(&format!("Authorization: {KEY}\r\n")),
            "the bare key: {}",
            s.head
        );
    }
    let new_pages: Vec<_> = seen
        .iter()
        .filter(|s| s.target().contains("state=new"))
        .map(|s| param(s.target(), "page").unwrap().to_string())
        .collect();
    assert_eq!(
        new_pages,
        ["1", "2"],
        "60 firing groups: two pages, rebuilt by number"
    );
}

#[tokio::test]
async fn too_many_groups_is_an_error_that_says_what_to_narrow_never_a_shorter_list() {
    let (server, _) = fake(Fake {
        groups: groups(400),
        ..Fake::default()
    })
    .await;
    let mut c = SourceConfig::new("irm", KIND);
    c.url = Some(server.url.clone());
    c.token_command = Some(format!("printf {KEY}"));
    c.backend
        .insert("max_alert_groups".into(), toml::Value::Integer(120));
    let mut s = GrafanaOnCallSource::from_config(c, Duration::from_secs(10), Arc::new(SystemClock))
        .unwrap();
    let err = s.fetch().await.unwrap_err().to_string();
    assert!(
        err.contains("more than 120") && err.contains("team_id"),
        "{err}"
    );
}

#[tokio::test]
async fn actions_reach_oncall_and_a_re_send_after_a_lost_answer_is_done_not_refused() {
    let (server, state) = fake(Fake {
        groups: groups(4),
        ..Fake::default()
    })
    .await;
    let mut s = source(&server.url, KEY);
    let key = AlertKey("irm:G0000".into());
    s.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    assert_eq!(state.lock().unwrap().groups[0].1, "acknowledged");
    // The answer was lost and the outbox sends it again: OnCall refuses, the group is acked.
    s.perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    s.perform(&key, &Operation::Unacknowledge, "ana")
        .await
        .unwrap();
    assert_eq!(state.lock().unwrap().groups[0].1, "firing");
    let silence = Operation::Silence {
        duration: Duration::from_secs(1800),
        comment: "deploy".into(),
    };
    s.perform(&key, &silence, "ana").await.unwrap();
    let posted = server
        .seen()
        .into_iter()
        .rfind(|x| x.line.contains("/silence"))
        .unwrap();
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&posted.body).unwrap(),
        serde_json::json!({"delay": 1800})
    );
    s.perform(&key, &Operation::Resolve, "ana").await.unwrap();
    assert_eq!(state.lock().unwrap().groups[0].1, "resolved");
    // A refusal that is no re-send is said in OnCall's words.
    let err = s
        .perform(&key, &Operation::Acknowledge, "ana")
        .await
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("Grafana OnCall said no: Can't acknowledge an alert group that is resolved"),
        "{err}"
    );
    // A note, once however often it is sent.
    let note = Operation::AddNote {
        text: "rolled back 4.2".into(),
    };
    s.perform(&key, &note, "ana").await.unwrap();
    s.perform(&key, &note, "ana").await.unwrap();
    assert_eq!(
        state.lock().unwrap().notes,
        [("G0000".to_string(), "rolled back 4.2".to_string())]
    );
    let snap = s.fetch().await.unwrap();
    assert!(
        snap.alerts.iter().all(|a| a.key.0 != "irm:G0000"),
        "resolved: gone from the open list"
    );
    // `:resolved` lists those that started within the window; `:unresolve` opens one again.
    s.show_resolved(Some(Duration::from_secs(86_400)));
    let snap = s.fetch().await.unwrap();
    let g = snap.alerts.iter().find(|a| a.key.0 == "irm:G0000").unwrap();
    assert_eq!(g.status, Status::Resolved);
    let asked = server
        .seen()
        .into_iter()
        .rfind(|x| x.target().contains("state=resolved"))
        .unwrap();
    assert!(
        param(asked.target(), "started_at").is_some_and(|w| w.contains('_')),
        "{}",
        asked.target()
    );
    s.perform(&key, &Operation::Unresolve, "ana").await.unwrap();
    assert_eq!(state.lock().unwrap().groups[0].1, "firing");
}

#[tokio::test]
async fn a_service_accounts_refusal_is_said_plainly_and_a_bad_key_is_a_refused_key() {
    let (server, _) = fake(Fake {
        groups: groups(4),
        is_service_account: true,
        ..Fake::default()
    })
    .await;
    let mut s = source(&server.url, KEY);
    let err = s
        .perform(
            &AlertKey("irm:G0000".into()),
            &Operation::Acknowledge,
            "ana",
        )
        .await
        .unwrap_err();
    assert_eq!(err, Error::Rejected(SERVICE_ACCOUNT.into()));
    // Not offered again: the source says what it can do now, and sends nothing more.
    assert_eq!(s.capabilities_now(), Some(SERVICE_ACCOUNT_CAPABILITIES));
    let before = server.seen().len();
    let err = s
        .perform(&AlertKey("irm:G0000".into()), &Operation::Resolve, "ana")
        .await;
    assert_eq!(err.unwrap_err(), Error::Rejected(SERVICE_ACCOUNT.into()));
    assert_eq!(server.seen().len(), before, "nothing sent");
    // A glsa_ token is known for one before any action is tried.
    let mut sa = source(&server.url, "glsa_123");
    assert_eq!(sa.capabilities_now(), None);
    let _ = sa.fetch().await;
    assert_eq!(sa.capabilities_now(), Some(SERVICE_ACCOUNT_CAPABILITIES));
    let mut wrong = source(&server.url, "not-the-key");
    let err = wrong.fetch().await.unwrap_err();
    assert!(
        matches!(err, Error::Auth(_)),
        "403 is a refused key: {err:?}"
    );
    assert!(!err.to_string().contains("not-the-key"));
}

#[tokio::test]
async fn a_429_is_waited_for_as_ratelimit_reset_says_and_hostile_text_arrives_clean() {
    let (server, _) = fake(Fake {
        groups: groups(1),
        throttled: 1,
        ..Fake::default()
    })
    .await;
    let mut s = source(&server.url, KEY);
    assert_eq!(
        s.fetch().await.unwrap_err(),
        Error::RateLimited(Some(Duration::from_secs(1)))
    );
    let hostile = vec![(
        "G1".to_string(),
        "firing".to_string(),
        "\u{1b}]52;c;cGF5\u{7}evil\u{202e}title\u{200b}".to_string(),
    )];
    let (server, _) = fake(Fake {
        groups: hostile,
        ..Fake::default()
    })
    .await;
    let snap = source(&server.url, KEY).fetch().await.unwrap();
    let title = &snap.alerts[0].title;
    assert!(!title.chars().any(sanitize::is_forbidden), "{title:?}");
    assert!(title.contains("evil"), "{title:?}");
}

// Who the key is (issue 32): `GET /api/v1/users/current/`, its owner; a service account's
// key is nobody's, which is no error.
#[tokio::test]
async fn the_keys_owner_is_read_from_users_current() {
    let (server, _) = fake(Fake::default()).await;
    let mut s = source(&server.url, KEY);
    let who = s
        .whoami()
        .await
        .unwrap()
        .expect("a user's key names its owner");
    assert_eq!(who.said(), "ana <ana@example.com>", "clean of the escape");
    assert!(
        server
            .seen()
            .iter()
            .any(|r| r.head.starts_with("GET /api/v1/users/current/ ")),
        "the trailing slash OnCall's router wants"
    );
    let (server, _) = fake(Fake {
        is_service_account: true,
        ..Fake::default()
    })
    .await;
    let mut sa = source(&server.url, KEY);
    assert_eq!(sa.whoami().await.unwrap(), None);
}
