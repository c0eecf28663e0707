//! Every input kept under fuzz/regressions/<target>/ (seeds, and each crash the fuzzers ever
//! found) replayed through the same checks the fuzz targets run, in the normal test run.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

#[path = "../fuzz/checks.rs"]
mod checks;

#[test]
fn every_kept_fuzz_input_passes_its_check() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/regressions");
    let mut replayed = 0;
    for (target, check) in checks::TARGETS {
        let dir = root.join(target);
        let entries = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e} (each target keeps its inputs)", dir.display()));
        for entry in entries {
            let path = entry.unwrap().path();
            let data = std::fs::read(&path).unwrap();
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target}: {} fails", path.display());
            replayed += 1;
        }
    }
    assert!(replayed >= checks::TARGETS.len());
}
