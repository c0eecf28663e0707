//! The alerting rule behind an alert, found among the rules every source reports (a
//! Prometheus's), whichever source lists the alert: what the detail pane's RULE section
//! and `onduty rule` show.

use super::App;
use crate::model::{Alert, AlertRule, RuleAlert};

/// A rule behind an alert, with the alert of the rule it is when the rule holds it now.
pub type Behind<'a> = (&'a AlertRule, Option<&'a RuleAlert>);

impl App {
    /// The rule that fires `a`: one holding an alert with `a`'s labels first (its current
    /// value is then known), else one with `a`'s name and labels.
    pub fn rule_behind(&self, a: &Alert) -> Option<Behind<'_>> {
        let mut named = None;
        for rule in self.sources.iter().flat_map(|s| s.rules.iter()) {
            if let Some(instance) = rule.instance_of(a) {
                return Some((rule, Some(instance)));
            }
            if named.is_none() && rule.is_behind(a) {
                named = Some((rule, None));
            }
        }
        named
    }

    /// Whether any source reports rules (a Prometheus is configured and answered).
    pub fn knows_rules(&self) -> bool {
        self.sources.iter().any(|s| !s.rules.is_empty())
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{RawRule, RawRuleAlert, Severity, SourceId, Status};
    use crate::sources::SourceEvent;

    #[test]
    fn an_alertmanager_alert_finds_the_rule_a_prometheus_reports_and_its_current_value() {
        let now = crate::testing::story_start();
        let mut app = crate::testing::empty_app(now);
        let am = crate::testing::labelled_alert(
            "Down",
            Severity::Critical,
            Status::Firing,
            &[("alertname", "Down"), ("job", "api"), ("cluster", "eu")],
        );
        let snapshot = crate::sources::Snapshot {
            alerts: std::sync::Arc::new(vec![am.clone()]),
            ..Default::default()
        };
        crate::testing::feed(&mut app, snapshot, now);
        let source = app.sources[0].info.id.clone();
        let raw = RawRule {
            name: "Down",
            query: "up == 0",
            health: "ok",
            alerts: vec![RawRuleAlert {
                labels: vec![("alertname", "Down"), ("job", "api")],
                status: Status::Firing,
                active_at: None,
                value: "0e+00",
            }],
            ..RawRule::default()
        };
        let rule = crate::model::AlertRule::build(raw, &SourceId("prom".into()));
        app.update(crate::app::Action::Source(SourceEvent::RulesFetched {
            source,
            rules: vec![rule].into(),
        }));
        let (rule, instance) = app.rule_behind(&am).expect("the rule behind it");
        assert_eq!(rule.query, "up == 0");
        assert_eq!(instance.map(|i| i.value.as_str()), Some("0"));
    }
}
