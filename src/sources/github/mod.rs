//! `GitHubSource`: open issues with the incident label in the configured repositories, as
//! tickets, and what a responder does to them (comment, close, reopen, create), each checked
//! against the issue as it is now so that a re-send does not act twice.

pub mod client;
mod config;
pub mod wire;

use std::collections::HashMap;
use std::time::Duration;

use super::ticketing::{self, DEFAULT_MAX_TICKETS, TicketBackend, parse_time, with_marker};
use super::{Error, NewTicket, Operation};
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{RawComment, SourceId, Ticket, TicketDraft, TicketState};
use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};
use client::{Client, IssueRef};

use crate::sources::Capabilities;
pub use client::GITHUB_API;
pub use config::Settings;

/// What a ticketing back end does: `a` starts a ticket, `r` resolves it, notes go as
/// comments; snoozes and silences are not for tickets.
pub const CAPABILITIES: Capabilities = super::ticketing::CAPABILITIES;

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("github");

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(KIND, CAPABILITIES, check::<Settings>, build);

fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    let source = GitHubSource::new(setting.source.clone(), setting.timeout)?;
    Ok(AnySource::new(source))
}

/// The label of incident issues unless `label` says otherwise.
pub const DEFAULT_LABEL: &str = "incident";
/// Most issues whose comments are read in one poll (one request each); the others keep
/// what was read before until their turn.
const COMMENTS_PER_POLL: usize = 10;

/// Issues of one GitHub host.
pub struct GitHubSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    client: Option<Client>,
    /// Comments read per issue id, with the issue's `updated_at` when read.
    comments: HashMap<String, (String, Vec<RawComment>)>,
}

/// Splits `owner/name#12`.
fn issue_ref(id: &str) -> Result<IssueRef<'_>, Error> {
    let bad = || Error::Rejected(format!("'{id}' is not an issue (owner/name#NUMBER)"));
    let (repo, number) = id.rsplit_once('#').ok_or_else(bad)?;
    let number = number.parse().map_err(|_| bad())?;
    if !repo.contains('/') {
        return Err(bad());
    }
    Ok(IssueRef { repo, number })
}

impl GitHubSource {
    /// The problems of its keys if they are bad; else a source for the repositories `config` names.
    pub fn new(config: SourceConfig, timeout: Duration) -> Result<GitHubSource, Vec<Problem>> {
        Ok(GitHubSource {
            id: SourceId(config.name.as_str().into()),
            settings: Settings::read(&config)?,
            config,
            timeout,
            client: None,
            comments: HashMap::new(),
        })
    }

    async fn client(&mut self) -> Result<&Client, Error> {
        super::built(&mut self.client, Client::new(&self.config, self.timeout)).await
    }

    fn label(&self) -> String {
        self.settings
            .label
            .clone()
            .unwrap_or_else(|| DEFAULT_LABEL.into())
    }

    /// Reads the comments of the issues that changed since they were read, a few a poll.
    async fn read_comments(&mut self, found: &[(String, wire::Issue)]) -> Result<(), Error> {
        let stale: Vec<(String, String)> = found
            .iter()
            .filter(|(_, i)| i.comments.unwrap_or(0) > 0)
            .filter_map(|(id, i)| {
                let updated = i.updated_at.clone().unwrap_or_default();
                let is_fresh = self.comments.get(id).is_some_and(|(u, _)| *u == updated);
                (!is_fresh).then(|| (id.clone(), updated))
            })
            .take(COMMENTS_PER_POLL)
            .collect();
        for (id, updated) in stale {
            let at = issue_ref(&id)?;
            let read = self.client().await?.comments(&at).await?;
            let kept = read.iter().filter_map(comment).collect();
            self.comments.insert(id, (updated, kept));
        }
        self.comments
            .retain(|id, _| found.iter().any(|(f, _)| f == id));
        Ok(())
    }

