//! Zendesk Support API answers as its documentation writes them: tickets, comments, and the
//! cursor of a page (`meta.has_more`, `links.next`).

use serde::Deserialize;

/// A page of tickets: a view's (`tickets`) or a search export's (`results`).
#[derive(Debug, Deserialize)]
pub struct TicketsPage {
    /// A view's tickets.
    #[serde(default)]
    pub tickets: Vec<Ticket>,
    /// A search's results.
    #[serde(default)]
    pub results: Vec<Ticket>,
    /// Whether there is more.
    #[serde(default)]
    pub meta: Meta,
    /// The next page.
    #[serde(default)]
    pub links: Links,
}

/// Whether there is more.
#[derive(Debug, Default, Deserialize)]
pub struct Meta {
    /// More pages follow.
    #[serde(default)]
    pub has_more: bool,
}

/// Links of a page.
#[derive(Debug, Default, Deserialize)]
pub struct Links {
    /// The next page's URL.
    #[serde(default)]
    pub next: Option<String>,
}

/// A ticket.
#[derive(Debug, Deserialize)]
pub struct Ticket {
    /// Its number.
    pub id: u64,
    /// Its subject.
    #[serde(default)]
    pub subject: Option<String>,
    /// Its description (the first comment).
    #[serde(default)]
    pub description: Option<String>,
    /// `new`, `open`, `pending`, `hold`, `solved`, `closed`.
    #[serde(default)]
    pub status: Option<String>,
    /// `urgent`, `high`, `normal`, `low`.
    #[serde(default)]
    pub priority: Option<String>,
    /// Its agent.
    #[serde(default)]
    pub assignee_id: Option<u64>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// When it was created.
    #[serde(default)]
    pub created_at: Option<String>,
    /// When it last changed.
    #[serde(default)]
    pub updated_at: Option<String>,
}

/// `GET /api/v2/tickets/{id}/comments`.
#[derive(Debug, Deserialize)]
pub struct CommentsPage {
    /// The comments.
    #[serde(default)]
    pub comments: Vec<Comment>,
}

/// A comment.
#[derive(Debug, Deserialize)]
pub struct Comment {
    /// Its text.
    #[serde(default)]
    pub body: String,
    /// Whether the requester sees it.
    #[serde(default)]
    pub public: bool,
    /// Who wrote it.
    #[serde(default)]
    pub author_id: Option<u64>,
    /// When.
    #[serde(default)]
    pub created_at: Option<String>,
}
