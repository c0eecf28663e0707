//! When onduty notifies: the configured rules (severity threshold, sources, label matchers,
//! only while I am on call, quiet hours in a time zone) and the limits that keep a storm
//! from becoming noise (one notification per alert group a minute, the bell once in 10 s).
//! Pure: the time is handed in.

use std::collections::HashMap;

use chrono::{DateTime, NaiveTime, TimeDelta, Utc};

use crate::model::{Alert, Matcher, Severity, Status};

/// One alert group notifies at most this often.
pub const GROUP_EVERY: TimeDelta = TimeDelta::seconds(60);
/// The bell rings at most this often.
pub const BELL_EVERY: TimeDelta = TimeDelta::seconds(10);

/// Hours in which nothing notifies, in a time zone; they may wrap midnight.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QuietHours {
    /// From (inclusive).
    pub from: NaiveTime,
    /// To (exclusive).
    pub to: NaiveTime,
    /// Whose clock.
    pub zone: chrono_tz::Tz,
}

impl QuietHours {
    /// Parses `22:00-07:00`.
    pub fn parse(text: &str, zone: chrono_tz::Tz) -> Result<QuietHours, String> {
        const FORM: &str = "write quiet hours as HH:MM-HH:MM (22:00-07:00)";
        let (from, to) = text.split_once('-').ok_or(FORM)?;
        let time = |s: &str| {
            NaiveTime::parse_from_str(s.trim(), "%H:%M")
                .map_err(|_| format!("'{}' is not a time of day: {FORM}", s.trim()))
        };
        Ok(QuietHours {
            from: time(from)?,
            to: time(to)?,
            zone,
        })
    }

    /// Whether `at` falls in them.
    pub fn contains(&self, at: DateTime<Utc>) -> bool {
        let t = at.with_timezone(&self.zone).time();
        if self.from <= self.to {
            self.from <= t && t < self.to
        } else {
            t >= self.from || t < self.to
        }
    }
}

/// What is worth a notification.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rules {
    /// The least severe alert that notifies.
    pub severity: Severity,
    /// Only these sources (empty: all).
    pub sources: Vec<String>,
    /// Only alerts matching all of these.
    pub matchers: Vec<Matcher>,
    /// Only while I am on call.
    pub is_on_call_only: bool,
    /// Nothing during these.
    pub quiet: Option<QuietHours>,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            severity: Severity::Critical,
            sources: Vec::new(),
            matchers: Vec::new(),
            is_on_call_only: false,
            quiet: None,
        }
    }
}

impl Rules {
    /// Whether a newly seen `alert` notifies at `now` (`is_on_call`: whether I am).
    pub fn wants(&self, alert: &Alert, now: DateTime<Utc>, is_on_call: bool) -> bool {
        // Acked, silenced and resolved alerts are someone's already.
        alert.status == Status::Firing
            && alert.severity.at_least(self.severity)
            && (self.sources.is_empty() || self.sources.iter().any(|s| *s == *alert.source.0))
            && self.matchers.iter().all(|m| m.matches(alert))
            && (!self.is_on_call_only || is_on_call)
            && !self.is_quiet(now)
    }

    /// Whether `now` is in the quiet hours.
    pub fn is_quiet(&self, now: DateTime<Utc>) -> bool {
        self.quiet.as_ref().is_some_and(|q| q.contains(now))
    }
}

/// The group an alert notifies as: its name and service (one storm, one notification).
pub fn group_of(alert: &Alert) -> String {
    let name = alert.field("alertname").unwrap_or(&alert.title);
    format!("{name}/{}", alert.service)
}

/// What was notified lately.
#[derive(Clone, Debug, Default)]
pub struct Limiter {
    last_by_group: HashMap<String, DateTime<Utc>>,
    last_bell: Option<DateTime<Utc>>,
}

impl Limiter {
    /// Whether `group` may notify at `now` (and, if so, it counts as notified).
    pub fn admit(&mut self, group: &str, now: DateTime<Utc>) -> bool {
        if self
            .last_by_group
            .get(group)
            .is_some_and(|at| now - *at < GROUP_EVERY)
        {
            return false;
        }
        self.last_by_group.insert(group.to_string(), now);
        // Old groups are forgotten: a long run does not grow the map.
        self.last_by_group.retain(|_, at| now - *at < GROUP_EVERY);
        true
    }

