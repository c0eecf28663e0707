//! Routing keys: to the open overlay's input, or through the keymap to a command.

use crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

use super::{act, postmortem, runbook, tickets};
use crate::app::keymap::{Key, KeyOutcome};
use crate::app::rows;
use crate::app::text_input::{InputOutcome, TextInput};
use crate::app::{App, Command, Confirm, Effect, Overlay, View};

/// Handles one key press.
pub fn on_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    if key.kind == KeyEventKind::Release {
        return;
    }
    let is_ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
    match &mut app.overlay {
        Overlay::None => on_mapped_key(app, key, fx),
        Overlay::Help(scroll) => {
            // The keys every scrolled pane takes, stopping at its ends.
            let extent = app.scrolled.get();
            let page = extent.page as isize;
            let is_ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
            let by = match key.code {
                KeyCode::Char('f') if is_ctrl => Some(page),
                KeyCode::Char('b') if is_ctrl => Some(-page),
                KeyCode::Down | KeyCode::Char('j') => Some(1),
                KeyCode::Up | KeyCode::Char('k') => Some(-1),
                KeyCode::PageDown | KeyCode::Char(' ') => Some(page),
                KeyCode::PageUp => Some(-page),
                KeyCode::Home | KeyCode::Char('g') => Some(isize::MIN / 2),
                KeyCode::End | KeyCode::Char('G') => Some(isize::MAX / 2),
                _ => None,
            };
            let closes = matches!(
                key.code,
                KeyCode::Esc | KeyCode::Char('?' | 'q') | KeyCode::Enter
            );
            if let Some(by) = by {
                *scroll = extent.moved(*scroll, by);
            } else if closes || is_ctrl_c {
                app.overlay = Overlay::None;
            }
        }
        Overlay::Confirm(confirm) => {
            let confirm = confirm.clone();
            match key.code {
                KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                    app.overlay = Overlay::None;
                    act::confirmed(app, confirm, fx);
                }
                KeyCode::Char('n') | KeyCode::Char('N') | KeyCode::Esc | KeyCode::Char('q') => {
                    app.overlay = Overlay::None;
                }
                _ if is_ctrl_c => app.overlay = Overlay::None,
                _ => {}
            }
        }
        Overlay::Filter(input) => {
            let outcome = if is_ctrl_c {
                InputOutcome::Cancelled
            } else {
                input.handle(key)
            };
            let text = input.text().to_string();
            match outcome {
                InputOutcome::Edited => app.set_filter(&text, false, fx),
                InputOutcome::Submitted => {
                    app.set_filter(&text, true, fx);
                    app.overlay = Overlay::None;
                }
                InputOutcome::Cancelled => {
                    app.set_filter("", false, fx);
                    app.overlay = Overlay::None;
                }
                InputOutcome::Ignored => {}
            }
        }
        Overlay::Palette(input) if key.code == KeyCode::Tab => {
            if let Some(done) = super::palette::complete(input.text()) {
                *input = crate::app::text_input::TextInput::with_text(&done);
            }
        }
        Overlay::Palette(input) => {
            let outcome = if is_ctrl_c {
                InputOutcome::Cancelled
            } else {
                input.handle(key)
            };
            let text = input.text().to_string();
            match outcome {
                InputOutcome::Submitted => {
                    app.overlay = Overlay::None;
                    super::palette::run(app, &text, fx);
                }
                InputOutcome::Cancelled => app.overlay = Overlay::None,
                InputOutcome::Edited | InputOutcome::Ignored => {}
            }
        }
        Overlay::SilenceEditor(editor) => match key.code {
            KeyCode::Tab | KeyCode::Down => editor.cycle(true),
            KeyCode::BackTab | KeyCode::Up => editor.cycle(false),
            KeyCode::Enter => act::submit_silence_editor(app, fx),
            KeyCode::Esc => app.overlay = Overlay::None,
            _ if is_ctrl_c => app.overlay = Overlay::None,
            _ => {
                if editor.current().handle(key) == InputOutcome::Edited {
                    editor.error = None;
                    act::refresh_preview(app);
                }
            }
        },
        Overlay::NoteEditor(_) => super::notes::on_key(app, key, fx),
        Overlay::Prompt(prompt) => {
            let outcome = if is_ctrl_c {
                InputOutcome::Cancelled
            } else {
                prompt.input.handle(key)
            };
            match outcome {
                InputOutcome::Submitted => act::submit_prompt(app, fx),
                InputOutcome::Cancelled => app.overlay = Overlay::None,
                InputOutcome::Edited => prompt.error = None,
                InputOutcome::Ignored => {}
            }
        }
    }
}

