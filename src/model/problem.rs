//! Problems: the ITIL known-error record behind recurring incidents — the cause once known,
//! the workaround every linked alert shows, a status, an owner and a ticket; linked to
//! alerts by name (title and service: the same alert fires again under new keys) and to
//! incidents. Kept in the journal; every change is a timeline entry under `problem:ID`.

use chrono::{DateTime, Utc};

use super::sanitize;

/// Where a problem stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemStatus {
    /// The cause is not known yet.
    Investigating,
    /// The cause is known and a workaround is recorded; the fix is not in.
    KnownError,
    /// Fixed for good.
    Resolved,
}

impl ProblemStatus {
    /// Every status, in order.
    pub const ALL: [ProblemStatus; 3] = [
        ProblemStatus::Investigating,
        ProblemStatus::KnownError,
        ProblemStatus::Resolved,
    ];

    /// The stored and shown name.
    pub fn name(self) -> &'static str {
        match self {
            ProblemStatus::Investigating => "investigating",
            ProblemStatus::KnownError => "known error",
            ProblemStatus::Resolved => "resolved",
        }
    }

    /// The status named `s` ("known-error" and "known_error" too).
    pub fn parse(s: &str) -> Option<ProblemStatus> {
        let s = s.trim().to_ascii_lowercase().replace(['-', '_'], " ");
        ProblemStatus::ALL.into_iter().find(|p| p.name() == s)
    }
}

/// An alert a problem covers, by name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct AlertName {
    /// Its title.
    pub title: String,
    /// Its service ("" when none).
    pub service: String,
}

impl AlertName {
    /// As stored and shown: "CheckoutErrors · checkout".
    pub fn stored(&self) -> String {
        if self.service.is_empty() {
            self.title.clone()
        } else {
            format!("{} · {}", self.title, self.service)
        }
    }

    /// Read back from `stored`.
    pub fn parse(s: &str) -> AlertName {
        let (title, service) = s.rsplit_once(" · ").unwrap_or((s, ""));
        AlertName {
            title: title.to_string(),
            service: service.to_string(),
        }
    }

    /// Whether `title` and `service` are this name.
    pub fn is(&self, title: &str, service: &str) -> bool {
        self.title == title && self.service == service
    }
}

/// A problem record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// Its number.
    pub id: i64,
    /// What it is.
    pub title: String,
    /// Where it stands.
    pub status: ProblemStatus,
    /// The underlying cause, once known ("" until then).
    pub cause: String,
    /// What to do meanwhile ("" when none is known).
    pub workaround: String,
    /// Who owns it ("" when nobody).
    pub owner: String,
    /// The ticket that tracks the fix ("" when none).
    pub ticket: String,
    /// Who opened it.
    pub author: String,
    /// When it was opened.
    pub created_at: DateTime<Utc>,
    /// When it last changed.
    pub updated_at: DateTime<Utc>,
    /// The alerts it covers.
    pub alerts: Vec<AlertName>,
    /// The incidents it links (`incident:N`).
    pub incidents: Vec<String>,
}

impl Problem {
    /// Its subject on the timeline.
    pub fn subject(&self) -> String {
        subject(self.id)
    }

    /// Whether it covers alerts named `title` and `service`.
    pub fn covers(&self, title: &str, service: &str) -> bool {
        self.alerts.iter().any(|a| a.is(title, service))
    }

    /// As read back from the journal: every text made safe to show.
    pub fn cleaned(self) -> Problem {
        let line = |s: &str| sanitize::line(s, sanitize::TITLE_CAP);
        Problem {
            title: line(&self.title),
            cause: sanitize::text(&self.cause, sanitize::TEXT_CAP),
            workaround: sanitize::text(&self.workaround, sanitize::TEXT_CAP),
            owner: line(&self.owner),
            ticket: line(&self.ticket),
            author: line(&self.author),
            alerts: self
                .alerts
                .iter()
                .map(|a| AlertName {
                    title: line(&a.title),
                    service: line(&a.service),
                })
                .collect(),
            incidents: self.incidents.iter().map(|i| line(i)).collect(),
            ..self
        }
    }
}

/// What fixed a past incident, for the responder meeting the same alert again: its
/// post-mortem's root cause and resolution, and the notes marked as workarounds.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PastFix {
    /// The incident (`incident:N`).
    pub incident: String,
    /// The post-mortem's root cause lines.
    pub root_cause: Vec<String>,
    /// The post-mortem's resolution lines.
    pub resolution: Vec<String>,
    /// Notes on the incident that begin "workaround".
    pub workarounds: Vec<String>,
}

