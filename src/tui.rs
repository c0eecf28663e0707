//! The terminal guard: raw mode, alternate screen, mouse and paste on entry; all of it undone
//! on drop, on panic (see `errors`) and on signals. Nothing else touches terminal modes. Also
//! the hangup watch: a closed terminal ends the dashboard even when SIGHUP never comes.

use std::io::{self, IsTerminal, Stdout, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use crossterm::event::{
    DisableBracketedPaste, DisableMouseCapture, EnableBracketedPaste, EnableMouseCapture,
};
use crossterm::terminal::{
    EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use crossterm::{cursor, execute};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// The terminal while onduty owns it.
pub struct Tui {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<ScreenOut>>,
    is_leaving: Arc<AtomicBool>,
}

/// Stdout for frames. Once the dashboard is leaving, writes are dropped: `restore` has already
/// put the terminal back, and ratatui's own cleanup on drop would otherwise `eprintln!` its
/// failure on a terminal that is gone, which panics (and a panic there aborts).
pub struct ScreenOut {
    out: Stdout,
    is_leaving: Arc<AtomicBool>,
}

/// What taking the terminal back after lending it needs: whether the mouse was on, and the
/// events to pause meanwhile. One terminal per process, like `restore`.
static LENDING: std::sync::Mutex<Lending> = std::sync::Mutex::new(Lending {
    is_mouse_on: false,
    events: None,
});

struct Lending {
    is_mouse_on: bool,
    events: Option<crate::tui_events::EventsHandle>,
}

fn lending() -> std::sync::MutexGuard<'static, Lending> {
    LENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Write for ScreenOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.is_leaving.load(Ordering::Relaxed) {
            return Ok(buf.len());
        }
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.is_leaving.load(Ordering::Relaxed) {
            return Ok(());
        }
        self.out.flush()
    }
}

/// Why the dashboard cannot start on this terminal.
pub fn unusable_terminal() -> Option<String> {
    if !io::stdout().is_terminal() || !io::stdin().is_terminal() {
        return Some("onduty needs a terminal (stdin/stdout is not a tty); for plain output use `onduty alerts`".into());
    }
    match std::env::var("TERM").as_deref() {
        Ok("dumb") => {
            Some("TERM=dumb cannot show the dashboard; use `onduty alerts` for plain output".into())
        }
        _ => None,
    }
}

impl Tui {
    /// Takes over the terminal.
    pub fn enter(is_mouse_on: bool) -> io::Result<Tui> {
        enable_raw_mode()?;
        let mut out = io::stdout();
        let entered = execute!(
            out,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        );
        let entered = entered.and_then(|()| {
            if is_mouse_on {
                execute!(out, EnableMouseCapture)
            } else {
                Ok(())
            }
        });
        if let Err(e) = entered {
            restore();
            return Err(e);
        }
        let is_leaving = Arc::new(AtomicBool::new(false));
        lending().is_mouse_on = is_mouse_on;
        let out = ScreenOut {
            out: io::stdout(),
            is_leaving: is_leaving.clone(),
        };
        match Terminal::new(CrosstermBackend::new(out)) {
            Ok(terminal) => Ok(Tui {
                terminal,
                is_leaving,
            }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Tui {
    /// The events to pause while the terminal is lent to another program.
    pub fn attach_events(&mut self, events: crate::tui_events::EventsHandle) {
        lending().events = Some(events);
    }
}

impl crate::runtime::Screen for CrosstermBackend<ScreenOut> {
    fn write_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.write_all(bytes)?;
        Write::flush(self)
    }

    fn suspend(&mut self) -> io::Result<()> {
        if let Some(events) = &lending().events {
            events.pause();
        }
        restore();
        Ok(())
    }

    fn resume(&mut self) -> io::Result<()> {
        let lent = lending();
        enable_raw_mode()?;
        execute!(
            self,
            EnterAlternateScreen,
            EnableBracketedPaste,
            cursor::Hide
        )?;
        if lent.is_mouse_on {
            execute!(self, EnableMouseCapture)?;
        }
        if let Some(events) = &lent.events {
            events.resume();
        }
        Ok(())
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
        self.is_leaving.store(true, Ordering::Relaxed);
    }
}

/// Gives the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    // Each step is tried even if an earlier one failed: a half-restored terminal is worse.
    let _ = execute!(out, DisableMouseCapture);
    let _ = execute!(out, DisableBracketedPaste);
    let _ = execute!(out, LeaveAlternateScreen);
    let _ = execute!(out, cursor::Show);
    let _ = disable_raw_mode();
}

/// Resolves when the terminal hangs up (the SSH session or the terminal emulator went away),
/// even when SIGHUP is ignored and never arrives: crossterm's reader then spins on EIO at a
/// full core (crossterm issue 793) instead of reporting it. A thread polls stdin asking for no
/// events, so only a hangup or an error wakes it: it never spins and never reads.
pub async fn hangup() -> io::Error {
    let (tx, rx) = tokio::sync::oneshot::channel();
    let watch = std::thread::Builder::new()
        .name("hangup-watch".into())
        .spawn(move || {
            let _ = tx.send(wait_for_hangup());
            exit_if_still_here();
        });
    if watch.is_err() {
        return std::future::pending().await;
    }
    match rx.await {
        Ok(e) => e,
        Err(_) => std::future::pending().await,
    }
}

/// How long an orderly stop may take after the terminal hung up: the journal drains in
/// milliseconds; a stop that takes longer is the stall seen in CI (see the issue 6 note).
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(2);

/// The last resort after a hangup: with nobody left to see it, a stop that stalls must not
/// keep the process (and a reader spinning on a dead terminal) alive. By now the journal has
/// written everything queued; anything still unsent is in the outbox for the next start.
fn exit_if_still_here() {
    #[allow(
        clippy::disallowed_methods,
        reason = "a dedicated thread that only waits; no task runs here"
    )]
    std::thread::sleep(STOP_GRACE);
    tracing::error!(grace = ?STOP_GRACE, "the stop after a hangup stalled; exiting");
    std::process::exit(1);
}

#[cfg(unix)]
fn wait_for_hangup() -> io::Error {
    use rustix::event::{PollFd, PollFlags, poll};
    use std::os::fd::AsFd;
    let stdin = io::stdin();
    let fd = stdin.as_fd();
    loop {
        let mut fds = [PollFd::new(&fd, PollFlags::empty())];
        match poll(&mut fds, None) {
            Ok(_) => {
                let got = fds[0].revents();
                if got.intersects(PollFlags::HUP | PollFlags::ERR | PollFlags::NVAL) {
                    return io::Error::new(io::ErrorKind::BrokenPipe, "the terminal hung up");
                }
            }
            Err(rustix::io::Errno::INTR) => {}
            Err(e) => return io::Error::from(e),
        }
    }
}

#[cfg(not(unix))]
fn wait_for_hangup() -> io::Error {
    loop {
        std::thread::park();
    }
}
