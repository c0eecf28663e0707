//! `onduty insights` on a scripted history written to a real journal (SQLite): each figure
//! against its known answer — time to acknowledge and to resolve per service (median, p90,
//! mean), resolved with nobody acknowledging, the noisiest alerts — and what fired before
//! the period left out.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{TimeDelta, Utc};
use onduty::journal::{Journal, Location};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::observe::Observation;

#[tokio::test]
async fn the_response_figures_of_a_scripted_history() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("journal.sqlite3");
    let journal = Journal::open(&Location::Sqlite(db.clone())).await.unwrap();
    let start = Utc::now() - TimeDelta::days(2);
    let at = |min: i64| start + TimeDelta::minutes(min);
    let am = SourceId("am".into());
    let seen = |key: &str, min: i64, what: &str| Observation {
        key: AlertKey(format!("am:{key}")),
        at: at(min),
        what: what.into(),
    };
    // checkout: acked after 2 and 4 minutes, one never; resolved after 10, 30 and 6.
    // search: silenced after 1, never resolved. old: fired 40 days ago, outside 30d.
    let script = [
        seen("c1", 0, "fired (critical): CheckoutErrors · checkout"),
        seen("c1", 2, "acked by ana"),
        seen("c1", 10, "resolved"),
        seen("c1", 100, "fired (critical): CheckoutErrors · checkout"),
        seen("c1", 104, "acked by bo"),
        seen("c1", 130, "resolved"),
        seen("c1", 200, "fired (critical): CheckoutErrors · checkout"),
        seen("c1", 206, "resolved"),
        seen("s1", 50, "fired (warning): SearchSlow · search"),
        seen("s1", 51, "silenced"),
        seen(
            "old",
            -40 * 24 * 60 + 2 * 24 * 60,
            "fired (info): Old · legacy",
        ),
    ];
    journal.observe(&am, &script).await.unwrap();
    journal.close().await;
    let config = dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\njournal = \"sqlite:{}\"\n",
            db.display()
        ),
    )
    .unwrap();
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["insights", "--since", "30d", "--json"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    let v: serde_json::Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    let services = v["rows"].as_array().unwrap();
    assert_eq!(
        services.len(),
        2,
        "the legacy alert fired before the period: {v}"
    );
    let c = &services[0];
    assert_eq!(c["name"], "checkout");
    assert_eq!(c["fired"], 3);
    assert_eq!(
        c["to_ack"],
        serde_json::json!({"n": 2, "median_s": 120, "p90_s": 240, "mean_s": 180})
    );
    assert_eq!(
        c["to_resolve"],
        serde_json::json!({"n": 3, "median_s": 600, "p90_s": 1800, "mean_s": 920})
    );
    assert_eq!(c["resolved_unacked"], 1);
    let s = &services[1];
    assert_eq!(
        (s["name"].as_str(), s["fired"].as_u64()),
        (Some("search"), Some(1))
    );
    assert_eq!(s["to_ack"]["median_s"], 60);
    assert_eq!(v["noisiest"][0]["title"], "CheckoutErrors");
    assert_eq!(v["noisiest"][0]["fired"], 3);
    assert_eq!(
        v["total"]["before"]["fired"], 1,
        "the legacy alert is the period before's"
    );
    assert_eq!(v["silenced_more_than_fired"], serde_json::json!([]));
    assert_eq!(
        v["flapping"],
        serde_json::json!([]),
        "one short life is no flapping"
    );
    let (code, table) = support::run_onduty(dir.path(), &config, &["insights"]).await;
    assert_eq!(code, 0, "{table}");
    assert!(
        table.contains("checkout") && table.contains("2m 4m 3m"),
        "{table}"
    );
    assert!(
        table.contains("4 fired (+300% against the 30 days before: 1)"),
        "{table}"
    );
    let (code, md) = support::run_onduty(
        dir.path(),
        &config,
        &["insights", "--markdown", "--by", "responder"],
    )
    .await;
    assert_eq!(code, 0, "{md}");
    assert!(
        md.contains("### response by responder, last 30 days"),
        "{md}"
    );
    assert!(md.contains("| ana | 1 | new | 2m 2m 2m |"), "{md}");
    let (code, csv) = support::run_onduty(dir.path(), &config, &["insights", "--csv"]).await;
    assert_eq!(code, 0, "{csv}");
    assert!(
        csv.lines()
            .any(|l| l == "noisiest alerts,CheckoutErrors,checkout,3,0.1"),
        "{csv}"
    );
}
