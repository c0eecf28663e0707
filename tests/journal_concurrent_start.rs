//! Ten onduty processes starting at once on a fresh data directory: each creates or finds
//! the SQLite journal migrated (its migrations run under a file lock), none fails with
//! "table outbox already exists", and every note each wrote is there.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

#[tokio::test(flavor = "multi_thread")]
async fn ten_processes_starting_together_on_a_fresh_journal_all_write() {
    for round in 0..3 {
        let dir = tempfile::tempdir().unwrap();
        let cfg = dir.path().join("onduty.toml");
        std::fs::write(&cfg, "identity = \"ana\"\n").unwrap();
        let runs: Vec<_> = (0..10)
            .map(|i| {
                let text = format!("note {i}");
                let mut cmd = support::onduty_command(dir.path(), &cfg, &["note", "demo:x", &text]);
                cmd.output()
            })
            .collect();
        let outs = futures::future::join_all(runs).await;
        for out in outs {
            let out = out.unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let journal = support::sqlite_journal(dir.path()).await;
        let notes = journal.timeline("demo:x").await.unwrap();
        assert_eq!(notes.len(), 10, "round {round}: every note is kept");
    }
}
