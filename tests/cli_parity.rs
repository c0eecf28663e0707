//! The CLI tells the dashboard's story, against two real Alertmanagers reporting one alert:
//! `onduty alerts` merges the instances into one row led by the same key as the dashboard's
//! (with `reported_by`), lists the journal's notes, titles rows as the list does; `ack` goes
//! to both instances as `a` does; `onduty runbook` fetches a link as `b` does and falls back
//! to the library's runbook with the reason.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use onduty::app::rows::Row;
use onduty::app::{Action, SourceInfo};
use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::model::SourceId;
use onduty::sources::alertmanager::AlertmanagerSource;
use onduty::sources::{Source, SourceEvent};
use serde_json::{Value, json};
use support::Alertmanager;
use support::faults::{self, Fault};

fn alert(name: &str, runbook: &str) -> Value {
    json!({"labels": {"alertname": name, "severity": "critical", "service": "checkout"},
           "annotations": {"summary": format!("{name} summary"), "runbook_url": runbook}})
}

/// The keys of the dashboard's rows, in order, after one poll of `sources`.
async fn dashboard_keys(sources: &[(&str, &Alertmanager)]) -> Vec<String> {
    let base = onduty::testing::empty_app(Utc::now());
    let infos = sources.iter().map(|(n, _)| {
        SourceInfo::new(
            SourceId((*n).into()),
            onduty::sources::alertmanager::KIND,
            Duration::from_secs(15),
        )
    });
    let mut app = onduty::app::App::new(
        base.settings.clone(),
        infos.collect(),
        base.theme.clone(),
        base.themes.clone(),
        Utc::now(),
    );
    for (name, am) in sources {
        let mut c = SourceConfig::new(name, onduty::sources::demo::KIND);
        c.kind = onduty::sources::alertmanager::KIND;
        c.url = Some(am.url.clone());
        let mut source =
            AlertmanagerSource::new(c, Duration::from_secs(5), Arc::new(SystemClock)).unwrap();
        let snap = source.fetch().await.unwrap();
        app.update(Action::Source(SourceEvent::AlertsFetched {
            source: SourceId((*name).into()),
            alerts: snap.alerts,
            escalation: Arc::from(snap.escalation),
            silences: Arc::from(snap.silences),
            tickets: Arc::from(snap.tickets),
            fetched_at: Utc::now(),
        }));
    }
    app.alert_list
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Alert(r) => app.alert(*r).map(|a| a.key.0.clone()),
            Row::Group { .. } => None,
        })
        .collect()
}

struct Setup {
    dir: tempfile::TempDir,
    cfg: std::path::PathBuf,
    a: Alertmanager,
    b: Alertmanager,
}

impl Setup {
    async fn run(&self, args: &[&str]) -> (i32, String) {
        support::run_onduty(self.dir.path(), &self.cfg, args).await
    }

    async fn json(&self) -> Vec<Value> {
        let (code, out) = self.run(&["alerts", "--json"]).await;
        assert_eq!(code, 0, "{out}");
        serde_json::from_str(&out).unwrap()
    }
}

async fn setup(runbook_hl: &str, runbook_disk: &str) -> Setup {
    let (a, b) = (Alertmanager::start().await, Alertmanager::start().await);
    let both = alert("HighLatency", runbook_hl);
    a.post_alerts(json!([both.clone(), alert("OnlyInA", "")]))
        .await;
    b.post_alerts(json!([both, alert("DiskFull", runbook_disk)]))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let books = dir.path().join("books");
    std::fs::create_dir_all(&books).unwrap();
    std::fs::write(
        books.join("disk.md"),
        "---\nalerts: [DiskFull]\n---\n# Disk full\n\n- [ ] find the biggest directory\n",
    )
    .unwrap();
    let cfg = dir.path().join("onduty.toml");
    std::fs::write(
        &cfg,
        format!(
            "identity = \"ana\"\nrunbook_dirs = [{:?}]\n{}{}",
            books.display().to_string(),
            a.source_toml("am-a"),
            b.source_toml("am-b")
        ),
    )
    .unwrap();
    Setup { dir, cfg, a, b }
}

