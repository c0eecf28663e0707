//! `JsonSource` with the README's own examples (Zenoss, SolarWinds Orion, Alerta), each run
//! against the fault server serving that system's documented answer shape: the method, path,
//! auth and body of every request checked, fields and maps read, an item lacking its title
//! left out and counted, pages followed, actions sent as their templates say; and a bad
//! mapping refused at load naming the file, the key and the value.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use onduty::clock::SystemClock;
use onduty::config::{Config, Overrides};
use onduty::model::{Severity, Status};
use onduty::sources::backend::FromConfig;
use onduty::sources::json::JsonSource;
use onduty::sources::{Operation, Source};
use serde_json::{Value, json};
use support::faults::{Fault, FaultServer, Seen};

/// The README's example block for source `name`, pointed at `server` (its path and query
/// kept) and given a token command instead of its environment variable.
fn readme_example(name: &str, server: &str) -> String {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let block = readme
        .split("```toml")
        .skip(1)
        .map(|b| b.split("```").next().unwrap())
        .find(|b| b.contains(&format!("name = \"{name}\"")) && b.contains("kind = \"json\""))
        .unwrap_or_else(|| panic!("the README has no json example named {name}"));
    block
        .lines()
        .map(|l| {
            if let Some(url) = l.strip_prefix("url = \"https://") {
                let path = &url[url.find('/').unwrap()..url.len() - 1];
                format!("url = \"{server}{path}\"")
            } else if l.starts_with("token_env") {
                "token_command = \"printf s3cret\"".to_string()
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn source(toml: &str) -> JsonSource {
    let config = Config::from_str_at(toml, "json.toml", &Overrides::default())
        .unwrap()
        .sources[0]
        .clone();
    JsonSource::from_config(config, Duration::from_secs(10), Arc::new(SystemClock)).unwrap()
}

fn body(seen: &Seen) -> Value {
    serde_json::from_str(&seen.body).unwrap()
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

const BASIC: &str = "Basic b25kdXR5OnMzY3JldA=="; // onduty:s3cret

#[tokio::test]
async fn zenoss_events_are_read_and_acknowledged_as_the_readme_says() {
    let server = FaultServer::start_full(|_, seen| match body(seen)["method"].as_str() {
        Some("query") => Fault::Body(
            json!({"uuid": "u1", "action": "EventsRouter", "method": "query", "type": "rpc", "tid": 1,
                "result": {"totalCount": 3, "success": true, "events": [
                    {"evid": "0242ac11-0002-8a6c", "summary": "Ping down on db1", "severity": 5,
                     "eventState": "New", "firstTime": "2026/12/05 10:00:00.000", "ownerid": null,
                     "device": {"text": "db1.example.com"}, "component": {"text": "eth0"},
                     "eventClass": {"text": "/Status/Ping"}, "count": 3},
                    {"evid": "e2", "summary": "Disk 91% on db2", "severity": 4, "eventState": "Acknowledged",
                     "ownerid": "ana", "firstTime": 1796464800.5, "device": {"text": "db2.example.com"}},
                    {"evid": "e3", "severity": 3, "eventState": "New"}]}})
            .to_string(),
        ),
        _ => Fault::Body(json!({"result": {"success": true}, "type": "rpc", "tid": 2}).to_string()),
    })
    .await;
    let mut s = source(&readme_example("zenoss", &server.url));
    let snap = s.fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 2);
    assert_eq!(
        snap.invalid, 1,
        "the event without a summary is left out and counted"
    );
    let ping = &snap.alerts[0];
    assert_eq!(ping.key.0, "zenoss:0242ac11-0002-8a6c");
    assert_eq!(
        (ping.severity, ping.status),
        (Severity::Critical, Status::Firing)
    );
    assert_eq!(&*ping.service, "db1.example.com");
    assert_eq!(ping.labels.get("event_class"), Some("/Status/Ping"));
    assert_eq!(ping.started_at.to_rfc3339(), "2026-12-05T10:00:00+00:00");
    assert_eq!(
        &*ping.links[0].url,
        "https://zenoss.example.com/zport/dmd/Events/viewDetail?evid=0242ac11-0002-8a6c"
    );
    let disk = &snap.alerts[1];
    assert_eq!(
        (disk.severity, disk.status),
        (Severity::Error, Status::Acked)
    );
    assert_eq!(disk.acked_by.as_deref(), Some("ana"));
    s.perform(&ping.key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let seen = server.seen();
    let query = &seen[0];
    assert_eq!(
        (query.method(), query.path()),
        ("POST", "/zport/dmd/evconsole_router")
    );
    assert_eq!(header(query, "authorization"), Some(BASIC));
    assert_eq!(
        body(query)["data"][0]["params"]["severity"],
        json!([5, 4, 3])
    );
    let ack = &seen[1];
    assert_eq!(
        (ack.method(), ack.path()),
        ("POST", "/zport/dmd/evconsole_router")
    );
    assert_eq!(header(ack, "authorization"), Some(BASIC));
    assert_eq!(body(ack)["method"], "acknowledge");
    assert_eq!(body(ack)["data"][0]["evids"], json!(["0242ac11-0002-8a6c"]));
}

#[tokio::test]
async fn orion_active_alerts_are_read_and_acknowledged_as_the_readme_says() {
    let server = FaultServer::start_full(|_, seen| match seen.path() {
        "/SolarWinds/InformationService/v3/Json/Query" => Fault::Body(
            json!({"results": [
                {"AlertObjectID": 12, "TriggeredMessage": "CPU 97% on web01",
                 "TriggeredDateTime": "2026-12-05T10:00:00.0000000", "Acknowledged": false,
                 "AcknowledgedBy": null, "Name": "High CPU", "Severity": 2, "EntityCaption": "web01"},
                {"AlertObjectID": 13, "TriggeredMessage": "Interface down",
                 "TriggeredDateTime": "2026-12-05T09:00:00.0000000", "Acknowledged": true,
                 "AcknowledgedBy": "bo", "Name": "Interface Down", "Severity": 1, "EntityCaption": "sw2"}]})
            .to_string(),
        ),
        _ => Fault::Body("null".into()),
    })
    .await;
    let mut s = source(&readme_example("orion", &server.url));
    let snap = s.fetch().await.unwrap();
    let cpu = &snap.alerts[0];
    assert_eq!(cpu.key.0, "orion:12");
    assert_eq!(
        (cpu.severity, cpu.status, &*cpu.title),
        (Severity::Critical, Status::Firing, "High CPU")
    );
    assert_eq!(cpu.annotations.get("description"), Some("CPU 97% on web01"));
    assert_eq!(cpu.started_at.to_rfc3339(), "2026-12-05T10:00:00+00:00");
    let down = &snap.alerts[1];
    assert_eq!(
        (down.severity, down.status),
        (Severity::Warning, Status::Acked)
    );
    s.perform(&cpu.key, &Operation::Acknowledge, "ana")
        .await
        .unwrap();
    let seen = server.seen();
    assert!(
        body(&seen[0])["query"]
            .as_str()
            .unwrap()
            .contains("FROM Orion.AlertActive")
    );
    assert_eq!(header(&seen[0], "authorization"), Some(BASIC));
    let ack = &seen[1];
    assert_eq!(
        (ack.method(), ack.path()),
        (
            "POST",
            "/SolarWinds/InformationService/v3/Json/Invoke/Orion.AlertActive/Acknowledge"
        )
    );
    assert_eq!(body(ack), json!([[12], "acknowledged from onduty"]));
}

fn alerta_page(from: usize, n: usize, more: bool) -> String {
    let alerts: Vec<Value> = (from..from + n)
        .map(|i| json!({"id": format!("a{i:04}-uuid"), "resource": format!("web{i:02}"), "event": "HttpError",
            "environment": "Production", "severity": if i == 0 { "major" } else { "minor" },
            "status": if i == 1 { "ack" } else { "open" }, "service": ["Web", "API"],
            "text": "502 from upstream", "createTime": "2026-12-05T10:00:00.000Z"}))
        .collect();
    json!({"status": "ok", "alerts": alerts, "total": 130, "page": 1, "pageSize": 100, "more": more})
        .to_string()
}

#[tokio::test]
async fn alerta_alerts_are_paged_and_every_action_sent_as_the_readme_says() {
    let server = FaultServer::start_full(|_, seen| match (seen.method(), seen.path()) {
        ("GET", "/api/alerts") if seen.target().contains("page=2") => {
            Fault::Body(alerta_page(100, 30, false))
        }
        ("GET", "/api/alerts") => Fault::Body(alerta_page(0, 100, true)),
        _ => Fault::Body(json!({"status": "ok"}).to_string()),
    })
    .await;
    let mut s = source(&readme_example("alerta", &server.url));
    let can = s.capabilities_now().unwrap();
    assert!(can.acknowledge.is_yes() && can.unacknowledge.is_yes() && can.resolve.is_yes());
    let snap = s.fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 130, "two pages");
    let first = &snap.alerts[0];
    assert_eq!(
        (first.severity, &*first.service),
        (Severity::Error, "Web, API")
    );
    assert_eq!(snap.alerts[1].status, Status::Acked);
    let lists: Vec<String> = server
        .seen()
        .iter()
        .filter(|r| r.method() == "GET")
        .map(|r| r.target().to_string())
        .collect();
    assert_eq!(lists.len(), 2, "{lists:?}");
    for (n, t) in lists.iter().enumerate() {
        assert!(
            t.contains("status=open&status=ack")
                && t.contains("page-size=100")
                && t.contains(&format!("page={}", n + 1)),
            "{t}"
        );
    }
    let key = first.key.clone();
    for op in [
        Operation::Acknowledge,
        Operation::Unacknowledge,
        Operation::Resolve,
        Operation::AddNote {
            text: "rolled back \"v2\"".into(),
        },
    ] {
        s.perform(&key, &op, "ana").await.unwrap();
    }
    let acts: Vec<(String, String, Value)> = server
        .seen()
        .iter()
        .filter(|r| r.method() != "GET")
        .map(|r| (r.method().to_string(), r.path().to_string(), body(r)))
        .collect();
    let action = |a: &str| {
        (
            "PUT".to_string(),
            "/api/alert/a0000-uuid/action".to_string(),
            a.to_string(),
        )
    };
    assert_eq!(acts.len(), 4);
    for (got, (m, p, a)) in acts
        .iter()
        .zip([action("ack"), action("unack"), action("close")])
    {
        assert_eq!(
            (&got.0, &got.1, got.2["action"].as_str().unwrap()),
            (&m, &p, a.as_str())
        );
    }
    assert_eq!(
        (acts[3].0.as_str(), acts[3].1.as_str(), &acts[3].2),
        (
            "POST",
            "/api/alert/a0000-uuid/note",
            &json!({"text": "rolled back \"v2\""})
        )
    );
    for r in server.seen() {
        assert_eq!(header(&r, "x-api-key"), Some("s3cret"), "{}", r.line);
        assert_eq!(header(&r, "authorization"), None);
    }
}

#[tokio::test]
async fn a_next_link_is_followed_on_the_sources_origin_only() {
    let server = FaultServer::start_full(|_, seen| match seen.target() {
        "/v1/events" => Fault::Body(
            json!({"data": [{"k": "1", "t": "one"}], "next": "/v1/events?cursor=2"}).to_string(),
        ),
        "/v1/events?cursor=2" => Fault::Body(
            json!({"data": [{"k": "2", "t": "two"}], "next": "https://elsewhere.example/steal"})
                .to_string(),
        ),
        _ => Fault::Status(404, "{}"),
    })
    .await;
    let toml = format!(
        "[[source]]\nname = \"api\"\nkind = \"json\"\nurl = \"{}/v1/events\"\ntoken_command = \"printf s3cret\"\n\
         items = \"/data\"\npaging = {{ next = \"/next\" }}\n[source.fields]\nid = \"/k\"\ntitle = \"/t\"\n",
        server.url
    );
    let err = source(&toml).fetch().await.unwrap_err();
    assert!(
        err.to_string().contains("not followed with the token"),
        "{err}"
    );
    assert_eq!(server.seen().len(), 2, "nothing was sent elsewhere");
}

#[test]
fn a_bad_mapping_is_refused_naming_the_file_the_key_and_the_value() {
    let toml = "[[source]]\nname = \"z\"\nkind = \"json\"\nurl = \"https://z.example\"\n\
                items = \"result/events\"\n[source.fields]\nid = \"/evid\"\ntitle = \"summary\"\n\
                [source.severity_map]\n\"5\" = \"dire\"\n";
    let err = Config::from_str_at(toml, "json.toml", &Overrides::default())
        .unwrap_err()
        .to_string();
    for said in [
        "json.toml",
        "fields.title",
        "summary",
        "items",
        "result/events",
        "severity_map",
        "dire",
    ] {
        assert!(err.contains(said), "{said} in {err}");
    }
}

#[tokio::test]
async fn a_whole_answer_that_is_the_list_streams_however_it_is_cut() {
    let items: Vec<Value> = (0..300)
        .map(|i| json!({"fingerprint": format!("f{i}"), "labels": {"alertname": "Disk", "severity": "warning"}}))
        .collect();
    let answer = serde_json::to_string(&items).unwrap();
    let cut = answer[..answer.len() / 2].to_string();
    let whole = answer.clone();
    let server = FaultServer::start(move |n, _| match n {
        0 => Fault::OneByteChunks(whole.clone()),
        _ => Fault::Truncated {
            announced: whole.len(),
            sent: cut.clone(),
        },
    })
    .await;
    let toml = format!(
        "[[source]]\nname = \"am\"\nkind = \"json\"\nurl = \"{}/api/v2/alerts\"\nitems = \"\"\n\
         [source.fields]\nid = \"/fingerprint\"\ntitle = \"/labels/alertname\"\nseverity = \"/labels/severity\"\n",
        server.url
    );
    let mut s = source(&toml);
    let snap = s.fetch().await.unwrap();
    assert_eq!(snap.alerts.len(), 300, "one byte at a time, every item");
    assert_eq!(snap.alerts[299].key.0, "am:f299");
    assert_eq!(snap.alerts[0].severity, Severity::Warning);
    let err = s.fetch().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("end of file before message length reached"),
        "a cut answer fails the poll: {err}"
    );
}
