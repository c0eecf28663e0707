//! The key hints: what each screen offers (`Screen::commands`, the way gitui's components
//! each say their `commands()`), and what the key bar shows now — over an overlay, less what
//! the selected alert's source cannot do, less every action when read-only.

use super::screen::Screen;
use super::{App, Command, Overlay, View};

impl Screen {
    /// The commands this screen offers, with their key-bar labels, most used first.
    pub fn commands(self) -> Vec<(Command, &'static str)> {
        use Command as C;
        match self {
            Screen::Postmortem => vec![
                (C::Back, "back"),
                (C::EditPostmortem, "edit"),
                (C::EditExternally, "$EDITOR"),
                (C::ExportPostmortem, "write file"),
                (C::Copy, "copy"),
                (C::RegeneratePostmortem, "new draft"),
                (C::PublishPostmortem, "publish"),
            ],
            Screen::Runbook => vec![
                (C::Back, "back"),
                (C::NextItem, "next step/code/link"),
                (C::TickStep, "tick"),
                (C::Copy, "copy"),
                (C::OpenLink, "open"),
            ],
            Screen::AlertDetail => vec![
                (C::Back, "back"),
                (C::Acknowledge, "ack"),
                (C::Resolve, "resolve"),
                (C::Silence, "silence"),
                (C::Note, "note"),
            ],
            Screen::AlertList => vec![
                (C::OpenDetail, "detail"),
                (C::Acknowledge, "ack"),
                (C::Resolve, "resolve"),
                (C::Silence, "silence"),
                (C::Note, "note"),
                (C::Filter, "filter"),
                (C::CycleSort, "sort"),
                (C::CycleGroup, "group"),
                (C::Mark, "mark"),
                (C::SilenceMatching, "silence…"),
            ],
            Screen::Silences => vec![(C::Back, "back"), (C::ExpireSilence, "expire")],
            Screen::Incidents { is_open: false } => vec![
                (C::Back, "back"),
                (C::OpenDetail, "open"),
                (C::Note, "note"),
                (C::DeclareIncident, "declare"),
            ],
            Screen::Incidents { is_open: true } => vec![(C::Back, "back"), (C::Note, "note")],
            Screen::Tickets { is_open: false } => vec![
                (C::Back, "back"),
                (C::OpenDetail, "open"),
                (C::Acknowledge, "start"),
                (C::Resolve, "resolve"),
                (C::Note, "comment"),
                (C::Filter, "filter"),
                (C::OpenLink, "browser"),
            ],
            Screen::Tickets { is_open: true } => vec![
                (C::Back, "back"),
                (C::Acknowledge, "start"),
                (C::Resolve, "resolve"),
                (C::Note, "comment"),
                (C::OpenLink, "browser"),
                (C::Copy, "copy"),
            ],
            Screen::Insights { is_open: false } => vec![
                (C::Back, "back"),
                (C::NextItem, "response/load/noise"),
                (C::InsightsPeriod, "7/30/90 days"),
                (C::InsightsGroup, "group by"),
                (C::OpenDetail, "alert history"),
            ],
            Screen::Insights { is_open: true } => vec![(C::Back, "back")],
            Screen::OnCall | Screen::Sources | Screen::Outbox | Screen::History => {
                vec![(C::Back, "back"), (C::ShowAlerts, "alerts")]
            }
        }
    }
}

impl App {
    /// The commands offered in the key bar now.
    pub fn offered_commands(&self) -> Vec<(Command, &'static str)> {
        use Command as C;
        let app = self;
        let mut v = match &app.overlay {
            Overlay::Help(_) => return vec![(C::Back, "close")],
            Overlay::Confirm(_) => return Vec::new(),
            Overlay::Filter(_) | Overlay::Palette(_) | Overlay::Prompt(_) => return Vec::new(),
            Overlay::SilenceEditor(_) | Overlay::NoteEditor(_) => return Vec::new(),
            _ => app.screen().commands(),
        };
        let has_ticket = app.view == View::Alerts
            && app
                .selected_alert()
                .is_some_and(|a| !app.tickets_of_alert(a).is_empty());
        if has_ticket && app.postmortem.is_none() && !app.is_runbook_shown {
            v.push((C::OpenTicket, "ticket"));
        }
        if app.silence_list.rows.is_empty() {
            // Nothing to expire: not offered (the key still says so if pressed).
            v.retain(|(c, _)| *c != C::ExpireSilence);
        }
        if !app.has_ticket_sources() {
            v.retain(|(c, _)| *c != C::PublishPostmortem);
        }
        // What the selected alert's source cannot do is not offered (its capabilities say).
        if let Some(a) = app.selected_alert().filter(|_| app.view == View::Alerts) {
            use crate::sources::Capabilities;
            let needs = |c: &Command| -> Option<fn(&Capabilities) -> crate::sources::Can> {
                match c {
                    C::Acknowledge => Some(|c| c.acknowledge),
                    C::Resolve => Some(|c| c.resolve),
                    C::Silence => Some(|c| c.snooze),
                    _ => None,
                }
            };
            v.retain(|(c, _)| needs(c).is_none_or(|n| app.source_can(&a.key, n).is_yes()));
        }
        if app.settings.is_read_only {
            v.retain(|(c, _)| !c.is_action());
        }
        // Help and quit first: when the bar is too narrow, the last hints are dropped.
        let mut all = vec![(C::Help, "help"), (C::Quit, "quit")];
        all.extend(v);
        all.push((C::Palette, "cmd"));
        all
    }
}

#[cfg(test)]
mod tests {
    use crate::app::{Action, Command, View};

    #[test]
    fn an_empty_silences_view_offers_no_expire() {
        let mut app = crate::testing::demo_app(100, 80, 24);
        app.update(Action::Run(Command::ShowSilences));
        assert_eq!(app.view, View::Silences);
        assert!(
            app.silence_list.rows.is_empty(),
            "the demo starts with no silence"
        );
        let offered: Vec<Command> = app.offered_commands().into_iter().map(|(c, _)| c).collect();
        assert!(!offered.contains(&Command::ExpireSilence), "{offered:?}");
        assert!(offered.contains(&Command::Back), "{offered:?}");
    }
}
