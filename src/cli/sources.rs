//! `onduty sources [--json]`: on a shared PostgreSQL journal, who polls each shared source,
//! how fresh its last poll is, and how far each following dashboard is behind (frames not
//! yet applied, and since when) — `journal::polls::PollState`.

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;
use serde_json::json;

use crate::config::{Config, Paths};

/// Followers not heard of for this long are left out (quit or killed).
const GONE: std::time::Duration = std::time::Duration::from_secs(600);

/// Prints who polls what.
pub async fn sources(config: &Config, paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let journal = super::sending::open(config, paths).await?;
    let states = journal.poll_states(GONE).await;
    journal.close().await;
    let states = states?;
    let now = Utc::now();
    let mine: Vec<String> = config
        .sources
        .iter()
        .filter_map(crate::sources::share::fingerprint)
        .collect();
    let age = |t: chrono::DateTime<Utc>| crate::duration_fmt::age(now - t);
    let mut out = std::io::stdout().lock();
    if json {
        let list: Vec<_> = states
            .iter()
            .map(|s| {
                json!({"source": s.fingerprint, "is_this_config": mine.contains(&s.fingerprint),
                    "polled_by": s.polled_by, "is_held": s.is_held, "polled_at": s.polled_at,
                    "frame": s.seq,
                    "followers": s.followers.iter().map(|(who, seq, at)| json!({
                        "who": who, "frame": seq, "behind": s.seq - seq, "applied_at": at,
                    })).collect::<Vec<_>>()})
            })
            .collect();
        serde_json::to_writer(&mut out, &list)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if states.is_empty() {
        writeln!(
            out,
            "no shared polls in {}: sources are shared on a PostgreSQL journal, between \
             dashboards whose config of a source is the same",
            config
                .journal_location(&paths.journal_file())
                .map_or_else(|e| e, |l| l.describe())
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for s in &states {
        let polled = s.polled_at.map_or("no good poll yet".to_string(), |t| {
            format!("last poll {} ago", age(t))
        });
        let lease = if s.is_held { "" } else { " (lease run out)" };
        let yours = if mine.contains(&s.fingerprint) {
            "  (this config)"
        } else {
            ""
        };
        writeln!(
            out,
            "{}{yours}\n  polled by {}'s onduty{lease}, {polled}, frame {}",
            s.fingerprint, s.polled_by, s.seq
        )?;
        for (who, seq, at) in &s.followers {
            writeln!(
                out,
                "  followed by {who}: {} frame(s) behind, applied {} ago",
                s.seq - seq,
                age(*at)
            )?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
