//! Jira issues into model tickets: fields read one by one from the JSON map, rich text
//! (Cloud's ADF, Data Center's wiki text) read as plain text, status categories into states.

use serde_json::Value;

use super::adf;
use super::wire::IssueBean;
use crate::model::{RawComment, TicketDraft, TicketState};
use crate::sources::ticketing::parse_time;

/// The fields a listing asks for.
pub const FIELDS: &str =
    "summary,status,priority,labels,assignee,created,updated,description,comment";

/// The ticket of `issue`; `browse` is the site's URL (`https://acme.atlassian.net`).
pub fn ticket(issue: &IssueBean, browse: &str) -> Option<TicketDraft> {
    let key = issue.key.as_deref().filter(|k| !k.is_empty())?;
    let f = &issue.fields;
    let text = |name: &str| f.get(name).and_then(Value::as_str).map(str::to_string);
    let named = |name: &str, inner: &str| {
        f.get(name)
            .and_then(|v| v.get(inner))
            .and_then(Value::as_str)
            .map(str::to_string)
    };
    let status = f.get("status");
    let comments = f.get("comment");
    let comment_list = comments
        .and_then(|c| c.get("comments"))
        .and_then(Value::as_array)
        .map(Vec::as_slice)
        .unwrap_or_default();
    Some(TicketDraft {
        id: key.to_string(),
        title: text("summary").unwrap_or_default(),
        status: status
            .and_then(|s| s.get("name"))
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        state: Some(state_of(status)),
        assignee: named("assignee", "displayName"),
        priority: named("priority", "name"),
        labels: f
            .get("labels")
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(String::from)
                    .collect()
            })
            .unwrap_or_default(),
        url: Some(format!("{}/browse/{key}", browse.trim_end_matches('/'))),
        created: text("created").as_deref().and_then(parse_time),
        updated: text("updated").as_deref().and_then(parse_time),
        description: f.get("description").map(adf::to_text).unwrap_or_default(),
        comments: comment_list.iter().filter_map(comment).collect(),
        comment_count: comments
            .and_then(|c| c.get("total"))
            .and_then(Value::as_u64)
            .unwrap_or(0) as usize,
    })
}

/// A status's category: `done`, `indeterminate` (in progress), else open.
pub fn state_of(status: Option<&Value>) -> TicketState {
    let key = status
        .and_then(|s| s.get("statusCategory"))
        .and_then(|c| c.get("key"))
        .and_then(Value::as_str);
    match key {
        Some("done") => TicketState::Done,
        Some("indeterminate") => TicketState::InProgress,
        _ => TicketState::Open,
    }
}

/// A comment as (author, when, text); one without a date is dropped.
pub fn comment(c: &Value) -> Option<RawComment> {
    let at = c
        .get("created")
        .and_then(Value::as_str)
        .and_then(parse_time)?;
    let author = c
        .get("author")
        .and_then(|a| a.get("displayName"))
        .and_then(Value::as_str)
        .unwrap_or("someone")
        .to_string();
    let body = c.get("body").map(adf::to_text).unwrap_or_default();
    Some((author, at, body))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::SourceId;
    use serde_json::json;

    #[test]
    fn a_cloud_issue_maps_with_its_status_category_and_comments() {
        let issue: IssueBean = serde_json::from_value(json!({
            "id": "10001", "key": "OPS-7",
            "fields": {
                "summary": "Checkout down\u{1b}]52;c;eA==\u{7}",
                "status": {"name": "In Progress", "statusCategory": {"key": "indeterminate"}},
                "priority": {"name": "Highest"},
                "labels": ["incident", "payments"],
                "assignee": {"displayName": "Ana Ops", "accountId": "5b10"},
                "created": "2026-11-03T14:00:00.000+0000",
                "updated": "2026-11-03T14:30:00.000+0000",
                "description": adf::from_text("Customers see 500s"),
                "customfield_10010": {"odd": [1, 2, {"deep": true}]},
                "comment": {"total": 12, "comments": [
                    {"author": {"displayName": "Bo"}, "created": "2026-11-03T14:10:00.000+0000",
                     "body": adf::from_text("rolled back")},
                    {"author": {"displayName": "Ana"}, "body": adf::from_text("no date")}
                ]}
            }
        }))
        .unwrap();
        let t = ticket(&issue, "https://acme.atlassian.net/")
            .unwrap()
            .build(&SourceId("jira".into()));
        assert_eq!(t.key.0, "jira:OPS-7");
        assert_eq!(t.title, "Checkout down");
        assert_eq!(t.state, TicketState::InProgress);
        assert_eq!(t.status, "In Progress");
        assert_eq!(t.assignee.as_deref(), Some("Ana Ops"));
        assert_eq!(t.priority.as_deref(), Some("Highest"));
        assert_eq!(
            t.url.as_deref(),
            Some("https://acme.atlassian.net/browse/OPS-7")
        );
        assert_eq!(t.description, "Customers see 500s");
        assert_eq!(t.comments.len(), 1);
        assert_eq!(t.comment_count, 12);
        assert_eq!(t.last_comment().unwrap().author, "Bo");
    }

    #[test]
    fn an_issue_without_a_key_is_skipped_and_odd_fields_default() {
        let issue: IssueBean = serde_json::from_value(json!({"fields": {"summary": 7}})).unwrap();
        assert!(ticket(&issue, "https://x").is_none());
        let issue: IssueBean =
            serde_json::from_value(json!({"key": "A-1", "fields": {"status": "weird"}})).unwrap();
        let t = ticket(&issue, "https://x").unwrap();
        assert_eq!(t.state, Some(TicketState::Open));
        assert_eq!(t.title, "");
    }
}
