//! Frame render + diff at 200x60 with 100,000 alerts loaded (issue 4: p99 ≤ 2 ms).
//! Prints p50/p99 over the iterations besides criterion's own statistics.

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use onduty::testing::estate_app;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn render(c: &mut Criterion) {
    let mut app = estate_app(100_000, 10, 200, 60);
    let mut terminal = Terminal::new(TestBackend::new(200, 60)).expect("terminal");
    let mut samples = Vec::new();
    c.bench_function("render_200x60_100k", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                // Move the selection so every frame differs (the diff has work to do).
                app.move_cursor(if i % 2 == 0 { 1 } else { -1 });
                let t = Instant::now();
                terminal.draw(|f| onduty::ui::view(&app, f)).expect("draw");
                let d = t.elapsed();
                samples.push(d);
                total += d;
            }
            total
        })
    });
    percentiles::report("render_200x60_100k", samples);
}

criterion_group!(benches, render);
criterion_main!(benches);
