//! One `[[source]]` table: the keys every back end shares (name, kind, how to reach and
//! authenticate, intervals), and the rest kept for the back end to read as its own settings
//! (`sources/<backend>/config.rs`). Checks of the shared keys live here.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use toml::Table;

use super::read::{self, Problem, opt_duration};

/// Which back end a source talks to: its name, as the config writes it and health shows it.
/// Each back end declares its own (`KIND` in its folder); the registry lists them.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Deserialize)]
#[serde(transparent)]
pub struct SourceKind(Cow<'static, str>);

impl SourceKind {
    /// The kind called `name`.
    pub const fn named(name: &'static str) -> SourceKind {
        SourceKind(Cow::Borrowed(name))
    }

    /// Its name.
    pub fn name(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for SourceKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// One `[[source]]` table.
#[derive(Clone, Debug, PartialEq, Deserialize)]
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
    /// Largest answer accepted, in MB.
    #[serde(default)]
    pub max_response_mb: Option<u64>,
    /// Only alerts assigned to me (the token's user), where the back end assigns.
    #[serde(default)]
    pub mine_only: bool,
    /// On a shared PostgreSQL journal, whether one dashboard polls for all whose config of
    /// this source is the same (default: yes).
    #[serde(default)]
    pub share_polls: Option<bool>,
    /// The back end's own keys, read by its settings (`sources/<backend>/config.rs`); a key
    /// no back end knows is refused there.
    #[serde(flatten)]
    pub backend: Table,
}

/// The keys `SourceConfig` reads itself: every back end's.
pub const SHARED_KEYS: [&str; 17] = [
    "name",
    "kind",
    "url",
    "token_env",
    "token_command",
    "token_file",
    "poll_interval",
    "timeout",
    "cluster",
    "username",
    "headers",
    "ca_file",
    "client_cert",
    "client_key",
    "max_response_mb",
    "mine_only",
    "share_polls",
];

/// The settings of a back end that has none of its own: every key it is given is unknown.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoSettings {}

impl SourceConfig {
    /// A source called `name` of `kind`, every other key unset.
    pub fn new(name: &str, kind: SourceKind) -> SourceConfig {
        SourceConfig {
            name: name.into(),
            kind,
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
            max_response_mb: None,
            mine_only: false,
            share_polls: None,
            backend: Table::new(),
        }
    }

    /// Its back end's own keys read into `T` (a struct that denies unknown fields): every
    /// bad key is a problem, named within the source.
    pub fn settings<T: DeserializeOwned>(&self) -> Result<T, Vec<Problem>> {
        match read::read_all::<T>(&Table::new(), self.backend.clone()) {
            (Some(settings), problems) if problems.is_empty() => Ok(settings),
            (_, problems) => Err(problems
                .into_iter()
                .map(|p| Problem {
                    message: with_shared_keys(&p.message),
                    ..p
                })
                .collect()),
        }
    }

    /// Sets a back end key (`severity_map`, `ack_window`) as the config file would.
    pub fn set(&mut self, key: &str, value: impl Into<toml::Value>) {
        self.backend.insert(key.into(), value.into());
    }

    /// The base URL: `url` without a trailing slash, else `default` (a SaaS back end's).
    pub fn base_url(&self, default: &str) -> String {
        self.url
            .as_deref()
            .unwrap_or(default)
            .trim_end_matches('/')
            .to_string()
    }

    /// The problem of a source that needs a `url` and has none; `example` shows one.
    pub fn require_url(&self, example: &str) -> Option<Problem> {
        self.url
            .is_none()
            .then(|| Problem::new("url", "", format!("this source needs url = \"{example}\"")))
    }

    /// The problems of the keys every back end shares.
    pub fn shared_problems(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        if let Some(u) = self.url.as_deref()
            && !(u.starts_with("http://") || u.starts_with("https://"))
        {
            problems.push(Problem::new(
                "url",
                u,
                "must start with http:// or https://",
            ));
        }
        for k in self.headers.keys() {
            if k.eq_ignore_ascii_case("authorization") {
                problems.push(Problem::new(
                    format!("headers.{k}"),
                    "<redacted>",
                    "credentials go in token_env, token_command or token_file",
                ));
            }
        }
        if self.client_cert.is_some() != self.client_key.is_some() {
            problems.push(Problem::new(
                "client_cert",
                "",
                "client_cert and client_key go together",
            ));
        }
        problems
    }
}

/// serde's "unknown field `x`, expected one of …" for a back end's keys, with the shared
/// keys added: the key may be a misspelled shared one (`urll`).
fn with_shared_keys(message: &str) -> String {
    let Some(rest) = message.strip_prefix("unknown field ") else {
        return message.to_string();
    };
    let (field, theirs) = rest.split_once(", ").unwrap_or((rest, ""));
    let theirs = theirs
        .strip_prefix("expected one of ")
        .or_else(|| theirs.strip_prefix("expected "))
        .unwrap_or("")
        .replace(" or ", ", ");
    let shared = SHARED_KEYS
        .iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let sep = if theirs.is_empty() { "" } else { ", " };
    format!("unknown field {field}, expected one of {shared}{sep}{theirs}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shared_key_is_read_by_the_shared_table() {
        for key in SHARED_KEYS {
            let mut table = Table::new();
            table.insert("name".into(), "x".into());
            table.insert("kind".into(), "demo".into());
            // A list of tables is the wrong type for every shared key: the error names the
            // key only when the shared table reads it (else it lands among the back end's).
            let wrong = toml::Value::Array(vec![toml::Value::Table(Table::new())]);
            table.insert(key.into(), wrong);
            let e = serde_path_to_error::deserialize::<_, SourceConfig>(toml::Value::Table(table));
            let path = e.err().map(|e| e.path().to_string());
            assert_eq!(path.as_deref(), Some(key));
        }
    }

    #[test]
    fn an_unknown_key_lists_the_shared_keys_and_the_back_ends() {
        let m = with_shared_keys("unknown field `urll`, expected `us` or `eu`");
        assert!(
            m.starts_with("unknown field `urll`, expected one of `name`, `kind`, `url`"),
            "{m}"
        );
        assert!(m.ends_with("`mine_only`, `share_polls`, `us`, `eu`"), "{m}");
        let none = with_shared_keys("unknown field `urll`, there are no fields");
        assert!(none.ends_with("`share_polls`"), "{none}");
    }
}
