//! The shift hand-off: a scripted 12-hour shift written into a real journal at fixed times,
//! with a live picture of alerts, silences and policies, gives the expected report
//! (tests/expected/handoff_shift.md; `ONDUTY_BLESS=1` rewrites it after a deliberate change).
//! Secrets and terminal controls in notes never reach it. `onduty handoff --out` against a
//! real Alertmanager writes the same sections from what the CLI did and what the source shows.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use onduty::handoff::{self, Live, Shift};
use onduty::journal::incidents::{Declaration, IncidentStatus, Role};
use onduty::journal::outbox::{NewAction, new_command_id};
use onduty::journal::{EntryKind, Journal};
use onduty::model::{
    Alert, EscalationLevel, EscalationPolicy, Matcher, OnCall, Severity, Silence, SilenceState,
    SourceId, Status,
};
use onduty::sources::Operation;
use onduty::sources::observe::{Observation, fired};

const EXPECTED: &str = "tests/expected/handoff_shift.md";

/// 02:00 UTC: the shift starts.
fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 2, 0, 0).unwrap()
}

/// `h` hours and `m` minutes into the shift.
fn at(h: i64, m: i64) -> DateTime<Utc> {
    start() + TimeDelta::minutes(h * 60 + m)
}

fn alert(source: &str, title: &str, severity: Severity, status: Status, service: &str) -> Alert {
    let mut a = onduty::testing::labelled_alert(title, severity, status, &[("service", service)]);
    a.source = SourceId(source.into());
    a.key = onduty::model::AlertKey(format!("{source}:{title}"));
    a
}

async fn seen(journal: &Journal, a: &Alert, when: DateTime<Utc>, what: &str) {
    journal
        .observe(
            &a.source,
            &[Observation {
                key: a.key.clone(),
                at: when,
                what: what.to_string(),
            }],
        )
        .await
        .unwrap();
}

/// The live picture at 14:00, and the alerts the script fires.
struct Picture {
    alerts: Vec<Alert>,
    silences: Vec<Silence>,
    policies: Vec<EscalationPolicy>,
}

fn picture() -> Picture {
    let mut payments = alert(
        "prod-am",
        "PaymentsLatency",
        Severity::Warning,
        Status::Acked,
        "payments",
    );
    payments.acked_by = Some("ana".into());
    payments.started_at = at(2, 0);
    let mut checkout = alert(
        "prod-am",
        "CheckoutErrors",
        Severity::Critical,
        Status::Firing,
        "checkout",
    );
    checkout.started_at = start() - TimeDelta::minutes(30);
    let mut disk = alert(
        "prod-am",
        "DiskFull",
        Severity::Warning,
        Status::Silenced,
        "infra",
    );
    disk.started_at = at(3, 0);
    let mut db = alert(
        "prod-pd",
        "DatabaseCPU",
        Severity::Critical,
        Status::Acked,
        "db",
    );
    db.acked_by = Some("bo".into());
    db.started_at = at(2, 2);
    let silence = |id: &str, ends: DateTime<Utc>, state, matcher: Matcher, comment: &str| Silence {
        id: id.into(),
        source: SourceId("prod-am".into()),
        matchers: vec![matcher],
        starts_at: at(4, 0),
        ends_at: ends,
        created_by: "ana".into(),
        comment: comment.into(),
        state,
    };
    let on_call = |who: &str, until: Option<DateTime<Utc>>, next: Option<&str>| OnCall {
        who: who.into(),
        from: None,
        until,
        next: next.map(Into::into),
        via: None,
    };
    // Fired while no dashboard was watching: no "fired" entry, still counted.
    let mut cert = alert(
        "prod-am",
        "CertExpiring",
        Severity::Info,
        Status::Firing,
        "edge",
    );
    cert.started_at = at(11, 0);
    Picture {
        alerts: vec![payments, checkout, disk, db, cert],
        silences: vec![
            silence(
                "s1",
                at(13, 30),
                SilenceState::Active,
                Matcher::equal("alertname", "DiskFull"),
                "deploy window",
            ),
            silence(
                "s2",
                at(36, 0),
                SilenceState::Active,
                Matcher::equal("team", "search"),
                "migration",
            ),
            silence(
                "s3",
                at(10, 0),
                SilenceState::Expired,
                Matcher::equal("alertname", "Old"),
                "done",
            ),
        ],
        policies: vec![EscalationPolicy {
            id: "P1".into(),
            name: "payments-critical".into(),
            services: vec!["payments".into()],
            matchers: vec![],
            levels: vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![on_call("chen", Some(at(16, 0)), Some("dana"))],
                },
                EscalationLevel {
                    after: TimeDelta::minutes(15),
                    on_call: vec![on_call("eve", None, None)],
                },
            ],
            repeats: 0,
        }],
    }
}

