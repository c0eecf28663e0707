//! Fuzz target `theme`: see `checks::theme`.
#![no_main]

#[path = "../checks.rs"]
mod checks;

libfuzzer_sys::fuzz_target!(|data: &[u8]| checks::theme(data));
