//! A responder's action on an Opsgenie or JSM Operations alert: the write it is, the look at
//! the alert that finds it done already (a re-send after a lost answer or a crash sends
//! nothing), and the request followed until Opsgenie says it was done or why not.

use chrono::TimeDelta;
use tokio::time::Instant;

use super::client::{Dialect, Outcome, Write};
use super::writes::{is_an_id, write_for};
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
