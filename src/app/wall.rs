//! The war-room wall's state: which panels are on screen, and their rotation. The wall is
//! a read-only dashboard (`onduty wall`): the same sources and journal, drawn to be read
//! from across a room, with no action reachable.

use chrono::{DateTime, TimeDelta, Utc};

/// The panels, in rotation order: open incidents, the most severe firing alerts, the latest
/// timeline entries, who is on call with the sources' health.
pub const PANELS: usize = 4;

/// How many entries the wall's timeline keeps (the newest).
pub const LATEST_KEPT: usize = 64;

/// One entry of the wall's timeline, with what it is about as it read when it came.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Latest {
    /// The entry.
    pub entry: crate::model::Entry,
    /// Its subject by name ("CheckoutErrors · checkout", "incident:3"), else its key.
    pub about: String,
}

/// The wall's rotation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wall {
    /// The page shown (a page is as many panels as fit side by side).
    pub page: usize,
    /// Whether rotation is paused (space).
    pub is_paused: bool,
    /// How long each page stays.
    pub every: TimeDelta,
    /// When the next page comes.
    pub turns_at: DateTime<Utc>,
}

impl Wall {
    /// A wall starting on the first page at `now`.
    pub fn new(every: TimeDelta, now: DateTime<Utc>) -> Wall {
        Wall {
            page: 0,
            is_paused: false,
            every,
            turns_at: now + every,
        }
    }
}

/// How many panels fit side by side at `width` columns.
pub fn panels_per_page(width: u16) -> usize {
    match width {
        0..=159 => 1,
        160..=239 => 2,
        _ => PANELS,
    }
}

/// How many pages the panels take at `width`.
pub fn pages(width: u16) -> usize {
    PANELS.div_ceil(panels_per_page(width))
}
