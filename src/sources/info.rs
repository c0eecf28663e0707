//! What the rest of onduty knows of a configured source: its name, its kind's name (shown in
//! the sources view), how often it is polled, its cluster, and what its back end can do.

use std::time::Duration;

use super::capabilities::Capabilities;
use crate::config::source::SourceKind;
use crate::model::SourceId;

/// A source as the app and the UI know it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceInfo {
    /// Its name.
    pub id: SourceId,
    /// Its kind, shown in the sources view; nothing is decided on it.
    pub kind: SourceKind,
    /// How often it is polled (decides when its data counts as stale).
    pub interval: Duration,
    /// The cluster it belongs to: HA peers share silences, so one of them is enough.
    pub cluster: Option<String>,
    /// What its back end can do.
    pub can: Capabilities,
}

impl SourceInfo {
    /// Whether its back end assigns alerts to people (`:mine`).
    pub fn keeps_assignments(&self) -> bool {
        self.can.assigns
    }

    /// Whether its back end lists resolved alerts when asked (`:resolved`).
    pub fn keeps_resolved(&self) -> bool {
        self.can.keeps_resolved
    }

    /// Whether it reports tickets (`:link`, `t`, `8`).
    pub fn is_ticketing(&self) -> bool {
        self.can.tickets
    }
}

impl SourceInfo {
    /// A source of `kind` named by `id`, polled every `interval`, in no cluster; what it can
    /// do is what its back end declares.
    pub fn new(id: SourceId, kind: SourceKind, interval: Duration) -> SourceInfo {
        SourceInfo {
            id,
            can: super::registry::capabilities(&kind),
            kind,
            interval,
            cluster: None,
        }
    }
}