/// 02:00–14:00: DiskFull fires, resolves and fires again; PaymentsLatency fires and ana
/// acks it; bo acks DatabaseCPU at PagerDuty; ana declares SEV2 for CheckoutErrors (which
/// fired before the shift), stars a note, bo becomes scribe; ana silences DiskFull; bo
/// declares and resolves SEV3; an ack waits in the outbox.
async fn scripted_shift(journal: &Journal, p: &Picture) {
    let [payments, checkout, disk, db] = [&p.alerts[0], &p.alerts[1], &p.alerts[2], &p.alerts[3]];
    seen(
        journal,
        checkout,
        start() - TimeDelta::minutes(30),
        &fired(checkout),
    )
    .await;
    seen(journal, payments, at(2, 0), &fired(payments)).await;
    seen(journal, db, at(2, 2), &fired(db)).await;
    seen(journal, disk, at(1, 10), &fired(disk)).await;
    seen(journal, disk, at(1, 40), "resolved").await;
    seen(journal, disk, at(3, 0), &fired(disk)).await;
    support::append_entry(
        journal,
        &payments.key.0,
        at(2, 5),
        "ana",
        EntryKind::Action,
        "ack: done",
    )
    .await;
    seen(journal, db, at(2, 6), "acked by bo").await;
    let sev2 = journal
        .declare(
            &Declaration {
                title: "Checkout errors".into(),
                severity: 2,
                alerts: vec![checkout.key.clone()],
                author: "ana".into(),
            },
            at(3, 0),
        )
        .await
        .unwrap();
    let note = support::append_entry(
        journal,
        &sev2.subject(),
        at(3, 10),
        "ana",
        EntryKind::Note,
        "rolled back 1.42 | errors falling\nPGPASSWORD=hunter2 \u{1b}]52;c;cHduZWQ=\u{7}",
    )
    .await;
    journal.star(note, true).await.unwrap();
    support::append_entry(
        journal,
        &sev2.subject(),
        at(3, 20),
        "bo",
        EntryKind::Note,
        "not starred",
    )
    .await;
    journal
        .set_role(sev2.id, Role::Scribe, "bo", "ana", at(3, 15))
        .await
        .unwrap();
    support::append_entry(
        journal,
        &disk.key.0,
        at(4, 0),
        "ana",
        EntryKind::Action,
        "silence 9h 30m: deploy window: done",
    )
    .await;
    let sev3 = journal
        .declare(
            &Declaration {
                title: "Search lag".into(),
                severity: 3,
                alerts: vec![],
                author: "bo".into(),
            },
            at(6, 0),
        )
        .await
        .unwrap();
    journal
        .set_status(sev3.id, IncidentStatus::Resolved, "bo", at(7, 30))
        .await
        .unwrap();
    journal
        .record(
            &NewAction {
                id: new_command_id(),
                author: "ana".into(),
                source: checkout.source.clone(),
                key: checkout.key.clone(),
                op: Operation::Acknowledge,
            },
            at(11, 50),
        )
        .await
        .unwrap();
    // After the shift: not in it.
    support::append_entry(
        journal,
        &payments.key.0,
        at(12, 30),
        "ana",
        EntryKind::Action,
        "resolve: done",
    )
    .await;
}

