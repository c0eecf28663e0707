//! Post-mortems: a scripted incident written into a real journal at fixed times gives the
//! expected draft (tests/expected/postmortem_incident.md; `ONDUTY_BLESS=1` rewrites it after
//! a deliberate change), with its time to acknowledge and to resolve computed; secrets in
//! notes never reach it; `onduty postmortem` exports the kept draft atomically.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use onduty::journal::checklists::Tick;
use onduty::journal::drafts::Draft;
use onduty::journal::incidents::{Declaration, IncidentStatus, Role};
use onduty::journal::{EntryKind, Journal};
use onduty::model::{Severity, SourceId, Status};
use onduty::postmortem::{self, facts, render};

const EXPECTED: &str = "tests/expected/postmortem_incident.md";

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 3, 14, 0, 0).unwrap()
}

fn at(secs: i64) -> DateTime<Utc> {
    t0() + TimeDelta::seconds(secs)
}

async fn entry(
    journal: &Journal,
    subject: &str,
    secs: i64,
    author: &str,
    kind: EntryKind,
    body: &str,
) -> i64 {
    support::append_entry(journal, subject, at(secs), author, kind, body).await
}

/// Checkout goes down at 14:00: two alerts fire, ana acks at 14:04:10, declares SEV1 at
/// 14:05, bo writes notes (one with a token in it) and ticks a runbook step, the incident
/// is resolved at 15:12:05.
async fn scripted_incident(journal: &Journal) {
    let mut a1 = onduty::testing::labelled_alert(
        "CheckoutErrors",
        Severity::Critical,
        Status::Firing,
        &[("service", "checkout")],
    );
    a1.started_at = at(0);
    let mut a2 = onduty::testing::labelled_alert(
        "PaymentsLatency",
        Severity::Warning,
        Status::Firing,
        &[("service", "payments")],
    );
    a2.started_at = at(60);
    let encoded = onduty::journal::snapshots::encode(&[a1.clone(), a2.clone()]).unwrap();
    journal
        .save_snapshot(&SourceId("prod-am".into()), at(3_000), &encoded)
        .await
        .unwrap();
    let (k1, k2) = (a1.key.0.as_str(), a2.key.0.as_str());
    entry(
        journal,
        k1,
        0,
        "prod-am",
        EntryKind::Observed,
        "fired (critical)",
    )
    .await;
    entry(
        journal,
        k2,
        60,
        "prod-am",
        EntryKind::Observed,
        "fired (warning)",
    )
    .await;
    entry(journal, k1, 250, "ana", EntryKind::Action, "ack: done").await;
    let incident = journal
        .declare(
            &Declaration {
                title: "Checkout is down".into(),
                severity: 1,
                alerts: vec![a1.key.clone(), a2.key.clone()],
                author: "ana".into(),
            },
            at(300),
        )
        .await
        .unwrap();
    let subject = incident.subject();
    let note = entry(
        journal,
        &subject,
        360,
        "bo",
        EntryKind::Note,
        "failover to eu-west started\nran it with PGPASSWORD=hunter2 and token: s3cr3t",
    )
    .await;
    journal.star(note, true).await.unwrap();
    journal
        .set_role(incident.id, Role::Scribe, "bo", "ana", at(420))
        .await
        .unwrap();
    journal
        .tick(
            &Tick {
                subject: subject.clone(),
                runbook: "/runbooks/checkout.md".into(),
                step: "Fail over to eu-west".into(),
                done: true,
                author: "bo".into(),
                at: at(1_200),
            },
            "runbook Checkout down: done: Fail over to eu-west (1/3)",
        )
        .await
        .unwrap();
    entry(
        journal,
        k2,
        4_000,
        "prod-am",
        EntryKind::Observed,
        "resolved",
    )
    .await;
    journal
        .set_status(incident.id, IncidentStatus::Resolved, "ana", at(4_325))
        .await
        .unwrap();
}

#[tokio::test]
async fn a_scripted_incident_gives_the_expected_draft_with_tta_and_ttr() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    scripted_incident(&journal).await;
    let facts = facts::gather(&journal, "incident:1", &[]).await.unwrap();
    assert_eq!(facts.detected, Some(at(0)), "the first alert fired");
    assert_eq!(facts.acknowledged, Some((at(250), "ana".to_string())));
    assert_eq!(facts.tta(), Some(TimeDelta::seconds(250)));
    assert_eq!(facts.ttr(), Some(TimeDelta::seconds(4_325)));
    assert_eq!(facts.services(), ["checkout", "payments"]);
    let draft = render::draft(&facts, postmortem::TEMPLATE, at(7_200)).unwrap();
    assert!(
        draft.contains("- **Time to acknowledge:** 4m 10s"),
        "{draft}"
    );
    assert!(
        draft.contains("- **Time to resolve:** 1h 12m 5s"),
        "{draft}"
    );
    for secret in ["hunter2", "s3cr3t"] {
        assert!(!draft.contains(secret), "{secret} in the draft");
    }
    if std::env::var_os("ONDUTY_BLESS").is_some() {
        std::fs::write(EXPECTED, &draft).unwrap();
    }
    let expected =
        std::fs::read_to_string(EXPECTED).expect("the expected draft (ONDUTY_BLESS=1 writes it)");
    assert_eq!(draft, expected, "the draft differs from {EXPECTED}");
}

