//! Opsgenie's alerts mapped into the model (sanitized when built): priority P1–P5 to a
//! severity, open/acknowledged/snoozed/closed to a status, tags and the rest as labels.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::wire;
use std::collections::HashMap;

use crate::model::{
    Alert, AlertDraft, EscalationLevel, EscalationPolicy, Matcher, Note, OCCURRENCES, OnCall,
    Severity, SourceId, Status, sanitize,
};

/// Who is on call on a schedule now, and who is next, by the schedule's id.
pub type OnCalls = HashMap<String, (Vec<String>, Vec<String>)>;

/// An Opsgenie or JSM alert as an alert of `source`, with its `notes` and log; an
/// escalation of `policies` responding to it names its policy.
pub fn alert(
    a: &wire::Alert,
    source: &SourceId,
    notes: Vec<Note>,
    policies: &[EscalationPolicy],
    now: DateTime<Utc>,
) -> Alert {
    item(a, Item::Alert, source, notes, policies, now)
}

/// The prefix of an Opsgenie incident's id in its key (`og:incident:ID`).
pub const INCIDENT: &str = "incident:";

/// An Opsgenie incident (the Incident API's, shaped like an alert) as an alert of `source`,
/// keyed `SOURCE:incident:ID` and labelled `type = incident`.
pub fn incident(a: &wire::Alert, source: &SourceId, now: DateTime<Utc>) -> Alert {
    item(a, Item::Incident, source, Vec::new(), &[], now)
}

/// What an item of the listing is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Item {
    Alert,
    Incident,
}

