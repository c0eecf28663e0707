//! `onduty tickets [--json] [--filter EXPR]`: every configured ticketing source's tickets
//! after one poll, each with the alerts and incidents it is linked to, linked by the same
//! rules as in the dashboard (labels, the journal's links, markers of tickets opened here).

use crate::app::App;
use crate::config::{Config, Paths};
use crate::duration_fmt;
use crate::ui::text::fit;
use std::io::Write;
use std::process::ExitCode;

/// `onduty tickets`.
pub async fn tickets(
    config: &Config,
    paths: &Paths,
    json: bool,
    filter_text: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, filter_text).await?;
    let (app, failed) = (&loaded.app, loaded.failed);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        write_json(&mut out, app)?;
    } else {
        write_table(&mut out, app)?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

fn write_json(out: &mut impl Write, app: &App) -> anyhow::Result<()> {
    let rows: Vec<serde_json::Value> = app
        .ticket_list
        .rows
        .iter()
        .filter_map(|r| Some((app.ticket(*r)?, app.linked_to(*r))))
        .map(|(t, linked)| {
            serde_json::json!({
                "key": t.key,
                "source": t.source,
                "id": t.id,
                "title": t.title,
                "status": t.status,
                "state": t.state,
                "assignee": t.assignee,
                "priority": t.priority,
                "labels": t.labels,
                "url": t.url,
                "updated": t.updated,
                "comments": t.comment_count,
                "last_comment": t.last_comment(),
                "linked": linked,
            })
        })
        .collect();
    serde_json::to_writer(&mut *out, &rows)?;
    writeln!(out)?;
    Ok(())
}

fn write_table(out: &mut impl Write, app: &App) -> std::io::Result<()> {
    let rows: Vec<_> = app
        .ticket_list
        .rows
        .iter()
        .filter_map(|r| Some((app.ticket(*r)?, app.linked_to(*r))))
        .collect();
    let key_w = rows
        .iter()
        .map(|(t, _)| t.key.0.chars().count())
        .max()
        .unwrap_or(3)
        .clamp(3, 40);
    writeln!(
        out,
        "{}{}{}{}{}{}LINKED",
        fit("KEY", key_w + 2),
        fit("STATE", 12),
        fit("STATUS", 14),
        fit("ASSIGNEE", 14),
        fit("AGE", 5),
        fit("TITLE", 40)
    )?;
    for (t, linked) in &rows {
        let age = t
            .updated
            .map(|u| duration_fmt::age(app.now - u))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{}{}{}{}{}{}",
            fit(&t.key.0, key_w + 2),
            fit(t.state.word(), 12),
            fit(&t.status, 14),
            fit(t.assignee.as_deref().unwrap_or("-"), 14),
            fit(&age, 5),
            fit(&t.title, 40),
            linked.join(", ")
        )?;
    }
    writeln!(out, "{} ticket(s)", rows.len())
}
