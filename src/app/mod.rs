//! Application state and `update`.
pub mod command;
pub mod keymap;
