//! Alertmanager wire values into model values: alerts with severity from the configured label,
//! status from silences (an onduty ack silence makes an alert Acked), and silences.

use std::borrow::Cow;
use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserializer;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};

use super::wire::{GettableAlert, GettableSilence, Pairs, WireMatcher};
use crate::model::{
    Alert, AlertDraft, Interner, Matcher, Severity, Silence, SilenceState, SourceId, Status,
    sanitize,
};

/// How severities are read from labels.
#[derive(Clone, Debug, Default)]
pub struct SeverityRule {
    /// The label holding the severity (default `severity`).
    pub label: String,
    /// Label values mapped to severities, before the common spellings.
    pub map: BTreeMap<String, Severity>,
}

impl SeverityRule {
    /// The rule of a source's `severity_label` (default `severity`) and `severity_map`
    /// (checked by `severity_map_problems`).
    pub fn new(label: Option<&str>, map: &BTreeMap<String, String>) -> SeverityRule {
        SeverityRule {
            label: label.unwrap_or("severity").to_string(),
            map: map
                .iter()
                .filter_map(|(k, v)| Some((k.clone(), Severity::parse(v)?)))
                .collect(),
        }
    }

    fn of(&self, labels: &Pairs<'_>) -> Severity {
        self.of_value(labels.get(&self.label))
    }

    /// The severity of an alert whose severity label holds `value`.
    pub fn of_value(&self, value: Option<&str>) -> Severity {
        let Some(v) = value else {
            return Severity::Unknown;
        };
        self.map
            .get(v)
            .copied()
            .or_else(|| Severity::parse(v))
            .unwrap_or(Severity::Unknown)
    }
}

/// What mapping needs besides the wire alert.
pub struct Context<'c> {
    /// The source's name.
    pub source: &'c SourceId,
    /// Severity rule.
    pub rule: &'c SeverityRule,
    /// The source's current silences (who acked, until when silenced).
    pub silences: &'c [Silence],
    /// Now, for alerts without times.
    pub now: DateTime<Utc>,
}

/// The alerts of an answer, and how many of its items were no alerts.
#[derive(Debug, Default)]
pub struct Mapped {
    /// The alerts, mapped.
    pub alerts: Vec<Alert>,
    /// Items without what an alert needs (a fingerprint, a label): not kept, counted.
    pub invalid: usize,
}

impl Mapped {
    /// Adds `w` as an alert, or counts it as invalid: a million `{}` must not become one
    /// `?` row while the health view says "1,000,000 alerts".
    fn add(&mut self, w: GettableAlert<'_>, cx: &Context<'_>, interner: &mut Interner) {
        if w.fingerprint.0.trim().is_empty() || w.labels.0.is_empty() {
            self.invalid += 1;
        } else {
            self.alerts.push(alert(w, cx, interner));
        }
    }

    fn done(mut self) -> Mapped {
        // The list grew by doubling; kept for minutes, it gives the slack back (a realloc in
        // place for a buffer this size).
        self.alerts.shrink_to_fit();
        self
    }
}

/// Decodes a whole `GET /alerts` answer and maps each alert as it is parsed: no list of
/// wire alerts is ever held, and strings are borrowed from `body` until sanitized.
pub fn alerts_from_body(body: &[u8], cx: &Context<'_>) -> Result<Mapped, serde_json::Error> {
    alerts_from(serde_json::Deserializer::from_slice(body), cx)
}

