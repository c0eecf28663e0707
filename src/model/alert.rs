//! The back-end-neutral alert: identity, severity, status, labels and annotations.
//! Every string in an `Alert` was sanitized by `AlertDraft::build`, so nothing downstream has
//! to think about hostile text.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{Interner, Labels, Note, Severity, Status, sanitize};

/// The name a source has in the config (`prod-am`).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct SourceId(pub Arc<str>);

impl fmt::Display for SourceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// An alert's stable key, `SOURCE_NAME:ID`: shown in the detail pane and accepted by the CLI.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct AlertKey(pub String);

impl AlertKey {
    /// The key of alert `id` from `source`.
    pub fn new(source: &SourceId, id: &str) -> AlertKey {
        AlertKey(format!("{}:{}", source.0, id))
    }
}

impl AlertKey {
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

/// A link shown in the detail pane (runbook, graph, dashboard).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Link {
    /// What the link is (`runbook`, `source`).
    pub label: Arc<str>,
    /// Where it points.
    pub url: Arc<str>,
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
    pub links: Vec<Link>,
    /// Notes written on it.
    pub notes: Vec<Note>,
    /// Identity across sources: the same alert reported by several instances shares it.
    pub fingerprint: Option<String>,
    /// Why it is suppressed, one line per reason ("silenced by …", "inhibited by …").
    pub suppressed_by: Vec<String>,
    /// Receivers it is routed to.
    pub receivers: Vec<Arc<str>>,
}

/// The raw, unsanitized parts of an alert as a source mapped them, borrowed from the
/// answer where it can be. `build` sanitizes (one allocation per kept string).
#[derive(Clone, Debug)]
pub struct AlertDraft<'a> {
    /// The id within the source.
    pub id: Cow<'a, str>,
    /// Raw title.
    pub title: Cow<'a, str>,
    /// Severity.
    pub severity: Severity,
    /// Status.
    pub status: Status,
    /// Raw labels.
    pub labels: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Raw annotations.
    pub annotations: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Start of firing.
    pub started_at: DateTime<Utc>,
    /// Last report.
    pub last_seen: DateTime<Utc>,
    /// Who acked.
    pub acked_by: Option<Cow<'a, str>>,
    /// When acked.
    pub acked_at: Option<DateTime<Utc>>,
    /// Silenced until.
    pub silenced_until: Option<DateTime<Utc>>,
    /// Raw links as (label, url).
    pub links: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    /// Notes (already built, so already sanitized).
    pub notes: Vec<Note>,
    /// Identity across sources.
    pub fingerprint: Option<Cow<'a, str>>,
    /// Raw suppression reasons.
    pub suppressed_by: Vec<Cow<'a, str>>,
    /// Raw receiver names.
    pub receivers: Vec<Cow<'a, str>>,
}

impl AlertDraft<'_> {
    /// Sanitizes every field and builds the alert of `source`.
    pub fn build(self, source: &SourceId) -> Alert {
        self.build_interned(source, &mut Interner::default())
    }

    /// Like `build`, sharing label and annotation strings through `interner`.
    pub fn build_interned(self, source: &SourceId, interner: &mut Interner) -> Alert {
        let mut clean = |s: &str, f: fn(&str, usize) -> String, cap: usize| {
            // Clean text interns as itself; only dirty text needs a sanitized copy.
            if sanitize::is_clean(s, cap) {
                interner.intern(s)
            } else {
                interner.intern(&f(s, cap))
            }
        };
        let labels: Vec<_> = self
            .labels
            .iter()
            .map(|(k, v)| {
                (
                    clean(k, sanitize::line, sanitize::LABEL_CAP),
                    clean(v, sanitize::line, sanitize::LABEL_CAP),
                )
            })
            .collect();
        let annotations: Vec<_> = self
            .annotations
            .iter()
            .map(|(k, v)| {
                (
                    clean(k, sanitize::line, sanitize::LABEL_CAP),
                    clean(v, sanitize::text, sanitize::TEXT_CAP),
                )
            })
            .collect();
        let (labels, annotations) = (Labels::from_pairs(labels), Labels::from_pairs(annotations));
        let service = ["service", "app", "job"]
            .iter()
            .find_map(|k| labels.get(k))
            .unwrap_or_default();
        let service = clean(service, sanitize::line, sanitize::LABEL_CAP);
        let id = sanitize::line(&self.id, sanitize::LABEL_CAP);
        Alert {
            key: AlertKey::new(source, &id),
            source: source.clone(),
            title: clean(&self.title, sanitize::line, sanitize::TITLE_CAP),
            severity: self.severity,
            status: self.status,
            service,
            labels,
            annotations,
            started_at: self.started_at,
            last_seen: self.last_seen,
            acked_by: self
                .acked_by
                .map(|a| sanitize::line(&a, sanitize::LABEL_CAP)),
            acked_at: self.acked_at,
            silenced_until: self.silenced_until,
            links: self
                .links
                .into_iter()
                .map(|(label, url)| Link {
                    label: clean(&label, sanitize::line, sanitize::LABEL_CAP),
                    url: clean(&url, sanitize::line, sanitize::TEXT_CAP),
                })
                .collect(),
            notes: self.notes,
            fingerprint: self
                .fingerprint
                .map(|f| sanitize::line(&f, sanitize::LABEL_CAP)),
            suppressed_by: clean_list(self.suppressed_by),
            receivers: self
                .receivers
                .iter()
                .map(|r| clean(r, sanitize::line, sanitize::LABEL_CAP))
                .collect(),
        }
    }
}

fn clean_list(items: Vec<Cow<'_, str>>) -> Vec<String> {
    items
        .iter()
        .map(|s| sanitize::line(s, sanitize::LABEL_CAP))
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn draft() -> AlertDraft<'static> {
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
