//! The demo's silences, kept as an Alertmanager keeps them: `s` on an alert makes a silence
//! on its name and instance, matchers make one on whatever they catch; each is listed in the
//! silences view (4), silences the alerts it catches while in force, and can be expired.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::{Alert, Matcher, Silence, SilenceState, SourceId, Status};

/// The silences made on one demo.
#[derive(Default)]
pub struct Silences {
    made: Vec<Silence>,
}

impl Silences {
    /// Makes a silence of `matchers` from `now` for `duration`; its id.
    pub fn create(
        &mut self,
        source: &SourceId,
        matchers: Vec<Matcher>,
        (now, starts): (DateTime<Utc>, DateTime<Utc>),
        duration: std::time::Duration,
        author: &str,
        comment: &str,
    ) -> String {
        let id = format!("demo-silence-{}", self.made.len() + 1);
        let starts_at = starts.max(now);
        self.made.push(Silence {
            id: id.clone(),
            source: source.clone(),
            matchers,
            starts_at,
            ends_at: starts_at + TimeDelta::from_std(duration).unwrap_or(TimeDelta::hours(1)),
            created_by: author.to_string(),
            comment: comment.to_string(),
            state: if starts_at > now {
                SilenceState::Pending
            } else {
                SilenceState::Active
            },
        });
        id
    }

    /// What silences `alert` alone: its name and instance.
    pub fn matchers_for(alert: &Alert) -> Vec<Matcher> {
        ["alertname", "instance"]
            .into_iter()
            .filter_map(|name| Some(Matcher::equal(name, alert.labels.get(name)?)))
            .collect()
    }

    /// Ends silence `id` now; false when there is none by that id in force.
    pub fn expire(&mut self, id: &str, now: DateTime<Utc>) -> bool {
        match self.made.iter_mut().find(|s| s.id == id && s.ends_at > now) {
            Some(s) => {
                s.ends_at = now;
                true
            }
            None => false,
        }
    }

    /// Every silence as it stands at `now`, newest first.
    pub fn at(&self, now: DateTime<Utc>) -> Vec<Silence> {
        self.made
            .iter()
            .rev()
            .map(|s| {
                let mut s = s.clone();
                s.state = if s.ends_at <= now {
                    SilenceState::Expired
                } else if s.starts_at > now {
                    SilenceState::Pending
                } else {
                    SilenceState::Active
                };
                s
            })
            .collect()
    }

    /// Marks the open alerts that a silence in force catches as silenced, until the last
    /// such silence ends.
    pub fn apply(&self, alerts: &mut [Alert], now: DateTime<Utc>) {
        let in_force: Vec<&Silence> = self
            .made
            .iter()
            .filter(|s| s.starts_at <= now && s.ends_at > now)
            .collect();
        if in_force.is_empty() {
            return;
        }
        for a in alerts.iter_mut().filter(|a| a.status != Status::Resolved) {
            let until = in_force
                .iter()
                .filter(|s| s.catches(a))
                .map(|s| s.ends_at)
                .max();
            if let Some(until) = until {
                a.status = Status::Silenced;
                a.silenced_until = Some(until);
            }
        }
    }
}
