//! Alertmanager wire values into model values: alerts with severity from the configured label,
//! status from silences (an onduty ack silence makes an alert Acked), and silences.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::wire::{GettableAlert, GettableSilence, WireMatcher};
use crate::model::{Alert, AlertDraft, Matcher, Severity, Silence, SilenceState, SourceId, Status};

/// How severities are read from labels.
#[derive(Clone, Debug, Default)]
pub struct SeverityRule {
    /// The label holding the severity (default `severity`).
    pub label: String,
    /// Label values mapped to severities, before the common spellings.
    pub map: BTreeMap<String, Severity>,
}

impl SeverityRule {
    fn of(&self, labels: &BTreeMap<String, String>) -> Severity {
        let Some(v) = labels.get(&self.label) else {
            return Severity::Unknown;
        };
        self.map
            .get(v)
            .copied()
            .or_else(|| Severity::parse(v))
            .unwrap_or(Severity::Unknown)
    }
}

/// The model alert of one wire alert. `silences` are the source's current silences (for who
/// acked and until when it is silenced).
pub fn alert(
    w: GettableAlert,
    source: &SourceId,
    rule: &SeverityRule,
    silences: &[Silence],
    now: DateTime<Utc>,
) -> Alert {
    let severity = rule.of(&w.labels);
    let title = w
        .labels
        .get("alertname")
        .cloned()
        .unwrap_or_else(|| "(no alertname)".into());
    let mut links = Vec::new();
    if let Some(url) = w
        .annotations
        .get("runbook_url")
        .or_else(|| w.annotations.get("runbook"))
    {
        links.push(("runbook".to_string(), url.clone()));
    }
    if let Some(url) = w.generator_url.filter(|u| !u.is_empty()) {
        links.push(("source".to_string(), url));
    }
    let started_at = w.starts_at.unwrap_or(now);
    let mut draft = AlertDraft {
        id: w.fingerprint.clone(),
        title,
        severity,
        status: Status::Firing,
        labels: w.labels.into_iter().collect(),
        annotations: w.annotations.into_iter().collect(),
        started_at,
        last_seen: w.updated_at.unwrap_or(now),
        acked_by: None,
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: Some(w.fingerprint),
        suppressed_by: Vec::new(),
        receivers: w.receivers.into_iter().map(|r| r.name).collect(),
    };
    let built = draft.clone().build(source);
    apply_suppression(
        &mut draft,
        &built,
        &w.status.silenced_by,
        &w.status.inhibited_by,
        silences,
    );
    draft.build(source)
}

/// Sets status, who acked, silenced-until and the suppression reasons.
fn apply_suppression(
    draft: &mut AlertDraft,
    alert: &Alert,
    silenced_by: &[String],
    inhibited_by: &[String],
    silences: &[Silence],
) {
    // Silences that catch the alert now, whether or not the server has marked it yet.
    let catching: Vec<&Silence> = silences
        .iter()
        .filter(|s| {
            s.state == SilenceState::Active && (silenced_by.contains(&s.id) || s.catches(alert))
        })
        .collect();
    let (acks, others): (Vec<&Silence>, Vec<&Silence>) =
        catching.into_iter().partition(|s| s.is_ack());
    for s in &others {
        draft.suppressed_by.push(format!(
            "silenced by {} ({}: {})",
            short_id(&s.id),
            s.created_by,
            s.comment
        ));
    }
    for fp in inhibited_by {
        draft.suppressed_by.push(format!("inhibited by alert {fp}"));
    }
    if let Some(ack) = acks.iter().min_by_key(|s| s.starts_at) {
        draft.status = Status::Acked;
        draft.acked_by = Some(ack.created_by.clone());
        draft.acked_at = Some(ack.starts_at);
    }
    if let Some(until) = others.iter().map(|s| s.ends_at).max() {
        draft.status = Status::Silenced;
        draft.silenced_until = Some(until);
    } else if !inhibited_by.is_empty() && draft.status == Status::Firing {
        draft.status = Status::Silenced;
    }
}

fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The model silence of one wire silence; `None` if a matcher is unusable.
pub fn silence(w: GettableSilence, source: &SourceId) -> Option<Silence> {
    let matchers = w
        .matchers
        .iter()
        .map(|m| Matcher::new(&m.name, &m.value, m.is_regex, m.is_equal))
        .collect::<Result<Vec<_>, _>>()
        .map_err(
            |e| tracing::warn!(source = %source, silence = %w.id, error = %e, "skipping a silence"),
        )
        .ok()?;
    let state = match w.status.state.as_str() {
        "active" => SilenceState::Active,
        "pending" => SilenceState::Pending,
        _ => SilenceState::Expired,
    };
    let clean = |s: &str| crate::model::sanitize::line(s, crate::model::sanitize::LABEL_CAP);
    Some(Silence {
        id: clean(&w.id),
        source: source.clone(),
        matchers,
        starts_at: w.starts_at.unwrap_or_default(),
        ends_at: w.ends_at.unwrap_or_default(),
        created_by: clean(&w.created_by),
        comment: clean(&w.comment),
        state,
    })
}

/// Wire matchers of model matchers.
pub fn wire_matchers(matchers: &[Matcher]) -> Vec<WireMatcher> {
    matchers
        .iter()
        .map(|m| WireMatcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: m.is_regex,
            is_equal: m.is_equal,
        })
        .collect()
}

/// Matchers that pin exactly `alert`: every label, equal.
pub fn pin(alert: &Alert) -> Vec<Matcher> {
    alert
        .labels
        .iter()
        .map(|(k, v)| Matcher::equal(k, v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::alertmanager::wire::{GettableAlert, GettableSilence};

    const ALERTS: &str = include_str!("../../../tests/fixtures/alertmanager/alerts.json");
    const SILENCES: &str = include_str!("../../../tests/fixtures/alertmanager/silences.json");

    fn mapped() -> Vec<Alert> {
        let source = SourceId("am".into());
        let silences: Vec<GettableSilence> = serde_json::from_str(SILENCES).unwrap();
        let silences: Vec<Silence> = silences
            .into_iter()
            .filter_map(|s| silence(s, &source))
            .collect();
        let wire: Vec<GettableAlert> = serde_json::from_str(ALERTS).unwrap();
        let rule = SeverityRule {
            label: "severity".into(),
            map: BTreeMap::new(),
        };
        let now =
            silences.iter().map(|s| s.starts_at).max().unwrap() + chrono::TimeDelta::seconds(1);
        wire.into_iter()
            .map(|a| alert(a, &source, &rule, &silences, now))
            .collect()
    }

    fn by_title<'a>(alerts: &'a [Alert], title: &str) -> &'a Alert {
        alerts.iter().find(|a| a.title == title).unwrap()
    }

    #[test]
    fn an_onduty_ack_silence_makes_the_alert_acked_by_its_author() {
        let alerts = mapped();
        let hl = by_title(&alerts, "HighLatency");
        assert_eq!(hl.status, Status::Acked);
        assert!(hl.acked_by.is_some() && hl.acked_at.is_some());
        assert!(
            hl.suppressed_by.is_empty(),
            "an ack is not listed as a silence"
        );
    }

    #[test]
    fn other_silences_make_it_silenced_until_the_latest_end() {
        let alerts = mapped();
        let disk = by_title(&alerts, "DiskFull");
        assert_eq!(disk.status, Status::Silenced);
        assert_eq!(disk.suppressed_by.len(), 2);
        assert!(disk.silenced_until.is_some());
        assert_eq!(disk.annotations["description"], "disk red", "CSI removed");
    }

    #[test]
    fn an_unsilenced_alert_fires_and_keys_by_fingerprint() {
        let alerts = mapped();
        let quiet = by_title(&alerts, "Quiet");
        assert_eq!(
            (quiet.status, quiet.severity),
            (Status::Firing, Severity::Info)
        );
        let fp = quiet.fingerprint.clone().unwrap();
        assert_eq!(quiet.key.0, format!("am:{fp}"));
    }

    #[test]
    fn unknown_fields_and_missing_ones_are_tolerated() {
        let w: Vec<GettableAlert> = serde_json::from_str(
            r#"[{"labels":{"alertname":"X"},"brandNew":1,"status":{"mutedBy":["t"]}}]"#,
        )
        .unwrap();
        assert_eq!(w[0].labels["alertname"], "X");
        assert!(w[0].starts_at.is_none());
    }
}
