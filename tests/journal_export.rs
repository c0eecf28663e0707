//! The journal as a file (issue 32, disaster recovery): a journal with every kind of row,
//! exported from SQLite, imported into a real PostgreSQL and exported again is the same file
//! byte for byte; a second import adds nothing; a truncated or tampered file stops at its
//! line and changes nothing; `onduty journal copy` moves a journal through the CLI.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{TimeZone, Utc};
use onduty::journal::checklists::Tick;
use onduty::journal::drafts::Draft;
use onduty::journal::incidents::Declaration;
use onduty::journal::outbox::{NewAction, new_command_id};
use onduty::journal::problems::NewProblem;
use onduty::journal::ticket_links::TicketLink;
use onduty::journal::timeline::NewEntry;
use onduty::journal::{EntryKind, Journal, Location};
use onduty::model::problem::{AlertName, ProblemChange};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::Operation;
use onduty::sources::observe::Observation;
use support::postgres::Postgres;

/// A journal holding every kind of row export knows.
async fn every_kind_of_row(j: &Journal) {
    let now = Utc.with_ymd_and_hms(2026, 12, 5, 10, 0, 0).unwrap();
    let key = AlertKey("am:abc".into());
    let incident = j
        .declare(
            &Declaration {
                title: "Checkout down".into(),
                severity: 2,
                alerts: vec![key.clone()],
                author: "ana".into(),
            },
            now,
        )
        .await
        .unwrap();
    j.observe(
        &SourceId("am".into()),
        &[Observation {
            key: key.clone(),
            at: now,
            what: "fired (critical): CheckoutErrors · checkout".into(),
        }],
    )
    .await
    .unwrap();
    j.append(NewEntry {
        subject: &incident.subject(),
        at: now,
        author: "bo",
        kind: EntryKind::Note,
        body: "rolled back 4f2a\nerrors falling — \"quotes\" and a tab\there",
        corrects: None,
    })
    .await
    .unwrap();
    j.save_draft(&Draft {
        subject: "postmortem:incident:1".into(),
        author: "*".into(),
        body: "# PM\n## Root cause\nA leak.\n".into(),
        updated_at: now,
    })
    .await
    .unwrap();
    j.tick(
        &Tick {
            subject: incident.subject(),
            runbook: "checkout.md".into(),
            step: "Roll back".into(),
            done: true,
            author: "ana".into(),
            at: now,
        },
        "runbook: done 'Roll back'",
    )
    .await
    .unwrap();
    j.link_ticket(
        &TicketLink {
            subject: incident.subject(),
            reference: "jira:OPS-7".into(),
            author: "ana".into(),
            at: now,
        },
        "OPS-7",
    )
    .await
    .unwrap();
    let p = j
        .open_problem(
            &NewProblem {
                title: "Pool runs dry".into(),
                author: "ana".into(),
                alerts: vec![AlertName::parse("CheckoutErrors · checkout")],
                incidents: vec![incident.subject()],
            },
            now,
        )
        .await
        .unwrap();
    j.change_problem(
        p.id,
        &ProblemChange::Workaround("restart".into()),
        "bo",
        now,
    )
    .await
    .unwrap();
    j.record(
        &NewAction {
            id: new_command_id(),
            author: "ana".into(),
            source: SourceId("am".into()),
            key,
            op: Operation::Acknowledge,
        },
        now,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn a_journal_survives_sqlite_to_postgres_byte_for_byte_and_bad_files_change_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = Journal::open(&Location::Sqlite(dir.path().join("j.sqlite3")))
        .await
        .unwrap();
    every_kind_of_row(&sqlite).await;
    let exported = sqlite.export(None).await.unwrap();
    sqlite.close().await;
    for table in [
        "incidents",
        "incident_alerts",
        "timeline",
        "drafts",
        "checklist_steps",
        "ticket_links",
        "problems",
        "problem_links",
        "outbox",
    ] {
        assert!(
            exported.contains(&format!("\"table\":\"{table}\"")),
            "{table} is exported: {exported}"
        );
    }
    let pg = Postgres::start();
    let target = Journal::open(&Location::Postgres(pg.url.clone()))
        .await
        .unwrap();
    let rows = exported.lines().count() as u64 - 1;
    assert_eq!(target.import(&exported).await.unwrap(), rows);
    assert_eq!(
        target.export(None).await.unwrap(),
        exported,
        "byte for byte"
    );
    assert_eq!(
        target.import(&exported).await.unwrap(),
        0,
        "a second import adds nothing"
    );
    // The sequences moved past the imported ids: a new incident does not collide.
    let next = target
        .declare(
            &Declaration {
                title: "Another".into(),
                severity: 3,
                alerts: Vec::new(),
                author: "bo".into(),
            },
            Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(next.id, 2);
    let before = target.export(None).await.unwrap();
    // Cut short at a line boundary: no end line.
    let lines: Vec<&str> = exported.lines().collect();
    let cut = lines[..lines.len() - 3].join("\n");
    let e = target.import(&cut).await.unwrap_err().to_string();
    assert!(
        e.contains("no end line") && e.contains("nothing was imported"),
        "{e}"
    );
    // A row tampered with: a number where text belongs.
    let tampered = exported.replacen("\"title\":\"Checkout down\"", "\"title\":7", 1);
    let e = target.import(&tampered).await.unwrap_err().to_string();
    assert!(e.starts_with("line 1:") || e.contains("line 1:"), "{e}");
    assert!(e.contains("incidents.title"), "{e}");
    // Half a line.
    let half = &exported[..exported.len() / 2];
    let e = target.import(half).await.unwrap_err().to_string();
    assert!(e.contains("not JSON"), "{e}");
    assert_eq!(
        target.export(None).await.unwrap(),
        before,
        "nothing changed"
    );
    target.close().await;

    // The CLI: copy the SQLite journal into a new one and export it.
    let copy = dir.path().join("copy.sqlite3");
    let config = dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\njournal = \"sqlite:{}\"\n",
            copy.display()
        ),
    )
    .unwrap();
    let from = format!("sqlite:{}", dir.path().join("j.sqlite3").display());
    let to = format!("sqlite:{}", copy.display());
    let (code, out) =
        support::run_onduty(dir.path(), &config, &["journal", "copy", &from, &to]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains(&format!("{rows} row(s) copied")), "{out}");
    let (code, out) = support::run_onduty(dir.path(), &config, &["journal", "export"]).await;
    assert_eq!(code, 0);
    assert_eq!(out, exported, "the CLI's export is the same file");
    // --since: only what was written or changed since (every row here is of 5 December).
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["journal", "export", "--since", "2026-12-06"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(out, "{\"end\":{\"rows\":0},\"v\":2}\n");
    let (_, out) = support::run_onduty(
        dir.path(),
        &config,
        &["journal", "export", "--since", "2026-12-05T09:00:00Z"],
    )
    .await;
    assert_eq!(out, exported);
}

// Version 2 added each row's database user; a backup made before still restores.
#[tokio::test]
async fn a_version_1_export_still_imports() {
    let dir = tempfile::tempdir().unwrap();
    let j = Journal::open(&Location::Sqlite(dir.path().join("j.sqlite3")))
        .await
        .unwrap();
    let v1 = concat!(
        r#"{"row":{"at":1,"author":"ana","body":"before v2","client_id":null,"#,
        r#""corrects":null,"id":1,"kind":"note","starred":0,"subject":"am:1"},"#,
        r#""table":"timeline","v":1}"#,
        "\n",
        r#"{"end":{"rows":1},"v":1}"#,
        "\n"
    );
    assert_eq!(j.import(v1).await.unwrap(), 1);
    let out = j.export(None).await.unwrap();
    assert!(
        out.contains(r#""body":"before v2""#) && out.contains(r#""db_user":null"#),
        "{out}"
    );
    // Version 3 is not read as if it were known.
    let e = j
        .import(&v1.replace(r#""v":1"#, r#""v":3"#))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("line 1: not version 1 to 2"), "{e}");
}
