//! What a responder's operation means as an Opsgenie or JSM write: the write, its target
//! (a user, a team, an escalation, a schedule; by id where it is one), and the note that goes
//! with it.

use chrono::{DateTime, TimeDelta, Utc};

use super::client::{Dialect, Write};
use super::wire;
use crate::model::AlertKey;
use crate::sources::{Error, Operation};

/// The write `op` is on `alert`, and the note sent with it.
pub(super) fn write_for(
    key: &AlertKey,
    op: &Operation,
    alert: &wire::Alert,
    dialect: Dialect,
    now: DateTime<Utc>,
) -> Result<(Write, Option<String>), Error> {
    let closed = alert.status.as_deref() == Some("closed");
    let refuse_closed = |verb: &str| {
        Err(Error::Rejected(format!(
            "{key} is closed: nothing to {verb}"
        )))
    };
    Ok(match op {
        Operation::Acknowledge => (Write::Acknowledge, None),
        Operation::Unacknowledge if closed => return refuse_closed("unacknowledge"),
        Operation::Unacknowledge => (Write::Unacknowledge, None),
        Operation::Resolve => (Write::Close, None),
        Operation::Unresolve => return Err(super::CAPABILITIES.unresolve.refusal()),
        Operation::Silence { .. } if closed => return refuse_closed("snooze"),
        Operation::Silence { duration, comment } => {
            let delta = TimeDelta::from_std(*duration).unwrap_or(TimeDelta::hours(1));
            let until = now.checked_add_signed(delta).unwrap_or(now);
            let note = Some(comment.trim())
                .filter(|c| !c.is_empty())
                .map(|c| format!("snoozed until {}: {c}", until.format("%Y-%m-%d %H:%M UTC")));
            (Write::Snooze(until), note)
        }
        Operation::AddNote { text } => (Write::Note(text.clone()), None),
        Operation::Reassign { .. }
        | Operation::AddResponder { .. }
        | Operation::Escalate { .. }
            if closed =>
        {
            return refuse_closed(op.verb());
        }
        Operation::Reassign { to } => match to.split_once(':') {
            Some(("escalation", name)) => (
                Write::Escalate(recipient("escalation", name, dialect)?),
                None,
            ),
            Some(("team" | "schedule", _)) => {
                return Err(Error::Rejected(format!(
                    "an alert is owned by a user; ask {to} to respond with :responder {to}"
                )));
            }
            Some(("user", name)) => (Write::Assign(recipient("user", name, dialect)?), None),
            _ => (Write::Assign(recipient("user", to, dialect)?), None),
        },
        Operation::AddResponder { who } => {
            let (kind, name) = match who.split_once(':') {
                Some((k @ ("team" | "user" | "escalation" | "schedule"), name)) => {
                    (kind_of(k), name)
                }
                _ if who.contains('@') => ("user", who.as_str()),
                _ => ("team", who.as_str()),
            };
            (Write::AddResponder(recipient(kind, name, dialect)?), None)
        }
        Operation::Escalate { level: Some(_) } => {
            return Err(Error::Rejected(
                "Opsgenie escalates to the next rule of an escalation: e or :escalate without a \
                 level"
                    .into(),
            ));
        }
        Operation::Escalate { level: None } => {
            let escalation = alert
                .responders
                .iter()
                .find(|r| r.kind == "escalation" && !r.id.is_empty())
                .ok_or_else(|| {
                    Error::Rejected(format!(
                        "no escalation responds to {key}: :reassign escalation:NAME"
                    ))
                })?;
            let to = wire::Recipient {
                kind: Some("escalation"),
                id: Some(escalation.id.clone()),
                ..Default::default()
            };
            (Write::Escalate(to), None)
        }
        Operation::CreateSilence { .. } | Operation::ExpireSilence { .. } => {
            return Err(Error::Rejected(
                "Opsgenie has no silences; snooze an alert with s".into(),
            ));
        }
        Operation::Comment { .. } | Operation::Transition { .. } | Operation::CreateTicket(_) => {
            return Err(Error::Rejected(
                "Opsgenie keeps alerts, not tickets; comment in a Jira, GitHub or ServiceNow \
                 source"
                    .into(),
            ));
        }
        Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
            return Err(Error::Rejected(format!(
                "{key} is an Opsgenie alert; incidents are changed in the journal or an \
                 incident.io source"
            )));
        }
    })
}

