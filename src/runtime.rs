//! The only loop: terminal events, source events and the clock tick go in through
//! `App::update`; effects come out and are carried out here; the screen is drawn only when
//! the state changed, at most ~30 times a second. Generic over the backend and the event
//! stream, so tests run the real loop on a `TestBackend`.

use std::collections::HashMap;
use std::future::Future;
use std::time::Duration;

use crossterm::event::{Event, KeyEventKind};
use futures::{Stream, StreamExt};
use ratatui::Terminal;
use ratatui::backend::Backend;
use tokio::sync::mpsc;
use tokio::time::{Instant, MissedTickBehavior, interval, sleep_until};

use crate::app::{Action, App, Effect};
use crate::clock::SharedClock;
use crate::journal::task::{JournalTask, Request};
use crate::journal::{Journal, JournalError};
use crate::model::SourceId;
use crate::sources::SourceCommand;
use crate::sources::start::Running;

/// Least time between two frames.
const FRAME_GAP: Duration = Duration::from_millis(33);
/// How long source tasks get to stop on quit.
const SHUTDOWN_DEADLINE: Duration = Duration::from_secs(2);

/// What the loop needs of a terminal beyond drawing: sequences beside its frames (OSC 52
/// for the clipboard), and lending it to another program (an editor) and taking it back.
pub trait Screen {
    /// Writes `bytes` as they are, between frames.
    fn write_raw(&mut self, bytes: &[u8]) -> std::io::Result<()>;
    /// Gives the terminal back as it was (main screen, cooked mode) and stops reading it.
    fn suspend(&mut self) -> std::io::Result<()>;
    /// Takes the terminal again after `suspend`.
    fn resume(&mut self) -> std::io::Result<()>;
}

/// Tests draw on a `TestBackend`, which has no terminal behind it.
impl Screen for ratatui::backend::TestBackend {
    fn write_raw(&mut self, _: &[u8]) -> std::io::Result<()> {
        Ok(())
    }

    fn suspend(&mut self) -> std::io::Result<()> {
        Ok(())
    }

