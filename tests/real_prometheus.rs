//! A real Prometheus evaluating a rules file — a rule that fires at once, one with
//! `for: 10m` that stays pending, one whose expression fails at every evaluation — and a
//! real Alertmanager it sends to: the pending alert is listed only when asked for
//! (`is:pending`) with when it fires, the firing alert arrives through Alertmanager with
//! its rule behind it (in the detail pane and `onduty rule`), the broken rule is in the
//! health view, and a Prometheus listing its firing alerts too makes no second row.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, App};
use onduty::clock::{SharedClock, SystemClock};
use onduty::config::{Config, Overrides};
use onduty::sources::{Source, SourceEvent};
use serde_json::Value;
use support::Alertmanager;
use support::prometheus::Prometheus;

const RULES: &str = r#"groups:
  - name: onduty-test
    interval: 1s
    rules:
      - alert: FiresAtOnce
        expr: vector(1) > 0
        labels: {severity: critical}
        annotations: {summary: "fires at once"}
      - alert: StaysPending
        expr: vector(2) > 0
        for: 10m
        labels: {severity: warning}
      - alert: BrokenRule
        expr: vector(1) * on() group_left() (label_replace(vector(1), "a", "x", "", "") or label_replace(vector(1), "a", "y", "", ""))
"#;

