//! Who the shared journal's database lets each connection be (issue 32): the three roles
//! `onduty journal setup --roles` creates — owner (migrations, maintenance), responder
//! (reads everything, appends), viewer (reads only) — with their grants, the trigger that
//! stamps each row's author from the database session (not the client's config), and what
//! a connection may do, as the database grants it.

use sqlx::{AnyPool, Row};

use super::JournalError;

/// The role that owns the journal's tables and runs its migrations.
pub const OWNER: &str = "onduty_owner";
/// The role that reads everything and appends.
pub const RESPONDER: &str = "onduty_responder";
/// The role that reads only.
pub const VIEWER: &str = "onduty_viewer";

/// Which of onduty's roles a connection holds (the strongest).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JournalRole {
    /// Migrations and maintenance; its rows keep the author they are written with.
    Owner,
    /// Reads and appends; authors stamped by the database.
    Responder,
    /// Reads only.
    Viewer,
}

impl JournalRole {
    /// Its name, as the README and `onduty check` say it.
    pub fn name(self) -> &'static str {
        match self {
            JournalRole::Owner => "owner",
            JournalRole::Responder => "responder",
            JournalRole::Viewer => "viewer",
        }
    }
}

/// What the database lets this connection do with the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Access {
    /// The database user (PostgreSQL's `session_user`); `None` for an SQLite file.
    pub db_user: Option<String>,
    /// Which of onduty's roles it holds, once `setup --roles` has made them.
    pub role: Option<JournalRole>,
    /// May read the timeline.
    pub may_read: bool,
    /// May append to it (notes, actions, incidents).
    pub may_append: bool,
    /// May change or delete what it holds (the owner's maintenance, logged).
    pub may_rewrite: bool,
    /// The author the database writes on this connection's rows, whatever the client says
    /// (setup ran and this is not the owner): the name mapped to the user, else the user.
    pub stamped_as: Option<String>,
}

impl Access {
    /// This user's own SQLite file: everything.
    pub fn own_file() -> Access {
        Access {
            db_user: None,
            role: None,
            may_read: true,
            may_append: true,
            may_rewrite: true,
            stamped_as: None,
        }
    }

    /// Why nothing may be written from here, when so: "your journal role is viewer".
    pub fn read_only_reason(&self) -> Option<String> {
        if self.may_append {
            return None;
        }
        Some(match self.role {
            Some(role) => format!("your journal role is {}", role.name()),
            None => "the journal's database lets this user only read".into(),
        })
    }

    /// The warning when `configured` (the config's `identity`; empty: not set) is not the
    /// name the database signs this connection's rows with.
    pub fn contradiction(&self, configured: &str) -> Option<String> {
        let signed = self.stamped_as.as_deref()?;
        let configured = configured.trim();
        (!configured.is_empty() && configured != signed).then(|| {
            format!(
                "the journal signs your rows as {signed}, not as identity \"{}\": its owner \
                 maps users to names (onduty journal person)",
                crate::model::sanitize::line(configured, 64)
            )
        })
    }

    /// What it may do, in words: "reads and appends; the timeline is append-only".
    pub fn describe(&self) -> String {
        let can = match (self.may_read, self.may_append, self.may_rewrite) {
            (_, true, true) => "reads, appends, and may rewrite the timeline",
            (_, true, false) => "reads and appends; the timeline is append-only",
            (true, false, _) => "reads only",
            (false, false, _) => "cannot read the timeline",
        };
        let Some(user) = &self.db_user else {
            return "this user's file (0600)".into();
        };
        let mut text = format!("role {user} ({can})");
        if let Some(role) = self.role {
            text.push_str(&format!("; journal role {}", role.name()));
        }
        if let Some(name) = &self.stamped_as {
            text.push_str(&format!("; the database signs its rows as {name}"));
        }
        text
    }