#[tokio::test]
async fn a_scripted_shift_gives_the_expected_hand_off() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    let p = picture();
    scripted_shift(&journal, &p).await;
    let shift = Shift {
        from: start(),
        to: at(12, 0),
        by: "ana".into(),
    };
    let gathered = handoff::gather(&journal, &shift).await.unwrap();
    let failing = vec!["staging-am".to_string()];
    let live = Live::new(p.alerts.iter(), &p.silences, &p.policies, &failing);
    let report = handoff::render(&shift, &gathered, &live);
    for line in [
        "| DiskFull | infra | prod-am | 2 | 1 | silenced |",
        "| 04:05 | ana | ack: done | PaymentsLatency · payments (prod-am) |",
        "| 04:06 | bo (at prod-pd) | acked by bo | DatabaseCPU · db (prod-pd) |",
        "- **incident:1 · SEV2 · Checkout errors** · investigating · open 9:00:00 · IC ana, scribe bo · 1 alert",
        "- incident:2 · SEV3 · Search lag · resolved 09:30 UTC after 1:30:00 · IC bo",
        "- ack on CheckoutErrors · checkout (prod-am) · by ana at 13:50 UTC · sent, 1 attempt",
        "- prod-am: `alertname=\"DiskFull\"` · by ana · ends 15:30 UTC (in 1h30m) · deploy window",
        "- **payments-critical**: L1 chen until Tue 18:00 UTC, then dana · L2 eve",
        "> Not answering at hand-off: staging-am.",
        "- **Fired this shift:** 5 firings in 4 groups; 1 resolved since.",
        "| critical | firing | CheckoutErrors | checkout | prod-am | 12h |  |",
        "| CertExpiring | edge | prod-am | 1 | 0 | firing |",
    ] {
        assert!(report.contains(line), "missing {line:?} in\n{report}");
    }
    assert!(
        !report.contains("migration"),
        "a silence ending tomorrow is not listed"
    );
    assert!(!report.contains("resolve: done"), "after the shift");
    let starred =
        &report[report.find("## Starred notes").unwrap()..report.find("## Silences").unwrap()];
    assert!(
        starred.contains("rolled back 1.42 \\| errors falling"),
        "{starred}"
    );
    assert!(!starred.contains("not starred"), "{starred}");
    assert!(!report.contains("hunter2"), "secrets are scrubbed");
    assert!(
        !report.chars().any(|c| c.is_control() && c != '\n'),
        "no control characters: {report:?}"
    );
    if std::env::var_os("ONDUTY_BLESS").is_some() {
        std::fs::write(EXPECTED, &report).unwrap();
    }
    let expected =
        std::fs::read_to_string(EXPECTED).expect("the expected report (ONDUTY_BLESS=1 writes it)");
    assert_eq!(report, expected, "the hand-off differs from {EXPECTED}");
}

