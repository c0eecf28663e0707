//! A ticket from a ticketing back end (Jira, GitHub issues, ServiceNow): its key, title,
//! status, assignee, link and latest comments, sanitized when built; and the marker onduty
//! writes under what it sends, so that a re-send can find the first.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{AlertKey, Note, SourceId, sanitize};

/// The labels and annotations that name an alert's ticket, unless configured otherwise.
pub const DEFAULT_TICKET_LABELS: &[&str] = &["ticket", "ticket_url", "jira"];

/// Most comments kept per ticket (the newest ones).
pub const COMMENTS_KEPT: usize = 5;
/// Longest ticket description kept, in characters.
pub const DESCRIPTION_CAP: usize = 16 * 1024;

/// A comment as a source read it: (author, when, text), not yet cleaned.
pub type RawComment = (String, DateTime<Utc>, String);

/// Where a ticket stands, whatever its workflow calls the status.
#[derive(
    Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
pub enum TicketState {
    /// Not started (Jira's "To Do" category, a new ServiceNow incident).
    Open,
    /// Being worked on.
    InProgress,
    /// Done, closed or resolved.
    Done,
}

impl TicketState {
    /// The word shown in lists.
    pub fn word(self) -> &'static str {
        match self {
            TicketState::Open => "open",
            TicketState::InProgress => "in progress",
            TicketState::Done => "done",
        }
    }
}

/// One ticket from one ticketing source.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct Ticket {
    /// `SOURCE_NAME:ID`: what commands and the CLI name it by.
    pub key: AlertKey,
    /// The source that reports it.
    pub source: SourceId,
    /// Its id at the back end as people write it (`OPS-123`, `acme/web#12`, `INC0010001`).
    pub id: String,
    /// Its title, one line.
    pub title: String,
    /// Its status as the back end names it ("In Progress").
    pub status: String,
    /// Its status's category.
    pub state: TicketState,
    /// Who it is assigned to.
    pub assignee: Option<String>,
    /// Its priority as the back end names it.
    pub priority: Option<String>,
    /// Its labels.
    pub labels: Vec<String>,
    /// Where a browser shows it.
    pub url: Option<String>,
    /// When it was created.
    pub created: Option<DateTime<Utc>>,
    /// When it last changed.
    pub updated: Option<DateTime<Utc>>,
    /// Its description (capped, line breaks kept).
    pub description: String,
    /// Its newest comments, oldest first.
    pub comments: Vec<Note>,
    /// How many comments it has in all.
    pub comment_count: usize,
}

/// A ticket's parts as a source read them, before they are cleaned.
#[derive(Clone, Debug, Default)]
pub struct TicketDraft {
    /// The id (`OPS-123`).
    pub id: String,
    /// The title.
    pub title: String,
    /// The status name.
    pub status: String,
    /// The status's category.
    pub state: Option<TicketState>,
    /// The assignee's name.
    pub assignee: Option<String>,
    /// The priority's name.
    pub priority: Option<String>,
    /// Labels.
    pub labels: Vec<String>,
    /// The browse URL.
    pub url: Option<String>,
    /// Created.
    pub created: Option<DateTime<Utc>>,
    /// Last changed.
    pub updated: Option<DateTime<Utc>>,
    /// The description as plain text.
    pub description: String,
    /// Comments as (author, when, text), in any order.
    pub comments: Vec<RawComment>,
    /// How many comments there are in all (0: as many as given).
    pub comment_count: usize,
}

