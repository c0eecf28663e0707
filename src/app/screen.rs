//! What the body of the screen shows, decided in one place: drawing, the key scope, the hint
//! bar, scrolling and the clock all ask `App::screen()` rather than each weighing the view,
//! the post-mortem and the open detail in its own order. The wall and the overlays are layers
//! above it, each one field of `App`.

use super::keymap::KeyScope;
use super::{App, View};

/// The body of the screen.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Screen {
    /// A post-mortem, over whatever view it was opened from.
    Postmortem,
    /// An alert's runbook, full screen.
    Runbook,
    /// An alert's detail, full screen.
    AlertDetail,
    /// The alert list (with the detail beside it when the terminal is wide).
    AlertList,
    /// The tickets, or one ticket opened.
    Tickets {
        /// Whether one ticket is open.
        is_open: bool,
    },
    /// The incidents, or one incident opened.
    Incidents {
        /// Whether one incident is open.
        is_open: bool,
    },
    /// The silences.
    Silences,
    /// Who is on call.
    OnCall,
    /// The sources' health.
    Sources,
    /// The outbox.
    Outbox,
    /// What the sources were seen to change.
    History,
    /// Key figures, or one alert's episodes opened from them.
    Insights {
        /// Whether one alert's episodes are open.
        is_open: bool,
    },
}

impl Screen {
    /// Whether the keys that move scroll a pane of text (a detail, a runbook, a post-mortem)
    /// rather than move a selection.
    pub fn is_scrolled_text(self) -> bool {
        matches!(
            self,
            Screen::Postmortem
                | Screen::Runbook
                | Screen::AlertDetail
                | Screen::Tickets { is_open: true }
                | Screen::Incidents { is_open: true }
                | Screen::Insights { is_open: true }
        )
    }
}

impl App {
    /// The key scope of the current mode.
    pub fn key_scope(&self) -> KeyScope {
        match self.screen() {
            Screen::Silences => KeyScope::Silences,
            Screen::Postmortem => KeyScope::Postmortem,
            Screen::Tickets { .. } => KeyScope::Tickets,
            Screen::Insights { is_open: false } => KeyScope::Insights,
            Screen::Insights { is_open: true } => KeyScope::Detail,
            Screen::Runbook => KeyScope::Runbook,
            Screen::AlertDetail | Screen::Incidents { is_open: true } => KeyScope::Detail,
            Screen::AlertList
            | Screen::Incidents { is_open: false }
            | Screen::OnCall
            | Screen::Sources
            | Screen::Outbox
            | Screen::History => KeyScope::AlertList,
        }
    }

    /// What the body of the screen shows now.
    pub fn screen(&self) -> Screen {
        if self.postmortem.is_some() {
            return Screen::Postmortem;
        }
        let is_open = self.is_detail_open;
        match self.view {
            View::Alerts if is_open && self.is_runbook_shown => Screen::Runbook,
            View::Alerts if is_open => Screen::AlertDetail,
            View::Alerts => Screen::AlertList,
            View::Tickets => Screen::Tickets { is_open },
            View::Incidents => Screen::Incidents { is_open },
            View::Silences => Screen::Silences,
            View::OnCall => Screen::OnCall,
            View::Sources => Screen::Sources,
            View::Outbox => Screen::Outbox,
            View::History => Screen::History,
            View::Insights => Screen::Insights {
                is_open: self.insights.open_alert.is_some(),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Screen;
    use crate::app::{PostmortemView, View};
    use crate::input::keymap::KeyScope;
    use crate::testing::demo_app;

    #[test]
    fn one_answer_for_what_is_shown_and_which_keys_apply() {
        let mut app = demo_app(100, 120, 30);
        assert_eq!(app.screen(), Screen::AlertList);
        app.is_detail_open = true;
        assert_eq!(app.screen(), Screen::AlertDetail);
        assert_eq!(app.key_scope(), KeyScope::Detail);
        app.is_runbook_shown = true;
        assert_eq!(app.screen(), Screen::Runbook);
        assert_eq!(app.key_scope(), KeyScope::Runbook);
        // A post-mortem is over whatever it was opened from.
        app.postmortem = Some(PostmortemView {
            subject: "incident:1".into(),
            text: None,
            is_kept: false,
        });
        assert_eq!(app.screen(), Screen::Postmortem);
        assert_eq!(app.key_scope(), KeyScope::Postmortem);
        assert!(app.screen().is_scrolled_text());
        app.postmortem = None;
        app.view = View::Tickets;
        assert_eq!(app.screen(), Screen::Tickets { is_open: true });
        assert_eq!(app.key_scope(), KeyScope::Tickets);
        app.is_detail_open = false;
        assert!(
            !app.screen().is_scrolled_text(),
            "the tickets' cursor moves"
        );
        app.view = View::Silences;
        assert_eq!(app.key_scope(), KeyScope::Silences);
    }
}
