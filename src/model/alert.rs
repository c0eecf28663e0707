//! The back-end-neutral alert: identity, severity, status, labels and annotations.
//! Every string in an `Alert` was sanitized by `AlertDraft::build`, so nothing downstream has
//! to think about hostile text.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Interner, Labels, Note, Severity, Status, ValuesOf, sanitize};

/// The name a source has in the config (`prod-am`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct SourceId(pub Arc<str>);

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An alert's stable key, `SOURCE_NAME:ID`: shown in the detail pane and accepted by the CLI.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct AlertKey(pub String);

impl AlertKey {
    /// The key of alert `id` from `source`.
    pub fn new(source: &SourceId, id: &str) -> AlertKey {
        AlertKey(format!("{}:{}", source.0, id))
    }
}

impl AlertKey {
    /// The id within `source` this key names (`prod-am:ID` → `ID`); none for another
    /// source's key or a source's own (`SOURCE:`).
    pub fn id_in(&self, source: &SourceId) -> Option<&str> {
        self.0
            .strip_prefix(&*source.0)
            .and_then(|rest| rest.strip_prefix(':'))
            .filter(|id| !id.is_empty())
    }

    /// How an action's target reads in messages: the alert's key, or "on SOURCE" for an
    /// action on a whole source (a key with nothing after the colon).
    pub fn target(&self) -> String {
        match self.0.strip_suffix(':') {
            Some(source) => format!("on {source}"),
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for AlertKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The label of a link to the alert's own page at its back end (a PagerDuty incident's):
/// the runbook's last resort when nothing better names one.
pub const ITS_PAGE: &str = "incident";

/// The label of how many times a back end saw the alert again and folded it into this one
/// (Opsgenie's `count`): the list shows it as `×12`.
pub const OCCURRENCES: &str = "occurrences";

/// The annotation of a pending alert that says when it fires if its condition holds (RFC
/// 3339): the list shows "fires in 1m20s".
pub const FIRES_AT: &str = "fires_at";

/// A link shown in the detail pane (runbook, graph, dashboard).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// What the link is (`runbook`, `source`).
    pub label: Arc<str>,
    /// Where it points.
    pub url: Arc<str>,
}

/// How a string is cleaned before it is kept: one line, or text keeping its line breaks,
/// within a cap (in characters).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Clean {
    /// `sanitize::line`.
    Line(usize),
    /// `sanitize::text`.
    Text(usize),
}

impl Clean {
    /// `s` cleaned: itself when it is already clean (no copy).
    pub fn apply(self, s: &str) -> Cow<'_, str> {
        let (cap, f): (usize, fn(&str, usize) -> String) = match self {
            Clean::Line(cap) => (cap, sanitize::line),
            Clean::Text(cap) => (cap, sanitize::text),
        };
        if sanitize::is_clean(s, cap) {
            Cow::Borrowed(s)
        } else {
            Cow::Owned(f(s, cap))
        }
    }
}

/// One alert from one source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Alert {
    /// `SOURCE_NAME:ID`.
    pub key: AlertKey,
    /// The source that reports it.
    pub source: SourceId,
    /// What is wrong, one line.
    pub title: Arc<str>,
    /// How urgent.
    pub severity: Severity,
    /// Where it stands.
    pub status: Status,
    /// The service it concerns (label `service`, else `job`, else empty).
    pub service: Arc<str>,
    /// Labels, sorted by name.
    pub labels: Labels,
    /// Annotations (summary, description, runbook_url…), sorted by name.
    pub annotations: Labels,
    /// When it started firing.
    pub started_at: DateTime<Utc>,
    /// When the source last reported it.
    pub last_seen: DateTime<Utc>,
    /// Who acknowledged it, when known.
    pub acked_by: Option<String>,
    /// When it was acknowledged, when known.
    pub acked_at: Option<DateTime<Utc>>,
    /// Until when it is silenced, when it is.
    pub silenced_until: Option<DateTime<Utc>>,
    /// Links: runbook, generator, dashboard.
    pub links: Box<[Link]>,
    /// Notes written on it at its back end (listed with the journal's by
    /// `App::notes_on`, which is what JSON output carries).
    #[serde(skip)]
    pub notes: Box<[Note]>,
    /// Identity across sources: the same alert reported by several instances shares it.
    pub fingerprint: Option<String>,
    /// Why it is suppressed, one line per reason ("silenced by …", "inhibited by …").
    pub suppressed_by: Box<[String]>,
    /// Receivers it is routed to.
    pub receivers: Box<[Arc<str>]>,
    /// Where it stands on its escalation policy, when its back end says (PagerDuty); boxed,
    /// as most alerts have none.
    pub escalation: Option<Box<Escalation>>,
}

