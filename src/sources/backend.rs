//! `Backend`: what a back end's folder declares to the registry — its kind, what it can do,
//! how its settings are checked and how a source of it is built — and `Setting`, what a
//! source is built from.

use std::sync::Arc;
use std::time::Duration;

pub use super::erased::AnySource;
use super::{Capabilities, Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::escalation::LocalEscalation;
use crate::model::{AlertKey, SourceId};

/// One back end: its kind, what it can do, how its keys are checked, how a source of it is
/// built. Each back end declares its own (`BACKEND`, beside its `CAPABILITIES`).
pub struct Backend {
    /// Its kind.
    pub kind: SourceKind,
    /// What it can do.
    pub can: Capabilities,
    /// The problems of a source's back-end keys (`sources/<backend>/config.rs`).
    pub check: fn(&SourceConfig) -> Vec<Problem>,
    /// A source of it; its problems when the source's keys are bad.
    pub build: fn(&Setting<'_>) -> Result<AnySource, Vec<Problem>>,
    /// Runbooks it brings along (the demo's), added to the library when it is configured;
    /// `of` brings none.
    pub runbooks: fn() -> Vec<crate::runbook::Entry>,
    /// What `onduty check` advises about a source of it (how to move off an API being
    /// switched off); `of` advises nothing.
    pub advice: fn(&SourceConfig) -> Option<String>,
}

impl Backend {
    /// The back end of `kind`, doing what `can` says, its keys checked by `check`, built by
    /// `build`.
    pub const fn of(
        kind: SourceKind,
        can: Capabilities,
        check: fn(&SourceConfig) -> Vec<Problem>,
        build: fn(&Setting<'_>) -> Result<AnySource, Vec<Problem>>,
    ) -> Self {
        Backend {
            kind,
            can,
            check,
            build,
            runbooks: Vec::new,
            advice: |_| None,
        }
    }
}

/// A back end's own keys, read from a source's section and checked.
pub trait BackendSettings: Sized {
    /// The settings of `source`, or every problem of its keys.
    fn read(source: &SourceConfig) -> Result<Self, Vec<Problem>>;
}

/// The problems of `source`'s back-end keys read as `S` (a `Backend`'s `check`).
pub fn check<S: BackendSettings>(source: &SourceConfig) -> Vec<Problem> {
    S::read(source).err().unwrap_or_default()
}

impl BackendSettings for crate::config::source::NoSettings {
    fn read(source: &SourceConfig) -> Result<Self, Vec<Problem>> {
        source.settings()
    }
}

/// A back end's source built from its section, request timeout and clock alone (no local
/// escalation, no runbooks): `Backend::of(…, built_from_config::<ItsSource>)`.
pub trait FromConfig: Source + Sized {
    /// The source `config` describes; the problems of its keys if bad.
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>>;
}

/// A `Backend`'s `build` for a source that needs only its section, timeout and clock.
pub fn built_from_config<S: FromConfig>(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let source = S::from_config(
        setting.source.clone(),
        setting.timeout,
        setting.clock.clone(),
    )?;
    Ok(AnySource::new(source))
}

/// What a source is built from: its own section, the escalation policies of
/// `escalation.toml`, its request timeout and the clock.
pub struct Setting<'a> {
    /// The source's section.
    pub source: &'a SourceConfig,
    /// The local escalation policies (for back ends that page nobody themselves).
    pub escalation: &'a Arc<LocalEscalation>,
    /// How long one request may take.
    pub timeout: Duration,
    /// The clock.
    pub clock: &'a SharedClock,
}

/// A source whose keys are bad (only a config not checked at load, such as one built by
/// hand): every poll and action fails, saying which key is wrong.
pub struct Misconfigured {
    id: SourceId,
    reason: String,
}

impl Misconfigured {
    /// The source `id`, refused for `problems`.
    pub fn new(id: SourceId, problems: &[Problem]) -> Misconfigured {
        let reason = problems
            .iter()
            .map(Problem::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        Misconfigured {
            id,
            reason: format!("misconfigured: {reason}"),
        }
    }
}

impl Source for Misconfigured {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        Err(Error::Rejected(self.reason.clone()))
    }

    async fn perform(&mut self, _: &AlertKey, _: &Operation, _: &str) -> Result<(), Error> {
        Err(Error::Rejected(self.reason.clone()))
    }
}
