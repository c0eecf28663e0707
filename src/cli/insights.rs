//! `onduty insights [--since 30d] [--json]`: the response figures per service and the
//! noisiest alerts, from the journal's observed history (`crate::insights`, which the view
//! will share).

use std::collections::BTreeMap;
use std::io::Write;
use std::process::ExitCode;

use chrono::{TimeDelta, Utc};

use crate::config::{Config, Paths};
use crate::insights::response::{self, Episode};
use crate::insights::stats::Spread;
use crate::model::{Entry, sanitize};
use crate::ui::text::fit;

/// Most observed entries read (a year of a busy estate).
const MOST_ENTRIES: i64 = 5_000_000;
/// Noisiest alerts listed.
const NOISIEST: usize = 10;

fn shown(d: Option<TimeDelta>) -> String {
    d.and_then(|d| d.to_std().ok())
        .map_or("—".into(), crate::duration_fmt::short)
}

fn spread_json(s: &Spread) -> serde_json::Value {
    let secs = |d: Option<TimeDelta>| d.map(|d| d.num_seconds());
    serde_json::json!({"n": s.n, "median_s": secs(s.median), "p90_s": secs(s.p90), "mean_s": secs(s.mean)})
}

/// Prints the insights of the last `since`.
pub async fn insights(
    config: &Config,
    paths: &Paths,
    since: &str,
    json: bool,
) -> anyhow::Result<ExitCode> {
    let window = crate::duration_fmt::parse(since).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let now = Utc::now();
    let start = now - TimeDelta::from_std(window).unwrap_or(TimeDelta::days(30));
    let journal = super::sending::open(config, paths).await?;
    let entries = journal.observed_since(start, MOST_ENTRIES).await?;
    journal.close().await;
    let mut by_subject: BTreeMap<String, Vec<Entry>> = BTreeMap::new();
    for e in entries {
        by_subject.entry(e.subject.clone()).or_default().push(e);
    }
    let episodes: Vec<Episode> = by_subject
        .iter()
        .flat_map(|(subject, entries)| response::episodes(subject, entries))
        .collect();
    let rows = response::by_service(&episodes, start, now);
    let noisy = response::noisiest(&episodes, start, now, NOISIEST);
    let flaps = response::flapping(&episodes, start, now);
    let mut out = std::io::stdout().lock();
    if json {
        let services: Vec<_> = rows
            .iter()
            .map(|r| {
                serde_json::json!({"service": sanitize::line(&r.service, 200), "fired": r.fired,
                    "to_ack": spread_json(&r.to_ack), "to_resolve": spread_json(&r.to_resolve),
                    "resolved_unacked": r.resolved_unacked})
            })
            .collect();
        let noisiest: Vec<_> = noisy
            .iter()
            .map(|(t, s, n, per_day)| {
                serde_json::json!({"title": sanitize::line(t, 200), "service": sanitize::line(s, 200),
                    "fired": n, "per_day": per_day})
            })
            .collect();
        let flapping: Vec<_> = flaps
            .iter()
            .map(|f| {
                serde_json::json!({"key": sanitize::line(&f.subject, 200), "title": sanitize::line(&f.title, 200),
                    "service": sanitize::line(&f.service, 200), "short_lived": f.short_lived,
                    "median_life_s": f.median_life.map(|d| d.num_seconds())})
            })
            .collect();
        let all = serde_json::json!({"since": start, "until": now, "from": "the journal",
            "services": services, "noisiest": noisiest, "flapping": flapping});
        serde_json::to_writer(&mut out, &all)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "response since {} (from the journal)",
        start.format("%Y-%m-%d %H:%M UTC")
    )?;
    writeln!(
        out,
        "{}{}{}{}RESOLVED UNACKED",
        fit("SERVICE", 22),
        fit("FIRED", 7),
        fit("TO ACK med/p90/mean", 26),
        fit("TO RESOLVE med/p90/mean", 26),
    )?;
    for r in &rows {
        let three =
            |s: &Spread| format!("{} / {} / {}", shown(s.median), shown(s.p90), shown(s.mean));
        let service = if r.service.is_empty() {
            "(none)".to_string()
        } else {
            sanitize::line(&r.service, 60)
        };
        writeln!(
            out,
            "{}{}{}{}{}",
            fit(&service, 22),
            fit(&r.fired.to_string(), 7),
            fit(&three(&r.to_ack), 26),
            fit(&three(&r.to_resolve), 26),
            r.resolved_unacked
        )?;
    }
    if rows.is_empty() {
        writeln!(out, "nothing fired in this period")?;
    }
    if !noisy.is_empty() {
        writeln!(out, "\nnoisiest alerts (candidates to tune or delete)")?;
        for (title, service, n, per_day) in &noisy {
            writeln!(
                out,
                "{}{}{n} fired, {per_day:.1}/day",
                fit(&sanitize::line(title, 60), 40),
                fit(&sanitize::line(service, 40), 22),
            )?;
        }
    }
    if !flaps.is_empty() {
        writeln!(
            out,
            "\nflapping (fired and resolved within 10m, 3 times or more)"
        )?;
        for f in &flaps {
            writeln!(
                out,
                "{}{}{} times, median {}  ({})",
                fit(&sanitize::line(&f.title, 60), 40),
                fit(&sanitize::line(&f.service, 40), 22),
                f.short_lived,
                shown(f.median_life),
                sanitize::line(&f.subject, 80)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
