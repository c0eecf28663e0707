//! A responder's action on an Opsgenie or JSM Operations alert: the write it is, the look at
//! the alert that finds it done already (a re-send after a lost answer or a crash sends
//! nothing), and the request followed until Opsgenie says it was done or why not.

use chrono::{DateTime, TimeDelta, Utc};
use tokio::time::Instant;

use super::client::{Dialect, Outcome, Write};
use super::{Account, OpsgenieSource, map, wire};
use crate::model::AlertKey;
use crate::sources::{Error, Operation};

/// A write followed longer than this is looked at afresh: its request id may be forgotten.
const FOLLOW_FOR: TimeDelta = TimeDelta::minutes(10);
/// A snooze that ends this close to the one asked for is the one asked for.
const SNOOZE_SLACK: TimeDelta = TimeDelta::minutes(1);

/// A write sent (or found done already), its outcome not known yet.
pub(super) struct Sent {
    /// The request to follow; none when nothing was sent or the answer was final.
    following: Option<Following>,
    /// A note to write once the write is done (JSM's snooze takes none with it).
    then_note: Option<String>,
}

/// A request to follow: where it is kept meanwhile, its id, since when, and whether it is
/// an incident's (followed at the Incident API).
struct Following {
    slot: (String, &'static str),
    request: String,
    at: Instant,
    is_incident: bool,
}

impl Sent {
    fn nothing() -> Sent {
        Sent {
            following: None,
            then_note: None,
        }
    }

    fn following(slot: (String, &'static str), request: String, is_incident: bool) -> Sent {
        let following = Following {
            slot,
            request,
            at: Instant::now(),
            is_incident,
        };
        Sent {
            following: Some(following),
            then_note: None,
        }
    }
}

impl OpsgenieSource {
    /// Performs `op` on alert `id` as `author`.
    pub(super) async fn act(
        &mut self,
        key: &AlertKey,
        id: &str,
        op: &Operation,
        author: &str,
    ) -> Result<(), Error> {
        let sent = self.send(key, id, op, author).await?;
        self.finish(id, sent, author).await
    }

    /// Closes Opsgenie incident `id` (`r`), unless it is closed already; its Incident API
    /// does nothing else.
    async fn close_incident(
        &mut self,
        key: &AlertKey,
        id: &str,
        op: &Operation,
    ) -> Result<Sent, Error> {
        if *op != Operation::Resolve {
            return Err(Error::Rejected(format!(
                "{key} is an Opsgenie incident: onduty closes it (r); its other actions are on \
                 its alerts"
            )));
        }
        let client = self.client().await?;
        let incident = match client.incident(id).await {
            Err(Error::Http { status: 404, .. }) => {
                return Err(Error::Rejected(format!("{key} is no longer there")));
            }
            other => other?,
        };
        if matches!(incident.status.as_deref(), Some("closed" | "resolved")) {
            return Ok(Sent::nothing());
        }
        let slot = (format!("{}{id}", map::INCIDENT), "close");
        if let Some((request, _)) = self.following.get(&slot).cloned() {
            return Ok(Sent::following(slot, request, true));
        }
        let Some(request) = self.client().await?.close_incident(id, None).await? else {
            return Ok(Sent::nothing());
        };
        self.following
            .insert(slot.clone(), (request.clone(), self.clock.now()));
        Ok(Sent::following(slot, request, true))
    }

    /// Waits for the outcome of `sent`, then writes the note that follows it.
    pub(super) async fn finish(&mut self, id: &str, sent: Sent, author: &str) -> Result<(), Error> {
        if let Some(f) = sent.following {
            self.settle(f).await?;
        }
        match sent.then_note {
            Some(text) => Box::pin(self.write_once(id, &Write::Note(text), author)).await,
            None => Ok(()),
        }
    }

    /// Looks at alert `id` and sends the write `op` is unless it is done already (or
    /// follows the request sent for it before, when there is one).
    pub(super) async fn send(
        &mut self,
        key: &AlertKey,
        id: &str,
        op: &Operation,
        author: &str,
    ) -> Result<Sent, Error> {
        if let Some(incident) = id.strip_prefix(map::INCIDENT) {
            return self.close_incident(key, incident, op).await;
        }
        let now = self.clock.now();
        let dialect = self.dialect();
        let alert = match self.client().await?.alert(id).await {
            Ok(alert) => alert,
            Err(Error::Http { status: 404, .. }) => {
                return Err(Error::Rejected(format!("{key} is no longer there")));
            }
            Err(e) => return Err(e),
        };
        let op = match dialect {
            Dialect::JsmOps => &self.by_id(op).await?,
            Dialect::Opsgenie => op,
        };
        let (write, note) = write_for(key, op, &alert, dialect, now)?;
        let slot = (id.to_string(), write.action());
        // JSM's snooze takes no note: the reason is written after it.
        let then_note = note.clone().filter(|_| dialect == Dialect::JsmOps);
        if let Some((request, sent_at)) = self.following.get(&slot).cloned() {
            if now - sent_at < FOLLOW_FOR {
                return Ok(Sent {
                    then_note,
                    ..Sent::following(slot, request, false)
                });
            }
            self.following.remove(&slot);
        }
        if self.is_done(id, &write, &alert).await? {
            return Ok(Sent {
                then_note,
                ..Sent::nothing()
            });
        }
        let request = self
            .client()
            .await?
            .write(id, &write, author, note.as_deref())
            .await?;
        let Some(request) = request else {
            return Ok(Sent {
                then_note,
                ..Sent::nothing()
            });
        };
        self.following.insert(slot.clone(), (request.clone(), now));
        Ok(Sent {
            then_note,
            ..Sent::following(slot, request, false)
        })
    }