impl PastFix {
    /// Whether it says anything.
    pub fn is_empty(&self) -> bool {
        self.root_cause.is_empty() && self.resolution.is_empty() && self.workarounds.is_empty()
    }
}

/// The lines under `## {heading}` in a post-mortem, until the next heading, without blank
/// lines and the template's placeholders (`_What stopped the impact…_`).
pub fn section_lines(markdown: &str, heading: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in markdown.lines() {
        if let Some(h) = line.strip_prefix("## ") {
            inside = h.trim().eq_ignore_ascii_case(heading);
            continue;
        }
        let l = line.trim();
        let is_placeholder = l.len() > 1 && l.starts_with('_') && l.ends_with('_');
        if inside && !l.is_empty() && !is_placeholder && l != "-" {
            out.push(sanitize::line(l, sanitize::TITLE_CAP));
        }
    }
    out
}

/// Whether a note is marked as a workaround ("workaround: …", "Workaround - …").
pub fn is_workaround(note: &str) -> bool {
    note.trim_start()
        .get(..10)
        .is_some_and(|w| w.eq_ignore_ascii_case("workaround"))
}

/// The timeline subject of problem `id`.
pub fn subject(id: i64) -> String {
    format!("problem:{id}")
}

/// A change to a problem.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ProblemChange {
    /// Its status.
    Status(ProblemStatus),
    /// Its cause.
    Cause(String),
    /// Its workaround.
    Workaround(String),
    /// Its owner.
    Owner(String),
    /// Its ticket.
    Ticket(String),
    /// One more alert it covers.
    LinkAlert(AlertName),
    /// One more incident it links.
    LinkIncident(String),
}

impl ProblemChange {
    /// What the timeline says of it ("workaround: restart the pool").
    pub fn said(&self) -> String {
        match self {
            ProblemChange::Status(s) => format!("status: {}", s.name()),
            ProblemChange::Cause(c) => format!("cause: {c}"),
            ProblemChange::Workaround(w) => format!("workaround: {w}"),
            ProblemChange::Owner(o) => format!("owner: {o}"),
            ProblemChange::Ticket(t) => format!("ticket: {t}"),
            ProblemChange::LinkAlert(a) => format!("covers alert {}", a.stored()),
            ProblemChange::LinkIncident(i) => format!("links {i}"),
        }
    }

    /// The change `:problem FIELD VALUE` asks for.
    pub fn parse(field: &str, value: &str) -> Result<ProblemChange, String> {
        let value = value.trim().to_string();
        let needs_value = |c: fn(String) -> ProblemChange| {
            if value.is_empty() {
                Err(format!("{field} needs a value"))
            } else {
                Ok(c(value.clone()))
            }
        };
        match field {
            "status" => ProblemStatus::parse(&value)
                .map(ProblemChange::Status)
                .ok_or_else(|| {
                    format!("status '{value}': use investigating, known-error or resolved")
                }),
            "cause" => needs_value(ProblemChange::Cause),
            "workaround" | "wa" => needs_value(ProblemChange::Workaround),
            "owner" => needs_value(ProblemChange::Owner),
            "ticket" => needs_value(ProblemChange::Ticket),
            other => Err(format!(
                "'{other}': use cause, workaround, status, owner or ticket"
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_read_as_typed_and_said_on_the_timeline() {
        assert_eq!(
            ProblemChange::parse("status", "known-error"),
            Ok(ProblemChange::Status(ProblemStatus::KnownError))
        );
        assert_eq!(
            ProblemChange::parse("wa", " restart the pool "),
            Ok(ProblemChange::Workaround("restart the pool".into()))
        );
        assert!(ProblemChange::parse("cause", " ").is_err());
        assert!(ProblemChange::parse("status", "done").is_err());
        assert!(ProblemChange::parse("colour", "red").is_err());
        let name = AlertName::parse("Disk · full · db");
        assert_eq!(
            (name.title.as_str(), name.service.as_str()),
            ("Disk · full", "db")
        );
        assert_eq!(name.stored(), "Disk · full · db");
        let pm = "# PM\n## Root cause\n\n_The underlying cause._\n\nA driver leak.\n## Trigger\nx\n## Resolution\nRestarted the pool.\n-\n";
        assert_eq!(section_lines(pm, "root cause"), ["A driver leak."]);
        assert_eq!(section_lines(pm, "Resolution"), ["Restarted the pool."]);
        assert!(is_workaround("Workaround: restart") && !is_workaround("work around"));
        assert_eq!(
            ProblemChange::LinkAlert(name).said(),
            "covers alert Disk · full · db"
        );
    }
}
