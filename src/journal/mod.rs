//! The journal: the record of what responders do and write. Actions wait in its outbox
//! (written before they are sent), notes and everything done or seen land in the timeline.
//! Embedded SQLite under the data directory by default; a shared PostgreSQL journal when
//! `journal = "postgres://…"`, through one data layer (sqlx's `Any` driver, with
//! migrations per backend).

pub mod checklists;
pub mod drafts;
pub mod export;
pub mod incidents;
pub mod news;
pub mod outbox;
pub mod polls;
pub mod problems;
pub mod protocol;
pub mod roles;
pub mod settle;
pub mod snapshots;
pub mod task;
pub mod ticket_links;
pub mod timeline;

use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyConnection, AnyPool, Connection, Executor, Row};

pub use outbox::{OutboxItem, OutboxState};
pub use timeline::{Entry, EntryKind};

/// What went wrong with the journal, in words fit for the screen (never a password).
#[derive(Debug, thiserror::Error)]
pub enum JournalError {
    /// It could not be opened or migrated.
    #[error("journal {place}: {message}")]
    Open {
        /// Where it is ("sqlite /path", "postgres db.example/onduty").
        place: String,
        /// Why.
        message: String,
    },
    /// A read or write failed.
    #[error("journal: {0}")]
    Io(String),
}

impl From<sqlx::Error> for JournalError {
    fn from(e: sqlx::Error) -> JournalError {
        JournalError::Io(explain(&e))
    }
}

/// The error in words fit for the screen, saying so when the cause is a full disk (SQLite
/// reports a write it cannot make as an I/O error, PostgreSQL as SQLSTATE 53100).
fn explain(e: &sqlx::Error) -> String {
    let text = crate::model::sanitize::line(&e.to_string(), 300);
    let sqlx::Error::Database(db) = e else {
        return text;
    };
    let hint = if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
        let primary = db
            .code()
            .and_then(|c| c.parse::<i64>().ok())
            .map(|c| c & 0xff);
        match primary {
            Some(13) => "disk full",
            Some(10) => "disk full or failing?",
            _ => return text,
        }
    } else if db.code().as_deref() == Some("53100") {
        "disk full"
    } else {
        return text;
    };
    // The hint first: on a status line the end of a long message is cut.
    let text = text.trim_start_matches("error returned from database: ");
    format!("{hint} {text}")
}

/// Which database holds the journal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Location {
    /// An SQLite file.
    Sqlite(PathBuf),
    /// A PostgreSQL URL (without a password: that comes from PGPASSWORD or ~/.pgpass).
    Postgres(String),
}

impl Location {
    /// Reads the `journal` config value: absent or empty means `default_file` (SQLite).
    pub fn parse(value: Option<&str>, default_file: &Path) -> Result<Location, String> {
        let Some(value) = value.map(str::trim).filter(|v| !v.is_empty()) else {
            return Ok(Location::Sqlite(default_file.to_path_buf()));
        };
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            let authority = value.split_once("://").map_or("", |(_, rest)| rest);
            let authority = authority.split(['/', '?']).next().unwrap_or("");
            if authority
                .rsplit_once('@')
                .is_some_and(|(userinfo, _)| userinfo.contains(':'))
            {
                return Err("holds a password: set PGPASSWORD or use ~/.pgpass instead".into());
            }
            return Ok(Location::Postgres(value.to_string()));
        }
        if let Some(path) = value.strip_prefix("sqlite:") {
            let path = path.trim_start_matches("//");
            return Ok(Location::Sqlite(expand_home(path)));
        }
        Err("expected \"postgres://USER@HOST/DB\" or \"sqlite:PATH\"".into())
    }

    /// Where it is, for messages: never a password, never a query string.
    pub fn describe(&self) -> String {
        match self {
            Location::Sqlite(p) => format!("sqlite {}", p.display()),
            Location::Postgres(url) => {
                let rest = url.split_once("://").map_or(url.as_str(), |(_, r)| r);
                let rest = rest.split('?').next().unwrap_or(rest);
                let host_db = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
                format!("postgres {host_db}")
            }
        }
    }
}

/// `path` with a leading `~/` made the home directory.
pub fn expand_home(path: &str) -> PathBuf {
    match (path.strip_prefix("~/"), directories::BaseDirs::new()) {
        (Some(rest), Some(dirs)) => dirs.home_dir().join(rest),
        _ => PathBuf::from(path),
    }
}