    /// Asks the database what this connection may do (after migrations: the tables exist).
    pub async fn of(pool: &AnyPool) -> Result<Access, JournalError> {
        let row = sqlx::query(&format!(
            "SELECT CAST(session_user AS TEXT) AS who, \
             has_table_privilege('timeline', 'SELECT') AS reads, \
             has_table_privilege('timeline', 'INSERT') AS appends, \
             has_table_privilege('timeline', 'UPDATE') \
               OR has_table_privilege('timeline', 'DELETE') AS rewrites, \
             COALESCE((SELECT string_agg(rolname, ',') FROM pg_roles \
               WHERE rolname IN ('{OWNER}', '{RESPONDER}', '{VIEWER}') \
               AND pg_has_role(session_user, oid, 'MEMBER')), '') AS roles, \
             EXISTS (SELECT 1 FROM pg_trigger WHERE tgname = 'timeline_stamp_author') \
               AS stamps, \
             has_table_privilege('journal_people', 'SELECT') AS sees_people"
        ))
        .fetch_one(pool)
        .await?;
        let who: String = row.try_get("who")?;
        let roles: String = row.try_get("roles")?;
        let holds = |r: &str| roles.split(',').any(|x| x == r);
        let role = if holds(OWNER) {
            Some(JournalRole::Owner)
        } else if holds(RESPONDER) {
            Some(JournalRole::Responder)
        } else if holds(VIEWER) {
            Some(JournalRole::Viewer)
        } else {
            None
        };
        let is_stamped = row.try_get::<bool, _>("stamps")? && role != Some(JournalRole::Owner);
        // Asked apart: a role its owner gave no read of the names still opens the journal.
        let name: Option<String> = if row.try_get("sees_people")? {
            sqlx::query("SELECT name FROM journal_people WHERE db_user = session_user")
                .fetch_optional(pool)
                .await?
                .map(|r| r.try_get("name"))
                .transpose()?
        } else {
            None
        };
        let shown = name.unwrap_or_else(|| who.clone());
        Ok(Access {
            db_user: Some(who),
            role,
            may_read: row.try_get("reads")?,
            may_append: row.try_get("appends")?,
            may_rewrite: row.try_get("rewrites")?,
            stamped_as: is_stamped.then(|| crate::model::sanitize::line(&shown, 64)),
        })
    }
}

/// A journal table and what a responder may do with it beyond reading.
struct Grant {
    table: &'static str,
    responder: &'static str,
}

/// Every table of the journal. The timeline is append-only for responders (a star is a
/// mark, not a change of what was written); an outbox item is moved along by its sender
/// only (row security below), never rewritten.
const GRANTS: &[Grant] = &[
    Grant {
        table: "timeline",
        responder: "INSERT, UPDATE (starred)",
    },
    Grant {
        table: "outbox",
        responder: "INSERT, UPDATE (state, attempts, next_attempt_at, lease_until, holder, \
                    last_error, updated_at)",
    },
    Grant {
        table: "drafts",
        responder: "INSERT, UPDATE, DELETE",
    },
    Grant {
        table: "checklist_steps",
        responder: "INSERT, UPDATE (done, author, updated_at)",
    },
    Grant {
        table: "ticket_links",
        responder: "INSERT, DELETE",
    },
    Grant {
        table: "incidents",
        responder: "INSERT, UPDATE",
    },
    Grant {
        table: "incident_alerts",
        responder: "INSERT",
    },
    Grant {
        table: "problems",
        responder: "INSERT, UPDATE (title, status, cause, workaround, owner, ticket, \
                    updated_at)",
    },
    Grant {
        table: "problem_links",
        responder: "INSERT",
    },
    Grant {
        table: "last_known",
        responder: "INSERT, UPDATE",
    },
    Grant {
        table: "action_claims",
        responder: "INSERT, UPDATE, DELETE",
    },
    // Shared polling's lease and frames: a cache every responder's dashboard keeps.
    Grant {
        table: "poll_leases",
        responder: "INSERT, UPDATE",
    },
    Grant {
        table: "poll_frames",
        responder: "INSERT, DELETE",
    },
    Grant {
        table: "poll_followers",
        responder: "INSERT, UPDATE",
    },
    Grant {
        table: "journal_people",
        responder: "",
    },
    Grant {
        table: "timeline_rewrites",
        responder: "",
    },
    Grant {
        table: "_sqlx_migrations",
        responder: "",
    },
];