    /// Writes the note `note` unless the alert has it already, and follows it.
    async fn write_once(&mut self, id: &str, note: &Write, author: &str) -> Result<(), Error> {
        let alert = self.client().await?.alert(id).await?;
        if self.is_done(id, note, &alert).await? {
            return Ok(());
        }
        let now = self.clock.now();
        let client = self.client().await?;
        let Some(request) = client.write(id, note, author, None).await? else {
            return Ok(());
        };
        let slot = (id.to_string(), note.action());
        self.following.insert(slot.clone(), (request.clone(), now));
        let at = Instant::now();
        let is_incident = false;
        self.settle(Following {
            slot,
            request,
            at,
            is_incident,
        })
        .await
    }

    /// Follows `request` to its end; the slot is cleared once the outcome is known, and kept
    /// while it is not (a timeout: the retry follows the same request).
    async fn settle(&mut self, f: Following) -> Result<(), Error> {
        let client = self.client().await?;
        let outcome = match f.is_incident {
            true => client.follow_incident(&f.request, f.at).await?,
            false => client.follow(&f.request, f.at).await?,
        };
        let slot = f.slot;
        self.following.remove(&slot);
        match outcome {
            Outcome::Done => Ok(()),
            Outcome::Failed(why) => {
                let vendor = match self.dialect() {
                    Dialect::Opsgenie => "Opsgenie",
                    Dialect::JsmOps => "JSM Operations",
                };
                Err(Error::Rejected(format!("{vendor} said no: {why}")))
            }
        }
    }

    /// Whether `write` is already true of `alert` (its notes looked at for a note).
    async fn is_done(
        &mut self,
        id: &str,
        write: &Write,
        alert: &wire::Alert,
    ) -> Result<bool, Error> {
        let closed = alert.status.as_deref() == Some("closed");
        Ok(match write {
            Write::Acknowledge => alert.acknowledged || closed,
            Write::Unacknowledge => !alert.acknowledged || closed,
            Write::Close => closed,
            Write::Snooze(until) => {
                alert.snoozed
                    && alert
                        .snoozed_until
                        .is_some_and(|u| u >= *until - SNOOZE_SLACK)
            }
            Write::Note(text) => {
                let notes = self.client().await?.notes(id).await?;
                notes.iter().any(|n| n.note == *text)
            }
            Write::Assign(who) => {
                let owner = alert.owner.as_deref();
                owner.is_some() && (owner == who.username.as_deref() || owner == who.id.as_deref())
            }
            Write::AddResponder(who) => alert.responders.iter().any(|r| is(r, who)),
            // The escalation is a responder from the start: nothing on the alert says a
            // step was taken. A retry in this process follows its request instead.
            Write::Escalate(_) => false,
        })
    }

    /// `op` with the names JSM cannot take made ids: an escalation by the name of a policy
    /// read from it, a user by the email the site knows (asked once, then kept).
    async fn by_id(&mut self, op: &Operation) -> Result<Operation, Error> {
        let (who, rebuild): (&str, fn(String) -> Operation) = match op {
            Operation::Reassign { to } => (to, |to| Operation::Reassign { to }),
            Operation::AddResponder { who } => (who, |who| Operation::AddResponder { who }),
            other => return Ok(other.clone()),
        };
        let (kind, name) = match who.split_once(':') {
            Some((k @ ("user" | "escalation" | "team" | "schedule"), name)) => (k, name.trim()),
            _ if who.contains('@') => ("user", who.trim()),
            _ => return Ok(op.clone()),
        };
        if is_an_id(name) {
            return Ok(op.clone());
        }
        let id = match kind {
            "escalation" => self
                .policies
                .iter()
                .find(|p| p.name.eq_ignore_ascii_case(name))
                .map(|p| p.id.clone())
                .ok_or_else(|| {
                    Error::Rejected(format!(
                        "no escalation called '{name}' among those read (see :oncall); name one \
                         by its id"
                    ))
                })?,
            "user" => self.account_id(name).await?,
            _ => return Ok(op.clone()),
        };
        Ok(rebuild(format!("{kind}:{id}")))
    }

    /// The Atlassian account id of the user with `email`, asked of the site once.
    async fn account_id(&mut self, email: &str) -> Result<String, Error> {
        if let Some(id) = self.accounts.get(email) {
            return Ok(id.clone());
        }
        let id = super::jsm::account_id(&self.config, email, self.timeout).await?;
        self.accounts.insert(email.to_string(), id.clone());
        Ok(id)
    }

    fn dialect(&self) -> Dialect {
        match self.account {
            Account::Opsgenie(_) => Dialect::Opsgenie,
            Account::Jsm(_) => Dialect::JsmOps,
        }
    }
}

/// Whether the responder `r` is `who`.
fn is(r: &wire::Responder, who: &wire::Recipient) -> bool {
    let kind = who.kind.unwrap_or("user");
    let name = who.name.as_deref().or(who.username.as_deref());
    r.kind == kind
        && (who.id.as_deref() == Some(&r.id) || (name.is_some() && r.name.as_deref() == name))
}

/// The write `op` is on `alert`, and the note sent with it.
fn write_for(
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
fn is_an_id(s: &str) -> bool {
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
