//! One-shot commands: `onduty alerts` polls every source once and prints the merged alerts;
//! `onduty check` tries each source once and prints a line per source.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use super::journaled::act;
use super::polls::poll_all;
use crate::app::App;
use crate::app::alert_notes::PlacedNote;
use crate::app::rows::Row;
use crate::config::{Config, Paths};
use crate::duration_fmt;
use crate::model::{Alert, Matcher, Silence};
use crate::sources::Operation;
use crate::ui::alert_list;
use crate::ui::text::fit;

/// `onduty alerts [--json] [--filter EXPR]`: the alert list as the dashboard shows it
/// after one poll (one row however many instances report an alert, the same order, titles
/// and markers), with the journal's notes.
pub async fn alerts(
    config: &Config,
    paths: &Paths,
    json: bool,
    filter_text: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, filter_text).await?;
    let app = &loaded.app;
    let alerts: Vec<&Alert> = app
        .alert_list
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Alert(r) => app.alert(*r),
            Row::Group { .. } => None,
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        let listed: Vec<Listed<'_>> = alerts.iter().map(|a| Listed::of(app, a)).collect();
        write_json(&mut out, &listed)?;
        writeln!(out)?;
    } else {
        write_table(&mut out, app, &alerts)?;
    }
    out.flush()?;
    Ok(if loaded.failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// An alert as `onduty alerts --json` lists it: the alert, every instance reporting it (its
/// own first) and every note on it, wherever it lives.
#[derive(serde::Serialize)]
struct Listed<'a> {
    #[serde(flatten)]
    alert: &'a Alert,
    reported_by: Vec<&'a str>,
    notes: Vec<PlacedNote>,
    incident: Option<i64>,
}

impl<'a> Listed<'a> {
    fn of(app: &'a App, alert: &'a Alert) -> Listed<'a> {
        Listed {
            alert,
            reported_by: app.reporters(alert).iter().map(|s| &*s.info.id.0).collect(),
            notes: app.notes_on(alert),
            incident: app.open_incident_of(&alert.key),
        }
    }
}

/// JSON for a person at a terminal is indented; for a pipe (jq, a script) it is compact,
/// serialized on every core.
fn write_json<T: serde::Serialize + Sync>(out: &mut impl Write, items: &[T]) -> anyhow::Result<()> {
    if std::io::stdout().is_terminal() {
        serde_json::to_writer_pretty(&mut *out, items)?;
    } else {
        super::json_list::write_compact(out, items)?;
    }
    Ok(())
}

fn write_table(out: &mut impl Write, app: &App, alerts: &[&Alert]) -> std::io::Result<()> {
    let key_w = alerts
        .iter()
        .map(|a| a.key.0.chars().count())
        .max()
        .unwrap_or(3)
        .clamp(3, 48);
    writeln!(
        out,
        "{}{}{}{}{}{}AGE",
        fit("KEY", key_w + 2),
        fit("SEV", 6),
        fit("STATUS", 10),
        fit("SOURCE", 14),
        fit("SERVICE", 14),
        fit("TITLE", 56)
    )?;
    for a in alerts {
        let age = duration_fmt::age(app.now - a.started_at);
        writeln!(
            out,
            "{}{}{}{}{}{}{age}",
            fit(&a.key.0, key_w + 2),
            fit(a.severity.short(), 6),
            fit(a.status.name(), 10),
            fit(&alert_list::source_label(app, a), 14),
            fit(&a.service, 14),
            fit(&alert_list::plain_title(app, a), 56)
        )?;
    }
    writeln!(out, "{} alert(s)", alerts.len())
}

