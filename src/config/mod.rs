//! Configuration: the `Config` that every part reads, loaded from the embedded default layered
//! under the user's file, environment and CLI. Errors name the file, the key and the value.

pub mod escalation_file;
mod layers;
pub mod paths;
pub mod redact;
pub mod secrets;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::{Deserialize, Deserializer};
use toml::{Table, Value};

pub use layers::{DEFAULT_TOML, uncommented_default};
pub use paths::{Paths, ensure_private_dir};

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

/// Which back end a source talks to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// The built-in simulated incident.
    Demo,
    /// A Prometheus Alertmanager (API v2).
    Alertmanager,
    /// PagerDuty (REST API v2).
    Pagerduty,
    /// Jira Cloud (REST API v3) or Data Center/Server (REST API v2): tickets.
    Jira,
    /// GitHub (or GitHub Enterprise) issues: tickets.
    Github,
    /// ServiceNow's incident table (Table API): tickets.
    Servicenow,
}

impl SourceKind {
    /// Every kind.
    pub const ALL: [SourceKind; 6] = [
        SourceKind::Demo,
        SourceKind::Alertmanager,
        SourceKind::Pagerduty,
        SourceKind::Jira,
        SourceKind::Github,
        SourceKind::Servicenow,
    ];

    /// Its name, as the config writes it and health shows it.
    pub fn name(self) -> &'static str {
        match self {
            SourceKind::Demo => "demo",
            SourceKind::Alertmanager => "alertmanager",
            SourceKind::Pagerduty => "pagerduty",
            SourceKind::Jira => "jira",
            SourceKind::Github => "github",
            SourceKind::Servicenow => "servicenow",
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<SourceKind> {
        SourceKind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// Which Jira: the cloud service or a server of your own.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JiraDeployment {
    /// Jira Cloud (`*.atlassian.net`): REST API v3, `search/jql` with `nextPageToken`,
    /// Atlassian Document Format; email + API token.
    #[default]
    Cloud,
    /// Jira Data Center or Server: REST API v2, `search` with `startAt`, wiki text;
    /// a personal access token.
    Datacenter,
}

/// The `[notify]` table: when and how onduty notifies.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyConfig {
    /// The least severe alert that notifies.
    pub severity: String,
    /// `auto`, or any of `desktop`, `bell`, `osc`; `none` for none.
    pub channels: Vec<String>,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only alerts matching all of these (`team="payments"`).
    #[serde(rename = "match")]
    pub matchers: Vec<String>,
    /// Only while I am on call.
    pub on_call_only: bool,
    /// Nothing notifies in these hours (`22:00-07:00`), in `time_zone`.
    pub quiet_hours: String,
    /// The zone of `quiet_hours` (IANA: `Europe/Berlin`).
    pub time_zone: String,
    /// The rules built from the keys above.
    #[serde(skip)]
    pub rules: crate::notify::rules::Rules,
}

/// A PagerDuty service region: which API host serves the account.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Region {
    /// `https://api.pagerduty.com`.
    #[default]
    Us,
    /// `https://api.eu.pagerduty.com`.
    Eu,
}