fn on_mapped_key(app: &mut App, key: KeyEvent, fx: &mut Vec<Effect>) {
    let Some(k) = Key::from_event(key) else {
        return;
    };
    app.pressed.push(k);
    match app.settings.keymap.lookup(app.key_scope(), &app.pressed) {
        KeyOutcome::Command(command) => {
            app.pressed.clear();
            app.run(command, fx);
        }
        KeyOutcome::Pending => {}
        KeyOutcome::Unbound => {
            // A broken chord: try the last key on its own.
            let retry = app.pressed.len() > 1;
            app.pressed.clear();
            if retry {
                on_mapped_key(app, key, fx);
            }
        }
    }
}

/// Pasted text goes to the open input, if any.
pub fn on_paste(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let input: Option<&mut TextInput> = match &mut app.overlay {
        Overlay::Filter(i) | Overlay::Palette(i) => Some(i),
        Overlay::Prompt(p) => Some(&mut p.input),
        Overlay::SilenceEditor(e) => Some(e.current()),
        _ => None,
    };
    if let Some(input) = input {
        input.insert(text);
    }
    if let Overlay::Filter(i) = &app.overlay {
        let text = i.text().to_string();
        app.set_filter(&text, false, fx);
    }
}

impl App {
    /// Runs a named command.
    pub fn run(&mut self, command: Command, fx: &mut Vec<Effect>) {
        // The wall only looks: whatever brings a command here (a key, the mouse, a
        // binding), nothing but these runs.
        if self.wall.is_some()
            && !matches!(
                command,
                Command::Quit | Command::Refresh | Command::ToggleClock
            )
        {
            self.toast_error(super::wall::REFUSED);
            return;
        }
        if command.is_action() && self.settings.is_read_only {
            let why = match &self.settings.read_only_reason {
                Some(reason) => format!("read-only: {reason}"),
                None => "read-only: actions are turned off".into(),
            };
            self.toast_error(why);
            return;
        }
        let is_tickets = matches!(self.screen(), crate::app::screen::Screen::Tickets { .. });
        let is_insights =
            self.screen() == (crate::app::screen::Screen::Insights { is_open: false });
        match command {
            Command::NextItem if is_insights => return self.next_insights_section(1),
            Command::PreviousItem if is_insights => return self.next_insights_section(-1),
            Command::OpenDetail if is_insights => {
                if self.open_insights_alert() {
                    self.detail_scroll = 0;
                } else {
                    self.toast_info("enter opens an alert's history from the noise lists (tab)");
                }
                return;
            }
            Command::Acknowledge if is_tickets => return tickets::acknowledge(self, fx),
            Command::Resolve if is_tickets => return tickets::ask_resolve(self),
            Command::OpenDetail if is_tickets => return tickets::open(self, fx),
            Command::Note if is_tickets => {
                match self.selected_ticket().map(|(_, t)| t.key.0.clone()) {
                    Some(subject) => super::notes::open(self, subject, None, ""),
                    None => self.toast_error("no ticket selected to comment on"),
                }
                return;
            }
            Command::Copy | Command::OpenLink if is_tickets => {
                return self.ticket_link(command == Command::Copy, fx);
            }
            _ => {}
        }
        match command {
            Command::Quit => {
                if self.pending.is_empty() {
                    fx.push(Effect::Quit);
                } else {
                    self.overlay = Overlay::Confirm(Confirm::Quit);
                }
            }
            Command::Help => {
                self.overlay = match self.overlay {
                    Overlay::Help(_) => Overlay::None,
                    _ => Overlay::Help(0),
                };
            }
            Command::Palette => self.overlay = Overlay::Palette(TextInput::default()),
            Command::Filter => {
                self.overlay = Overlay::Filter(TextInput::with_text(&self.filter_text))
            }
            Command::Back => self.back(fx),
            Command::Up => self.move_or_scroll(-1),
            Command::Down => self.move_or_scroll(1),
            Command::PageUp => self.move_or_scroll(-(self.page() as isize)),
            Command::PageDown => self.move_or_scroll(self.page() as isize),
            Command::Top => self.move_or_scroll(isize::MIN / 2),
            Command::Bottom => self.move_or_scroll(isize::MAX / 2),
            Command::OpenDetail => {
                let can_open = match self.view {
                    View::Alerts => self.selected_alert().is_some(),
                    View::Incidents => self.selected_incident().is_some(),
                    _ => false,
                };
                if can_open {
                    self.is_detail_open = true;
                    self.is_runbook_shown = false;
                    self.detail_scroll = 0;
                    self.ask_related(fx);
                    self.ask_past_fixes(fx);
                }
            }
            Command::OpenRunbook => {
                if self.view == View::Alerts && self.selected_alert().is_some() {
                    self.is_detail_open = true;
                    self.is_runbook_shown = true;
                    self.runbook_find = None;
                    self.runbook_focus = None;
                    self.detail_scroll = 0;
                    self.fetch_runbook(fx);
                } else {
                    self.toast_error("no alert selected to open the runbook of");
                }
            }
            Command::Acknowledge => act::acknowledge(self, fx),
            Command::Resolve => act::ask_resolve(self),
            Command::Escalate => act::ask_escalate(self, None),
            Command::Silence => act::open_silence_prompt(self),
            Command::Note => self.open_note(),
            Command::CycleSort => {
                self.sort = rows::next_sort(self.sort);
                self.rebuild_rows(fx);
                self.toast_info(format!("sort: {}", rows::sort_name(self.sort)));
            }
            Command::CycleGroup => {
                self.group = rows::next_group(self.group);
                self.rebuild_rows(fx);
                self.toast_info(format!("group: {}", rows::group_name(self.group)));
            }
            Command::ToggleClock => {
                use crate::config::ClockZone;
                self.clock = match self.clock {
                    ClockZone::Utc => ClockZone::Local,
                    ClockZone::Local => ClockZone::Utc,
                };
            }
            Command::Refresh => {
                act::to_every_source(self, fx, crate::sources::SourceCommand::PollNow)
            }
            Command::TogglePause => {
                self.is_paused = !self.is_paused;
                let paused = self.is_paused;
                act::to_every_source(self, fx, crate::sources::SourceCommand::SetPaused(paused));
                self.toast_info(if paused {
                    "polling paused (P resumes)"
                } else {
                    "polling resumed"
                });
            }
            Command::ShowAlerts => self.show(View::Alerts),
            Command::ShowOnCall => self.show(View::OnCall),
            Command::ShowSources => self.show(View::Sources),
            Command::ShowOutbox => self.show(View::Outbox),
            Command::ShowIncidents => self.show(View::Incidents),
            Command::ShowHistory => self.show(View::History),
            Command::ShowInsights => {
                self.show(View::Insights);
                self.open_insights(fx);
            }
            Command::InsightsPeriod => self.next_insights_period(fx),
            Command::InsightsGroup => self.next_insights_grouping(),
            Command::DeclareIncident => act::open_incident_prompt(self),
            Command::ShowSilences => self.show(View::Silences),
            Command::Mark => {
                if let Some(key) = self.selected.clone() {
                    if !self.marked.remove(&key) {
                        self.marked.insert(key);
                    }
                    self.move_cursor(1);
                }
            }
            Command::SilenceMatching => act::open_silence_editor(self),
            Command::NextItem => runbook::focus_item(self, 1),
            Command::PreviousItem => runbook::focus_item(self, -1),
            Command::TickStep => runbook::tick_step(self, fx),
            Command::Copy => self.copy(fx),
            Command::Postmortem => postmortem::open(self, fx),
            Command::EditPostmortem => postmortem::edit(self),
            Command::EditExternally => postmortem::edit_externally(self, fx),
            Command::ExportPostmortem => postmortem::ask_export(self),
            Command::RegeneratePostmortem => postmortem::regenerate(self, fx),
            Command::OpenLink => self.open_link(fx),
            Command::ExpireSilence => act::ask_expire(self),
            Command::ShowTickets => {
                self.show(View::Tickets);
                self.rebuild_ticket_rows();
            }
            Command::OpenTicket => tickets::open(self, fx),
            Command::LinkTicket => tickets::ask_link(self),
            Command::PublishPostmortem => tickets::publish(self, "", fx),
        }
    }

