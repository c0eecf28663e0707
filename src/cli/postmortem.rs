//! `onduty postmortem KEY [--out FILE] [--fresh]`: the post-mortem of an incident (or an
//! alert) as Markdown: the draft kept in the journal, else one written from the journal.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use crate::config::{Config, Paths};

/// Prints (or writes to `out`, atomically) the post-mortem of `key`.
pub async fn postmortem(
    config: &Config,
    paths: &Paths,
    key: &str,
    out: Option<&Path>,
    fresh: bool,
) -> anyhow::Result<ExitCode> {
    let template = crate::postmortem::template(&paths.config_dir).map_err(anyhow::Error::msg)?;
    let journal = super::sending::open(config, paths).await?;
    let subject = match key.parse::<u64>() {
        Ok(n) => crate::journal::incidents::subject(n as i64),
        Err(_) => key.to_string(),
    };
    let prepared = crate::postmortem::prepare(
        &journal,
        &subject,
        &template,
        chrono::Utc::now(),
        fresh,
        &[],
    )
    .await;
    journal.close().await;
    let prepared = prepared.map_err(anyhow::Error::msg)?;
    match out {
        Some(path) => {
            crate::postmortem::write_atomically(path, &prepared.text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            let from = if prepared.is_kept {
                "the kept draft"
            } else {
                "a new draft from the journal"
            };
            writeln!(
                std::io::stderr().lock(),
                "wrote {} ({from})",
                path.display()
            )?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(prepared.text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
