//! Prometheus rules into model values: every alerting rule as an `AlertRule`, and the
//! alerts the rules hold as pending alerts (and, when asked, firing ones), identified by
//! the fingerprint Alertmanager gives the same labels.

use std::borrow::Cow;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};

use super::wire;
use crate::model::{
    Alert, AlertDraft, AlertRule, FIRES_AT, RawRule, RawRuleAlert, SourceId, Status,
};
use crate::sources::alertmanager::SeverityRule;

/// Most rules kept from one answer; past it the rest are counted as invalid.
pub const MAX_RULES: usize = 20_000;

/// What mapping needs besides the answer.
pub struct Context<'c> {
    /// The source's name.
    pub source: &'c SourceId,
    /// How severities are read.
    pub severity: &'c SeverityRule,
    /// Whether firing alerts are listed too.
    pub firing: bool,
    /// Where graph links point (`external_url`, else `url`), without a trailing slash.
    pub graph_base: &'c str,
    /// Now, for alerts without times.
    pub now: DateTime<Utc>,
}

/// The alerts and rules of an answer.
#[derive(Debug, Default)]
pub struct Mapped {
    /// Pending alerts (and firing ones, when asked).
    pub alerts: Vec<Alert>,
    /// Every alerting rule.
    pub rules: Vec<AlertRule>,
    /// Rules past `MAX_RULES`, and alerts without labels: not kept.
    pub invalid: usize,
}

/// Maps the rule groups of one or more pages.
pub fn map(groups: &[wire::Group], cx: &Context<'_>) -> Mapped {
    let mut out = Mapped::default();
    for group in groups {
        for rule in group.rules.iter().filter(|r| r.kind == "alerting") {
            if out.rules.len() >= MAX_RULES {
                out.invalid += 1;
                continue;
            }
            let hold = seconds(rule.duration);
            for a in &rule.alerts {
                let status = match a.state.as_str() {
                    "pending" => Status::Pending,
                    "firing" if cx.firing => Status::Firing,
                    _ => continue,
                };
                if a.labels.is_empty() {
                    out.invalid += 1;
                    continue;
                }
                out.alerts.push(alert(a, status, hold, &rule.query, cx));
            }
            out.rules
                .push(AlertRule::build(raw_rule(group, rule, cx), cx.source));
        }
    }
    out
}

fn raw_rule<'a>(group: &'a wire::Group, rule: &'a wire::Rule, cx: &Context<'_>) -> RawRule<'a> {
    RawRule {
        name: &rule.name,
        query: &rule.query,
        hold: seconds(rule.duration),
        keep_firing_for: seconds(rule.keep_firing_for),
        labels: pairs(&rule.labels),
        health: &rule.health,
        last_error: &rule.last_error,
        group: &group.name,
        file: &group.file,
        graph_url: Some(graph_url(cx.graph_base, &rule.query)),
        last_evaluation: rule.last_evaluation.as_deref().and_then(time),
        alerts: rule
            .alerts
            .iter()
            .map(|a| RawRuleAlert {
                labels: pairs(&a.labels),
                status: if a.state == "firing" {
                    Status::Firing
                } else {
                    Status::Pending
                },
                active_at: a.active_at.as_deref().and_then(time),
                value: &a.value,
            })
            .collect(),
    }
}

fn alert(a: &wire::Alert, status: Status, hold: Duration, query: &str, cx: &Context<'_>) -> Alert {
    let active_at = a.active_at.as_deref().and_then(time).unwrap_or(cx.now);
    let mut annotations: Vec<(Cow<'_, str>, Cow<'_, str>)> = a
        .annotations
        .iter()
        .filter(|(k, _)| k.as_str() != FIRES_AT)
        .map(|(k, v)| (Cow::Borrowed(k.as_str()), Cow::Borrowed(v.as_str())))
        .collect();
    if status == Status::Pending {
        let fires = active_at + TimeDelta::from_std(hold).unwrap_or_default();
        annotations.push((Cow::Borrowed(FIRES_AT), Cow::Owned(fires.to_rfc3339())));
    }
    let mut links = Vec::new();
    if let Some(url) = a
        .annotations
        .get("runbook_url")
        .or(a.annotations.get("runbook"))
    {
        links.push((Cow::Borrowed("runbook"), Cow::Borrowed(url.as_str())));
    }
    links.push((
        Cow::Borrowed("graph"),
        Cow::Owned(graph_url(cx.graph_base, query)),
    ));
    let fingerprint = format!("{:016x}", fingerprint(&a.labels));
    let title = a
        .labels
        .get("alertname")
        .map_or("(no alertname)", String::as_str);
    let draft = AlertDraft {
        id: Cow::Owned(fingerprint.clone()),
        title: Cow::Borrowed(title),
        severity: cx
            .severity
            .of_value(a.labels.get(&cx.severity.label).map(String::as_str)),
        status,
        labels: pairs(&a.labels)
            .into_iter()
            .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
            .collect(),
        annotations,
        started_at: active_at,
        last_seen: cx.now,
        acked_by: None,
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: Some(Cow::Owned(fingerprint)),
        suppressed_by: Vec::new(),
        receivers: Vec::new(),
        escalation: None,
    };
    draft.build(cx.source)
}

