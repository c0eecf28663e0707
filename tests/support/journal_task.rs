//! A dashboard's journal task without the dashboard: its events, its requests, and what
//! stops it (dropping the request sender would end it too).

use std::sync::Arc;

use onduty::clock::{SharedClock, SystemClock};
use onduty::journal::Journal;
use onduty::journal::task::{JournalEvent, JournalTask, Request};
use onduty::model::SourceId;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// The journal task of a dashboard on `location` (no sources).
pub async fn dashboard(
    location: &onduty::journal::Location,
) -> (
    mpsc::UnboundedReceiver<JournalEvent>,
    mpsc::UnboundedSender<Request>,
    CancellationToken,
) {
    start(Journal::open(location).await.unwrap(), &[])
}

/// Starts the journal task of a dashboard (identity "ana") over `journal`, with a command
/// channel (never read) for each of `sources`.
pub fn start(
    journal: Journal,
    sources: &[&str],
) -> (
    mpsc::UnboundedReceiver<JournalEvent>,
    mpsc::UnboundedSender<Request>,
    CancellationToken,
) {
    let (requests_tx, requests) = mpsc::unbounded_channel();
    let (events_tx, events) = mpsc::unbounded_channel();
    let cancel = CancellationToken::new();
    let clock: SharedClock = Arc::new(SystemClock);
    tokio::spawn(
        JournalTask {
            journal: Ok(journal),
            requests,
            events: events_tx,
            commands: sources
                .iter()
                .map(|s| (SourceId((*s).into()), mpsc::unbounded_channel().0))
                .collect(),
            clock,
            author: "ana".into(),
            cancel: cancel.clone(),
        }
        .run(),
    );
    (events, requests_tx, cancel)
}
