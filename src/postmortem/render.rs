//! Filling the post-mortem template: `{{name}}` placeholders replaced by the facts, written
//! as Markdown, every value sanitized and the whole draft scrubbed of secrets. An unknown
//! placeholder is an error naming it (a typo in an overriding template shows at once).

use chrono::{DateTime, TimeDelta, Utc};

use super::facts::Facts;
use crate::journal::{Entry, EntryKind};
use crate::model::sanitize;

/// The placeholders a template may use.
pub const PLACEHOLDERS: &[&str] = &[
    "title",
    "subject",
    "severity",
    "status",
    "impact_window",
    "detected",
    "acknowledged",
    "resolved",
    "tta",
    "ttr",
    "services",
    "alerts",
    "responders",
    "key_moments",
    "timeline",
    "generated",
];

/// Longest single value (a note) put in a draft.
const VALUE_CAP: usize = 20_000;

/// Checks that `template` uses only known placeholders.
pub fn check(template: &str) -> Result<(), String> {
    placeholders(template)
        .find(|name| !PLACEHOLDERS.contains(name))
        .map_or(Ok(()), |bad| {
            Err(format!(
                "unknown placeholder {{{{{bad}}}}} (known: {})",
                PLACEHOLDERS.join(", ")
            ))
        })
}

fn placeholders(template: &str) -> impl Iterator<Item = &str> {
    template.split("{{").skip(1).filter_map(|s| {
        let (name, _) = s.split_once("}}")?;
        Some(name.trim())
    })
}

/// The draft of `facts` in `template`, as of `generated`.
pub fn draft(facts: &Facts, template: &str, generated: DateTime<Utc>) -> Result<String, String> {
    check(template)?;
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let after = &rest[at + 2..];
        let Some(end) = after.find("}}") else {
            out.push_str(&rest[at..]);
            rest = "";
            break;
        };
        out.push_str(&value(facts, after[..end].trim(), generated));
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(super::scrub(&out))
}

fn value(f: &Facts, name: &str, generated: DateTime<Utc>) -> String {
    let line = |s: &str| sanitize::line(s, 500);
    match name {
        "title" => line(&f.title),
        "subject" => line(&f.subject),
        "severity" => or_dash(line(&f.severity)),
        "status" => line(&f.status),
        "impact_window" => match (f.detected, f.resolved) {
            (Some(from), Some(to)) => {
                format!("{} to {} ({})", when(from), when(to), span(to - from))
            }
            (Some(from), None) => format!("{} to now (not resolved)", when(from)),
            _ => "—".into(),
        },
        "detected" => f.detected.map_or("—".into(), when),
        "acknowledged" => f
            .acknowledged
            .as_ref()
            .map_or("not acknowledged".into(), |(at, who)| {
                format!("{} by {}", when(*at), line(who))
            }),
        "resolved" => f.resolved.map_or("not resolved".into(), when),
        "tta" => f.tta().map_or("—".into(), span),
        "ttr" => f.ttr().map_or("—".into(), span),
        "services" => or_dash(
            f.services()
                .iter()
                .map(|s| line(s))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        "alerts" => list(f.alerts.iter().map(|a| {
            let mut s = format!("`{}` {}", line(&a.key.0), line(&a.title));
            if !a.severity.is_empty() {
                s.push_str(&format!(" ({})", a.severity));
            }
            if let Some(at) = a.started_at {
                s.push_str(&format!(", fired {}", when(at)));
            }
            s
        })),
        "responders" => list(
            f.responders
                .iter()
                .map(|(who, roles)| format!("{}: {}", line(who), roles.join(", "))),
        ),
        "key_moments" => {
            let starred: Vec<&Entry> = f.timeline.iter().filter(|e| e.starred).collect();
            if starred.is_empty() {
                "_None starred: `:star ID` marks the moments that matter._".into()
            } else {
                list(starred.into_iter().map(entry))
            }
        }
        "timeline" => list(f.timeline.iter().map(entry)),
        "generated" => when(generated),
        _ => String::new(),
    }
}

fn or_dash(s: String) -> String {
    if s.is_empty() { "—".into() } else { s }
}

/// A Markdown list, or a dash when empty.
fn list(items: impl Iterator<Item = String>) -> String {
    let lines: Vec<String> = items.map(|i| format!("- {i}")).collect();
    if lines.is_empty() {
        "—".into()
    } else {
        lines.join("\n")
    }
}

/// One timeline entry: time, who, what (a note's further lines indented under it).
fn entry(e: &Entry) -> String {
    let what = match e.kind {
        EntryKind::Note => "note",
        EntryKind::Correction => "correction",
        EntryKind::Action => "action",
        EntryKind::Observed => "seen",
        EntryKind::Step => "step",
    };
    let body = sanitize::text(&e.body, VALUE_CAP);
    let body = body.trim_end().replace('\n', "\n  ");
    let corrects = e
        .corrects
        .map(|id| format!(" (corrects #{id})"))
        .unwrap_or_default();
    format!(
        "{} · {} · {what}{corrects}: {body}",
        when(e.at),
        sanitize::line(&e.author, 100)
    )
}

/// A time as a post-mortem gives it: date and second, UTC.
fn when(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A duration to the second: "4m 10s", "1h 12m 5s", "2d 3h".
pub fn span(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    let (days, hours, mins, secs) = (s / 86_400, (s / 3_600) % 24, (s / 60) % 60, s % 60);
    let parts = [(days, "d"), (hours, "h"), (mins, "m"), (secs, "s")];
    let shown: Vec<String> = parts
        .iter()
        .skip_while(|(n, _)| *n == 0)
        .filter(|(n, _)| *n != 0)
        .map(|(n, u)| format!("{n}{u}"))
        .collect();
    if shown.is_empty() {
        "0s".into()
    } else {
        shown.join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_read_to_the_second() {
        let s = |n| span(TimeDelta::seconds(n));
        assert_eq!(s(0), "0s");
        assert_eq!(s(250), "4m 10s");
        assert_eq!(s(3_600), "1h");
        assert_eq!(s(4_325), "1h 12m 5s");
        assert_eq!(s(183_600), "2d 3h");
    }

    #[test]
    fn unknown_placeholders_are_named() {
        assert!(check("{{title}} {{ tta }}").is_ok());
        let e = check("# {{title}}\n{{ttA}}").unwrap_err();
        assert!(e.contains("{{ttA}}") && e.contains("tta"), "{e}");
    }
}