fn pairs(map: &std::collections::BTreeMap<String, String>) -> Vec<(&str, &str)> {
    map.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect()
}

/// Seconds as the API writes them (a float; nonsense is none).
fn seconds(s: f64) -> Duration {
    Duration::try_from_secs_f64(s).unwrap_or_default()
}

/// A time as Prometheus writes it (RFC 3339, up to nine fractional digits).
fn time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// The server's graph page of `query`.
pub fn graph_url(base: &str, query: &str) -> String {
    format!(
        "{base}/graph?g0.expr={}&g0.tab=0",
        crate::sources::http::path_segment(query)
    )
}

/// The fingerprint Alertmanager (prometheus/common's `LabelSet.Fingerprint`) gives these
/// labels: FNV-1a 64 over each name and value in name order, each followed by 0xff. The
/// same alert from Prometheus and from an Alertmanager it was sent to is then one row.
pub fn fingerprint(labels: &std::collections::BTreeMap<String, String>) -> u64 {
    const OFFSET: u64 = 14_695_981_039_346_656_037;
    const PRIME: u64 = 1_099_511_628_211;
    const SEPARATOR: u8 = 0xff;
    let add = |mut h: u64, bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(PRIME);
        }
        h
    };
    if labels.is_empty() {
        return add(OFFSET, &[]);
    }
    labels.iter().fold(OFFSET, |h, (k, v)| {
        let h = add(add(h, k.as_bytes()), &[SEPARATOR]);
        add(add(h, v.as_bytes()), &[SEPARATOR])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer() -> Vec<wire::Group> {
        let json = r#"{"status":"success","data":{"groups":[{"name":"api","file":"/r.yml","rules":[
          {"type":"alerting","name":"Slow","query":"up == 0","duration":600,"labels":{"severity":"warning"},
           "health":"ok","lastEvaluation":"2026-12-05T10:00:00.123456789Z","alerts":[
             {"labels":{"alertname":"Slow","job":"api","severity":"warning"},"annotations":{"summary":"slow\u001b[31m"},
              "state":"pending","activeAt":"2026-12-05T10:00:00Z","value":"1e+00"},
             {"labels":{"alertname":"Slow","job":"db","severity":"warning"},"annotations":{},
              "state":"firing","activeAt":"2026-12-05T09:00:00Z","value":"2e+00"}]},
          {"type":"recording","name":"job:up","query":"sum(up)","health":"ok"},
          {"type":"alerting","name":"Broken","query":"sum(","health":"err","lastError":"parse error"}]}]}}"#;
        let e: wire::Envelope<wire::RulesData> = serde_json::from_str(json).unwrap();
        e.data.unwrap().groups
    }

    fn cx<'c>(source: &'c SourceId, rule: &'c SeverityRule, firing: bool) -> Context<'c> {
        Context {
            source,
            severity: rule,
            firing,
            graph_base: "http://prom:9090",
            now: "2026-12-05T10:01:00Z".parse().unwrap(),
        }
    }

    #[test]
    fn pending_alerts_are_listed_with_when_they_fire_and_firing_ones_only_when_asked() {
        let (source, rule) = (
            SourceId("prom".into()),
            SeverityRule::new(None, &Default::default()),
        );
        let m = map(&answer(), &cx(&source, &rule, false));
        assert_eq!(m.alerts.len(), 1, "{:?}", m.alerts);
        let a = &m.alerts[0];
        assert_eq!((a.status, &*a.title), (Status::Pending, "Slow"));
        assert_eq!(
            a.annotations.get(FIRES_AT),
            Some("2026-12-05T10:10:00+00:00")
        );
        assert!(!a.annotations.get("summary").unwrap().contains('\u{1b}'));
        assert_eq!(m.rules.len(), 2, "recording rules are left out");
        assert!(!m.rules[1].is_healthy());
        assert_eq!(m.rules[1].last_error.as_deref(), Some("parse error"));
        let both = map(&answer(), &cx(&source, &rule, true));
        assert_eq!(both.alerts.len(), 2);
        assert_eq!(both.alerts[1].status, Status::Firing);
    }

    #[test]
    fn the_fingerprint_is_the_one_alertmanager_gives_the_same_labels() {
        // prometheus/common: the empty set's fingerprint is the FNV-1a offset basis. (The
        // real Alertmanager's own fingerprints are compared in tests/real_prometheus.rs.)
        assert_eq!(fingerprint(&Default::default()), 14_695_981_039_346_656_037);
        // What a real Alertmanager 0.25 called the alert of tests/real_prometheus.rs.
        let fires: std::collections::BTreeMap<String, String> =
            [("alertname", "FiresAtOnce"), ("severity", "critical")]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
        assert_eq!(format!("{:016x}", fingerprint(&fires)), "06a48c73cce66f87");
        let ab = [("a".to_string(), "b".to_string())].into_iter().collect();
        let a_b = [("ab".to_string(), String::new())].into_iter().collect();
        assert_ne!(
            fingerprint(&ab),
            fingerprint(&a_b),
            "the separator keeps name and value apart"
        );
    }
}
