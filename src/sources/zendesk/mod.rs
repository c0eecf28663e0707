//! `ZendeskSource`: a Zendesk Support account's tickets in the tickets view — a view's, or a
//! search's (default: open tickets tagged `incident`) — paged by cursor to the end, their
//! newest comments read when they change; `n` writes an internal note, `r` solves,
//! `:transition` moves between Zendesk's statuses, `:ticket` opens one. Every write carries
//! onduty's marker and is looked for (or keyed by it) before a re-send.

mod config;
mod wire;

use std::collections::HashMap;
use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use super::ticketing::{TicketBackend, check_count, not_for_tickets, parse_time, with_marker};
use super::{Error, NewTicket, Operation};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{COMMENTS_KEPT, RawComment, SourceId, Ticket, TicketDraft, TicketState};
use crate::sources::Capabilities;
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers};
use crate::sources::pace::Pace;
pub use config::{DEFAULT_QUERY, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("zendesk");

/// What every ticketing source does.
pub const CAPABILITIES: Capabilities = super::ticketing::CAPABILITIES;

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<ZendeskSource>,
);

/// Requests a minute unless `rate_per_minute` says otherwise (the Team plan's limit).
const DEFAULT_RATE: u32 = 200;
/// Tickets asked for per page (the cursor API's most).
const PAGE_SIZE: usize = 100;
/// Pages followed at most in one listing.
const MOST_PAGES: usize = 100;
/// Tickets whose comments are read again per poll (the changed ones first come first).
const COMMENTS_PER_POLL: usize = 10;
/// The statuses `:transition` moves a ticket to.
const STATUSES: [&str; 5] = ["new", "open", "pending", "hold", "solved"];

/// One Zendesk account.
pub struct ZendeskSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    http: Option<Http>,
    /// Each ticket's newest comments and the `updated_at` they were read at.
    comments: HashMap<u64, (Option<String>, Vec<RawComment>)>,
}

impl FromConfig for ZendeskSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        _clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(ZendeskSource {
            id: SourceId(config.name.as_str().into()),
            config,
            settings,
            timeout,
            http: None,
            comments: HashMap::new(),
        })
    }
}

/// The category of a Zendesk status.
fn state_of(status: Option<&str>) -> TicketState {
    match status {
        Some("solved" | "closed") => TicketState::Done,
        Some("pending" | "hold") => TicketState::InProgress,
        _ => TicketState::Open,
    }
}

/// A ticket number, or a refusal.
fn number(id: &str) -> Result<u64, Error> {
    id.parse()
        .map_err(|_| Error::Rejected(format!("'{id}' is not a Zendesk ticket number")))
}

impl ZendeskSource {
    fn base(&self) -> String {
        match (&self.config.url, &self.settings.subdomain) {
            (Some(url), _) => url.trim_end_matches('/').to_string(),
            (None, Some(sub)) => format!("https://{sub}.zendesk.com"),
            (None, None) => String::new(),
        }
    }

    async fn http(&mut self) -> Result<&Http, Error> {
        let base = self.base();
        // An API token goes as basic auth for `{email}/token`; without an email the token
        // is an OAuth bearer token.
        let mut config = self.config.clone();
        if let Some(email) = &self.settings.email {
            config.username = Some(format!("{email}/token"));
        }
        let timeout = self.timeout;
        let rate = self.settings.rate_per_minute.unwrap_or(DEFAULT_RATE);
        let build = async move {
            let http = Http::new(
                &config,
                &base,
                timeout,
                Scheme::BearerOrBasic,
                json_headers(),
            )
            .await?;
            // The account's limit is shared with every agent and integration: kept to, not
            // discovered by 429s (which are still waited out as Retry-After says).
            Ok(http.paced(Pace::per_minute(rate, 20)))
        };
        super::built(&mut self.http, build).await
    }

