//! The commands a key or `:` can name: user intents with a name (used in keybinding TOML and
//! the palette) and one line of help. The help view and the README's key table read these.

macro_rules! commands {
    ($( $(#[doc = $doc:literal])+ $variant:ident = $name:literal ),+ $(,)?) => {
        /// A user intent that a key or the palette can name.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Command {
            $( $(#[doc = $doc])+ $variant, )+
        }

        impl Command {
            /// Every command, in help order.
            pub const ALL: &'static [Command] = &[$(Command::$variant),+];

            /// The snake_case name used in config and the palette.
            pub fn name(self) -> &'static str {
                match self { $(Command::$variant => $name,)+ }
            }

            /// One line of help.
            pub fn help(self) -> &'static str {
                match self { $(Command::$variant => concat!($($doc),+).trim_ascii(),)+ }
            }

            /// The command named `name`.
            pub fn from_name(name: &str) -> Option<Command> {
                match name { $($name => Some(Command::$variant),)+ _ => None }
            }
        }
    };
}

commands! {
    /// Quit onduty (asks first while actions are pending)
    Quit = "quit",
    /// Show or hide the help overlay
    Help = "help",
    /// Open the command palette
    Palette = "palette",
    /// Filter the alert list
    Filter = "filter",
    /// Close the overlay, clear the filter, or go back
    Back = "back",
    /// Move the selection up
    Up = "up",
    /// Move the selection down
    Down = "down",
    /// Move up one page
    PageUp = "page_up",
    /// Move down one page
    PageDown = "page_down",
    /// Jump to the first alert
    Top = "top",
    /// Jump to the last alert
    Bottom = "bottom",
    /// Open the selected alert's detail
    OpenDetail = "open_detail",
    /// Acknowledge the marked (or the selected) alerts
    Acknowledge = "acknowledge",
    /// Resolve the marked (or selected) alerts, asks first
    Resolve = "resolve",
    /// Silence (snooze) the marked (or selected) alerts
    Silence = "silence",
    /// Escalate: page the alert's next level (asks to confirm)
    Escalate = "escalate",
    /// Write a note on the selected alert
    Note = "note",
    /// Open the selected alert's runbook
    OpenRunbook = "open_runbook",
    /// In the runbook: focus the next step, code block or link
    NextItem = "next_item",
    /// In the runbook: focus the previous step, code block or link
    PreviousItem = "previous_item",
    /// In the runbook: tick (or untick) the focused checklist step for the incident
    TickStep = "tick_step",
    /// Copy to the clipboard (OSC 52): the alert's key, or the runbook's focused code or link
    Copy = "copy",
    /// Open the alert's link, or the runbook's focused link, in the browser (else copy it)
    OpenLink = "open_link",
    /// Write the post-mortem of the alert's incident (or the alert) from the journal
    Postmortem = "postmortem",
    /// In the post-mortem: edit it here (kept in the journal as typed)
    EditPostmortem = "edit_postmortem",
    /// In the post-mortem: edit it in $VISUAL / $EDITOR
    EditExternally = "edit_externally",
    /// In the post-mortem: write it to a Markdown file
    ExportPostmortem = "export_postmortem",
    /// In the post-mortem: write a new draft from the journal (the kept one stays until saved over)
    RegeneratePostmortem = "regenerate_postmortem",
    /// In the post-mortem: publish it (and its action items) as tickets of the first ticketing source
    PublishPostmortem = "publish_postmortem",
    /// Mark/unmark the alert, then move down (a, r, s, S, I act on the marks)
    Mark = "mark",
    /// Declare an incident from the marked (or the selected) alerts
    DeclareIncident = "declare_incident",
    /// Silence by matchers, previewing what it catches
    SilenceMatching = "silence_matching",
    /// Expire the selected silence (asks to confirm)
    ExpireSilence = "expire_silence",
    /// Cycle the sort order: severity, age, source, service
    CycleSort = "cycle_sort",
    /// Cycle grouping: service, source, severity, none
    CycleGroup = "cycle_group",
    /// Switch the clock between UTC and local time
    ToggleClock = "toggle_clock",
    /// Poll every source now
    Refresh = "refresh",
    /// Pause or resume polling (the picture stays still)
    TogglePause = "toggle_pause",
    /// Show the alert list
    ShowAlerts = "show_alerts",
    /// Show who is on call and the escalation policies
    ShowOnCall = "show_oncall",
    /// Show source health
    ShowSources = "show_sources",
    /// Show the silences of every source
    ShowSilences = "show_silences",
    /// Show the outbox: actions written and not yet confirmed
    ShowOutbox = "show_outbox",
    /// Show the incidents and their timelines
    ShowIncidents = "show_incidents",
    /// Show what fired and resolved since you last looked
    ShowHistory = "show_history",
    /// Show the tickets of every ticketing source
    ShowTickets = "show_tickets",
    /// Show the insights: time to acknowledge and resolve, load per responder, noise
    ShowInsights = "show_insights",
    /// In the insights: the next period (7, 30, 90 days)
    InsightsPeriod = "insights_period",
    /// In the insights: group by service, team, escalation policy or responder
    InsightsGroup = "insights_group",
    /// Open the ticket of the selected alert or incident
    OpenTicket = "open_ticket",
    /// Link a ticket (key or URL) to the selected incident or alert
    LinkTicket = "link_ticket",
}

impl Command {
    /// Whether the command changes something at a back end (hidden and refused when read-only).
    pub fn is_action(self) -> bool {
        matches!(
            self,
            Command::Acknowledge
                | Command::Resolve
                | Command::Escalate
                | Command::Silence
                | Command::Note
                | Command::SilenceMatching
                | Command::ExpireSilence
                | Command::DeclareIncident
                | Command::TickStep
                | Command::EditPostmortem
                | Command::EditExternally
                | Command::LinkTicket
                | Command::PublishPostmortem
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_command_has_help() {
        for c in Command::ALL {
            assert_eq!(Command::from_name(c.name()), Some(*c));
            assert!(!c.help().is_empty(), "{c:?}");
        }
    }
}
