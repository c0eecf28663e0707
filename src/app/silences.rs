//! The silences as the silences view and `onduty silences` list them: each with how many
//! current alerts it catches and whether it is stale (active and catching nothing, or
//! ending within the hour); and maintenance windows, a window's silences taken as one.

use chrono::{DateTime, TimeDelta, Utc};
use serde::Serialize;

use super::App;
use crate::model::{Silence, SilenceState, SourceId};

/// An active silence ending sooner than this is marked "ends soon".
pub const ENDS_SOON: TimeDelta = TimeDelta::hours(1);

/// Which silences the view lists.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SilenceFilter {
    /// Every one.
    #[default]
    All,
    /// The stale ones (`:silences stale`).
    Stale,
}

/// What is worth knowing about a silence's upkeep.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Hygiene {
    /// Active, not an ack, and catching no current alert of its source.
    pub catches_nothing: bool,
    /// Active and ending within `ENDS_SOON`.
    pub ends_soon: bool,
}

impl Hygiene {
    /// The upkeep of `s`, which catches `caught` current alerts, at `now`.
    pub fn of(s: &Silence, caught: usize, now: DateTime<Utc>) -> Hygiene {
        let is_active = s.state == SilenceState::Active;
        Hygiene {
            catches_nothing: is_active && !s.is_ack() && caught == 0,
            ends_soon: is_active && s.ends_at - now <= ENDS_SOON,
        }
    }

    /// Whether `:silences stale` lists it.
    pub fn is_stale(self) -> bool {
        self.catches_nothing || self.ends_soon
    }

    /// What the view says of it ("catches nothing · ").
    pub fn said(self) -> String {
        let mut out = String::new();
        if self.catches_nothing {
            out.push_str("catches nothing · ");
        }
        if self.ends_soon {
            out.push_str("ends soon · ");
        }
        out
    }
}

/// A maintenance window: the silences whose comments carry one window's tag.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Window {
    /// Its id.
    pub id: String,
    /// The source holding its silences.
    pub source: SourceId,
    /// When it recurs (`sun 02:00-04:00 UTC`).
    pub every: String,
    /// Its comment, without the tag.
    pub comment: String,
    /// Its matchers (the first silence's).
    pub matchers: Vec<String>,
    /// Who made it.
    pub created_by: String,
    /// Its silences not yet started.
    pub pending: usize,
    /// Its silence under way, if one is.
    pub active: usize,
    /// Its silences over (or expired early).
    pub expired: usize,
    /// When its next silence starts.
    pub next_start: Option<DateTime<Utc>>,
    /// When its last silence ends.
    pub last_end: DateTime<Utc>,
    /// The highest occurrence number (an extension continues from it).
    pub last_n: u32,
}

impl App {
    /// Lists every silence, or only the stale ones (`:silences stale`, `onduty silences
    /// --stale`).
    pub fn set_silence_filter(&mut self, filter: SilenceFilter) {
        self.silence_filter = filter;
        self.rebuild_silence_rows();
    }

    /// Every maintenance window of every source, soonest next start first.
    pub fn windows(&self) -> Vec<Window> {
        let mut out: Vec<Window> = Vec::new();
        for s in self.sources.iter().flat_map(|src| src.silences.iter()) {
            let Some(tag) = s.window() else {
                continue;
            };
            let i = match out
                .iter()
                .position(|w| w.id == tag.id && w.source == s.source)
            {
                Some(i) => i,
                None => {
                    out.push(Window {
                        id: tag.id.clone(),
                        source: s.source.clone(),
                        every: tag.every.clone(),
                        comment: tag.comment.clone(),
                        matchers: s.matchers.iter().map(ToString::to_string).collect(),
                        created_by: s.created_by.clone(),
                        pending: 0,
                        active: 0,
                        expired: 0,
                        next_start: None,
                        last_end: s.ends_at,
                        last_n: 0,
                    });
                    out.len() - 1
                }
            };
            let w = &mut out[i];
            match s.state {
                SilenceState::Pending => {
                    w.pending += 1;
                    w.next_start = Some(w.next_start.map_or(s.starts_at, |n| n.min(s.starts_at)));
                }
                SilenceState::Active => w.active += 1,
                SilenceState::Expired => w.expired += 1,
            }
            w.last_end = w.last_end.max(s.ends_at);
            w.last_n = w.last_n.max(tag.n);
        }
        out.sort_by_key(|w| (w.next_start.is_none(), w.next_start, w.id.clone()));
        out
    }

    /// The silences of window `id` not yet over, as (source, silence id): what expiring
    /// the window expires.
    pub fn window_silences(&self, id: &str) -> Vec<(SourceId, String)> {
        self.sources
            .iter()
            .flat_map(|src| src.silences.iter())
            .filter(|s| s.state != SilenceState::Expired)
            .filter(|s| s.window().is_some_and(|t| t.id == id))
            .map(|s| (s.source.clone(), s.id.clone()))
            .collect()
    }
}
