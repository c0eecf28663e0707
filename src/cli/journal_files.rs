//! `onduty journal export | import FILE | copy FROM TO`: the journal as a file, for backups,
//! restores and a team moving from a laptop's SQLite to a shared PostgreSQL
//! (`journal::export`); `setup --roles` and `person`: a shared journal's roles and the
//! names its users are shown by (`journal::roles`).

use std::io::Write;
use std::process::ExitCode;

use super::JournalAction;
use crate::config::{Config, Paths};
use crate::journal::{Journal, Location};

/// `--since`: a date, a time, or a span back from now ("30d").
fn when(s: &str) -> anyhow::Result<chrono::DateTime<chrono::Utc>> {
    if let Ok(span) = crate::duration_fmt::parse(s) {
        let back = chrono::TimeDelta::from_std(span).unwrap_or(chrono::TimeDelta::zero());
        return Ok(chrono::Utc::now() - back);
    }
    let day = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc());
    day.or_else(|| crate::sources::when::parse(s))
        .ok_or_else(|| anyhow::anyhow!("--since '{s}': use 2026-12-01, an RFC 3339 time, or 30d"))
}

/// Runs `action`.
pub async fn run(
    config: &Config,
    paths: &Paths,
    action: &JournalAction,
) -> anyhow::Result<ExitCode> {
    match action {
        JournalAction::Export { since } => {
            let since = since.as_deref().map(when).transpose()?;
            let journal = super::sending::open(config, paths).await?;
            let text = journal.export(since).await;
            journal.close().await;
            std::io::stdout().lock().write_all(text?.as_bytes())?;
        }
        JournalAction::Import { file } => {
            let text = std::fs::read_to_string(file)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let journal = super::sending::open(config, paths).await?;
            let added = journal.import(&text).await;
            journal.close().await;
            let added = added.map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            writeln!(
                std::io::stdout().lock(),
                "{added} row(s) imported from {}",
                file.display()
            )?;
        }
        JournalAction::Copy { from, to } => {
            let open = |place: &str| {
                Location::parse(Some(place), &paths.journal_file())
                    .map_err(|e| anyhow::anyhow!("'{place}': {e}"))
            };
            let (from_at, to_at) = (open(from)?, open(to)?);
            let source = Journal::open(&from_at).await?;
            let text = source.export(None).await;
            source.close().await;
            let target = Journal::open(&to_at).await?;
            let added = target.import(&text?).await;
            target.close().await;
            writeln!(
                std::io::stdout().lock(),
                "{} row(s) copied from {} to {}",
                added?,
                from_at.describe(),
                to_at.describe()
            )?;
        }
        JournalAction::Setup { roles, dry_run } => {
            if !roles {
                anyhow::bail!("say what to set up: `onduty journal setup --roles`");
            }
            let mut out = std::io::stdout().lock();
            if *dry_run {
                writeln!(
                    out,
                    "-- onduty journal setup --roles (dry run: nothing was changed)\n\
                     -- first, the journal's migrations if it lacks them; then:"
                )?;
                for statement in crate::journal::roles::setup_sql() {
                    writeln!(out, "{statement};")?;
                }
                return Ok(ExitCode::SUCCESS);
            }
            let journal = super::sending::open(config, paths).await?;
            let ran = journal.set_up_roles().await;
            journal.close().await;
            let ran = ran?;
            writeln!(
                out,
                "{} statements run on {}: roles {}, {} and {} with their grants; rows are \
                 signed by their database user.\nAdd a person: CREATE ROLE ana LOGIN IN ROLE \
                 {}; then `onduty journal person ana \"Ana López\"`.",
                ran.len(),
                journal.location().describe(),
                crate::journal::roles::OWNER,
                crate::journal::roles::RESPONDER,
                crate::journal::roles::VIEWER,
                crate::journal::roles::RESPONDER,
            )?;
        }
        JournalAction::Person { db_user, name } => {
            let journal = super::sending::open(config, paths).await?;
            let done = match (db_user, name) {
                (Some(user), Some(name)) => journal.set_person(user, name).await.map(|()| {
                    format!(
                        "{user}'s rows are shown as written by {}\n",
                        crate::model::sanitize::line(name, 64)
                    )
                }),
                (None, None) => journal.people().await.map(|people| {
                    people
                        .iter()
                        .map(|(user, name)| {
                            format!(
                                "{:<20} {}\n",
                                crate::model::sanitize::line(user, 64),
                                crate::model::sanitize::line(name, 64)
                            )
                        })
                        .collect()
                }),
                _ => Err(crate::journal::JournalError::Io(
                    "give both: onduty journal person DB_USER NAME".into(),
                )),
            };
            journal.close().await;
            write!(std::io::stdout().lock(), "{}", done?)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
