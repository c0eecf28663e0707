//! Roles enforced by a shared journal's database, not by the client (issue 32), on a real
//! PostgreSQL: `onduty journal setup --roles` (a dry run changes nothing; twice is once),
//! two responders and a viewer — an author cannot be forged, a viewer's insert is refused,
//! nobody rewrites someone else's note (or their own), a draft and an outbox item are their
//! author's own, only the owner migrates, and the owner's rewrites are logged.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use chrono::{TimeDelta, Utc};
use onduty::journal::drafts::Draft;
use onduty::journal::outbox::{NewAction, new_command_id};
use onduty::journal::roles::JournalRole;
use onduty::journal::timeline::NewEntry;
use onduty::journal::{EntryKind, Journal, Location};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::Operation;
use sqlx::{Connection, PgConnection, Row};
use support::postgres::Postgres;

async fn sql(pg: &Postgres, user: &str, statement: &str) -> Result<u64, sqlx::Error> {
    let mut conn = PgConnection::connect(&pg.url_as(user)).await.unwrap();
    let done = sqlx::query(statement).execute(&mut conn).await;
    conn.close().await.unwrap();
    done.map(|d| d.rows_affected())
}

/// Whether `e` is PostgreSQL's "insufficient privilege" (SQLSTATE 42501).
fn is_refused(e: &sqlx::Error) -> bool {
    e.as_database_error()
        .and_then(|d| d.code())
        .is_some_and(|c| c == "42501")
}

fn config_for(dir: &std::path::Path, url: &str) -> std::path::PathBuf {
    let config = dir.join("onduty.toml");
    std::fs::write(
        &config,
        format!("journal = \"{url}\"\n[[source]]\nname = \"demo\"\nkind = \"demo\"\n"),
    )
    .unwrap();
    config
}

async fn has_role(pg: &Postgres, role: &str) -> bool {
    let mut conn = PgConnection::connect(&pg.url).await.unwrap();
    let row = sqlx::query("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = $1) AS e")
        .bind(role)
        .fetch_one(&mut conn)
        .await
        .unwrap();
    row.get("e")
}

/// A cluster with the journal and its roles, and ana, bo (responders), wall (viewer) and
/// lead (owner) as logins; ana shown as "Ana López".
async fn team() -> (Postgres, tempfile::TempDir) {
    let pg = Postgres::start();
    let dir = tempfile::tempdir().unwrap();
    let config = config_for(dir.path(), &pg.url);
    // A dry run prints the SQL and changes nothing.
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["journal", "setup", "--roles", "--dry-run"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("CREATE ROLE onduty_responder NOLOGIN")
            && out.contains("GRANT INSERT, UPDATE (starred) ON timeline TO onduty_responder"),
        "{out}"
    );
    assert!(
        !has_role(&pg, "onduty_responder").await,
        "a dry run created a role"
    );
    // Twice is once.
    for _ in 0..2 {
        let (code, out) =
            support::run_onduty(dir.path(), &config, &["journal", "setup", "--roles"]).await;
        assert_eq!(code, 0, "{out}");
        assert!(
            out.contains("statements run on postgres 127.0.0.1:"),
            "{out}"
        );
    }
    for statement in [
        "CREATE ROLE ana LOGIN IN ROLE onduty_responder",
        "CREATE ROLE bo LOGIN IN ROLE onduty_responder",
        "CREATE ROLE wall LOGIN IN ROLE onduty_viewer",
        "CREATE ROLE lead LOGIN IN ROLE onduty_owner",
    ] {
        sql(&pg, "onduty", statement).await.unwrap();
    }
    let (code, out) = support::run_onduty(
        dir.path(),
        &config,
        &["journal", "person", "ana", "Ana López"],
    )
    .await;
    assert_eq!(code, 0, "{out}");
    // A responder may not name people: the owner keeps the names.
    assert!(
        is_refused(
            &sql(
                &pg,
                "bo",
                "INSERT INTO journal_people (db_user, name) VALUES ('bo', 'Ana López 2')"
            )
            .await
            .unwrap_err()
        ),
        "a responder renamed themself"
    );
    (pg, dir)
}

async fn open_as(pg: &Postgres, user: &str) -> Journal {
    Journal::open(&Location::Postgres(pg.url_as(user)))
        .await
        .unwrap()
}

fn note<'a>(author: &'a str, body: &'a str) -> NewEntry<'a> {
    NewEntry {
        subject: "am:1",
        at: Utc::now(),
        author,
        kind: EntryKind::Note,
        body,
        corrects: None,
    }
}