    /// `y` / `o` in the tickets view: the ticket's link copied, or opened where there is a
    /// desktop (its key is copied when it has no link).
    fn ticket_link(&mut self, is_copy: bool, fx: &mut Vec<Effect>) {
        let Some((_, ticket)) = self.selected_ticket() else {
            self.toast_error("no ticket selected");
            return;
        };
        let (url, key) = (ticket.url.clone(), ticket.key.0.clone());
        match url {
            Some(url) if !is_copy && self.settings.can_open_links => {
                fx.push(Effect::OpenUrl(url));
            }
            Some(url) => {
                self.toast_info(format!(
                    "copied: {}",
                    crate::model::sanitize::line(&url, 60)
                ));
                fx.push(Effect::Copy(url));
            }
            None => {
                self.toast_info(format!("copied: {key}"));
                fx.push(Effect::Copy(key));
            }
        }
    }

    fn show(&mut self, view: View) {
        // A message belongs to the view it was said in.
        if self.toast.as_ref().is_some_and(|t| t.view != view) {
            self.toast = None;
        }
        self.view = view;
        self.postmortem = None;
        self.is_detail_open = false;
        self.is_runbook_shown = false;
        self.overlay = Overlay::None;
    }

    fn back(&mut self, fx: &mut Vec<Effect>) {
        if self.overlay != Overlay::None {
            self.overlay = Overlay::None;
        } else if self.postmortem.is_some() {
            self.postmortem = None;
            self.detail_scroll = 0;
        } else if self.is_detail_open {
            self.is_detail_open = false;
            self.is_runbook_shown = false;
        } else if self.view == View::Insights && self.insights.open_alert.is_some() {
            self.insights.open_alert = None;
        } else if self.view != View::Alerts {
            self.view = View::Alerts;
        } else if !self.filter_text.is_empty() {
            self.set_filter("", false, fx);
        } else if self.banner.is_some() {
            self.banner = None;
        }
    }

