//! What the journal knows of an incident (or of one alert), gathered for its post-mortem:
//! the alerts (from the sources' last known pictures), everything on the timelines of the
//! incident and its alerts, who took part and in which role, and when it was detected,
//! acknowledged and resolved.

use std::collections::BTreeMap;

use chrono::{DateTime, TimeDelta, Utc};

use crate::journal::incidents::Incident;
use crate::journal::{Entry, EntryKind, Journal, JournalError};
use crate::model::{Alert, AlertKey, SourceId};

/// One alert of the incident, as last seen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AlertFacts {
    /// Its key.
    pub key: AlertKey,
    /// Its title (the key when no picture holds it any more).
    pub title: String,
    /// Its service.
    pub service: String,
    /// Its severity's name.
    pub severity: String,
    /// When it started firing.
    pub started_at: Option<DateTime<Utc>>,
    /// Its back end's own log (PagerDuty's notes and log entries).
    pub notes: Vec<crate::model::Note>,
}

/// Everything a post-mortem draft is written from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Facts {
    /// `incident:N` or the alert's key.
    pub subject: String,
    /// What happened.
    pub title: String,
    /// "SEV1" for an incident, the severity for an alert.
    pub severity: String,
    /// Where it stands ("resolved", "investigating", "firing").
    pub status: String,
    /// Its alerts.
    pub alerts: Vec<AlertFacts>,
    /// Who took part, with their roles, in order of first appearance.
    pub responders: Vec<(String, Vec<String>)>,
    /// Every timeline entry of the incident and its alerts, oldest first.
    pub timeline: Vec<Entry>,
    /// When it was first seen (the first alert fired, or the declaration).
    pub detected: Option<DateTime<Utc>>,
    /// When it was first acknowledged, and by whom.
    pub acknowledged: Option<(DateTime<Utc>, String)>,
    /// When it was resolved.
    pub resolved: Option<DateTime<Utc>>,
}

impl Facts {
    /// Time to acknowledge: detection to first acknowledgement.
    pub fn tta(&self) -> Option<TimeDelta> {
        Some(self.acknowledged.as_ref()?.0 - self.detected?)
    }

    /// Time to resolve: detection to resolution.
    pub fn ttr(&self) -> Option<TimeDelta> {
        Some(self.resolved? - self.detected?)
    }

    /// The services its alerts belong to, each once, in order.
    pub fn services(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for a in &self.alerts {
            if !a.service.is_empty() && !out.contains(&a.service.as_str()) {
                out.push(&a.service);
            }
        }
        out
    }
}

/// Gathers the facts of `subject`: `incident:N` (or `N`), or an alert key. `known` are
/// alerts the caller holds (the dashboard's), preferred to the journal's last pictures.
pub async fn gather(journal: &Journal, subject: &str, known: &[Alert]) -> Result<Facts, String> {
    let failed = |e: JournalError| e.to_string();
    let number = subject
        .strip_prefix("incident:")
        .or(Some(subject).filter(|s| s.bytes().all(|b| b.is_ascii_digit())))
        .map(|n| n.trim_start_matches('#').parse::<i64>());
    let incident = match number {
        Some(Ok(id)) => Some(
            journal
                .incident(id)
                .await
                .map_err(failed)?
                .ok_or_else(|| format!("no incident {id} in the journal"))?,
        ),
        Some(Err(_)) => return Err(format!("'{subject}' is not an incident number")),
        None => None,
    };
    let keys: Vec<AlertKey> = match &incident {
        Some(i) => i.alerts.clone(),
        None if subject.contains(':') => vec![AlertKey(subject.to_string())],
        None => {
            return Err(format!(
                "'{subject}' is neither incident:N nor an alert key"
            ));
        }
    };
    let mut subjects: Vec<String> = incident.iter().map(Incident::subject).collect();
    subjects.extend(keys.iter().map(|k| k.0.clone()));
    let mut timeline = Vec::new();
    for s in &subjects {
        timeline.extend(journal.timeline(s).await.map_err(failed)?);
    }
    let alerts = alert_facts(journal, &keys, known).await.map_err(failed)?;
    timeline.extend(back_end_log(&alerts, &timeline));
    timeline.sort_by_key(|e| (e.at, e.id));
    let is_known =
        incident.is_some() || !timeline.is_empty() || alerts.iter().any(|a| a.started_at.is_some());
    if !is_known {
        return Err(format!("the journal knows nothing of {subject}"));
    }
    Ok(assemble(subject, incident.as_ref(), alerts, timeline))
}

