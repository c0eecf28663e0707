//! Application state and `update`: pure, no I/O, no awaits. An `Action` in, the state
//! changed, `Effect`s out for the runtime to carry out.

mod action;
pub mod alert_notes;
pub use crate::input::command;
pub mod filter;
pub mod filter_job;
pub mod hints;
pub mod history;
pub mod incidents;
pub mod insights;
mod journal_access;
pub mod problems;
pub use crate::input::keymap;
pub mod layout;
pub mod list_pane;
pub mod note_editor;
pub mod order_job;
pub mod rows;
pub mod rules;
pub mod runbook_page;
pub mod screen;
pub mod silence_editor;
pub mod silences;
mod state;
pub mod text_input;
pub mod ticket_index;
pub mod tickets;
mod update;
/// What the app knows of a source (it lives with the sources).
pub use crate::sources::SourceInfo;
pub mod wall;

pub use action::{Action, Effect};
pub use command::Command;
pub use state::{
    App, Bulk, Confirm, MyShift, Overlay, Pending, PostmortemView, Prompt, PromptKind,
    RelatedState, Scrolled, Settings, SourceHealth, SourceState, Toast, View,
};
pub use update::{PALETTE_HELP, palette_completions};
