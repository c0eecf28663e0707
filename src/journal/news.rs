//! What a process learns from the journal that others wrote: everything recent at start
//! (`start_news`, which the dashboard and the CLI twins of its views both read), and the
//! PostgreSQL listener that says when another process wrote or the journal went away.

use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::protocol::JournalEvent;
use super::{Journal, JournalError, Location};

/// Changes seen at sources loaded at start (the newest of the last day).
const HISTORY_KEPT: i64 = 2_000;
/// Notes older than this are not loaded at start.
const NOTES_KEPT: TimeDelta = TimeDelta::days(7);
/// Checklist steps changed longer ago than this are not loaded at start.
const STEPS_KEPT: TimeDelta = TimeDelta::days(30);

/// What a dashboard learns from the journal when it starts (and what the CLI twins of its
/// views load, so that both tell one story): fires and changes of the last day, `author`'s
/// drafts, ticket links, checklist ticks, recent notes, incidents; with the newest entry id
/// seen (0 when it could not be read). A failure is told as `Unavailable`.
pub async fn start_news(
    journal: &Journal,
    now: DateTime<Utc>,
    author: &str,
) -> (Vec<JournalEvent>, i64) {
    let mut news = Vec::new();
    let mut keep = |got: Result<Option<JournalEvent>, JournalError>| match got {
        Ok(Some(event)) => news.push(event),
        Ok(None) => {}
        Err(e) => news.push(JournalEvent::Unavailable(e.to_string())),
    };
    let some = |is_empty: bool, event: JournalEvent| (!is_empty).then_some(event);
    // Where picking up starts is read first: anything written while the rest loads is
    // then picked up (told twice at worst, and each kind of news is kept once), never
    // lost between a load and the id read after it.
    let last = journal.last_entry_id().await;
    let day_ago = now - TimeDelta::hours(24);
    keep(
        journal
            .fires_since(day_ago)
            .await
            .map(|f| some(f.is_empty(), JournalEvent::Fires(f))),
    );
    // What happened while nobody looked, for :history and the detail's timeline.
    keep(
        journal
            .observed_since(day_ago, HISTORY_KEPT)
            .await
            .map(|e| some(e.is_empty(), JournalEvent::Entries(e))),
    );
    keep(
        journal
            .drafts(author)
            .await
            .map(|d| some(d.is_empty(), JournalEvent::Drafts(d))),
    );
    keep(
        journal
            .ticket_links()
            .await
            .map(|l| some(l.is_empty(), JournalEvent::TicketLinks(l))),
    );
    keep(
        journal
            .ticks_since(now - STEPS_KEPT)
            .await
            .map(|t| some(t.is_empty(), JournalEvent::Ticks(t))),
    );
    let notes = journal.notes_since(now - NOTES_KEPT).await;
    // Notes not read are read again from the start with the next pick-up.
    let is_notes_read = notes.is_ok();
    keep(notes.map(|n| some(n.is_empty(), JournalEvent::Entries(n))));
    keep(
        journal
            .incidents()
            .await
            .map(|i| Some(JournalEvent::Incidents(i))),
    );
    keep(
        journal
            .problems()
            .await
            .map(|p| some(p.is_empty(), JournalEvent::Problems(p))),
    );
    let last = match last {
        Ok(last) if is_notes_read => last,
        Ok(_) => 0,
        Err(e) => {
            keep(Err(e));
            0
        }
    };
    (news, last)
}

/// Tells when another process wrote to a PostgreSQL journal, and when the journal went away
/// (its connection drops at once when PostgreSQL stops: the dashboard says so before a
/// responder saves a note into the void); on the same connection, when a shared source's
/// poller wrote a frame (one listening connection a dashboard, not two).
pub(super) struct Listener {
    listener: Option<sqlx::postgres::PgListener>,
    is_failing: bool,
}

/// What a notification said.
pub(super) enum Heard {
    /// Another process wrote entries or outbox items.
    Entries,
    /// The poller of the shared source of this fingerprint wrote a frame.
    Frames(String),
}

impl Listener {
    /// Listens on `location`'s journal, and to the polls' frames as well when `polls`.
    pub(super) async fn start(location: &Location, polls: bool) -> Listener {
        let Location::Postgres(url) = location else {
            return Listener::none();
        };
        let listener = async {
            // Its own pool, quick to give up: a reconnect to a server that is down then
            // fails in seconds (the default pool retries for 30 s) and the outage is told.
            let pool = sqlx::postgres::PgPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(Duration::from_secs(2))
                .connect(url)
                .await?;
            let mut l = sqlx::postgres::PgListener::connect_with(&pool).await?;
            let frames = polls.then_some(super::polls::CHANNEL);
            let channels = ["onduty_timeline", "onduty_outbox"]
                .into_iter()
                .chain(frames);
            l.listen_all(channels).await?;
            Ok::<_, sqlx::Error>(l)
        };
        match listener.await {
            Ok(l) => Listener {
                listener: Some(l),
                is_failing: false,
            },
            Err(e) => {
                tracing::warn!(error = %crate::model::sanitize::line(&e.to_string(), 200), "journal: no LISTEN, polling instead");
                Listener::none()
            }
        }
    }

    fn none() -> Listener {
        Listener {
            listener: None,
            is_failing: false,
        }
    }

    pub(super) fn is_live(&self) -> bool {
        self.listener.is_some()
    }

    /// Resolves at the next notification — `Heard::Frames(fingerprint)` when a poller wrote
    /// a frame, else `Heard::Entries` — or when the connection is lost and cannot be made
    /// again (never, without a listener).
    pub(super) async fn changed(&mut self) -> Result<Heard, JournalError> {
        let Some(l) = &mut self.listener else {
            return std::future::pending().await;
        };
        if self.is_failing {
            // It reconnects on the next recv; once a second while the journal is down.
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        match l.recv().await {
            Ok(n) => {
                self.is_failing = false;
                Ok(if n.channel() == super::polls::CHANNEL {
                    Heard::Frames(n.payload().to_string())
                } else {
                    Heard::Entries
                })
            }
            Err(e) => {
                self.is_failing = true;
                Err(e.into())
            }
        }
    }
}
