//! Configuration: the `Config` that every part reads, loaded from the embedded default layered
//! under the user's file, environment and CLI. Errors name the file, the key and the value.

pub mod escalation_file;
mod identity;
mod layers;
pub mod notify;
pub mod paths;
pub mod read;
pub mod redact;
pub mod secrets;
pub mod source;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::{Table, Value};

pub use layers::{DEFAULT_TOML, uncommented_default};
pub use notify::NotifyConfig;
pub use paths::{Paths, ensure_private_dir};
pub use read::Problem;
pub use source::{SourceConfig, SourceKind};

use crate::input::keymap::Keymap;
use crate::model::sanitize;

/// The clock shown in the header.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockZone {
    /// Coordinated universal time.
    Utc,
    /// The machine's local time zone.
    Local,
}

/// Alert list order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    /// Most severe first, then newest.
    Severity,
    /// Newest first.
    Age,
    /// By source name.
    Source,
    /// By service.
    Service,
}

/// Alert list grouping.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    /// No groups.
    None,
    /// One group per service.
    Service,
    /// One group per source.
    Source,
    /// One group per severity.
    Severity,
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Theme name.
    pub theme: String,
    /// Who you are; empty means the login name.
    pub identity: String,
    /// Default poll interval.
    #[serde(deserialize_with = "read::duration")]
    pub poll_interval: Duration,
    /// Default timeout of a poll or command.
    #[serde(deserialize_with = "read::duration")]
    pub timeout: Duration,
    /// Header clock.
    pub clock: ClockZone,
    /// List order.
    pub sort: SortKey,
    /// List grouping.
    pub group: GroupBy,
    /// Refuse every action.
    pub read_only: bool,
    /// Silence length proposed by the silence key.
    #[serde(deserialize_with = "read::duration")]
    pub silence_duration: Duration,
    /// Where the journal is: empty for the SQLite file in the data dir, or a URL.
    pub journal: String,
    /// The sources.
    #[serde(rename = "source")]
    pub sources: Vec<SourceConfig>,
    /// Directories of Markdown runbooks (`~/` is the home directory).
    #[serde(default)]
    pub runbook_dirs: Vec<PathBuf>,
    /// Annotations that name an alert's runbook, in order.
    #[serde(default = "default_runbook_annotations")]
    pub runbook_annotations: Vec<String>,
    /// Labels or annotations whose value names an alert's ticket (`ticket=OPS-123`).
    #[serde(default = "default_ticket_labels")]
    pub ticket_labels: Vec<String>,
    /// When and how onduty notifies.
    pub notify: NotifyConfig,
    /// Key tables: `[keys.alert_list] a = "acknowledge"`.
    pub keys: BTreeMap<String, BTreeMap<String, String>>,
    /// The keymap built from `keys`.
    #[serde(skip)]
    pub keymap: Keymap,
    /// Rotations and policies from `escalation.toml` beside the config file.
    #[serde(skip)]
    pub escalation: std::sync::Arc<crate::escalation::LocalEscalation>,
}

/// A config problem, in words that name the file, the key and the value.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Error {
    /// The file could not be read.
    #[error("cannot read config '{path}': {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The file is not valid TOML.
    #[error("config '{path}' is not valid TOML: {message}")]
    Syntax {
        /// The file.
        path: String,
        /// The parser's message, with line and column.
        message: String,
    },
    /// A key has a bad value, or is not a key at all.
    #[error("config '{path}': key '{key}' = '{value}': {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Dotted path of the key (`source[0].kind`).
        key: String,
        /// The value given, sanitized, shortened, and redacted for secrets.
        value: String,
        /// What is wrong and what to do.
        message: String,
    },
    /// More than one problem in one file: each is said on its own line.
    #[error("config '{path}' has {} problems:{}", problems.len(), lines_of(problems))]
    Several {
        /// The file.
        path: String,
        /// Each problem.
        problems: Vec<Error>,
    },
}

impl Error {
    /// The `problem` of a key in the file `path`.
    pub fn invalid(path: &str, problem: Problem) -> Error {
        Error::Invalid {
            path: path.into(),
            key: problem.key,
            value: problem.value,
            message: problem.message,
        }
    }
}

