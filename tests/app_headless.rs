//! The real runtime loop on a TestBackend with the real demo source task: keys go in through
//! an event stream, actions go to the source and come back confirmed.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use onduty::clock::SharedClock;
use onduty::journal::{Journal, JournalError, Location, OutboxState};
use onduty::runtime::{self, Exit};
use onduty::sources::PollPolicy;
use onduty::sources::start::{self, AnySource, Built};
use onduty::testing::{demo_source, empty_app};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;
use tokio_stream_shim::ReceiverStream;

mod tokio_stream_shim {
    //! A tiny Stream over an mpsc receiver (what tokio-stream's ReceiverStream does).
    use std::pin::Pin;
    use std::task::{Context, Poll};
    pub struct ReceiverStream<T>(pub tokio::sync::mpsc::UnboundedReceiver<T>);
    impl<T> futures::Stream for ReceiverStream<T> {
        type Item = T;
        fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<T>> {
            self.0.poll_recv(cx)
        }
    }
}

fn key(c: char) -> std::io::Result<Event> {
    Ok(Event::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

/// An app over the real demo source task, 100 s into the story, polled every `interval`.
fn started(interval: Duration) -> (onduty::app::App, start::Running, SharedClock) {
    let (source, clock) = demo_source(100);
    let shared: SharedClock = Arc::new(clock.clone());
    let app = empty_app(clock.now_utc());
    let info = app.sources[0].info.clone();
    let policy = PollPolicy {
        interval,
        ..PollPolicy::default()
    };
    let built = Built {
        info,
        source: AnySource::new(source),
        policy,
    };
    let running = start::start(vec![built], &shared);
    (app, running, shared)
}

/// The real loop with no journal (its writes are refused, which these tests do not need).
async fn run_without_journal<B, E>(
    terminal: &mut Terminal<B>,
    app: onduty::app::App,
    events: E,
    running: start::Running,
    clock: SharedClock,
    shutdown: impl std::future::Future<Output = ()>,
) -> anyhow::Result<(onduty::app::App, Exit)>
where
    B: ratatui::backend::Backend + runtime::Screen,
    B::Error: Send + Sync + 'static,
    E: futures::Stream<Item = std::io::Result<Event>> + Unpin,
{
    let journal = Err(JournalError::Io("no journal in this test".into()));
    // As SIGTERM would.
    let shutdown = async {
        shutdown.await;
        15
    };
    runtime::run(terminal, app, events, running, journal, clock, shutdown).await
}

async fn temp_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().unwrap();
    let journal = Journal::open(&Location::Sqlite(dir.path().join("j.sqlite3")))
        .await
        .unwrap();
    (dir, journal)
}

// Paused time: a sleep returns only once every task is idle, so "after the first poll has
// landed" is a fact of the schedule, not a guess about wall-clock speed. The journal works
// on its own thread, so its writes are waited for by reading the journal itself.
#[tokio::test]
async fn ack_is_written_then_travels_to_the_demo_source_and_back_then_quit() {
    let (dir, journal) = temp_journal().await;
    // The test reads through its own pool, so it never waits for the task's connection.
    let reader = Journal::open(&Location::Sqlite(dir.path().join("j.sqlite3")))
        .await
        .unwrap();
    tokio::time::pause();
    let (app, running, clock) = started(Duration::from_secs(3600));
    let (tx, rx) = mpsc::unbounded_channel();
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    let check = reader.clone();
    tokio::spawn(async move {
        // Once idle (first poll landed), ack the top alert; once the journal holds the
        // outcome, and all is idle again, quit. Dropping `tx` afterwards ends the stream: if
        // `q` only asked (ack still pending), the loop ends as TerminalGone and the test fails.
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(key('a')).unwrap();
        loop {
            let items = check.recent_items(1).await.unwrap();
            if let Some(item) = items.first().filter(|i| i.state == OutboxState::Confirmed) {
                if !check.timeline(&item.key.0).await.unwrap().is_empty() {
                    break;
                }
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(key('q')).unwrap();
    });
    let run = runtime::run(
        &mut terminal,
        app,
        ReceiverStream(rx),
        running,
        Ok(journal),
        clock,
        std::future::pending(),
    );
    // Virtual time: it runs ahead while the journal's thread works (a waiting task counts
    // as idle), so the bound is generous; it only catches a loop that never ends.
    let (app, exit) = tokio::time::timeout(Duration::from_secs(600), run)
        .await
        .expect("the loop ends")
        .unwrap();
    assert_eq!(exit, Exit::Quit);
    // Real time again for the reads below: the pool's own timers must not jump.
    tokio::time::resume();
    assert!(
        app.pending.is_empty(),
        "the ack was confirmed before quitting: {:?}",
        app.pending
    );
    let acked: Vec<_> = app.sources[0]
        .alerts
        .iter()
        .filter(|a| a.acked_by.as_deref() == Some("ana"))
        .collect();
    assert_eq!(
        acked.len(),
        1,
        "the demo reports the ack after the follow-up poll"
    );
    let item = &reader.recent_items(5).await.unwrap()[0];
    assert_eq!(
        (item.key.0.as_str(), item.author.as_str(), item.attempts),
        (acked[0].key.0.as_str(), "ana", 1)
    );
    let timeline = reader.timeline(&item.key.0).await.unwrap();
    assert_eq!(timeline[0].body, "ack: done");
    let screen = format!("{}", terminal.backend());
    assert!(screen.contains("ACK"), "{screen}");
}

#[tokio::test(start_paused = true)]
async fn without_a_journal_an_action_is_refused_and_the_alerts_still_show() {
    let (app, running, clock) = started(Duration::from_secs(3600));
    let (tx, rx) = mpsc::unbounded_channel();
    let mut terminal = Terminal::new(TestBackend::new(120, 30)).unwrap();
    tokio::spawn(async move {
        tokio::time::sleep(Duration::from_millis(300)).await;
        tx.send(key('a')).unwrap();
        // Keep the stream open until the loop has ended.
        std::future::pending::<()>().await;
    });
    let run = runtime::run(
        &mut terminal,
        app,
        ReceiverStream(rx),
        running,
        Err(JournalError::Io("disk full".into())),
        clock,
        async {
            tokio::time::sleep(Duration::from_millis(600)).await;
            15
        },
    );
    let (app, exit) = run.await.unwrap();
    assert_eq!(exit, Exit::Signal(15));
    assert!(
        app.pending.is_empty(),
        "nothing is pending: nothing was sent"
    );
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.is_error && toast.text.contains("ack not sent"),
        "{toast:?}"
    );
    assert!(
        app.journal_error
            .as_deref()
            .is_some_and(|e| e.contains("disk full"))
    );
    assert!(
        !app.sources[0].alerts.is_empty(),
        "the alerts are still shown"
    );
    assert!(
        app.sources[0]
            .alerts
            .iter()
            .all(|a| a.acked_by.as_deref() != Some("ana")),
        "the demo never saw the ack"
    );
}

#[tokio::test]
async fn the_loop_ends_when_the_terminal_goes_away() {
    let (app, running, clock) = started(Duration::from_secs(15));
    let (tx, rx) = mpsc::unbounded_channel::<std::io::Result<Event>>();
    tx.send(Err(std::io::Error::other("EIO"))).unwrap();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let run = run_without_journal(
        &mut terminal,
        app,
        ReceiverStream(rx),
        running,
        clock,
        std::future::pending(),
    );
    let (_, exit) = run.await.unwrap();
    assert!(matches!(exit, Exit::TerminalGone(e) if e.contains("EIO")));
}

#[tokio::test]
async fn a_signal_ends_the_loop() {
    let (app, running, clock) = started(Duration::from_secs(15));
    let (_tx, rx) = mpsc::unbounded_channel::<std::io::Result<Event>>();
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (_, exit) = run_without_journal(
        &mut terminal,
        app,
        ReceiverStream(rx),
        running,
        clock,
        async {},
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Signal(15));
}

/// A terminal event stream that behaves like crossterm's `EventStream`: while pending, it
/// keeps the first waker it was given until an event wakes it, whatever later polls pass.
struct FirstWakerStream {
    events: std::sync::mpsc::Receiver<std::io::Result<Event>>,
    kept: Arc<std::sync::Mutex<Option<std::task::Waker>>>,
}

impl futures::Stream for FirstWakerStream {
    type Item = std::io::Result<Event>;
    fn poll_next(
        self: std::pin::Pin<&mut Self>,
        cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Self::Item>> {
        match self.events.try_recv() {
            Ok(e) => std::task::Poll::Ready(Some(e)),
            Err(std::sync::mpsc::TryRecvError::Disconnected) => std::task::Poll::Ready(None),
            Err(std::sync::mpsc::TryRecvError::Empty) => {
                let mut kept = self.kept.lock().unwrap();
                if kept.is_none() {
                    *kept = Some(cx.waker().clone());
                }
                std::task::Poll::Pending
            }
        }
    }
}

// Paused time: the loop's only other wake-up is its 1 s tick, so a key that is not seen
// until then shows as a quit at 1 s of virtual time instead of at 400 ms.
#[tokio::test(start_paused = true)]
async fn a_key_after_a_key_is_seen_at_once_by_a_stream_that_keeps_its_first_waker() {
    let (app, running, clock) = started(Duration::from_secs(3600));
    let (tx, rx) = std::sync::mpsc::channel();
    let kept = Arc::new(std::sync::Mutex::new(None::<std::task::Waker>));
    let stream = FirstWakerStream {
        events: rx,
        kept: kept.clone(),
    };
    let started_at = tokio::time::Instant::now();
    tokio::spawn(async move {
        for (at, c) in [(300, 'j'), (400, 'q')] {
            tokio::time::sleep_until(started_at + Duration::from_millis(at)).await;
            tx.send(key(c)).unwrap();
            if let Some(w) = kept.lock().unwrap().take() {
                w.wake();
            }
        }
        std::future::pending::<()>().await;
    });
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    let (_, exit) = run_without_journal(
        &mut terminal,
        app,
        stream,
        running,
        clock,
        std::future::pending(),
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Quit);
    let quit_at = started_at.elapsed();
    assert!(
        quit_at < Duration::from_millis(900),
        "q was seen at {quit_at:?} of virtual time: the loop was deaf until its tick"
    );
}

/// A TestBackend that notes the (virtual) time of every frame it sends, and fails every
/// write once closed, as a pty does after its terminal went away.
struct WatchedBackend {
    inner: TestBackend,
    frames: Arc<std::sync::Mutex<Vec<tokio::time::Instant>>>,
    is_closed: Arc<std::sync::atomic::AtomicBool>,
}

impl WatchedBackend {
    fn new() -> Self {
        WatchedBackend {
            inner: TestBackend::new(80, 24),
            frames: Arc::default(),
            is_closed: Arc::default(),
        }
    }

    fn writable(&self) -> std::io::Result<()> {
        if self.is_closed.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(std::io::Error::from_raw_os_error(5)); // EIO, as from a closed pty
        }
        Ok(())
    }
}

/// Every method is TestBackend's, after the closed check where the real one would write.
impl ratatui::backend::Backend for WatchedBackend {
    type Error = std::io::Error;

    fn draw<'a, I>(&mut self, content: I) -> std::io::Result<()>
    where
        I: Iterator<Item = (u16, u16, &'a ratatui::buffer::Cell)>,
    {
        self.writable()?;
        let Ok(()) = self.inner.draw(content);
        Ok(())
    }
    fn hide_cursor(&mut self) -> std::io::Result<()> {
        self.writable()
    }
    fn show_cursor(&mut self) -> std::io::Result<()> {
        self.writable()
    }
    fn get_cursor_position(&mut self) -> std::io::Result<ratatui::layout::Position> {
        let Ok(p) = self.inner.get_cursor_position();
        Ok(p)
    }
    fn set_cursor_position<P: Into<ratatui::layout::Position>>(
        &mut self,
        position: P,
    ) -> std::io::Result<()> {
        self.writable()?;
        let Ok(()) = self.inner.set_cursor_position(position);
        Ok(())
    }
    fn clear(&mut self) -> std::io::Result<()> {
        self.writable()?;
        let Ok(()) = self.inner.clear();
        Ok(())
    }
    fn clear_region(&mut self, clear_type: ratatui::backend::ClearType) -> std::io::Result<()> {
        self.writable()?;
        let Ok(()) = self.inner.clear_region(clear_type);
        Ok(())
    }
    fn size(&self) -> std::io::Result<ratatui::layout::Size> {
        let Ok(s) = self.inner.size();
        Ok(s)
    }
    fn window_size(&mut self) -> std::io::Result<ratatui::backend::WindowSize> {
        let Ok(s) = self.inner.window_size();
        Ok(s)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.writable()?;
        self.frames
            .lock()
            .unwrap()
            .push(tokio::time::Instant::now());
        Ok(())
    }
}

impl runtime::Screen for WatchedBackend {
    fn write_raw(&mut self, _: &[u8]) -> std::io::Result<()> {
        self.writable()
    }
    fn suspend(&mut self) -> std::io::Result<()> {
        Ok(())
    }
    fn resume(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the real loop on a `WatchedBackend` over the demo, sending each `(ms, event)` at
/// that much virtual time after the start; returns the exit and the frames' times in ms.
async fn run_watched(
    script: Vec<(u64, std::io::Result<Event>)>,
    close_at: Option<u64>,
) -> (Exit, Vec<u64>) {
    let (app, running, clock) = started(Duration::from_secs(3600));
    let (tx, rx) = mpsc::unbounded_channel();
    let backend = WatchedBackend::new();
    let frames = backend.frames.clone();
    let is_closed = backend.is_closed.clone();
    let started_at = tokio::time::Instant::now();
    tokio::spawn(async move {
        for (at, event) in script {
            tokio::time::sleep_until(started_at + Duration::from_millis(at)).await;
            if close_at.is_some_and(|c| at >= c) {
                is_closed.store(true, std::sync::atomic::Ordering::SeqCst);
            }
            if tx.send(event).is_err() {
                return;
            }
        }
        std::future::pending::<()>().await;
    });
    let mut terminal = Terminal::new(backend).unwrap();
    let (_, exit) = run_without_journal(
        &mut terminal,
        app,
        ReceiverStream(rx),
        running,
        clock,
        std::future::pending(),
    )
    .await
    .unwrap();
    let at = frames
        .lock()
        .unwrap()
        .iter()
        .map(|t| u64::try_from((*t - started_at).as_millis()).unwrap())
        .collect();
    (exit, at)
}

// Paused time: a frame's time is the virtual time at which the loop drew it, exact to the
// millisecond, so "at once" and "after the gap" are facts of the schedule.
#[tokio::test(start_paused = true)]
async fn a_keys_frame_is_drawn_at_once_even_right_after_another_frame() {
    let script = vec![
        (300, key('j')),
        (301, key('k')),
        (302, key('j')),
        (500, key('q')),
    ];
    let (exit, frames) = run_watched(script, None).await;
    assert_eq!(exit, Exit::Quit);
    for at in [300, 301, 302] {
        assert!(frames.contains(&at), "no frame at {at} ms: {frames:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn resizes_in_a_burst_are_coalesced_into_one_frame_per_gap() {
    let script = vec![
        (300, Ok(Event::Resize(100, 30))),
        (301, Ok(Event::Resize(110, 30))),
        (302, Ok(Event::Resize(120, 30))),
        (500, key('q')),
    ];
    let (exit, frames) = run_watched(script, None).await;
    assert_eq!(exit, Exit::Quit);
    let burst: Vec<_> = frames
        .iter()
        .filter(|&&t| (300..400).contains(&t))
        .collect();
    // The first resize is drawn at once (nothing was drawn for a while); the other two
    // together, once the 33 ms gap has passed.
    assert_eq!(burst, [&300, &333], "{frames:?}");
}

#[tokio::test(start_paused = true)]
async fn a_terminal_that_can_no_longer_be_written_ends_the_loop_as_gone() {
    // The write fails before the hangup is seen: the loop must end as "the terminal went
    // away" (exit 1), not as an error of its own (exit 2).
    let script = vec![(300, key('j')), (400, key('k'))];
    let (exit, frames) = run_watched(script, Some(400)).await;
    assert!(
        matches!(&exit, Exit::TerminalGone(why) if why.contains("writing to the terminal")),
        "{exit:?}"
    );
    assert!(frames.contains(&300), "{frames:?}");
}
