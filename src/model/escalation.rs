//! Escalation policies and who is on call at each level: enough for the detail pane's
//! "L2 dana in 08:12", the `:oncall` view and `onduty oncall`.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::{Alert, Escalation, Matcher, sanitize};

/// Who is on call at one level of a policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct OnCall {
    /// The person (or schedule) on call now.
    pub who: String,
    /// Since when, if the rotation says.
    pub from: Option<DateTime<Utc>>,
    /// Until when, if the rotation says.
    pub until: Option<DateTime<Utc>>,
    /// Who takes over after `until`.
    pub next: Option<String>,
    /// The schedule or rotation that puts them there, if any.
    pub via: Option<String>,
}

impl OnCall {
    /// Builds an entry from outside text.
    pub fn new(who: &str, until: Option<DateTime<Utc>>, next: Option<&str>) -> OnCall {
        OnCall {
            who: sanitize::line(who, sanitize::LABEL_CAP),
            from: None,
            until,
            next: next.map(|n| sanitize::line(n, sanitize::LABEL_CAP)),
            via: None,
        }
    }

    /// The same entry, on call since `from`, put there by `via`.
    pub fn with_shift(mut self, from: Option<DateTime<Utc>>, via: Option<&str>) -> OnCall {
        self.from = from;
        self.via = via.map(|v| sanitize::line(v, sanitize::LABEL_CAP));
        self
    }
}

/// A schedule (a PagerDuty schedule, a local rotation) and who is on it now, until when,
/// and who is next: gathered from the policies' levels that page through it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Schedule {
    /// Its name.
    pub name: String,
    /// Who is on it now.
    pub on_call: OnCall,
    /// The policies and levels that page through it ("payments-critical L1").
    pub used_by: Vec<String>,
}

impl Schedule {
    /// Every schedule the `policies` page through, once each, by name.
    pub fn gather<'a>(policies: impl Iterator<Item = &'a EscalationPolicy>) -> Vec<Schedule> {
        let mut out: Vec<Schedule> = Vec::new();
        for p in policies {
            for (i, level) in p.levels.iter().enumerate() {
                for on in &level.on_call {
                    let Some(name) = &on.via else { continue };
                    let used = format!("{} L{}", p.name, i + 1);
                    match out.iter_mut().find(|s| &s.name == name) {
                        Some(s) if !s.used_by.contains(&used) => s.used_by.push(used),
                        Some(_) => {}
                        None => out.push(Schedule {
                            name: name.clone(),
                            on_call: on.clone(),
                            used_by: vec![used],
                        }),
                    }
                }
            }
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        out
    }
}

/// One level of an escalation policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EscalationLevel {
    /// How long after the alert fired, unacknowledged, this level is paged.
    pub after: TimeDelta,
    /// Who is paged at this level.
    pub on_call: Vec<OnCall>,
}

