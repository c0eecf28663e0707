//! Maintenance windows from the command line: `onduty silence --matcher … --every SPEC
//! --until DAY` creates every silence of the window at once (each pending at the back end
//! until it starts), `--window ID --until DAY` extends one, `onduty silences --windows`
//! lists them and `onduty expire --window ID` expires one — a window's silences as one,
//! through the outbox, read as the silences view reads them (`App::windows`).

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;

use crate::config::{Config, Paths};
use crate::model::window::{self, Every, Planned};
use crate::model::{AlertKey, Matcher};
use crate::sources::Operation;

/// Creates window silences for `matchers` on `source`, recurring `every` until `until`.
pub async fn create(
    config: &Config,
    paths: &Paths,
    (source, matchers): (&str, Vec<Matcher>),
    (every, until): (&str, &str),
    comment: &str,
) -> anyhow::Result<ExitCode> {
    let every = Every::parse(every).map_err(anyhow::Error::msg)?;
    let until = window::until_day(until).map_err(anyhow::Error::msg)?;
    let id = window::new_id();
    let planned = window::plan(&every, (Utc::now(), until), comment, &id, 1);
    if planned.is_empty() {
        anyhow::bail!("no occurrence of '{}' is left before {until}", every.said());
    }
    say(&format!(
        "window {id}: {} silence(s), {} until {until}",
        planned.len(),
        every.said()
    ))?;
    send(config, paths, source, &matchers, planned).await
}

/// Extends window `id` to `until`: the silences it lacks after its last one, numbered on.
pub async fn extend(
    config: &Config,
    paths: &Paths,
    id: &str,
    until: &str,
) -> anyhow::Result<ExitCode> {
    let until = window::until_day(until).map_err(anyhow::Error::msg)?;
    let loaded = super::headless::load(config, paths, None).await?;
    let app = &loaded.app;
    let Some(w) = app.windows().into_iter().find(|w| w.id == id) else {
        anyhow::bail!("no window '{id}' among the silences (see `onduty silences --windows`)");
    };
    let Some(one) = app
        .sources
        .iter()
        .flat_map(|s| s.silences.iter())
        .find(|s| s.window().is_some_and(|t| t.id == id))
    else {
        anyhow::bail!("no window '{id}'");
    };
    let every = Every::parse(&w.every).map_err(anyhow::Error::msg)?;
    let from = w.last_end.max(Utc::now());
    let planned = window::plan(&every, (from, until), &w.comment, id, w.last_n + 1);
    if planned.is_empty() {
        say(&format!(
            "window {id} already reaches {until}: nothing to add"
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    say(&format!(
        "window {id}: {} more silence(s) until {until}",
        planned.len()
    ))?;
    send(config, paths, &w.source.0, &one.matchers.clone(), planned).await
}

async fn send(
    config: &Config,
    paths: &Paths,
    source: &str,
    matchers: &[Matcher],
    planned: Vec<Planned>,
) -> anyhow::Result<ExitCode> {
    let key = AlertKey(format!("{source}:"));
    let actions: Vec<(AlertKey, Operation)> = planned
        .into_iter()
        .map(|p| {
            let op = Operation::CreateSilence {
                matchers: matchers.to_vec(),
                starts_at: Some(p.starts_at),
                duration: p.duration,
                comment: p.comment,
            };
            (key.clone(), op)
        })
        .collect();
    super::bulk::act_many(config, paths, &actions).await
}

/// `onduty silences --windows [--json]`: every window, soonest first.
pub async fn list(config: &Config, paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, None).await?;
    let windows = loaded.app.windows();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        serde_json::to_writer_pretty(&mut out, &windows)?;
        writeln!(out)?;
    } else {
        for w in &windows {
            let next = w.next_start.map_or("none left".to_string(), |t| {
                t.format("%Y-%m-%d %H:%M UTC").to_string()
            });
            writeln!(
                out,
                "{}:{}  {}  next {next}  until {}  {} pending, {} active, {} over  by {}  {}  {{{}}}",
                w.source,
                w.id,
                w.every,
                w.last_end.format("%Y-%m-%d"),
                w.pending,
                w.active,
                w.expired,
                w.created_by,
                w.comment,
                w.matchers.join(", ")
            )?;
        }
        writeln!(out, "{} window(s)", windows.len())?;
    }
    out.flush()?;
    Ok(if loaded.failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// `onduty expire --window ID`: every silence of the window not yet over.
pub async fn expire(config: &Config, paths: &Paths, id: &str) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, None).await?;
    let silences = loaded.app.window_silences(id);
    if silences.is_empty() {
        anyhow::bail!(
            "window '{id}' has no silence left to expire (see `onduty silences --windows`)"
        );
    }
    let actions: Vec<(AlertKey, Operation)> = silences
        .into_iter()
        .map(|(source, id)| {
            (
                AlertKey(format!("{source}:")),
                Operation::ExpireSilence { id },
            )
        })
        .collect();
    super::bulk::act_many(config, paths, &actions).await
}

fn say(line: &str) -> anyhow::Result<()> {
    writeln!(std::io::stdout().lock(), "{line}")?;
    Ok(())
}
