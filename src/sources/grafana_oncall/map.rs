//! Grafana OnCall alert groups into model alerts: `firing`/`new` → firing, acknowledged,
//! silenced, resolved; labels, team and integration as labels; the severity and summary
//! from the group's labels, else from the payload its monitoring tool sent; the web and
//! Slack permalinks; resolution notes as the alert's notes.

use std::borrow::Cow;
use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde_json::Value;

use super::wire;
use crate::model::{Alert, AlertDraft, ITS_PAGE, Note, OCCURRENCES, Severity, SourceId, Status};

/// A time as OnCall writes it (RFC 3339, `Z`).
pub fn time(s: Option<&str>) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s?)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The status of a group's state (the field says `firing`, filters say `new`).
pub fn status(state: &str) -> Status {
    match state.to_ascii_lowercase().as_str() {
        "acknowledged" => Status::Acked,
        "silenced" => Status::Silenced,
        "resolved" => Status::Resolved,
        _ => Status::Firing,
    }
}

/// A string at `path` in the payload (Alertmanager's webhook: `commonLabels.severity`).
fn payload_str<'a>(payload: &'a Value, paths: &[&[&str]]) -> Option<&'a str> {
    paths.iter().find_map(|path| {
        path.iter()
            .try_fold(payload, |v, k| v.get(k))
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    })
}

/// The model alert of group `g` of `source`, with its `notes`; user ids read as names
/// through `users`, its route's escalation chain named through `chains` (route id → name).
pub fn alert(
    g: &wire::AlertGroup,
    source: &SourceId,
    notes: Vec<Note>,
    (users, chains): (&HashMap<String, String>, &HashMap<String, String>),
    now: DateTime<Utc>,
) -> Alert {
    let payload = g
        .last_alert
        .as_ref()
        .map(|a| &a.payload)
        .unwrap_or(&Value::Null);
    let mut labels: Vec<(Cow<'_, str>, Cow<'_, str>)> = g
        .labels
        .iter()
        .map(|l| {
            (
                Cow::Borrowed(l.key.name.as_str()),
                Cow::Borrowed(l.value.name.as_str()),
            )
        })
        .collect();
    let has = |labels: &[(Cow<'_, str>, Cow<'_, str>)], k: &str| labels.iter().any(|(n, _)| n == k);
    for (k, v) in [("team", &g.team_id), ("integration", &g.integration_id)] {
        if let Some(v) = v.as_deref().filter(|v| !v.is_empty() && !has(&labels, k)) {
            labels.push((Cow::Borrowed(k), Cow::Borrowed(v)));
        }
    }
    let chain = g.route_id.as_ref().and_then(|r| chains.get(r));
    if let Some(chain) = chain.filter(|_| !has(&labels, super::escalation::POLICY_LABEL)) {
        labels.push((
            Cow::Borrowed(super::escalation::POLICY_LABEL),
            Cow::Borrowed(chain.as_str()),
        ));
    }
    if let Some(n) = g.alerts_count.filter(|n| *n > 1) {
        labels.push((Cow::Borrowed(OCCURRENCES), Cow::Owned(n.to_string())));
    }
    let severity_text = labels
        .iter()
        .find(|(k, _)| k == "severity")
        .map(|(_, v)| v.to_string())
        .or_else(|| {
            payload_str(
                payload,
                &[&["commonLabels", "severity"], &["labels", "severity"]],
            )
            .map(str::to_string)
        });
    let severity = severity_text
        .as_deref()
        .and_then(Severity::parse)
        .unwrap_or(Severity::Unknown);
    let mut annotations: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    let summary = payload_str(
        payload,
        &[
            &["commonAnnotations", "summary"],
            &["annotations", "summary"],
            &["message"],
        ],
    );
    if let Some(s) = summary {
        annotations.push((Cow::Borrowed("summary"), Cow::Borrowed(s)));
    }
    let mut links: Vec<(Cow<'_, str>, Cow<'_, str>)> = Vec::new();
    if let Some(url) = payload_str(
        payload,
        &[
            &["commonAnnotations", "runbook_url"],
            &["annotations", "runbook_url"],
        ],
    ) {
        links.push((Cow::Borrowed("runbook"), Cow::Borrowed(url)));
    }
    let permalinks = g.permalinks.as_ref();
    if let Some(web) = permalinks.and_then(|p| p.web.as_deref()) {
        links.push((Cow::Borrowed(ITS_PAGE), Cow::Borrowed(web)));
    }
    if let Some(slack) = permalinks.and_then(|p| p.slack.as_deref()) {
        links.push((Cow::Borrowed("slack"), Cow::Borrowed(slack)));
    }
    let status = status(&g.state);
    let acked_by = g
        .acknowledged_by
        .as_deref()
        .filter(|_| status == Status::Acked)
        .map(|id| Cow::Owned(users.get(id).cloned().unwrap_or_else(|| id.to_string())));
    let started_at = time(g.created_at.as_deref()).unwrap_or(now);
    let draft = AlertDraft {
        id: Cow::Borrowed(g.id.as_str()),
        title: Cow::Borrowed(
            g.title
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or("(untitled alert group)"),
        ),
        severity,
        status,
        labels,
        annotations,
        started_at,
        last_seen: now,
        acked_by,
        acked_at: time(g.acknowledged_at.as_deref()).filter(|_| status == Status::Acked),
        silenced_until: None,
        links,
        notes,
        fingerprint: None,
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    draft.build(source)
}

/// A resolution note as a note, its author read through `users`.
pub fn note(n: &wire::ResolutionNote, users: &HashMap<String, String>) -> Note {
    let author = match n.author.as_deref() {
        Some(id) => users.get(id).map_or(id, String::as_str),
        None => "service account",
    };
    let at = time(n.created_at.as_deref()).unwrap_or_default();
    Note::new(author, at, &n.text)
}