/// Waits (up to 60 s) until `ready` holds of what `ask` returns, and returns it.
async fn until<T, F>(what: &str, mut ask: impl FnMut() -> F, ready: impl Fn(&T) -> bool) -> T
where
    F: std::future::Future<Output = T>,
{
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let got = ask().await;
        if ready(&got) {
            return got;
        }
        assert!(Instant::now() < deadline, "waited 60 s for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The servers, once the firing alert reached Alertmanager and every rule was evaluated.
async fn servers() -> (Alertmanager, Prometheus) {
    let am = Alertmanager::start().await;
    let prom = Prometheus::start(RULES, Some(&am.url)).await;
    until(
        "FiresAtOnce in Alertmanager",
        || am.alerts(),
        |alerts: &Vec<Value>| {
            alerts
                .iter()
                .any(|a| a["labels"]["alertname"] == "FiresAtOnce")
        },
    )
    .await;
    let rules_url = format!("{}/api/v1/rules?type=alert", prom.url);
    until(
        "every rule evaluated",
        || async {
            let r = reqwest::get(&rules_url).await.unwrap();
            r.json::<Value>().await.unwrap()
        },
        |v: &Value| {
            v["data"]["groups"][0]["rules"]
                .as_array()
                .is_some_and(|rules| rules.iter().all(|r| r["health"] != "unknown"))
        },
    )
    .await;
    (am, prom)
}

fn write_config(dir: &std::path::Path, sources: &str) -> std::path::PathBuf {
    let path = dir.join("config.toml");
    std::fs::write(&path, sources).unwrap();
    path
}

fn listed(out: &str) -> Vec<Value> {
    let start = out
        .find('[')
        .unwrap_or_else(|| panic!("no JSON list in {out}"));
    let end = out.rfind(']').unwrap();
    serde_json::from_str(&out[start..=end]).unwrap_or_else(|e| panic!("{e}: {out}"))
}

/// The dashboard's state after one poll of every source in `config`, as a poller reports.
async fn dashboard(config: &Config) -> App {
    let clock: SharedClock = Arc::new(SystemClock);
    let base = onduty::testing::empty_app(Utc::now());
    let mut built = onduty::sources::start::build(config, &clock);
    let infos = built.iter().map(|b| b.info.clone()).collect();
    let mut app = App::new(
        base.settings.clone(),
        infos,
        base.theme.clone(),
        base.themes.clone(),
        Utc::now(),
    );
    for b in &mut built {
        let snap = b.source.fetch().await.unwrap();
        let source = b.info.id.clone();
        app.update(Action::Source(SourceEvent::RulesFetched {
            source: source.clone(),
            rules: snap.rules,
        }));
        app.update(Action::Source(SourceEvent::AlertsFetched {
            source,
            alerts: snap.alerts,
            escalation: snap.escalation.into(),
            silences: snap.silences.into(),
            tickets: snap.tickets.into(),
            fetched_at: Utc::now(),
        }));
    }
    app
}

fn press(app: &mut App, code: KeyCode) {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

#[tokio::test]
async fn pending_alerts_rules_behind_alerts_and_broken_rules_from_a_real_prometheus() {
    let (am, prom) = servers().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!("{}{}", am.source_toml("am"), prom.source_toml("prom", "")),
    );

    // By default the list is what fired: the pending alert is left out.
    let (code, out) = support::run_onduty(dir.path(), &config, &["alerts", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    let names: Vec<String> = listed(&out)
        .iter()
        .map(|a| a["title"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(names, ["FiresAtOnce"], "{out}");

    // Asked for, it is there, pending, saying when it fires.
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["alerts", "--json", "--filter", "is:pending"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let pending = listed(&out);
    assert_eq!(pending.len(), 1, "{out}");
    assert_eq!(pending[0]["title"], "StaysPending");
    assert_eq!(pending[0]["status"], "pending");
    assert_eq!(pending[0]["source"], "prom");
    let fires_at: chrono::DateTime<Utc> = pending[0]["annotations"]["fires_at"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let started: chrono::DateTime<Utc> =
        pending[0]["started_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(
        fires_at - started,
        chrono::TimeDelta::minutes(10),
        "activeAt + for"
    );
    let (_, table) =
        support::run_onduty(dir.path(), &config, &["alerts", "--filter", "is:pending"]).await;
    assert!(
        table.contains("pending") && table.contains("fires in 9m"),
        "{table}"
    );

    // The firing alert came through Alertmanager; its rule stands behind it.
    let am_alert = am.alerts().await;
    let fp = am_alert
        .iter()
        .find(|a| a["labels"]["alertname"] == "FiresAtOnce")
        .unwrap()["fingerprint"]
        .as_str()
        .unwrap()
        .to_string();
    let key = format!("am:{fp}");
    let (code, out) = support::run_onduty(dir.path(), &config, &["rule", &key]).await;
    assert_eq!(code, 0, "{out}");
    for want in [
        "FiresAtOnce (from prom)",
        "  vector(1) > 0",
        "for         0s",
        "labels      severity=critical",
        "value       1",
        "state       firing",
        "health      ok",
        "group       onduty-test · ",
        "/graph?g0.expr=vector%281%29%20%3E%200",
    ] {
        assert!(out.contains(want), "`onduty rule` lacks {want:?}:\n{out}");
    }
    let (code, out) = support::run_onduty(dir.path(), &config, &["rule", "am:nope"]).await;
    assert_ne!(code, 0, "{out}");

    // The dashboard: the detail pane shows the rule, the health view the broken rule.
    let parsed = Config::load(&config, true, &Overrides::default()).unwrap();
    let mut app = dashboard(&parsed).await;
    press(&mut app, KeyCode::Enter);
    let screen = onduty::testing::screen(&app, 160, 60);
    assert!(
        screen.contains("RULE · PROM") && screen.contains("vector(1) > 0"),
        "{screen}"
    );
    press(&mut app, KeyCode::Esc);
    press(&mut app, KeyCode::Char('3'));
    let screen = onduty::testing::screen(&app, 200, 40);
    assert!(
        screen.contains("1 of 3 alerting rules unhealthy") && screen.contains("BrokenRule"),
        "{screen}"
    );
    assert!(
        screen.contains("found duplicate series"),
        "its lastError: {screen}"
    );
    let (code, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("rule BrokenRule (") && out.contains("is err: found duplicate series"),
        "{out}"
    );
}

#[tokio::test]
async fn a_prometheus_listing_firing_alerts_too_keys_them_as_alertmanager_does_one_row() {
    let (am, prom) = servers().await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &format!(
            "{}{}",
            am.source_toml("am"),
            prom.source_toml("prom", "firing = true\n")
        ),
    );
    let (code, out) = support::run_onduty(dir.path(), &config, &["alerts", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    let rows = listed(&out);
    assert_eq!(rows.len(), 1, "one alert, two reporters: {out}");
    assert_eq!(rows[0]["title"], "FiresAtOnce");
    assert_eq!(
        rows[0]["reported_by"],
        serde_json::json!(["am", "prom"]),
        "{out}"
    );
}