/// The alerts as the sources' last known pictures hold them.
async fn alert_facts(
    journal: &Journal,
    keys: &[AlertKey],
    known: &[Alert],
) -> Result<Vec<AlertFacts>, JournalError> {
    let mut sources: Vec<SourceId> = keys
        .iter()
        .filter_map(|k| k.0.split_once(':').map(|(s, _)| SourceId(s.into())))
        .collect();
    sources.sort();
    sources.dedup();
    let pictures = journal.load_snapshots(&sources).await?;
    Ok(keys
        .iter()
        .map(|key| {
            let seen = known.iter().find(|a| a.key == *key).or_else(|| {
                pictures
                    .iter()
                    .flat_map(|p| p.alerts.iter())
                    .find(|a| a.key == *key)
            });
            match seen {
                Some(a) => AlertFacts {
                    key: key.clone(),
                    title: a.title.to_string(),
                    service: a.service.to_string(),
                    severity: a.severity.name().to_string(),
                    started_at: Some(a.started_at),
                    notes: a.notes.to_vec(),
                },
                None => AlertFacts {
                    key: key.clone(),
                    title: key.0.clone(),
                    service: String::new(),
                    severity: String::new(),
                    started_at: None,
                    notes: Vec::new(),
                },
            }
        })
        .collect())
}

/// The back ends' own logs as timeline entries (id 0: they are not the journal's), less
/// the notes written from onduty that came back through the back end.
fn back_end_log(alerts: &[AlertFacts], journal: &[Entry]) -> Vec<Entry> {
    let ours = |text: &str| {
        journal
            .iter()
            .any(|e| e.kind == EntryKind::Note && e.body.trim() == text.trim())
    };
    alerts
        .iter()
        .flat_map(|a| a.notes.iter().map(move |n| (a, n)))
        .filter(|(_, n)| !ours(&n.text))
        .filter(|(a, n)| !echoes_action(&a.key.0, n, journal))
        .map(|(a, n)| Entry {
            id: 0,
            subject: a.key.0.clone(),
            at: n.at,
            author: n.author.clone(),
            kind: EntryKind::Note,
            body: n.text.clone(),
            starred: false,
            corrects: None,
        })
        .collect()
}

/// Whether back-end note `n` on `key` is the back end's own record of an action the
/// journal already has ("escalated to L2 of payments" after "escalate: done"): the same
/// responder, within minutes, saying the same verb. Listed once, from the journal.
fn echoes_action(key: &str, n: &crate::model::Note, journal: &[Entry]) -> bool {
    const SAID_AS: &[(&str, &[&str])] = &[
        ("escalate", &["escalated"]),
        ("silence", &["silenced"]),
        ("reassign", &["reassigned"]),
        ("ack", &["acknowledged", "acked"]),
        ("resolve", &["resolved"]),
    ];
    let text = n.text.trim_start().to_lowercase();
    journal.iter().any(|e| {
        let verb = e.body.split(':').next().unwrap_or("");
        let said = SAID_AS
            .iter()
            .find(|(v, _)| verb.starts_with(v))
            .is_some_and(|(_, words)| words.iter().any(|w| text.starts_with(w)));
        e.kind == EntryKind::Action
            && e.subject == key
            && e.author == n.author
            && (e.at - n.at).abs() <= chrono::TimeDelta::minutes(5)
            && said
    })
}

