//! What a refresh costs the UI task at 100,000 alerts: one of ten sources brings 10,000
//! alerts of which one changed. Decoding happened off the UI task, and so does ordering the
//! 100k (an `OrderJob` on a blocking thread, not timed here); the UI task stages the new
//! snapshot when it lands, then installs the order when it comes back: recounts, refilters,
//! regroups. The time reported is the longer of the two slices, the longest a key can wait
//! (issue 4: key-to-frame p99 ≤ 50 ms during a refresh).

#![allow(
    clippy::print_stdout,
    clippy::expect_used,
    clippy::panic,
    reason = "a bench prints its report"
)]

#[path = "support/percentiles.rs"]
mod percentiles;

use std::sync::Arc;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use onduty::app::{Action, Effect};
use onduty::model::{SourceId, Status};
use onduty::sources::SourceEvent;
use onduty::testing::{estate_alerts, estate_app};

fn refresh(c: &mut Criterion, name: &str, filter: &str) {
    let mut app = estate_app(100_000, 10, 200, 60);
    let mut effects = Vec::new();
    app.set_filter(filter, true, &mut effects);
    for effect in effects {
        if let Effect::FilterAlerts(job) = effect {
            app.update(job.run().into());
        }
    }
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
                    tickets: Arc::from(Vec::new()),
                    fetched_at: app.now,
                };
                let t = Instant::now();
                let landed = app.update(Action::Source(event));
                let staged = t.elapsed();
                let Some(job) = landed.iter().find_map(|e| match e {
                    Effect::OrderAlerts(job) => Some(job),
                    _ => None,
                }) else {
                    panic!("at 100k a refresh is ordered off the UI task: {landed:?}");
                };
                let ordered: onduty::app::Action = job.clone().run().into();
                let t = Instant::now();
                let effects = app.update(ordered);
                let installed = t.elapsed();
                // The replaced snapshot is freed off the UI task in the program: not timed.
                drop(effects);
                let d = staged.max(installed);
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
