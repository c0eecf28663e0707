//! Alert severity, ordered from most to least urgent, and its parsing from back-end labels.

use serde::{Deserialize, Serialize};

/// How urgent an alert is. Ordered so that `Critical` sorts first (`Critical < Warning`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Page someone now.
    Critical,
    /// Broken, but not paging.
    Error,
    /// Needs attention soon.
    Warning,
    /// For information.
    Info,
    /// The back end gave no severity we recognise.
    Unknown,
}

impl Severity {
    /// Every severity, most urgent first.
    pub const ALL: [Severity; 5] = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
        Severity::Unknown,
    ];

    /// Reads the common spellings used by Alertmanager rules and paging tools.
    pub fn parse(s: &str) -> Option<Severity> {
        match s.trim().to_ascii_lowercase().as_str() {
            "critical" | "crit" | "page" | "p1" | "sev1" | "emergency" | "fatal" | "high" => {
                Some(Severity::Critical)
            }
            "error" | "err" | "major" | "p2" | "sev2" => Some(Severity::Error),
            "warning" | "warn" | "minor" | "p3" | "sev3" | "medium" => Some(Severity::Warning),
            "info" | "informational" | "notice" | "low" | "p4" | "p5" | "sev4" | "none" => {
                Some(Severity::Info)
            }
            "unknown" => Some(Severity::Unknown),
            _ => None,
        }
    }

    /// The four-letter label shown in the list.
    pub fn short(self) -> &'static str {
        match self {
            Severity::Critical => "CRIT",
            Severity::Error => "ERR",
            Severity::Warning => "WARN",
            Severity::Info => "INFO",
            Severity::Unknown => "?",
        }
    }

    /// The name used in config, filters and JSON.
    pub fn name(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
            Severity::Unknown => "unknown",
        }
    }

    /// Whether `self` is at least as urgent as `threshold`.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn critical_sorts_before_info() {
        let mut v = vec![
            Severity::Info,
            Severity::Critical,
            Severity::Unknown,
            Severity::Warning,
        ];
        v.sort();
        assert_eq!(
            v,
            [
                Severity::Critical,
                Severity::Warning,
                Severity::Info,
                Severity::Unknown
            ]
        );
    }

    #[test]
    fn threshold_includes_more_urgent() {
        assert!(Severity::Critical.at_least(Severity::Warning));
        assert!(Severity::Warning.at_least(Severity::Warning));
        assert!(!Severity::Info.at_least(Severity::Warning));
    }

    #[test]
    fn parses_common_spellings() {
        assert_eq!(Severity::parse(" CRITICAL "), Some(Severity::Critical));
        assert_eq!(Severity::parse("warn"), Some(Severity::Warning));
        assert_eq!(Severity::parse("bogus"), None);
    }
}
