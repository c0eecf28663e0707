//! The keys of a command source: the program that prints its alerts, and the programs its
//! actions run, each as argv (no shell).

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::config::read::{self, Problem};
use crate::config::source::SourceConfig;
use crate::sources::backend::BackendSettings;

/// Most bytes read of one run's output unless `max_output` says otherwise (64 MiB).
pub const DEFAULT_MAX_OUTPUT: usize = 64 << 20;

/// The actions a command source can be given, by the name of their table.
pub const ACTIONS: [&str; 6] = [
    "acknowledge",
    "unacknowledge",
    "resolve",
    "unresolve",
    "silence",
    "note",
];

/// A command source's own keys.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Settings {
    /// The program and its arguments, run every poll.
    #[serde(default)]
    pub command: Vec<String>,
    /// Most bytes of output read from one run; more fails the poll (default 64 MiB).
    #[serde(default)]
    pub max_output: Option<usize>,
    /// Programs run for actions, by action (`[source.actions.acknowledge]`).
    #[serde(default)]
    pub actions: BTreeMap<String, Action>,
}

/// One action's program.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Action {
    /// The program and its arguments; the alert and the action arrive as JSON on stdin.
    #[serde(default)]
    pub command: Vec<String>,
}

/// The problems of an argv at `key`: empty, or a blank program.
fn argv_problems(key: &str, argv: &[String], problems: &mut Vec<Problem>) {
    match argv.first() {
        None => problems.push(Problem::new(
            key,
            "",
            "needs the program and its arguments: command = [\"/path/to/program\", \"arg\"]",
        )),
        Some(p) if p.trim().is_empty() => {
            problems.push(Problem::new(key, p, "the program's path is blank"))
        }
        Some(_) => {}
    }
}

impl BackendSettings for Settings {
    fn read(source: &SourceConfig) -> Result<Settings, Vec<Problem>> {
        let settings: Settings = source.settings()?;
        let mut problems = Vec::new();
        argv_problems("command", &settings.command, &mut problems);
        if settings.max_output == Some(0) {
            problems.push(Problem::new("max_output", "0", "must be at least 1"));
        }
        for (name, action) in &settings.actions {
            if !ACTIONS.contains(&name.as_str()) {
                problems.push(Problem::new(
                    format!("actions.{name}"),
                    name,
                    format!("no such action; one of {}", ACTIONS.join(", ")),
                ));
            }
            argv_problems(
                &format!("actions.{name}.command"),
                &action.command,
                &mut problems,
            );
        }
        read::unless(problems, settings)
    }
}