/// An open journal. Cheap to clone (a connection pool).
#[derive(Clone, Debug)]
pub struct Journal {
    pool: AnyPool,
    location: Location,
    /// What the database lets this connection do (read at open).
    access: roles::Access,
}

/// An exclusive lock on `<journal>.lock` while a SQLite journal is migrated, released on drop
/// (and by the kernel when the process dies).
struct MigrationLock {
    _held: std::fs::File,
}

impl MigrationLock {
    async fn take(journal: &Path) -> Result<MigrationLock, String> {
        let mut name = journal.as_os_str().to_owned();
        name.push(".lock");
        let path = std::path::PathBuf::from(name);
        let taken = tokio::task::spawn_blocking(move || {
            let file = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path)
                .map_err(|e| format!("'{}': {e}", path.display()))?;
            rustix::fs::flock(&file, rustix::fs::FlockOperation::LockExclusive)
                .map_err(|e| format!("locking '{}': {e}", path.display()))?;
            Ok(MigrationLock { _held: file })
        });
        taken.await.map_err(|e| e.to_string())?
    }
}

static SQLITE_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: sqlx::migrate::Migrator = sqlx::migrate!("./migrations/postgres");

impl Journal {
    /// Opens (creating when needed) and migrates the journal at `location`.
    pub async fn open(location: &Location) -> Result<Journal, JournalError> {
        let fail = |message: String| JournalError::Open {
            place: location.describe(),
            message: crate::model::sanitize::line(&message, 300),
        };
        let failed = |e: sqlx::Error| JournalError::Open {
            place: location.describe(),
            message: explain(&e),
        };
        sqlx::any::install_default_drivers();
        let url = match location {
            Location::Sqlite(path) => {
                if let Some(dir) = path.parent() {
                    crate::config::paths::ensure_private_dir(dir)
                        .map_err(|e| fail(e.to_string()))?;
                }
                format!("sqlite://{}?mode=rwc", path.display())
            }
            Location::Postgres(url) => url.clone(),
        };
        let options = AnyConnectOptions::from_str(&url).map_err(|e| fail(e.to_string()))?;
        let migrating_options = options.clone();
        let is_sqlite = matches!(location, Location::Sqlite(_));
        // One plain connection first: a pool retries until its timeout and then says only
        // that it timed out; this says why (not a database, refused, unknown host).
        let mut probe = AnyConnection::connect_with(&options)
            .await
            .map_err(failed)?;
        let check = if is_sqlite {
            "PRAGMA schema_version"
        } else {
            "SELECT 1"
        };
        probe.execute(check).await.map_err(failed)?;
        let _ = probe.close().await;
        // Three on PostgreSQL: with the one listening, four a dashboard — twenty dashboards
        // (shared polls included) stay under the server's default of 100 connections.
        let pool = AnyPoolOptions::new()
            .max_connections(if is_sqlite { 1 } else { 3 })
            .acquire_timeout(if is_sqlite {
                // A locked file is waited for (busy_timeout does the waiting).
                Duration::from_secs(10)
            } else {
                // A server that is down refuses at once, but the pool retries until this
                // runs out: a note or an action waits this long before it is told.
                Duration::from_secs(4)
            })
            .after_connect(move |conn, _| {
                Box::pin(async move {
                    if is_sqlite {
                        // WAL: readers never wait for the writer; FULL: a written action
                        // survives a power cut, not only a crash; a locked file is waited
                        // for, then reported.
                        conn.execute("PRAGMA journal_mode = WAL").await?;
                        conn.execute("PRAGMA synchronous = FULL").await?;
                        conn.execute("PRAGMA busy_timeout = 5000").await?;
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(failed)?;
        let migrator = if is_sqlite {
            &SQLITE_MIGRATIONS
        } else {
            &POSTGRES_MIGRATIONS
        };
        // Two processes opening a new SQLite journal at once would both create its tables
        // (SQLite has no lock of sqlx's migrator; PostgreSQL's advisory lock serializes it).
        let _migrating = match location {
            Location::Sqlite(path) => Some(MigrationLock::take(path).await.map_err(fail)?),
            Location::Postgres(_) => None,
        };
        // A shared journal already at this version is not migrated again: a team member's
        // role may read and append without the right to create anything (issue 32).
        let is_current = !is_sqlite && is_migrated(&pool, migrator).await;
        if is_sqlite {
            migrator.run(&pool).await.map_err(|e| fail(e.to_string()))?;
        } else if !is_current {
            let mut conn = AnyConnection::connect_with(&migrating_options)
                .await
                .map_err(failed)?;
            let migrated = migrate_shared(&mut conn, migrator).await;
            let _ = conn.close().await;
            migrated.map_err(fail)?;
        }
        if let Location::Sqlite(path) = location {
            restrict(path);
        }
        let access = if is_sqlite {
            roles::Access::own_file()
        } else {
            roles::Access::of(&pool)
                .await
                .map_err(|e| fail(e.to_string()))?
        };
        Ok(Journal {
            pool,
            location: location.clone(),
            access,
        })
    }

    /// What the database lets this connection do: read, append, rewrite; the author it
    /// stamps on this connection's rows.
    pub fn access(&self) -> &roles::Access {
        &self.access
    }

    /// Where it is.
    pub fn location(&self) -> &Location {
        &self.location
    }

    /// Closes the pool, waiting for writes in progress.
    pub async fn close(&self) {
        // An SQLite journal leaves no write-ahead log behind: the next process starts with
        // none, so whatever it writes takes new space (on a full disk, a clear refusal
        // rather than a write into the old log's slack one time in ten).
        if matches!(self.location, Location::Sqlite(_)) {
            let _ = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                .execute(&self.pool)
                .await;
        }
        self.pool.close().await;
    }
}

/// Migrates a shared journal on `conn`. Once `setup --roles` has made the roles, only the
/// owner role may: it migrates as that role (what it creates is the role's, not the login's)
/// and grants the new tables at once; anyone else is told to ask the owner.
async fn migrate_shared(
    conn: &mut AnyConnection,
    migrator: &sqlx::migrate::Migrator,
) -> Result<(), String> {
    let set_up = roles::are_set_up(conn).await.map_err(|e| e.to_string())?;
    let as_owner = set_up && roles::is_owner(conn).await.map_err(|e| e.to_string())?;
    if set_up && !as_owner {
        return Err(format!(
            "it needs migrating to this onduty's version ({}), which only a member of {} \
             may do: ask the journal's owner to run `onduty journal setup --roles` (or to \
             open it once)",
            migrator.iter().map(|m| m.version).max().unwrap_or(0),
            roles::OWNER
        ));
    }
    if as_owner {
        conn.execute(format!("SET ROLE {}", roles::OWNER).as_str())
            .await
            .map_err(|e| explain(&e))?;
    }
    let migrated = migrator.run(&mut *conn).await.map_err(|e| e.to_string());
    if migrated.is_ok() && as_owner {
        for statement in roles::grants_sql() {
            conn.execute(statement.as_str())
                .await
                .map_err(|e| explain(&e))?;
        }
    }
    migrated
}

/// Whether every migration of `migrator` was applied to the database behind `pool`.
async fn is_migrated(pool: &AnyPool, migrator: &sqlx::migrate::Migrator) -> bool {
    let applied: Vec<i64> = match sqlx::query("SELECT version FROM _sqlx_migrations WHERE success")
        .fetch_all(pool)
        .await
    {
        Ok(rows) => rows
            .iter()
            .filter_map(|r| r.try_get("version").ok())
            .collect(),
        Err(_) => return false,
    };
    migrator.iter().all(|m| applied.contains(&m.version))
}

/// The journal holds notes that may be sensitive: only its owner reads the file.
fn restrict(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600));
    }
}

/// Milliseconds since the epoch, the journal's one time type.
pub(crate) fn to_millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The time of a stored millisecond count (the epoch if it is out of range).
pub(crate) fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_are_read_and_described_without_secrets() {
        let data = Path::new("/data/journal.sqlite3");
        assert_eq!(
            Location::parse(None, data),
            Ok(Location::Sqlite(PathBuf::from("/data/journal.sqlite3")))
        );
        let pg = Location::parse(
            Some("postgres://ana@db.example:5432/onduty?sslmode=require"),
            data,
        )
        .unwrap();
        assert_eq!(pg.describe(), "postgres db.example:5432/onduty");
        let e = Location::parse(Some("postgres://ana:hunter2@db/onduty"), data).unwrap_err();
        assert!(e.contains("PGPASSWORD") && !e.contains("hunter2"), "{e}");
        assert!(Location::parse(Some("mysql://x"), data).is_err());
        assert_eq!(
            Location::parse(Some("sqlite:/tmp/j.db"), data),
            Ok(Location::Sqlite(PathBuf::from("/tmp/j.db")))
        );
    }
}
