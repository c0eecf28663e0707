//! `JiraSource`: the tickets a JQL finds on a Jira Cloud or Data Center/Server site, and what
//! a responder does to them (comment, transition, resolve, start progress, create), each
//! checked against the ticket as it is now so that a re-send does not act twice.

pub mod adf;
pub mod client;
mod config;
pub mod map;
pub mod wire;

use std::time::Duration;

use serde_json::Value;

use super::ticketing::{self, DEFAULT_MAX_TICKETS, TicketBackend, with_marker};
use super::{Error, NewTicket, Operation};
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{SourceId, Ticket, TicketState};
use crate::sources::Capabilities;
use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use client::Client;
pub use config::{JiraDeployment, Settings};

/// What a ticketing back end does: `a` starts a ticket, `r` resolves it, notes go as
/// comments; snoozes and silences are not for tickets.
pub const CAPABILITIES: Capabilities = super::ticketing::CAPABILITIES;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("jira");

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(KIND, CAPABILITIES, check::<Settings>, build);

fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let source = JiraSource::new(setting.source.clone(), setting.timeout)?;
    Ok(AnySource::new(source))
}

/// The label of incident tickets unless `label` says otherwise.
pub const DEFAULT_LABEL: &str = "incident";

/// One Jira site.
pub struct JiraSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    client: Option<Client>,
}

impl JiraSource {
    /// The problems of its keys if they are bad; else a source for the site `config` describes.
    pub fn new(config: SourceConfig, timeout: Duration) -> Result<JiraSource, Vec<Problem>> {
        Ok(JiraSource {
            id: SourceId(config.name.as_str().into()),
            settings: Settings::read(&config)?,
            config,
            timeout,
            client: None,
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(
            &mut self.client,
            Client::new(&self.config, &self.settings, self.timeout),
        )
        .await
    }

    fn label(&self) -> &str {
        self.settings.label.as_deref().unwrap_or(DEFAULT_LABEL)
    }

    /// The configured JQL, else: labelled `label`, not done, newest change first.
    pub fn jql(&self) -> String {
        self.settings.jql.clone().unwrap_or_else(|| {
            format!(
                "labels = {} AND statusCategory != Done ORDER BY updated DESC",
                client::quote(self.label())
            )
        })
    }

    /// Moves `key` along the first transition `pick` accepts, unless `is_done` says the
    /// status already is where it should be.
    async fn move_along(
        &mut self,
        key: &str,
        wanted: &str,
        is_done: impl Fn(&Value) -> bool,
        pick: impl Fn(&wire::Transition) -> bool,
    ) -> Result<(), Error> {
        let client = self.client().await?;
        let status = client.status(key).await?.unwrap_or(Value::Null);
        if is_done(&status) {
            return Ok(());
        }
        let open = client.transitions(key).await?;
        let Some(id) = open.iter().find(|t| pick(t)).and_then(|t| t.id.clone()) else {
            let names: Vec<&str> = open.iter().filter_map(|t| t.name.as_deref()).collect();
            let now = status.get("name").and_then(Value::as_str).unwrap_or("?");
            return Err(Error::Rejected(crate::model::sanitize::line(
                &format!(
                    "{key}: no transition to {wanted} from '{now}'; open ones: {}",
                    if names.is_empty() {
                        "none".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
                300,
            )));
        };
        client.transition(key, &id).await
    }
}

/// Whether a status (or a transition's target) is in category `category`.
fn is_in(status: &Value, category: &str) -> bool {
    status
        .get("statusCategory")
        .and_then(|c| c.get("key"))
        .and_then(Value::as_str)
        == Some(category)
}

/// Whether a status (or a transition's target) is called `name`.
fn is_named(status: &Value, name: &str) -> bool {
    status
        .get("name")
        .and_then(Value::as_str)
        .is_some_and(|n| n.eq_ignore_ascii_case(name))
}

impl TicketBackend for JiraSource {
    fn source_id(&self) -> &SourceId {
        &self.id
    }

    async fn whoami(&mut self) -> Result<Option<crate::sources::identity::Identity>, Error> {
        let me = self.client().await?.myself().await?;
        Ok(crate::sources::identity::Identity::new(
            me.display_name.as_deref().unwrap_or_default(),
            me.email_address.as_deref(),
            me.name.as_deref(),
        ))
    }

    /// The tickets the JQL finds now.
    async fn list(&mut self) -> Result<Vec<Ticket>, Error> {
        let jql = self.jql();
        let cap = self.settings.max_tickets.unwrap_or(DEFAULT_MAX_TICKETS);
        let browse = self.config.url.clone().unwrap_or_default();
        let issues = self.client().await?.search(&jql, map::FIELDS, cap).await?;
        Ok(issues
            .iter()
            .filter_map(|i| map::ticket(i, &browse))
            .map(|d| d.build(&self.id))
            .collect())
    }

    /// Creates the ticket unless one made in the last two days holds the marker.
    async fn create(&mut self, t: &NewTicket) -> Result<(), Error> {
        let (title, body, marker) = (&t.title, &t.body, &t.marker);
        let project = self.settings.project.clone().ok_or_else(|| {
            Error::Rejected(format!(
                "{} has no project to create tickets in: set project = \"KEY\"",
                self.id
            ))
        })?;
        let issue_type = self
            .settings
            .issue_type
            .clone()
            .unwrap_or_else(|| "Task".into());
        let labels = vec![self.label().to_string()];
        let client = self.client().await?;
        let recent = client.recent(&project).await?;
        let is_there = recent.iter().any(|i| {
            i.fields
                .get("description")
                .is_some_and(|d| adf::to_text(d).contains(marker))
        });
        if is_there {
            return Ok(());
        }
        let body = with_marker(body, marker);
        client
            .create(&project, &issue_type, title, &body, &labels)
            .await
            .map(drop)
    }

    /// Comments unless a comment already holds the marker.
    async fn comment(&mut self, key: &str, text: &str, marker: &str) -> Result<(), Error> {
        let client = self.client().await?;
        let existing = client.comments(key).await?;
        let is_there = existing.iter().any(|c| {
            c.get("body")
                .is_some_and(|b| adf::to_text(b).contains(marker))
        });
        if is_there {
            return Ok(());
        }
        client.add_comment(key, &with_marker(text, marker)).await
    }

    async fn act(&mut self, id: &str, op: &Operation) -> Result<(), Error> {
        let to = |t: &wire::Transition| t.to.clone().unwrap_or(Value::Null);
        match op {
            Operation::Transition { to: wanted } => {
                let w = wanted.as_str();
                let pick = |t: &wire::Transition| {
                    t.name.as_deref().is_some_and(|n| n.eq_ignore_ascii_case(w))
                        || is_named(&to(t), w)
                };
                self.move_along(id, w, |s| is_named(s, w), pick).await
            }
            Operation::Resolve => {
                let pick = |t: &wire::Transition| is_in(&to(t), "done");
                self.move_along(id, "done", |s| is_in(s, "done"), pick)
                    .await
            }
            // Taking a ticket on is starting progress; one in progress or done stays.
            Operation::Acknowledge => {
                let is_taken = |s: &Value| map::state_of(Some(s)) != TicketState::Open;
                let pick = |t: &wire::Transition| is_in(&to(t), "indeterminate");
                self.move_along(id, "in progress", is_taken, pick).await
            }
            other => Err(ticketing::not_for_tickets(other)),
        }
    }
}
