//! Where an alert stands: firing, acknowledged, silenced, resolved, or pending (not fired yet).

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
    /// Its rule's condition holds but its `for` has not passed: it has not fired yet and
    /// exists only in Prometheus. Hidden unless the filter asks for `is:pending`.
    Pending,
}

impl Status {
    /// Every status, in list order.
    pub const ALL: [Status; 5] = [
        Status::Firing,
        Status::Acked,
        Status::Silenced,
        Status::Resolved,
        Status::Pending,
    ];

    /// Whether it is open: it fired and has not resolved (a pending alert has not fired).
    pub fn is_open(self) -> bool {
        matches!(self, Status::Firing | Status::Acked | Status::Silenced)
    }

    /// The name used in filters (`is:acked`) and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Status::Firing => "firing",
            Status::Acked => "acked",
            Status::Silenced => "silenced",
            Status::Resolved => "resolved",
            Status::Pending => "pending",
        }
    }

    /// The short label shown in the list.
    pub fn short(self) -> &'static str {
        match self {
            Status::Firing => "FIRING",
            Status::Acked => "ACK",
            Status::Silenced => "SILENCED",
            Status::Resolved => "RESOLVED",
            Status::Pending => "PENDING",
        }
    }

    /// Reads a filter word: `firing`, `acked`/`ack`, `silenced`/`silence`, `resolved`,
    /// `pending`.
    pub fn parse(s: &str) -> Option<Status> {
        match s.to_ascii_lowercase().as_str() {
            "firing" | "fire" | "open" | "triggered" => Some(Status::Firing),
            "acked" | "ack" | "acknowledged" => Some(Status::Acked),
            "silenced" | "silence" | "snoozed" => Some(Status::Silenced),
            "resolved" | "closed" => Some(Status::Resolved),
            "pending" => Some(Status::Pending),
            _ => None,
        }
    }
}
