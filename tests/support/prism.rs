//! Prism (npm `@stoplight/prism-cli`) serving an official OpenAPI spec from ../shared/specs
//! on a free 127.0.0.1 port, stopped on drop. Its log says, for every request, whether it
//! passed the spec's validation: `requests()` reads that. A missing Prism or spec fails the
//! test loudly; nothing is skipped.

use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A running Prism mock server.
pub struct Prism {
    /// Its base URL.
    pub url: String,
    child: Child,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// One request as Prism logged it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Logged {
    /// `get /incidents`.
    pub request: String,
    /// Whether it passed the spec's validation.
    pub is_valid: bool,
    /// The violations Prism named.
    pub violations: Vec<String>,
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// GitHub's official REST description (npm `@octokit/openapi`, installed by scripts/test.sh
/// beside Prism), or the file in `ONDUTY_GITHUB_SPEC`.
pub fn github_spec() -> PathBuf {
    let path = std::env::var_os("ONDUTY_GITHUB_SPEC")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            manifest_dir()
                .join("target/test-tools/prism/node_modules/@octokit/openapi/generated/api.github.com.json")
        });
    assert!(
        path.exists(),
        "GitHub's OpenAPI description {} is missing: run scripts/test.sh (it installs \
         @octokit/openapi into target/test-tools/prism), or set ONDUTY_GITHUB_SPEC",
        path.display()
    );
    path
}

/// The spec `name` from `ONDUTY_SPECS_DIR`, else ../shared/specs beside the checkout.
pub fn spec(name: &str) -> PathBuf {
    let dir = std::env::var_os("ONDUTY_SPECS_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| manifest_dir().join("../shared/specs"));
    let path = dir.join(name);
    assert!(
        path.exists(),
        "the official spec {} is missing: these tests read it from ../shared/specs beside the \
         checkout, or from the directory in ONDUTY_SPECS_DIR",
        path.display()
    );
    path
}

fn prism_binary() -> PathBuf {
    if let Some(p) = std::env::var_os("ONDUTY_PRISM_BIN") {
        return PathBuf::from(p);
    }
    let p = manifest_dir().join("target/test-tools/prism/node_modules/.bin/prism");
    assert!(
        p.exists(),
        "Prism is not installed: run scripts/test.sh (it installs @stoplight/prism-cli into \
         target/test-tools/prism), or set ONDUTY_PRISM_BIN"
    );
    p
}

impl Prism {
    /// Starts Prism on the spec file `spec_name` and waits until it listens.
    pub async fn start(spec_name: &str) -> Prism {
        Prism::start_with(spec_name, &[]).await
    }

    /// Starts Prism in dynamic mode (`-d`): answers generated from the spec's schemas, for
    /// specs whose examples are not usable answers (Jira's are JSON held in strings).
    pub async fn start_dynamic(spec_name: &str) -> Prism {
        Prism::start_with(spec_name, &["-d"]).await
    }

    async fn start_with(spec_name: &str, extra: &[&str]) -> Prism {
        Prism::start_file(&spec(spec_name), extra).await
    }

    /// Starts Prism on the spec file at `spec` with `extra` options.
    pub async fn start_file(spec: &std::path::Path, extra: &[&str]) -> Prism {
        let bin = prism_binary();
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("prism.log");
        let port = super::free_port();
        let out = std::fs::File::create(&log).unwrap();
        let child = Command::new(&bin)
            .args(["mock", "-h", "127.0.0.1", "-p", &port.to_string()])
            .args(extra)
            .arg(spec)
            .stdout(out.try_clone().unwrap())
            .stderr(out)
            .stdin(Stdio::null())
            .process_group(0)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {}: {e}", bin.display()));
        let mut prism = Prism {
            url: format!("http://127.0.0.1:{port}"),
            child,
            log,
            _dir: dir,
        };
        // Prism reads a 2-3 MB spec and logs every route first: seconds, more on a busy box.
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let text = std::fs::read_to_string(&prism.log).unwrap_or_default();
            if text.contains("Prism is listening") {
                return prism;
            }
            if let Some(status) = prism.child.try_wait().unwrap() {
                panic!("Prism exited ({status}) before listening; its log:\n{text}");
            }
            assert!(
                Instant::now() < deadline,
                "Prism did not listen within 120 s; its log ends:\n{}",
                &text[text.len().saturating_sub(3000)..]
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// Every request Prism saw so far, with its validation verdict.
    pub fn requests(&self) -> Vec<Logged> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let mut out: Vec<Logged> = Vec::new();
        for line in text.lines() {
            if let Some(at) = line.find("[HTTP SERVER] ") {
                let rest = &line[at + "[HTTP SERVER] ".len()..];
                if rest.contains("Request received") {
                    let request = rest.split(" ℹ").next().unwrap_or(rest).trim().to_string();
                    out.push(Logged {
                        request,
                        is_valid: true,
                        violations: Vec::new(),
                    });
                }
            } else if let Some(last) = out.last_mut() {
                if line.contains("[VALIDATOR]") && line.contains("Request did not pass") {
                    last.is_valid = false;
                } else if line.contains("[VALIDATOR]") && line.contains("✖") && !last.is_valid {
                    last.violations.push(line.trim().to_string());
                }
            }
        }
        out
    }

    /// The requests Prism refused, each with its reasons.
    pub fn refused(&self) -> Vec<String> {
        self.requests()
            .into_iter()
            .filter(|r| !r.is_valid)
            .map(|r| format!("{}: {:?}", r.request, r.violations))
            .collect()
    }

    /// The whole log, for a failing assertion's message.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        // Prism's node process and anything it started share its process group.
        let pgid = self.child.id() as i32;
        kill_group(pgid);
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Kills a process group through the `kill` command (no libc call needed).
fn kill_group(pgid: i32) {
    let _ = Command::new("kill")
        .args(["-TERM", "--", &format!("-{pgid}")])
        .status();
}
