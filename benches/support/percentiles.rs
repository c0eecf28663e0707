//! The p50/p99 line every bench prints besides criterion's statistics (issue 4 names p99).

#![allow(clippy::print_stdout, reason = "a bench prints its report")]

use std::time::Duration;

/// Prints `name: n=… p50=… p99=… max=…` for `samples`.
pub fn report(name: &str, mut samples: Vec<Duration>) {
    if samples.is_empty() {
        return;
    }
    samples.sort();
    let at = |p: f64| samples[((samples.len() as f64 - 1.0) * p) as usize];
    let max = samples[samples.len() - 1];
    println!(
        "{name}: n={} p50={:?} p99={:?} max={max:?}",
        samples.len(),
        at(0.5),
        at(0.99)
    );
}
