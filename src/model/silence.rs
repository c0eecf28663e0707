//! Silences: matchers with a time window, as Alertmanager keeps them. An onduty ack on an
//! Alertmanager alert is a silence too, recognised by its comment.

use chrono::{DateTime, Utc};
use regex::Regex;
use serde::Serialize;

use super::{Alert, SourceId, sanitize};

/// How an onduty ack's comment starts.
pub const ACK_PREFIX: &str = "ack: ";
/// How an onduty ack's comment ends, so people's own "ack: …" silences are not taken for one.
pub const ACK_MARK: &str = " [onduty]";

/// One label matcher: `name="v"`, `name!="v"`, `name=~"re"`, `name!~"re"`.
#[derive(Clone, Debug, Serialize, serde::Deserialize)]
#[serde(try_from = "MatcherFields")]
pub struct Matcher {
    /// Label name.
    pub name: String,
    /// Value or regex.
    pub value: String,
    /// Whether `value` is a regex (anchored, as Alertmanager does).
    pub is_regex: bool,
    /// Whether the matcher asks for equality (false: inequality).
    pub is_equal: bool,
    #[serde(skip)]
    regex: Option<Regex>,
}

/// A matcher as written by `Serialize` (a shared journal's frame): read back through
/// `Matcher::new`, so its regex is compiled again and its text cleaned.
#[derive(serde::Deserialize)]
struct MatcherFields {
    name: String,
    value: String,
    is_regex: bool,
    is_equal: bool,
}

impl TryFrom<MatcherFields> for Matcher {
    type Error = String;

    fn try_from(f: MatcherFields) -> Result<Matcher, String> {
        Matcher::new(&f.name, &f.value, f.is_regex, f.is_equal)
    }
}

impl PartialEq for Matcher {
    fn eq(&self, other: &Matcher) -> bool {
        (&self.name, &self.value, self.is_regex, self.is_equal)
            == (&other.name, &other.value, other.is_regex, other.is_equal)
    }
}

impl Eq for Matcher {}

impl Matcher {
    /// Builds a matcher; a bad regex is an error that names it.
    pub fn new(name: &str, value: &str, is_regex: bool, is_equal: bool) -> Result<Matcher, String> {
        let regex = if is_regex {
            Some(
                Regex::new(&format!("^(?:{value})$"))
                    .map_err(|_| format!("bad regex '{value}'"))?,
            )
        } else {
            None
        };
        Ok(Matcher {
            name: sanitize::line(name, sanitize::LABEL_CAP),
            value: sanitize::line(value, sanitize::LABEL_CAP),
            is_regex,
            is_equal,
            regex,
        })
    }

    /// An exact `name="value"` matcher.
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher {
            name: name.to_string(),
            value: value.to_string(),
            is_regex: false,
            is_equal: true,
            regex: None,
        }
    }

    /// Parses `name="v"`, `name!=v`, `name=~"re"`, `name!~re` (quotes optional).
    pub fn parse(s: &str) -> Result<Matcher, String> {
        let s = s.trim();
        let ops = [
            ("!~", true, false),
            ("=~", true, true),
            ("!=", false, false),
            ("=", false, true),
        ];
        for (op, is_regex, is_equal) in ops {
            if let Some(i) = s.find(op) {
                let name = s[..i].trim();
                if name.is_empty() {
                    return Err(format!("'{s}': a matcher needs a label name"));
                }
                let value = s[i + op.len()..].trim().trim_matches('"');
                return Matcher::new(name, value, is_regex, is_equal);
            }
        }
        Err(format!(
            "'{s}' is not a matcher (name=\"value\", !=, =~, !~)"
        ))
    }

    /// Whether `alert`'s label (absent = empty) satisfies the matcher.
    pub fn matches(&self, alert: &Alert) -> bool {
        let v = alert.labels.get(&self.name).unwrap_or("");
        let hit = match &self.regex {
            Some(re) => re.is_match(v),
            None => v == self.value,
        };
        hit == self.is_equal
    }
}

impl std::fmt::Display for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let op = match (self.is_regex, self.is_equal) {
            (false, true) => "=",
            (false, false) => "!=",
            (true, true) => "=~",
            (true, false) => "!~",
        };
        write!(f, "{}{op}\"{}\"", self.name, self.value)
    }
}

/// Where a silence stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SilenceState {
    /// Starts in the future.
    Pending,
    /// In force.
    Active,
    /// Over.
    Expired,
}

/// A silence on one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Silence {
    /// The back end's id.
    pub id: String,
    /// The source holding it.
    pub source: SourceId,
    /// What it catches: alerts matching every matcher.
    pub matchers: Vec<Matcher>,
    /// From.
    pub starts_at: DateTime<Utc>,
    /// Until.
    pub ends_at: DateTime<Utc>,
    /// Who made it.
    pub created_by: String,
    /// Why.
    pub comment: String,
    /// Its state.
    pub state: SilenceState,
}

impl Silence {
    /// The maintenance window it belongs to, when its comment carries one's tag.
    pub fn window(&self) -> Option<super::window::WindowTag> {
        super::window::WindowTag::of(&self.comment)
    }

    /// Whether the silence catches `alert` (every matcher matches).
    pub fn catches(&self, alert: &Alert) -> bool {
        !self.matchers.is_empty() && self.matchers.iter().all(|m| m.matches(alert))
    }

    /// Active first, then pending, then expired: the order lists show.
    pub fn state_rank(&self) -> u8 {
        match self.state {
            SilenceState::Active => 0,
            SilenceState::Pending => 1,
            SilenceState::Expired => 2,
        }
    }

    /// Whether this is an onduty ack.
    pub fn is_ack(&self) -> bool {
        is_ack_comment(&self.comment)
    }
}

/// Whether a silence comment marks an onduty ack.
pub fn is_ack_comment(comment: &str) -> bool {
    comment.starts_with(ACK_PREFIX) && comment.ends_with(ACK_MARK.trim_start())
}

/// The comment of an onduty ack with `note`.
pub fn ack_comment(note: &str) -> String {
    format!("{ACK_PREFIX}{note}{ACK_MARK}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status};

    fn alert(labels: &[(&str, &str)]) -> Alert {
        crate::testing::labelled_alert("t", Severity::Warning, Status::Firing, labels)
    }

    #[test]
    fn matchers_parse_and_match_like_alertmanager() {
        let a = alert(&[("alertname", "HighLatency"), ("team", "web")]);
        assert!(
            Matcher::parse("alertname=\"HighLatency\"")
                .unwrap()
                .matches(&a)
        );
        assert!(Matcher::parse("team!=db").unwrap().matches(&a));
        assert!(Matcher::parse("team=~\"w.*\"").unwrap().matches(&a));
        assert!(
            !Matcher::parse("team=~\"e\"").unwrap().matches(&a),
            "anchored"
        );
        assert!(
            Matcher::parse("env!~prod").unwrap().matches(&a),
            "absent label is empty"
        );
        assert!(Matcher::parse("=x").is_err() && Matcher::parse("nothing").is_err());
        assert_eq!(
            Matcher::parse("a=~\"b|c\"").unwrap().to_string(),
            "a=~\"b|c\""
        );
    }

    #[test]
    fn ack_comments_are_recognised_and_human_ones_are_not() {
        assert!(is_ack_comment(&ack_comment("acknowledged in onduty")));
        assert!(!is_ack_comment("ack: looking into it"));
    }
}