/// The sequences responders draw ids from.
const SEQUENCES: &[&str] = &["timeline_id_seq", "incidents_id_seq", "problems_id_seq"];

/// The tables whose rows carry an author, and when the database stamps it.
const STAMPED: &[(&str, &str)] = &[
    ("timeline", "INSERT"),
    ("outbox", "INSERT"),
    ("drafts", "INSERT OR UPDATE"),
    ("checklist_steps", "INSERT OR UPDATE"),
    ("ticket_links", "INSERT"),
    ("problems", "INSERT"),
];

/// The functions the tables' triggers run.
const FUNCTIONS: &[&str] = &[
    "onduty_announce()",
    "onduty_log_rewrite()",
    "onduty_stamp_author()",
];

/// Creates the three roles when missing, and lets them use the schema. Needs a user who may
/// create roles (a superuser, or CREATEROLE) and who owns the schema.
fn roles_sql() -> Vec<String> {
    let mut sql = Vec::new();
    for role in [OWNER, RESPONDER, VIEWER] {
        sql.push(format!(
            "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') \
             THEN CREATE ROLE {role} NOLOGIN; END IF; END $$"
        ));
    }
    sql.push(format!("GRANT USAGE, CREATE ON SCHEMA public TO {OWNER}"));
    sql.push(format!(
        "GRANT USAGE ON SCHEMA public TO {RESPONDER}, {VIEWER}"
    ));
    sql
}

/// The stamping function: a responder's row carries its session's user and the name the
/// journal maps it to, whatever the client wrote; the owner's rows (an import, a copy, its
/// maintenance) are kept as written. A change seen at a source keeps the source as its
/// author (it says what the back end did, not who typed it); its user is stamped still.
fn stamp_function() -> String {
    format!(
        "CREATE OR REPLACE FUNCTION onduty_stamp_author() RETURNS trigger AS $$ \
         BEGIN \
           IF pg_has_role(session_user, '{OWNER}', 'MEMBER') THEN RETURN NEW; END IF; \
           NEW.db_user := session_user; \
           IF TG_TABLE_NAME = 'timeline' THEN \
             IF NEW.kind = 'observed' THEN RETURN NEW; END IF; \
           END IF; \
           NEW.author := COALESCE( \
             (SELECT name FROM journal_people WHERE db_user = session_user), session_user); \
           RETURN NEW; \
         END; $$ LANGUAGE plpgsql SET search_path = public"
    )
}

/// Gives the tables and functions to the owner role (run by their present owner or a
/// superuser).
fn ownership_sql() -> Vec<String> {
    let mut sql = vec![stamp_function()];
    for grant in GRANTS {
        sql.push(format!("ALTER TABLE {} OWNER TO {OWNER}", grant.table));
    }
    for function in FUNCTIONS {
        sql.push(format!("ALTER FUNCTION {function} OWNER TO {OWNER}"));
    }
    sql
}

/// The grants, row security and stamping triggers: run by setup, and again by the owner
/// after each migration (a new table gets its grants). Each statement is idempotent.
pub fn grants_sql() -> Vec<String> {
    let mut sql = vec![stamp_function()];
    for grant in GRANTS {
        let table = grant.table;
        sql.push(format!(
            "REVOKE ALL ON {table} FROM PUBLIC, {RESPONDER}, {VIEWER}"
        ));
        sql.push(format!("GRANT SELECT ON {table} TO {RESPONDER}, {VIEWER}"));
        if !grant.responder.is_empty() {
            sql.push(format!(
                "GRANT {} ON {table} TO {RESPONDER}",
                grant.responder
            ));
        }
    }
    for sequence in SEQUENCES {
        sql.push(format!(
            "GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {RESPONDER}"
        ));
    }
    for (table, on) in STAMPED {
        sql.push(format!(
            "DROP TRIGGER IF EXISTS {table}_stamp_author ON {table}"
        ));
        sql.push(format!(
            "CREATE TRIGGER {table}_stamp_author BEFORE {on} ON {table} \
             FOR EACH ROW EXECUTE FUNCTION onduty_stamp_author()"
        ));
    }
    // Anyone reads the outbox and appends to it; only an item's own user moves it along
    // (sends it, settles it): an action goes out with its author's credentials only.
    sql.push("ALTER TABLE outbox ENABLE ROW LEVEL SECURITY".into());
    for (name, rule) in [
        ("onduty_read", "FOR SELECT USING (true)"),
        ("onduty_append", "FOR INSERT WITH CHECK (true)"),
        ("onduty_own", "FOR UPDATE USING (db_user = session_user)"),
    ] {
        sql.push(format!("DROP POLICY IF EXISTS {name} ON outbox"));
        sql.push(format!("CREATE POLICY {name} ON outbox {rule}"));
    }
    // A draft is its author's alone, to read as to write.
    sql.push("ALTER TABLE drafts ENABLE ROW LEVEL SECURITY".into());
    sql.push("DROP POLICY IF EXISTS onduty_own ON drafts".into());
    sql.push(
        "CREATE POLICY onduty_own ON drafts USING (db_user = session_user) \
         WITH CHECK (db_user = session_user)"
            .into(),
    );
    sql
}

