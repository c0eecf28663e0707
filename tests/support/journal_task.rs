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
            wake: std::collections::HashMap::new(),
            clock,
            author: "ana".into(),
            cancel: cancel.clone(),
        }
        .run(),
    );
    (events, requests_tx, cancel)
}

/// The journal task of a dashboard whose sources are `running` (as the dashboard's own
/// runtime starts it): it hears the journal and wakes the shared sources' followers when
/// their poller wrote a frame. What it tells is read and dropped. It stops when the token
/// returned is cancelled — after the sources, as the dashboard stops it (a quitting poller
/// lets go of its leases through the journal).
pub fn beside(
    journal: Journal,
    running: &onduty::sources::start::Running,
    who: &str,
) -> CancellationToken {
    let cancel = CancellationToken::new();
    let (_requests_tx, requests) = mpsc::unbounded_channel();
    let (events_tx, mut events) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        // Kept alive with the task: a closed request channel would end it.
        let _requests_tx = _requests_tx;
        while events.recv().await.is_some() {}
    });
    tokio::spawn(
        JournalTask {
            journal: Ok(journal),
            requests,
            events: events_tx,
            commands: running.commands.clone(),
            wake: running.wake.clone(),
            clock: Arc::new(SystemClock),
            author: who.into(),
            cancel: cancel.clone(),
        }
        .run(),
    );
    cancel
}