/// The raw, unsanitized parts of an alert as a source mapped them. Strings are handles of
/// type `S`: text borrowed from the answer where it can be (`Cow`), or indices into a stored
/// snapshot's string table. `build` sanitizes (one allocation per kept string).
#[derive(Clone, Debug)]
pub struct AlertDraft<S> {
    /// The id within the source.
    pub id: S,
    /// Raw title.
    pub title: S,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: Status,
    /// Raw labels.
    pub labels: Vec<(S, S)>,
    /// Raw annotations.
    pub annotations: Vec<(S, S)>,
    /// Start of firing.
    pub started_at: DateTime<Utc>,
    /// Last report.
    pub last_seen: DateTime<Utc>,
    /// Who acked.
    pub acked_by: Option<S>,
    /// When acked.
    pub acked_at: Option<DateTime<Utc>>,
    /// Silenced until.
    pub silenced_until: Option<DateTime<Utc>>,
    /// Raw links as (label, url).
    pub links: Vec<(S, S)>,
    /// Notes (already built, so already sanitized).
    pub notes: Vec<Note>,
    /// Identity across sources.
    pub fingerprint: Option<S>,
    /// Raw suppression reasons.
    pub suppressed_by: Vec<S>,
    /// Raw receiver names.
    pub receivers: Vec<S>,
    /// Where it stands on its escalation policy (already built, so already sanitized).
    pub escalation: Option<Escalation>,
}

/// A draft whose strings are text (borrowed from an answer, or owned).
pub type TextDraft<'a> = AlertDraft<Cow<'a, str>>;

/// How a draft's string handles become text: cleaned and shared (equal strings end up as
/// one `Arc`), or read raw.
pub trait Share<S> {
    /// The raw text of `s`.
    fn raw<'s>(&'s self, s: &'s S) -> &'s str;
    /// The shared, cleaned copy of `s`.
    fn share(&mut self, s: &S, how: Clean) -> Arc<str>;
    /// The cleaned copy of `s`, the value of `name` in list `of`: shared as `share` does,
    /// unless the values of that name are one per alert.
    fn share_value(&mut self, _of: ValuesOf, _name: &Arc<str>, s: &S, how: Clean) -> Arc<str> {
        self.share(s, how)
    }
}

impl Share<Cow<'_, str>> for Interner {
    fn raw<'s>(&'s self, s: &'s Cow<'_, str>) -> &'s str {
        s
    }

    fn share(&mut self, s: &Cow<'_, str>, how: Clean) -> Arc<str> {
        // Clean text interns as itself; only dirty text needs a sanitized copy.
        self.intern(&how.apply(s))
    }

    fn share_value(
        &mut self,
        of: ValuesOf,
        name: &Arc<str>,
        s: &Cow<'_, str>,
        how: Clean,
    ) -> Arc<str> {
        self.intern_value(of, name, &how.apply(s))
    }
}

impl TextDraft<'_> {
    /// Sanitizes every field and builds the alert of `source`.
    pub fn build(self, source: &SourceId) -> Alert {
        self.build_shared(source, &mut Interner::default())
    }
}

