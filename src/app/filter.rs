//! The filter language of `/` and `--filter`: space-separated terms, all of which must match.
//!
//! - `text`: fuzzy (in-order letters) match over title, service and label values
//! - `name=value`, `name!=value`, `name=~regex`, `name!~regex`: label matchers (regex anchored)
//! - `is:firing|acked|silenced|resolved|pending`: status; pending alerts (not fired yet) are
//!   left out unless a term asks for `is:pending`
//! - `sev>=warning` (or `severity>=…`): severity threshold
//! - `@source`: one source
//! - `!term`: negates any term

use regex::Regex;

use crate::model::{Alert, Severity, Status};

/// A parsed filter. The empty filter matches everything.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    terms: Vec<Term>,
    /// A term asks for pending alerts (`is:pending`): they are left out otherwise.
    asks_pending: bool,
    /// Some alert is pending now (`set_pending_present`): leaving them out is work even for
    /// a filter without terms.
    pending_present: bool,
}

#[derive(Clone, Debug)]
struct Term {
    is_negated: bool,
    kind: TermKind,
}

#[derive(Clone, Debug)]
enum TermKind {
    Fuzzy(Vec<char>),
    LabelEq(String, String),
    LabelRegex(String, Regex),
    Is(Status),
    SeverityAtLeast(Severity),
    Source(String),
}

impl Filter {
    /// Parses `text`; the error says which term is wrong and why.
    pub fn parse(text: &str) -> Result<Filter, String> {
        let mut terms: Vec<Term> = text
            .split_whitespace()
            .map(parse_term)
            .collect::<Result<_, _>>()?;
        // Cheap terms first: most alerts are turned away before any text is scanned.
        terms.sort_by_key(|t| t.kind.cost());
        let asks_pending = terms
            .iter()
            .any(|t| matches!(t.kind, TermKind::Is(Status::Pending)) && !t.is_negated);
        Ok(Filter {
            terms,
            asks_pending,
            pending_present: false,
        })
    }

    /// Whether a term asks for pending alerts (`is:pending`).
    pub fn asks_pending(&self) -> bool {
        self.asks_pending
    }

    /// Tells the filter whether any alert is pending now (the app counts them).
    pub fn set_pending_present(&mut self, is_present: bool) {
        self.pending_present = is_present;
    }

    /// Whether the filter lets every alert through (no terms, and no pending alert to
    /// leave out): nothing to match.
    pub fn is_empty(&self) -> bool {
        self.terms.is_empty() && (self.asks_pending || !self.pending_present)
    }

    /// Whether `ticket` passes every term: text over its title, id, status, assignee and
    /// labels; `status=`, `state=`, `assignee=`, `priority=`, `label=`, `id=` matchers;
    /// `is:firing` (open), `is:acked` (in progress), `is:resolved` (done); `@source`.
    pub fn matches_ticket(&self, ticket: &crate::model::Ticket) -> bool {
        self.terms
            .iter()
            .all(|t| t.kind.matches_ticket(ticket) != t.is_negated)
    }

    /// Whether `alert` passes every term.
    pub fn matches(&self, alert: &Alert) -> bool {
        if alert.status == Status::Pending && !self.asks_pending {
            return false;
        }
        self.terms
            .iter()
            .all(|t| t.kind.matches(alert) != t.is_negated)
    }
}

fn parse_term(raw: &str) -> Result<Term, String> {
    let (is_negated, body) = match raw.strip_prefix('!') {
        Some(rest) if !rest.is_empty() => (true, rest),
        _ => (false, raw),
    };
    let kind = parse_kind(body)?;
    Ok(Term { is_negated, kind })
}

fn parse_kind(body: &str) -> Result<TermKind, String> {
    if let Some(source) = body.strip_prefix('@') {
        return Ok(TermKind::Source(source.to_string()));
    }
    if let Some(status) = body.strip_prefix("is:") {
        return Status::parse(status).map(TermKind::Is).ok_or_else(|| {
            format!("'{body}': use is:firing, is:acked, is:silenced, is:resolved or is:pending")
        });
    }
    for prefix in ["sev>=", "severity>="] {
        if let Some(s) = body.strip_prefix(prefix) {
            return Severity::parse(s)
                .map(TermKind::SeverityAtLeast)
                .ok_or_else(|| {
                    format!("'{body}': unknown severity '{s}' (critical, error, warning, info)")
                });
        }
    }
    if let Some((name, op, value)) = split_matcher(body) {
        if name.is_empty() {
            return Err(format!(
                "'{body}': a matcher needs a label name before '{op}'"
            ));
        }
        return if op == "=~" {
            anchored(value).map(|re| TermKind::LabelRegex(name.into(), re))
        } else {
            Ok(TermKind::LabelEq(name.into(), value.into()))
        };
    }
    Ok(TermKind::Fuzzy(body.to_lowercase().chars().collect()))
}

