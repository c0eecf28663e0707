//! `App::update`: the only place state changes. Each area's handlers live in their own file.

mod act;
mod handoff;
mod journal;
mod keys;
mod navigate;
mod notes;
mod notify;
mod palette;
mod postmortem;
pub mod runbook;
pub use palette::{PALETTE_HELP, completions as palette_completions};
mod send;
mod source;
mod tickets;
pub mod wall;
mod which;

use chrono::TimeDelta;

use super::{Action, App, Effect, Toast};
use crate::model::sanitize;
use crate::sources::SourceEvent;

/// Longest toast kept (it names back ends' errors, which carry outside text).
const TOAST_CAP: usize = 600;
/// How long a toast stays.
const TOAST_FOR: TimeDelta = TimeDelta::seconds(4);

impl App {
    /// Runs a palette command (`status INC-123 monitoring`, without the colon) as `:` does,
    /// for the CLI twins of the palette's commands; returns the work to do.
    pub fn run_command_line(&mut self, text: &str) -> Vec<Effect> {
        let mut effects = Vec::new();
        palette::run(self, text, &mut effects);
        effects
    }

    /// Declares "SEV2 title" of `keys` as `I` does, where `:declare-in` says; returns the
    /// work to do, or what is wrong with the text.
    pub fn declare_from_command_line(
        &mut self,
        text: &str,
        keys: Vec<crate::model::AlertKey>,
    ) -> Result<Vec<Effect>, String> {
        let (severity, title) = act::parse_declaration(text)?;
        let mut effects = Vec::new();
        act::declare(self, title, severity, keys, &mut effects);
        Ok(effects)
    }

    /// Applies `action` and returns the work the runtime must do.
    pub fn update(&mut self, action: Action) -> Vec<Effect> {
        let mut effects = Vec::new();
        match action {
            Action::Tick(now) => {
                // What the tick decides (an escalation's notification) goes out now.
                self.on_tick(now, &mut effects);
                return effects;
            }
            Action::Source(event @ SourceEvent::Unchanged { .. }) => {
                // Redraw only if the health shown changes (a failing source that is back).
                let before = self.health_words();
                source::on_event(self, event, &mut effects);
                self.is_dirty |= self.health_words() != before;
                return effects;
            }
            Action::Key(key) if self.wall.is_some() => wall::on_key(self, key, &mut effects),
            Action::Key(key) => keys::on_key(self, key, &mut effects),
            // Nothing on the wall is clicked or typed into.
            Action::Mouse(_) | Action::Paste(_) if self.wall.is_some() => {}
            Action::Paste(text) if matches!(self.overlay, super::Overlay::NoteEditor(_)) => {
                notes::on_paste(self, &text, &mut effects)
            }
            Action::Paste(text) => keys::on_paste(self, &text, &mut effects),
            Action::Mouse(mouse) => navigate::on_mouse(self, mouse),
            Action::Resize(w, h) => {
                self.viewport = (w, h);
                self.keep_cursor_visible();
            }
            Action::Source(event) => source::on_event(self, event, &mut effects),
            Action::Journal(event) => journal::on_event(self, event, &mut effects),
            Action::Run(command) => self.run(command, &mut effects),
            Action::ShowError(text) => self.toast_error(text),
            Action::Ordered(ordered) => self.ordered(*ordered, &mut effects),
            Action::FilterApplied(found) => self.filter_applied(found.generation, found.matched),
            Action::RunbookFetched { url, result } => {
                self.fetched_runbooks.insert(url, Some(result));
            }
            Action::EditedExternally { subject, result } => {
                postmortem::edited_externally(self, &subject, result, &mut effects)
            }
            Action::Exported { what, path, result } => {
                postmortem::exported(self, what, &path, result)
            }
        }
        self.is_dirty = true;
        self.history_if_shown();
        self.insights_if_shown(self.now);
        effects
    }

    /// The history worked out again when it is shown and stale.
    fn history_if_shown(&mut self) {
        if self.view == super::View::History && self.is_history_stale {
            let history = super::history::history_of(&self.timeline, self.last_looked, self.now);
            self.history = history;
            self.is_history_stale = false;
        }
    }

