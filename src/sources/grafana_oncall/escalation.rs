//! Grafana OnCall's escalation chains as onduty's escalation policies: each chain's steps
//! in order, a `wait` adding to when the next step pages, each paging step a level — its
//! people, or the schedule and who is on it now (until when, who is next, from the final
//! shifts). An alert group follows its route's chain (`escalation_policy` label).

use std::collections::HashMap;

use chrono::{DateTime, TimeDelta, Utc};

use super::map::time;
use super::wire;
use crate::model::{EscalationLevel, EscalationPolicy, Matcher, OnCall, sanitize};

/// The label naming the chain an alert group follows.
pub const POLICY_LABEL: &str = "escalation_policy";

/// A schedule with its final shifts of the coming days, as read.
pub struct ScheduleNow {
    /// The schedule.
    pub schedule: wire::Schedule,
    /// Its shifts from now on, in order.
    pub shifts: Vec<wire::Shift>,
}

/// Who is on `s` now (names), until when, and who is next.
fn on_schedule(s: &ScheduleNow, users: &HashMap<String, String>, now: DateTime<Utc>) -> OnCall {
    let name = |id: &String| users.get(id).cloned().unwrap_or_else(|| id.clone());
    let who: Vec<String> = s.schedule.on_call_now.iter().map(name).collect();
    let who = if who.is_empty() {
        "nobody".to_string()
    } else {
        who.join(", ")
    };
    let current = s.shifts.iter().find(|sh| {
        time(sh.shift_start.as_deref()).is_some_and(|a| a <= now)
            && time(sh.shift_end.as_deref()).is_some_and(|b| b > now)
    });
    let until = current.and_then(|sh| time(sh.shift_end.as_deref()));
    let next = until.and_then(|until| {
        s.shifts
            .iter()
            .find(|sh| time(sh.shift_start.as_deref()).is_some_and(|a| a >= until))
            .and_then(|sh| sh.user_username.as_deref())
    });
    let from = current.and_then(|sh| time(sh.shift_start.as_deref()));
    OnCall::new(&who, until, next).with_shift(from, Some(&s.schedule.name))
}

/// The chains as policies, named by chain.
pub fn policies(
    chains: &[wire::Chain],
    steps: &[wire::Step],
    schedules: &[ScheduleNow],
    users: &HashMap<String, String>,
    now: DateTime<Utc>,
) -> Vec<EscalationPolicy> {
    let name = |id: &String| users.get(id).cloned().unwrap_or_else(|| id.clone());
    chains
        .iter()
        .map(|chain| {
            let mut own: Vec<&wire::Step> = steps
                .iter()
                .filter(|s| s.escalation_chain_id == chain.id)
                .collect();
            own.sort_by_key(|s| s.position);
            let mut after = TimeDelta::zero();
            let mut levels = Vec::new();
            for step in own {
                let on_call: Vec<OnCall> = match step.kind.as_str() {
                    "wait" => {
                        after += TimeDelta::seconds(step.duration.unwrap_or(0).max(0));
                        continue;
                    }
                    "notify_persons" => step
                        .persons_to_notify
                        .iter()
                        .map(|u| OnCall::new(&name(u), None, None))
                        .collect(),
                    "notify_person_next_each_time" => {
                        let all: Vec<String> = step
                            .persons_to_notify_next_each_time
                            .iter()
                            .map(name)
                            .collect();
                        vec![OnCall::new(
                            &format!("one of {}", all.join(", ")),
                            None,
                            None,
                        )]
                    }
                    "notify_on_call_from_schedule" => step
                        .notify_on_call_from_schedule
                        .iter()
                        .map(|id| match schedules.iter().find(|s| &s.schedule.id == id) {
                            Some(s) => on_schedule(s, users, now),
                            None => OnCall::new(&format!("schedule {id}"), None, None),
                        })
                        .collect(),
                    "notify_user_group" => step
                        .group_to_notify
                        .iter()
                        .map(|g| OnCall::new(&format!("user group {g}"), None, None))
                        .collect(),
                    "notify_team_members" => step
                        .team_to_notify
                        .iter()
                        .map(|t| OnCall::new(&format!("team {t}"), None, None))
                        .collect(),
                    _ => continue,
                };
                if !on_call.is_empty() {
                    levels.push(EscalationLevel { after, on_call });
                }
            }
            let name = sanitize::line(&chain.name, sanitize::LABEL_CAP);
            let mut policy = EscalationPolicy::named(&name, Vec::new(), levels);
            policy.id = sanitize::line(&chain.id, sanitize::LABEL_CAP);
            // Only the groups whose route follows this chain (their `escalation_policy`).
            policy.matchers = vec![Matcher::equal(POLICY_LABEL, &name)];
            policy
        })
        .collect()
}
