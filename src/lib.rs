//! onduty: a full-screen terminal dashboard for on-call engineers.
//!
//! How it fits together (arrows point down: no file imports one that imports it back):
//!
//! - `main` → `cli`: parses the command line; the dashboard (`cli::dashboard`) or a one-shot
//!   command sharing the same code paths (`cli::headless` builds the same `App`).
//! - `runtime`: the dashboard's loop. Terminal events (`terminal`), source events and
//!   journal events become `app::Action`s; `App::update` returns `Effect`s the loop carries
//!   out; `ui::view` draws the `App` when it changed.
//! - `app`: all state and every decision (`update`), what is on screen (`App::screen`);
//!   `ui` only draws it. `input`: the commands and the keymap the config binds.
//! - `sources`: one task per configured back end (`poller`, started by `sources::start`),
//!   each a folder declaring its `KIND`, its own config keys (`config.rs`) and its `BACKEND`
//!   (kind, `Capabilities`, check, constructor) on one line of `sources::registry`; the
//!   config loader asks the registry to check each `[[source]]`.
//! - `journal`: the shared record (SQLite or PostgreSQL): notes, timeline, outbox (an action
//!   is written there before it is sent), incidents, snapshots; its actor is `journal::task`.
//! - Below them all: `model` (sanitized values), `config`, `escalation`, `runbook`,
//!   `postmortem`, `handoff`, `notify`, `theme`, `clock`, `work` (off-task jobs).
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod duration_fmt;
pub mod errors;
pub mod escalation;
pub mod handoff;
pub mod input;
pub mod insights;
pub mod journal;
pub mod logging;
pub mod model;
pub mod notify;
pub mod postmortem;
pub mod runbook;
pub mod runtime;
pub mod sources;
pub mod terminal;
#[doc(hidden)]
pub mod testing;
pub mod theme;
pub mod ui;
pub mod work;
