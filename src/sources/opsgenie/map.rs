//! Opsgenie's alerts mapped into the model (sanitized when built): priority P1–P5 to a
//! severity, open/acknowledged/snoozed/closed to a status, tags and the rest as labels.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::wire;
use crate::model::{Alert, AlertDraft, Note, OCCURRENCES, Severity, SourceId, Status};

/// An Opsgenie or JSM alert as an alert of `source`, with its `notes` and log.
pub fn alert(a: &wire::Alert, source: &SourceId, notes: Vec<Note>, now: DateTime<Utc>) -> Alert {
    // JSM also says `acked`, `snoozed` and `resolved` in `status`.
    let status = match (a.status.as_deref(), a.snoozed, a.acknowledged) {
        (Some("closed" | "resolved"), _, _) => Status::Resolved,
        (Some("snoozed"), _, _) | (_, true, _) => Status::Silenced,
        (Some("acked"), _, _) | (_, _, true) => Status::Acked,
        _ => Status::Firing,
    };
    let acknowledged = status == Status::Acked || a.acknowledged;
    let title = a.message.as_deref().or(a.alias.as_deref()).unwrap_or(&a.id);
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    let mut label = |k: &'static str, v: Option<&str>| {
        if let Some(v) = v.filter(|v| !v.is_empty()) {
            labels.push((k.into(), v.to_string().into()));
        }
    };
    label("priority", a.priority.as_deref());
    label("tiny_id", a.tiny_id.as_deref());
    label("alias", a.alias.as_deref());
    label("source", a.source.as_deref());
    label("owner", a.owner.as_deref());
    label(
        "integration",
        a.integration
            .as_ref()
            .and_then(|i| i.name.as_deref())
            .or(a.integration_name.as_deref()),
    );
    let tags = a.tags.join(",");
    label("tags", Some(&tags));
    let responders: Vec<String> = a.responders.iter().map(responder).collect();
    label("responders", Some(&responders.join(",")));
    let count = a.count.filter(|c| *c > 1).map(|c| c.to_string());
    label(OCCURRENCES, count.as_deref());
    for (k, v) in &a.details {
        let v = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        labels.push((format!("detail.{k}").into(), v.into()));
    }
    let started_at = a.created_at.unwrap_or(now);
    let report = a.report.as_ref();
    let acked_by = report
        .and_then(|r| r.acknowledged_by.as_deref())
        .filter(|_| acknowledged);
    let acked_at = report
        .and_then(|r| r.ack_time)
        .filter(|_| acknowledged)
        // Untrusted: a time past the calendar's end is no time, not a panic.
        .and_then(|ms| started_at.checked_add_signed(TimeDelta::try_milliseconds(ms)?));
    AlertDraft {
        id: a.id.as_str().into(),
        title: title.into(),
        severity: severity(a.priority.as_deref()),
        status,
        labels,
        annotations: a
            .description
            .as_deref()
            .filter(|d| !d.trim().is_empty())
            .map(|d| ("description".into(), d.into()))
            .into_iter()
            .collect(),
        started_at,
        last_seen: a.last_occurred_at.or(a.updated_at).unwrap_or(now),
        acked_by: acked_by.map(Into::into),
        acked_at,
        silenced_until: a.snoozed_until.filter(|_| status == Status::Silenced),
        links: Vec::new(),
        notes,
        fingerprint: a.alias.as_deref().map(Into::into),
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    }
    .build(source)
}

/// A responder as `type:name` (or its id when the answer names none).
fn responder(r: &wire::Responder) -> String {
    format!("{}:{}", r.kind, r.name.as_deref().unwrap_or(&r.id))
}

/// A note on an alert as a model note.
pub fn note(n: &wire::Note) -> Note {
    let who = n.owner.as_deref().unwrap_or("Opsgenie");
    Note::new(who, n.created_at.unwrap_or_default(), &n.note)
}

/// An entry of an alert's activity log as a model note.
pub fn log_entry(e: &wire::LogEntry) -> Note {
    let who = e
        .owner
        .as_deref()
        .filter(|o| !o.is_empty())
        .unwrap_or("Opsgenie");
    Note::new(who, e.created_at.unwrap_or_default(), &e.log)
}

/// P1 pages as critical, P2 as an error, P3 as a warning, P4 and P5 as information; an
/// alert without a priority is Opsgenie's default, P3.
fn severity(priority: Option<&str>) -> Severity {
    match priority.map(str::trim) {
        Some("P1") => Severity::Critical,
        Some("P2") => Severity::Error,
        Some("P4" | "P5") => Severity::Info,
        _ => Severity::Warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn listed(json: &str) -> wire::Alert {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn priority_status_and_the_rest_map_into_the_model() {
        let now = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000);
        let source = SourceId("og".into());
        let a = alert(
            &listed(
                r#"{"id":"70413a06","tinyId":"1791","alias":"db-down","message":"DB down",
                "status":"open","acknowledged":true,"tags":["db","prod"],"count":12,
                "createdAt":"2024-01-02T03:04:05Z","priority":"P1",
                "report":{"ackTime":15000,"acknowledgedBy":"ana@example.com"}}"#,
            ),
            &source,
            Vec::new(),
            now,
        );
        assert_eq!(a.key.0, "og:70413a06");
        assert_eq!((a.severity, a.status), (Severity::Critical, Status::Acked));
        assert_eq!(a.field("tags"), Some("db,prod"));
        assert_eq!(a.field(OCCURRENCES), Some("12"));
        assert_eq!(a.acked_by.as_deref(), Some("ana@example.com"));
        let snoozed = alert(
            &listed(r#"{"id":"x","status":"open","snoozed":true,"priority":"P5"}"#),
            &source,
            Vec::new(),
            now,
        );
        assert_eq!(
            (snoozed.severity, snoozed.status),
            (Severity::Info, Status::Silenced)
        );
        let absurd = alert(
            &listed(r#"{"id":"z","acknowledged":true,"report":{"ackTime":9223372036854775807}}"#),
            &source,
            Vec::new(),
            now,
        );
        assert_eq!(
            absurd.acked_at, None,
            "an ack time past the calendar is dropped"
        );
        let closed = alert(
            &listed(r#"{"id":"y","status":"closed"}"#),
            &source,
            Vec::new(),
            now,
        );
        assert_eq!(
            (closed.severity, closed.status),
            (Severity::Warning, Status::Resolved)
        );
        assert_eq!(&*closed.title, "y", "no message: the id names it");
    }
}