fn lines_of(problems: &[Error]) -> String {
    problems
        .iter()
        .map(|p| match p {
            Error::Invalid {
                key,
                value,
                message,
                ..
            } => format!(
                "\n  {}",
                Problem::new(key.as_str(), value, message.as_str())
            ),
            other => format!("\n  {other}"),
        })
        .collect()
}

/// Overrides from the environment and command line, applied over the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Overrides {
    /// `--theme` or `ONDUTY_THEME`.
    pub theme: Option<String>,
    /// `--read-only`.
    pub read_only: bool,
    /// `--demo`: replace the sources with the demo.
    pub demo: bool,
}

/// Keys that would hold a secret inline.
const INLINE_SECRET_KEYS: &[&str] = &["token", "password", "api_key", "apikey", "secret"];

impl Config {
    /// The built-in defaults alone.
    pub fn embedded() -> Result<Config, Error> {
        Config::from_layers(Table::new(), "<embedded default>", &Overrides::default())
    }

    /// Loads `path` over the defaults. A missing file at the implicit path is not an error:
    /// pass `must_exist = false` for that case.
    pub fn load(path: &Path, must_exist: bool, overrides: &Overrides) -> Result<Config, Error> {
        let shown = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if !must_exist && e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => {
                return Err(Error::Read {
                    path: shown,
                    reason: e.to_string(),
                });
            }
        };
        let mut config = Config::from_str_at(&text, &shown, overrides)?;
        if let Some(dir) = path.parent() {
            config.escalation = escalation_file::load_from_dir(dir)?.into();
        }
        Ok(config)
    }

    /// Parses `text` (the content of the file called `path`) over the defaults.
    pub fn from_str_at(text: &str, path: &str, overrides: &Overrides) -> Result<Config, Error> {
        let user: Table = toml::from_str(text).map_err(|e| Error::Syntax {
            path: path.into(),
            message: sanitize::line(e.message(), 300) + &line_of(text, e.span()),
        })?;
        Config::from_layers(user, path, overrides)
    }

    fn from_layers(user: Table, path: &str, overrides: &Overrides) -> Result<Config, Error> {
        reject_inline_secrets(&user, path)?;
        let defaults: Table =
            toml::from_str(&uncommented_default()).map_err(|e| Error::Syntax {
                path: "<embedded default>".into(),
                message: e.message().to_string(),
            })?;
        let (mut config, problems) = read::read_all::<Config>(&defaults, user);
        let mut problems: Vec<Error> = problems
            .into_iter()
            .map(|p| Error::invalid(path, p))
            .collect();
        if let Some(config) = config.as_mut() {
            config.apply(overrides);
            problems.extend(config.validate(path));
        }
        match (config, problems.len()) {
            (Some(config), 0) => Ok(config),
            (_, 1) => Err(problems.remove(0)),
            _ => Err(Error::Several {
                path: path.into(),
                problems,
            }),
        }
    }

    fn apply(&mut self, overrides: &Overrides) {
        if let Some(theme) = &overrides.theme {
            self.theme = theme.clone();
        }
        self.read_only |= overrides.read_only;
        if overrides.demo {
            self.sources = vec![SourceConfig::new("demo", SourceKind::named("demo"))];
        }
    }

    /// Every problem of the values read (each names the file, the key and the value).
    fn validate(&mut self, path: &str) -> Vec<Error> {
        let invalid = |key: String, value: &str, message: &str| {
            Error::invalid(path, Problem::new(key, value, message))
        };
        let mut problems = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (i, s) in self.sources.iter().enumerate() {
            let is_name_ok = !s.name.is_empty()
                && s.name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
            if !is_name_ok {
                problems.push(invalid(
                    format!("source[{i}].name"),
                    &s.name,
                    "use letters, digits, '-', '_' or '.'",
                ));
            } else if !seen.insert(s.name.as_str()) {
                problems.push(invalid(
                    format!("source[{i}].name"),
                    &s.name,
                    "two sources have this name",
                ));
            }
            let within = format!("source[{i}]");
            for p in crate::sources::registry::check(s)
                .into_iter()
                .chain(s.shared_problems())
            {
                problems.push(Error::invalid(path, p.within(&within)));
            }
            if let Some(path) = &s.token_file
                && let Err(message) = secrets::check_token_file(path)
            {
                problems.push(invalid(
                    format!("source[{i}].token_file"),
                    &path.display().to_string(),
                    &message,
                ));
            }
        }
        if let Err(message) = self.journal_location(Path::new(".")) {
            // The value may hold a password: it is never echoed.
            let shown = if message.contains("PGPASSWORD") {
                "(redacted)"
            } else {
                self.journal.as_str()
            };
            problems.push(invalid("journal".into(), shown, &message));
        }
        if self.poll_interval < Duration::from_secs(1) {
            problems.push(invalid(
                "poll_interval".into(),
                &crate::duration_fmt::short(self.poll_interval),
                "must be at least 1s",
            ));
        }
        match Keymap::from_tables(&self.keys) {
            Ok(keymap) => self.keymap = keymap,
            Err(e) => problems.push(invalid(e.key, &e.value, &e.message)),
        }
        match self.notify.rules() {
            Ok(rules) => self.notify.rules = rules,
            Err(p) => problems.push(Error::invalid(path, p.within("notify"))),
        }
        problems
    }

    /// Where the journal is; `default_file` is the SQLite file used when none is set.
    /// The identity used on acks and notes: `identity`, else the login name.
    pub fn identity(&self) -> String {
        identity::resolve(&self.identity)
    }

    /// Where the journal is; `default_file` is the SQLite file used when none is set.
    pub fn journal_location(
        &self,
        default_file: &Path,
    ) -> Result<crate::journal::Location, String> {
        crate::journal::Location::parse(Some(&self.journal), default_file)
    }

    /// The runbook library of `runbook_dirs`, read now; files it could not read are logged.
    pub fn runbook_library(&self) -> crate::runbook::Library {
        let home = std::env::var_os("HOME").map(PathBuf::from);
        let dirs: Vec<PathBuf> = self
            .runbook_dirs
            .iter()
            .map(|d| match (d.strip_prefix("~"), &home) {
                (Ok(rest), Some(home)) => home.join(rest),
                _ => d.clone(),
            })
            .collect();
        let library = crate::runbook::Library::load(&dirs);
        for problem in &library.problems {
            tracing::warn!("{problem}");
        }
        library
    }
}

