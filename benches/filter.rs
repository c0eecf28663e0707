//! A filter keystroke over 100,000 alerts (issue 4: p99 ≤ 20 ms): the state update that
//! follows one typed character, fuzzy text and label matchers.

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, Effect};
use onduty::testing::estate_app;

/// Types `text` one key at a time. Each keystroke's time on the UI task is one sample; the
/// filter pass it starts (off the UI task in the program) is run here too, timed apart.
fn typing(c: &mut Criterion, name: &str, text: &str) {
    let mut app = estate_app(100_000, 10, 200, 60);
    let mut samples = Vec::new();
    let mut passes = Vec::new();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                app.update(Action::Key(KeyEvent::new(
                    KeyCode::Char('/'),
                    KeyModifiers::NONE,
                )));
                app.update(Action::Key(KeyEvent::new(
                    KeyCode::Char('u'),
                    KeyModifiers::CONTROL,
                )));
                for ch in text.chars() {
                    let key = KeyEvent::new(KeyCode::Char(ch), KeyModifiers::NONE);
                    let t = Instant::now();
                    let effects = app.update(Action::Key(key));
                    let d = t.elapsed();
                    samples.push(d);
                    total += d;
                    for effect in effects {
                        if let Effect::FilterAlerts(job) = effect {
                            let t = Instant::now();
                            let done = job.run();
                            passes.push(t.elapsed());
                            app.update(done.into());
                        }
                    }
                }
                app.update(Action::Key(KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE)));
            }
            total
        })
    });
    percentiles::report(&format!("{name} (UI task)"), samples);
    if !passes.is_empty() {
        percentiles::report(&format!("{name} (filter pass, off the UI task)"), passes);
    }
}

fn filter(c: &mut Criterion) {
    typing(c, "filter_fuzzy_keystroke_100k", "hilat7");
    typing(
        c,
        "filter_matcher_keystroke_100k",
        "team=team-7 sev>=warning",
    );
}

criterion_group!(benches, filter);
criterion_main!(benches);
