//! What every command that goes through the journal shares: the journal opened (or why not),
//! the sources by name, an outbox item settled with its source's answer, and the exit status
//! of an action left pending.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::Utc;

use crate::clock::{SharedClock, SystemClock};
use crate::config::{Config, Paths};
use crate::journal::task::{Outcome, settle};
use crate::journal::{Journal, OutboxItem};
use crate::sources::start::{self, Built};
use crate::sources::{Error, Failure};

/// Exit status of an action left pending in the outbox.
pub(super) const PENDING: u8 = 3;
/// Opens the configured journal, or says why it cannot (which stops a CLI action: nothing
/// is sent that was not written).
pub(super) async fn open(config: &Config, paths: &Paths) -> anyhow::Result<Journal> {
    let location = config
        .journal_location(&paths.journal_file())
        .map_err(|e| anyhow::anyhow!("journal: {e}"))?;
    Ok(Journal::open(&location).await?)
}

/// Opens the configured journal to write to it: refused, saying why, when its database
/// lets this user only read ("read-only: your journal role is viewer").
pub(super) async fn open_to_write(config: &Config, paths: &Paths) -> anyhow::Result<Journal> {
    let journal = open(config, paths).await?;
    if let Some(reason) = journal.access().read_only_reason() {
        journal.close().await;
        anyhow::bail!("read-only: {reason}");
    }
    Ok(journal)
}

/// Who writes: the name the journal's database signs this user's rows with, else the
/// configured identity.
pub(super) fn author(config: &Config, journal: &Journal) -> String {
    journal
        .access()
        .stamped_as
        .clone()
        .unwrap_or_else(|| config.identity())
}

/// Settles `item` with what its source answered; the answer as a failure to show.
pub(super) async fn settle_item(
    journal: &Journal,
    item: &OutboxItem,
    performed: Result<(), Error>,
) -> anyhow::Result<Result<(), Failure>> {
    let result = performed.map_err(|e| Failure::from(&e).for_action_queued_at(item.created_at));
    let outcome = Outcome {
        id: item.id,
        key: &item.key,
        op: &item.op,
        author: &item.author,
        result: &result,
    };
    settle(journal, outcome, Utc::now()).await?;
    Ok(result)
}

/// The configured sources, built, by name.
pub(super) fn sources_by_name(config: &Config) -> HashMap<String, Built> {
    let clock: SharedClock = Arc::new(SystemClock);
    start::build(config, &clock)
        .into_iter()
        .map(|b| (b.info.id.0.to_string(), b))
        .collect()
}
