//! One-shot commands: `onduty alerts` polls every source once and prints the merged alerts;
//! `onduty check` tries each source once and prints a line per source.

use std::io::Write;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

use crate::app::filter;
use crate::clock::{SharedClock, SystemClock};
use crate::config::Config;
use crate::duration_fmt;
use crate::model::Alert;
use crate::sources::Snapshot;
use crate::sources::registry::{self, Built};
use crate::ui::text::fit;

/// Polls every source once, concurrently, each within its timeout.
async fn poll_all(config: &Config) -> Vec<(Built, Result<Snapshot, String>, std::time::Duration)> {
    let clock: SharedClock = Arc::new(SystemClock);
    let polls = registry::build(config, &clock)
        .into_iter()
        .map(|mut b| async move {
            let started = Instant::now();
            let result = match tokio::time::timeout(b.policy.timeout, b.source.fetch()).await {
                Ok(r) => r.map_err(|e| e.to_string()),
                Err(_) => Err(format!(
                    "timed out after {}",
                    duration_fmt::short(b.policy.timeout)
                )),
            };
            (b, result, started.elapsed())
        });
    futures::future::join_all(polls).await
}

/// `onduty alerts [--json] [--filter EXPR]`.
pub async fn alerts(
    config: &Config,
    json: bool,
    filter_text: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let filter = filter::parse_user(filter_text.unwrap_or(""))
        .map_err(|e| anyhow::anyhow!("--filter: {e}"))?;
    let mut alerts: Vec<Alert> = Vec::new();
    let mut failed = false;
    for (b, result, _) in poll_all(config).await {
        match result {
            Ok(s) => alerts.extend(s.alerts.into_iter().filter(|a| filter.matches(a))),
            Err(e) => {
                failed = true;
                #[allow(clippy::print_stderr, reason = "CLI output, no TUI")]
                {
                    eprintln!("onduty: source '{}' failed: {e}", b.info.id);
                }
            }
        }
    }
    alerts.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(b.started_at.cmp(&a.started_at))
            .then(a.key.cmp(&b.key))
    });
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &alerts)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, &alerts)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_table(out: &mut impl Write, alerts: &[Alert]) -> std::io::Result<()> {
    let now = chrono::Utc::now();
    let key_w = alerts
        .iter()
        .map(|a| a.key.0.chars().count())
        .max()
        .unwrap_or(3)
        .clamp(3, 48);
    writeln!(
        out,
        "{}{}{}{}{}AGE",
        fit("KEY", key_w + 2),
        fit("SEV", 6),
        fit("STATUS", 10),
        fit("SERVICE", 14),
        fit("TITLE", 32)
    )?;
    for a in alerts {
        let age = duration_fmt::age(now - a.started_at);
        let status = a
            .acked_by
            .as_ref()
            .filter(|_| a.status == crate::model::Status::Acked)
            .map_or_else(|| a.status.name().to_string(), |who| format!("acked:{who}"));
        writeln!(
            out,
            "{}{}{}{}{}{age}",
            fit(&a.key.0, key_w + 2),
            fit(a.severity.short(), 6),
            fit(&status, 10),
            fit(&a.service, 14),
            fit(&a.title, 32)
        )?;
    }
    writeln!(out, "{} alert(s)", alerts.len())
}

/// `onduty check`.
pub async fn check(config: &Config) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    writeln!(out, "config ok: {} source(s)", config.sources.len())?;
    let mut ok = true;
    for (b, result, took) in poll_all(config).await {
        let took = format!("{}ms", took.as_millis());
        match result {
            Ok(s) => writeln!(
                out,
                "{} ok      {} alert(s) in {took}",
                fit(&b.info.id.0, 20),
                s.alerts.len()
            )?,
            Err(e) => {
                ok = false;
                writeln!(out, "{} FAILED  {e} (after {took})", fit(&b.info.id.0, 20))?;
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