/// The responder type of a prefix.
fn kind_of(prefix: &str) -> &'static str {
    match prefix {
        "user" => "user",
        "escalation" => "escalation",
        "schedule" => "schedule",
        _ => "team",
    }
}

/// `who` of `kind`, by id where it is one, else by name (Opsgenie only: JSM names
/// everything by id).
fn recipient(kind: &'static str, who: &str, dialect: Dialect) -> Result<wire::Recipient, Error> {
    let who = who.trim();
    let mut r = wire::Recipient {
        kind: Some(kind),
        ..Default::default()
    };
    if who.is_empty() {
        return Err(Error::Rejected(format!("which {kind}? none was named")));
    }
    if is_an_id(who) {
        r.id = Some(who.to_string());
    } else if dialect == Dialect::JsmOps {
        return Err(Error::Rejected(format!(
            "JSM Operations names a {kind} by its id (a UUID or an Atlassian account id), not \
             '{who}'"
        )));
    } else if kind == "user" {
        r.username = Some(who.to_string());
    } else {
        r.name = Some(who.to_string());
    }
    Ok(r)
}

/// Whether `s` is an id rather than a name: a UUID, or an Atlassian account id
/// (`557058:f1e2…`, or 24 hex digits).
pub(super) fn is_an_id(s: &str) -> bool {
    let hex = |t: &str| !t.is_empty() && t.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let uuid = s.len() == 36 && hex(s) && s.matches('-').count() == 4;
    let account = match s.split_once(':') {
        Some((n, rest)) => n.chars().all(|c| c.is_ascii_digit()) && hex(rest),
        None => s.len() == 24 && hex(s),
    };
    uuid || account
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(json: &str) -> wire::Alert {
        serde_json::from_str(json).unwrap()
    }

    fn key() -> AlertKey {
        AlertKey("og:a1".into())
    }

    #[test]
    fn each_operation_is_its_write() {
        let now = DateTime::<Utc>::UNIX_EPOCH + TimeDelta::days(20_000);
        let open = alert(r#"{"id":"a1","status":"open"}"#);
        let og = Dialect::Opsgenie;
        let w = |op: Operation| write_for(&key(), &op, &open, og, now).map(|(w, _)| w);
        assert_eq!(w(Operation::Resolve), Ok(Write::Close));
        let Ok(Write::Assign(r)) = w(Operation::Reassign {
            to: "ana@example.com".into(),
        }) else {
            panic!("a bare name is the owner")
        };
        assert_eq!(r.username.as_deref(), Some("ana@example.com"));
        let Ok(Write::Escalate(r)) = w(Operation::Reassign {
            to: "escalation:Night".into(),
        }) else {
            panic!("escalation: escalates")
        };
        assert_eq!(
            (r.kind, r.name.as_deref()),
            (Some("escalation"), Some("Night"))
        );
        let Ok(Write::AddResponder(r)) = w(Operation::AddResponder { who: "SRE".into() }) else {
            panic!("a bare responder is a team")
        };
        assert_eq!(r.kind, Some("team"));
        assert!(
            w(Operation::Escalate { level: None }).is_err(),
            "no escalation responds"
        );
        let closed = alert(r#"{"id":"a1","status":"closed"}"#);
        assert!(write_for(&key(), &Operation::Unacknowledge, &closed, og, now).is_err());
        let jsm = write_for(
            &key(),
            &Operation::AddResponder {
                who: "team:SRE".into(),
            },
            &open,
            Dialect::JsmOps,
            now,
        );
        assert!(jsm.is_err(), "JSM names teams by id");
        let (snooze, note) = write_for(
            &key(),
            &Operation::Silence {
                duration: std::time::Duration::from_secs(3600),
                comment: "deploy".into(),
            },
            &open,
            og,
            now,
        )
        .unwrap();
        assert_eq!(snooze, Write::Snooze(now + TimeDelta::hours(1)));
        assert!(note.unwrap().ends_with(": deploy"));
    }

    #[test]
    fn ids_are_told_from_names() {
        assert!(is_an_id("ac140ae4-757c-48a4-a079-041eb3bfe8d7"));
        assert!(is_an_id("557058:f1e2d3c4-aa11-bb22-cc33-dd44ee55ff66"));
        assert!(is_an_id("5b10ac8d82e05b22cc7d4ef5"));
        assert!(!is_an_id("ana@example.com"));
        assert!(!is_an_id("Night shift"));
    }
}