/// As `alerts_from_body`, reading the answer as it streams in: only the alert being decoded
/// is held, and it is decoded from its own bytes (serde_json's reader, a byte at a time,
/// took twice as long; see BENCHMARKS.md). What the decoded alerts hold counts against
/// `max_held` (`max_response_mb`) as they are decoded: a small alert costs more decoded than
/// its JSON, so counting the answer's bytes alone let a capped answer of many small alerts
/// take twice the cap.
pub fn alerts_from_reader(
    reader: impl std::io::Read,
    cx: &Context<'_>,
    max_held: usize,
) -> Result<Mapped, serde_json::Error> {
    let mut interner = Interner::default();
    let mut mapped = Mapped::default();
    let mut held = 0usize;
    crate::sources::json_array::for_each_element(reader, |bytes| {
        let n = mapped.alerts.len() + mapped.invalid + 1;
        let kept = mapped.alerts.len();
        let wire: GettableAlert<'_> = serde_json::from_slice(bytes)
            .map_err(|e| serde::de::Error::custom(format!("alert {n} of the list: {e}")))?;
        mapped.add(wire, cx, &mut interner);
        // What is kept counts; an item that is no alert is not held.
        if mapped.alerts.len() > kept {
            held = held.saturating_add(bytes.len() + std::mem::size_of::<Alert>());
        }
        if held > max_held {
            return Err(serde::de::Error::custom(format!(
                "answer larger than the {} MB cap (max_response_mb) once decoded",
                max_held >> 20
            )));
        }
        Ok(())
    })?;
    Ok(mapped.done())
}

fn alerts_from<'de, R: serde_json::de::Read<'de>>(
    mut de: serde_json::Deserializer<R>,
    cx: &Context<'_>,
) -> Result<Mapped, serde_json::Error> {
    let mut interner = Interner::default();
    let mapped = MapEach(cx, &mut interner).deserialize(&mut de)?;
    de.end()?;
    Ok(mapped.done())
}

struct MapEach<'c, 'x>(&'c Context<'x>, &'c mut Interner);

impl<'de> DeserializeSeed<'de> for MapEach<'_, '_> {
    type Value = Mapped;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Mapped, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for MapEach<'_, '_> {
    type Value = Mapped;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a list of alerts")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Mapped, S::Error> {
        let mut out = Mapped {
            alerts: Vec::with_capacity(seq.size_hint().unwrap_or(0)),
            invalid: 0,
        };
        while let Some(w) = seq.next_element::<GettableAlert<'de>>()? {
            out.add(w, self.0, self.1);
        }
        Ok(out)
    }
}

/// The model alert of one wire alert, built once.
pub fn alert(w: GettableAlert<'_>, cx: &Context<'_>, interner: &mut Interner) -> Alert {
    let severity = cx.rule.of(&w.labels);
    let title: Cow<'_, str> = match w.labels.get("alertname") {
        Some(t) => Cow::Owned(t.to_owned()),
        None => Cow::Borrowed("(no alertname)"),
    };
    let mut links = Vec::new();
    if let Some(url) = w
        .annotations
        .get("runbook_url")
        .or_else(|| w.annotations.get("runbook"))
    {
        links.push((Cow::Borrowed("runbook"), Cow::Owned(url.to_owned())));
    }
    if let Some(url) = w.generator_url.filter(|u| !u.0.is_empty()) {
        links.push((Cow::Borrowed("source"), url.0));
    }
    let draft = AlertDraft {
        id: w.fingerprint.0.clone(),
        title,
        severity,
        status: Status::Firing,
        labels: w.labels.0,
        annotations: w.annotations.0,
        started_at: w.starts_at.unwrap_or(cx.now),
        last_seen: w.updated_at.unwrap_or(cx.now),
        acked_by: None,
        acked_at: None,
        silenced_until: None,
        links,
        notes: Vec::new(),
        fingerprint: Some(w.fingerprint.0),
        suppressed_by: Vec::new(),
        receivers: w.receivers.into_iter().map(|r| r.name.0).collect(),
        escalation: None,
    };
    let mut alert = draft.build_shared(cx.source, interner);
    apply_suppression(
        &mut alert,
        &w.status.silenced_by,
        &w.status.inhibited_by,
        cx.silences,
    );
    alert
}