/// One `[[source]]` table.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SourceConfig {
    /// Its name: the first part of every alert key (`prod-am:…`).
    pub name: String,
    /// Which back end.
    pub kind: SourceKind,
    /// Base URL of the back end.
    #[serde(default)]
    pub url: Option<String>,
    /// Environment variable holding the token.
    #[serde(default)]
    pub token_env: Option<String>,
    /// Command printing the token.
    #[serde(default)]
    pub token_command: Option<String>,
    /// File (mode 0600) holding the token.
    #[serde(default)]
    pub token_file: Option<PathBuf>,
    /// This source's poll interval (default: the global one).
    #[serde(default, deserialize_with = "opt_duration")]
    pub poll_interval: Option<Duration>,
    /// This source's timeout (default: the global one).
    #[serde(default, deserialize_with = "opt_duration")]
    pub timeout: Option<Duration>,
    /// HA peers that gossip silences share a cluster name.
    #[serde(default)]
    pub cluster: Option<String>,
    /// Basic-auth user name; the token is then the password.
    #[serde(default)]
    pub username: Option<String>,
    /// Extra request headers (not secrets: those go in token_*).
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A PEM file of extra CA certificates to trust.
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
    /// A PEM client certificate (mTLS), with `client_key`.
    #[serde(default)]
    pub client_cert: Option<PathBuf>,
    /// The PEM private key of `client_cert`.
    #[serde(default)]
    pub client_key: Option<PathBuf>,
    /// Only alerts routed to receivers matching this regex.
    #[serde(default)]
    pub receiver: Option<String>,
    /// Only alerts matching these matchers (`team="payments"`).
    #[serde(default)]
    pub filter: Vec<String>,
    /// The label that holds the severity.
    #[serde(default)]
    pub severity_label: Option<String>,
    /// Label values mapped to severities (`P1 = "critical"`).
    #[serde(default)]
    pub severity_map: BTreeMap<String, String>,
    /// How long an ack silence lasts before onduty extends it while the alert fires.
    #[serde(default, deserialize_with = "opt_duration")]
    pub ack_window: Option<Duration>,
    /// How long after an Alertmanager restarts an action on an alert it does not hold yet is
    /// retried (its senders re-send firing alerts); default: two of its `resolve_timeout`s.
    #[serde(default, deserialize_with = "opt_duration")]
    pub retry_for: Option<Duration>,
    /// Largest answer accepted, in MB.
    #[serde(default)]
    pub max_response_mb: Option<u64>,
    /// PagerDuty: the email of the user writes are made as (its `From` header).
    #[serde(default)]
    pub from_email: Option<String>,
    /// PagerDuty: the service region (ignored when `url` is set).
    #[serde(default)]
    pub region: Region,
    /// PagerDuty: only incidents of these teams.
    #[serde(default)]
    pub team_ids: Vec<String>,
    /// PagerDuty: only incidents of these services.
    #[serde(default)]
    pub service_ids: Vec<String>,
    /// PagerDuty: only incidents assigned to these users.
    #[serde(default)]
    pub user_ids: Vec<String>,
    /// PagerDuty: only incidents assigned to me (the token's user, or `user_ids`).
    #[serde(default)]
    pub mine_only: bool,
    /// Jira: Cloud or Data Center/Server.
    #[serde(default)]
    pub deployment: JiraDeployment,
    /// Jira: the tickets to show (default: labelled `label`, not done).
    #[serde(default)]
    pub jql: Option<String>,
    /// Jira: the project new tickets go to (its key, `OPS`).
    #[serde(default)]
    pub project: Option<String>,
    /// Jira: the issue type of new tickets (default `Task`).
    #[serde(default)]
    pub issue_type: Option<String>,
    /// Jira and GitHub: the label of incident tickets: listed, and put on new ones.
    #[serde(default)]
    pub label: Option<String>,
    /// GitHub: the repositories (`owner/name`); new issues go to the first.
    #[serde(default)]
    pub repos: Vec<String>,
    /// ServiceNow: the table (default `incident`).
    #[serde(default)]
    pub table: Option<String>,
    /// ServiceNow: the encoded query of the records to show (default: active ones).
    #[serde(default)]
    pub query: Option<String>,
    /// Ticketing sources: most tickets listed (default 500); more is an error, never a cut.
    #[serde(default)]
    pub max_tickets: Option<usize>,
    /// ServiceNow: the close code a resolve writes (default `Solution provided`).
    #[serde(default)]
    pub close_code: Option<String>,
    /// ServiceNow: where notes go, `work_notes` (default) or `comments` (seen by the caller).
    #[serde(default)]
    pub note_field: Option<String>,
}

