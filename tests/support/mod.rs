//! Test servers: a real Alertmanager started on a free 127.0.0.1 port in a temp dir and
//! stopped on drop, and a fault-injecting HTTP server for what a real one will not do.
//! A missing server binary fails the test loudly; nothing is skipped.

#![allow(dead_code, reason = "each test file uses part of the harness")]

pub mod faults;
pub mod journal_task;
pub mod opsgenie;
pub mod postgres;
pub mod prism;
pub mod prometheus;
pub mod pty;

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// A running Alertmanager.
pub struct Alertmanager {
    /// Its base URL.
    pub url: String,
    child: Child,
    dir: tempfile::TempDir,
}

fn alertmanager_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ONDUTY_ALERTMANAGER_BIN") {
        return PathBuf::from(p);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = PathBuf::from(dir).join("prometheus-alertmanager");
        if p.exists() {
            return p;
        }
    }
    panic!(
        "prometheus-alertmanager is not installed: run scripts/test.sh (it installs it), \
         or `apt-get install prometheus-alertmanager`, or set ONDUTY_ALERTMANAGER_BIN"
    );
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `bin` with the arguments `args` gives for a fresh temp dir and a free port (it
/// may write config files there), its stderr in `DIR/server.log`, until `PATH/-/ready`
/// answers 200: the child, its dir and its base URL (with `path`). Tried three times (a port can be taken between
/// being picked and bound); then the test fails with the server's log.
pub async fn spawn_ready(
    name: &str,
    bin: &std::path::Path,
    scheme: &str,
    args: impl Fn(&std::path::Path, u16) -> Vec<String>,
    path: &str,
) -> (Child, tempfile::TempDir, String) {
    let mut last_log = String::new();
    for _attempt in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let port = free_port();
        let log = std::fs::File::create(dir.path().join("server.log")).unwrap();
        let mut child = Command::new(bin)
            .args(args(dir.path(), port))
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let url = format!("{scheme}://127.0.0.1:{port}{path}");
        if wait_ready(&mut child, &url).await {
            return (child, dir, url);
        }
        let _ = child.kill();
        let _ = child.wait();
        last_log = std::fs::read_to_string(dir.path().join("server.log")).unwrap_or_default();
    }
    panic!("{name} did not become ready; its log:\n{last_log}");
}