/// An escalation policy: the levels paged in turn while an alert stays unacknowledged.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct EscalationPolicy {
    /// Its id at the back end (its name for local policies).
    pub id: String,
    /// Its name.
    pub name: String,
    /// The services whose alerts it covers; empty (and no matchers) covers every alert of
    /// its source.
    pub services: Vec<String>,
    /// Alerts whose labels match all of these are covered too (local policies).
    #[serde(skip)]
    pub matchers: Vec<Matcher>,
    /// Levels, first paged first.
    pub levels: Vec<EscalationLevel>,
    /// How many times the levels are paged again after the last one.
    pub repeats: u32,
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
    /// A policy named `name` (also its id) covering `services`.
    pub fn named(name: &str, services: Vec<String>, levels: Vec<EscalationLevel>) -> Self {
        EscalationPolicy {
            id: name.into(),
            name: name.into(),
            services,
            matchers: Vec::new(),
            levels,
            repeats: 0,
        }
    }

    /// The level (0 for the first) an escalation pages: `requested` (1 for the first; past
    /// the last, the last), else the one after `current`. None when `current` is the last.
    pub fn level_to_page(&self, current: usize, requested: Option<u32>) -> Option<usize> {
        let last = self.levels.len().saturating_sub(1);
        match requested {
            Some(l) => Some((l as usize).saturating_sub(1).min(last)),
            None if current >= last => None,
            None => Some(current + 1),
        }
    }

    /// What it covers, in words: "payments, team=\"pay\" · repeats 2×", or "everything".
    pub fn coverage(&self) -> String {
        let mut covers: Vec<String> = self.services.clone();
        covers.extend(self.matchers.iter().map(ToString::to_string));
        let mut words = if covers.is_empty() {
            "everything".to_string()
        } else {
            covers.join(", ")
        };
        if self.repeats > 0 {
            words.push_str(&format!(" · repeats {}×", self.repeats));
        }
        words
    }

    /// Whether this policy covers `alert`: the one its back end names, else by service or
    /// label matchers.
    pub fn covers(&self, alert: &Alert) -> bool {
        if let Some(e) = &alert.escalation {
            return *e.policy == *self.name;
        }
        // An alert that names its policy (PagerDuty's incidents do; a label can) has that one.
        if let Some(named) = alert.labels.get("escalation_policy") {
            return named == self.name;
        }
        if self.services.is_empty() && self.matchers.is_empty() {
            return true;
        }
        self.services.iter().any(|s| **s == *alert.service)
            || (!self.matchers.is_empty() && self.matchers.iter().all(|m| m.matches(alert)))
    }

    /// Where `alert` (unacknowledged at `now`) stands: from the level its back end reports,
    /// else counted from when it fired.
    pub fn state_of(&self, alert: &Alert, now: DateTime<Utc>) -> Option<EscalationState<'_>> {
        self.state_from(alert.escalation.as_deref(), alert, now)
    }

    /// Like `state_of`, from `escalation` (the level reached and since when) when known.
    pub fn state_from(
        &self,
        escalation: Option<&Escalation>,
        alert: &Alert,
        now: DateTime<Utc>,
    ) -> Option<EscalationState<'_>> {
        match escalation {
            Some(e) => {
                let reached = self.levels.get(e.level).map(|l| l.after)?;
                self.state_at(e.since - reached, now)
            }
            None => self.state_at(alert.started_at, now),
        }
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
        EscalationPolicy::named(
            "payments",
            vec!["payments".into()],
            vec![
                EscalationLevel {
                    after: TimeDelta::zero(),
                    on_call: vec![OnCall::new("ana", None, None)],
                },
                EscalationLevel {
                    after: TimeDelta::minutes(10),
                    on_call: vec![OnCall::new("dana", None, None)],
                },
            ],
        )
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
        let mut a = crate::testing::labelled_alert(
            "x",
            crate::model::Severity::Critical,
            crate::model::Status::Firing,
            &[("service", "payments")],
        );
        assert!(p.covers(&a));
        a.service = "db".into();
        assert!(!p.covers(&a));
        a.escalation = Some(Box::new(Escalation::new("payments", 1, fired)));
        assert!(p.covers(&a), "the policy the back end names wins");
    }

    #[test]
    fn schedules_are_gathered_once_with_every_level_that_pages_through_them() {
        let on = |who: &str, via: Option<&str>| OnCall::new(who, None, None).with_shift(None, via);
        let level = |on_call| EscalationLevel {
            after: TimeDelta::zero(),
            on_call,
        };
        let a = EscalationPolicy::named(
            "a",
            vec![],
            vec![
                level(vec![on("ana", Some("primary"))]),
                level(vec![on("dana", None)]),
            ],
        );
        let b = EscalationPolicy::named("b", vec![], vec![level(vec![on("ana", Some("primary"))])]);
        let s = Schedule::gather([&a, &b].into_iter());
        assert_eq!(s.len(), 1, "dana is targeted directly: no schedule");
        assert_eq!(
            (s[0].name.as_str(), s[0].on_call.who.as_str()),
            ("primary", "ana")
        );
        assert_eq!(s[0].used_by, ["a L1", "b L1"]);
    }

    #[test]
    fn an_alert_that_names_its_policy_is_covered_by_that_one_only() {
        let labelled = |policy: &str| {
            crate::testing::labelled_alert(
                "x",
                crate::model::Severity::Critical,
                crate::model::Status::Firing,
                &[("service", "payments"), ("escalation_policy", policy)],
            )
        };
        assert!(policy().covers(&labelled("payments")));
        assert!(!policy().covers(&labelled("Another Escalation Policy")));
    }

    #[test]
    fn a_reported_level_counts_down_from_when_it_was_reached() {
        let fired = Utc.with_ymd_and_hms(2026, 3, 1, 12, 0, 0).unwrap();
        let p = EscalationPolicy::named(
            "three",
            vec![],
            (0..3)
                .map(|i| EscalationLevel {
                    after: TimeDelta::minutes(10 * i),
                    on_call: vec![],
                })
                .collect(),
        );
        let mut a = crate::testing::labelled_alert(
            "x",
            crate::model::Severity::Critical,
            crate::model::Status::Firing,
            &[],
        );
        a.started_at = fired;
        // Reassigned to level 1 (0-based) an hour after firing: 10 min to level 2 from then.
        a.escalation = Some(Box::new(Escalation::new(
            "three",
            1,
            fired + TimeDelta::hours(1),
        )));
        let s = p.state_of(&a, fired + TimeDelta::minutes(64)).unwrap();
        assert_eq!(s.current, 1);
        assert_eq!(s.next.map(|n| (n.0, n.2)), Some((2, TimeDelta::minutes(6))));
        a.escalation = None;
        assert_eq!(
            p.state_of(&a, fired + TimeDelta::minutes(64))
                .unwrap()
                .current,
            2
        );
    }
}
