//! PagerDuty's incidents, escalation policies and on-call entries mapped into the model:
//! an incident becomes an alert (sanitized when built), its level on the policy is worked
//! out from who it is assigned to, and each policy's levels get who is on call now and next.

use std::borrow::Cow;

use chrono::{DateTime, TimeDelta, Utc};

use super::wire;
use crate::model::{
    Alert, AlertDraft, Escalation, EscalationLevel, EscalationPolicy, Note, OnCall, Severity,
    SourceId, Status,
};

/// An incident as an alert of `source`. `policies` (already mapped) tell the level it is at.
pub fn incident(
    i: &wire::Incident,
    source: &SourceId,
    policies: &[EscalationPolicy],
    notes: Vec<Note>,
    now: DateTime<Utc>,
) -> Alert {
    let status = match i.status {
        wire::IncidentStatus::Triggered | wire::IncidentStatus::Unknown => Status::Firing,
        wire::IncidentStatus::Acknowledged => Status::Acked,
        wire::IncidentStatus::Resolved => Status::Resolved,
    };
    let title = i.title.as_deref().or(i.summary.as_deref()).unwrap_or(&i.id);
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    let mut label = |k: &'static str, v: &str| labels.push((k.into(), v.to_string().into()));
    if let Some(n) = i.incident_number {
        label("incident_number", &n.to_string());
    }
    if let Some(u) = &i.urgency {
        label("urgency", u);
    }
    if let Some(p) = &i.priority {
        label("priority", p.label());
    }
    if let Some(s) = &i.service {
        label("service", s.label());
    }
    if let Some(p) = &i.escalation_policy {
        label("escalation_policy", p.label());
    }
    let teams: Vec<&str> = i.teams.iter().map(|t| t.label()).collect();
    if !teams.is_empty() {
        label("team", &teams.join(","));
    }
    let assignees: Vec<&str> = i.assignments.iter().map(|a| a.assignee.label()).collect();
    if !assignees.is_empty() {
        label("assignees", &assignees.join(", "));
    }
    if let Some(v) = &i.assigned_via {
        label("assigned_via", v);
    }
    let ack = i.acknowledgements.last();
    let started_at = i.created_at.unwrap_or(now);
    let escalation = if i.assigned_via.as_deref() == Some("direct_assignment") {
        None // direct assignments never escalate
    } else {
        level_of(i, policies, started_at)
    };
    let mut annotations = Vec::new();
    // PagerDuty's summary is "[#1234] title": worth keeping only when it says more.
    let says_more = |s: &&str| i.title.as_deref().is_none_or(|t| !s.ends_with(t));
    if let Some(s) = i.summary.as_deref().filter(says_more) {
        annotations.push(("summary".into(), s.into()));
    }
    let mut links = Vec::new();
    if let Some(url) = &i.html_url {
        links.push((crate::model::ITS_PAGE.into(), url.as_str().into()));
    }
    AlertDraft {
        id: i.id.as_str().into(),
        title: title.into(),
        severity: severity(i),
        status,
        labels,
        annotations,
        started_at,
        last_seen: i.updated_at.unwrap_or(now),
        acked_by: ack.map(|a| a.acknowledger.label().into()),
        acked_at: ack.and_then(|a| a.at),
        silenced_until: None,
        links,
        notes,
        fingerprint: i.incident_key.as_deref().map(Into::into),
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation,
    }
    .build(source)
}

/// Priority P1..P5 when the account has priorities, else urgency: high pages as critical.
fn severity(i: &wire::Incident) -> Severity {
    let priority = i.priority.as_ref().map(|p| p.label().to_ascii_uppercase());
    match priority.as_deref() {
        Some("P1" | "SEV1" | "SEV-1") => return Severity::Critical,
        Some("P2" | "SEV2" | "SEV-2") => return Severity::Error,
        Some("P3" | "SEV3" | "SEV-3") => return Severity::Warning,
        Some("P4" | "P5" | "SEV4" | "SEV5") => return Severity::Info,
        _ => {}
    }
    match i.urgency.as_deref() {
        Some("low") => Severity::Warning,
        _ => Severity::Critical,
    }
}

/// The level an open incident is at: the lowest level of its policy where one of its
/// assignees is on call, reached when they were assigned. None when that cannot be told.
fn level_of(
    i: &wire::Incident,
    policies: &[EscalationPolicy],
    fired: DateTime<Utc>,
) -> Option<Escalation> {
    let reference = i.escalation_policy.as_ref()?;
    let policy = policies.iter().find(|p| p.id == reference.id)?;
    if i.status == wire::IncidentStatus::Resolved {
        return None;
    }
    let assigned = |who: &str| i.assignments.iter().any(|a| a.assignee.label() == who);
    let level = policy
        .levels
        .iter()
        .position(|l| l.on_call.iter().any(|o| assigned(&o.who)))?;
    let since = i
        .assignments
        .iter()
        .filter_map(|a| a.at)
        .max()
        .unwrap_or(fired);
    Some(Escalation::new(&policy.name, level, since))
}

