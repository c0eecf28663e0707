//! Escalation policies and who is on call at each level: enough for the detail pane's
//! "L2 dana in 08:12" and the `:oncall` view.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::sanitize;

/// Who is on call at one level of a policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct OnCall {
    /// The person (or schedule) on call now.
    pub who: String,
    /// Until when, if the rotation says.
    pub until: Option<DateTime<Utc>>,
    /// Who takes over after `until`.
    pub next: Option<String>,
}

impl OnCall {
    /// Builds an entry from outside text.
    pub fn new(who: &str, until: Option<DateTime<Utc>>, next: Option<&str>) -> OnCall {
        OnCall {
            who: sanitize::line(who, sanitize::LABEL_CAP),
            until,
            next: next.map(|n| sanitize::line(n, sanitize::LABEL_CAP)),
        }
    }
}

/// One level of an escalation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EscalationLevel {
    /// How long after the alert fired, unacknowledged, this level is paged.
    pub after: TimeDelta,
    /// Who is paged at this level.
    pub on_call: Vec<OnCall>,
}

/// An escalation policy: the levels paged in turn while an alert stays unacknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct EscalationPolicy {
    /// Its name.
    pub name: String,
    /// The services whose alerts it covers; empty covers every alert of its source.
    pub services: Vec<String>,
    /// Levels, first paged first.
    pub levels: Vec<EscalationLevel>,
}

/// Where an unacknowledged alert stands on its policy at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EscalationState<'a> {
    /// The index of the level paging now.
    pub current: usize,
    /// The level paging now.
    pub level: &'a EscalationLevel,
    /// The next level and how long until it is paged.
    pub next: Option<(usize, &'a EscalationLevel, TimeDelta)>,
}

impl EscalationPolicy {
    /// Whether this policy covers alerts of `service`.
    pub fn covers(&self, service: &str) -> bool {
        self.services.is_empty() || self.services.iter().any(|s| s == service)
    }

    /// Which level pages an alert that fired at `fired` and is still unacknowledged at `now`.
    pub fn state_at(
        &self,
        fired: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Option<EscalationState<'_>> {
        let elapsed = now - fired;
        let current = self
            .levels
            .iter()
            .rposition(|l| l.after <= elapsed)
            .unwrap_or(0);
        let level = self.levels.get(current)?;
        let next = self
            .levels
            .get(current + 1)
            .map(|l| (current + 1, l, l.after - elapsed));
        Some(EscalationState {
            current,
            level,
            next,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn policy() -> EscalationPolicy {
        EscalationPolicy {
            name: "payments".into(),
            services: vec!["payments".into()],
            levels: vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![OnCall::new("ana", None, None)],
                },
                EscalationLevel {
                    after: TimeDelta::minutes(10),
                    on_call: vec![OnCall::new("dana", None, None)],
                },
            ],
        }
    }

    #[test]
    fn first_level_pages_with_a_countdown_to_the_second() {
        let fired = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let p = policy();
        let s = p.state_at(fired, fired + TimeDelta::seconds(108)).unwrap();
        assert_eq!(s.current, 0);
        let (idx, _, left) = s.next.unwrap();
        assert_eq!(idx, 1);
        assert_eq!(left, TimeDelta::seconds(492));
    }

    #[test]
    fn last_level_has_no_next() {
        let fired = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let p = policy();
        let s = p.state_at(fired, fired + TimeDelta::minutes(30)).unwrap();
        assert_eq!(s.current, 1);
        assert!(s.next.is_none());
        assert!(p.covers("payments") && !p.covers("db"));
    }
}
