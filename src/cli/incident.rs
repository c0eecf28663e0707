//! `onduty incidents` and `onduty incident REF CHANGE…`: the incidents view's list (the
//! journal's incidents and those back ends keep, after one poll) and its `:status`,
//! `:severity` and `:role`, through the same palette code: a journal incident changes in
//! the journal, a kept one through the outbox to its back end.

use std::io::Write;
use std::process::ExitCode;

use chrono::Utc;

use crate::app::Effect;
use crate::config::{Config, Paths};
use crate::journal::task::Request;
use crate::model::sanitize;
use crate::sources::SourceCommand;
use crate::ui::text::fit;

/// `onduty incidents [--json]`: every incident the incidents view lists, open ones first.
pub async fn list(config: &Config, paths: &Paths, json: bool) -> anyhow::Result<ExitCode> {
    let loaded = super::headless::load(config, paths, None).await?;
    let incidents = &loaded.app.incidents;
    let mut out = std::io::stdout().lock();
    if json {
        let rows: Vec<_> = incidents
            .iter()
            .map(|i| {
                let o = i.origin.as_deref();
                serde_json::json!({
                    "id": i.id,
                    "key": i.subject(),
                    "reference": i.label(),
                    "kept_by": o.map(|o| o.kind.clone()),
                    "title": sanitize::line(&i.title, 500),
                    "severity": format!("SEV{}", i.severity),
                    "severity_there": o.map(|o| o.severity_name.clone()),
                    "status": i.status.name(),
                    "status_there": o.map(|o| o.status_name.clone()),
                    "commander": i.commander.as_deref().map(|c| sanitize::line(c, 100)),
                    "scribe": i.scribe.as_deref().map(|c| sanitize::line(c, 100)),
                    "comms": i.comms.as_deref().map(|c| sanitize::line(c, 100)),
                    "roles": o.map(|o| o.roles.clone()),
                    "url": o.and_then(|o| o.url.clone()),
                    "channel": o.and_then(|o| o.channel.clone()),
                    "alerts": i.alerts.iter().map(|k| sanitize::line(&k.0, 200)).collect::<Vec<_>>(),
                    "opened_at": i.opened_at,
                    "resolved_at": i.resolved_at,
                })
            })
            .collect();
        serde_json::to_writer(&mut out, &rows)?;
        writeln!(out)?;
        return Ok(ExitCode::SUCCESS);
    }
    if incidents.is_empty() {
        writeln!(out, "no incidents")?;
    }
    for i in incidents {
        let status = match i.origin.as_deref() {
            Some(o) if !o.status_name.is_empty() => o.status_name.clone(),
            _ => i.status.name().to_string(),
        };
        let kept = i
            .origin
            .as_deref()
            .map_or(String::new(), |o| format!("  (in {})", o.kind));
        writeln!(
            out,
            "{}{}{}{}{kept}",
            fit(&i.label(), 14),
            fit(&format!("SEV{}", i.severity), 6),
            fit(&status, 15),
            sanitize::line(&i.title, 100)
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `onduty declare "SEV2 title" [--alert KEY]… [--in journal|SOURCE[,journal]]`: `I` from
/// the command line, through the same code.
pub async fn declare(
    config: &Config,
    paths: &Paths,
    text: &str,
    alerts: &[String],
    place: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let mut app = super::headless::load(config, paths, None).await?.app;
    if let Some(place) = place {
        app.set_declare_in(place).map_err(anyhow::Error::msg)?;
    }
    let keys = alerts
        .iter()
        .map(|k| crate::model::AlertKey(k.clone()))
        .collect();
    let effects = app
        .declare_from_command_line(text, keys)
        .map_err(anyhow::Error::msg)?;
    if let Some(t) = app.toast.as_ref().filter(|t| t.is_error) {
        anyhow::bail!("{}", t.text);
    }
    carry_out(config, paths, effects).await
}

/// Does what a palette command left to do: the journal's part here, the back ends' through
/// the outbox (`act_many`).
async fn carry_out(
    config: &Config,
    paths: &Paths,
    effects: Vec<Effect>,
) -> anyhow::Result<ExitCode> {
    let mut sends = Vec::new();
    for effect in effects {
        match effect {
            Effect::Journal(Request::ChangeIncident { id, change, author }) => {
                let journal = super::sending::open_to_write(config, paths).await?;
                journal
                    .change_incident(id, &change, &author, Utc::now())
                    .await?;
                journal.close().await;
                writeln!(std::io::stdout().lock(), "INC#{id}: {}", change.said())?;
            }
            Effect::Journal(Request::DeclareIncident(d)) => {
                let journal = super::sending::open_to_write(config, paths).await?;
                let incident = journal.declare(&d, Utc::now()).await?;
                journal.close().await;
                let title = sanitize::line(&incident.title, 200);
                writeln!(
                    std::io::stdout().lock(),
                    "INC#{} declared: SEV{} {title}",
                    incident.id,
                    incident.severity
                )?;
            }
            Effect::SendCommand {
                command: SourceCommand::Perform { key, op, .. },
                ..
            } => sends.push((key, op)),
            _ => {}
        }
    }
    if sends.is_empty() {
        return Ok(ExitCode::SUCCESS);
    }
    super::bulk::act_many(config, paths, &sends).await
}

/// `onduty incident REF status|severity|role …`: the palette's change to incident `REF`
/// (`3`, `INC-123`).
pub async fn change(
    config: &Config,
    paths: &Paths,
    reference: &str,
    words: &[String],
) -> anyhow::Result<ExitCode> {
    let Some((word, rest)) = words.split_first() else {
        anyhow::bail!("what changes? status STATUS | severity 1..4 | role ic|scribe|comms WHO");
    };
    if !["status", "severity", "sev", "role"].contains(&word.as_str()) {
        anyhow::bail!("'{word}': status, severity or role");
    }
    let mut app = super::headless::load(config, paths, None).await?.app;
    let effects = app.run_command_line(&format!("{word} {reference} {}", rest.join(" ")));
    if let Some(t) = app.toast.as_ref().filter(|t| t.is_error) {
        anyhow::bail!("{}", t.text);
    }
    carry_out(config, paths, effects).await
}