    fn ticket(&self, id: &str, i: &wire::Issue) -> Ticket {
        let state = match i.state.as_deref() {
            Some("closed") => TicketState::Done,
            _ => TicketState::Open,
        };
        TicketDraft {
            id: id.to_string(),
            title: i.title.clone().unwrap_or_default(),
            status: match (&state, i.state_reason.as_deref()) {
                (TicketState::Done, Some("not_planned")) => "closed (not planned)".into(),
                _ => i.state.clone().unwrap_or_else(|| "open".into()),
            },
            state: Some(state),
            assignee: {
                let who: Vec<&str> = i
                    .assignees
                    .iter()
                    .filter_map(|u| u.login.as_deref())
                    .collect();
                (!who.is_empty()).then(|| who.join(", "))
            },
            priority: None,
            labels: i
                .labels
                .iter()
                .filter_map(|l| l.name().map(String::from))
                .collect(),
            url: i.html_url.clone(),
            created: i.created_at.as_deref().and_then(parse_time),
            updated: i.updated_at.as_deref().and_then(parse_time),
            description: i.body.clone().unwrap_or_default(),
            comments: self
                .comments
                .get(id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            comment_count: i.comments.unwrap_or(0) as usize,
        }
        .build(&self.id)
    }

    async fn set_state(&mut self, id: &str, wanted: &str) -> Result<(), Error> {
        let at = issue_ref(id)?;
        let client = self.client().await?;
        if client.issue(&at).await?.state.as_deref() == Some(wanted) {
            return Ok(());
        }
        client.set_state(&at, wanted).await
    }
}

/// A comment as (author, when, text); one without a date is dropped.
fn comment(c: &wire::Comment) -> Option<RawComment> {
    let at = c.created_at.as_deref().and_then(parse_time)?;
    let who = c.user.as_ref().and_then(|u| u.login.clone());
    Some((
        who.unwrap_or_else(|| "ghost".into()),
        at,
        c.body.clone().unwrap_or_default(),
    ))
}

impl TicketBackend for GitHubSource {
    fn source_id(&self) -> &SourceId {
        &self.id
    }

    async fn whoami(&mut self) -> Result<Option<crate::sources::identity::Identity>, Error> {
        let me = self.client().await?.user().await?;
        let login = me.login.as_deref();
        Ok(crate::sources::identity::Identity::new(
            me.name.as_deref().or(login).unwrap_or_default(),
            me.email.as_deref(),
            login,
        ))
    }

    async fn list(&mut self) -> Result<Vec<Ticket>, Error> {
        let cap = self.settings.max_tickets.unwrap_or(DEFAULT_MAX_TICKETS);
        let (label, repos) = (self.label(), self.settings.repos.clone());
        let mut found = Vec::new();
        for repo in &repos {
            let issues = self.client().await?.open_issues(repo, &label, cap).await?;
            found.extend(
                issues
                    .into_iter()
                    .filter(|i| i.pull_request.is_none())
                    .filter_map(|i| Some((format!("{repo}#{}", i.number?), i))),
            );
            ticketing::check_count(found.len(), cap, "repos or label")?;
        }
        self.read_comments(&found).await?;
        Ok(found.iter().map(|(id, i)| self.ticket(id, i)).collect())
    }

    async fn create(&mut self, t: &NewTicket) -> Result<(), Error> {
        let (title, body, marker) = (&t.title, &t.body, &t.marker);
        let (label, repo) = (self.label(), self.settings.repos.first().cloned());
        let repo = repo.ok_or_else(|| Error::Rejected("no repos configured".into()))?;
        let client = self.client().await?;
        let recent = client.recent_issues(&repo, &label).await?;
        if recent
            .iter()
            .any(|i| i.body.as_deref().is_some_and(|b| b.contains(marker)))
        {
            return Ok(());
        }
        client
            .create(&repo, title, &with_marker(body, marker), &label)
            .await
    }

    async fn comment(&mut self, id: &str, text: &str, marker: &str) -> Result<(), Error> {
        let at = issue_ref(id)?;
        let client = self.client().await?;
        let existing = client.comments(&at).await?;
        if existing
            .iter()
            .any(|c| c.body.as_deref().is_some_and(|b| b.contains(marker)))
        {
            return Ok(());
        }
        client.comment(&at, &with_marker(text, marker)).await
    }

    async fn act(&mut self, id: &str, op: &Operation) -> Result<(), Error> {
        match op {
            Operation::Resolve => self.set_state(id, "closed").await,
            Operation::Transition { to } => match to.to_ascii_lowercase().as_str() {
                "closed" | "close" | "done" | "resolved" => self.set_state(id, "closed").await,
                "open" | "reopen" | "reopened" => self.set_state(id, "open").await,
                _ => Err(Error::Rejected(format!(
                    "a GitHub issue is open or closed, not '{}'",
                    crate::model::sanitize::line(to, 40)
                ))),
            },
            Operation::Acknowledge => Err(Error::Rejected(
                "GitHub issues have no acknowledgement; comment (n) or close it".into(),
            )),
            other => Err(ticketing::not_for_tickets(other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn issue_ids_split_into_repo_and_number() {
        let r = issue_ref("acme/web#12").unwrap();
        assert_eq!((r.repo, r.number), ("acme/web", 12));
        for bad in ["acme/web", "web#12", "acme/web#x", "#1"] {
            assert!(issue_ref(bad).is_err(), "{bad}");
        }
    }
}