/// A policy with who is on call at each level at `now` (from `oncalls`, the entries of a
/// window starting now) and who comes next.
pub fn policy(
    p: &wire::EscalationPolicy,
    oncalls: &[wire::OnCall],
    now: DateTime<Utc>,
) -> EscalationPolicy {
    let name = p.name.as_deref().or(p.summary.as_deref()).unwrap_or(&p.id);
    let mut after = TimeDelta::zero();
    let mut levels = Vec::with_capacity(p.escalation_rules.len());
    for (i, rule) in p.escalation_rules.iter().enumerate() {
        let number = i as u32 + 1;
        let at_level: Vec<&wire::OnCall> = oncalls
            .iter()
            .filter(|o| o.escalation_policy.id == p.id && o.escalation_level == Some(number))
            .collect();
        let mut on_call = on_call_now(&at_level, now);
        if on_call.is_empty() {
            // Nobody reported on call: show what the level targets (a schedule, a user).
            on_call = rule
                .targets
                .iter()
                .map(|t| OnCall::new(t.label(), None, None))
                .collect();
        }
        levels.push(EscalationLevel { after, on_call });
        after += TimeDelta::minutes(i64::from(rule.escalation_delay_in_minutes.unwrap_or(0)));
    }
    EscalationPolicy {
        id: crate::model::sanitize::line(&p.id, 64),
        name: crate::model::sanitize::line(name, crate::model::sanitize::LABEL_CAP),
        services: p
            .services
            .iter()
            .map(|s| crate::model::sanitize::line(s.label(), crate::model::sanitize::LABEL_CAP))
            .collect(),
        matchers: Vec::new(),
        levels,
        repeats: p.num_loops.unwrap_or(0),
    }
}

/// Who is on call at `now` among one level's entries, each with who follows them on the
/// same schedule (the entry that starts when theirs ends).
fn on_call_now(entries: &[&wire::OnCall], now: DateTime<Utc>) -> Vec<OnCall> {
    let covers =
        |o: &wire::OnCall| o.start.is_none_or(|s| s <= now) && o.end.is_none_or(|e| e > now);
    let mut out: Vec<OnCall> = Vec::new();
    for o in entries.iter().filter(|o| covers(o)) {
        let who = o.user.label();
        if out.iter().any(|c| c.who == who) {
            continue;
        }
        let schedule = o.schedule.as_ref().map(|s| s.id.as_str());
        let next = o.end.and_then(|end| {
            entries
                .iter()
                .filter(|n| n.schedule.as_ref().map(|s| s.id.as_str()) == schedule)
                .filter(|n| n.start.is_some_and(|s| s >= end))
                .min_by_key(|n| n.start)
                .map(|n| n.user.label())
        });
        let via = o.schedule.as_ref().map(|s| s.label());
        out.push(OnCall::new(who, o.end, next).with_shift(o.start, via));
    }
    out
}

/// A log entry as a timeline line ("Escalated to level 2 …"), by its agent. Annotations
/// are left out: they are the notes, which arrive whole with their author.
pub fn log_entry(e: &wire::LogEntry) -> Option<Note> {
    if e.kind.starts_with("annotate_") {
        return None;
    }
    let summary = e.summary.as_deref()?;
    let agent = e.agent.as_ref().map_or("PagerDuty", |a| a.label());
    Some(Note::new(agent, e.created_at.unwrap_or_default(), summary))
}

