//! Nothing lost, nothing doubled, against a real Alertmanager and the real binary: an ack
//! while the back end is down stays pending and is sent once when it is back; `onduty ack`
//! killed with SIGKILL while its ack is on the wire (before the back end got it, or after,
//! with the answer lost) leaves it written, and the next flush makes it happen exactly once.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::path::{Path, PathBuf};

use onduty::journal::{Journal, Location, OutboxState};
use serde_json::json;
use support::faults::{HeldWrite, hold_first_write};
use support::{Alertmanager, free_port};

struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        Setup {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn journal_path(&self) -> PathBuf {
        self.dir.path().join("journal.sqlite3")
    }

    /// Points the config's source `am` at `url`.
    fn config(&self, url: &str) -> PathBuf {
        self.config_waiting(url, "2s")
    }

    /// Points the config's source `am` at `url`, waiting up to `timeout` for an answer.
    fn config_waiting(&self, url: &str, timeout: &str) -> PathBuf {
        let path = self.dir.path().join("onduty.toml");
        std::fs::write(
            &path,
            format!(
                "identity = \"ana\"\njournal = \"sqlite:{}\"\n[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{url}\"\ntimeout = \"{timeout}\"\n",
                self.journal_path().display()
            ),
        )
        .unwrap();
        path
    }

    async fn onduty(&self, config: &Path, args: &[&str]) -> (i32, String) {
        support::run_onduty(self.dir.path(), config, args).await
    }

    async fn journal(&self) -> Journal {
        Journal::open(&Location::Sqlite(self.journal_path()))
            .await
            .unwrap()
    }
}

async fn firing_alert(am: &Alertmanager) -> String {
    am.post_alerts(json!([{"labels": {"alertname": "DiskFull", "severity": "critical"}}]))
        .await;
    let alerts = am.alerts().await;
    format!("am:{}", alerts[0]["fingerprint"].as_str().unwrap())
}

async fn ack_silences(am: &Alertmanager) -> usize {
    am.silences()
        .await
        .iter()
        .filter(|s| s["status"]["state"] == "active")
        .filter(|s| s["comment"].as_str().is_some_and(|c| c.starts_with("ack:")))
        .count()
}

#[tokio::test]
async fn an_ack_while_the_back_end_is_down_waits_then_is_sent_once() {
    let am = Alertmanager::start().await;
    let key = firing_alert(&am).await;
    let setup = Setup::new();
    let down = setup.config(&format!("http://127.0.0.1:{}", free_port()));
    let (code, out) = setup.onduty(&down, &["ack", &key]).await;
    assert_eq!(code, 3, "pending is its own exit status: {out}");
    assert!(out.contains("pending in the outbox"), "{out}");
    let (_, listed) = setup.onduty(&down, &["outbox"]).await;
    assert!(
        listed.contains("1 pending") && listed.contains(&key),
        "{listed}"
    );
    assert_eq!(ack_silences(&am).await, 0);

    let up = setup.config(&am.url);
    let (code, out) = setup.onduty(&up, &["outbox", "--flush"]).await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("ack") && out.contains("done"), "{out}");
    assert_eq!(ack_silences(&am).await, 1);
    let (code, out) = setup.onduty(&up, &["outbox", "--flush"]).await;
    assert_eq!((code, out.trim()), (0, "nothing pending"));
    assert_eq!(ack_silences(&am).await, 1, "a second flush sends nothing");
    let (_, timeline) = setup.onduty(&up, &["timeline", &key]).await;
    assert!(
        timeline.contains("ana") && timeline.contains("ack: done"),
        "{timeline}"
    );
}

