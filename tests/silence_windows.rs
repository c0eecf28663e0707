//! Maintenance windows and silence hygiene against a real Alertmanager: a window of 8
//! weekly silences created at once (pending there until each starts), listed as one,
//! extended, and expired as one; a silence catching nothing is listed as stale and one
//! catching an alert is not.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{Datelike, NaiveTime, TimeDelta, Utc, Weekday};
use serde_json::{Value, json};
use support::Alertmanager;

/// The day of the `n`th Sunday 02:00-04:00 UTC window not over yet.
fn nth_sunday(n: usize) -> chrono::NaiveDate {
    let now = Utc::now();
    let ends = NaiveTime::from_hms_opt(4, 0, 0).unwrap();
    (0..100)
        .map(|d| now.date_naive() + TimeDelta::days(d))
        .filter(|d| d.weekday() == Weekday::Sun && d.and_time(ends).and_utc() > now)
        .nth(n - 1)
        .unwrap()
}

fn window_silences(all: &[Value]) -> Vec<&Value> {
    all.iter()
        .filter(|s| s["comment"].as_str().unwrap().contains("[onduty window "))
        .collect()
}

fn json_of(out: &str) -> Value {
    let start = out
        .find(['[', '{'])
        .unwrap_or_else(|| panic!("no JSON in {out}"));
    serde_json::from_str(out[start..].trim()).unwrap_or_else(|e| panic!("{e}: {out}"))
}

#[tokio::test]
async fn a_window_of_eight_weekly_silences_is_created_listed_extended_and_expired_as_one() {
    let am = Alertmanager::start().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, am.source_toml("am")).unwrap();
    let run = |args: &'static [&'static str]| support::run_onduty(dir.path(), &config, args);

    let until = nth_sunday(8).to_string();
    let args = [
        "silence",
        "--matcher",
        "team=\"db\"",
        "--every",
        "sun 02:00-04:00",
        "--until",
        &until,
        "--comment",
        "db patching",
    ];
    let (code, out) = support::run_onduty(dir.path(), &config, &args).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("8 silence(s), sun 02:00-04:00 UTC until"),
        "{out}"
    );
    let silences = am.silences().await;
    let made = window_silences(&silences);
    assert_eq!(made.len(), 8, "{silences:#?}");
    let mut starts: Vec<chrono::DateTime<Utc>> = made
        .iter()
        .map(|s| s["startsAt"].as_str().unwrap().parse().unwrap())
        .collect();
    starts.sort();
    for pair in starts.windows(2) {
        assert_eq!(pair[1] - pair[0], TimeDelta::weeks(1), "{starts:?}");
    }
    let pending = made
        .iter()
        .filter(|s| s["status"]["state"] == "pending")
        .count();
    assert!(
        pending >= 7,
        "the future ones wait in Alertmanager as pending: {made:#?}"
    );

    // Listed as one window.
    let (code, out) = run(&["silences", "--windows", "--json"]).await;
    assert_eq!(code, 0, "{out}");
    let windows = json_of(&out);
    assert_eq!(windows.as_array().unwrap().len(), 1, "{out}");
    let w = &windows[0];
    assert_eq!(w["every"], "sun 02:00-04:00 UTC");
    assert_eq!(w["comment"], "db patching");
    assert_eq!(w["matchers"], json!(["team=\"db\""]));
    assert_eq!(
        w["pending"].as_u64().unwrap() + w["active"].as_u64().unwrap(),
        8
    );
    let id = w["id"].as_str().unwrap().to_string();

    // Extended by two weeks: two more, numbered on.
    let later = nth_sunday(10).to_string();
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["silence", "--window", &id, "--until", &later],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("2 more silence(s)"), "{out}");
    let silences = am.silences().await;
    let made = window_silences(&silences);
    assert_eq!(made.len(), 10);
    assert!(
        made.iter().any(|s| s["comment"]
            .as_str()
            .unwrap()
            .contains(&format!("{id} #10 "))),
        "{made:#?}"
    );

    // Expired as one.
    let (code, out) = support::run_onduty(dir.path(), &config, &["expire", "--window", &id]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("10 expire"), "{out}");
    let silences = am.silences().await;
    let made = window_silences(&silences);
    assert!(
        made.iter().all(|s| s["status"]["state"] == "expired"),
        "{made:#?}"
    );
    let (_, out) = support::run_onduty(dir.path(), &config, &["expire", "--window", &id]).await;
    assert!(out.contains("no silence left"), "{out}");
}

#[tokio::test]
async fn a_silence_catching_nothing_is_stale_and_one_catching_an_alert_is_not() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([{ "labels": { "alertname": "DiskFull", "severity": "warning" } }]))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(&config, am.source_toml("am")).unwrap();
    for (matcher, comment) in [
        ("alertname=\"Gone\"", "left over"),
        ("alertname=\"DiskFull\"", "vendor fix"),
    ] {
        let args = [
            "silence",
            "--matcher",
            matcher,
            "--for",
            "4h",
            "--comment",
            comment,
        ];
        let (code, out) = support::run_onduty(dir.path(), &config, &args).await;
        assert_eq!(code, 0, "{out}");
    }
    let (code, out) = support::run_onduty(dir.path(), &config, &["silences", "--stale"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("left over") && out.contains("catches nothing"),
        "{out}"
    );
    assert!(!out.contains("vendor fix"), "{out}");
    assert!(out.contains("1 silence(s)"), "{out}");
    let (_, all) = support::run_onduty(dir.path(), &config, &["silences", "--json"]).await;
    let all = json_of(&all);
    let fix = all
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["comment"] == "vendor fix")
        .unwrap();
    assert_eq!(fix["catches"], 1, "{fix}");
    assert_eq!(fix["hygiene"]["catches_nothing"], false);
}