    /// Every listed ticket, page after page (`links.next` while `meta.has_more`).
    async fn tickets(&mut self) -> Result<Vec<wire::Ticket>, Error> {
        let cap = self
            .settings
            .max_tickets
            .unwrap_or(super::ticketing::DEFAULT_MAX_TICKETS);
        let size = PAGE_SIZE.to_string();
        let (first, narrow) = match self.settings.view {
            Some(view) => (format!("/api/v2/views/{view}/tickets"), "the view"),
            None => ("/api/v2/search/export".to_string(), "query"),
        };
        let query = self
            .settings
            .query
            .clone()
            .unwrap_or_else(|| DEFAULT_QUERY.into());
        let is_search = self.settings.view.is_none();
        let http = self.http().await?;
        let mut req = http
            .request(Method::GET, &first)
            .query(&[("page[size]", size)]);
        if is_search {
            req = req.query(&[("query", query.as_str()), ("filter[type]", "ticket")]);
        }
        let mut out = Vec::new();
        let mut seen_links = std::collections::HashSet::new();
        for _ in 0..MOST_PAGES {
            let page: wire::TicketsPage = http.json(req).await?;
            out.extend(page.tickets);
            out.extend(page.results);
            check_count(out.len(), cap, narrow)?;
            match page
                .links
                .next
                .filter(|n| page.meta.has_more && seen_links.insert(n.clone()))
            {
                Some(next) => req = http.request_link(Method::GET, &next)?,
                None => return Ok(out),
            }
        }
        Err(Error::Decode(format!(
            "more than {MOST_PAGES} pages of tickets"
        )))
    }

    /// The newest comments of ticket `id`, newest first.
    async fn newest_comments(&mut self, id: u64, n: usize) -> Result<Vec<wire::Comment>, Error> {
        let http = self.http().await?;
        let req = http
            .request(Method::GET, &format!("/api/v2/tickets/{id}/comments"))
            .query(&[("sort_order", "desc"), ("page[size]", &n.to_string())]);
        Ok(http.json::<wire::CommentsPage>(req).await?.comments)
    }

    /// Reads again the comments of tickets that changed since they were read (a few a poll),
    /// and forgets those no longer listed.
    async fn read_comments(&mut self, tickets: &[wire::Ticket]) -> Result<(), Error> {
        let stale: Vec<(u64, Option<String>)> = tickets
            .iter()
            .filter(|t| {
                self.comments
                    .get(&t.id)
                    .is_none_or(|(at, _)| *at != t.updated_at)
            })
            .take(COMMENTS_PER_POLL)
            .map(|t| (t.id, t.updated_at.clone()))
            .collect();
        for (id, at) in stale {
            let mut read: Vec<RawComment> = self
                .newest_comments(id, COMMENTS_KEPT)
                .await?
                .iter()
                .filter_map(|c| {
                    let when = parse_time(c.created_at.as_deref()?)?;
                    let who = c
                        .author_id
                        .map_or("someone".into(), |a| format!("user {a}"));
                    let kind = if c.public {
                        "public reply"
                    } else {
                        "internal note"
                    };
                    Some((who, when, format!("[{kind}] {}", c.body)))
                })
                .collect();
            read.reverse();
            self.comments.insert(id, (at, read));
        }
        self.comments
            .retain(|id, _| tickets.iter().any(|t| t.id == *id));
        Ok(())
    }

