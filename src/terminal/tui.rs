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
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
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

/// Stdout for frames. What a frame writes is kept until its flush and goes out in one write,
/// inside a synchronized update (mode 2026) where the terminal has them, so a slow link never
/// shows half a frame. Once the dashboard is leaving, writes are dropped: `restore` has
/// already put the terminal back, and ratatui's own cleanup on drop would otherwise
/// `eprintln!` its failure on a terminal that is gone, which panics (and a panic there aborts).
pub struct ScreenOut {
    out: Stdout,
    pending: Vec<u8>,
    is_synchronized: bool,
    is_leaving: Arc<AtomicBool>,
}

/// Begin and end of a synchronized update: the terminal shows what comes between at once.
const SYNC_BEGIN: &[u8] = b"\x1b[?2026h";
const SYNC_END: &[u8] = b"\x1b[?2026l";

/// Whether a terminal called `term` is sent synchronized updates. Terminals without mode 2026
/// ignore it; the Linux console and vt terminals are left out as they predate private modes
/// beyond their own.
pub fn has_synchronized_output(term: Option<&str>) -> bool {
    term.is_none_or(|t| t != "linux" && !t.starts_with("vt"))
}

/// What taking the terminal back after lending it needs: whether the mouse was on, and the
/// events to pause meanwhile. One terminal per process, like `restore`.
static LENDING: std::sync::Mutex<Lending> = std::sync::Mutex::new(Lending {
    modes: Modes {
        is_mouse_on: false,
        is_inline: false,
        is_synchronized: false,
    },
    events: None,
});

/// `Modes::is_inline`, for `restore`, which may run in a panic or signal handler and so
/// takes no lock.
static IS_INLINE: AtomicBool = AtomicBool::new(false);

struct Lending {
    modes: Modes,
    events: Option<crate::terminal::events::EventsHandle>,
}

/// How the dashboard takes the terminal.
#[derive(Clone, Copy, Debug, Default)]
pub struct Modes {
    /// Mouse capture (off with `--no-mouse`: the terminal selects text).
    pub is_mouse_on: bool,
    /// The normal screen instead of the alternate one (`--inline`): the last frame stays in
    /// the terminal's scrollback after quitting, and terminals without an alternate screen work.
    pub is_inline: bool,
    /// Each frame inside a synchronized update (see [`has_synchronized_output`]).
    pub is_synchronized: bool,
}

fn lending() -> std::sync::MutexGuard<'static, Lending> {
    LENDING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Write for ScreenOut {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if !self.is_leaving.load(Ordering::Relaxed) {
            self.pending.extend_from_slice(buf);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.is_leaving.load(Ordering::Relaxed) {
            self.pending.clear();
            return Ok(());
        }
        if !self.pending.is_empty() {
            let pending = std::mem::take(&mut self.pending);
            let mut lock = self.out.lock();
            if self.is_synchronized {
                let mut framed = Vec::with_capacity(pending.len() + 16);
                framed.extend_from_slice(SYNC_BEGIN);
                framed.extend_from_slice(&pending);
                framed.extend_from_slice(SYNC_END);
                lock.write_all(&framed)?;
            } else {
                lock.write_all(&pending)?;
            }
            self.pending = pending;
            self.pending.clear();
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
    pub fn enter(modes: Modes) -> io::Result<Tui> {
        lending().modes = modes;
        IS_INLINE.store(modes.is_inline, Ordering::Relaxed);
        enable_raw_mode()?;
        if let Err(e) = take_screen(&mut io::stdout(), modes) {
            restore();
            return Err(e);
        }
        let is_leaving = Arc::new(AtomicBool::new(false));
        let out = ScreenOut {
            out: io::stdout(),
            pending: Vec::with_capacity(64 * 1024),
            is_synchronized: modes.is_synchronized,
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
    pub fn attach_events(&mut self, events: crate::terminal::events::EventsHandle) {
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
        take_stale_wake();
        enable_raw_mode()?;
        take_screen(self, lent.modes)?;
        if let Some(events) = &lent.events {
            events.resume();
        }
        Ok(())
    }
}

/// Takes the wake-up that dropping the key reader (at `suspend`) left pending in crossterm's
/// poll, while the terminal is still in line mode so no key can be ready beside it: a poll
/// that finds the wake-up and ready keys together reports only the wake-up, and the keys'
/// readiness, reported once, is gone (keys typed as the editor closed sat unread until the
/// next key). Raw mode, set next, signals any keys waiting, and the new reader sees them.
/// A line the responder finished meanwhile is read here and kept for the new reader.
fn take_stale_wake() {
    if let Err(e) = crossterm::event::poll(std::time::Duration::ZERO) {
        tracing::debug!(error = %e, "polling the terminal before taking it back");
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
        self.is_leaving.store(true, Ordering::Relaxed);
    }
}

/// The screen, paste and mouse modes of `modes`, and a hidden cursor.
fn take_screen(out: &mut impl Write, modes: Modes) -> io::Result<()> {
    if modes.is_inline {
        // The normal screen, emptied: the first frame only writes cells that differ from
        // blank ones, so anything left there would show through.
        execute!(out, Clear(ClearType::All), cursor::MoveTo(0, 0))?;
    } else {
        execute!(out, EnterAlternateScreen)?;
    }
    execute!(out, EnableBracketedPaste, cursor::Hide)?;
    if modes.is_mouse_on {
        execute!(out, EnableMouseCapture)?;
    }
    Ok(())
}

/// Gives the terminal back as it was. Safe to call more than once.
pub fn restore() {
    let mut out = io::stdout();
    let is_inline = IS_INLINE.load(Ordering::Relaxed);
    // Each step is tried even if an earlier one failed: a half-restored terminal is worse.
    let _ = execute!(out, DisableMouseCapture);
    let _ = execute!(out, DisableBracketedPaste);
    if is_inline {
        // The last frame stays; the prompt comes on a fresh line under it.
        let rows = crossterm::terminal::size().map_or(0, |(_, rows)| rows);
        let _ = execute!(out, cursor::MoveTo(0, rows.saturating_sub(1)));
        let _ = out.write_all(b"\r\n");
    } else {
        let _ = execute!(out, LeaveAlternateScreen);
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn synchronized_output_goes_where_the_terminal_can_take_it() {
        for term in ["xterm", "xterm-256color", "screen", "tmux-256color"] {
            assert!(has_synchronized_output(Some(term)), "{term}");
        }
        assert!(!has_synchronized_output(Some("linux")));
        assert!(!has_synchronized_output(Some("vt100")));
    }
}
