//! A back end's own analytics (PagerDuty's `/analytics`), shown beside the journal's figures
//! and marked as the back end's: its incident counts, times to acknowledge and resolve,
//! escalations, auto-resolved incidents and interruptions by part of the day, in total and
//! per service, and its slowest incidents to resolve. Every text is cleaned when built.

use chrono::{DateTime, TimeDelta, Utc};

use crate::model::sanitize;

/// One row of a back end's figures (the total, or one service).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Figures {
    /// The service ("" for the total).
    pub name: String,
    /// Incidents in the period.
    pub incidents: u64,
    /// Time to first acknowledgement: mean, median, 90th percentile.
    pub to_ack: [Option<TimeDelta>; 3],
    /// Time to resolve: mean, median, 90th percentile.
    pub to_resolve: [Option<TimeDelta>; 3],
    /// Escalations because nobody acknowledged in time.
    pub escalated_by_timeout: u64,
    /// Escalations asked for by hand.
    pub escalated_by_hand: u64,
    /// Incidents that resolved on their own.
    pub auto_resolved: u64,
    /// Interruptions (notifications that woke someone) in business, off and sleep hours.
    pub interruptions: [u64; 3],
}

impl Figures {
    /// A row named `name` (cleaned).
    pub fn named(name: &str) -> Figures {
        Figures {
            name: sanitize::line(name, sanitize::TITLE_CAP),
            ..Figures::default()
        }
    }
}

/// An incident among the slowest to resolve.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slow {
    /// Its id at the back end.
    pub id: String,
    /// Its service.
    pub service: String,
    /// How long it took to resolve.
    pub to_resolve: TimeDelta,
}

/// What a back end's analytics say of a period.
#[derive(Clone, Debug, PartialEq)]
pub struct Analytics {
    /// The source asked.
    pub source: String,
    /// From.
    pub since: DateTime<Utc>,
    /// Until.
    pub until: DateTime<Utc>,
    /// Every incident together.
    pub total: Figures,
    /// Per service, the busiest first.
    pub services: Vec<Figures>,
    /// The slowest incidents to resolve, the slowest first.
    pub slowest: Vec<Slow>,
}
