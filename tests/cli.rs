//! The binary as a script would use it: `alerts --json`, `--filter`, `init`, `check`, `info`.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::process::Command;

fn onduty(dir: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_onduty"));
    c.env("ONDUTY_CONFIG_DIR", dir.join("cfg"))
        .env("ONDUTY_DATA_DIR", dir.join("data"))
        .env_remove("ONDUTY_CONFIG");
    c
}

#[test]
fn alerts_json_lists_the_demo_alerts_with_the_contract_fields() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path())
        .args(["alerts", "--demo", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let alerts = v.as_array().unwrap();
    assert!(alerts.len() >= 5, "{alerts:?}");
    for a in alerts {
        for field in [
            "key",
            "source",
            "title",
            "severity",
            "status",
            "service",
            "labels",
            "annotations",
            "started_at",
        ] {
            assert!(a.get(field).is_some(), "missing {field} in {a}");
        }
        assert!(a["key"].as_str().unwrap().starts_with("demo:"));
        chrono::DateTime::parse_from_rfc3339(a["started_at"].as_str().unwrap()).unwrap();
    }
}

#[test]
fn alerts_filter_narrows_and_a_bad_filter_fails_clearly() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path())
        .args(["alerts", "--json", "--filter", "sev>=critical is:firing"])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|a| a["severity"] == "critical" && a["status"] == "firing")
    );
    let bad = onduty(dir.path())
        .args(["alerts", "--filter", "is:bogus"])
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("is:firing"));
}

#[test]
fn init_writes_a_config_that_check_accepts_and_refuses_to_overwrite() {
    let dir = tempfile::tempdir().unwrap();
    assert!(onduty(dir.path()).arg("init").status().unwrap().success());
    let path = dir.path().join("cfg/config.toml");
    assert!(path.exists());
    let again = onduty(dir.path()).arg("init").output().unwrap();
    assert!(!again.status.success() && String::from_utf8_lossy(&again.stderr).contains("--force"));
    let check = onduty(dir.path())
        .args(["check", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&check.stdout);
    assert!(
        check.status.success() && text.contains("demo") && text.contains("ok"),
        "{text}"
    );
}

#[test]
fn a_bad_explicit_config_is_fatal_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(&path, "colour = 'red'").unwrap();
    let out = onduty(dir.path())
        .args(["alerts", "--config"])
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("bad.toml") && err.contains("colour"),
        "{err}"
    );
}

#[test]
fn info_prints_every_path() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path()).arg("info").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for word in ["config file", "themes dir", "data dir", "log dir"] {
        assert!(text.contains(word), "{text}");
    }
    assert!(text.contains(&dir.path().join("cfg/config.toml").display().to_string()));
    // A config given by a relative name is shown whole.
    let out = onduty(dir.path())
        .current_dir(dir.path())
        .args(["--config", "mine.toml", "info"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let whole = dir.path().join("mine.toml").display().to_string();
    assert!(
        text.lines()
            .any(|l| l.starts_with("config file") && l.contains(&whole)),
        "{text}"
    );
}

#[test]
fn the_dashboard_refuses_a_non_terminal_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path()).arg("--demo").output().unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty(), "no escape bytes on stdout");
    assert!(String::from_utf8_lossy(&out.stderr).contains("needs a terminal"));
}

#[test]
fn global_flags_work_after_the_subcommand() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path())
        .args(["alerts", "--json", "--demo"])
        .output()
        .unwrap();
    assert!(out.status.success());
}

const ESCALATION: &str = r#"
[[rotation]]
name = "primary"
members = ["bo", "chen"]
shift = "daily"
handoff = "09:00"
time_zone = "Europe/Berlin"

[[rotation.override]]
who = "ana"
from = "2000-01-01T00:00:00Z"
until = "2100-01-01T00:00:00Z"

[[policy]]
name = "everything"
repeats = 2

[[policy.level]]
targets = ["primary"]