    /// What must be done before exit, however it comes: alerts newer than the saved last
    /// known picture are saved.
    pub fn final_effects(&mut self) -> Vec<Effect> {
        self.sources
            .iter_mut()
            .filter(|s| s.is_unsaved)
            .map(source::save_snapshot)
            .collect()
    }

    fn on_tick(&mut self, now: chrono::DateTime<chrono::Utc>, fx: &mut Vec<Effect>) {
        self.now = now;
        let minute = now.timestamp() / 60;
        let mut changed = minute != self.drawn_minute;
        if self.toast.as_ref().is_some_and(|t| t.until <= now) {
            self.toast = None;
            changed = true;
        }
        changed |= wall::on_tick(self, now);
        let is_due = self
            .escalations_checked_at
            .is_none_or(|at| now - at >= TimeDelta::seconds(notify::ESCALATION_CHECK_SECS));
        if is_due {
            self.escalations_checked_at = Some(now);
            notify::escalated_to_me(self, fx);
        }
        if changed || self.shows_seconds() {
            // The last 24 hours moved on a minute.
            self.is_history_stale |= minute != self.drawn_minute;
            self.history_if_shown();
            self.drawn_minute = minute;
            self.is_dirty = true;
        }
    }

    /// Whether something on screen counts seconds (a young alert's age, a countdown), so
    /// every tick must redraw. Otherwise a redraw a minute is enough.
    fn shows_seconds(&self) -> bool {
        // The wall counts down to its next page and shows incidents' clocks.
        if self.wall.is_some() {
            return true;
        }
        // An open incident's clock counts seconds.
        if matches!(self.screen(), super::screen::Screen::Incidents { .. }) {
            return self
                .incidents
                .iter()
                .any(|i| i.status != crate::model::incident::IncidentStatus::Resolved);
        }
        // An age counts seconds in its first minute. A start ahead of our clock (skew, or
        // Alertmanager's startsAt = endsAt for an alert posted without a start) reads "0s":
        // only one within a minute is about to count.
        let minute = TimeDelta::seconds(60);
        let is_young =
            |a: &crate::model::Alert| (-minute..minute).contains(&(self.now - a.started_at));
        let rows = crate::app::layout::list_rows(self);
        let visible = self
            .alert_list
            .rows
            .iter()
            .skip(self.alert_list.offset)
            .take(rows);
        let has_young_row = visible.filter_map(|r| match r {
            super::rows::Row::Alert(a) => self.alert(*a),
            super::rows::Row::Group { .. } => None,
        });
        if has_young_row.into_iter().any(is_young) {
            return true;
        }
        let shows_detail = self.is_detail_open || crate::app::layout::has_side_detail(self);
        shows_detail
            && self.selected_alert().is_some_and(|a| {
                a.status == crate::model::Status::Firing
                    && self
                        .escalation_state(a, self.now)
                        .and_then(|(_, s)| s.next)
                        .is_some()
            })
    }

    /// Each source's health as the header words it (ok, stale, failing), for change checks.
    fn health_words(&self) -> Vec<std::mem::Discriminant<super::SourceHealth>> {
        self.sources
            .iter()
            .map(|s| std::mem::discriminant(&s.health(self.now)))
            .collect()
    }

    /// Shows an information toast.
    pub fn toast_info(&mut self, text: impl Into<String>) {
        self.toast = Some(Toast {
            text: sanitize::line(&text.into(), TOAST_CAP),
            is_error: false,
            until: self.now + TOAST_FOR,
            view: self.view,
        });
    }

    /// Shows an error toast (kept twice as long).
    pub fn toast_error(&mut self, text: impl Into<String>) {
        let text = sanitize::line(&text.into(), TOAST_CAP);
        tracing::warn!(message = %text, "shown to the user");
        self.toast = Some(Toast {
            text,
            is_error: true,
            until: self.now + TOAST_FOR * 2,
            view: self.view,
        });
    }
}

#[cfg(test)]
mod act_tests;
#[cfg(test)]
mod incident_tests;
#[cfg(test)]
mod list_tests;
#[cfg(test)]
mod messages_tests;
#[cfg(test)]
mod palette_tests;
#[cfg(test)]
mod scroll_tests;
#[cfg(test)]
mod silence_tests;
#[cfg(test)]
mod source_tests;
#[cfg(test)]
mod tests;