/// `onduty check`.
pub async fn check(
    config: &Config,
    config_dir: &std::path::Path,
    theme_problems: &[String],
    journal: anyhow::Result<crate::journal::Journal>,
) -> anyhow::Result<ExitCode> {
    let mut out = std::io::stdout().lock();
    let mut ok = theme_problems.is_empty();
    let verdict = if ok { "ok" } else { "NOT ok" };
    writeln!(out, "config {verdict}: {} source(s)", config.sources.len())?;
    for problem in theme_problems {
        writeln!(out, "theme: {problem}")?;
    }
    // The journal is where every action is written first: one that cannot be opened (a
    // PostgreSQL role or database that does not exist) stops every action.
    match journal {
        Ok(journal) => {
            // What the database lets this login do, as read when the journal opened.
            let place = journal.location().describe();
            let access = journal.access();
            writeln!(out, "journal ok: {place}, as {}", access.describe())?;
            if let Some(warning) = access.contradiction(&config.identity) {
                writeln!(out, "  warning: {warning}")?;
            }
            journal.close().await;
        }
        Err(e) => {
            ok = false;
            writeln!(out, "journal FAILED: {e:#}")?;
        }
    }
    let today = chrono::Utc::now().date_naive();
    for source in &config.sources {
        if let Some(sunset) = crate::sources::registry::capabilities(&source.kind).sunset {
            writeln!(out, "{}: {}", source.name, sunset.said(today))?;
        }
        if let Some(advice) = crate::sources::registry::advice(source) {
            writeln!(out, "{advice}")?;
        }
    }
    for (mut b, result, took) in poll_all(config).await {
        let took = format!("{}ms", took.as_millis());
        match result {
            Ok(s) => {
                let invalid = match s.invalid {
                    0 => String::new(),
                    n => format!(", {n} item(s) that are no alerts skipped"),
                };
                writeln!(
                    out,
                    "{} ok      {} alert(s){invalid} in {took}",
                    fit(&b.info.id.0, 20),
                    s.alerts.len()
                )?;
                // A rule that does not evaluate is an alert nobody will get.
                for r in s.rules.iter().filter(|r| !r.is_healthy()) {
                    let why = r.last_error.as_deref().unwrap_or("not evaluated yet");
                    writeln!(out, "  rule {} ({}) is {}: {why}", r.name, r.file, r.health)?;
                }
                acting_as(&mut out, &mut b, &config.identity).await?;
            }
            Err(e) => {
                ok = false;
                writeln!(out, "{} FAILED  {e} (after {took})", fit(&b.info.id.0, 20))?;
            }
        }
    }
    if !config.runbook_dirs.is_empty() {
        let library = crate::sources::start::runbook_library(config);
        // The demo's built-in runbooks are no files of yours.
        let files = library
            .entries
            .iter()
            .filter(|e| !e.path.starts_with(crate::sources::demo::RUNBOOK_DIR))
            .count();
        writeln!(out, "runbooks: {files} file(s)")?;
        for problem in &library.problems {
            ok = false;
            writeln!(out, "runbooks: {problem}")?;
        }
    }
    if config_dir.join(crate::postmortem::TEMPLATE_FILE).exists() {
        match crate::postmortem::template(config_dir) {
            Ok(_) => writeln!(out, "post-mortem template: ok")?,
            Err(e) => {
                ok = false;
                writeln!(out, "post-mortem template: {e}")?;
            }
        }
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// "  acts as Ana López <ana@example.com>" where the back end says who the token is, and a
/// warning when the configured `identity` names someone else (acks and notes go out as the
/// token's user).
async fn acting_as(
    out: &mut impl Write,
    b: &mut crate::sources::start::Built,
    configured: &str,
) -> std::io::Result<()> {
    use crate::sources::Source;
    let asked = tokio::time::timeout(b.policy.timeout, b.source.whoami()).await;
    match asked {
        Ok(Ok(Some(who))) => {
            writeln!(out, "  acts as {}", who.said())?;
            if let Some(warning) = who.contradiction(&b.info.id.0, configured) {
                writeln!(out, "  warning: {warning}")?;
            }
        }
        Ok(Ok(None)) => {}
        Ok(Err(e)) => writeln!(out, "  who the token is: not told ({e})")?,
        Err(_) => writeln!(out, "  who the token is: no answer in time")?,
    }
    Ok(())
}

/// How long `onduty silence` silences: `--for`, or a maintenance window (`--every`,
/// `--until`).
pub enum Length<'a> {
    /// From now, this long.
    For(std::time::Duration),
    /// Every occurrence of `every` until the day `until` (as typed; checked when used).
    Window {
        /// `sun 02:00-04:00`.
        every: &'a str,
        /// `2027-03-01`.
        until: &'a str,
    },
}

/// `onduty silence KEY… [--filter EXPR] [--yes]`, or `--matcher …` for a silence by
/// matchers on one source (or a maintenance window of them).
pub async fn silence(
    config: &Config,
    paths: &Paths,
    which: &super::bulk::Targets,
    length: Length<'_>,
    comment: &str,
    matchers: &[String],
    source: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let comment = comment.to_string();
    if matchers.is_empty() {
        if which.keys.is_empty() && which.filter.is_none() {
            anyhow::bail!("give the alerts' keys, --filter EXPR, or --matcher");
        }
        let Length::For(duration) = length else {
            anyhow::bail!("a maintenance window silences by --matcher, not alert keys");
        };
        let op = Operation::Silence { duration, comment };
        return super::journaled::act_on(config, paths, which, op).await;
    }
    if !which.keys.is_empty() || which.filter.is_some() {
        anyhow::bail!("give either alert keys (or --filter) or --matcher, not both");
    }
    let matchers = matchers
        .iter()
        .map(|m| Matcher::parse(m))
        .collect::<Result<Vec<_>, _>>()
        .map_err(anyhow::Error::msg)?;
    let source = match source {
        Some(s) => s.to_string(),
        None if config.sources.len() == 1 => config.sources[0].name.clone(),
        None => anyhow::bail!("several sources: say which with --source"),
    };
    let duration = match length {
        Length::For(duration) => duration,
        Length::Window { every, until } => {
            let matched = (source.as_str(), matchers);
            return super::windows::create(config, paths, matched, (every, until), &comment).await;
        }
    };
    let op = Operation::CreateSilence {
        matchers,
        starts_at: None,
        duration,
        comment,
    };
    act(config, paths, &format!("{source}:"), op).await
}

/// A silence as `onduty silences` lists it: with how many current alerts it catches and
/// its upkeep, as the silences view shows it.
#[derive(serde::Serialize)]
struct ListedSilence<'a> {
    #[serde(flatten)]
    silence: &'a Silence,
    catches: usize,
    hygiene: crate::app::silences::Hygiene,
}