#[tokio::test(flavor = "multi_thread")]
async fn onduty_handoff_writes_what_the_shift_did_against_a_real_alertmanager() {
    use serde_json::json;
    let am = support::Alertmanager::start().await;
    am.post_alerts(json!([
        {"labels": {"alertname": "DiskFull", "severity": "critical", "service": "infra"}},
        {"labels": {"alertname": "QueueBacklog", "severity": "warning", "service": "jobs"}},
    ]))
    .await;
    let alerts = am.alerts().await;
    let key = |name: &str| {
        let a = alerts
            .iter()
            .find(|a| a["labels"]["alertname"] == name)
            .unwrap();
        format!("am:{}", a["fingerprint"].as_str().unwrap())
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\njournal = \"sqlite:{}\"\n{}",
            dir.path().join("journal.sqlite3").display(),
            am.source_toml("am")
        ),
    )
    .unwrap();
    let run = |args: Vec<String>| {
        let (dir, config) = (dir.path().to_path_buf(), config.clone());
        async move {
            let args: Vec<&str> = args.iter().map(String::as_str).collect();
            support::run_onduty(&dir, &config, &args).await
        }
    };
    let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (code, out) = run(s(&["ack", &key("DiskFull")])).await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(s(&[
        "silence",
        &key("QueueBacklog"),
        "--for",
        "2h",
        "--comment",
        "draining the queue",
    ]))
    .await;
    assert_eq!(code, 0, "{out}");
    let (code, out) = run(s(&["note", &key("DiskFull"), "cleared /var/log"])).await;
    assert_eq!(code, 0, "{out}");

    let file = dir.path().join("handoff.md");
    let (code, out) = run(s(&[
        "handoff",
        "--since",
        "1h",
        "--out",
        file.to_str().unwrap(),
    ]))
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("wrote"), "{out}");
    let report = std::fs::read_to_string(&file).unwrap();
    for line in [
        "Handed off by ana",
        "| critical | acked | DiskFull | infra | am |",
        "| warning | silenced | QueueBacklog | jobs | am |",
        "| ana | ack: done | DiskFull · infra (am) |",
        "| ana | silence 2h: draining the queue: done | QueueBacklog · jobs (am) |",
        "· by ana · ends",
        "(in 1h59m) · draining the queue",
        "- **Outbox:** empty; every action was confirmed.",
        "| DiskFull | infra | am | 1 | 0 | acked |",
    ] {
        assert!(report.contains(line), "missing {line:?} in\n{report}");
    }
    assert!(
        !report.contains("acknowledged in onduty"),
        "the ack's own silence is renewed by onduty, not ending: {report}"
    );
    // No journal entries are older than the shift, so --since 1h and 12h read the same; a
    // bad duration names the flag and the value.
    let (code, out) = run(s(&["handoff", "--since", "soon"])).await;
    assert_ne!(code, 0);
    assert!(out.contains("--since 'soon'"), "{out}");
}

/// A mass event (2,999 alerts fired in one poll, then 2,000 of them resolved) is counted
/// whole in the hand-off: every firing, by name, though one poll keeps only 200 entries.
#[tokio::test]
async fn a_mass_event_is_counted_whole() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    let names = ["HighLatency", "DiskFull", "PodCrashLooping"];
    let alerts: Vec<Alert> = (0..2_999)
        .map(|i| {
            let mut a = alert(
                "prod-am",
                names[i % 3],
                Severity::Critical,
                Status::Firing,
                "checkout",
            );
            a.key = onduty::model::AlertKey(format!("prod-am:{i}"));
            a.started_at = at(1, 0);
            a.last_seen = at(1, 30);
            a
        })
        .collect();
    let source = SourceId("prod-am".into());
    let fired_all = onduty::sources::observe::changes(&[], &alerts, at(1, 0));
    journal.observe(&source, &fired_all).await.unwrap();
    let resolved = onduty::sources::observe::changes(&alerts, &alerts[2_000..], at(2, 0));
    journal.observe(&source, &resolved).await.unwrap();
    let shift = Shift {
        from: start(),
        to: at(12, 0),
        by: "ana".into(),
    };
    let gathered = handoff::gather(&journal, &shift).await.unwrap();
    let live = Live::new(alerts[2_000..].iter(), &[], &[], &[]);
    let report = handoff::render(&shift, &gathered, &live);
    assert!(
        report.contains("- **Fired this shift:** 2999 firings in 3 groups"),
        "{report}"
    );
    // 2,000 resolved, each name's share counted (the first 200 one by one, the rest by name).
    let resolved_total: usize = report
        .lines()
        .filter(|l| names.iter().any(|n| l.starts_with(&format!("| {n} |"))))
        .map(|l| {
            l.split('|')
                .nth(5)
                .unwrap()
                .trim()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(resolved_total, 2_000, "{report}");
}