impl TicketDraft {
    /// The ticket, every string cleaned and capped.
    pub fn build(self, source: &SourceId) -> Ticket {
        let id = sanitize::line(&self.id, 128);
        let mut comments: Vec<Note> = self
            .comments
            .iter()
            .map(|(author, at, text)| Note::new(author, *at, text))
            .collect();
        comments.sort_by_key(|n| n.at);
        let comment_count = self.comment_count.max(comments.len());
        let drop = comments.len().saturating_sub(COMMENTS_KEPT);
        comments.drain(..drop);
        let line = |s: &str| sanitize::line(s, sanitize::LABEL_CAP);
        Ticket {
            key: AlertKey::new(source, &id),
            source: source.clone(),
            id,
            title: sanitize::line(&self.title, sanitize::TITLE_CAP),
            status: sanitize::line(&self.status, 64),
            state: self.state.unwrap_or(TicketState::Open),
            assignee: self.assignee.as_deref().map(line).filter(|s| !s.is_empty()),
            priority: self.priority.as_deref().map(line).filter(|s| !s.is_empty()),
            labels: self.labels.iter().map(|l| line(l)).collect(),
            url: self.url.as_deref().map(line).filter(|u| is_web_url(u)),
            created: self.created,
            updated: self.updated,
            description: sanitize::text(&self.description, DESCRIPTION_CAP),
            comments,
            comment_count,
        }
    }
}

fn is_web_url(u: &str) -> bool {
    u.starts_with("https://") || u.starts_with("http://")
}

impl Ticket {
    /// The newest comment.
    pub fn last_comment(&self) -> Option<&Note> {
        self.comments.last()
    }

    /// Whether any comment holds `marker` (how a re-sent comment finds the first one).
    pub fn has_marker(&self, marker: &str) -> bool {
        self.comments.iter().any(|c| c.text.contains(marker)) || self.description.contains(marker)
    }
}

/// The line onduty appends to what it writes on a ticket, so that a re-send can find it.
pub fn marker_line(marker: &str) -> String {
    format!("(sent from onduty, ref {marker})")
}

/// A fresh marker for one action written to a ticket: random, so two notes with the same
/// words are two comments, and the same note sent twice is one.
pub fn new_marker() -> String {
    format!("od-{:012x}", fastrand::u64(..) & 0xffff_ffff_ffff)
}

/// Splits several references in one label value (`OPS-1, OPS-2`).
pub fn references(value: &str) -> impl Iterator<Item = &str> {
    value
        .split([',', ' ', ';'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ticket() -> Ticket {
        TicketDraft {
            id: "OPS-123".into(),
            title: "Checkout is down\u{1b}[2J\u{202e}".into(),
            status: "In Progress".into(),
            state: Some(TicketState::InProgress),
            url: Some("https://acme.atlassian.net/browse/OPS-123".into()),
            comments: (0..8)
                .map(|i| {
                    let at = DateTime::from_timestamp(1_700_000_000 + i * 60, 0).unwrap();
                    ("ana".to_string(), at, format!("comment {i}"))
                })
                .rev()
                .collect(),
            ..TicketDraft::default()
        }
        .build(&SourceId("jira".into()))
    }

    #[test]
    fn a_ticket_is_cleaned_and_keeps_its_newest_comments_in_order() {
        let t = ticket();
        assert_eq!(t.key.0, "jira:OPS-123");
        assert!(!t.title.contains('\u{1b}') && !t.title.contains('\u{202e}'));
        assert_eq!(t.comments.len(), COMMENTS_KEPT);
        assert_eq!(t.comment_count, 8);
        assert_eq!(t.comments[0].text, "comment 3");
        assert_eq!(t.last_comment().unwrap().text, "comment 7");
    }

    #[test]
    fn several_references_split_from_one_value() {
        let refs: Vec<&str> = references("OPS-1, OPS-2;OPS-3 ").collect();
        assert_eq!(refs, ["OPS-1", "OPS-2", "OPS-3"]);
    }

    #[test]
    fn a_url_that_is_not_a_web_page_is_dropped() {
        let t = TicketDraft {
            id: "X-1".into(),
            url: Some("javascript:alert(1)".into()),
            ..TicketDraft::default()
        }
        .build(&SourceId("jira".into()));
        assert_eq!(t.url, None);
    }
}