#[tokio::test]
async fn an_alert_outside_an_incident_has_its_own_post_mortem() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    scripted_incident(&journal).await;
    let facts = facts::gather(&journal, "prod-am:PaymentsLatency", &[])
        .await
        .unwrap();
    assert_eq!(facts.title, "PaymentsLatency");
    assert_eq!(facts.status, "resolved");
    assert_eq!(facts.ttr(), Some(TimeDelta::seconds(3_940)));
    assert_eq!(facts.tta(), None, "nobody acked it");
    let e = facts::gather(&journal, "incident:9", &[])
        .await
        .unwrap_err();
    assert!(e.contains("no incident 9"), "{e}");
    let e = facts::gather(&journal, "prod-am:never", &[])
        .await
        .unwrap_err();
    assert!(e.contains("knows nothing"), "{e}");
}

#[tokio::test]
async fn the_cli_exports_the_kept_draft_atomically_and_fresh_rewrites() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    scripted_incident(&journal).await;
    let config = dir.path().join("config.toml");
    std::fs::write(&config, "identity = \"ana\"\n").unwrap();
    let out = dir.path().join("pm.md");
    let out_arg = out.display().to_string();
    let (code, said) =
        support::run_onduty(dir.path(), &config, &["postmortem", "1", "--out", &out_arg]).await;
    assert_eq!(code, 0, "{said}");
    assert!(said.contains("a new draft"), "{said}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(
        written.starts_with("# Post-mortem: Checkout is down"),
        "{written}"
    );
    assert!(written.contains("- **Time to resolve:** 1h 12m 5s"));
    // An edited draft kept in the journal is what gets exported; --fresh writes anew.
    journal
        .save_draft(&Draft {
            subject: postmortem::draft_subject("incident:1"),
            author: postmortem::DRAFT_AUTHOR.into(),
            body: "# Checkout is down\n\nRoot cause: a full disk. Bearer-less token=abc123\n"
                .into(),
            updated_at: at(8_000),
        })
        .await
        .unwrap();
    let (code, said) = support::run_onduty(
        dir.path(),
        &config,
        &["postmortem", "incident:1", "--out", &out_arg],
    )
    .await;
    assert_eq!(code, 0, "{said}");
    let written = std::fs::read_to_string(&out).unwrap();
    assert!(written.contains("Root cause: a full disk."), "{written}");
    assert!(
        !written.contains("abc123"),
        "a kept draft is scrubbed too: {written}"
    );
    let (code, printed) =
        support::run_onduty(dir.path(), &config, &["postmortem", "1", "--fresh"]).await;
    assert_eq!(code, 0, "{printed}");
    assert!(printed.contains("## Timeline"), "{printed}");
    let (code, said) =
        support::run_onduty(dir.path(), &config, &["postmortem", "incident:9"]).await;
    assert_eq!(code, 2, "{said}");
    assert!(said.contains("no incident 9"), "{said}");
    // A template in the config directory replaces the embedded one; a typo is named.
    std::fs::write(dir.path().join("postmortem.md"), "# {{title}} ({{ttr}})\n").unwrap();
    let (_, printed) =
        support::run_onduty(dir.path(), &config, &["postmortem", "1", "--fresh"]).await;
    assert_eq!(printed, "# Checkout is down (1h 12m 5s)\n");
    std::fs::write(dir.path().join("postmortem.md"), "# {{titel}}\n").unwrap();
    let (code, said) = support::run_onduty(dir.path(), &config, &["postmortem", "1"]).await;
    assert_ne!(code, 0);
    assert!(
        said.contains("postmortem.md") && said.contains("{{titel}}"),
        "{said}"
    );
}

#[tokio::test]
async fn the_back_ends_own_log_joins_the_timeline_without_echoes_of_our_notes() {
    let dir = tempfile::tempdir().unwrap();
    let journal = support::sqlite_journal(dir.path()).await;
    scripted_incident(&journal).await;
    let mut held = onduty::testing::labelled_alert(
        "CheckoutErrors",
        Severity::Critical,
        Status::Firing,
        &[("service", "checkout")],
    );
    held.started_at = at(0);
    let note = |author: &str, secs, text: &str| onduty::model::Note {
        author: author.into(),
        at: at(secs),
        text: text.into(),
    };
    held.notes = [
        note("cy", 500, "Escalated to Payments L2"),
        // A note written in onduty that came back through the back end.
        note(
            "bo",
            361,
            "failover to eu-west started\nran it with PGPASSWORD=hunter2 and token: s3cr3t",
        ),
    ]
    .into();
    let facts = facts::gather(&journal, "incident:1", &[held])
        .await
        .unwrap();
    let notes: Vec<(&str, &str)> = facts
        .timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Note)
        .map(|e| (e.author.as_str(), e.body.lines().next().unwrap_or("")))
        .collect();
    assert_eq!(
        notes,
        [
            ("bo", "failover to eu-west started"),
            ("cy", "Escalated to Payments L2")
        ]
    );
    assert!(facts.responders.iter().any(|(who, _)| who == "cy"));
}
