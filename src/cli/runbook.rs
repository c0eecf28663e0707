//! `onduty runbook KEY`: the runbook of an alert as text, after one poll of every source.

use std::io::Write;
use std::process::ExitCode;

use crate::config::Config;
use crate::runbook::Runbook;

/// Prints the resolved runbook of alert `key`: 0 when found, 1 when the alert has none,
/// 2 when no source reports the alert.
pub async fn runbook(config: &Config, key: &str) -> anyhow::Result<ExitCode> {
    let (snapshots, _) = super::oneshot::answered_by_source(config).await;
    let alert = snapshots
        .iter()
        .flat_map(|(_, s)| s.alerts.iter())
        .find(|a| a.key.0 == key);
    let Some(alert) = alert else {
        anyhow::bail!("no source reports an alert '{key}' (see `onduty alerts`)");
    };
    let library = config.runbook_library();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let code = match library.resolve(alert, &config.runbook_annotations) {
        Some(Runbook::Local(entry)) => {
            writeln!(out, "{}  ({})\n", entry.title, entry.path.display())?;
            writeln!(out, "{}", entry.markdown.trim_end())?;
            ExitCode::SUCCESS
        }
        Some(Runbook::Link { from, url }) => {
            writeln!(out, "runbook ({from}): {url}")?;
            ExitCode::SUCCESS
        }
        None => {
            writeln!(
                out,
                "{key} has no runbook: no {} annotation, and nothing in runbook_dirs matches it",
                config.runbook_annotations.join("/")
            )?;
            ExitCode::from(1)
        }
    };
    out.flush()?;
    Ok(code)
}