    fn resume(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Why the loop ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exit {
    /// The user quit.
    Quit,
    /// A signal (SIGHUP, SIGTERM, SIGINT: its number) asked us to stop.
    Signal(i32),
    /// The terminal went away (EOF, or an error reading or writing it).
    TerminalGone(String),
}

/// The app as the dashboard set it up, and the work that asked of the runtime (an order, a
/// release), carried out as the loop starts.
pub struct Start {
    /// The app.
    pub app: App,
    /// What setting it up asked for.
    pub effects: Vec<Effect>,
}

impl From<App> for Start {
    fn from(app: App) -> Start {
        Start {
            app,
            effects: Vec::new(),
        }
    }
}

/// Runs the dashboard from `start` until quit, a signal, or the terminal going away. Returns
/// the final state and why it ended.
pub async fn run<B, E>(
    terminal: &mut Terminal<B>,
    start: impl Into<Start>,
    mut events: E,
    mut sources: Running,
    journal: Result<Journal, JournalError>,
    clock: SharedClock,
    shutdown: impl Future<Output = i32>,
) -> anyhow::Result<(App, Exit)>
where
    B: Backend + Screen,
    B::Error: Send + Sync + 'static,
    E: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let Start {
        mut app,
        effects: startup,
    } = start.into();
    let mut tick = interval(Duration::from_secs(1));
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_draw = Instant::now() - FRAME_GAP;
    let size = terminal.size()?;
    app.update(Action::Resize(size.width, size.height));
    tokio::pin!(shutdown);
    // Results of work done off this task (filter passes) come back here.
    let (done_tx, mut done) = mpsc::unbounded_channel::<Action>();
    // The journal's own task: every write happens there, never here.
    let (journal_tx, journal_rx) = mpsc::unbounded_channel();
    let (journal_events_tx, mut journal_events) = mpsc::unbounded_channel();
    // Stopped after the sources: a quitting poller lets go of its shared polls' leases
    // through the journal, which must still be open.
    let journal_stop = tokio_util::sync::CancellationToken::new();
    let journal_task = tokio::spawn(
        JournalTask {
            journal,
            requests: journal_rx,
            events: journal_events_tx,
            commands: sources.commands.clone(),
            wake: sources.wake.clone(),
            clock: clock.clone(),
            author: app.settings.identity.clone(),
            cancel: journal_stop.clone(),
        }
        .run(),
    );
    let out = Outlets {
        commands: sources.commands.clone(),
        journal: &journal_tx,
        done: &done_tx,
        channels: crate::notify::Channels::from_env(&app.settings.notify_channels),
        desktop: crate::notify::desktop::Desktop::from_env(),
    };
    carry_out(&out, terminal.backend_mut(), startup);
    let mut drawn = false;
    // A key's frame is drawn at once; everything else waits for the frame gap, so a burst
    // of source news or mouse motion is coalesced into one frame.
    let mut is_key_frame = false;
    let exit = loop {
        if app.is_dirty && (is_key_frame || last_draw.elapsed() >= FRAME_GAP) {
            // A terminal that can no longer be written to has gone away, like one whose
            // input ended; the hangup watch may not have said so yet.
            if let Err(e) = terminal.draw(|f| crate::ui::view(&app, f)) {
                break Exit::TerminalGone(format!("writing to the terminal: {e}"));
            }
            if !drawn {
                tracing::debug!("first frame drawn");
                drawn = true;
            }
            app.is_dirty = false;
            last_draw = Instant::now();
        }
        is_key_frame = false;
        let effects = tokio::select! {
            event = events.next() => match event {
                Some(Ok(event)) => match to_action(event) {
                    Some(action) => {
                        is_key_frame = matches!(action, Action::Key(_));
                        app.update(action)
                    }
                    None => Vec::new(),
                },
                Some(Err(e)) => break Exit::TerminalGone(e.to_string()),
                None => break Exit::TerminalGone("end of input".into()),
            },
            Some(action) = done.recv() => app.update(action),
            Some(event) = journal_events.recv() => app.update(Action::Journal(event)),
            Some(event) = sources.events.recv() => {
                let mut effects = app.update(Action::Source(event));
                // Take everything already waiting before drawing once.
                while let Ok(event) = sources.events.try_recv() {
                    effects.extend(app.update(Action::Source(event)));
                }
                effects
            }
            _ = tick.tick() => app.update(Action::Tick(clock.now())),
            () = sleep_until(last_draw + FRAME_GAP), if app.is_dirty => Vec::new(),
            signal = &mut shutdown => break Exit::Signal(signal),
        };
        // The editor runs here, between frames: the loop waits for it (the sources and the
        // journal go on in their own tasks; their news waits in the channels).
        let (edits, effects): (Vec<Effect>, Vec<Effect>) = effects
            .into_iter()
            .partition(|e| matches!(e, Effect::EditExternally { .. }));
        if carry_out(&out, terminal.backend_mut(), effects) {
            break Exit::Quit;
        }
        for edit in edits {
            if let Effect::EditExternally { subject, text } = edit {
                let result = lend_to_editor(terminal, text).await;
                let effects = app.update(Action::EditedExternally { subject, result });
                carry_out(&out, terminal.backend_mut(), effects);
                app.is_dirty = true;
            }
        }
    };
    tracing::info!(?exit, "leaving the dashboard");
    let last = app.final_effects();
    carry_out(&out, terminal.backend_mut(), last);
    sources.shutdown(SHUTDOWN_DEADLINE).await;
    // The journal finishes what it was writing (requests already queued included).
    drop(out);
    drop(journal_tx);
    journal_stop.cancel();
    if tokio::time::timeout(SHUTDOWN_DEADLINE, journal_task)
        .await
        .is_err()
    {
        tracing::warn!("the journal did not stop within {SHUTDOWN_DEADLINE:?}");
    }
    Ok((app, exit))
}

/// Lends the terminal to the responder's editor on `text` and takes it back, redrawn.
async fn lend_to_editor<B>(terminal: &mut Terminal<B>, text: String) -> Result<String, String>
where
    B: Backend + Screen,
{
    terminal
        .backend_mut()
        .suspend()
        .map_err(|e| format!("could not lend the terminal: {e}"))?;
    let editor = crate::terminal::external_editor::editor_command();
    let edited =
        tokio::task::spawn_blocking(move || crate::terminal::external_editor::edit(&editor, &text))
            .await
            .unwrap_or_else(|e| Err(format!("the editor stopped: {e}")));
    let resumed = terminal.backend_mut().resume();
    // Whatever the editor left on screen goes, and the next frame is drawn whole: the
    // previous frame is forgotten (the swap empties it). Not `Terminal::clear`: it
    // asks the terminal where its cursor is, and that answer races the new event reader.
    let cleared = terminal
        .backend_mut()
        .clear_region(ratatui::backend::ClearType::All);
    terminal.swap_buffers();
    if let Err(e) = resumed {
        return Err(format!("could not take the terminal back: {e}"));
    }
    if let Err(e) = cleared {
        tracing::warn!(error = %e, "clearing after the editor");
    }
    edited
}

/// Where effects go.
struct Outlets<'a> {
    commands: HashMap<SourceId, mpsc::UnboundedSender<SourceCommand>>,
    journal: &'a mpsc::UnboundedSender<Request>,
    done: &'a mpsc::UnboundedSender<Action>,
    /// Which notification channels are on here.
    channels: crate::notify::Channels,
    /// The desktop channel, kept for the run (its breaker remembers a bus that hung).
    desktop: crate::notify::desktop::Desktop,
}

