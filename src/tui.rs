//! The terminal guard: raw mode, alternate screen, mouse and paste on entry; all of it undone
//! on drop, on panic (see `errors`) and on signals. Nothing else touches terminal modes.

use std::io::{self, IsTerminal, Stdout};

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
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
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
        match Terminal::new(CrosstermBackend::new(io::stdout())) {
            Ok(terminal) => Ok(Tui { terminal }),
            Err(e) => {
                restore();
                Err(e)
            }
        }
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        restore();
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