fn item(
    a: &wire::Alert,
    item: Item,
    source: &SourceId,
    notes: Vec<Note>,
    policies: &[EscalationPolicy],
    now: DateTime<Utc>,
) -> Alert {
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
    if item == Item::Incident {
        label("type", Some("incident"));
    }
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
    let policy = a
        .responders
        .iter()
        .filter(|r| r.kind == "escalation")
        .find_map(|r| policies.iter().find(|p| p.id == r.id))
        .map(|p| p.name.clone());
    label("escalation_policy", policy.as_deref());
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
        id: match item {
            Item::Alert => a.id.as_str().into(),
            Item::Incident => format!("{INCIDENT}{}", a.id).into(),
        },
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

/// An escalation as a policy: each rule a level, paged its delay after the alert was
/// created; a schedule's level shows who is on it now and next (from `on_calls`).
pub fn policy(e: &wire::Escalation, on_calls: &OnCalls) -> EscalationPolicy {
    let mut levels: Vec<EscalationLevel> = e
        .rules
        .iter()
        .map(|rule| {
            let after = rule.delay.as_ref().map_or(TimeDelta::zero(), delay);
            let on_call = match &rule.recipient {
                Some(r) if r.kind == "schedule" => {
                    let via = r.name.as_deref().unwrap_or(&r.id);
                    let (now, next) = on_calls.get(&r.id).cloned().unwrap_or_default();
                    let next = next.first().map(String::as_str);
                    let who: Vec<OnCall> = now
                        .iter()
                        .map(|w| OnCall::new(w, None, next).with_shift(None, Some(via)))
                        .collect();
                    match who.is_empty() {
                        true => vec![OnCall::new(via, None, None).with_shift(None, Some(via))],
                        false => who,
                    }
                }
                Some(r) => {
                    let name = r.name.as_deref().unwrap_or(&r.id);
                    let who = match r.kind.as_str() {
                        "user" => name.to_string(),
                        kind => format!("{kind} {name}"),
                    };
                    vec![OnCall::new(&who, None, None)]
                }
                None => Vec::new(),
            };
            EscalationLevel { after, on_call }
        })
        .collect();
    levels.sort_by_key(|l| l.after);
    let name = sanitize::line(e.name.as_deref().unwrap_or(&e.id), sanitize::LABEL_CAP);
    // It covers the alerts it responds to (they name it), never every alert of the source.
    let named = Matcher::new("escalation_policy", &name, false, true);
    EscalationPolicy {
        id: sanitize::line(&e.id, 64),
        matchers: named.into_iter().collect(),
        name,
        services: Vec::new(),
        levels,
        repeats: e.repeat.as_ref().and_then(|r| r.count).unwrap_or(0),
    }
}

/// The longest delay a rule is taken to have: a year.
const DELAY_MOST: i64 = 366 * 86_400;

/// A rule's delay, capped at a year (untrusted: a huge one is no overflow).
fn delay(d: &wire::RuleDelay) -> TimeDelta {
    let secs = match d {
        wire::RuleDelay::Minutes(n) => n.saturating_mul(60),
        wire::RuleDelay::Span(d) => {
            let n = d.time_amount;
            match d.time_unit.as_deref() {
                Some("days") => n.saturating_mul(86_400),
                Some("hours") => n.saturating_mul(3600),
                Some("seconds") => n,
                Some("miliseconds" | "milliseconds") => n / 1000,
                _ => n.saturating_mul(60),
            }
        }
    };
    TimeDelta::try_seconds(secs.clamp(0, DELAY_MOST)).unwrap_or_default()
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
            &[],
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
            &[],
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
            &[],
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
            &[],
            now,
        );
        assert_eq!(
            (closed.severity, closed.status),
            (Severity::Warning, Status::Resolved)
        );
        assert_eq!(&*closed.title, "y", "no message: the id names it");
    }

    #[test]
    fn an_escalation_is_a_policy_its_alerts_name() {
        let e: wire::Escalation = serde_json::from_str(
            r#"{"id":"e1","name":"Night","repeat":{"count":2},"rules":[
              {"delay":{"timeAmount":1,"timeUnit":"hours"},"recipient":{"type":"team","id":"t1","name":"SRE"}},
              {"delay":{"timeAmount":0},"recipient":{"type":"schedule","id":"s1","name":"Primary"}},
              {"delay":{"timeAmount":99999999999999,"timeUnit":"days"},"recipient":{"type":"user","username":"bo@x"}}]}"#,
        )
        .unwrap();
        let on_calls: OnCalls = [(
            "s1".to_string(),
            (vec!["ana".to_string()], vec!["bo".to_string()]),
        )]
        .into();
        let p = policy(&e, &on_calls);
        assert_eq!((p.name.as_str(), p.repeats), ("Night", 2));
        assert_eq!(
            p.levels[0].after,
            TimeDelta::zero(),
            "levels in the order they page"
        );
        assert_eq!(p.levels[0].on_call[0].who, "ana");
        assert_eq!(p.levels[0].on_call[0].next.as_deref(), Some("bo"));
        assert_eq!(p.levels[0].on_call[0].via.as_deref(), Some("Primary"));
        assert_eq!(p.levels[1].after, TimeDelta::hours(1));
        assert_eq!(p.levels[1].on_call[0].who, "team SRE");
        assert_eq!(p.levels[2].on_call[0].who, "bo@x", "a user by name alone");
        assert!(
            p.levels[2].after <= TimeDelta::days(366),
            "an absurd delay is capped"
        );
        let a = alert(
            &listed(r#"{"id":"a","responders":[{"type":"escalation","id":"e1"}]}"#),
            &SourceId("og".into()),
            Vec::new(),
            std::slice::from_ref(&p),
            DateTime::<Utc>::UNIX_EPOCH,
        );
        assert!(p.covers(&a), "its escalation's policy covers it");
        let other = alert(
            &listed(r#"{"id":"b","responders":[{"type":"team","id":"t1"}]}"#),
            &SourceId("og".into()),
            Vec::new(),
            std::slice::from_ref(&p),
            DateTime::<Utc>::UNIX_EPOCH,
        );
        assert!(
            !p.covers(&other),
            "an alert it does not respond to is not covered"
        );
        let jsm: wire::Escalation = serde_json::from_str(
            r#"{"id":"e2","rules":[{"delay":5,"recipient":{"type":"user","id":"u1"}}]}"#,
        )
        .unwrap();
        let jsm = policy(&jsm, &OnCalls::new());
        assert_eq!(
            jsm.levels[0].after,
            TimeDelta::minutes(5),
            "JSM's delay is minutes"
        );
    }
}