/// The facts from what was read (no I/O: tested on its own).
pub fn assemble(
    subject: &str,
    incident: Option<&Incident>,
    alerts: Vec<AlertFacts>,
    timeline: Vec<Entry>,
) -> Facts {
    let fired = timeline
        .iter()
        .filter(|e| e.kind == EntryKind::Observed && e.body.starts_with("fired"))
        .map(|e| e.at);
    let detected = alerts
        .iter()
        .filter_map(|a| a.started_at)
        .chain(fired)
        .chain(incident.map(|i| i.opened_at))
        .min();
    let acknowledged = timeline.iter().find_map(|e| {
        let by_us = e.kind == EntryKind::Action && e.body == "ack: done";
        let seen = e.kind == EntryKind::Observed && e.body.starts_with("acked");
        let who = match e.body.strip_prefix("acked by ") {
            Some(who) if seen => who.to_string(),
            _ => e.author.clone(),
        };
        (by_us || seen).then_some((e.at, who))
    });
    let resolved = match incident {
        Some(i) => i.resolved_at,
        None => timeline
            .iter()
            .rev()
            .find(|e| {
                (e.kind == EntryKind::Action && e.body == "resolve: done")
                    || (e.kind == EntryKind::Observed && e.body == "resolved")
            })
            .map(|e| e.at),
    };
    let (title, severity, status) = match incident {
        Some(i) => (
            i.title.clone(),
            format!("SEV{}", i.severity),
            i.status.name().to_string(),
        ),
        None => {
            let a = alerts.first();
            (
                a.map_or_else(|| subject.to_string(), |a| a.title.clone()),
                a.map(|a| a.severity.clone()).unwrap_or_default(),
                if resolved.is_some() {
                    "resolved"
                } else {
                    "firing"
                }
                .to_string(),
            )
        }
    };
    Facts {
        subject: subject.to_string(),
        title,
        severity,
        status,
        responders: responders(incident, &timeline),
        alerts,
        timeline,
        detected,
        acknowledged,
        resolved,
    }
}

/// Who took part: the incident's roles, then whoever acted or wrote, in order.
fn responders(incident: Option<&Incident>, timeline: &[Entry]) -> Vec<(String, Vec<String>)> {
    let mut order: Vec<String> = Vec::new();
    let mut roles: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |who: &str, role: &str| {
        if who.is_empty() {
            return;
        }
        if !order.iter().any(|o| o == who) {
            order.push(who.to_string());
        }
        let r = roles.entry(who.to_string()).or_default();
        if !r.iter().any(|x| x == role) {
            r.push(role.to_string());
        }
    };
    if let Some(i) = incident {
        for (who, role) in [
            (&i.commander, "incident commander"),
            (&i.scribe, "scribe"),
            (&i.comms, "comms"),
        ] {
            if let Some(who) = who {
                add(who, role);
            }
        }
    }
    for e in timeline {
        match e.kind {
            EntryKind::Action | EntryKind::Step => add(&e.author, "responder"),
            EntryKind::Note | EntryKind::Correction => add(&e.author, "notes"),
            EntryKind::Observed => {}
        }
    }
    order
        .into_iter()
        .map(|who| {
            let r = roles.remove(&who).unwrap_or_default();
            (who, r)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_escalation_is_listed_once_not_again_from_the_back_ends_log() {
        let at = chrono::Utc::now();
        let entry = |body: &str, kind: EntryKind| Entry {
            id: 7,
            subject: "demo:x".into(),
            at,
            author: "ana".into(),
            kind,
            body: body.into(),
            starred: false,
            corrects: None,
        };
        let journal = vec![entry("escalate: done", EntryKind::Action)];
        let alert = AlertFacts {
            key: AlertKey("demo:x".into()),
            title: "X".into(),
            service: String::new(),
            severity: "critical".into(),
            started_at: None,
            notes: vec![
                crate::model::Note::new("ana", at, "escalated to L2 of payments-critical"),
                crate::model::Note::new("bo", at, "escalated to L3 of payments-critical"),
                crate::model::Note::new("ana", at, "looked at the pool"),
            ],
        };
        let log: Vec<String> = back_end_log(&[alert], &journal)
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(
            log,
            ["escalated to L3 of payments-critical", "looked at the pool"],
            "ana's escalation is the journal's; bo's is another"
        );
    }
}