impl<S> AlertDraft<S> {
    /// Like `build`, cleaning and sharing strings through `share` (an `Interner`, or a
    /// stored snapshot's string table).
    pub fn build_shared(self, source: &SourceId, share: &mut impl Share<S>) -> Alert {
        const LABEL: Clean = Clean::Line(sanitize::LABEL_CAP);
        let mut pairs = |list: &[(S, S)], of: ValuesOf, value: Clean| {
            list.iter()
                .map(|(k, v)| {
                    let name = share.share(k, LABEL);
                    let value = share.share_value(of, &name, v, value);
                    (name, value)
                })
                .collect()
        };
        let labels = Labels::from_pairs(pairs(&self.labels, ValuesOf::Label, LABEL));
        let annotations = Labels::from_pairs(pairs(
            &self.annotations,
            ValuesOf::Annotation,
            Clean::Text(sanitize::TEXT_CAP),
        ));
        // Label values are cleaned as the service is: the label's own copy serves.
        let service = ["service", "app", "job"]
            .iter()
            .find_map(|k| labels.get_shared(k))
            .cloned()
            .unwrap_or_else(|| Arc::from(""));
        let line =
            |share: &mut dyn Share<S>, s: &S| sanitize::line(share.raw(s), sanitize::LABEL_CAP);
        let id = line(share, &self.id);
        Alert {
            key: AlertKey::new(source, &id),
            source: source.clone(),
            title: share.share(&self.title, Clean::Line(sanitize::TITLE_CAP)),
            severity: self.severity,
            status: self.status,
            service,
            labels,
            annotations,
            started_at: self.started_at,
            last_seen: self.last_seen,
            acked_by: self.acked_by.map(|a| line(share, &a)),
            acked_at: self.acked_at,
            silenced_until: self.silenced_until,
            links: self
                .links
                .iter()
                .map(|(label, url)| {
                    let label = share.share(label, LABEL);
                    let how = Clean::Line(sanitize::TEXT_CAP);
                    Link {
                        url: share.share_value(ValuesOf::Link, &label, url, how),
                        label,
                    }
                })
                .collect(),
            notes: self.notes.into(),
            fingerprint: self.fingerprint.map(|f| line(share, &f)),
            suppressed_by: self.suppressed_by.iter().map(|s| line(share, s)).collect(),
            receivers: self
                .receivers
                .iter()
                .map(|r| share.share(r, LABEL))
                .collect(),
            escalation: self.escalation.map(Box::new),
        }
    }
}

impl Alert {
    /// The value of label `name`, or of the pseudo-labels `alertname`, `severity`, `status`,
    /// `source`, `service` and `title` when the alert has no such label.
    pub fn field(&self, name: &str) -> Option<&str> {
        if let Some(v) = self.labels.get(name) {
            return Some(v);
        }
        match name {
            "severity" | "sev" => Some(self.severity.name()),
            "status" => Some(self.status.name()),
            "source" => Some(&self.source.0),
            "service" => Some(&self.service),
            "title" | "alertname" => Some(&self.title),
            _ => None,
        }
    }
}

/// Where an alert stands on its escalation policy, as its back end says: the level reached
/// and since when (the countdown to the next level runs from there).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Escalation {
    /// The policy's name.
    pub policy: Arc<str>,
    /// The level reached, 0 for the first.
    pub level: usize,
    /// When it was reached.
    pub since: DateTime<Utc>,
}

impl Escalation {
    /// Builds one from outside text.
    pub fn new(policy: &str, level: usize, since: DateTime<Utc>) -> Escalation {
        Escalation {
            policy: sanitize::line(policy, sanitize::LABEL_CAP).into(),
            level,
            since,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> TextDraft<'static> {
        let t = Utc
            .with_ymd_and_hms(2026, 1, 1, 0, 0, 0)
            .single()
            .unwrap_or_default();
        AlertDraft {
            id: "a1".into(),
            title: "Error\u{1b}]0;pwned\u{7} rate".into(),
            severity: Severity::Critical,
            status: Status::Firing,
            labels: vec![
                ("job".into(), "api".into()),
                ("team".into(), "pay\u{202e}ments".into()),
            ],
            annotations: vec![("description".into(), "line1\nline2\u{9b}2J".into())],
            started_at: t,
            last_seen: t,
            acked_by: None,
            acked_at: None,
            silenced_until: None,
            links: vec![],
            notes: vec![],
            fingerprint: None,
            suppressed_by: vec![],
            receivers: vec![],
            escalation: None,
        }
    }

    #[test]
    fn build_sanitizes_every_field_and_keys_by_source() {
        let a = draft().build(&SourceId("demo".into()));
        assert_eq!(a.key.0, "demo:a1");
        assert_eq!(&*a.title, "Error rate");
        assert_eq!(&a.labels["team"], "payments");
        assert_eq!(&a.annotations["description"], "line1\nline2");
        assert_eq!(&*a.service, "api");
    }

    #[test]
    fn field_falls_back_to_pseudo_labels() {
        let a = draft().build(&SourceId("demo".into()));
        assert_eq!(a.field("team"), Some("payments"));
        assert_eq!(a.field("severity"), Some("critical"));
        assert_eq!(a.field("source"), Some("demo"));
        assert_eq!(a.field("nope"), None);
    }
}