// A restarted Alertmanager holds no alerts until Prometheus re-sends them: an ack queued
// during the outage waits for its alert to come back instead of failing in that gap, and is
// sent once it is back. Past the grace time (`retry_for`), an alert that never returns fails
// the ack with the reason.
#[tokio::test]
async fn an_ack_queued_during_an_outage_waits_for_its_alert_to_come_back() {
    let before = Alertmanager::start().await;
    let key = firing_alert(&before).await;
    drop(before);
    let setup = Setup::new();
    let down = setup.config(&format!("http://127.0.0.1:{}", free_port()));
    let (code, out) = setup.onduty(&down, &["ack", &key]).await;
    assert_eq!(code, 3, "{out}");
    // And one on an alert that will never come back.
    let (code, out) = setup.onduty(&down, &["ack", "am:0000000000000000"]).await;
    assert_eq!(code, 3, "{out}");

    // It is back, empty: Prometheus has not re-sent yet.
    let am = Alertmanager::start().await;
    assert!(am.alerts().await.is_empty());
    let up = setup.config(&am.url);
    let (code, out) = setup.onduty(&up, &["outbox", "--flush"]).await;
    assert_eq!(code, 3, "not a refusal yet: {out}");
    assert!(out.contains("waiting for the alert to come back"), "{out}");
    let (_, listed) = setup.onduty(&up, &["outbox"]).await;
    assert!(
        listed.contains("2 pending") && listed.contains("waiting for the alert"),
        "{listed}"
    );

    // Prometheus re-sends: the same labels, the same key.
    assert_eq!(firing_alert(&am).await, key);
    let (code, out) = setup.onduty(&up, &["outbox", "--flush"]).await;
    assert_eq!(code, 3, "the other still waits: {out}");
    assert!(out.contains(&format!("{key}: done")), "{out}");
    assert_eq!(ack_silences(&am).await, 1);

    // An ack asked now, after the restart, of an alert that is not there is refused at once.
    let (code, out) = setup.onduty(&up, &["ack", "am:1111111111111111"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no longer firing"), "{out}");

    // The alert that never comes back fails once the grace time is over.
    let path = setup.dir.path().join("onduty.toml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(&path, format!("{text}retry_for = \"0s\"\n")).unwrap();
    let (code, out) = setup.onduty(&path, &["outbox", "--flush"]).await;
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("no longer firing"), "{out}");
}

// `onduty ack K & onduty ack K`, and eight `onduty silence K --comment same` at once, on a
// real Alertmanager: one silence each, whoever wins; the others find it.
#[tokio::test]
async fn processes_racing_on_one_alert_make_one_silence() {
    let am = Alertmanager::start().await;
    let setup = Setup::new();
    let config = setup.config_waiting(&am.url, "10s");
    for round in 0..4 {
        let label = round.to_string();
        am.post_alerts(json!([{"labels": {"alertname": "Race", "round": label}}]))
            .await;
        let key = {
            let alerts = am.alerts().await;
            let alert = alerts
                .iter()
                .find(|a| a["labels"]["round"].as_str() == Some(label.as_str()))
                .unwrap();
            format!("am:{}", alert["fingerprint"].as_str().unwrap())
        };
        let args = ["ack", key.as_str()];
        let (a, b) = tokio::join!(setup.onduty(&config, &args), setup.onduty(&config, &args));
        assert_eq!((a.0, b.0), (0, 0), "{a:?} {b:?}");
    }
    assert_eq!(ack_silences(&am).await, 4, "one ack silence per alert");

    let key = firing_alert(&am).await;
    let args = ["silence", key.as_str(), "--for", "1h", "--comment", "same"];
    let runs = (0..8).map(|_| setup.onduty(&config, &args));
    for (code, out) in futures::future::join_all(runs).await {
        assert_eq!(code, 0, "{out}");
    }
    let same = am
        .silences()
        .await
        .iter()
        .filter(|s| s["status"]["state"] == "active" && s["comment"] == "same")
        .count();
    assert_eq!(same, 1);
}

