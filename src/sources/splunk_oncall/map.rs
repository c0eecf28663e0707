//! Splunk On-Call incidents into model alerts: the phase as status (both spellings the API
//! is seen to use), entity, host, service and who was paged as labels, the transitions as
//! the alert's notes; and who is on call now as policies.

use std::borrow::Cow;

use chrono::{DateTime, Utc};

use super::wire;
use crate::model::{
    Alert, AlertDraft, EscalationLevel, EscalationPolicy, Matcher, Note, OCCURRENCES, OnCall,
    Severity, SourceId, Status, sanitize,
};

/// The label naming the policy an incident was paged through.
pub const POLICY_LABEL: &str = "escalation_policy";

/// A time as the API writes it (RFC 3339).
fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The status of a phase: `triggered`/`UNACKED`, `acknowledged`/`ACKED`, `resolved`/`RESOLVED`.
pub fn status(phase: &str) -> Status {
    match phase.to_ascii_lowercase().as_str() {
        "acked" | "acknowledged" => Status::Acked,
        "resolved" => Status::Resolved,
        _ => Status::Firing,
    }
}

/// The model alert of incident `i` of `source`.
pub fn alert(i: &wire::Incident, source: &SourceId, now: DateTime<Utc>) -> Alert {
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    for (k, v) in [
        ("entity_id", &i.entity_id),
        ("routing_key", &i.routing_key),
        ("host", &i.host),
        ("service", &i.service),
    ] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty()) {
            labels.push((Cow::Borrowed(k), Cow::Borrowed(v)));
        }
    }
    if !i.paged_teams.is_empty() {
        labels.push((
            Cow::Borrowed("paged_teams"),
            Cow::Owned(i.paged_teams.join(", ")),
        ));
    }
    if !i.paged_users.is_empty() {
        labels.push((
            Cow::Borrowed("paged_users"),
            Cow::Owned(i.paged_users.join(", ")),
        ));
    }
    if let Some(policy) = i
        .paged_policies
        .iter()
        .filter_map(|p| p.policy.as_ref())
        .find(|p| !p.name.is_empty())
    {
        labels.push((
            Cow::Borrowed(POLICY_LABEL),
            Cow::Borrowed(policy.name.as_str()),
        ));
    }
    if let Some(n) = i.alert_count.filter(|n| *n > 1.0) {
        labels.push((Cow::Borrowed(OCCURRENCES), Cow::Owned(format!("{n:.0}"))));
    }
    let phase = status(&i.current_phase);
    let acked = i
        .transitions
        .iter()
        .rev()
        .find(|t| status(&t.name) == Status::Acked);
    let notes = i
        .transitions
        .iter()
        .map(|t| {
            let what = match t.message.as_deref().filter(|m| !m.trim().is_empty()) {
                Some(m) => format!("{}: {m}", t.name.to_lowercase()),
                None => t.name.to_lowercase(),
            };
            Note::new(
                t.by.as_deref().unwrap_or("Splunk On-Call"),
                time(t.at.as_deref()).unwrap_or(now),
                &what,
            )
        })
        .collect();
    let title = i
        .entity_id
        .as_deref()
        .or(i.service.as_deref())
        .filter(|t| !t.is_empty())
        .map_or_else(|| format!("incident {}", i.incident_number), str::to_string);
    let draft = AlertDraft {
        id: Cow::Borrowed(i.incident_number.as_str()),
        title: Cow::Owned(title),
        severity: Severity::Unknown,
        status: phase,
        labels,
        annotations: Vec::new(),
        started_at: time(i.start_time.as_deref()).unwrap_or(now),
        last_seen: now,
        acked_by: acked
            .filter(|_| phase == Status::Acked)
            .and_then(|t| t.by.as_deref())
            .map(Cow::Borrowed),
        acked_at: acked
            .filter(|_| phase == Status::Acked)
            .and_then(|t| time(t.at.as_deref())),
        silenced_until: None,
        links: Vec::new(),
        notes,
        fingerprint: None,
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    draft.build(source)
}

/// Until when `user` is on the rota of `policy` at `now`, and who comes next, from the
/// teams' schedules.
fn shift_of(
    rotas: &[wire::PolicySchedule],
    policy: &str,
    user: &str,
    now: DateTime<Utc>,
) -> (Option<DateTime<Utc>>, Option<String>) {
    let who = |r: &wire::Roll| r.on_call_user.get("username")?.as_str().map(str::to_string);
    let rolls = rotas
        .iter()
        .filter(|p| p.policy.slug == policy || p.policy.name == policy)
        .flat_map(|p| p.schedule.iter().flat_map(|e| e.rolls.iter()));
    for roll in rolls {
        let (Some(start), Some(end)) = (time(roll.start.as_deref()), time(roll.end.as_deref()))
        else {
            continue;
        };
        if start <= now && now < end && who(roll).as_deref() == Some(user) {
            let next = rotas
                .iter()
                .flat_map(|p| p.schedule.iter().flat_map(|e| e.rolls.iter()))
                .filter(|r| time(r.start.as_deref()).is_some_and(|s| s >= end))
                .min_by_key(|r| time(r.start.as_deref()))
                .and_then(who);
            return (Some(end), next);
        }
    }
    (None, None)
}

/// Who is on call now, one policy per team's escalation policy, its users on its one level
/// (until when and who is next, from `rotas`, the teams' schedules).
pub fn policies(
    current: &wire::OnCallCurrent,
    rotas: &[wire::PolicySchedule],
    now: DateTime<Utc>,
) -> Vec<EscalationPolicy> {
    let mut out = Vec::new();
    for team in &current.teams_on_call {
        for entry in &team.on_call_now {
            let name = sanitize::line(&entry.escalation_policy.name, sanitize::LABEL_CAP);
            let slug = &entry.escalation_policy.slug;
            let on_call: Vec<OnCall> = entry
                .users
                .iter()
                .filter_map(|u| u.on_call_user.get("username")?.as_str())
                .map(|u| {
                    let (until, next) = shift_of(rotas, slug, u, now);
                    OnCall::new(u, until, next.as_deref()).with_shift(None, Some(&team.team.name))
                })
                .collect();
            let levels = vec![EscalationLevel {
                after: chrono::TimeDelta::zero(),
                on_call,
            }];
            let mut policy = EscalationPolicy::named(&name, Vec::new(), levels);
            policy.id = sanitize::line(slug, sanitize::LABEL_CAP);
            policy.matchers = vec![Matcher::equal(POLICY_LABEL, &name)];
            out.push(policy);
        }
    }
    out
}