[[policy.level]]
after = "15m"
targets = ["dana"]
"#;

#[test]
fn oncall_prints_the_local_policies_with_me_on_top() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::write(cfg.join("config.toml"), "identity = \"ana\"\n").unwrap();
    std::fs::write(cfg.join("escalation.toml"), ESCALATION).unwrap();
    let out = onduty(dir.path())
        .args(["oncall", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["me"], "ana");
    assert_eq!(v["my_shift"]["state"], "on_now");
    assert_eq!(v["my_shift"]["until"], "2100-01-01T00:00:00Z");
    let p = &v["policies"][0];
    assert_eq!(
        (p["name"].as_str(), p["repeats"].as_u64()),
        (Some("everything"), Some(2))
    );
    assert_eq!(p["levels"][1]["after_seconds"], 900);
    let l1 = &p["levels"][0]["on_call"][0];
    assert_eq!(
        (l1["who"].as_str(), l1["via"].as_str()),
        (Some("ana"), Some("primary"))
    );
    let s = &v["schedules"][0];
    assert_eq!(
        (s["name"].as_str(), s["on_call"]["who"].as_str()),
        (Some("primary"), Some("ana"))
    );
    assert_eq!(s["used_by"][0], "everything L1");
    let table = onduty(dir.path()).arg("oncall").output().unwrap();
    let text = String::from_utf8_lossy(&table.stdout);
    assert!(
        text.starts_with("you (ana): on call until Fri 2100-01-01"),
        "{text}"
    );
    assert!(text.contains("L1 at once     ana (you)"), "{text}");
    assert!(text.contains("L2 after 15m   dana"), "{text}");
}

#[test]
fn a_bad_escalation_file_is_named_with_its_key_and_value() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(&cfg).unwrap();
    let bad = ESCALATION.replace("Europe/Berlin", "Europe/Atlantis");
    std::fs::write(cfg.join("escalation.toml"), bad).unwrap();
    let out = onduty(dir.path()).arg("oncall").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("escalation.toml")
            && err.contains("rotation[0].time_zone")
            && err.contains("Europe/Atlantis"),
        "{err}"
    );
}

#[test]
fn runbook_prints_the_annotation_or_the_library_file_that_matches() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let books = dir.path().join("books/db");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::create_dir_all(&books).unwrap();
    std::fs::write(
        books.join("replication.md"),
        "---\nalerts: [ReplicationLag]\nservice: db\n---\n# Replica lag\n\n- [ ] check `pg_stat_replication`\n",
    )
    .unwrap();
    let config = |annotations: &str| {
        format!(
            "runbook_dirs = [{:?}]\nrunbook_annotations = {annotations}\n",
            dir.path().join("books").display().to_string()
        )
    };
    std::fs::write(cfg.join("config.toml"), config("[\"runbook_url\"]")).unwrap();
    let out = onduty(dir.path())
        .args(["runbook", "demo:replicationlag"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The link is fetched as `b` fetches it; it cannot be read here (no such host, or
    // not Markdown), so the library's runbook stands in for it, with the reason.
    assert!(
        text.starts_with("https://runbooks.example.com/ReplicationLag: "),
        "{text}"
    );
    assert!(
        text.contains("; the runbook from runbook_dirs follows\n\nReplica lag  ("),
        "{text}"
    );
    // Without the annotation, the library's file for that alert and service.
    std::fs::write(cfg.join("config.toml"), config("[]")).unwrap();
    let out = onduty(dir.path())
        .args(["runbook", "demo:replicationlag"])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.starts_with("Replica lag  ("), "{text}");
    assert!(text.contains("- [ ] check `pg_stat_replication`"), "{text}");
    let none = onduty(dir.path())
        .args(["runbook", "demo:diskspacelow"])
        .output()
        .unwrap();
    assert_eq!(
        none.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&none.stdout)
    );
    let unknown = onduty(dir.path())
        .args(["runbook", "demo:nope"])
        .output()
        .unwrap();
    assert_eq!(unknown.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&unknown.stderr).contains("no source reports"));
}

