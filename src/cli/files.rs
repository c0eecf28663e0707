//! `onduty init` (write the commented default config) and `onduty info` (every path used).

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;

use super::Cli;
use crate::config::{DEFAULT_TOML, Paths, ensure_private_dir};

/// Writes the commented default config, refusing to overwrite unless `force`.
pub fn init(paths: &Paths, explicit: Option<&Path>, force: bool) -> anyhow::Result<ExitCode> {
    let path = explicit.map_or_else(|| paths.config_file(), Path::to_path_buf);
    if path.exists() && !force {
        anyhow::bail!(
            "'{}' exists already; use --force to overwrite it",
            path.display()
        );
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        ensure_private_dir(dir).with_context(|| format!("creating '{}'", dir.display()))?;
    }
    let tmp = path.with_extension("toml.tmp");
    std::fs::write(&tmp, DEFAULT_TOML).with_context(|| format!("writing '{}'", tmp.display()))?;
    std::fs::rename(&tmp, &path).with_context(|| format!("writing '{}'", path.display()))?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "wrote {}", path.display())?;
    writeln!(
        out,
        "edit it, then `onduty check` validates it and tries each source"
    )?;
    Ok(ExitCode::SUCCESS)
}

/// Prints every path onduty uses.
pub fn info(paths: &Paths, cli: &Cli) -> anyhow::Result<ExitCode> {
    let config = cli.config.clone().unwrap_or_else(|| paths.config_file());
    // Whole, as everything else here: `--config onduty.toml` names a file in some directory.
    let config = std::path::absolute(&config).unwrap_or(config);
    let state = |p: &Path| if p.exists() { "" } else { " (not there yet)" };
    let rows = [
        ("config file", config.clone()),
        ("themes dir", paths.themes_dir()),
        ("data dir", paths.data_dir.clone()),
        ("exports", paths.exports_dir()),
        ("log dir", paths.log_dir()),
    ];
    let mut out = std::io::stdout().lock();
    writeln!(out, "onduty {}", env!("CARGO_PKG_VERSION"))?;
    for (name, path) in rows {
        writeln!(out, "{name:<12} {}{}", path.display(), state(&path))?;
    }
    // The journal the config names (PostgreSQL: its host and database, never a password),
    // else the SQLite file.
    let journal = match super::load_config(cli, paths, false) {
        Ok((config, None)) => match config.journal_location(&paths.journal_file()) {
            Ok(crate::journal::Location::Sqlite(p)) => format!("{}{}", p.display(), state(&p)),
            Ok(location) => location.describe(),
            Err(e) => format!("(journal = …: {e})"),
        },
        _ => format!(
            "{}{} (the config has errors: onduty check says which)",
            paths.journal_file().display(),
            state(&paths.journal_file())
        ),
    };
    writeln!(out, "{:<12} {journal}", "journal")?;
    writeln!(
        out,
        "{:<12} {}",
        "log filter",
        std::env::var("ONDUTY_LOG").unwrap_or_else(|_| "onduty=info (set ONDUTY_LOG)".into())
    )?;
    Ok(ExitCode::SUCCESS)
}
