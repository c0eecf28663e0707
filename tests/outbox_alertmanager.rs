//! Nothing lost, nothing doubled, against a real Alertmanager and the real binary: an ack
//! while the back end is down stays pending and is sent once when it is back; an action
//! whose sender died after writing it (before or after sending it) is sent again by the
//! next flush, and the alert ends with exactly one ack silence.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::path::{Path, PathBuf};

use chrono::{TimeDelta, Utc};
use onduty::journal::outbox::{NewAction, new_command_id};
use onduty::journal::{Journal, Location, OutboxState};
use onduty::model::{AlertKey, SourceId};
use onduty::sources::Operation;
use serde_json::json;
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
        let path = self.dir.path().join("onduty.toml");
        std::fs::write(
            &path,
            format!(
                "identity = \"ana\"\njournal = \"sqlite:{}\"\n[[source]]\nname = \"am\"\nkind = \"alertmanager\"\nurl = \"{url}\"\ntimeout = \"2s\"\n",
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

/// The state a run leaves when killed (kill -9) right after writing an action: written,
/// leased to a process that no longer exists.
async fn written_by_a_dead_process(journal: &Journal, key: &str) -> NewAction {
    let action = NewAction {
        id: new_command_id(),
        author: "ana".into(),
        source: SourceId("am".into()),
        key: AlertKey(key.into()),
        op: Operation::Acknowledge,
    };
    journal
        .record(&action, Utc::now() - TimeDelta::minutes(2))
        .await
        .unwrap();
    action
}

#[tokio::test]
async fn killed_between_written_and_sent_the_action_is_sent_once() {
    let am = Alertmanager::start().await;
    let key = firing_alert(&am).await;
    let setup = Setup::new();
    let config = setup.config(&am.url);
    let journal = setup.journal().await;
    let action = written_by_a_dead_process(&journal, &key).await;
    assert_eq!(ack_silences(&am).await, 0);
    let (code, out) = setup.onduty(&config, &["outbox", "--flush"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(ack_silences(&am).await, 1);
    let item = journal.outbox_item(action.id).await.unwrap().unwrap();
    assert_eq!((item.state, item.attempts), (OutboxState::Confirmed, 2));
}

#[tokio::test]
async fn killed_after_sending_but_before_recording_it_the_retry_does_not_double() {
    let am = Alertmanager::start().await;
    let key = firing_alert(&am).await;
    let setup = Setup::new();
    let config = setup.config(&am.url);
    let journal = setup.journal().await;
    let action = written_by_a_dead_process(&journal, &key).await;
    // The dead run had already sent it: the ack silence exists on the server.
    let other = Setup::new();
    let (code, out) = other.onduty(&other.config(&am.url), &["ack", &key]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(ack_silences(&am).await, 1);
    let (code, out) = setup.onduty(&config, &["outbox", "--flush"]).await;
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        ack_silences(&am).await,
        1,
        "the source saw the ack already there and did not send another"
    );
    let item = journal.outbox_item(action.id).await.unwrap().unwrap();
    assert_eq!(item.state, OutboxState::Confirmed);
}
