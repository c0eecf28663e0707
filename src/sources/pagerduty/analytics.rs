//! PagerDuty's analytics (`POST /analytics/metrics/incidents/{all,services}` and
//! `/analytics/raw/incidents`) as the insights show them beside the journal's figures.

use chrono::{DateTime, TimeDelta, Utc};

use super::wire::{AnalyticsIncident, AnalyticsMetrics};
use crate::insights::analytics::{Analytics, Figures, Slow};
use crate::model::sanitize;

fn secs(s: Option<i64>) -> Option<TimeDelta> {
    s.filter(|s| *s >= 0).map(TimeDelta::seconds)
}

fn figures(m: &AnalyticsMetrics, name: &str) -> Figures {
    Figures {
        incidents: m.total_incident_count.unwrap_or(0),
        to_ack: [
            secs(m.mean_seconds_to_first_ack),
            secs(m.p50_seconds_to_first_ack),
            secs(m.p90_seconds_to_first_ack),
        ],
        to_resolve: [
            secs(m.mean_seconds_to_resolve),
            secs(m.p50_seconds_to_resolve),
            secs(m.p90_seconds_to_resolve),
        ],
        escalated_by_timeout: m.total_incidents_timeout_escalated.unwrap_or(0),
        escalated_by_hand: m.total_incidents_manual_escalated.unwrap_or(0),
        auto_resolved: m.total_incidents_auto_resolved.unwrap_or(0),
        interruptions: [
            m.total_business_hour_interruptions.unwrap_or(0),
            m.total_off_hour_interruptions.unwrap_or(0),
            m.total_sleep_hour_interruptions.unwrap_or(0),
        ],
        ..Figures::named(name)
    }
}

/// The analytics of source `source` for `[since, until)` from its answers.
pub fn of(
    source: &str,
    since: DateTime<Utc>,
    until: DateTime<Utc>,
    all: &[AnalyticsMetrics],
    services: &[AnalyticsMetrics],
    slowest: &[AnalyticsIncident],
) -> Analytics {
    let mut per_service: Vec<Figures> = services
        .iter()
        .map(|m| figures(m, m.service_name.as_deref().unwrap_or("(none)")))
        .collect();
    per_service.sort_by(|a, b| b.incidents.cmp(&a.incidents).then(a.name.cmp(&b.name)));
    Analytics {
        source: source.to_string(),
        since,
        until,
        total: all
            .first()
            .map_or_else(|| Figures::named(""), |m| figures(m, "")),
        services: per_service,
        slowest: slowest
            .iter()
            .filter_map(|i| {
                Some(Slow {
                    id: sanitize::line(&i.id, sanitize::LABEL_CAP),
                    service: sanitize::line(
                        i.service_name.as_deref().unwrap_or(""),
                        sanitize::TITLE_CAP,
                    ),
                    to_resolve: secs(i.seconds_to_resolve)?,
                })
            })
            .collect(),
    }
}