    fn move_or_scroll(&mut self, by: isize) {
        use crate::app::screen::Screen;
        match self.screen() {
            s if s.is_scrolled_text() => {
                self.detail_scroll = self.scrolled.get().moved(self.detail_scroll, by);
            }
            Screen::Tickets { .. } => self.ticket_list.move_by(by),
            Screen::Silences => self.silence_list.move_by(by),
            Screen::Incidents { .. } => self.move_incident(by),
            Screen::Insights { .. } => self.move_insights(by),
            _ => self.move_cursor(by),
        }
    }

    /// Whether the keys that move scroll a pane of text (a detail, a runbook, a
    /// post-mortem) rather than move a selection.
    fn is_scrolling(&self) -> bool {
        self.screen().is_scrolled_text()
    }

    /// What a page is: the scrolled pane's height, else the list's.
    fn page(&self) -> usize {
        if self.is_scrolling() {
            usize::from(self.scrolled.get().page)
        } else {
            crate::app::layout::list_rows(self).max(1)
        }
    }
}

/// How long what is behind an alert is kept before opening its detail asks again.
const RELATED_FOR: chrono::TimeDelta = chrono::TimeDelta::minutes(2);

impl App {
    /// Asks the selected alert's source what is behind it (a PagerDuty incident's alerts),
    /// unless it was asked lately. Only sources that keep such things are asked.
    fn ask_related(&mut self, fx: &mut Vec<Effect>) {
        if self.view != View::Alerts {
            return;
        }
        let Some(alert) = self.selected_alert() else {
            return;
        };
        let (key, source) = (alert.key.clone(), alert.source.clone());
        let keeps_related = self
            .sources
            .iter()
            .any(|s| s.info.id == source && s.info.can.related);
        let is_fresh = self
            .related
            .get(&key)
            .is_some_and(|r| self.now - r.asked_at < RELATED_FOR);
        if !keeps_related || is_fresh {
            return;
        }
        self.related.insert(
            key.clone(),
            crate::app::RelatedState {
                asked_at: self.now,
                answer: None,
            },
        );
        fx.push(Effect::SendCommand {
            source,
            command: crate::sources::SourceCommand::Related(key),
        });
    }
}