/// A PagerDuty note as a model note.
pub fn note(n: &wire::IncidentNote) -> Note {
    Note::new(n.user.label(), n.created_at.unwrap_or_default(), &n.content)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32, m: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 25, h, m, 0).unwrap()
    }

    fn user(name: &str) -> wire::Reference {
        wire::Reference {
            id: format!("U{name}"),
            summary: Some(name.into()),
            ..Default::default()
        }
    }

    fn entry(who: &str, level: u32, from: Option<u32>, to: Option<u32>) -> wire::OnCall {
        wire::OnCall {
            user: user(who),
            schedule: Some(wire::Reference {
                id: format!("S{level}"),
                summary: Some(format!("primary-{level}")),
                ..Default::default()
            }),
            escalation_policy: wire::Reference {
                id: "P1".into(),
                ..Default::default()
            },
            escalation_level: Some(level),
            start: from.map(|h| at(h, 0)),
            end: to.map(|h| at(h, 0)),
        }
    }

    fn wire_policy() -> wire::EscalationPolicy {
        serde_json::from_str(
            r#"{"id":"P1","name":"Payments","num_loops":2,
                "escalation_rules":[
                  {"escalation_delay_in_minutes":10,"targets":[{"id":"S1","type":"schedule_reference","summary":"primary-1"}]},
                  {"escalation_delay_in_minutes":20,"targets":[{"id":"Udana","type":"user_reference","summary":"dana"}]}],
                "services":[{"id":"SV","summary":"payments"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn levels_get_cumulative_delays_who_is_on_now_and_who_is_next() {
        let oncalls = vec![
            entry("ana", 1, Some(0), Some(9)),
            entry("bo", 1, Some(9), Some(21)),
            entry("chen", 1, Some(21), None),
        ];
        let p = policy(&wire_policy(), &oncalls, at(12, 0));
        assert_eq!((p.name.as_str(), p.repeats), ("Payments", 2));
        assert_eq!(p.services, vec!["payments"]);
        assert_eq!(p.levels[0].after, TimeDelta::zero());
        assert_eq!(p.levels[1].after, TimeDelta::minutes(10));
        let now = &p.levels[0].on_call[0];
        assert_eq!(now.who, "bo");
        assert_eq!((now.from, now.until), (Some(at(9, 0)), Some(at(21, 0))));
        assert_eq!(now.next.as_deref(), Some("chen"));
        assert_eq!(now.via.as_deref(), Some("primary-1"));
        // Nobody reported at level 2: its target shows.
        assert_eq!(p.levels[1].on_call[0].who, "dana");
    }

    #[test]
    fn an_incident_is_at_the_level_of_its_assignee_since_its_assignment() {
        let p = policy(
            &wire_policy(),
            &[entry("bo", 1, Some(9), Some(21))],
            at(12, 0),
        );
        let mut i: wire::Incident = serde_json::from_str(
            r#"{"id":"PT4KHLK","incident_number":1234,"title":"Checkout 5xx",
                "status":"triggered","urgency":"high","created_at":"2026-11-25T11:50:00Z",
                "escalation_policy":{"id":"P1","summary":"Payments"},
                "service":{"id":"SV","summary":"payments"},
                "assignments":[{"at":"2026-11-25T11:55:00Z","assignee":{"id":"Udana","summary":"dana"}}],
                "html_url":"https://acme.pagerduty.com/incidents/PT4KHLK"}"#,
        )
        .unwrap();
        let source = SourceId("pd".into());
        let a = incident(&i, &source, std::slice::from_ref(&p), vec![], at(12, 0));
        assert_eq!(a.key.0, "pd:PT4KHLK");
        assert_eq!((a.severity, a.status), (Severity::Critical, Status::Firing));
        assert_eq!(&*a.service, "payments");
        assert_eq!(a.field("incident_number"), Some("1234"));
        let e = a.escalation.clone().unwrap();
        assert_eq!((e.level, e.since), (1, at(11, 55)), "dana is level 2");
        i.assigned_via = Some("direct_assignment".into());
        let direct = incident(&i, &source, std::slice::from_ref(&p), vec![], at(12, 0));
        assert!(direct.escalation.is_none());
    }

    #[test]
    fn log_entries_become_timeline_lines_and_annotations_are_left_to_the_notes() {
        let entries: Vec<wire::LogEntry> = serde_json::from_str(
            r#"[{"id":"Q1","type":"escalate_log_entry","summary":"Escalated to level 2 by\u001b[2J the API",
                 "created_at":"2026-11-25T12:00:00Z","agent":{"id":"U","summary":"ana"}},
                {"id":"Q2","type":"annotate_log_entry","summary":"Note added"},
                {"id":"Q3","type":"trigger_log_entry","summary":"Triggered through the API"}]"#,
        )
        .unwrap();
        let lines: Vec<Note> = entries.iter().filter_map(log_entry).collect();
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].author, "ana");
        assert_eq!(lines[0].text, "Escalated to level 2 by the API");
        assert_eq!(lines[1].author, "PagerDuty");
    }

    #[test]
    fn unknown_statuses_and_broken_times_do_not_lose_the_incident() {
        let i: wire::Incident = serde_json::from_str(
            r#"{"id":"X","status":"investigating","created_at":"yesterday",
                "title":"\u001b]52;c;ZXZpbA==\u0007pwned\u202e"}"#,
        )
        .unwrap();
        let a = incident(&i, &SourceId("pd".into()), &[], vec![], at(12, 0));
        assert_eq!(a.status, Status::Firing);
        assert_eq!(a.started_at, at(12, 0));
        assert_eq!(&*a.title, "pwned");
    }
}
