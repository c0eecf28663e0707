//! onduty: a full-screen terminal dashboard for on-call engineers.
pub mod app;
pub mod clock;
pub mod config;
pub mod duration_fmt;
pub mod model;
pub mod sources;
