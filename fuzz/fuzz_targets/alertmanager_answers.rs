//! Fuzz target `alertmanager_answers`: see `checks::alertmanager_answers`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::alertmanager_answers(data));