#[test]
fn check_counts_the_runbooks_and_names_a_broken_one() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    let books = dir.path().join("books");
    std::fs::create_dir_all(&cfg).unwrap();
    std::fs::create_dir_all(&books).unwrap();
    std::fs::write(books.join("ok.md"), "# fine\n").unwrap();
    std::fs::write(books.join("bad.md"), "---\nalerts: [x\n---\n").unwrap();
    let config = format!("runbook_dirs = [{:?}]\n", books.display().to_string());
    std::fs::write(cfg.join("config.toml"), config).unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("runbooks: 1 file(s)"), "{text}");
    assert!(
        text.contains("bad.md") && text.contains("front matter"),
        "{text}"
    );
    // A post-mortem template with a placeholder onduty does not know is named too.
    std::fs::write(books.join("bad.md"), "# fine too\n").unwrap();
    std::fs::write(cfg.join("postmortem.md"), "# {{title}} {{root_cause}}\n").unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("postmortem.md") && text.contains("{{root_cause}}"),
        "{text}"
    );
}

// `check` refused nothing for a theme the dashboard then would not start with.
#[test]
fn check_names_an_unknown_theme_and_a_bad_theme_colour_by_file_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("cfg");
    std::fs::create_dir_all(cfg.join("themes")).unwrap();
    std::fs::write(cfg.join("config.toml"), "theme = \"nosuch\"\n").unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(!text.contains("config ok"), "{text}");
    assert!(
        text.contains("config.toml': key 'theme' = 'nosuch': no theme 'nosuch'"),
        "{text}"
    );
    let mine = cfg.join("themes").join("mine.toml");
    std::fs::write(
        &mine,
        "[roles]\n\"severity.critical\" = { fg = \"#zzzzzz\" }\n",
    )
    .unwrap();
    std::fs::write(cfg.join("config.toml"), "theme = \"mine\"\n").unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains(&format!(
            "'{}': key 'roles.severity.critical.fg' = '#zzzzzz': not a colour",
            mine.display()
        )),
        "{text}"
    );
    std::fs::write(
        &mine,
        "[roles]\n\"severity.critical\" = { fg = \"#ff0000\" }\n",
    )
    .unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("config ok"), "{text}");
}

// `onduty alerts | head -1`: a reader gone before onduty writes ends it quietly, as SIGPIPE
// ends `ls` (141, nothing on stderr), not with "Broken pipe".
#[test]
fn a_closed_pipe_ends_a_command_quietly() {
    let dir = tempfile::tempdir().unwrap();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = onduty(dir.path())
        .args(["--demo", "alerts"])
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(141), "{err}");
    assert!(err.is_empty(), "{err}");
}

// With neither `identity` nor $USER/$LOGNAME, acts and notes were "by unknown": the login
// name of the process's user is taken from the password database.
#[test]
fn without_identity_or_user_the_login_name_signs_notes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        onduty(dir.path())
            .args(args)
            .env_remove("USER")
            .env_remove("LOGNAME")
            .output()
            .unwrap()
    };
    let out = run(&["--demo", "note", "demo:x", "checking"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&["--demo", "timeline", "demo:x"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("checking"), "{text}");
    assert!(!text.contains("unknown"), "{text}");
    let me = std::process::Command::new("id")
        .arg("-un")
        .output()
        .unwrap();
    let me = String::from_utf8_lossy(&me.stdout).trim().to_string();
    assert!(text.contains(&me), "signed by {me}: {text}");
}

#[test]
fn check_without_a_config_file_says_it_runs_on_the_demo() {
    let dir = tempfile::tempdir().unwrap();
    let out = onduty(dir.path()).arg("check").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(text.contains("running on the built-in demo"), "{text}");
    assert!(text.contains("journal ok: sqlite"), "{text}");
}
