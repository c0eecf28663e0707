//! One action on many alerts from the command line (`onduty ack KEY KEY…`, `--filter`):
//! every item written to the outbox first, then each source given its items as one batch
//! (one look at the server, a few requests at a time), each outcome settled on its own, one
//! line each and a summary.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::process::ExitCode;

use chrono::{TimeDelta, Utc};

use super::sending::{settle_item, sources_by_name};
use crate::config::{Config, Paths};
use crate::journal::outbox::{NewAction, new_command_id};
use crate::journal::task::{SCOPE_BUSY, describe};
use crate::journal::{Journal, OutboxItem};
use crate::model::{AlertKey, sanitize};
use crate::sources::start::Built;
use crate::sources::{BatchItem, Operation, Source};

/// Past this many alerts, acting on what a filter matched needs `--yes`.
pub const CONFIRM_FROM: usize = 20;

/// Which alerts a command acts on: `KEY…`, and what `--filter` matches.
#[derive(clap::Args, Clone, Debug, Default)]
pub struct Targets {
    /// The alerts' keys, `SOURCE:ID` (see `onduty alerts`).
    pub keys: Vec<String>,
    /// Also every alert this filter matches (the `/` language).
    #[arg(long, value_name = "EXPR")]
    pub filter: Option<String>,
    /// Go ahead when the filter matches more than 20 alerts.
    #[arg(long)]
    pub yes: bool,
}

/// How the batch ended, for the exit status and the summary.
#[derive(Default)]
pub(super) struct Tally {
    done: usize,
    refused: usize,
    pending: usize,
}

/// Each action of `actions` (alerts already spread over the clusters that report them).
/// Exit status: 0 all done, 1 when any was refused, 3 when none was refused and any is left
/// pending in the outbox.
pub async fn act_many(
    config: &Config,
    paths: &Paths,
    actions: &[(AlertKey, Operation)],
) -> anyhow::Result<ExitCode> {
    let Some((_, first)) = actions.first() else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut sources = sources_by_name(config);
    for (key, _) in actions {
        let (source, _) = key
            .0
            .split_once(':')
            .ok_or_else(|| anyhow::anyhow!("'{key}' is not SOURCE:ID"))?;
        if !sources.contains_key(source) {
            anyhow::bail!("no source named '{source}' in the config");
        }
    }
    let journal = super::sending::open_to_write(config, paths).await?;
    let author = super::sending::author(config, &journal);
    // Written first, every one: nothing is sent that was not.
    let mut items: Vec<OutboxItem> = Vec::with_capacity(actions.len());
    for (key, op) in actions {
        let Some((source, _)) = key.0.split_once(':') else {
            continue;
        };
        let Some(built) = sources.get(source) else {
            continue;
        };
        let action = NewAction {
            id: new_command_id(),
            author: author.clone(),
            source: built.info.id.clone(),
            key: key.clone(),
            op: op.clone(),
        };
        items.push(journal.record(&action, Utc::now()).await?);
    }
    let mut out = std::io::stdout().lock();
    let tally = send_items(&journal, &mut sources, items, &mut out).await?;
    journal.close().await;
    // "500 ack", "3 silence 2h: vendor fix"; several different ones by their verb.
    let what = if actions.iter().all(|(_, op)| op == first) {
        describe(first)
    } else {
        first.verb().to_string()
    };
    writeln!(
        out,
        "{} {what}: {} done, {} refused, {} pending in the outbox",
        actions.len(),
        tally.done,
        tally.refused,
        tally.pending
    )?;
    Ok(tally.exit_code())
}

impl Tally {
    /// 0 all done, 1 when any was refused, 3 when none was and any is left pending.
    pub(super) fn exit_code(&self) -> ExitCode {
        if self.refused > 0 {
            ExitCode::FAILURE
        } else if self.pending > 0 {
            ExitCode::from(super::sending::PENDING)
        } else {
            ExitCode::SUCCESS
        }
    }
}

/// Sends `items` (written to the outbox already), each source's as one batch, settling each
/// outcome on its own and saying it on a line of `out`. An item whose alert another sender
/// is acting on now is left pending (a later flush or a dashboard sends it).
pub(super) async fn send_items(
    journal: &Journal,
    sources: &mut HashMap<String, Built>,
    items: Vec<OutboxItem>,
    out: &mut impl Write,
) -> anyhow::Result<Tally> {
    let mut tally = Tally::default();
    let mut by_source: BTreeMap<String, Vec<OutboxItem>> = BTreeMap::new();
    for item in items {
        by_source
            .entry(item.source.0.to_string())
            .or_default()
            .push(item);
    }
    for (name, items) in by_source {
        let Some(built) = sources.get_mut(&name) else {
            for item in &items {
                writeln!(
                    out,
                    "{}: no source named '{name}' in the config; left pending",
                    item.key
                )?;
            }
            tally.pending += items.len();
            continue;
        };
        let mut free = Vec::with_capacity(items.len());
        for item in items {
            if journal.take_scope(&item, Utc::now()).await? {
                free.push(item);
            } else {
                let now = Utc::now();
                journal
                    .retry_at(item.id, SCOPE_BUSY, now + TimeDelta::seconds(5), now)
                    .await?;
                let what = sanitize::line(&describe(&item.op), 120);
                writeln!(out, "{what} {}: pending ({SCOPE_BUSY})", item.key.target())?;
                tally.pending += 1;
            }
        }
        let batch: Vec<BatchItem> = free
            .iter()
            .map(|i| BatchItem {
                key: i.key.clone(),
                op: i.op.clone(),
                author: i.author.clone(),
            })
            .collect();
        let (done, mut told) = tokio::sync::mpsc::unbounded_channel();
        let per_item = built.policy.timeout * 2;
        let work = async {
            built.source.perform_batch(&batch, per_item, &done).await;
            drop(done);
        };
        let settle_each = async {
            let mut failed: Option<anyhow::Error> = None;
            while let Some((i, result)) = told.recv().await {
                let Some(item) = free.get(i) else { continue };
                let result = match settle_item(journal, item, result).await {
                    Ok(result) => result,
                    Err(e) => {
                        failed.get_or_insert(e);
                        continue;
                    }
                };
                let what = sanitize::line(&describe(&item.op), 120);
                let said = match &result {
                    Ok(()) => {
                        tally.done += 1;
                        "done".to_string()
                    }
                    Err(f) if f.is_transient => {
                        tally.pending += 1;
                        format!(
                            "pending in the outbox ({f}); `onduty outbox --flush` or a running dashboard sends it"
                        )
                    }
                    Err(f) => {
                        tally.refused += 1;
                        format!("failed: {f}")
                    }
                };
                let _ = writeln!(out, "{what} {}: {said}", item.key.target());
            }
            failed
        };
        let ((), failed) = tokio::join!(work, settle_each);
        if let Some(e) = failed {
            return Err(e);
        }
    }
    Ok(tally)
}