/// Sets status, who acked, silenced-until and the suppression reasons. Every string set here
/// comes from an already sanitized `Silence`, or is sanitized here.
fn apply_suppression(
    alert: &mut Alert,
    silenced_by: &[String],
    inhibited_by: &[String],
    silences: &[Silence],
) {
    // Silences that catch the alert now, whether or not the server has marked it yet.
    let catching: Vec<&Silence> = silences
        .iter()
        .filter(|s| {
            s.state == SilenceState::Active && (silenced_by.contains(&s.id) || s.catches(alert))
        })
        .collect();
    let (acks, others): (Vec<&Silence>, Vec<&Silence>) =
        catching.into_iter().partition(|s| s.is_ack());
    let mut suppressed_by = std::mem::take(&mut alert.suppressed_by).into_vec();
    for s in &others {
        suppressed_by.push(format!(
            "silenced by {} ({}: {})",
            short_id(&s.id),
            s.created_by,
            s.comment
        ));
    }
    for fp in inhibited_by {
        suppressed_by.push(format!(
            "inhibited by alert {}",
            sanitize::line(fp, sanitize::LABEL_CAP)
        ));
    }
    alert.suppressed_by = suppressed_by.into();
    if let Some(ack) = acks.iter().min_by_key(|s| s.starts_at) {
        alert.status = Status::Acked;
        alert.acked_by = Some(ack.created_by.clone());
        alert.acked_at = Some(ack.starts_at);
    }
    if let Some(until) = others.iter().map(|s| s.ends_at).max() {
        alert.status = Status::Silenced;
        alert.silenced_until = Some(until);
    } else if !inhibited_by.is_empty() && alert.status == Status::Firing {
        alert.status = Status::Silenced;
    }
}

fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}

/// The model silence of one wire silence; `None` if a matcher is unusable.
pub fn silence(w: GettableSilence, source: &SourceId) -> Option<Silence> {
    let matchers = w
        .matchers
        .iter()
        .map(|m| Matcher::new(&m.name, &m.value, m.is_regex, m.is_equal))
        .collect::<Result<Vec<_>, _>>()
        .map_err(
            |e| tracing::warn!(source = %source, silence = %w.id, error = %e, "skipping a silence"),
        )
        .ok()?;
    let state = match w.status.state.as_str() {
        "active" => SilenceState::Active,
        "pending" => SilenceState::Pending,
        _ => SilenceState::Expired,
    };
    let clean = |s: &str| crate::model::sanitize::line(s, crate::model::sanitize::LABEL_CAP);
    Some(Silence {
        id: clean(&w.id),
        source: source.clone(),
        matchers,
        starts_at: w.starts_at.unwrap_or_default(),
        ends_at: w.ends_at.unwrap_or_default(),
        created_by: clean(&w.created_by),
        comment: clean(&w.comment),
        state,
    })
}

/// Wire matchers of model matchers.
pub fn wire_matchers(matchers: &[Matcher]) -> Vec<WireMatcher> {
    matchers
        .iter()
        .map(|m| WireMatcher {
            name: m.name.clone(),
            value: m.value.clone(),
            is_regex: m.is_regex,
            is_equal: m.is_equal,
        })
        .collect()
}