/// A real `kill -9` of `onduty ack` while its ack is on the wire (`held` says whether the
/// back end got it), then at once a flush, which takes over the dead process's item: the
/// alert ends with exactly one ack.
async fn killed_while_sending(held: HeldWrite) {
    let am = Alertmanager::start().await;
    let key = firing_alert(&am).await;
    let setup = Setup::new();
    let (proxy, mut arrived) = hold_first_write(am.url.clone(), held).await;
    let through_proxy = setup.config_waiting(&proxy, "120s");
    let mut ack = tokio::process::Command::new(env!("CARGO_BIN_EXE_onduty"))
        .args(["ack", &key, "--config"])
        .arg(&through_proxy)
        .env("ONDUTY_CONFIG_DIR", setup.dir.path())
        .env("ONDUTY_DATA_DIR", setup.dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    tokio::time::timeout(std::time::Duration::from_secs(30), arrived.recv())
        .await
        .expect("the ack reaches the wire");
    ack.start_kill().unwrap(); // SIGKILL: nothing runs after it
    let status = ack.wait().await.unwrap();
    assert_eq!(
        std::os::unix::process::ExitStatusExt::signal(&status),
        Some(9)
    );

    let journal = setup.journal().await;
    let items = journal.open_items().await.unwrap();
    assert_eq!(items.len(), 1, "written before it was sent");
    assert_eq!(
        items[0].state,
        OutboxState::Sent,
        "killed mid-send, still leased"
    );
    assert_eq!(
        ack_silences(&am).await,
        usize::from(held == HeldWrite::AnswerLost)
    );
    // The flush takes over the dead process's item at once, not after its lease.
    let (code, out) = setup
        .onduty(&setup.config(&am.url), &["outbox", "--flush"])
        .await;
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("taking over 1 item"), "{out}");
    assert_eq!(ack_silences(&am).await, 1, "sent once in effect");
    let item = journal.outbox_item(items[0].id).await.unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Confirmed);
}

#[tokio::test]
async fn a_real_kill_9_before_the_back_end_got_the_ack_then_a_flush_sends_it_once() {
    killed_while_sending(HeldWrite::Swallowed).await;
}

#[tokio::test]
async fn a_real_kill_9_after_the_back_end_got_the_ack_then_a_flush_does_not_double_it() {
    killed_while_sending(HeldWrite::AnswerLost).await;
}

/// The source's token goes to the back end on every request and nowhere else: after an ack,
/// a silence and a note, it is in no file under the data dir (journal, WAL, logs).
#[tokio::test]
async fn the_journal_never_holds_the_token() {
    let am = Alertmanager::start().await;
    let key = firing_alert(&am).await;
    let setup = Setup::new();
    let token = "tok-3f9a1c77e2b54d08a6";
    let config = setup.dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!(
            "identity = \"ana\"\njournal = \"sqlite:{}\"\n{}token_env = \"ONDUTY_TEST_AM_TOKEN\"\n",
            setup.journal_path().display(),
            am.source_toml("am")
        ),
    )
    .unwrap();
    for args in [
        vec!["ack", key.as_str()],
        vec![
            "silence",
            key.as_str(),
            "--for",
            "1h",
            "--comment",
            "deploy",
        ],
        vec!["note", key.as_str(), "rolled", "back"],
    ] {
        let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_onduty"))
            .args(&args)
            .arg("--config")
            .arg(&config)
            .env("ONDUTY_CONFIG_DIR", setup.dir.path())
            .env("ONDUTY_DATA_DIR", setup.dir.path())
            .env("ONDUTY_TEST_AM_TOKEN", token)
            .output()
            .await
            .unwrap();
        assert!(out.status.success(), "{args:?}: {out:?}");
    }
    assert_eq!(ack_silences(&am).await, 1, "the token did not stop the ack");
    let mut files = 0;
    let mut dirs = vec![setup.dir.path().to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            files += 1;
            let bytes = std::fs::read(&path).unwrap();
            assert!(
                !bytes.windows(token.len()).any(|w| w == token.as_bytes()),
                "{} holds the token",
                path.display()
            );
        }
    }
    assert!(files >= 3, "the journal, its log and the config were read");
}
