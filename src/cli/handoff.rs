//! `onduty handoff [--since 12h] [--out FILE]`: the shift hand-off as Markdown, from the
//! journal's record of the shift and every source polled once.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use chrono::{TimeDelta, Utc};

use crate::config::{Config, Paths};
use crate::handoff::{Picture, Shift};

/// Prints (or writes to `out`, atomically) the hand-off of the last `since`.
pub async fn handoff(
    config: &Config,
    paths: &Paths,
    since: &str,
    out: Option<&Path>,
) -> anyhow::Result<ExitCode> {
    let length =
        crate::duration_fmt::parse(since).map_err(|e| anyhow::anyhow!("--since '{since}': {e}"))?;
    let length =
        TimeDelta::from_std(length).map_err(|_| anyhow::anyhow!("--since '{since}': too long"))?;
    let journal = super::sending::open(config, paths).await?;
    let (snapshots, failing) = super::polls::answered_or_failing(config).await;
    let to = Utc::now();
    let shift = Shift {
        from: to - length,
        to,
        by: config.identity(),
    };
    let gathered = crate::handoff::gather(&journal, &shift).await;
    journal.close().await;
    let gathered = gathered?;
    let mut picture = Picture {
        failing,
        ..Picture::default()
    };
    for (_, s) in snapshots {
        picture.add(s.alerts, &s.silences, &s.escalation);
    }
    let text = crate::handoff::render(&shift, &gathered, &picture.live());
    match out {
        Some(path) => {
            crate::postmortem::write_atomically(path, &text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            writeln!(std::io::stderr().lock(), "wrote {}", path.display())?;
        }
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    Ok(if picture.failing.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}