impl SourceConfig {
    /// A demo source called `name`.
    pub fn demo(name: &str) -> SourceConfig {
        SourceConfig {
            name: name.into(),
            kind: SourceKind::Demo,
            url: None,
            token_env: None,
            token_command: None,
            token_file: None,
            poll_interval: None,
            timeout: None,
            cluster: None,
            username: None,
            headers: BTreeMap::new(),
            ca_file: None,
            client_cert: None,
            client_key: None,
            receiver: None,
            filter: Vec::new(),
            severity_label: None,
            severity_map: BTreeMap::new(),
            ack_window: None,
            retry_for: None,
            max_response_mb: None,
            from_email: None,
            region: Region::Us,
            team_ids: Vec::new(),
            service_ids: Vec::new(),
            user_ids: Vec::new(),
            mine_only: false,
            deployment: JiraDeployment::Cloud,
            jql: None,
            project: None,
            issue_type: None,
            label: None,
            repos: Vec::new(),
            table: None,
            query: None,
            max_tickets: None,
            close_code: None,
            note_field: None,
        }
    }
}

/// The whole configuration.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Theme name.
    pub theme: String,
    /// Who you are; empty means the login name.
    pub identity: String,
    /// Default poll interval.
    #[serde(deserialize_with = "duration")]
    pub poll_interval: Duration,
    /// Default timeout of a poll or command.
    #[serde(deserialize_with = "duration")]
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
    #[serde(deserialize_with = "duration")]
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

/// The most problems reported for one file.
const MOST_PROBLEMS: usize = 20;

fn lines_of(problems: &[Error]) -> String {
    problems
        .iter()
        .map(|p| match p {
            Error::Invalid {
                key,
                value,
                message,
                ..
            } => format!("\n  key '{key}' = '{value}': {message}"),
            other => format!("\n  {other}"),
        })
        .collect()
}

/// The problem `e` found in the merged layers of the file `path`, its value redacted when
/// it may be a secret.
fn invalid_value(
    path: &str,
    merged: &Value,
    e: &serde_path_to_error::Error<toml::de::Error>,
) -> Error {
    let key = e.path().to_string();
    let message = e.inner().to_string();
    let value = value_at(merged, e.path()).unwrap_or_default();
    let is_unknown = message.starts_with("unknown field");
    let (value, message) = match may_be_secret(&key, &value, is_unknown) {
        // serde's own words may quote the value ("invalid type: string …").
        true => (
            "<redacted>".to_string(),
            message.replace(&value, "<redacted>"),
        ),
        false => (value, message),
    };
    Error::Invalid {
        path: path.into(),
        key,
        value,
        message: clean_serde_message(&message),
    }
}