/// Whether the server at `url` answers `/-/ready` within 30 s (false once it exits).
async fn wait_ready(child: &mut Child, url: &str) -> bool {
    let deadline = Instant::now() + Duration::from_secs(30);
    // Readiness only: a test's own certificate is not what is checked here.
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    while Instant::now() < deadline {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        let ready = http.get(format!("{url}/-/ready")).send().await;
        if ready.is_ok_and(|r| r.status().is_success()) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    false
}

impl Alertmanager {
    /// Starts one and waits until it answers `/-/ready`.
    pub async fn start() -> Alertmanager {
        Self::start_with(None, "").await
    }

    /// Starts one served under a path (`--web.route-prefix`), as Grafana serves its
    /// Alertmanager-compatible API (`/api/alertmanager/grafana`); `url` includes the path.
    pub async fn start_behind(prefix: &'static str) -> Alertmanager {
        Self::start_with(None, prefix).await
    }

    /// Starts one serving HTTPS with this certificate and key (PEM files).
    pub async fn start_tls(cert: &std::path::Path, key: &std::path::Path) -> Alertmanager {
        Self::start_with(Some((cert, key)), "").await
    }

    async fn start_with(
        tls: Option<(&std::path::Path, &std::path::Path)>,
        prefix: &'static str,
    ) -> Alertmanager {
        let scheme = if tls.is_some() { "https" } else { "http" };
        let (child, dir, url) = spawn_ready(
            "Alertmanager",
            &alertmanager_binary(),
            scheme,
            |dir, port| {
                std::fs::write(
                    dir.join("am.yml"),
                    "route:\n  receiver: default\nreceivers:\n  - name: default\n",
                )
                .unwrap();
                let web_arg = match tls {
                    Some((cert, key)) => {
                        let web = dir.join("web.yml");
                        std::fs::write(
                            &web,
                            format!(
                                "tls_server_config:\n  cert_file: {}\n  key_file: {}\n",
                                cert.display(),
                                key.display()
                            ),
                        )
                        .unwrap();
                        format!("--web.config.file={}", web.display())
                    }
                    None => "--log.level=info".to_string(),
                };
                vec![
                    web_arg,
                    format!("--config.file={}", dir.join("am.yml").display()),
                    format!("--storage.path={}", dir.join("data").display()),
                    format!("--web.listen-address=127.0.0.1:{port}"),
                    "--cluster.listen-address=".into(),
                    format!(
                        "--web.route-prefix={}",
                        if prefix.is_empty() { "/" } else { prefix }
                    ),
                ]
            },
            prefix,
        )
        .await;
        Alertmanager { url, child, dir }
    }

    /// Posts alerts (a JSON array) to it.
    pub async fn post_alerts(&self, alerts: Value) {
        let r = reqwest::Client::new()
            .post(format!("{}/api/v2/alerts", self.url))
            .json(&alerts)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "posting alerts: {}", r.status());
    }

    /// Its silences, straight from the API (not through onduty).
    pub async fn silences(&self) -> Vec<Value> {
        let r = reqwest::Client::new()
            .get(format!("{}/api/v2/silences", self.url))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// Its alerts, straight from the API.
    pub async fn alerts(&self) -> Vec<Value> {
        let r = reqwest::Client::new()
            .get(format!("{}/api/v2/alerts", self.url))
            .send()
            .await
            .unwrap();
        r.json().await.unwrap()
    }

    /// A config `[[source]]` for it.
    pub fn source_toml(&self, name: &str) -> String {
        format!(
            "[[source]]\nname = \"{name}\"\nkind = \"alertmanager\"\nurl = \"{}\"\n",
            self.url
        )
    }
}

impl Drop for Alertmanager {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The onduty binary with these arguments and config, its config and data in `dir`.
pub fn onduty_command(
    dir: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
) -> tokio::process::Command {
    let mut cmd = tokio::process::Command::new(env!("CARGO_BIN_EXE_onduty"));
    cmd.args(args)
        .arg("--config")
        .arg(config)
        .env("ONDUTY_CONFIG_DIR", dir)
        .env("ONDUTY_DATA_DIR", dir);
    cmd
}

/// Runs the real binary with `--config config`, its config and data dirs in `dir`: the exit
/// code (-1 for a signal) and stdout followed by stderr.
pub async fn run_onduty(
    dir: &std::path::Path,
    config: &std::path::Path,
    args: &[&str],
) -> (i32, String) {
    let out = onduty_command(dir, config, args).output().await.unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

/// A SQLite journal in `dir`, opened (and migrated) as the dashboard opens it.
pub async fn sqlite_journal(dir: &std::path::Path) -> onduty::journal::Journal {
    onduty::journal::Journal::open(&onduty::journal::Location::Sqlite(
        dir.join("journal.sqlite3"),
    ))
    .await
    .unwrap()
}

/// Appends a timeline entry to `journal` as written at `at`; returns its id.
pub async fn append_entry(
    journal: &onduty::journal::Journal,
    subject: &str,
    at: chrono::DateTime<chrono::Utc>,
    author: &str,
    kind: onduty::journal::EntryKind,
    body: &str,
) -> i64 {
    journal
        .append(onduty::journal::timeline::NewEntry {
            subject,
            at,
            author,
            kind,
            body,
            corrects: None,
        })
        .await
        .unwrap()
        .id
}

/// Runs the real binary with `args` in empty config and data dirs, expecting it to refuse:
/// its stderr.
pub fn onduty_refuses(args: &[&str]) -> String {
    let dir = tempfile::tempdir().unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_onduty"))
        .args(args)
        .env("ONDUTY_CONFIG_DIR", dir.path())
        .env("ONDUTY_DATA_DIR", dir.path())
        .output()
        .unwrap();
    assert!(!out.status.success(), "{args:?} was accepted");
    String::from_utf8_lossy(&out.stderr).to_string()
}
