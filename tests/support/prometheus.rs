//! A real Prometheus (Debian's `prometheus` package) started on a free 127.0.0.1 port in a
//! temp dir with a rules file and, optionally, an Alertmanager to send to; stopped on drop.

use std::path::PathBuf;
use std::process::Child;

/// A running Prometheus.
pub struct Prometheus {
    /// Its base URL.
    pub url: String,
    child: Child,
    /// Its config, rules and data (removed on drop).
    _dir: tempfile::TempDir,
}

fn binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ONDUTY_PROMETHEUS_BIN") {
        return PathBuf::from(p);
    }
    for dir in std::env::var("PATH").unwrap_or_default().split(':') {
        let p = PathBuf::from(dir).join("prometheus");
        if p.exists() {
            return p;
        }
    }
    panic!(
        "prometheus is not installed: run scripts/test.sh (it installs it), or \
         `apt-get install prometheus`, or set ONDUTY_PROMETHEUS_BIN"
    );
}

impl Prometheus {
    /// Starts one evaluating `rules` (a rules file's YAML) every second, sending to the
    /// Alertmanager at `alertmanager` (`http://127.0.0.1:PORT`) when given; waits until it
    /// answers `/-/ready`.
    pub async fn start(rules: &str, alertmanager: Option<&str>) -> Prometheus {
        let (child, dir, url) = super::spawn_ready("Prometheus", &binary(), "http", |dir, port| {
            let rules_file = dir.join("rules.yml");
            std::fs::write(&rules_file, rules).unwrap();
            let alerting = alertmanager
                .map(|url| {
                    let host = url.trim_start_matches("http://");
                    format!(
                        "alerting:\n  alertmanagers:\n    - static_configs:\n        - targets: ['{host}']\n"
                    )
                })
                .unwrap_or_default();
            let config = dir.join("prometheus.yml");
            std::fs::write(
                &config,
                format!(
                    "global:\n  evaluation_interval: 1s\nrule_files: ['{}']\n{alerting}",
                    rules_file.display()
                ),
            )
            .unwrap();
            vec![
                format!("--config.file={}", config.display()),
                format!("--storage.tsdb.path={}", dir.join("data").display()),
                format!("--web.listen-address=127.0.0.1:{port}"),
                // Alerts are sent again every second, not every minute: the first send
                // can come before the Alertmanager is discovered, and is dropped.
                "--rules.alert.resend-delay=1s".into(),
            ]
        }, "")
        .await;
        Prometheus {
            url,
            child,
            _dir: dir,
        }
    }

    /// A config `[[source]]` for it, with `extra` keys (`firing = true`).
    pub fn source_toml(&self, name: &str, extra: &str) -> String {
        format!(
            "[[source]]\nname = \"{name}\"\nkind = \"prometheus\"\nurl = \"{}\"\n{extra}",
            self.url
        )
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
