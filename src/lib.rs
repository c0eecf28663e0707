//! onduty: a full-screen terminal dashboard for on-call engineers.
//!
//! How it fits together (arrows point down; the few that do not yet are listed in issue 26):
//!
//! - `main` → `cli`: parses the command line; the dashboard (`cli::dashboard`) or a one-shot
//!   command sharing the same code paths (`cli::headless` builds the same `App`).
//! - `runtime`: the dashboard's loop. Terminal events (`terminal`), source events and
//!   journal events become `app::Action`s; `App::update` returns `Effect`s the loop carries
//!   out; `ui::view` draws the `App` when it changed.
//! - `app`: all state and every decision (`update`), what is on screen (`App::screen`);
//!   `ui` only draws it. `input`: the commands and the keymap the config binds.
//! - `sources`: one task per configured back end (`poller`), each a folder declaring its
//!   `BACKEND` (kind, `Capabilities`, constructor) on one line of `sources::registry`.
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
