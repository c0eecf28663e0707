//! Commands that go through the journal: `ack`, `resolve`, `silence`, `expire` (written to
//! the outbox before they are sent, exactly like the dashboard's), `note`, `outbox
//! [--flush]` and `timeline KEY`. Exit status: 0 done, 1 refused by the back end,
//! 3 left pending in the outbox (back end unreachable; a later flush or a running
//! dashboard sends it).

use std::io::Write;
use std::process::ExitCode;

use chrono::{TimeDelta, Utc};

use super::sending::{PENDING, author, open, open_to_write, settle_item, sources_by_name};
use crate::config::{Config, Paths};
use crate::journal::outbox::{NewAction, new_command_id};
use crate::journal::task::{SCOPE_BUSY, describe};
use crate::journal::timeline::NewEntry;
use crate::journal::{EntryKind, Journal, OutboxItem, OutboxState};
use crate::model::{AlertKey, sanitize};
use crate::sources::start::Built;
use crate::sources::{Operation, Source};
use crate::ui::text::fit;

/// How often a CLI action waiting for another sender on the same alert looks again: the
/// journal holds no notification for it on SQLite, and a wait of this size is not felt.
const SCOPE_POLL: std::time::Duration = std::time::Duration::from_millis(100);
/// Beyond the other sender's own time limit, how long a CLI action waits for it.
const SCOPE_SLACK: std::time::Duration = std::time::Duration::from_secs(2);

/// Writes `op` on `key` to the outbox, sends it, and records the outcome. An ack or a
/// silence goes, as from the dashboard, to one instance in each cluster reporting the alert.
pub async fn act(
    config: &Config,
    paths: &Paths,
    key: &str,
    op: Operation,
) -> anyhow::Result<ExitCode> {
    let spreads = matches!(op, Operation::Acknowledge | Operation::Silence { .. });
    let key = AlertKey(key.to_string());
    let keys = if spreads && config.sources.len() > 1 {
        let loaded = super::headless::load(config, paths, None).await?;
        loaded.app.keys_in_every_cluster(&key)
    } else {
        vec![key]
    };
    let mut code = ExitCode::SUCCESS;
    for key in keys {
        let this = act_on_one(config, paths, &key.0, op.clone()).await?;
        if code == ExitCode::SUCCESS {
            code = this;
        }
    }
    Ok(code)
}

/// `onduty ack|resolve|silence|reassign KEY… [--filter EXPR] [--yes]`: one key goes as `act`; several (or
/// what a filter matches, confirmed past 20 with `--yes`) go as one batch per source.
pub async fn act_on(
    config: &Config,
    paths: &Paths,
    targets: &super::bulk::Targets,
    op: Operation,
) -> anyhow::Result<ExitCode> {
    let (filter, yes) = (targets.filter.as_deref(), targets.yes);
    let mut wanted: Vec<AlertKey> = targets.keys.iter().map(|k| AlertKey(k.clone())).collect();
    let loaded = match (filter, wanted.len(), config.sources.len()) {
        (None, 0, _) => anyhow::bail!("give the alerts' keys, or --filter EXPR"),
        (None, 1, 1) => None,
        _ => Some(super::headless::load(config, paths, filter).await?),
    };
    let Some(loaded) = loaded else {
        return act(config, paths, &wanted[0].0, op).await;
    };
    let app = &loaded.app;
    if filter.is_some() {
        let matched: Vec<AlertKey> = app
            .alert_list
            .rows
            .iter()
            .filter_map(|r| match r {
                crate::app::rows::Row::Alert(r) => app.alert(*r).map(|a| a.key.clone()),
                crate::app::rows::Row::Group { .. } => None,
            })
            .collect();
        if matched.len() > super::bulk::CONFIRM_FROM && !yes {
            anyhow::bail!(
                "the filter matches {} alerts; add --yes to {} them all",
                matched.len(),
                op.verb()
            );
        }
        wanted.extend(matched);
    }
    // Each alert once, then spread over the clusters that report it, as `a` does.
    let spreads = matches!(op, Operation::Acknowledge | Operation::Silence { .. });
    let mut all: Vec<AlertKey> = Vec::with_capacity(wanted.len());
    let mut seen = std::collections::HashSet::new();
    for key in wanted {
        let spread = if spreads {
            app.keys_in_every_cluster(&key)
        } else {
            vec![key]
        };
        all.extend(spread.into_iter().filter(|k| seen.insert(k.clone())));
    }
    match all.as_slice() {
        [] => {
            writeln!(std::io::stdout().lock(), "no alert matches")?;
            Ok(ExitCode::SUCCESS)
        }
        [one] => act_on_one(config, paths, &one.0, op).await,
        _ => {
            let actions: Vec<(AlertKey, Operation)> =
                all.into_iter().map(|k| (k, op.clone())).collect();
            super::bulk::act_many(config, paths, &actions).await
        }
    }
}

