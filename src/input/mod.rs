//! The responder's vocabulary: the commands a key or `:` can name, and the keymap that binds
//! keys to them (read by the config, used by the app). Below both, so the config does not
//! reach up into the app.

pub mod command;
pub mod keymap;
