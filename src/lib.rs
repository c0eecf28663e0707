//! onduty: a full-screen terminal dashboard for on-call engineers.
pub mod app;
pub mod bulk;
pub mod cli;
pub mod clock;
pub mod config;
pub mod cores;
pub mod duration_fmt;
pub mod errors;
pub mod escalation;
pub mod external_editor;
pub mod handoff;
pub mod journal;
pub mod logging;
pub mod model;
pub mod notify;
pub mod open_link;
pub mod osc;
pub mod postmortem;
pub mod runbook;
pub mod runtime;
pub mod sources;
#[doc(hidden)]
pub mod testing;
pub mod theme;
pub mod tui;
pub mod tui_events;
pub mod ui;