/// Splits `name=value` and `name=~re`; `normalize` has turned `!=`/`!~` into negations.
fn split_matcher(body: &str) -> Option<(&str, &'static str, &str)> {
    let i = body.find('=')?;
    let name = &body[..i];
    let rest = &body[i + 1..];
    match rest.strip_prefix('~') {
        Some(re) => Some((name, "=~", re)),
        None => Some((name, "=", rest)),
    }
}

fn anchored(re: &str) -> Result<Regex, String> {
    Regex::new(&format!("^(?:{re})$")).map_err(|e| {
        let first = e
            .to_string()
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string();
        format!("bad regex '{re}': {first}")
    })
}

impl TermKind {
    /// Relative cost of checking one alert.
    fn cost(&self) -> u8 {
        match self {
            TermKind::Is(_) | TermKind::SeverityAtLeast(_) => 0,
            TermKind::Source(_) | TermKind::LabelEq(..) => 1,
            TermKind::LabelRegex(..) => 2,
            TermKind::Fuzzy(_) => 3,
        }
    }

    fn matches(&self, a: &Alert) -> bool {
        match self {
            TermKind::Fuzzy(needle) => {
                fuzzy(needle, &a.title)
                    || fuzzy(needle, &a.service)
                    || a.labels.values().any(|v| fuzzy(needle, v))
            }
            TermKind::LabelEq(name, value) => a.field(name).unwrap_or("") == value,
            TermKind::LabelRegex(name, re) => re.is_match(a.field(name).unwrap_or("")),
            TermKind::Is(status) => a.status == *status,
            TermKind::SeverityAtLeast(threshold) => a.severity.at_least(*threshold),
            TermKind::Source(source) => *a.source.0 == **source,
        }
    }
}

impl TermKind {
    fn matches_ticket(&self, t: &crate::model::Ticket) -> bool {
        use crate::model::TicketState;
        let field = |name: &str| -> Vec<&str> {
            match name {
                "status" => vec![t.status.as_str()],
                "state" => vec![t.state.word()],
                "assignee" => t.assignee.as_deref().into_iter().collect(),
                "priority" => t.priority.as_deref().into_iter().collect(),
                "label" | "labels" => t.labels.iter().map(String::as_str).collect(),
                "id" | "key" => vec![t.id.as_str(), t.key.0.as_str()],
                _ => Vec::new(),
            }
        };
        match self {
            TermKind::Fuzzy(needle) => {
                fuzzy(needle, &t.title)
                    || fuzzy(needle, &t.id)
                    || fuzzy(needle, &t.status)
                    || t.assignee.as_deref().is_some_and(|a| fuzzy(needle, a))
                    || t.labels.iter().any(|l| fuzzy(needle, l))
            }
            TermKind::LabelEq(name, value) => {
                field(name).iter().any(|v| v.eq_ignore_ascii_case(value))
            }
            TermKind::LabelRegex(name, re) => field(name).iter().any(|v| re.is_match(v)),
            TermKind::Is(status) => match status {
                Status::Firing => t.state == TicketState::Open,
                Status::Acked => t.state == TicketState::InProgress,
                Status::Resolved => t.state == TicketState::Done,
                _ => false,
            },
            // Tickets carry no severity: a threshold turns none away.
            TermKind::SeverityAtLeast(_) => true,
            TermKind::Source(source) => *t.source.0 == **source,
        }
    }
}

/// Whether the letters of `needle` (lower case) appear in order in `haystack`.
fn fuzzy(needle: &[char], haystack: &str) -> bool {
    if haystack.is_ascii() && needle.iter().all(char::is_ascii) {
        return fuzzy_ascii(needle, haystack.as_bytes());
    }
    let mut want = needle.iter().peekable();
    for c in haystack.chars().flat_map(char::to_lowercase) {
        if want.peek() == Some(&&c) {
            want.next();
        }
        if want.peek().is_none() {
            return true;
        }
    }
    want.peek().is_none()
}

/// `fuzzy` for ASCII text, byte by byte: the common case, and the hot loop of filtering.
fn fuzzy_ascii(needle: &[char], haystack: &[u8]) -> bool {
    let mut want = needle.iter().map(|c| *c as u8);
    let Some(mut next) = want.next() else {
        return true;
    };
    for b in haystack {
        if b.to_ascii_lowercase() == next {
            match want.next() {
                Some(n) => next = n,
                None => return true,
            }
        }
    }
    false
}