/// `onduty silences [--json] [--stale]`: the silences view's rows (one poll of every
/// source, the same order, counts and marks).
pub async fn silences(
    config: &Config,
    paths: &Paths,
    json: bool,
    stale: bool,
) -> anyhow::Result<ExitCode> {
    let mut loaded = super::headless::load(config, paths, None).await?;
    let failed = loaded.failed;
    if stale {
        loaded
            .app
            .set_silence_filter(crate::app::silences::SilenceFilter::Stale);
    }
    let app = &loaded.app;
    let now = app.now;
    let all: Vec<ListedSilence<'_>> = app
        .silence_list
        .rows
        .iter()
        .filter_map(|&(s, i, caught)| {
            let silence = app.sources.get(s)?.silences.get(i)?;
            Some(ListedSilence {
                silence,
                catches: caught,
                hygiene: crate::app::silences::Hygiene::of(silence, caught, now),
            })
        })
        .collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if json {
        write_json(&mut out, &all)?;
        writeln!(out)?;
    } else {
        for l in &all {
            let s = l.silence;
            let matchers: Vec<String> = s.matchers.iter().map(ToString::to_string).collect();
            let ends = if s.ends_at > now {
                format!("ends in {}", duration_fmt::remaining(s.ends_at - now))
            } else {
                "expired".into()
            };
            writeln!(
                out,
                "{}:{}  {:?}  {ends}  catches {}  {}by {}  {}  {{{}}}",
                s.source,
                s.id,
                s.state,
                l.catches,
                l.hygiene.said(),
                s.created_by,
                s.comment,
                matchers.join(", ")
            )?;
        }
        writeln!(out, "{} silence(s)", all.len())?;
    }
    out.flush()?;
    Ok(if failed {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}
