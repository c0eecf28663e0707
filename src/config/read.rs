//! Reading a TOML table into a typed value so that every bad key is reported, each named
//! with its value (redacted when it may be a secret): the whole config and a back end's own
//! keys (`sources/<backend>/config.rs`) are read the same way.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};
use std::time::Duration;
use toml::{Table, Value};

use crate::model::sanitize;

/// The most problems reported for one file.
pub const MOST_PROBLEMS: usize = 20;

/// One bad key: its dotted path, its value as shown, what is wrong and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Dotted path of the key (`source[0].kind`, or `from_email` within a source).
    pub key: String,
    /// The value given, sanitized, shortened, and redacted for secrets.
    pub value: String,
    /// What is wrong and what to do.
    pub message: String,
}

impl Problem {
    /// `key` = `value` is wrong because of `message` (the value is sanitized and shortened).
    pub fn new(key: impl Into<String>, value: &str, message: impl Into<String>) -> Problem {
        Problem {
            key: key.into(),
            value: sanitize::line(value, 120),
            message: message.into(),
        }
    }

    /// The same problem, its key within `parent` (`source[2]`).
    pub fn within(self, parent: &str) -> Problem {
        Problem {
            key: format!("{parent}.{}", self.key),
            ..self
        }
    }
}

/// `value` when there are no `problems`.
pub fn unless<T>(problems: Vec<Problem>, value: T) -> Result<T, Vec<Problem>> {
    match problems.is_empty() {
        true => Ok(value),
        false => Err(problems),
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "key '{}' = '{}': {}", self.key, self.value, self.message)
    }
}

/// Reads `layer` over `base` into a `T`. Every bad key is reported, not only the first: each
/// one found is taken out of `layer` (`base`'s value stands in) and the rest is read again.
/// The value is `None` only when a bad key could not be taken out.
pub fn read_all<T: DeserializeOwned>(base: &Table, layer: Table) -> (Option<T>, Vec<Problem>) {
    let mut layer = layer;
    let mut problems: Vec<Problem> = Vec::new();
    loop {
        let mut merged = base.clone();
        super::layers::merge(&mut merged, layer.clone());
        let merged = Value::Table(merged);
        match serde_path_to_error::deserialize::<_, T>(merged.clone()) {
            Ok(value) => return (Some(value), problems),
            Err(e) => {
                let key = e.path().to_string();
                // A struct missing the key just taken out says nothing new.
                let is_echo = problems.iter().any(|p| p.key.starts_with(&key));
                if !is_echo {
                    problems.push(problem_at(&merged, &e));
                }
                let is_removed = remove_at(&mut layer, e.path());
                if is_echo || !is_removed || problems.len() >= MOST_PROBLEMS {
                    return (None, problems);
                }
            }
        }
    }
}

/// The problem `e` found in `merged`, its value redacted when it may be a secret.
fn problem_at(merged: &Value, e: &serde_path_to_error::Error<toml::de::Error>) -> Problem {
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
    Problem {
        key,
        value,
        message: sanitize::line(message.trim(), 300),
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

/// Whether the value of `key` must not be echoed in an error: its name says secret (token,
/// secret, password, key, auth, credential; headers, which may carry one), or, for a key that
/// is not one of ours (a typo, `tokne = "…"`), the value looks like a random token.
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
pub fn value_at(root: &Value, path: &serde_path_to_error::Path) -> Option<String> {
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

/// A duration written as the config writes it (`90s`, `1h30m`).
pub fn duration<'de, D: Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
    let s = String::deserialize(d)?;
    crate::duration_fmt::parse(&s).map_err(serde::de::Error::custom)
}

/// An optional duration written as the config writes it.
pub fn opt_duration<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Duration>, D::Error> {
    duration(d).map(Some)
}