/// Everything `onduty journal setup --roles` runs, in order (after the migrations).
pub fn setup_sql() -> Vec<String> {
    let mut sql = roles_sql();
    sql.extend(ownership_sql());
    sql.extend(grants_sql());
    sql
}

/// Whether setup ran on this database: its tables are the owner role's. (The roles belong
/// to the cluster; another database on it may hold a journal without them.)
pub async fn are_set_up(conn: &mut sqlx::AnyConnection) -> Result<bool, JournalError> {
    let row = sqlx::query(&format!(
        "SELECT EXISTS (SELECT 1 FROM pg_tables WHERE schemaname = 'public' \
         AND tablename = '_sqlx_migrations' AND tableowner = '{OWNER}') AS set_up"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("set_up")?)
}

/// Whether this session may act as the owner role (asked once `are_set_up`: the role
/// exists then).
pub async fn is_owner(conn: &mut sqlx::AnyConnection) -> Result<bool, JournalError> {
    let row = sqlx::query(&format!(
        "SELECT pg_has_role(session_user, '{OWNER}', 'MEMBER') AS owner"
    ))
    .fetch_one(&mut *conn)
    .await?;
    Ok(row.try_get("owner")?)
}

impl super::Journal {
    /// Creates the roles and grants (`onduty journal setup --roles`), in one transaction:
    /// a failure changes nothing. Returns the statements run.
    pub async fn set_up_roles(&self) -> Result<Vec<String>, JournalError> {
        self.shared_only()?;
        let statements = setup_sql();
        let mut tx = self.pool.begin().await?;
        for statement in &statements {
            sqlx::query(statement).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(statements)
    }

    /// Shows `db_user`'s rows as written by `name` (the owner's to keep).
    pub async fn set_person(&self, db_user: &str, name: &str) -> Result<(), JournalError> {
        self.shared_only()?;
        let name = crate::model::sanitize::line(name, 64);
        if db_user.trim().is_empty() || name.trim().is_empty() {
            return Err(JournalError::Io(
                "a person needs a database user and a name".into(),
            ));
        }
        sqlx::query(
            "INSERT INTO journal_people (db_user, name) VALUES ($1, $2) \
             ON CONFLICT (db_user) DO UPDATE SET name = excluded.name",
        )
        .bind(db_user.trim())
        .bind(name.trim())
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every mapped database user and the name shown for it.
    pub async fn people(&self) -> Result<Vec<(String, String)>, JournalError> {
        self.shared_only()?;
        let rows = sqlx::query("SELECT db_user, name FROM journal_people ORDER BY db_user")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("db_user")?, r.try_get("name")?)))
            .collect()
    }

    fn shared_only(&self) -> Result<(), JournalError> {
        match self.location {
            super::Location::Postgres(_) => Ok(()),
            super::Location::Sqlite(_) => Err(JournalError::Io(
                "an SQLite journal is its user's own file: roles and people are for a shared \
                 PostgreSQL journal"
                    .into(),
            )),
        }
    }
}