/// Carries out effects; returns whether to quit. What comes of them (an error to show, a
/// file written) comes back to the loop as an action on `out.done`, never as a call into
/// the app from here.
fn carry_out(out: &Outlets<'_>, screen: &mut impl Screen, effects: Vec<Effect>) -> bool {
    let mut quit = false;
    for effect in effects {
        match effect {
            Effect::Quit => quit = true,
            Effect::Copy(text) => {
                let bytes = crate::terminal::osc::clipboard(
                    &text,
                    crate::terminal::osc::Multiplexer::from_env(),
                );
                if let Err(e) = screen.write_raw(&bytes) {
                    let _ = out
                        .done
                        .send(Action::ShowError(format!("could not copy: {e}")));
                }
            }
            Effect::Notify(n) => {
                let via = crate::terminal::osc::Multiplexer::from_env();
                let bytes = out.channels.terminal_bytes(&n, via);
                if !bytes.is_empty() {
                    if let Err(e) = screen.write_raw(&bytes) {
                        tracing::warn!(error = %e, "notification not written to the terminal");
                    }
                }
                if out.channels.desktop {
                    let desktop = out.desktop.clone();
                    tokio::spawn(async move {
                        let outcome = desktop.notify(&n.title, &n.body).await;
                        tracing::debug!(?outcome, "desktop notification");
                    });
                }
            }
            Effect::Export { what, path, text } => {
                let done = out.done.clone();
                tokio::task::spawn_blocking(move || {
                    let result = write_export(&path, &text);
                    let _ = done.send(Action::Exported { what, path, result });
                });
            }
            Effect::WriteHandoff(job) => {
                let done = out.done.clone();
                tokio::task::spawn_blocking(move || {
                    let result = write_export(&job.path, &job.render());
                    let _ = done.send(Action::Exported {
                        what: "hand-off",
                        path: job.path,
                        result,
                    });
                });
            }
            Effect::EditExternally { .. } => {
                // Run by the loop itself (it needs the terminal); never routed here.
            }
            Effect::OpenUrl(url) => {
                if let Err(e) = crate::terminal::open_link::open(&url) {
                    let _ = out
                        .done
                        .send(Action::ShowError(format!("could not open the link: {e}")));
                }
            }
            Effect::FetchRunbook(url) => {
                let done = out.done.clone();
                tokio::spawn(async move {
                    let result = crate::runbook::fetch::fetch(
                        &url,
                        crate::runbook::fetch::TIMEOUT,
                        crate::runbook::fetch::FETCH_CAP,
                    )
                    .await;
                    let _ = done.send(Action::RunbookFetched { url, result });
                });
            }
            // Background work nobody waits on with a key: below the responder's keys.
            Effect::Release(old) => {
                if let Err(e) = crate::work::bulk::spawn(move || drop(old)) {
                    tracing::warn!(error = %e, "old alerts released on the UI task");
                }
            }
            Effect::OrderAlerts(job) => {
                let done = out.done.clone();
                if let Err(e) = crate::work::bulk::spawn(move || {
                    let _ = done.send(job.run().into());
                }) {
                    // The order watchdog starts the next one; the list keeps its old order.
                    tracing::warn!(error = %e, "alerts not ordered");
                }
            }
            Effect::FilterAlerts(job) => {
                let done = out.done.clone();
                tokio::task::spawn_blocking(move || {
                    // The loop is gone only when quitting; the result no longer matters.
                    let _ = done.send(job.run().into());
                });
            }
            Effect::SendCommand {
                source,
                command:
                    SourceCommand::Perform {
                        id,
                        key,
                        op,
                        author,
                    },
            } => {
                // Written first, sent by the journal task once written.
                let request = Request::Submit {
                    id,
                    author,
                    source,
                    key,
                    op,
                };
                if out.journal.send(request).is_err() {
                    let _ = out
                        .done
                        .send(Action::ShowError("the journal has stopped".into()));
                }
            }
            Effect::SendCommand { source, command } => {
                let is_sent = out
                    .commands
                    .get(&source)
                    .is_some_and(|tx| tx.send(command).is_ok());
                if !is_sent {
                    let _ = out
                        .done
                        .send(Action::ShowError(format!("source {source} is not running")));
                }
            }
            Effect::Journal(request) => {
                if out.journal.send(request).is_err() {
                    let _ = out
                        .done
                        .send(Action::ShowError("the journal has stopped".into()));
                }
            }
        }
    }
    quit
}

