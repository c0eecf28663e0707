//! `onduty insights [--since 30d] [--by service|team|policy|responder]
//! [--json|--markdown|--csv]`: what the view `9` draws, from the journal's history through
//! the same ledger and report (`crate::insights`), as text, Markdown, CSV or JSON.

use std::io::Write;
use std::process::ExitCode;

use chrono::{TimeDelta, Utc};
use serde_json::{Value, json};

use crate::config::{Config, Paths};
use crate::insights::analytics::{Analytics, Figures};
use crate::insights::load::Load;
use crate::insights::report::{Counted, GroupBy, Report, Row};
use crate::insights::stats::Spread;
use crate::insights::tables;
use crate::model::sanitize;

/// How the insights are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Aligned text.
    Text,
    /// Markdown tables.
    Markdown,
    /// CSV.
    Csv,
    /// One JSON object.
    Json,
}

/// Prints the insights of the last `since` (whole days), rows by `by`.
pub async fn insights(
    config: &Config,
    paths: &Paths,
    since: &str,
    by: &str,
    format: Format,
) -> anyhow::Result<ExitCode> {
    let window = crate::duration_fmt::parse(since).map_err(|e| anyhow::anyhow!("--since: {e}"))?;
    let days = i64::try_from(window.as_secs().div_ceil(86_400))
        .unwrap_or(90)
        .clamp(1, 3_660);
    let by = GroupBy::parse(by).unwrap_or_default();
    let now = Utc::now();
    let journal = super::sending::open(config, paths).await?;
    // The period before is read too: the change is against it.
    let ledger = journal
        .history_since(now - TimeDelta::days(2 * days))
        .await?;
    journal.close().await;
    let report = Report::of(&ledger, &config.escalation, now, days, by);
    let theirs = backends_analytics(config, report.since, report.until).await;
    let mut out = std::io::stdout().lock();
    match format {
        Format::Json => {
            let mut all = as_json(&report);
            all["backends"] = theirs
                .iter()
                .map(|(source, a)| match a {
                    Ok(a) => analytics_json(a),
                    Err(why) => json!({"source": source, "error": why}),
                })
                .collect();
            serde_json::to_writer(&mut out, &all)?;
            writeln!(out)?;
        }
        Format::Text => {
            writeln!(
                out,
                "insights since {} ({} days, from the journal)",
                report.since.format("%Y-%m-%d %H:%M UTC"),
                report.days
            )?;
            for line in tables::summary(&report) {
                writeln!(out, "{line}")?;
            }
            writeln!(
                out,
                "fires per day: {}  ({})",
                tables::sparkline(&report.total.daily),
                tables::days_listed(&report.total.daily)
            )?;
            print_tables(&mut out, &report, &theirs, tables::text)?;
        }
        Format::Markdown => {
            writeln!(
                out,
                "## Insights, {} days to {} (from the journal)\n",
                report.days,
                report.until.format("%Y-%m-%d %H:%M UTC")
            )?;
            for line in tables::summary(&report) {
                writeln!(out, "- {line}")?;
            }
            writeln!(
                out,
                "- fires per day: {}",
                tables::days_listed(&report.total.daily)
            )?;
            print_tables(&mut out, &report, &theirs, tables::markdown)?;
        }
        Format::Csv => {
            for t in tables::all(&report) {
                write!(out, "{}", tables::csv(&t))?;
            }
            for a in theirs.iter().filter_map(|(_, a)| a.as_ref().ok()) {
                write!(out, "{}", tables::csv(&tables::analytics(a)))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn secs(d: Option<TimeDelta>) -> Value {
    d.map_or(Value::Null, |d| d.num_seconds().into())
}

fn spread(s: &Spread) -> Value {
    json!({"n": s.n, "median_s": secs(s.median), "p90_s": secs(s.p90), "mean_s": secs(s.mean)})
}

fn row(r: &Row) -> Value {
    json!({"name": sanitize::line(&r.name, 200), "fired": r.fired,
        "to_ack": spread(&r.to_ack), "to_resolve": spread(&r.to_resolve),
        "resolved_unacked": r.unacked, "daily": r.daily,
        "before": {"fired": r.before.fired, "to_ack_median_s": secs(r.before.to_ack),
            "to_resolve_median_s": secs(r.before.to_resolve)}})
}

fn counted(list: &[Counted]) -> Value {
    list.iter()
        .map(|c| {
            json!({"key": sanitize::line(&c.subject, 200), "title": sanitize::line(&c.title, 200),
            "service": sanitize::line(&c.service, 200), "n": c.n, "fired": c.fired})
        })
        .collect()
}

fn parts<T: Into<Value> + Copy>(three: [T; 3]) -> Value {
    json!({"business": three[0].into(), "off": three[1].into(), "sleep": three[2].into()})
}

fn load(l: &Load) -> Value {
    json!({"who": sanitize::line(&l.who, 200), "zone": l.zone.name(),
        "on_call_s": parts(l.on_call.map(|d| d.num_seconds())),
        "pages": parts(l.pages.map(|n| n as u64)), "acks": parts(l.acks.map(|n| n as u64)),
        "busiest_nights": l.busiest_nights.iter()
            .map(|(d, n)| json!({"night": d.to_string(), "pages": n})).collect::<Vec<_>>()})
}

/// The report's tables and then each back end's analytics, each table as `shown` tells it.
fn print_tables(
    out: &mut impl Write,
    report: &Report,
    theirs: &[(String, Result<Analytics, String>)],
    shown: fn(&tables::Table) -> String,
) -> std::io::Result<()> {
    for t in tables::all(report) {
        write!(out, "\n{}", shown(&t))?;
    }
    for (source, a) in theirs {
        match a {
            Ok(a) => write!(
                out,
                "\n{}\n{}\n",
                shown(&tables::analytics(a)),
                tables::slowest(a)
            )?,
            Err(why) => writeln!(out, "\n{source}'s analytics: {why}")?,
        }
    }
    Ok(())
}

/// What every source that keeps analytics says of `[since, until)`, each within its
/// timeout: (source, figures or why not).
async fn backends_analytics(
    config: &Config,
    since: chrono::DateTime<Utc>,
    until: chrono::DateTime<Utc>,
) -> Vec<(String, Result<Analytics, String>)> {
    use crate::sources::Source;
    let clock: crate::clock::SharedClock = std::sync::Arc::new(crate::clock::SystemClock);
    let asked = crate::sources::start::build(config, &clock)
        .into_iter()
        .filter(|b| b.info.can.analytics)
        .map(|mut b| async move {
            let answer = tokio::time::timeout(b.policy.timeout, b.source.analytics(since, until));
            let result = match answer.await {
                Ok(Ok(Some(a))) => Ok(a),
                Ok(Ok(None)) => Err("no analytics".to_string()),
                Ok(Err(e)) => Err(e.to_string()),
                Err(_) => Err("timed out".to_string()),
            };
            (b.info.id.to_string(), result)
        });
    futures::future::join_all(asked).await
}

fn analytics_json(a: &Analytics) -> Value {
    let three = |t: &[Option<TimeDelta>; 3]| json!({"mean_s": secs(t[0]), "p50_s": secs(t[1]), "p90_s": secs(t[2])});
    let figures = |f: &Figures| {
        json!({"name": f.name, "incidents": f.incidents, "to_ack": three(&f.to_ack),
            "to_resolve": three(&f.to_resolve),
            "escalations": {"timeout": f.escalated_by_timeout, "by_hand": f.escalated_by_hand},
            "auto_resolved": f.auto_resolved, "interruptions": parts(f.interruptions)})
    };
    json!({"source": a.source, "from": "the back end's own analytics",
        "since": a.since, "until": a.until, "total": figures(&a.total),
        "services": a.services.iter().map(figures).collect::<Vec<_>>(),
        "slowest": a.slowest.iter().map(|s| json!({"id": s.id, "service": s.service,
            "to_resolve_s": s.to_resolve.num_seconds()})).collect::<Vec<_>>()})
}

/// The report as one JSON object (times in seconds).
pub fn as_json(r: &Report) -> Value {
    json!({"since": r.since, "until": r.until, "days": r.days, "by": r.by.name(),
        "from": "the journal",
        "total": row(&r.total),
        "rows": r.rows.iter().map(row).collect::<Vec<_>>(),
        "escalations": {"timeout": r.escalations_by_timeout, "by_hand": r.escalations_by_hand},
        "reopened": r.reopened, "incidents_reopened": r.incidents_reopened,
        "noisiest": counted(&r.noisiest),
        "flapping": r.flapping.iter().map(|f| json!({"key": sanitize::line(&f.subject, 200),
            "title": sanitize::line(&f.title, 200), "service": sanitize::line(&f.service, 200),
            "short_lived": f.short_lived, "median_life_s": secs(f.median_life)})).collect::<Vec<_>>(),
        "resolved_unacked": counted(&r.unacked),
        "silenced_more_than_fired": counted(&r.over_silenced),
        "load": r.load.iter().map(load).collect::<Vec<_>>()})
}
