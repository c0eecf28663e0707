//! What a refresh costs the UI task at 100,000 alerts: one of ten sources brings 10,000
//! alerts of which one changed; the app reorders, recounts and refilters (decoding already
//! happened off the UI task). Keys wait this long while a refresh lands (issue 4: key-to-
//! frame p99 ≤ 50 ms during a refresh).

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use onduty::app::Action;
use onduty::model::{SourceId, Status};
use onduty::sources::SourceEvent;
use onduty::testing::{estate_alerts, estate_app};

fn refresh(c: &mut Criterion, name: &str, filter: &str) {
    let mut app = estate_app(100_000, 10, 200, 60);
    app.set_filter(filter, true);
    let fresh = estate_alerts(100_000, 10).swap_remove(3);
    let mut samples = Vec::new();
    c.bench_function(name, |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for i in 0..iters {
                let mut alerts = fresh.clone();
                let n = alerts.len();
                alerts[i as usize % n].status = Status::Silenced;
                let event = SourceEvent::AlertsFetched {
                    source: SourceId("am-3".into()),
                    alerts: Arc::from(alerts),
                    escalation: Arc::from(Vec::new()),
                    silences: Arc::from(Vec::new()),
                    fetched_at: app.now,
                };
                let t = Instant::now();
                let effects = app.update(Action::Source(event));
                let d = t.elapsed();
                // The replaced snapshot is freed off the UI task in the program: not timed.
                drop(effects);
                samples.push(d);
                total += d;
            }
            total
        })
    });
    percentiles::report(name, samples);
}

fn refreshes(c: &mut Criterion) {
    refresh(c, "refresh_one_source_of_100k_unfiltered", "");
    refresh(
        c,
        "refresh_one_source_of_100k_filtered",
        "team=team-3 sev>=warning",
    );
}

criterion_group!(benches, refreshes);
criterion_main!(benches);