fn reject_inline_secrets(user: &Table, path: &str) -> Result<(), Error> {
    let Some(Value::Array(sources)) = user.get("source") else {
        return Ok(());
    };
    for (i, s) in sources.iter().enumerate() {
        let Some(t) = s.as_table() else { continue };
        if let Some(key) = INLINE_SECRET_KEYS.iter().find(|k| t.contains_key(**k)) {
            return Err(Error::Invalid {
                path: path.into(),
                key: format!("source[{i}].{key}"),
                value: "<redacted>".into(),
                message: "secrets are never written in the config; use token_env = \"VAR\", \
                          token_command = \"pass show NAME\" or token_file = \"PATH\" (chmod 600)"
                    .into(),
            });
        }
    }
    Ok(())
}

/// " (line N)" for a parse error's span.
fn line_of(text: &str, span: Option<std::ops::Range<usize>>) -> String {
    span.map(|s| {
        format!(
            " (line {})",
            text[..s.start.min(text.len())].matches('\n').count() + 1
        )
    })
    .unwrap_or_default()
}

fn default_ticket_labels() -> Vec<String> {
    crate::model::DEFAULT_TICKET_LABELS
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}

fn default_runbook_annotations() -> Vec<String> {
    crate::runbook::DEFAULT_ANNOTATIONS
        .iter()
        .map(|s| (*s).to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_commented_default_is_the_baseline_and_parses() {
        let c = Config::embedded().unwrap();
        assert_eq!(c.theme, "default");
        assert_eq!(c.poll_interval, Duration::from_secs(15));
        assert_eq!(
            c.sources,
            vec![SourceConfig::new("demo", SourceKind::named("demo"))]
        );
        assert!(c.keys["alert_list"].contains_key("a"));
    }

    #[test]
    fn the_templates_example_sources_are_a_valid_config_once_uncommented() {
        // What a newcomer does: drop "## " before the example sources' lines.
        let start = DEFAULT_TOML.find("## A Prometheus Alertmanager").unwrap();
        let examples: String = DEFAULT_TOML[start..]
            .lines()
            .take_while(|l| l.starts_with("##"))
            .filter_map(|l| l.strip_prefix("## "))
            .filter(|l| !l.starts_with("A Prometheus") && !l.starts_with("PagerDuty ("))
            .map(|l| format!("{l}\n"))
            .collect();
        let c = Config::from_str_at(&examples, "config.toml", &Overrides::default())
            .unwrap_or_else(|e| panic!("{e}\n{examples}"));
        let kinds: Vec<(&str, &str)> = c
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.kind.name()))
            .collect();
        assert_eq!(kinds, [("prod-am", "alertmanager"), ("pd", "pagerduty")]);
    }

    #[test]
    fn every_default_line_is_a_comment() {
        for line in DEFAULT_TOML.lines() {
            assert!(
                line.is_empty() || line.starts_with('#'),
                "uncommented line: {line}"
            );
        }
    }

    #[test]
    fn user_file_merges_over_defaults() {
        let c = Config::from_str_at(
            "theme = 'light'\n[keys.alert_list]\nx = 'acknowledge'",
            "f.toml",
            &Overrides::default(),
        )
        .unwrap();
        assert_eq!(c.theme, "light");
        assert_eq!(c.keys["alert_list"]["x"], "acknowledge");
        assert_eq!(c.keys["alert_list"]["a"], "acknowledge");
    }

    #[test]
    fn every_problem_in_a_file_is_reported_not_only_the_first() {
        let text = "pol_interval = '5s'\ntheme = 5\n\n[[source]]\nname = 'a b'\nkind = 'demo'\nurll = 'http://a'\n\n[[source]]\nname = 'am'\nkind = 'alertmanager'\n\n[keys.alert_list]\nx = 'explode'\n";
        let e = Config::from_str_at(text, "/etc/o.toml", &Overrides::default()).unwrap_err();
        let Error::Several { path, problems } = &e else {
            panic!("{e}")
        };
        assert_eq!(path, "/etc/o.toml");
        let keys: Vec<&str> = problems
            .iter()
            .filter_map(|p| match p {
                Error::Invalid { key, .. } => Some(key.as_str()),
                _ => None,
            })
            .collect();
        for key in [
            "pol_interval",
            "theme",
            "source[0].urll",
            "source[0].name",
            "source[1].url",
            "keys.alert_list.x",
        ] {
            assert!(keys.contains(&key), "{key} missing in {keys:?}");
        }
        let m = e.to_string();
        assert!(m.starts_with("config '/etc/o.toml' has 6 problems:"), "{m}");
        assert!(m.contains("\n  key 'theme' = '5': "), "{m}");
        // One problem reads as before.
        let one = Config::from_str_at("theme = 5", "o.toml", &Overrides::default()).unwrap_err();
        assert!(matches!(one, Error::Invalid { .. }), "{one}");
    }

    #[test]
    fn unknown_key_names_file_key_and_value() {
        let e = Config::from_str_at(
            "[[source]]\nname = 'x'\nkind = 'demo'\nurll = 'http://a'",
            "/etc/o.toml",
            &Overrides::default(),
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(
            m.contains("/etc/o.toml") && m.contains("source[0].urll") && m.contains("'http://a'"),
            "{m}"
        );
    }

    #[test]
    fn inline_token_is_refused_without_echoing_it() {
        let e = Config::from_str_at(
            "[[source]]\nname = 'x'\nkind = 'demo'\ntoken = 'canary-42'",
            "c.toml",
            &Overrides::default(),
        )
        .unwrap_err();
        let m = e.to_string();
        assert!(m.contains("token_env") && !m.contains("canary-42"), "{m}");
    }

    #[test]
    fn overrides_win() {
        let o = Overrides {
            theme: Some("mono".into()),
            read_only: true,
            demo: true,
        };
        let c = Config::from_str_at("theme = 'light'", "c.toml", &o).unwrap();
        assert_eq!((c.theme.as_str(), c.read_only), ("mono", true));
    }
}