/// `onduty expire SOURCE:ID…`: one goes as `act`; several as one batch per source.
pub async fn expire(config: &Config, paths: &Paths, keys: &[String]) -> anyhow::Result<ExitCode> {
    let mut actions = Vec::with_capacity(keys.len());
    for key in keys {
        let (source, id) = key
            .split_once(':')
            .filter(|(_, id)| !id.is_empty())
            .ok_or_else(|| anyhow::anyhow!("'{key}' is not SOURCE:SILENCE_ID"))?;
        let op = Operation::ExpireSilence { id: id.to_string() };
        actions.push((AlertKey(format!("{source}:")), op));
    }
    match actions.as_slice() {
        [(key, op)] => act(config, paths, &key.0, op.clone()).await,
        _ => super::bulk::act_many(config, paths, &actions).await,
    }
}

/// `act` on the one instance `key`.
async fn act_on_one(
    config: &Config,
    paths: &Paths,
    key: &str,
    op: Operation,
) -> anyhow::Result<ExitCode> {
    let (source, _) = key
        .split_once(':')
        .ok_or_else(|| anyhow::anyhow!("'{key}' is not SOURCE:ID"))?;
    let mut sources = sources_by_name(config);
    let built = sources
        .get_mut(source)
        .ok_or_else(|| anyhow::anyhow!("no source named '{source}' in the config"))?;
    let journal = open_to_write(config, paths).await?;
    let action = NewAction {
        id: new_command_id(),
        author: author(config, &journal),
        source: built.info.id.clone(),
        key: AlertKey(key.to_string()),
        op,
    };
    let item = journal.record(&action, Utc::now()).await?;
    let code = send(&journal, built, &item, &mut std::io::stdout().lock()).await?;
    journal.close().await;
    Ok(code)
}

/// Sends one claimed item, settles it in the journal, prints one line; the exit status.
async fn send(
    journal: &Journal,
    built: &mut Built,
    item: &OutboxItem,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let (what, target) = (describe(&item.op), item.key.target());
    let what = sanitize::line(&what, 120);
    // Another process acting on the same alert (a second `onduty ack`, a dashboard) goes
    // first: its effect is then found, not doubled.
    let wait = built.policy.timeout * 2 + SCOPE_SLACK;
    if !wait_for_scope(journal, item, wait).await? {
        let now = Utc::now();
        journal
            .retry_at(item.id, SCOPE_BUSY, now + TimeDelta::seconds(5), now)
            .await?;
        writeln!(
            out,
            "{what} {target}: pending in the outbox ({SCOPE_BUSY}); `onduty outbox --flush` or a running dashboard sends it"
        )?;
        return Ok(ExitCode::from(PENDING));
    }
    let performed = crate::sources::within(
        built.policy.timeout * 2,
        built.source.perform(&item.key, &item.op, &item.author),
    )
    .await;
    let result = settle_item(journal, item, performed).await?;
    Ok(match &result {
        Ok(()) => {
            writeln!(out, "{what} {target}: done")?;
            ExitCode::SUCCESS
        }
        Err(f) if f.is_transient => {
            writeln!(
                out,
                "{what} {target}: pending in the outbox ({f}); `onduty outbox --flush` or a running dashboard sends it"
            )?;
            ExitCode::from(PENDING)
        }
        Err(f) => {
            writeln!(out, "{what} {target}: failed: {f}")?;
            ExitCode::FAILURE
        }
    })
}

/// Takes `item`'s scope, waiting up to `wait` for another sender to settle; false if it
/// still holds it then.
async fn wait_for_scope(
    journal: &Journal,
    item: &OutboxItem,
    wait: std::time::Duration,
) -> anyhow::Result<bool> {
    let deadline = tokio::time::Instant::now() + wait;
    let mut tick = tokio::time::interval(SCOPE_POLL);
    loop {
        tick.tick().await;
        if journal.take_scope(item, Utc::now()).await? {
            return Ok(true);
        }
        if tokio::time::Instant::now() >= deadline {
            return Ok(false);
        }
    }
}

