//! The terminal's edge: entering and leaving the screen (`tui`), reading its events
//! (`events`), OSC sequences (clipboard, title, notifications), lending the terminal to an
//! external editor, and opening links in a browser.

pub mod events;
pub mod external_editor;
pub mod open_link;
pub mod osc;
pub mod tui;
