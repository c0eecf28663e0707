//! `onduty problems [--json]`: every problem record in the journal — status, owner, ticket,
//! cause, workaround, the alerts (by name) and incidents it links, and how often its alerts
//! fired in the last 30 days (the same ledger as the view's recurrence).

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use serde_json::json;

use crate::app::problems::RECURRENCE_WINDOW;
use crate::config::{Config, Paths};

/// Prints the problems, the newest first.
pub async fn problems(config: &Config, paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    let journal = super::sending::open(config, paths).await?;
    let problems = journal.problems().await?;
    let ledger = journal.history_since(now - RECURRENCE_WINDOW).await?;
    journal.close().await;
    let fired = |p: &crate::model::problem::Problem| -> usize {
        p.alerts
            .iter()
            .map(|a| {
                ledger
                    .fired_named(&a.title, &a.service, now - RECURRENCE_WINDOW)
                    .0
            })
            .sum()
    };
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<_> = problems
            .iter()
            .map(|p| {
                json!({"id": p.id, "title": p.title, "status": p.status.name(),
                    "cause": p.cause, "workaround": p.workaround, "owner": p.owner,
                    "ticket": p.ticket, "author": p.author,
                    "created_at": p.created_at, "updated_at": p.updated_at,
                    "alerts": p.alerts.iter().map(|a| json!({"title": a.title, "service": a.service})).collect::<Vec<_>>(),
                    "incidents": p.incidents, "fired_30d": fired(p)})
            })
            .collect();
        serde_json::to_writer(&mut out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if problems.is_empty() {
        writeln!(
            out,
            "no problem records (:problem in the dashboard opens one)"
        )?;
    }
    for p in &problems {
        writeln!(out, "#{} [{}] {}", p.id, p.status.name(), p.title)?;
        let alerts: Vec<String> = p.alerts.iter().map(|a| a.stored()).collect();
        for (k, v) in [
            ("owner", p.owner.clone()),
            ("ticket", p.ticket.clone()),
            ("cause", p.cause.clone()),
            ("workaround", p.workaround.clone()),
            ("alerts", alerts.join(", ")),
            ("incidents", p.incidents.join(", ")),
            ("fired", format!("{}× in 30 days", fired(p))),
        ] {
            if !v.is_empty() {
                writeln!(out, "  {k:<11} {}", v.replace('\n', "\n              "))?;
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