/// Takes the key at `path` out of `table`; whether there was one to take.
fn remove_at(table: &mut Table, path: &serde_path_to_error::Path) -> bool {
    use serde_path_to_error::Segment;
    let segments: Vec<&Segment> = path.iter().collect();
    let Some((Segment::Map { key: last }, parents)) = segments.split_last() else {
        return false;
    };
    let at: &mut Table = table;
    let mut value: Option<&mut Value> = None;
    for seg in parents {
        let next = match (value.take(), seg) {
            (None, Segment::Map { key }) => at.get_mut(key),
            (Some(Value::Table(t)), Segment::Map { key }) => t.get_mut(key),
            (Some(Value::Array(a)), Segment::Seq { index }) => a.get_mut(*index),
            _ => None,
        };
        match next {
            Some(v) => value = Some(v),
            None => return false,
        }
    }
    match value {
        None => at.remove(last).is_some(),
        Some(Value::Table(t)) => t.remove(last).is_some(),
        Some(_) => false,
    }
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
        // Every bad key is reported, not only the first: each one found is taken out of the
        // file's layer (its default stands in) and the rest is read again.
        let mut user = user;
        let mut problems = Vec::new();
        let mut config = loop {
            let mut merged = defaults.clone();
            layers::merge(&mut merged, user.clone());
            let merged_value = Value::Table(merged);
            match serde_path_to_error::deserialize::<_, Config>(merged_value.clone()) {
                Ok(config) => break Some(config),
                Err(e) => {
                    let key = e.path().to_string();
                    // A struct missing the key just taken out says nothing new.
                    let is_echo = problems
                        .iter()
                        .any(|p: &Error| matches!(p, Error::Invalid { key: k, .. } if k.starts_with(&key)));
                    if !is_echo {
                        problems.push(invalid_value(path, &merged_value, &e));
                    }
                    let is_removed = remove_at(&mut user, e.path());
                    if is_echo || !is_removed || problems.len() >= MOST_PROBLEMS {
                        break None;
                    }
                }
            }
        };
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
            self.sources = vec![SourceConfig::demo("demo")];
        }
    }

    /// Every problem of the values read (each names the file, the key and the value).
    fn validate(&mut self, path: &str) -> Vec<Error> {
        let invalid = |key: String, value: &str, message: &str| Error::Invalid {
            path: path.into(),
            key,
            value: sanitize::line(value, 120),
            message: message.into(),
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
            if let Err((key, value, message)) = validate_backend(s) {
                problems.push(invalid(format!("source[{i}].{key}"), &value, &message));
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
        match notify_rules(&self.notify) {
            Ok(rules) => self.notify.rules = rules,
            Err((key, value, message)) => {
                problems.push(invalid(format!("notify.{key}"), &value, &message));
            }
        }
        problems
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

    /// The identity used on acks and notes.
    pub fn identity(&self) -> String {
        if !self.identity.trim().is_empty() {
            return sanitize::line(self.identity.trim(), 64);
        }
        let from_env = ["USER", "LOGNAME"]
            .iter()
            .filter_map(|v| std::env::var(v).ok())
            .find(|u| !u.trim().is_empty());
        let name = from_env
            .or_else(login_name)
            .unwrap_or_else(|| format!("uid {}", this_uid()));
        sanitize::line(name.trim(), 64)
    }
}

/// The login name of this process's user, from the password database (`/etc/passwd`): who
/// acts when neither `identity` nor `$USER` says (a cron job, a bare `env -i`).
fn login_name() -> Option<String> {
    let uid = this_uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    login_name_in(&passwd, uid)
}

fn login_name_in(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let id = fields.nth(1)?.parse::<u32>().ok()?;
        (id == uid && !name.is_empty()).then(|| name.to_string())
    })
}

fn this_uid() -> u32 {
    rustix::process::getuid().as_raw()
}

/// Checks the keys a back end needs: (key, value, message) on error.
fn validate_backend(s: &SourceConfig) -> Result<(), (String, String, String)> {
    let err = |k: &str, v: &str, m: &str| Err((k.to_string(), v.to_string(), m.to_string()));
    if s.kind == SourceKind::Demo {
        return Ok(());
    }
    if s.kind == SourceKind::Pagerduty {
        match s.from_email.as_deref() {
            None => {
                return err(
                    "from_email",
                    "",
                    "PagerDuty writes need the email of a PagerDuty user: \
                     from_email = \"you@example.com\"",
                );
            }
            Some(e) if !is_email(e) => return err("from_email", e, "not an email address"),
            Some(_) => {}
        }
    }
    validate_ticketing(s)?;
    match s.url.as_deref() {
        None if matches!(s.kind, SourceKind::Pagerduty | SourceKind::Github) => {}
        None => {
            let example = match s.kind {
                SourceKind::Jira => "https://acme.atlassian.net",
                SourceKind::Servicenow => "https://acme.service-now.com",
                _ => "http://host:9093",
            };
            return err("url", "", &format!("this source needs url = \"{example}\""));
        }
        Some(u) if !(u.starts_with("http://") || u.starts_with("https://")) => {
            return err("url", u, "must start with http:// or https://");
        }
        Some(_) => {}
    }
    for (i, f) in s.filter.iter().enumerate() {
        if let Err(e) = crate::model::Matcher::parse(f) {
            return err(&format!("filter[{i}]"), f, &e);
        }
    }
    if let Some(r) = &s.receiver {
        if regex::Regex::new(r).is_err() {
            return err("receiver", r, "not a valid regex");
        }
    }
    for (k, v) in &s.severity_map {
        if crate::model::Severity::parse(v).is_none() {
            return err(
                &format!("severity_map.{k}"),
                v,
                "use critical, error, warning or info",
            );
        }
    }
    for k in s.headers.keys() {
        if k.eq_ignore_ascii_case("authorization") {
            return err(
                &format!("headers.{k}"),
                "<redacted>",
                "credentials go in token_env, token_command or token_file",
            );
        }
    }
    if s.client_cert.is_some() != s.client_key.is_some() {
        return err("client_cert", "", "client_cert and client_key go together");
    }
    Ok(())
}