#[tokio::test]
async fn alerts_merge_instances_as_the_dashboard_does_and_carry_the_journals_notes() {
    let s = setup("", "").await;
    let listed = s.json().await;
    let keys: Vec<&str> = listed.iter().map(|a| a["key"].as_str().unwrap()).collect();
    assert_eq!(listed.len(), 3, "four reports, three alerts: {keys:?}");
    assert_eq!(
        keys,
        dashboard_keys(&[("am-a", &s.a), ("am-b", &s.b)]).await,
        "the dashboard's rows, in its order"
    );
    let hl = listed.iter().find(|a| a["title"] == "HighLatency").unwrap();
    let hl_key = hl["key"].as_str().unwrap().to_string();
    assert!(hl_key.starts_with("am-a:"), "{hl_key}");
    assert_eq!(hl["reported_by"], json!(["am-a", "am-b"]));
    assert_eq!(hl["notes"], json!([]));

    let (code, out) = s.run(&["note", &hl_key, "checked", "the", "LB"]).await;
    assert_eq!(code, 0, "{out}");
    let listed = s.json().await;
    let hl = listed.iter().find(|a| a["key"] == hl_key.as_str()).unwrap();
    let notes = hl["notes"].as_array().unwrap();
    assert_eq!(notes.len(), 1, "{notes:?}");
    assert_eq!(notes[0]["text"], "checked the LB");
    assert_eq!(notes[0]["author"], "ana");
    assert_eq!(notes[0]["place"], "journal");
    assert!(notes[0]["at"].is_string());

    // The table: one row, the list's source column and title.
    let (code, table) = s.run(&["alerts"]).await;
    assert_eq!(code, 0, "{table}");
    assert!(table.contains("3 alert(s)"), "{table}");
    let row: Vec<&str> = table
        .lines()
        .filter(|l| l.contains("HighLatency"))
        .collect();
    assert_eq!(row.len(), 1, "{table}");
    assert!(row[0].contains("am-a +1"), "{table}");
    assert!(
        row[0].contains("HighLatency · HighLatency summary"),
        "{table}"
    );
}

#[tokio::test]
async fn ack_from_the_cli_reaches_every_instance_reporting_the_alert() {
    let s = setup("", "").await;
    let listed = s.json().await;
    let hl = listed.iter().find(|a| a["title"] == "HighLatency").unwrap();
    let (code, out) = s.run(&["ack", hl["key"].as_str().unwrap()]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        out.lines().filter(|l| l.ends_with(": done")).count(),
        2,
        "one ack per instance: {out}"
    );
    assert_eq!(s.a.silences().await.len(), 1);
    assert_eq!(s.b.silences().await.len(), 1);
    let listed = s.json().await;
    let hl = listed.iter().find(|a| a["title"] == "HighLatency").unwrap();
    assert_eq!(hl["status"], "acked");
}

#[tokio::test]
async fn runbook_fetches_a_link_and_falls_back_to_the_library_with_the_reason() {
    let served = faults::serve(Fault::Headed {
        status: 200,
        headers: "Content-Type: text/markdown\r\n",
        body: "# Latency\n\n- [ ] drain the slow node\n".into(),
    })
    .await;
    let closed = format!("http://127.0.0.1:{}/disk.md", support::free_port());
    let s = setup(&format!("{served}/latency.md"), &closed).await;
    let listed = s.json().await;
    let key = |title: &str| {
        listed.iter().find(|a| a["title"] == title).unwrap()["key"]
            .as_str()
            .unwrap()
            .to_string()
    };

    let (code, out) = s.run(&["runbook", &key("HighLatency")]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("- [ ] drain the slow node"), "{out}");
    assert!(out.starts_with(&format!("{served}/latency.md")), "{out}");

    let (code, out) = s.run(&["runbook", &key("DiskFull")]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains(&format!(
            "{closed}: could not be fetched: connection refused by 127.0.0.1"
        )),
        "{out}"
    );
    assert!(
        out.contains("the runbook from runbook_dirs follows"),
        "{out}"
    );
    assert!(out.contains("- [ ] find the biggest directory"), "{out}");
}
