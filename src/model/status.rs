//! Where an alert stands: firing, acknowledged, silenced or resolved.

use serde::{Deserialize, Serialize};

/// The state of an alert as its source reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Firing and nobody has taken it.
    Firing,
    /// Someone acknowledged it.
    Acked,
    /// Silenced (suppressed) for a while.
    Silenced,
    /// No longer firing.
    Resolved,
}

impl Status {
    /// Every status, in list order.
    pub const ALL: [Status; 4] = [
        Status::Firing,
        Status::Acked,
        Status::Silenced,
        Status::Resolved,
    ];

    /// The name used in filters (`is:acked`) and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Acked => "acked",
            Status::Silenced => "silenced",
            Status::Resolved => "resolved",
        }
    }

    /// The short label shown in the list.
    pub fn short(self) -> &'static str {
        match self {
            Status::Firing => "FIRING",
            Status::Acked => "ACK",
            Status::Silenced => "SILENCED",
            Status::Resolved => "RESOLVED",
        }
    }

    /// Reads a filter word: `firing`, `acked`/`ack`, `silenced`/`silence`, `resolved`.
    pub fn parse(s: &str) -> Option<Status> {
        match s.to_ascii_lowercase().as_str() {
            "firing" | "fire" | "open" | "triggered" => Some(Status::Firing),
            "acked" | "ack" | "acknowledged" => Some(Status::Acked),
            "silenced" | "silence" | "snoozed" => Some(Status::Silenced),
            "resolved" | "closed" => Some(Status::Resolved),
            _ => None,
        }
    }
}