/// The notification rules of `[notify]`; an error names the key and the value.
fn notify_rules(n: &NotifyConfig) -> Result<crate::notify::rules::Rules, (String, String, String)> {
    let err = |k: &str, v: &str, m: &str| (k.to_string(), v.to_string(), m.to_string());
    let severity = crate::model::Severity::parse(&n.severity).ok_or_else(|| {
        err(
            "severity",
            &n.severity,
            "use critical, error, warning or info",
        )
    })?;
    for (i, c) in n.channels.iter().enumerate() {
        if !matches!(c.as_str(), "auto" | "desktop" | "bell" | "osc" | "none") {
            return Err(err(
                &format!("channels[{i}]"),
                c,
                "use auto, desktop, bell, osc or none",
            ));
        }
    }
    let matchers = n
        .matchers
        .iter()
        .enumerate()
        .map(|(i, m)| {
            crate::model::Matcher::parse(m).map_err(|e| err(&format!("match[{i}]"), m, &e))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let zone: chrono_tz::Tz = n.time_zone.parse().map_err(|_| {
        err(
            "time_zone",
            &n.time_zone,
            "an IANA time zone, like Europe/Berlin",
        )
    })?;
    let quiet = match n.quiet_hours.trim() {
        "" => None,
        text => Some(
            crate::notify::rules::QuietHours::parse(text, zone)
                .map_err(|e| err("quiet_hours", text, &e))?,
        ),
    };
    Ok(crate::notify::rules::Rules {
        severity,
        sources: n.sources.clone(),
        matchers,
        is_on_call_only: n.on_call_only,
        quiet,
    })
}

fn validate_ticketing(s: &SourceConfig) -> Result<(), (String, String, String)> {
    let err = |k: &str, v: &str, m: &str| Err((k.to_string(), v.to_string(), m.to_string()));
    if s.kind == SourceKind::Github {
        if s.repos.is_empty() {
            return err(
                "repos",
                "",
                "a github source needs repos = [\"owner/name\"]",
            );
        }
        for (i, r) in s.repos.iter().enumerate() {
            let parts: Vec<&str> = r.split('/').collect();
            let is_ok = parts.len() == 2
                && parts.iter().all(|p| {
                    !p.is_empty()
                        && p.chars()
                            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
                });
            if !is_ok {
                return err(
                    &format!("repos[{i}]"),
                    r,
                    "write a repository as owner/name",
                );
            }
        }
    }
    if s.kind == SourceKind::Jira
        && s.deployment == JiraDeployment::Cloud
        && s.username.is_none()
        && (s.token_env.is_some() || s.token_command.is_some() || s.token_file.is_some())
    {
        return err(
            "username",
            "",
            "Jira Cloud takes the account's email with its API token: username = \"you@example.com\" \
             (or deployment = \"datacenter\" for a personal access token)",
        );
    }
    if let Some(f) = s
        .note_field
        .as_deref()
        .filter(|f| !matches!(*f, "work_notes" | "comments"))
    {
        return err("note_field", f, "use work_notes or comments");
    }
    if s.max_tickets == Some(0) {
        return err("max_tickets", "0", "must be at least 1");
    }
    Ok(())
}

/// A plausible email address: PagerDuty refuses a `From` that is not one (code 1028).
fn is_email(s: &str) -> bool {
    let Some((user, host)) = s.split_once('@') else {
        return false;
    };
    !user.is_empty()
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && !s
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || c == ',')
        && !host.contains('@')
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

/// Whether the value of `key` must not be echoed in an error: its name says secret (token,
/// secret, password, key, auth, credential; headers, which may carry one), or, for a key that is not one of ours (a typo,
/// `tokne = "…"`), the value looks like a random token.
fn may_be_secret(key: &str, value: &str, is_unknown: bool) -> bool {
    let name = key.rsplit('.').next().unwrap_or(key).to_ascii_lowercase();
    let named = ["tok", "secret", "passw", "key", "auth", "cred", "header"]
        .iter()
        .any(|w| name.contains(w));
    // A map of keys (`keys.alert_list`) holds key bindings, not secrets.
    let is_binding = key.starts_with("keys");
    (named && !is_binding) || (is_unknown && looks_random(value))
}

/// Long, without spaces, letters and digits mixed: a token, not a word or a setting.
fn looks_random(value: &str) -> bool {
    value.len() >= 16
        && !value.contains(char::is_whitespace)
        && value.chars().any(|c| c.is_ascii_digit())
        && value.chars().any(|c| c.is_ascii_alphabetic())
}

/// The value at a serde path, written for an error message.
pub(crate) fn value_at(root: &Value, path: &serde_path_to_error::Path) -> Option<String> {
    use serde_path_to_error::Segment;
    let mut v = root;
    for seg in path.iter() {
        v = match seg {
            Segment::Seq { index } => v.as_array()?.get(*index)?,
            Segment::Map { key } => v.as_table()?.get(key)?,
            _ => return None,
        };
    }
    let shown = match v {
        Value::String(s) => s.clone(),
        Value::Table(_) => "{…}".into(),
        other => other.to_string(),
    };
    Some(sanitize::line(&shown, 120))
}

fn clean_serde_message(m: &str) -> String {
    sanitize::line(m.trim(), 300)
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

fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    crate::duration_fmt::parse(&s).map_err(serde::de::Error::custom)
}

fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_login_name_comes_from_the_password_database_by_uid() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\nana:x:1000:1000:Ana,,,:/home/ana:/bin/sh\n";
        assert_eq!(login_name_in(passwd, 1000).as_deref(), Some("ana"));
        assert_eq!(login_name_in(passwd, 0).as_deref(), Some("root"));
        assert_eq!(login_name_in(passwd, 4242), None);
    }

    #[test]
    fn the_commented_default_is_the_baseline_and_parses() {
        let c = Config::embedded().unwrap();
        assert_eq!(c.theme, "default");
        assert_eq!(c.poll_interval, Duration::from_secs(15));
        assert_eq!(c.sources, vec![SourceConfig::demo("demo")]);
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
        let kinds: Vec<(&str, SourceKind)> = c
            .sources
            .iter()
            .map(|s| (s.name.as_str(), s.kind))
            .collect();
        assert_eq!(
            kinds,
            [
                ("prod-am", SourceKind::Alertmanager),
                ("pd", SourceKind::Pagerduty)
            ]
        );
    }

    #[test]
    fn a_kinds_name_is_the_one_the_config_writes() {
        for kind in SourceKind::ALL {
            let read: SourceKind =
                serde::Deserialize::deserialize(toml::Value::String(kind.name().into())).unwrap();
            assert_eq!(read, kind);
            assert_eq!(SourceKind::from_name(kind.name()), Some(kind));
        }
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
