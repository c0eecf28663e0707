//! A Prometheus alerting rule as its server reports it — expression, `for`, labels, health
//! and last error, group and file, the alerts it holds now — and which alert it is behind.
//! Every string is sanitized when the rule is built (`AlertRule::build`).

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Alert, Labels, SourceId, Status, sanitize};

/// An expression is kept up to this many characters.
const QUERY_CAP: usize = 16 * 1024;

/// One alerting rule.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct AlertRule {
    /// The source (a Prometheus) that evaluates it.
    pub source: SourceId,
    /// Its name: the `alertname` of the alerts it fires.
    pub name: String,
    /// Its PromQL expression.
    pub query: String,
    /// Its `for`: how long the condition must hold before the alert fires.
    pub hold: Duration,
    /// Its `keep_firing_for`: how long the alert keeps firing after the condition stops.
    pub keep_firing_for: Duration,
    /// The labels it adds to its alerts (may hold templates).
    pub labels: Labels,
    /// `ok`, `err` or `unknown`.
    pub health: String,
    /// Why its last evaluation failed.
    pub last_error: Option<String>,
    /// Its rule group.
    pub group: String,
    /// The file its group was read from.
    pub file: String,
    /// The server's graph of its expression.
    pub graph_url: Option<String>,
    /// When it was last evaluated.
    pub last_evaluation: Option<DateTime<Utc>>,
    /// The alerts it holds now, pending or firing.
    pub alerts: Vec<RuleAlert>,
}

/// An alert a rule holds now.
#[derive(Clone, Debug, PartialEq, Serialize, serde::Deserialize)]
pub struct RuleAlert {
    /// Its labels.
    pub labels: Labels,
    /// Pending or firing.
    pub status: Status,
    /// Since when its condition holds.
    pub active_at: Option<DateTime<Utc>>,
    /// The expression's value for it at the last evaluation.
    pub value: String,
}

/// A rule as a back end read it, strings raw.
#[derive(Clone, Debug, Default)]
pub struct RawRule<'a> {
    /// Name.
    pub name: &'a str,
    /// Expression.
    pub query: &'a str,
    /// `for`.
    pub hold: Duration,
    /// `keep_firing_for`.
    pub keep_firing_for: Duration,
    /// Labels.
    pub labels: Vec<(&'a str, &'a str)>,
    /// Health.
    pub health: &'a str,
    /// Last error (empty: none).
    pub last_error: &'a str,
    /// Group.
    pub group: &'a str,
    /// File.
    pub file: &'a str,
    /// Graph link.
    pub graph_url: Option<String>,
    /// Last evaluation.
    pub last_evaluation: Option<DateTime<Utc>>,
    /// Its alerts: labels, pending or firing, active since, value.
    pub alerts: Vec<RawRuleAlert<'a>>,
}

/// An alert of a rule as a back end read it.
#[derive(Clone, Debug)]
pub struct RawRuleAlert<'a> {
    /// Labels.
    pub labels: Vec<(&'a str, &'a str)>,
    /// Pending or firing.
    pub status: Status,
    /// Active since.
    pub active_at: Option<DateTime<Utc>>,
    /// Value, as the server wrote it (`1e+00`).
    pub value: &'a str,
}

fn line(s: &str) -> String {
    sanitize::line(s, sanitize::LABEL_CAP)
}

fn labels(pairs: &[(&str, &str)]) -> Labels {
    Labels::from_pairs(
        pairs
            .iter()
            .map(|(k, v)| (Arc::from(line(k)), Arc::from(line(v))))
            .collect(),
    )
}

/// A value as people read it: `1e+00` is 1, `9.53e-01` is 0.953; anything else as sent.
fn readable(value: &str) -> String {
    match value.parse::<f64>() {
        Ok(v) if v.is_finite() => {
            let rounded = (v * 1e6).round() / 1e6;
            format!("{rounded}")
        }
        _ => line(value),
    }
}

impl AlertRule {
    /// The rule `raw` describes, read from `source`, every string sanitized.
    pub fn build(raw: RawRule<'_>, source: &SourceId) -> AlertRule {
        AlertRule {
            source: source.clone(),
            name: line(raw.name),
            query: sanitize::text(raw.query.trim(), QUERY_CAP),
            hold: raw.hold,
            keep_firing_for: raw.keep_firing_for,
            labels: labels(&raw.labels),
            health: line(raw.health),
            last_error: Some(raw.last_error)
                .filter(|e| !e.trim().is_empty())
                .map(|e| sanitize::line(e, sanitize::TITLE_CAP)),
            group: line(raw.group),
            file: line(raw.file),
            graph_url: raw.graph_url.map(|u| line(&u)),
            last_evaluation: raw.last_evaluation,
            alerts: raw
                .alerts
                .into_iter()
                .map(|a| RuleAlert {
                    labels: labels(&a.labels),
                    status: a.status,
                    active_at: a.active_at,
                    value: readable(a.value),
                })
                .collect(),
        }
    }

    /// Whether its last evaluation went well: a broken rule is an alert nobody will get.
    pub fn is_healthy(&self) -> bool {
        self.health == "ok"
    }

