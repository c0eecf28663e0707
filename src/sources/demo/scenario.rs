//! The demo's script: a payments incident that unfolds over a few minutes and repeats.
//! A pure function of (start, now), so tests can stop it at any moment.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::Severity;

/// One round of the story lasts this long, then it starts again.
pub const CYCLE: TimeDelta = TimeDelta::seconds(480);
/// A resolved alert stays listed this long.
const RESOLVED_SHOWN: TimeDelta = TimeDelta::seconds(150);

/// One alert of the script at one moment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scripted {
    /// Stable id within the demo (changes when a flapping alert fires anew).
    pub id: String,
    /// alertname.
    pub name: &'static str,
    /// The service label.
    pub service: &'static str,
    /// The team label.
    pub team: &'static str,
    /// The instance label.
    pub instance: &'static str,
    /// Severity.
    pub severity: Severity,
    /// One-line summary.
    pub summary: &'static str,
    /// Longer description.
    pub description: &'static str,
    /// When this firing started.
    pub started_at: DateTime<Utc>,
    /// When it resolved, if it has.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Acked by someone before the demo began.
    pub pre_acked_by: Option<&'static str>,
}

struct Spec {
    name: &'static str,
    service: &'static str,
    team: &'static str,
    instance: &'static str,
    severity: Severity,
    summary: &'static str,
    description: &'static str,
    /// Firing windows in seconds from the start of the cycle; negative starts began earlier.
    windows: &'static [(i64, Option<i64>)],
    pre_acked_by: Option<&'static str>,
}

const SPECS: &[Spec] = &[
    Spec {
        name: "ReplicationLag",
        service: "db",
        team: "platform",
        instance: "pg-replica-2:9187",
        severity: Severity::Warning,
        summary: "Replica pg-replica-2 is 42s behind the primary",
        description: "Streaming replication lag on pg-replica-2 has been above 30s for 10 minutes.\nReads routed to this replica may return stale data.",
        windows: &[(-7_200, None)],
        pre_acked_by: None,
    },
    Spec {
        name: "DiskSpaceLow",
        service: "infra",
        team: "platform",
        instance: "ip-10-0-3-17:9100",
        severity: Severity::Info,
        summary: "/var on ip-10-0-3-17 is 81% full",
        description: "Filesystem /var is 81% full and growing 2%/day. Expected full in 9 days.",
        windows: &[(-18_000, None)],
        pre_acked_by: None,
    },
    Spec {
        name: "IndexBacklog",
        service: "search",
        team: "discovery",
        instance: "indexer-0:8080",
        severity: Severity::Warning,
        summary: "Search indexing backlog at 18k documents",
        description: "The indexer queue has grown past 10k documents; new products take ~6 min to appear in search.",
        windows: &[(-2_400, None)],
        pre_acked_by: Some("bo"),
    },
    Spec {
        name: "HighLatency",
        service: "checkout",
        team: "web",
        instance: "checkout-7f9c:8080",
        severity: Severity::Warning,
        summary: "checkout p99 latency 1.8s (SLO 800ms)",
        description: "p99 latency of POST /checkout has been above 800ms for 5 minutes.\nMost of the time is spent waiting on payments-api.",
        windows: &[(15, Some(120)), (140, Some(170)), (185, Some(300))],
        pre_acked_by: None,
    },
    Spec {
        name: "ErrorRateHigh",
        service: "payments",
        team: "payments",
        instance: "payments-api",
        severity: Severity::Critical,
        summary: "payments-api 5xx rate 7.2% (threshold 2%)",
        description: "The share of 5xx answers from payments-api is 7.2% over 5 minutes.\nCustomers see failed card payments at checkout.",
        windows: &[(30, Some(270))],
        pre_acked_by: None,
    },
    Spec {
        name: "PaymentProviderTimeouts",
        service: "payments",
        team: "payments",
        instance: "payments-api",
        severity: Severity::Critical,
        summary: "Calls to the card provider time out (31% of requests)",
        description: "Outbound calls from payments-api to the card provider exceed the 3s timeout.\nCheck the provider status page and the connection pool.",
        windows: &[(60, Some(290))],
        pre_acked_by: None,
    },
    Spec {
        name: "ConnectionPoolExhausted",
        service: "payments-db",
        team: "payments",
        instance: "pgbouncer-1:9127",
        severity: Severity::Critical,
        summary: "pgbouncer pool for payments is exhausted (200/200)",
        description: "All 200 server connections of the payments pool are in use; clients wait in queue.\nLong transactions from the provider retries hold connections.",
        windows: &[(90, Some(240))],
        pre_acked_by: None,
    },
    Spec {
        name: "PodCrashLooping",
        service: "payments",
        team: "payments",
        instance: "payments-worker-5d8b",
        severity: Severity::Error,
        summary: "payments-worker-5d8b restarted 6 times in 10 minutes",
        description: "The worker is OOM-killed while draining the retry queue.",
        windows: &[(150, Some(330))],
        pre_acked_by: None,
    },
];

