//! A real PostgreSQL (Debian's package) for the journal tests: a fresh cluster in a temp dir
//! on a free 127.0.0.1 port, stopped on drop. As root the server tools run as the
//! `postgres` user (initdb refuses root). A missing PostgreSQL fails the test loudly.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A running PostgreSQL cluster.
pub struct Postgres {
    /// `postgres://onduty@127.0.0.1:PORT/postgres` (trust auth: no password).
    pub url: String,
    bin: PathBuf,
    dir: tempfile::TempDir,
    /// The server options (port, socket dir), to start it again after `stop`.
    opts: String,
}

fn server_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("ONDUTY_PG_BIN") {
        return PathBuf::from(p);
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| p.join("initdb").exists())
        .collect();
    versions.sort();
    versions.pop().unwrap_or_else(|| {
        panic!(
            "PostgreSQL server binaries not found under /usr/lib/postgresql: run \
             scripts/test.sh (it installs them), or `apt-get install postgresql`, or set \
             ONDUTY_PG_BIN to the directory holding initdb and pg_ctl"
        )
    })
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

/// Runs a server tool, as `postgres` when we are root.
fn tool(bin: &Path, name: &str, args: &[&str]) -> std::process::Output {
    let exe = bin.join(name);
    let mut cmd = if is_root() {
        let mut c = Command::new("runuser");
        c.args(["-u", "postgres", "--"]).arg(&exe);
        c
    } else {
        Command::new(&exe)
    };
    let out = cmd
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    assert!(
        out.status.success(),
        "{name} {args:?} failed: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Postgres {
    /// Creates a cluster and starts it; returns once it accepts connections.
    pub fn start() -> Postgres {
        let bin = server_bin();
        let dir = tempfile::tempdir().unwrap();
        if is_root() {
            let owned = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(owned.success(), "chown postgres failed");
        }
        let data = dir.path().join("data");
        let data = data.to_str().unwrap();
        tool(
            &bin,
            "initdb",
            &["-D", data, "-A", "trust", "-U", "onduty", "--no-sync"],
        );
        let port = super::free_port();
        let opts = format!(
            "-p {port} -k {} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300",
            dir.path().display()
        );
        let pg = Postgres {
            url: format!("postgres://onduty@127.0.0.1:{port}/postgres"),
            bin,
            dir,
            opts,
        };
        pg.start_again();
        pg
    }

    /// The cluster's URL for the login `user` (trust auth: each login is who it says, as
    /// with certificates or peer auth on a socket).
    pub fn url_as(&self, user: &str) -> String {
        self.url.replace("onduty@", &format!("{user}@"))
    }

    /// A new database `database` on this cluster holding the journal with its roles set up
    /// (what `onduty journal setup --roles` runs), each of `people` a login of
    /// `onduty_responder` shown as itself. Returns its URL (as the superuser).
    pub async fn with_responders(&self, database: &str, people: &[&str]) -> String {
        use onduty::journal::{Journal, Location};
        use sqlx::Connection;
        let mut admin = sqlx::PgConnection::connect(&self.url).await.unwrap();
        sqlx::query(&format!("CREATE DATABASE {database}"))
            .execute(&mut admin)
            .await
            .unwrap();
        let url = self.url.replace("/postgres", &format!("/{database}"));
        let journal = Journal::open(&Location::Postgres(url.clone()))
            .await
            .unwrap();
        journal.set_up_roles().await.unwrap();
        journal.close().await;
        for who in people {
            sqlx::query(&format!(
                "DO $$ BEGIN IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{who}') \
                 THEN CREATE ROLE {who} LOGIN IN ROLE onduty_responder; END IF; END $$"
            ))
            .execute(&mut admin)
            .await
            .unwrap();
        }
        admin.close().await.unwrap();
        url
    }

    /// Stops the server (fast shutdown: sessions are cut, as in an outage).
    pub fn stop(&self) {
        let data = self.dir.path().join("data");
        tool(
            &self.bin,
            "pg_ctl",
            &["-D", data.to_str().unwrap(), "-m", "fast", "-w", "stop"],
        );
    }

    /// Starts the stopped server again, on the same port and data; returns once it accepts
    /// connections.
    pub fn start_again(&self) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("log");
        tool(
            &self.bin,
            "pg_ctl",
            &[
                "-D",
                data.to_str().unwrap(),
                "-o",
                &self.opts,
                "-l",
                log.to_str().unwrap(),
                "-w",
                "start",
            ],
        );
    }
}

impl Drop for Postgres {
    fn drop(&mut self) {
        let data = self.dir.path().join("data");
        let _ = std::panic::catch_unwind(|| {
            tool(
                &self.bin,
                "pg_ctl",
                &["-D", data.to_str().unwrap(), "-m", "immediate", "stop"],
            );
        });
    }
}