    fn ticket(&self, t: &wire::Ticket) -> Ticket {
        TicketDraft {
            id: t.id.to_string(),
            title: t.subject.clone().unwrap_or_default(),
            status: t.status.clone().unwrap_or_default(),
            state: Some(state_of(t.status.as_deref())),
            assignee: t.assignee_id.map(|a| format!("agent {a}")),
            priority: t.priority.clone(),
            labels: t.tags.clone(),
            url: Some(format!("{}/agent/tickets/{}", self.base(), t.id)),
            created: t.created_at.as_deref().and_then(parse_time),
            updated: t.updated_at.as_deref().and_then(parse_time),
            description: t.description.clone().unwrap_or_default(),
            comments: self
                .comments
                .get(&t.id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            comment_count: 0,
        }
        .build(&self.id)
    }

    /// Ticket `id`'s status now.
    async fn status_of(&mut self, id: u64) -> Result<String, Error> {
        #[derive(serde::Deserialize)]
        struct One {
            ticket: wire::Ticket,
        }
        let http = self.http().await?;
        let one: One = http
            .json(http.request(Method::GET, &format!("/api/v2/tickets/{id}")))
            .await?;
        Ok(one.ticket.status.unwrap_or_default())
    }

    /// Moves ticket `id` to `status`; a ticket already there (a re-send) is left alone.
    async fn set_status(&mut self, id: u64, status: &str) -> Result<(), Error> {
        let now = self.status_of(id).await?;
        if now == status || (status == "solved" && now == "closed") {
            return Ok(());
        }
        let http = self.http().await?;
        let req = http
            .request(Method::PUT, &format!("/api/v2/tickets/{id}"))
            .json(&json!({ "ticket": { "status": status } }));
        http.body(req).await.map(drop)
    }
}

impl TicketBackend for ZendeskSource {
    fn source_id(&self) -> &SourceId {
        &self.id
    }

    /// `GET /api/v2/users/me`; a token Zendesk does not know answers as an anonymous user
    /// without an id: nobody.
    async fn whoami(&mut self) -> Result<Option<crate::sources::identity::Identity>, Error> {
        #[derive(serde::Deserialize)]
        struct Me {
            user: User,
        }
        #[derive(serde::Deserialize)]
        struct User {
            #[serde(default)]
            id: Option<u64>,
            #[serde(default)]
            name: String,
            #[serde(default)]
            email: Option<String>,
        }
        let http = self.http().await?;
        let me: Me = http
            .json(http.request(Method::GET, "/api/v2/users/me"))
            .await?;
        Ok(me.user.id.and_then(|_| {
            crate::sources::identity::Identity::new(&me.user.name, me.user.email.as_deref(), None)
        }))
    }

    async fn list(&mut self) -> Result<Vec<Ticket>, Error> {
        let tickets = self.tickets().await?;
        self.read_comments(&tickets).await?;
        Ok(tickets.iter().map(|t| self.ticket(t)).collect())
    }

    async fn create(&mut self, t: &NewTicket) -> Result<(), Error> {
        // Zendesk's Idempotency-Key: the same key within a day returns the ticket made.
        let http = self.http().await?;
        let req = http
            .request(Method::POST, "/api/v2/tickets")
            .header("Idempotency-Key", &t.marker)
            .json(&json!({ "ticket": {
                "subject": t.title,
                "comment": { "body": with_marker(&t.body, &t.marker), "public": false },
                "tags": ["incident", "onduty"],
            }}));
        http.body(req).await.map(drop)
    }

    async fn comment(&mut self, id: &str, text: &str, marker: &str) -> Result<(), Error> {
        let id = number(id)?;
        // Written already (a re-send after a lost answer): done.
        let newest = self.newest_comments(id, 100).await?;
        if newest.iter().any(|c| c.body.contains(marker)) {
            return Ok(());
        }
        let http = self.http().await?;
        let req = http
            .request(Method::PUT, &format!("/api/v2/tickets/{id}"))
            .json(&json!({ "ticket": { "comment": {
                "body": with_marker(text, marker), "public": false,
            }}}));
        http.body(req).await.map(drop)
    }

    async fn act(&mut self, id: &str, op: &Operation) -> Result<(), Error> {
        let id = number(id)?;
        match op {
            Operation::Resolve => self.set_status(id, "solved").await,
            Operation::Acknowledge => self.set_status(id, "open").await,
            Operation::Transition { to } => {
                let to = to.trim().to_ascii_lowercase();
                if !STATUSES.contains(&to.as_str()) {
                    return Err(Error::Rejected(format!(
                        "a Zendesk ticket moves to {}, not {to}",
                        STATUSES.join(", ")
                    )));
                }
                self.set_status(id, &to).await
            }
            other => Err(not_for_tickets(other)),
        }
    }
}