/// Most text put on the clipboard: terminals refuse longer OSC 52 sequences (xterm's
/// default limit is about 100 KB of base64).
const COPY_CAP: usize = 74_000;

impl App {
    /// `y`: the runbook's focused code block or link (in the runbook), else the alert's key.
    fn copy(&mut self, fx: &mut Vec<Effect>) {
        let text = if let Some(view) = &self.postmortem {
            view.text.clone().and_then(Result::ok)
        } else if self.is_runbook_shown {
            runbook::copy_focused(self)
        } else {
            self.selected_alert().map(|a| a.key.0.clone())
        };
        match text {
            Some(text) if text.len() > COPY_CAP => self.toast_error(format!(
                "too long to copy ({} KB; terminals take about {} KB)",
                text.len() / 1024,
                COPY_CAP / 1024
            )),
            Some(text) => {
                let first = text.lines().next().unwrap_or_default();
                self.toast_info(format!(
                    "copied: {}",
                    crate::model::sanitize::line(first, 48)
                ));
                fx.push(Effect::Copy(text));
            }
            None => self.toast_error("nothing to copy here"),
        }
    }

    /// `o`: the runbook's focused link (in the runbook), else the alert's first link, in
    /// the browser; where there is no desktop (SSH) it is copied instead.
    fn open_link(&mut self, fx: &mut Vec<Effect>) {
        let url = if self.is_runbook_shown {
            runbook::link_to_open(self)
        } else {
            self.selected_alert()
                .and_then(|a| a.links.first())
                .map(|l| l.url.to_string())
        };
        let Some(url) = url else {
            self.toast_error("no link to open here");
            return;
        };
        if !crate::terminal::open_link::is_web(&url) {
            self.toast_error("only http(s) links open in a browser: y copies it");
        } else if self.settings.can_open_links {
            self.toast_info(format!(
                "opening {}",
                crate::model::sanitize::line(&url, 60)
            ));
            fx.push(Effect::OpenUrl(url));
        } else {
            self.toast_info("no desktop here: link copied to your terminal's clipboard");
            fx.push(Effect::Copy(url));
        }
    }

    /// Asks for the selected alert's runbook when it is an http(s) link not fetched yet
    /// (one that failed is asked again).
    fn fetch_runbook(&mut self, fx: &mut Vec<Effect>) {
        let Some(alert) = self.selected_alert() else {
            return;
        };
        let found = self
            .settings
            .runbooks
            .resolve(alert, &self.settings.runbook_annotations);
        let Some(crate::runbook::Runbook::Link { url, .. }) = found else {
            return;
        };
        let is_web = url.starts_with("http://") || url.starts_with("https://");
        let is_had = matches!(self.fetched_runbooks.get(&url), Some(None | Some(Ok(_))));
        if is_web && !is_had {
            self.fetched_runbooks.insert(url.clone(), None);
            fx.push(Effect::FetchRunbook(url));
        }
    }
}