#[tokio::test]
async fn authors_come_from_the_database_session_and_the_timeline_is_append_only() {
    let (pg, _dir) = team().await;
    let ana = open_as(&pg, "ana").await;
    let access = ana.access().clone();
    assert_eq!(access.role, Some(JournalRole::Responder));
    assert!(access.may_append && !access.may_rewrite, "{access:?}");
    assert_eq!(access.stamped_as.as_deref(), Some("Ana López"));
    // A note written "as bo" from ana's session is ana's.
    let forged = ana.append(note("bo", "bo said so")).await.unwrap();
    assert_eq!(forged.author, "Ana López");
    // And through psql, naming the database user too.
    sql(
        &pg,
        "ana",
        "INSERT INTO timeline (subject, at, author, kind, body, db_user) \
         VALUES ('am:1', 1, 'bo', 'note', 'raw', 'bo')",
    )
    .await
    .unwrap();
    let bo = open_as(&pg, "bo").await;
    let mine = bo.append(note("bo", "bo's own")).await.unwrap();
    assert_eq!(mine.author, "bo", "an unmapped user shows as itself");
    // A change seen at a source is the source's to tell; who recorded it is still kept.
    let seen = onduty::sources::observe::Observation {
        key: AlertKey("am:1".into()),
        at: Utc::now(),
        what: "fired (critical)".into(),
    };
    assert_eq!(
        bo.observe(&SourceId("am".into()), &[seen]).await.unwrap(),
        1
    );
    let mut admin = PgConnection::connect(&pg.url).await.unwrap();
    let rows = sqlx::query(
        "SELECT author, db_user, body FROM timeline WHERE kind <> 'observed' ORDER BY id",
    )
    .fetch_all(&mut admin)
    .await
    .unwrap();
    let rows: Vec<(String, String, String)> = rows
        .iter()
        .map(|r| (r.get("author"), r.get("db_user"), r.get("body")))
        .collect();
    assert_eq!(
        rows,
        [
            ("Ana López".into(), "ana".into(), "bo said so".into()),
            ("Ana López".into(), "ana".into(), "raw".into()),
            ("bo".into(), "bo".into(), "bo's own".into()),
        ]
    );
    let observed = sqlx::query("SELECT author, db_user FROM timeline WHERE kind = 'observed'")
        .fetch_one(&mut admin)
        .await
        .unwrap();
    assert_eq!(
        (
            observed.get::<String, _>("author"),
            observed.get::<String, _>("db_user")
        ),
        ("am".into(), "bo".into())
    );
    // Nobody rewrites the record: not someone else's note, not their own.
    for (who, statement) in [
        (
            "bo",
            format!("UPDATE timeline SET body = 'x' WHERE id = {}", forged.id),
        ),
        (
            "ana",
            format!("UPDATE timeline SET body = 'x' WHERE id = {}", forged.id),
        ),
        (
            "bo",
            format!("DELETE FROM timeline WHERE id = {}", forged.id),
        ),
        (
            "bo",
            format!("UPDATE timeline SET author = 'bo' WHERE id = {}", forged.id),
        ),
    ] {
        let e = sql(&pg, who, &statement).await.unwrap_err();
        assert!(is_refused(&e), "{who}: {statement}: {e}");
    }
    // A star is a mark, not a rewrite: allowed, and not logged as one.
    bo.star(forged.id, true).await.unwrap();
    assert!(bo.entry(forged.id).await.unwrap().unwrap().starred);
    // The owner's maintenance may rewrite, and is logged with what was there.
    sql(
        &pg,
        "lead",
        &format!(
            "UPDATE timeline SET body = '[redacted]' WHERE id = {}",
            forged.id
        ),
    )
    .await
    .unwrap();
    let log = sqlx::query("SELECT db_user, op, entry_id, was FROM timeline_rewrites")
        .fetch_all(&mut admin)
        .await
        .unwrap();
    assert_eq!(log.len(), 1, "one rewrite (the star is not one)");
    assert_eq!(log[0].get::<String, _>("db_user"), "lead");
    assert_eq!(log[0].get::<String, _>("op"), "UPDATE");
    assert_eq!(log[0].get::<i64, _>("entry_id"), forged.id);
    assert!(log[0].get::<String, _>("was").contains("bo said so"));
    // The export keeps who really wrote each row.
    let export = open_as(&pg, "lead").await.export(None).await.unwrap();
    assert!(export.contains("\"db_user\":\"ana\""), "{export}");
}