    /// Whether the bell may ring at `now` (and, if so, it counts as rung).
    pub fn ring(&mut self, now: DateTime<Utc>) -> bool {
        if self.last_bell.is_some_and(|at| now - at < BELL_EVERY) {
            return false;
        }
        self.last_bell = Some(now);
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Status;
    use crate::testing::{labelled_alert, story_start};

    fn alert(sev: Severity, status: Status) -> Alert {
        labelled_alert(
            "CheckoutErrors",
            sev,
            status,
            &[("alertname", "CheckoutErrors"), ("team", "payments")],
        )
    }

    #[test]
    fn severity_status_sources_and_matchers_decide() {
        let now = story_start();
        let rules = Rules::default();
        assert!(rules.wants(&alert(Severity::Critical, Status::Firing), now, false));
        assert!(!rules.wants(&alert(Severity::Warning, Status::Firing), now, false));
        for status in [Status::Acked, Status::Silenced, Status::Resolved] {
            assert!(
                !rules.wants(&alert(Severity::Critical, status), now, false),
                "{status:?}"
            );
        }
        let warn = Rules {
            severity: Severity::Warning,
            ..Rules::default()
        };
        assert!(warn.wants(&alert(Severity::Warning, Status::Firing), now, false));
        let other = Rules {
            sources: vec!["other".into()],
            ..Rules::default()
        };
        assert!(!other.wants(&alert(Severity::Critical, Status::Firing), now, false));
        let db = Rules {
            matchers: vec![Matcher::parse("team=\"db\"").unwrap()],
            ..Rules::default()
        };
        assert!(!db.wants(&alert(Severity::Critical, Status::Firing), now, false));
        let mine = Rules {
            is_on_call_only: true,
            ..Rules::default()
        };
        assert!(!mine.wants(&alert(Severity::Critical, Status::Firing), now, false));
        assert!(mine.wants(&alert(Severity::Critical, Status::Firing), now, true));
    }

    #[test]
    fn quiet_hours_wrap_midnight_in_their_own_zone() {
        let q = QuietHours::parse("22:00-07:00", chrono_tz::Europe::Berlin).unwrap();
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        // 21:30 UTC in March is 22:30 in Berlin: quiet; 06:30 UTC is 07:30 there: not.
        assert!(q.contains(at("2026-03-04T21:30:00Z")));
        assert!(q.contains(at("2026-03-04T05:59:00Z")));
        assert!(!q.contains(at("2026-03-04T06:30:00Z")));
        assert!(!q.contains(at("2026-03-04T20:30:00Z")));
        let day = QuietHours::parse("12:00-13:00", chrono_tz::UTC).unwrap();
        assert!(
            day.contains(at("2026-03-04T12:30:00Z")) && !day.contains(at("2026-03-04T13:00:00Z"))
        );
        assert!(QuietHours::parse("22-07", chrono_tz::UTC).is_err());
        assert!(QuietHours::parse("25:00-07:00", chrono_tz::UTC).is_err());
    }

    #[test]
    fn a_group_notifies_once_a_minute_and_the_bell_once_in_ten_seconds() {
        let mut l = Limiter::default();
        let t0 = story_start();
        assert!(l.admit("CheckoutErrors/checkout", t0));
        assert!(!l.admit("CheckoutErrors/checkout", t0 + TimeDelta::seconds(59)));
        assert!(
            l.admit("DiskFull/db", t0 + TimeDelta::seconds(1)),
            "another group"
        );
        assert!(l.admit("CheckoutErrors/checkout", t0 + TimeDelta::seconds(60)));
        assert!(l.ring(t0));
        assert!(!l.ring(t0 + TimeDelta::seconds(9)));
        assert!(l.ring(t0 + TimeDelta::seconds(10)));
        assert_eq!(
            group_of(&alert(Severity::Critical, Status::Firing)),
            "CheckoutErrors/"
        );
    }
}