    /// The alert of this rule that `alert` is: one whose labels `alert` all carries (an
    /// Alertmanager adds the server's external labels, so it may carry more).
    pub fn instance_of(&self, alert: &Alert) -> Option<&RuleAlert> {
        if alert.labels.get("alertname") != Some(self.name.as_str()) {
            return None;
        }
        self.alerts
            .iter()
            .find(|r| r.labels.iter().all(|(k, v)| alert.labels.get(k) == Some(v)))
    }

    /// Whether this rule fires `alert`: the same alert name and its labels (a templated
    /// label's value cannot be compared, and is not).
    pub fn is_behind(&self, alert: &Alert) -> bool {
        alert.labels.get("alertname") == Some(self.name.as_str())
            && self
                .labels
                .iter()
                .all(|(k, v)| v.contains("{{") || alert.labels.get(k) == Some(v))
    }

    /// What the detail pane and `onduty rule` say of it, name and value, for the alert
    /// `instance` of it (when known) at `now`. The expression comes whole (it may span
    /// lines).
    pub fn facts(
        &self,
        instance: Option<&RuleAlert>,
        now: DateTime<Utc>,
    ) -> Vec<(&'static str, String)> {
        use crate::duration_fmt::{age, short};
        let mut out = vec![
            ("rule", self.name.clone()),
            ("expr", self.query.clone()),
            ("for", short(self.hold)),
        ];
        if !self.keep_firing_for.is_zero() {
            out.push(("keep firing", short(self.keep_firing_for)));
        }
        if !self.labels.is_empty() {
            let pairs: Vec<String> = self
                .labels
                .iter()
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            out.push(("labels", pairs.join(" ")));
        }
        if let Some(i) = instance {
            out.push(("value", i.value.clone()));
            let since = i
                .active_at
                .map(|at| format!(" for {}", age(now - at)))
                .unwrap_or_default();
            out.push(("state", format!("{}{since}", i.status.name())));
        }
        let evaluated = self
            .last_evaluation
            .filter(|at| at.timestamp() > 0)
            .map(|at| format!(" (evaluated {} ago)", age(now - at)))
            .unwrap_or_default();
        out.push(("health", format!("{}{evaluated}", self.health)));
        if let Some(e) = &self.last_error {
            out.push(("last error", e.clone()));
        }
        out.push(("group", format!("{} · {}", self.group, self.file)));
        if let Some(url) = &self.graph_url {
            out.push(("graph", url.clone()));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Severity;

    fn rule() -> AlertRule {
        let raw = RawRule {
            name: "HighLatency",
            query: "histogram_quantile(0.9, rate(x[5m]))\n  > 0.5\u{1b}[2J",
            hold: Duration::from_secs(600),
            labels: vec![("severity", "page"), ("team", "{{ $labels.team }}")],
            health: "ok",
            group: "api",
            file: "/etc/prometheus/api.yml",
            alerts: vec![RawRuleAlert {
                labels: vec![
                    ("alertname", "HighLatency"),
                    ("job", "api"),
                    ("severity", "page"),
                ],
                status: Status::Firing,
                active_at: None,
                value: "9.53e-01",
            }],
            ..RawRule::default()
        };
        AlertRule::build(raw, &SourceId("prom".into()))
    }

    fn alert(labels: &[(&str, &str)]) -> Alert {
        crate::testing::labelled_alert("HighLatency", Severity::Error, Status::Firing, labels)
    }

    #[test]
    fn a_rule_is_behind_the_alerts_with_its_name_and_labels_and_knows_which_one() {
        let r = rule();
        let am = alert(&[
            ("alertname", "HighLatency"),
            ("job", "api"),
            ("severity", "page"),
            ("cluster", "eu1"),
        ]);
        assert!(
            r.is_behind(&am),
            "external labels added by the server do not matter"
        );
        assert_eq!(r.instance_of(&am).map(|i| i.value.as_str()), Some("0.953"));
        let other_job = alert(&[
            ("alertname", "HighLatency"),
            ("job", "db"),
            ("severity", "page"),
        ]);
        assert!(r.is_behind(&other_job) && r.instance_of(&other_job).is_none());
        let other_sev = alert(&[("alertname", "HighLatency"), ("severity", "ticket")]);
        assert!(!r.is_behind(&other_sev));
        let other_name = alert(&[("alertname", "LowLatency"), ("severity", "page")]);
        assert!(!r.is_behind(&other_name));
    }

    #[test]
    fn its_text_is_sanitized_and_its_facts_say_what_an_engineer_asks() {
        let r = rule();
        assert!(!r.query.contains('\u{1b}'), "{:?}", r.query);
        assert!(r.query.contains('\n'), "the expression keeps its lines");
        let facts = r.facts(r.alerts.first(), Utc::now());
        let get = |name: &str| {
            facts
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.as_str())
        };
        assert_eq!(get("for"), Some("10m"));
        assert_eq!(get("value"), Some("0.953"));
        assert_eq!(get("group"), Some("api · /etc/prometheus/api.yml"));
        assert!(get("last error").is_none() && get("keep firing").is_none());
    }
}
