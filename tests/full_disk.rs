//! The journal on a disk that is really full: a 4 MiB tmpfs in a private mount namespace
//! (`unshare`, no privilege needed), filled after the journal was created. An ack is then
//! refused with an error that names the journal and the full disk, nothing reaches the
//! real Alertmanager, and alerts are still listed. Needs util-linux's `unshare`; a machine
//! that cannot make the namespace fails this test, it does not skip it.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use serde_json::json;
use support::Alertmanager;

#[tokio::test]
async fn on_a_full_disk_an_ack_is_refused_with_the_reason_and_nothing_is_sent() {
    let am = Alertmanager::start().await;
    am.post_alerts(json!([{"labels": {"alertname": "DiskFull", "severity": "critical"}}]))
        .await;
    let key = format!(
        "am:{}",
        am.alerts().await[0]["fingerprint"].as_str().unwrap()
    );
    let dir = tempfile::tempdir().unwrap();
    let disk = dir.path().join("disk");
    std::fs::create_dir(&disk).unwrap();
    let script = r#"
        set -u
        mount -t tmpfs -o size=4m onduty-full "$DISK" || exit 90
        printf 'identity = "ana"\n%s\n' "$SOURCE" > "$DISK/onduty.toml"
        run() { ONDUTY_CONFIG_DIR="$DISK" ONDUTY_DATA_DIR="$DISK" "$BIN" "$@" --config "$DISK/onduty.toml" 2>&1; echo "== rc $?"; }
        run note "$KEY" "before the disk filled"
        dd if=/dev/zero of="$DISK/filler" bs=64k 2>/dev/null
        df -k "$DISK" | tail -1 | awk '{print "== free " $4}'
        run ack "$KEY"
        run alerts
    "#;
    let out = tokio::process::Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("DISK", &disk)
        .env("BIN", env!("CARGO_BIN_EXE_onduty"))
        .env("KEY", &key)
        .env("SOURCE", am.source_toml("am"))
        .output()
        .await
        .expect("util-linux's unshare runs (scripts/test.sh installs it)");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "the namespace and tmpfs: {text}");
    let parts: Vec<&str> = text.split("== rc ").collect();
    assert_eq!(parts.len(), 4, "{text}");
    assert!(parts[1].starts_with('0'), "the note fits: {text}");
    assert!(parts[1].contains("== free 0"), "the disk is full: {text}");
    let ack = parts[1].split_once("== free 0").unwrap().1;
    assert!(!parts[2].starts_with('0'), "the ack fails: {text}");
    assert!(
        ack.contains("journal") && ack.contains("full"),
        "the error names the journal and the full disk: {ack}"
    );
    assert!(
        parts[2].contains("DiskFull"),
        "alerts are still listed with the journal unusable: {text}"
    );
    assert!(
        am.silences().await.is_empty(),
        "nothing was sent that was not written"
    );
}
