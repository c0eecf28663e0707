//! Every file in tests/configs/valid loads; every file in tests/configs/invalid fails with
//! the message written in its first line (`# error: …`), naming the file.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::path::Path;

use onduty::config::{Config, Overrides};

fn files(dir: &str) -> Vec<std::path::PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(dir);
    let mut v: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    assert!(!v.is_empty(), "no fixtures in {}", dir.display());
    v
}

#[test]
fn valid_configs_load() {
    for path in files("valid") {
        Config::load(&path, true, &Overrides::default())
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
}

#[test]
fn invalid_configs_fail_with_their_message() {
    for path in files("invalid") {
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# error: "))
            .unwrap_or_else(|| panic!("{} lacks '# error:'", path.display()));
        let err = Config::load(&path, true, &Overrides::default())
            .expect_err(&path.display().to_string())
            .to_string();
        assert!(
            err.contains(expected),
            "{}:\n  got      {err}\n  expected {expected}",
            path.display()
        );
        assert!(
            err.contains(&path.display().to_string()),
            "message names the file: {err}"
        );
        assert!(
            !err.contains("canary-do-not-print"),
            "a secret leaked: {err}"
        );
    }
}

#[test]
fn full_config_sets_every_key() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/configs/valid/full.toml");
    let c = Config::load(&path, true, &Overrides::default()).unwrap();
    assert_eq!(c.sources.len(), 2);
    assert_eq!(c.silence_duration, std::time::Duration::from_secs(5400));
    assert!(c.read_only);
    assert_eq!(c.identity(), "ana");
}

#[test]
fn missing_explicit_file_is_an_error_but_missing_implicit_file_is_not() {
    let p = Path::new("/nonexistent/onduty.toml");
    assert!(
        Config::load(p, true, &Overrides::default())
            .unwrap_err()
            .to_string()
            .contains("/nonexistent/onduty.toml")
    );
    assert!(Config::load(p, false, &Overrides::default()).is_ok());
}