/// The alerts the script shows at `now`, for a demo that began at `start`.
pub fn alerts_at(start: DateTime<Utc>, now: DateTime<Utc>) -> Vec<Scripted> {
    let elapsed = (now - start).max(TimeDelta::zero());
    let cycles = elapsed.num_milliseconds() / CYCLE.num_milliseconds();
    let mut out = Vec::new();
    // The previous cycle's resolved alerts may still be on show at the start of this one.
    for cycle in [cycles - 1, cycles] {
        if cycle < 0 {
            continue;
        }
        let cycle_start = start + CYCLE * cycle as i32;
        for spec in SPECS {
            for (n, &(from, to)) in spec.windows.iter().enumerate() {
                if let Some(s) = scripted(spec, cycle, n, cycle_start, (from, to), now) {
                    out.push(s);
                }
            }
        }
    }
    out
}

fn scripted(
    spec: &Spec,
    cycle: i64,
    n: usize,
    cycle_start: DateTime<Utc>,
    (from, to): (i64, Option<i64>),
    now: DateTime<Utc>,
) -> Option<Scripted> {
    let is_standing = to.is_none();
    // Standing alerts belong to the whole demo, not to a cycle.
    if is_standing && cycle != 0 {
        return None;
    }
    let started_at = cycle_start + TimeDelta::seconds(from);
    let resolved_at = to.map(|t| cycle_start + TimeDelta::seconds(t));
    let is_visible = started_at <= now && resolved_at.is_none_or(|r| now < r + RESOLVED_SHOWN);
    if !is_visible {
        return None;
    }
    let id = if is_standing {
        spec.name.to_ascii_lowercase()
    } else {
        format!("{}-{}-{}", spec.name.to_ascii_lowercase(), cycle, n)
    };
    Some(Scripted {
        id,
        name: spec.name,
        service: spec.service,
        team: spec.team,
        instance: spec.instance,
        severity: spec.severity,
        summary: spec.summary,
        description: spec.description,
        started_at,
        resolved_at: resolved_at.filter(|r| *r <= now),
        pre_acked_by: spec.pre_acked_by,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn start() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, 14, 0, 0).unwrap()
    }

    fn names_at(secs: i64) -> Vec<(String, bool)> {
        alerts_at(start(), start() + TimeDelta::seconds(secs))
            .into_iter()
            .map(|a| (a.name.to_string(), a.resolved_at.is_some()))
            .collect()
    }

    #[test]
    fn starts_quiet_with_standing_alerts() {
        let names = names_at(0);
        assert_eq!(names.len(), 3);
        assert!(names.iter().all(|(_, resolved)| !resolved));
    }

    #[test]
    fn incident_builds_up_then_resolves() {
        let at_100 = names_at(100);
        assert!(at_100.contains(&("ConnectionPoolExhausted".into(), false)));
        assert!(at_100.contains(&("ErrorRateHigh".into(), false)));
        let at_310 = names_at(310);
        assert!(at_310.contains(&("ErrorRateHigh".into(), true)));
    }

    #[test]
    fn flapping_alert_gets_a_new_id_each_time_it_fires() {
        let ids: Vec<String> = [100, 150, 200]
            .iter()
            .flat_map(|s| alerts_at(start(), start() + TimeDelta::seconds(*s)))
            .filter(|a| a.name == "HighLatency" && a.resolved_at.is_none())
            .map(|a| a.id)
            .collect();
        assert_eq!(
            ids,
            ["highlatency-0-0", "highlatency-0-1", "highlatency-0-2"]
        );
    }

    #[test]
    fn the_story_repeats_with_new_ids() {
        let later = alerts_at(start(), start() + CYCLE + TimeDelta::seconds(100));
        assert!(later.iter().any(|a| a.id == "errorratehigh-1-0"));
        assert_eq!(
            later.iter().filter(|a| a.name == "ReplicationLag").count(),
            1
        );
    }
}