#[tokio::test]
async fn a_viewer_reads_and_the_database_refuses_its_writes() {
    let (pg, dir) = team().await;
    open_as(&pg, "ana")
        .await
        .append(note("ana", "seen"))
        .await
        .unwrap();
    let wall = open_as(&pg, "wall").await;
    let access = wall.access().clone();
    assert_eq!(access.role, Some(JournalRole::Viewer));
    assert!(!access.may_append);
    assert_eq!(
        access.read_only_reason().as_deref(),
        Some("your journal role is viewer")
    );
    assert_eq!(wall.timeline("am:1").await.unwrap().len(), 1, "it reads");
    // An old client, or psql, trying anyway.
    assert!(wall.append(note("wall", "x")).await.is_err());
    for statement in [
        "INSERT INTO timeline (subject, at, author, kind, body) VALUES ('a', 1, 'w', 'note', 'x')",
        "INSERT INTO incidents (title, severity, status, opened_at, updated_at) \
         VALUES ('x', 'sev1', 'investigating', 1, 1)",
        "UPDATE incidents SET title = 'x'",
        "INSERT INTO outbox (id, created_at, updated_at, author, source, alert_key, operation, \
         state, next_attempt_at) VALUES (1, 1, 1, 'w', 's', 'k', '{}', 'pending', 1)",
    ] {
        let e = sql(&pg, "wall", statement).await.unwrap_err();
        assert!(is_refused(&e), "{statement}: {e}");
    }
    // Its dashboard's background writes are not attempted (no error to show).
    wall.observe(&SourceId("am".into()), &[]).await.unwrap();
    assert!(
        wall.claim_due(Utc::now(), Utc::now())
            .await
            .unwrap()
            .is_empty()
    );
    // `onduty check` says what the database lets it do.
    let config = config_for(dir.path(), &pg.url_as("wall"));
    let (code, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("as role wall (reads only); journal role viewer"),
        "{out}"
    );
    // The CLI's writes are refused before anything is tried, with the same words.
    let (code, out) =
        support::run_onduty(dir.path(), &config, &["note", "am:1", "from the wall"]).await;
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("read-only: your journal role is viewer"),
        "{out}"
    );
    let config = config_for(dir.path(), &pg.url_as("ana"));
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, format!("identity = \"bo\"\n{text}")).unwrap();
    let (_, out) = support::run_onduty(dir.path(), &config, &["check"]).await;
    assert!(
        out.contains("  warning: the journal signs your rows as Ana López, not as identity \"bo\""),
        "{out}"
    );
    assert!(
        out.contains(
            "as role ana (reads and appends; the timeline is append-only); journal role \
             responder; the database signs its rows as Ana López"
        ),
        "{out}"
    );
}

fn silence(author: &str) -> NewAction {
    NewAction {
        id: new_command_id(),
        author: author.into(),
        source: SourceId("am".into()),
        key: AlertKey("am:1".into()),
        op: Operation::Silence {
            duration: std::time::Duration::from_secs(600),
            comment: "deploy".into(),
        },
    }
}

#[tokio::test]
async fn drafts_and_outbox_items_are_their_authors_own() {
    let (pg, _dir) = team().await;
    let (ana, bo) = (open_as(&pg, "ana").await, open_as(&pg, "bo").await);
    let now = Utc::now();
    ana.save_draft(&Draft {
        subject: "am:1".into(),
        author: "Ana López".into(),
        body: "half a thought".into(),
        updated_at: now,
    })
    .await
    .unwrap();
    assert_eq!(ana.drafts("Ana López").await.unwrap().len(), 1);
    assert!(
        bo.drafts("Ana López").await.unwrap().is_empty(),
        "bo reads ana's draft"
    );
    bo.drop_draft("am:1", "Ana López").await.unwrap();
    assert_eq!(
        ana.drafts("Ana López").await.unwrap().len(),
        1,
        "bo dropped it"
    );
    // An action goes out with its author's credentials only: bo's dashboard does not take
    // ana's item when its lease runs out; ana's does.
    let item = ana.record(&silence("Ana López"), now).await.unwrap();
    let later = now + TimeDelta::seconds(61);
    assert!(bo.claim_due(later, later).await.unwrap().is_empty());
    let taken = ana.claim_due(later, later).await.unwrap();
    assert_eq!(taken.iter().map(|i| i.id).collect::<Vec<_>>(), [item.id]);
    let e = sql(
        &pg,
        "bo",
        &format!(
            "UPDATE outbox SET operation = '{{}}' WHERE id = {}",
            item.id.0 as i64
        ),
    )
    .await
    .unwrap_err();
    assert!(is_refused(&e), "{e}");
}

#[tokio::test]
async fn only_the_owner_migrates_and_the_new_tables_get_their_grants() {
    let (pg, _dir) = team().await;
    // An older journal: one migration (an index) not applied yet, and a grant missing.
    for statement in [
        "DROP INDEX timeline_at",
        "DELETE FROM _sqlx_migrations WHERE version = 8",
        "REVOKE SELECT ON problems FROM onduty_viewer",
    ] {
        sql(&pg, "onduty", statement).await.unwrap();
    }
    let e = Journal::open(&Location::Postgres(pg.url_as("ana")))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("needs migrating") && e.contains("onduty journal setup --roles"),
        "{e}"
    );
    let lead = open_as(&pg, "lead").await;
    assert_eq!(lead.access().role, Some(JournalRole::Owner));
    lead.close().await;
    let mut admin = PgConnection::connect(&pg.url).await.unwrap();
    let index: i64 =
        sqlx::query("SELECT COUNT(*) AS n FROM pg_class WHERE relname = 'timeline_at'")
            .fetch_one(&mut admin)
            .await
            .unwrap()
            .get("n");
    assert_eq!(index, 1, "the owner's open migrated");
    // The grants were applied again after the migration.
    assert_eq!(sql(&pg, "wall", "SELECT * FROM problems").await.unwrap(), 0);
    let ana = open_as(&pg, "ana").await;
    ana.append(note("ana", "after the upgrade")).await.unwrap();
}