/// Rewrites `name!=v` and `name!~re` into the negated forms the parser knows.
pub fn normalize(text: &str) -> String {
    text.split_whitespace()
        .map(|t| match t.find("!=").or_else(|| t.find("!~")) {
            Some(i) if i > 0 && !t.starts_with('!') => {
                let op = if t[i..].starts_with("!=") { "=" } else { "=~" };
                format!("!{}{}{}", &t[..i], op, &t[i + 2..])
            }
            _ => t.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether every alert matching `new` also matches `old`, judged from the text alone, so
/// the new filter may walk only what the old one matched: `new` repeats `old`'s terms and
/// adds terms, or lengthens its last term where that term is a plain fuzzy one (more
/// letters in order can only match fewer alerts). Matchers are not monotonic
/// (`team=web` is not narrower than `team=we`), so any other change filters from scratch.
pub fn narrows(old: &str, new: &str) -> bool {
    let (old_terms, new_terms): (Vec<&str>, Vec<&str>) = (
        old.split_whitespace().collect(),
        new.split_whitespace().collect(),
    );
    if old_terms.is_empty() || new_terms.len() < old_terms.len() {
        return false;
    }
    let last = old_terms.len() - 1;
    let is_plain_fuzzy = |t: &str| !t.starts_with(['!', '@']) && !t.contains(['=', ':', '>', '~']);
    old_terms[..last] == new_terms[..last]
        && (old_terms[last] == new_terms[last]
            || (new_terms[last].starts_with(old_terms[last]) && is_plain_fuzzy(new_terms[last])))
}

/// Parses user text, accepting `!=` and `!~`.
pub fn parse_user(text: &str) -> Result<Filter, String> {
    Filter::parse(&normalize(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(title: &str, sev: Severity, status: Status, labels: &[(&str, &str)]) -> Alert {
        crate::testing::labelled_alert(title, sev, status, labels)
    }

    fn pay() -> Alert {
        alert(
            "ErrorRateHigh",
            Severity::Critical,
            Status::Firing,
            &[("team", "payments"), ("service", "payments-api")],
        )
    }

    fn m(filter: &str, a: &Alert) -> bool {
        parse_user(filter).unwrap().matches(a)
    }

    #[test]
    fn fuzzy_matches_letters_in_order() {
        assert!(m("errhigh", &pay()));
        assert!(m("ERH", &pay()));
        assert!(!m("higherr", &pay()));
        assert!(m("paymapi", &pay()));
    }

    #[test]
    fn label_matchers() {
        assert!(m("team=payments", &pay()));
        assert!(!m("team=pay", &pay()));
        assert!(m("team!=db", &pay()));
        assert!(m("service=~pay.*", &pay()));
        assert!(!m("service=~api", &pay()), "regexes are anchored");
        assert!(m("service!~db.*", &pay()));
        assert!(!m("missing=x", &pay()));
        assert!(
            m("missing=", &pay()),
            "an absent label equals the empty string"
        );
    }

    #[test]
    fn status_severity_source_and_negation() {
        let a = pay();
        assert!(m("is:firing", &a) && !m("is:acked", &a) && m("!is:acked", &a));
        assert!(m("sev>=warning", &a) && m("severity>=critical", &a));
        let info = alert("Disk", Severity::Info, Status::Firing, &[]);
        assert!(!m("sev>=warning", &info));
        assert!(m("@prod-am", &a) && !m("@other", &a) && m("!@other", &a));
        assert!(m("", &a));
        assert!(m("team=payments is:firing errrate", &a));
        assert!(!m("team=payments is:acked", &a));
    }

    #[test]
    fn narrowing_is_recognised_only_where_it_is_safe() {
        assert!(narrows("hi", "hil"));
        assert!(narrows("hil", "hil team=web"));
        assert!(narrows("team=web", "team=web hil"));
        assert!(!narrows("", "hil"), "nothing to narrow from");
        assert!(
            !narrows("team=we", "team=web"),
            "matchers are not monotonic"
        );
        assert!(!narrows("hil", "hi"), "shorter is wider");
        assert!(
            !narrows("!hi", "!hil"),
            "a negated term widens when it lengthens"
        );
        assert!(!narrows("hil", "xhil"));
    }

    #[test]
    fn fuzzy_ascii_and_unicode_agree() {
        for (needle, hay) in [
            ("erh", "ErrorRateHigh"),
            ("xyz", "ErrorRateHigh"),
            ("", "a"),
            ("支", "支付"),
        ] {
            let n: Vec<char> = needle.to_lowercase().chars().collect();
            let slow = {
                let mut want = n.iter().peekable();
                for c in hay.chars().flat_map(char::to_lowercase) {
                    if want.peek() == Some(&&c) {
                        want.next();
                    }
                }
                want.peek().is_none()
            };
            assert_eq!(fuzzy(&n, hay), slow, "{needle} in {hay}");
        }
    }

    #[test]
    fn errors_say_what_is_wrong() {
        assert!(parse_user("is:bogus").unwrap_err().contains("is:firing"));
        assert!(
            parse_user("sev>=huge")
                .unwrap_err()
                .contains("unknown severity")
        );
        assert!(parse_user("a=~(").unwrap_err().contains("bad regex"));
        assert!(parse_user("=x").unwrap_err().contains("label name"));
    }
}
