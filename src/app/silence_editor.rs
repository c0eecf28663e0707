//! The silence editor's state: matchers, duration and comment being typed, and the live
//! preview of which current alerts the silence would catch. `update` recomputes the preview
//! on every edit; the view only draws it.

use std::sync::Arc;
use std::time::Duration;

use super::text_input::TextInput;
use crate::model::{Alert, AlertKey, Matcher};

/// A silence that catches more alerts than this asks for a second look.
pub const BROAD_AT: usize = 10;

/// Which field has the cursor.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// `name="value" …`.
    Matchers,
    /// `2h`.
    Duration,
    /// Free text.
    Comment,
}

/// An alert a silence would catch, as the preview lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Caught {
    /// Its key.
    pub key: AlertKey,
    /// Its title.
    pub title: Arc<str>,
    /// Its labels that the other caught alerts do not all share (`instance="db-2"`): what
    /// tells them apart.
    pub differs: String,
}

/// The editor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SilenceEditor {
    /// Matchers, space separated.
    pub matchers: TextInput,
    /// Length.
    pub duration: TextInput,
    /// Why.
    pub comment: TextInput,
    /// The field being edited.
    pub field: Field,
    /// The alerts the matchers catch now (so the view need not look them up among every
    /// alert), or why the matchers do not parse.
    pub preview: Result<Vec<Caught>, String>,
    /// Why the last submission was refused.
    pub error: Option<String>,
    /// The length typed is a maintenance window (`every … until …`): the preview's alerts
    /// are caught only inside each window.
    pub is_window: bool,
}

impl SilenceEditor {
    /// An editor prefilled with matchers for `alerts`: every label they share.
    pub fn for_alerts(alerts: &[&Alert], duration: Duration) -> SilenceEditor {
        let mut common: Vec<(&str, &str)> = alerts
            .first()
            .map(|a| a.labels.iter().collect())
            .unwrap_or_default();
        common.retain(|(k, v)| alerts.iter().all(|a| a.labels.get(k) == Some(*v)));
        let text: Vec<String> = common
            .iter()
            .map(|(k, v)| Matcher::equal(k, v).to_string())
            .collect();
        SilenceEditor {
            matchers: TextInput::with_text(&text.join(" ")),
            duration: TextInput::with_text(&crate::duration_fmt::short(duration)),
            comment: TextInput::default(),
            field: Field::Comment,
            preview: Ok(Vec::new()),
            error: None,
            is_window: false,
        }
    }

    /// The input being edited.
    pub fn current(&mut self) -> &mut TextInput {
        match self.field {
            Field::Matchers => &mut self.matchers,
            Field::Duration => &mut self.duration,
            Field::Comment => &mut self.comment,
        }
    }

    /// Moves to the next (or previous) field.
    pub fn cycle(&mut self, forward: bool) {
        self.field = match (self.field, forward) {
            (Field::Matchers, true) | (Field::Comment, false) => Field::Duration,
            (Field::Duration, true) | (Field::Matchers, false) => Field::Comment,
            (Field::Comment, true) | (Field::Duration, false) => Field::Matchers,
        };
    }

    /// The matchers typed, parsed.
    pub fn parsed_matchers(&self) -> Result<Vec<Matcher>, String> {
        let parsed = split_matchers(self.matchers.text())
            .iter()
            .map(|m| Matcher::parse(m))
            .collect::<Result<Vec<_>, _>>()?;
        if parsed.is_empty() {
            return Err("a silence needs at least one matcher".into());
        }
        Ok(parsed)
    }

    /// Recomputes the preview over `alerts`.
    pub fn refresh_preview<'a>(&mut self, alerts: impl Iterator<Item = &'a Alert>) {
        // Each alert once, however many instances report it (as the list shows it); the
        // other instances are found again through `App::duplicates` when the silence is sent.
        let mut seen = std::collections::HashSet::new();
        self.is_window = matches!(
            crate::model::window::Length::parse(self.duration.text()),
            Ok(crate::model::window::Length::Window { .. })
        );
        self.preview = self.parsed_matchers().map(|ms| {
            let caught: Vec<&Alert> = alerts
                .filter(|a| ms.iter().all(|m| m.matches(a)))
                .filter(|a| {
                    a.fingerprint
                        .as_deref()
                        .is_none_or(|f| seen.insert(f.to_string()))
                })
                .collect();
            let mut shared: Vec<(&str, &str)> = caught
                .first()
                .map(|a| a.labels.iter().collect())
                .unwrap_or_default();
            shared.retain(|(k, v)| caught.iter().all(|a| a.labels.get(k) == Some(*v)));
            caught
                .iter()
                .map(|a| Caught {
                    key: a.key.clone(),
                    title: a.title.clone(),
                    differs: a
                        .labels
                        .iter()
                        .filter(|l| !shared.contains(l) && l.0 != "alertname")
                        .map(|(k, v)| Matcher::equal(k, v).to_string())
                        .collect::<Vec<_>>()
                        .join(" "),
                })
                .collect()
        });
    }

    /// Why these matchers deserve a second look, if they do.
    pub fn warning(&self) -> Option<String> {
        let caught = self.preview.as_ref().ok()?.len();
        let parsed = self.parsed_matchers().ok()?;
        let is_narrowed = parsed
            .iter()
            .any(|m| m.is_equal && matches!(m.name.as_str(), "alertname" | "service"));
        if caught > BROAD_AT {
            Some(format!("broad: catches {caught} alerts"))
        } else if !is_narrowed {
            Some("broad: no alertname or service matcher".into())
        } else {
            None
        }
    }
}

/// Splits `a="x y" b=~"z"` on spaces outside quotes.
fn split_matchers(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    for c in text.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                cur.push(c);
            }
            ' ' | ',' if !quoted => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            _ => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoted_values_may_hold_spaces() {
        assert_eq!(
            split_matchers(r#"alertname="High Latency", env=~"prod.*""#),
            [r#"alertname="High Latency""#, r#"env=~"prod.*""#]
        );
    }
}
