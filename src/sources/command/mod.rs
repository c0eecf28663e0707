//! `CommandSource`: any program as a source. It is run every poll (argv, no shell, within
//! the source's timeout) and prints its alerts as JSON, one per line or as an array, with the
//! names of `onduty alerts --json`; what it prints on stderr goes to the log. Actions run the
//! programs of `[source.actions.NAME]`, the alert and the action as JSON on stdin, through
//! the outbox like every action.

mod config;
mod lines;
mod run;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, SourceId};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::{Can, Capabilities};
pub use config::{ACTIONS, DEFAULT_MAX_OUTPUT, Settings};
pub use lines::SCHEMA;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("command");

/// What a command source does with no actions configured; each `[source.actions.NAME]`
/// adds one (`Source::capabilities_now`).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::No(
        "this command source runs nothing for a: add [source.actions.acknowledge]",
    ),
    unacknowledge: Can::No(
        "this command source runs nothing for :unack: add [source.actions.unacknowledge]",
    ),
    resolve: Can::No("this command source runs nothing for r: add [source.actions.resolve]"),
    unresolve: Can::No(
        "this command source runs nothing for :unresolve: add [source.actions.unresolve]",
    ),
    snooze: Can::No("this command source runs nothing for s: add [source.actions.silence]"),
    is_local: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<CommandSource>,
);

/// Most bytes an action program may print (read and dropped).
const ACTION_OUTPUT: usize = 1 << 20;

/// A program as a source.
pub struct CommandSource {
    id: SourceId,
    settings: Settings,
    clock: SharedClock,
    /// Each alert's item as last printed, by key: what an action program is handed.
    printed: HashMap<AlertKey, Value>,
}

impl FromConfig for CommandSource {
    fn from_config(
        config: SourceConfig,
        _timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(CommandSource {
            id: SourceId(config.name.as_str().into()),
            settings,
            clock,
            printed: HashMap::new(),
        })
    }
}

/// The action an operation runs, and what it adds to the JSON on stdin.
fn action_of(op: &Operation) -> Option<(&'static str, Value)> {
    Some(match op {
        Operation::Acknowledge => ("acknowledge", json!({})),
        Operation::Unacknowledge => ("unacknowledge", json!({})),
        Operation::Resolve => ("resolve", json!({})),
        Operation::Unresolve => ("unresolve", json!({})),
        Operation::Silence { duration, comment } => (
            "silence",
            json!({ "duration_seconds": duration.as_secs(), "comment": comment }),
        ),
        Operation::AddNote { text } => ("note", json!({ "text": text })),
        _ => return None,
    })
}

impl Source for CommandSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let cap = self.settings.max_output.unwrap_or(DEFAULT_MAX_OUTPUT);
        let output = run::run(&self.id, &self.settings.command, None, cap).await?;
        let now = self.clock.now();
        let read = crate::work::bulk::run({
            let id = self.id.clone();
            move || lines::read(&output, &id, now)
        })
        .await
        .map_err(|e| Error::Decode(format!("reader stopped: {e}")))?;
        if read.alerts.is_empty() && read.invalid > 0 {
            return Err(Error::Decode(format!(
                "it printed {} item(s) and none is an alert (JSON with id and title, one per \
                 line or an array)",
                read.invalid
            )));
        }
        self.printed = read
            .alerts
            .iter()
            .map(|(a, v)| (a.key.clone(), v.clone()))
            .collect();
        Ok(Snapshot {
            alerts: Arc::new(read.alerts.into_iter().map(|(a, _)| a).collect()),
            invalid: read.invalid,
            ..Snapshot::default()
        })
    }

    fn capabilities_now(&self) -> Option<Capabilities> {
        Some(CAPABILITIES.with_configured(|name| self.settings.actions.contains_key(name)))
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, author: &str) -> Result<(), Error> {
        let Some(id) = key.id_in(&self.id) else {
            return Err(Error::Rejected(format!("{key} is no alert of {}", self.id)));
        };
        let Some((name, extra)) = action_of(op) else {
            return Err(Error::Rejected(format!(
                "a command source runs programs for {}; not for {}",
                ACTIONS.join(", "),
                op.verb()
            )));
        };
        let Some(action) = self.settings.actions.get(name) else {
            return Err(Error::Rejected(format!(
                "{} has no [source.actions.{name}]",
                self.id
            )));
        };
        let mut input = json!({
            "schema": SCHEMA,
            "action": name,
            "id": id,
            "key": key.0,
            "author": author,
            "alert": self.printed.get(key).cloned().unwrap_or(Value::Null),
        });
        if let (Some(map), Value::Object(extra)) = (input.as_object_mut(), extra) {
            map.extend(extra);
        }
        let stdin = serde_json::to_vec(&input).map_err(|e| Error::Decode(e.to_string()))?;
        match run::run(&self.id, &action.command, Some(stdin), ACTION_OUTPUT).await {
            Ok(_) => Ok(()),
            // The program ran and said no: refused, not tried again.
            Err(Error::Connect(why)) if why.contains("exited with status") => {
                Err(Error::Rejected(why))
            }
            Err(e) => Err(e),
        }
    }
}