fn to_action(event: Event) -> Option<Action> {
    match event {
        Event::Key(key) if key.kind != KeyEventKind::Release => Some(Action::Key(key)),
        Event::Paste(text) => Some(Action::Paste(text)),
        Event::Mouse(mouse) => Some(Action::Mouse(mouse)),
        Event::Resize(w, h) => Some(Action::Resize(w, h)),
        _ => None,
    }
}

/// Writes a file asked for from the dashboard, making its directory (owner-only) first: the
/// exports directory does not exist until the first export.
fn write_export(path: &std::path::Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty() && !d.exists())
    {
        crate::config::ensure_private_dir(dir).map_err(|e| e.to_string())?;
    }
    crate::postmortem::write_atomically(path, text).map_err(|e| e.to_string())
}

/// Resolves when SIGHUP (a dropped SSH session), SIGTERM or SIGINT arrives, with its
/// number (the exit status is then 128 + it, as a shell reports a program killed by it).
pub async fn shutdown_signal() -> i32 {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut kinds = vec![SignalKind::terminate(), SignalKind::interrupt()];
        // Under `nohup` (SIGHUP ignored by whoever started us) a hangup stays ignored, as for
        // any program; a closed terminal is then noticed by its input ending.
        if !is_hangup_ignored() {
            kinds.push(SignalKind::hangup());
        }
        let mut streams: Vec<_> = kinds
            .into_iter()
            .filter_map(|k| Some((k.as_raw_value(), signal(k).ok()?)))
            .collect();
        if streams.is_empty() {
            return std::future::pending().await;
        }
        let waits = streams.iter_mut().map(|(_, s)| Box::pin(s.recv()));
        let (_, which, _) = futures::future::select_all(waits).await;
        streams.get(which).map_or(SIGTERM, |(number, _)| *number)
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
        2
    }
}

/// SIGTERM's number, for the exit status when the signal is not known.
const SIGTERM: i32 = 15;

/// Whether SIGHUP was ignored when this process started (Linux: `SigIgn` in
/// /proc/self/status, bit 0). Anywhere else, or unreadable: no.
fn is_hangup_ignored() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
            u64::from_str_radix(mask.trim(), 16).ok()
        })
        .is_some_and(|mask| mask & 1 != 0)
}
