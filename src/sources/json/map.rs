//! One item of a JSON answer as an alert, by the configured pointers: scalars read as text
//! (arrays of them joined), severities and statuses through their maps, times in the forms
//! monitoring tools write them, links from templates. An item without its id or title is
//! no alert: the reason is returned, and only that item is left out.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::config::Settings;
use crate::model::{Alert, AlertDraft, Interner, Severity, SourceId, Status};

/// The text at `pointer` in `item`: a string, a number or a boolean as written, an array of
/// them joined with ", "; none for null, an object, or nothing there.
pub fn text<'a>(item: &'a Value, pointer: &str) -> Option<Cow<'a, str>> {
    let v = item.pointer(pointer)?;
    let scalar = |v: &'a Value| -> Option<Cow<'a, str>> {
        match v {
            Value::String(s) => Some(Cow::Borrowed(s.as_str())),
            Value::Number(n) => Some(Cow::Owned(n.to_string())),
            Value::Bool(b) => Some(Cow::Owned(b.to_string())),
            _ => None,
        }
    };
    match v {
        Value::Array(items) => {
            let parts: Vec<Cow<'a, str>> = items.iter().filter_map(scalar).collect();
            (!parts.is_empty()).then(|| Cow::Owned(parts.join(", ")))
        }
        v => scalar(v),
    }
    .filter(|t| !t.trim().is_empty())
}

/// `template` with `{id}` filled in, percent-encoded for a URL.
pub fn filled_url(template: &str, id: &str) -> String {
    template.replace("{id}", &crate::sources::http::path_segment(id))
}

/// The alert of `item`, or why it is none.
pub fn alert(
    item: &Value,
    s: &Settings,
    source: &SourceId,
    now: DateTime<Utc>,
    strings: &mut Interner,
) -> Result<Alert, String> {
    let f = &s.fields;
    let field = |p: &Option<String>| p.as_deref().and_then(|p| text(item, p));
    let id = field(&f.id).ok_or("no id")?;
    let title = field(&f.title).ok_or("no title")?;
    let severity = field(&f.severity).map_or(Severity::Unknown, |raw| {
        s.severity_map
            .get(raw.as_ref())
            .and_then(|to| Severity::parse(to))
            .or_else(|| Severity::parse(&raw))
            .unwrap_or(Severity::Unknown)
    });
    let acked_by = field(&f.acked_by);
    let status = match field(&f.status) {
        Some(raw) => s
            .status_map
            .get(raw.as_ref())
            .and_then(|to| Status::parse(to))
            .or_else(|| Status::parse(&raw))
            .unwrap_or(Status::Firing),
        None if acked_by.is_some() => Status::Acked,
        None => Status::Firing,
    };
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = f
        .labels
        .iter()
        .filter_map(|(k, p)| Some((Cow::Borrowed(k.as_str()), text(item, p)?)))
        .collect();
    if let Some(service) = field(&f.service) {
        labels.push((Cow::Borrowed("service"), service));
    }
    let annotations = f
        .annotations
        .iter()
        .filter_map(|(k, p)| Some((Cow::Borrowed(k.as_str()), text(item, p)?)))
        .collect();
    let links = f
        .links
        .iter()
        .map(|(k, t)| (Cow::Borrowed(k.as_str()), Cow::Owned(filled_url(t, &id))))
        .collect();
    let draft = AlertDraft {
        started_at: field(&f.started_at)
            .and_then(|t| crate::sources::when::parse(&t))
            .unwrap_or(now),
        id,
        title,
        severity,
        status,
        labels,
        annotations,
        last_seen: now,
        acked_by,
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: None,
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    // Equal strings of a page (a label value on every item) are kept once.
    Ok(draft.build_shared(source, strings))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scalars_and_arrays_read_as_text() {
        let item =
            json!({"a": 5, "b": true, "c": ["Web", "API"], "d": null, "e": {"x": 1}, "f": ""});
        assert_eq!(text(&item, "/a").as_deref(), Some("5"));
        assert_eq!(text(&item, "/b").as_deref(), Some("true"));
        assert_eq!(text(&item, "/c").as_deref(), Some("Web, API"));
        for none in ["/d", "/e", "/f", "/missing"] {
            assert_eq!(text(&item, none), None, "{none}");
        }
    }
}