/// `onduty note KEY TEXT`: a note in the journal, as typed.
pub async fn note(
    config: &Config,
    paths: &Paths,
    key: &str,
    text: &str,
) -> anyhow::Result<ExitCode> {
    if text.trim().is_empty() {
        anyhow::bail!("the note is empty");
    }
    let journal = open_to_write(config, paths).await?;
    let entry = journal
        .append(NewEntry {
            subject: key,
            at: Utc::now(),
            author: &author(config, &journal),
            kind: EntryKind::Note,
            body: text,
            corrects: None,
        })
        .await?;
    journal.close().await;
    writeln!(std::io::stdout().lock(), "note {} on {key}", entry.id)?;
    // Where the dashboard's `n` also sends the note to the back end, so does this.
    let source = key.split_once(':').map(|(s, _)| s);
    let notes_go = config
        .sources
        .iter()
        .find(|s| Some(s.name.as_str()) == source)
        .map(|s| crate::sources::registry::capabilities(&s.kind).notes);
    match notes_go.and_then(|n| n.operation(text)) {
        Some(op) => act(config, paths, key, op).await,
        None => Ok(ExitCode::SUCCESS),
    }
}

/// `onduty outbox`: what is pending, then the latest settled items. With `flush`, every
/// pending item is sent now and the outcomes printed.
pub async fn outbox(config: &Config, paths: &Paths, flush: bool) -> anyhow::Result<ExitCode> {
    let journal = open(config, paths).await?;
    let mut out = std::io::stdout().lock();
    let code = if flush {
        flush_all(config, &journal, &mut out).await?
    } else {
        let open_items = journal.open_items().await?;
        writeln!(out, "{} pending", open_items.len())?;
        write_items(&mut out, &open_items)?;
        let settled: Vec<_> = journal
            .recent_items(20)
            .await?
            .into_iter()
            .filter(|i| matches!(i.state, OutboxState::Confirmed | OutboxState::Failed))
            .collect();
        if !settled.is_empty() {
            writeln!(out, "\nlatest settled")?;
            write_items(&mut out, &settled)?;
        }
        ExitCode::SUCCESS
    };
    journal.close().await;
    Ok(code)
}

async fn flush_all(
    config: &Config,
    journal: &Journal,
    out: &mut impl Write,
) -> anyhow::Result<ExitCode> {
    let now = Utc::now();
    // An item held by a process of this host that is gone (killed mid-send, its terminal
    // closed) is taken over now, not when its lease runs out.
    let freed = journal.free_orphans(now).await?;
    if freed > 0 {
        writeln!(out, "taking over {freed} item(s) of an onduty that is gone")?;
    }
    // Everything pending whatever its retry time; nothing a live sender holds.
    let items = journal.claim_due(now, now + TimeDelta::days(3650)).await?;
    let mut sources = sources_by_name(config);
    if items.is_empty() {
        writeln!(out, "nothing pending")?;
    }
    // Each source's items as one batch, as a dashboard sends them.
    let tally = super::bulk::send_items(journal, &mut sources, items, out).await?;
    Ok(tally.exit_code())
}

fn write_items(out: &mut impl Write, items: &[OutboxItem]) -> std::io::Result<()> {
    let now = Utc::now();
    for i in items {
        let what = sanitize::line(&describe(&i.op), 60);
        let error = i
            .last_error
            .as_deref()
            .map(|e| format!("  ({})", sanitize::line(e, 100)))
            .unwrap_or_default();
        writeln!(
            out,
            "{}{}{}{}{}{}",
            fit(i.state.name(), 11),
            fit(&crate::duration_fmt::age(now - i.created_at), 6),
            fit(&format!("x{}", i.attempts), 5),
            fit(&sanitize::line(&i.key.0, 48), 50),
            what,
            error
        )?;
    }
    Ok(())
}

/// `onduty timeline KEY`: everything the journal holds on an alert or incident.
pub async fn timeline(config: &Config, paths: &Paths, key: &str) -> anyhow::Result<ExitCode> {
    let journal = open(config, paths).await?;
    let entries = journal.timeline(key).await?;
    journal.close().await;
    let mut out = std::io::stdout().lock();
    if entries.is_empty() {
        writeln!(
            out,
            "nothing in the journal on {}",
            sanitize::line(key, 120)
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    for e in &entries {
        let star = if e.starred { "*" } else { " " };
        let body = sanitize::text(&e.body, sanitize::TEXT_CAP);
        let mut lines = body.lines();
        let corrects = e
            .corrects
            .map_or(String::new(), |id| format!("(of #{id}) "));
        writeln!(
            out,
            "{star}{}  {}  {}{}{corrects}{}",
            fit(&format!("#{}", e.id), 6),
            e.at.format("%Y-%m-%d %H:%M:%S"),
            fit(&sanitize::line(&e.author, 20), 12),
            fit(e.kind.name(), 11),
            lines.next().unwrap_or("")
        )?;
        for rest in lines {
            writeln!(out, "{:52}{rest}", "")?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
