//! The wall's keys and rotation. Only looking keys exist here: `q` quits, space pauses or
//! resumes the rotation, tab and the arrows turn pages. Every other key is refused, and the
//! settings are read-only, so an action arriving any other way is refused by `App::run`.

use chrono::{DateTime, TimeDelta, Utc};
use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use crate::app::wall::{Wall, pages};
use crate::app::{App, Command, Effect};
use crate::config::{GroupBy, SortKey};

/// What the wall says to any other key or command.
pub const REFUSED: &str = "the wall takes no actions: q quits, space pauses, tab turns";

impl App {
    /// Makes this dashboard a wall turning its pages every `every`: read-only, the most
    /// severe firing alerts first.
    pub fn start_wall(&mut self, every: TimeDelta, fx: &mut Vec<Effect>) {
        self.settings.is_read_only = true;
        self.wall = Some(Wall::new(every, self.now));
        self.sort = SortKey::Severity;
        self.group = GroupBy::None;
        self.set_filter("is:firing", true, fx);
        self.rebuild_rows(fx);
    }
}

/// A key on the wall.
pub fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let pages = pages(app.viewport.0);
    let is_ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    let now = app.now;
    let Some(wall) = app.wall.as_mut() else {
        return;
    };
    match key.code {
        KeyCode::Char('q' | 'Q') | KeyCode::Esc => app.run(Command::Quit, fx),
        _ if is_ctrl_c => app.run(Command::Quit, fx),
        KeyCode::Char(' ') | KeyCode::Char('p') => {
            wall.is_paused = !wall.is_paused;
            wall.turns_at = now + wall.every;
        }
        KeyCode::Tab | KeyCode::Right | KeyCode::Char('l' | 'n') => {
            wall.page = (wall.page + 1) % pages;
            wall.turns_at = now + wall.every;
        }
        KeyCode::BackTab | KeyCode::Left | KeyCode::Char('h') => {
            wall.page = (wall.page + pages - 1) % pages;
            wall.turns_at = now + wall.every;
        }
        _ => app.toast_error(REFUSED),
    }
}

/// The clock ticked: the next page comes when its time is up. Whether anything turned.
pub fn on_tick(app: &mut App, now: DateTime<Utc>) -> bool {
    let pages = pages(app.viewport.0);
    let Some(wall) = app.wall.as_mut() else {
        return false;
    };
    if wall.page >= pages {
        wall.page = 0;
    }
    if wall.is_paused || now < wall.turns_at {
        return false;
    }
    wall.turns_at = now + wall.every;
    if pages > 1 {
        wall.page = (wall.page + 1) % pages;
    }
    true
}
