//! What a command prints, read as alerts: one JSON object per line, or one JSON array (what
//! `onduty alerts --json` prints). The names and meanings are those of `alerts --json`; `id`
//! (or `key`) and `title` are required, an item without them is counted as invalid, never
//! kept. A line may say `"schema": 1`; another schema is invalid.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::model::{Alert, AlertDraft, Severity, SourceId, Status};

/// The schema this reader knows.
pub const SCHEMA: u64 = 1;

/// One item as printed.
#[derive(Debug, Default, Deserialize)]
struct Item {
    #[serde(default)]
    schema: Option<u64>,
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    severity: Option<String>,
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    service: Option<String>,
    #[serde(default)]
    labels: BTreeMap<String, Value>,
    #[serde(default)]
    annotations: BTreeMap<String, Value>,
    #[serde(default)]
    started_at: Option<String>,
    #[serde(default)]
    acked_by: Option<String>,
    #[serde(default)]
    links: Links,
}

/// Links as `alerts --json` prints them (`[{label, url}]`) or as a map (`{label: url}`).
#[derive(Debug, Default, Deserialize)]
#[serde(untagged)]
enum Links {
    #[default]
    None,
    List(Vec<LinkItem>),
    Map(BTreeMap<String, String>),
}

#[derive(Debug, Deserialize)]
struct LinkItem {
    #[serde(default)]
    label: String,
    #[serde(default)]
    url: String,
}

/// What one run printed: its alerts, each with the item as printed (handed to action
/// programs), and how many items were not alerts.
pub struct Read {
    /// The alerts and their items as printed, by id.
    pub alerts: Vec<(Alert, Value)>,
    /// Items that lacked what an alert needs.
    pub invalid: usize,
}

/// A scalar as text (strings as they are; numbers and booleans written); others none.
fn scalar(v: &Value) -> Option<Cow<'_, str>> {
    match v {
        Value::String(s) => Some(Cow::Borrowed(s)),
        Value::Number(n) => Some(Cow::Owned(n.to_string())),
        Value::Bool(b) => Some(Cow::Owned(b.to_string())),
        _ => None,
    }
}

/// Reads `output` as the alerts of `source`.
pub fn read(output: &[u8], source: &SourceId, now: DateTime<Utc>) -> Read {
    let text = String::from_utf8_lossy(output);
    let trimmed = text.trim_start();
    let values: Vec<Option<Value>> = if trimmed.starts_with('[') {
        match serde_json::from_str::<Vec<Value>>(trimmed) {
            Ok(items) => items.into_iter().map(Some).collect(),
            Err(_) => vec![None],
        }
    } else {
        trimmed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(|l| serde_json::from_str::<Value>(l).ok())
            .collect()
    };
    let mut out = Read {
        alerts: Vec::with_capacity(values.len()),
        invalid: 0,
    };
    let mut seen = std::collections::HashSet::new();
    let mut strings = crate::model::Interner::default();
    for value in values {
        match value.and_then(|v| alert(&v, source, now, &mut strings).map(|a| (a, v))) {
            Some((a, v)) if seen.insert(a.key.clone()) => out.alerts.push((a, v)),
            _ => out.invalid += 1,
        }
    }
    out
}

/// The alert of one printed item; none when it lacks an id or a title, or names another
/// schema.
fn alert(
    value: &Value,
    source: &SourceId,
    now: DateTime<Utc>,
    strings: &mut crate::model::Interner,
) -> Option<Alert> {
    let item: Item = serde_json::from_value(value.clone()).ok()?;
    if item.schema.is_some_and(|s| s != SCHEMA) {
        return None;
    }
    let id = item.id.or(item.key).filter(|i| !i.trim().is_empty())?;
    let title = item.title.filter(|t| !t.trim().is_empty())?;
    let time = |s: &Option<String>| s.as_deref().and_then(crate::sources::when::parse);
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = item
        .labels
        .iter()
        .filter_map(|(k, v)| Some((Cow::Borrowed(k.as_str()), scalar(v)?)))
        .collect();
    if let Some(service) = item.service.as_deref().filter(|s| !s.is_empty()) {
        if !item.labels.contains_key("service") {
            labels.push((Cow::Borrowed("service"), Cow::Borrowed(service)));
        }
    }
    let annotations = item
        .annotations
        .iter()
        .filter_map(|(k, v)| Some((Cow::Borrowed(k.as_str()), scalar(v)?)))
        .collect();
    let links = match &item.links {
        Links::None => Vec::new(),
        Links::List(list) => list
            .iter()
            .map(|l| {
                (
                    Cow::Borrowed(l.label.as_str()),
                    Cow::Borrowed(l.url.as_str()),
                )
            })
            .collect(),
        Links::Map(map) => map
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str())))
            .collect(),
    };
    let status = item
        .status
        .as_deref()
        .and_then(Status::parse)
        .unwrap_or(Status::Firing);
    let draft = AlertDraft {
        id: Cow::Borrowed(id.as_str()),
        title: Cow::Borrowed(title.as_str()),
        severity: item
            .severity
            .as_deref()
            .and_then(Severity::parse)
            .unwrap_or(Severity::Unknown),
        status,
        labels,
        annotations,
        started_at: time(&item.started_at).unwrap_or(now),
        last_seen: now,
        acked_by: item.acked_by.as_deref().map(Cow::Borrowed),
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: None,
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    Some(draft.build_shared(source, strings))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-12-05T12:00:00Z")
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn json_lines_become_alerts_and_what_lacks_an_id_or_title_is_counted() {
        let out = br#"{"id":"a1","title":"Disk full","severity":"critical","status":"acked","service":"db","labels":{"host":"db1","port":5432},"started_at":"2026-12-05T11:00:00Z","links":{"console":"https://c.example/a1"}}
{"title":"no id"}
not json at all
{"id":"a2","title":"Other","schema":2}

{"key":"other:7","title":"From another onduty","links":[{"label":"runbook","url":"https://r.example"}]}
"#;
        let read = read(out, &SourceId("cmd".into()), now());
        assert_eq!(read.invalid, 3, "no id, not JSON, another schema");
        let a = &read.alerts[0].0;
        assert_eq!(a.key.0, "cmd:a1");
        assert_eq!((a.severity, a.status), (Severity::Critical, Status::Acked));
        assert_eq!(&*a.service, "db");
        assert_eq!(a.labels.get("port"), Some("5432"));
        assert_eq!(a.started_at.to_rfc3339(), "2026-12-05T11:00:00+00:00");
        assert_eq!(&*a.links[0].url, "https://c.example/a1");
        let b = &read.alerts[1].0;
        assert_eq!(b.key.0, "cmd:other:7");
        assert_eq!(&*b.links[0].label, "runbook");
    }

    #[test]
    fn an_array_is_read_as_onduty_alerts_json_prints_it() {
        let out = br#"[{"key":"am:1","title":"A","severity":"warning","status":"firing"},{"key":"am:1","title":"dup"}]"#;
        let read = read(out, &SourceId("cmd".into()), now());
        assert_eq!(read.alerts.len(), 1);
        assert_eq!(read.invalid, 1, "the same key twice is kept once");
        assert_eq!(read.alerts[0].0.severity, Severity::Warning);
        let broken = super::read(b"[{\"id\":", &SourceId("cmd".into()), now());
        assert_eq!((broken.alerts.len(), broken.invalid), (0, 1));
    }
}
