//! Opsgenie's alerts mapped into the model (sanitized when built): priority P1–P5 to a
//! severity, open/acknowledged/snoozed/closed to a status, tags and the rest as labels.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::wire;
use crate::model::{Alert, AlertDraft, Severity, SourceId, Status};

/// An Opsgenie alert as an alert of `source`.
pub fn alert(a: &wire::Alert, source: &SourceId, now: DateTime<Utc>) -> Alert {
    let status = match (a.status.as_deref(), a.snoozed, a.acknowledged) {
        (Some("closed"), _, _) => Status::Resolved,
        (_, true, _) => Status::Silenced,
        (_, _, true) => Status::Acked,
        _ => Status::Firing,
    };
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
        a.integration.as_ref().and_then(|i| i.name.as_deref()),
    );
    let tags = a.tags.join(",");
    label("tags", Some(&tags));
    let count = a.count.filter(|c| *c > 1).map(|c| c.to_string());
    label("count", count.as_deref());
    let started_at = a.created_at.unwrap_or(now);
    let report = a.report.as_ref();
    let acked_by = report
        .and_then(|r| r.acknowledged_by.as_deref())
        .filter(|_| a.acknowledged);
    let acked_at = report
        .and_then(|r| r.ack_time)
        .filter(|_| a.acknowledged)
        // Untrusted: a time past the calendar's end is no time, not a panic.
        .and_then(|ms| started_at.checked_add_signed(TimeDelta::try_milliseconds(ms)?));
    AlertDraft {
        id: a.id.as_str().into(),
        title: title.into(),
        severity: severity(a.priority.as_deref()),
        status,
        labels,
        annotations: Vec::new(),
        started_at,
        last_seen: a.last_occurred_at.or(a.updated_at).unwrap_or(now),
        acked_by: acked_by.map(Into::into),
        acked_at,
        silenced_until: a.snoozed_until.filter(|_| a.snoozed),
        links: Vec::new(),
        notes: Vec::new(),
        fingerprint: a.alias.as_deref().map(Into::into),
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    }
    .build(source)
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
            now,
        );
        assert_eq!(a.key.0, "og:70413a06");
        assert_eq!((a.severity, a.status), (Severity::Critical, Status::Acked));
        assert_eq!(a.field("tags"), Some("db,prod"));
        assert_eq!(a.field("count"), Some("12"));
        assert_eq!(a.acked_by.as_deref(), Some("ana@example.com"));
        let snoozed = alert(
            &listed(r#"{"id":"x","status":"open","snoozed":true,"priority":"P5"}"#),
            &source,
            now,
        );
        assert_eq!(
            (snoozed.severity, snoozed.status),
            (Severity::Info, Status::Silenced)
        );
        let absurd = alert(
            &listed(r#"{"id":"z","acknowledged":true,"report":{"ackTime":9223372036854775807}}"#),
            &source,
            now,
        );
        assert_eq!(
            absurd.acked_at, None,
            "an ack time past the calendar is dropped"
        );
        let closed = alert(&listed(r#"{"id":"y","status":"closed"}"#), &source, now);
        assert_eq!(
            (closed.severity, closed.status),
            (Severity::Warning, Status::Resolved)
        );
        assert_eq!(&*closed.title, "y", "no message: the id names it");
    }
}
