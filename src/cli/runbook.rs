//! `onduty runbook KEY`: the runbook of an alert as text, after one poll of every source, as
//! `b` shows it in the dashboard: a link is fetched and its Markdown printed, the library's
//! runbook stands in (with the reason) for one that cannot be read, checklist ticks as the
//! journal keeps them.

use std::io::Write;
use std::process::ExitCode;

use crate::app::Action;
use crate::config::{Config, Paths};
use crate::runbook::Runbook;
use crate::runbook::fetch::{self, Fetched};
use crate::runbook::items;

/// Prints the runbook of alert `key`: 0 when there is one, 1 when the alert has none.
pub async fn runbook(config: &Config, paths: &Paths, key: &str) -> anyhow::Result<ExitCode> {
    let mut loaded = super::headless::load(config, paths, None).await?;
    let app = &mut loaded.app;
    let Some(alert) = app
        .all_alerts()
        .map(|(_, a)| a)
        .find(|a| a.key.0 == key)
        .cloned()
    else {
        anyhow::bail!("no source reports an alert '{key}' (see `onduty alerts`)");
    };
    let found = app
        .settings
        .runbooks
        .resolve(&alert, &app.settings.runbook_annotations);
    if let Some(Runbook::Link { url, .. }) = found {
        if url.starts_with("http://") || url.starts_with("https://") {
            let result = fetch::fetch(&url, fetch::TIMEOUT, fetch::FETCH_CAP).await;
            app.update(Action::RunbookFetched { url, result });
        }
    }
    let app = &loaded.app;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    if let Some(shown) = app.runbook_of(&alert) {
        if let Some((url, why)) = &shown.instead_of {
            writeln!(out, "{url}: {why}; the runbook from runbook_dirs follows\n")?;
        }
        let progress = app
            .runbook_progress(&alert)
            .map(|(done, steps)| format!(" · {done}/{steps} done"))
            .unwrap_or_default();
        match shown.title.as_str() {
            "" => writeln!(out, "{}{progress}\n", shown.id)?,
            title => writeln!(out, "{title}  ({}){progress}\n", shown.id)?,
        }
        let done = app.steps_done(&app.checklist_subject(&alert), &shown.id);
        let ticked = items::with_ticks(shown.markdown, &shown.items, |step| {
            done.is_some_and(|d| d.contains(step))
        });
        writeln!(out, "{}", ticked.trim_end())?;
        out.flush()?;
        return Ok(ExitCode::SUCCESS);
    }
    let code = match app
        .settings
        .runbooks
        .resolve(&alert, &app.settings.runbook_annotations)
    {
        Some(Runbook::Link { from, url }) => {
            let why = match app.fetched_runbooks.get(&url) {
                Some(Some(Ok(Fetched::Html))) => "a web page: open it in a browser".to_string(),
                Some(Some(Err(why))) => format!("could not be fetched: {why}"),
                _ => "a link: open it in a browser".to_string(),
            };
            writeln!(
                out,
                "runbook ({from}): {url}\n{why}; nothing in runbook_dirs matches"
            )?;
            ExitCode::SUCCESS
        }
        // Read above, through `runbook_of`.
        Some(Runbook::Local(_)) => ExitCode::SUCCESS,
        None => {
            writeln!(
                out,
                "{key} has no runbook: no {} annotation, and nothing in runbook_dirs matches it",
                app.settings.runbook_annotations.join("/")
            )?;
            ExitCode::from(1)
        }
    };
    out.flush()?;
    Ok(code)
}
