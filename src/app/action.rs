//! What goes into `update` (`Action`) and what comes out of it (`Effect`).

use chrono::{DateTime, Utc};
use crossterm::event::{KeyEvent, MouseEvent};

use super::Command;
use crate::model::SourceId;
use crate::sources::{SourceCommand, SourceEvent};

/// Something that happened: a key, a tick, a source's news, a named command.
#[derive(Clone, Debug)]
pub enum Action {
    /// A key was pressed.
    Key(KeyEvent),
    /// Text was pasted.
    Paste(String),
    /// The mouse did something.
    Mouse(MouseEvent),
    /// The terminal is now this size (columns, rows).
    Resize(u16, u16),
    /// The clock moved on.
    Tick(DateTime<Utc>),
    /// A source reported a fact.
    Source(SourceEvent),
    /// Run a named command (from a key, the palette or a test).
    Run(Command),
    /// Show an error to the responder.
    ShowError(String),
    /// News from the journal.
    Journal(crate::journal::task::JournalEvent),
    /// An ordering of every alert that ran off the UI task finished.
    Ordered(Box<super::order_job::Ordered>),
    /// A runbook link was fetched (or could not be).
    RunbookFetched {
        /// The link.
        url: String,
        /// Its Markdown, or that it is a web page, or why not.
        result: Result<crate::runbook::fetch::Fetched, String>,
    },
    /// The external editor returned (the text as saved, or why not).
    EditedExternally {
        /// The post-mortem's subject.
        subject: String,
        /// The text.
        result: Result<String, String>,
    },
    /// A post-mortem or hand-off was written to a file (or not).
    Exported {
        /// What it was ("post-mortem", "hand-off").
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// Whether it worked.
        result: Result<(), String>,
    },
    /// A filter pass that ran off the UI task finished.
    FilterApplied(super::filter_job::Filtered),
}

/// A work order for the runtime.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Hand a command to a source task. The runtime routes every `Perform` through the
    /// journal, which writes it before the source sees it.
    SendCommand {
        /// Which source.
        source: SourceId,
        /// What to do.
        command: SourceCommand,
    },
    /// Ask the journal (an outcome to record, a note to write).
    Journal(crate::journal::task::Request),
    /// Leave onduty.
    Quit,
    /// Order every alert off the UI task; it comes back as `Action::Ordered`.
    OrderAlerts(super::order_job::OrderJob),
    /// Run a filter pass off the UI task; it comes back as `Action::FilterApplied`.
    FilterAlerts(super::filter_job::FilterJob),
    /// Fetch a runbook link; it comes back as `Action::RunbookFetched`.
    FetchRunbook(String),
    /// Put text on the clipboard of the responder's own terminal (OSC 52, over SSH too).
    Copy(String),
    /// Open a link in the browser of this desktop.
    OpenUrl(String),
    /// Lend the terminal to the responder's editor on `text`; it comes back as
    /// `Action::EditedExternally`.
    EditExternally {
        /// The post-mortem's subject.
        subject: String,
        /// The text to edit.
        text: String,
    },
    /// Write `text` to `path` atomically; it comes back as `Action::Exported`.
    Export {
        /// What it is ("post-mortem", "hand-off"), for the toast.
        what: &'static str,
        /// The file.
        path: std::path::PathBuf,
        /// The Markdown.
        text: String,
    },
    /// Write a shift hand-off (rendered and written off the UI task); it comes back as
    /// `Action::Exported`.
    WriteHandoff(Box<crate::handoff::Job>),
    /// Notify the engineer on every channel that is on (desktop, bell, OSC 9/777).
    Notify(crate::notify::Notification),
    /// Free a replaced snapshot off the UI task.
    Release(std::sync::Arc<Vec<crate::model::Alert>>),
}

impl From<super::order_job::Ordered> for Action {
    fn from(ordered: super::order_job::Ordered) -> Action {
        Action::Ordered(Box::new(ordered))
    }
}

impl From<super::filter_job::Filtered> for Action {
    fn from(filtered: super::filter_job::Filtered) -> Action {
        Action::FilterApplied(filtered)
    }
}