/// Matchers that pin exactly `alert`: every label, equal.
pub fn pin(alert: &Alert) -> Vec<Matcher> {
    alert
        .labels
        .iter()
        .map(|(k, v)| Matcher::equal(k, v))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sources::alertmanager::wire::{GettableAlert, GettableSilence};

    #[test]
    fn escaped_strings_decode_owned_and_plain_ones_borrowed() {
        let body = br#"[{"labels":{"alertname":"A\u00e9","team":"web"},"fingerprint":"f1"}]"#;
        let w: Vec<GettableAlert<'_>> = serde_json::from_slice(body).unwrap();
        assert!(matches!(w[0].labels.0[0].1, Cow::Owned(_)));
        assert!(matches!(w[0].labels.0[1].1, Cow::Borrowed("web")));
    }

    const ALERTS: &str = include_str!("../../../tests/fixtures/alertmanager/alerts.json");
    const SILENCES: &str = include_str!("../../../tests/fixtures/alertmanager/silences.json");

    fn mapped() -> Vec<Alert> {
        let source = SourceId("am".into());
        let silences: Vec<GettableSilence> = serde_json::from_str(SILENCES).unwrap();
        let silences: Vec<Silence> = silences
            .into_iter()
            .filter_map(|s| silence(s, &source))
            .collect();
        let rule = SeverityRule {
            label: "severity".into(),
            map: BTreeMap::new(),
        };
        let now =
            silences.iter().map(|s| s.starts_at).max().unwrap() + chrono::TimeDelta::seconds(1);
        let cx = Context {
            source: &source,
            rule: &rule,
            silences: &silences,
            now,
        };
        alerts_from_reader(ALERTS.as_bytes(), &cx, usize::MAX)
            .unwrap()
            .alerts
    }

    /// A context with no silences, now.
    fn bare_context<'c>(source: &'c SourceId, rule: &'c SeverityRule) -> Context<'c> {
        Context {
            source,
            rule,
            silences: &[],
            now: Utc::now(),
        }
    }

    #[test]
    fn items_that_are_no_alerts_are_counted_not_kept() {
        let (source, rule) = (SourceId("am".into()), SeverityRule::default());
        let cx = bare_context(&source, &rule);
        let answer = r#"[{}, {"fingerprint":"f2"}, {"labels":{"a":"b"}},
            {"labels":{"alertname":"Up"},"fingerprint":"f1"}, {}]"#;
        for mapped in [
            alerts_from_body(answer.as_bytes(), &cx).unwrap(),
            alerts_from_reader(answer.as_bytes(), &cx, usize::MAX).unwrap(),
        ] {
            assert_eq!(mapped.invalid, 4);
            assert_eq!(mapped.alerts.len(), 1);
            assert_eq!(&*mapped.alerts[0].title, "Up");
        }
    }

    #[test]
    fn what_the_decoded_alerts_hold_counts_against_the_cap() {
        let (source, rule) = (SourceId("am".into()), SeverityRule::default());
        let cx = bare_context(&source, &rule);
        let one = r#"{"labels":{"alertname":"Up"},"fingerprint":"f1"}"#;
        let answer = format!("[{}]", vec![one; 100].join(","));
        let each = one.len() + std::mem::size_of::<Alert>();
        assert_eq!(
            alerts_from_reader(answer.as_bytes(), &cx, 100 * each)
                .unwrap()
                .alerts
                .len(),
            100
        );
        // Below the answer's own size plus what the alerts hold once decoded: refused.
        assert!(answer.len() < 99 * each);
        let e = alerts_from_reader(answer.as_bytes(), &cx, 99 * each).unwrap_err();
        assert!(e.to_string().contains("once decoded"), "{e}");
    }

    fn by_title<'a>(alerts: &'a [Alert], title: &str) -> &'a Alert {
        alerts.iter().find(|a| &*a.title == title).unwrap()
    }

    #[test]
    fn an_onduty_ack_silence_makes_the_alert_acked_by_its_author() {
        let alerts = mapped();
        let hl = by_title(&alerts, "HighLatency");
        assert_eq!(hl.status, Status::Acked);
        assert!(hl.acked_by.is_some() && hl.acked_at.is_some());
        assert!(
            hl.suppressed_by.is_empty(),
            "an ack is not listed as a silence"
        );
    }

    #[test]
    fn other_silences_make_it_silenced_until_the_latest_end() {
        let alerts = mapped();
        let disk = by_title(&alerts, "DiskFull");
        assert_eq!(disk.status, Status::Silenced);
        assert_eq!(disk.suppressed_by.len(), 2);
        assert!(disk.silenced_until.is_some());
        assert_eq!(&disk.annotations["description"], "disk red", "CSI removed");
    }

    #[test]
    fn an_unsilenced_alert_fires_and_keys_by_fingerprint() {
        let alerts = mapped();
        let quiet = by_title(&alerts, "Quiet");
        assert_eq!(
            (quiet.status, quiet.severity),
            (Status::Firing, Severity::Info)
        );
        let fp = quiet.fingerprint.clone().unwrap();
        assert_eq!(quiet.key.0, format!("am:{fp}"));
    }

    #[test]
    fn unknown_fields_and_missing_ones_are_tolerated() {
        let w: Vec<GettableAlert<'_>> = serde_json::from_str(
            r#"[{"labels":{"alertname":"X"},"brandNew":1,"status":{"mutedBy":["t"]}}]"#,
        )
        .unwrap();
        assert_eq!(w[0].labels.get("alertname"), Some("X"));
        assert!(w[0].starts_at.is_none());
    }
}
