//! Jira's endpoints, Cloud (REST v3: `search/jql` paged by `nextPageToken`, rich text in
//! ADF) and Data Center/Server (REST v2: `search` paged by `startAt`, plain wiki text), behind
//! one set of calls.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use super::config::{JiraDeployment, Settings};
use super::{adf, wire};
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, path_segment};
use crate::sources::ticketing::check_count;

/// Issues asked for per page (Jira caps it per endpoint; what came back is what counts).
const PAGE: usize = 100;
/// Comments read when looking for a marker: the newest ones.
const COMMENTS_SEARCHED: usize = 50;

/// A client for one Jira site.
pub struct Client {
    http: Http,
    deployment: JiraDeployment,
}

impl Client {
    /// Builds the client for `cfg` (its `url` is the site).
    pub async fn new(
        cfg: &SourceConfig,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Client, Error> {
        let headers = crate::sources::http::json_headers();
        let base = cfg.url.clone().unwrap_or_default();
        let http = Http::new(cfg, &base, timeout, Scheme::BearerOrBasic, headers).await?;
        Ok(Client {
            http,
            deployment: settings.deployment,
        })
    }

    fn api(&self, path: &str) -> String {
        match self.deployment {
            JiraDeployment::Cloud => format!("/rest/api/3{path}"),
            JiraDeployment::Datacenter => format!("/rest/api/2{path}"),
        }
    }

    fn issue_path(&self, key: &str, rest: &str) -> String {
        self.api(&format!("/issue/{}{rest}", path_segment(key)))
    }

    /// Every issue `jql` matches, all pages, each once; more than `cap` is an error.
    pub async fn search(
        &self,
        jql: &str,
        fields: &str,
        cap: usize,
    ) -> Result<Vec<wire::IssueBean>, Error> {
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut token: Option<String> = None;
        let mut offset = 0;
        let max_pages = cap / PAGE + 2;
        for _ in 0..max_pages {
            let mut req = match self.deployment {
                JiraDeployment::Cloud => self.http.request(Method::GET, &self.api("/search/jql")),
                JiraDeployment::Datacenter => self
                    .http
                    .request(Method::GET, &self.api("/search"))
                    .query(&[("startAt", offset)]),
            };
            req = req.query(&[("jql", jql), ("fields", fields)]);
            req = req.query(&[("maxResults", PAGE)]);
            if let Some(t) = &token {
                req = req.query(&[("nextPageToken", t)]);
            }
            let page: wire::SearchPage = self.http.json(req).await?;
            offset += page.issues.len();
            let before = out.len();
            out.extend(
                page.issues
                    .into_iter()
                    .filter(|i| i.key.as_ref().is_some_and(|k| seen.insert(k.clone()))),
            );
            check_count(out.len(), cap, "the jql")?;
            let is_last = match self.deployment {
                // The token is absent, not null, on the last page (JRACLOUD-92184).
                JiraDeployment::Cloud => {
                    token = page.next_page_token.filter(|t| !t.is_empty());
                    page.is_last == Some(true) || token.is_none()
                }
                JiraDeployment::Datacenter => page.total.is_none_or(|t| offset as u64 >= t),
            };
            // A page with nothing new would be followed forever by a server that repeats.
            if is_last || out.len() == before {
                return Ok(out);
            }
        }
        check_count(cap + 1, cap, "the jql").map(|()| out)
    }

    /// The token's user (`GET /rest/api/{3,2}/myself`).
    pub async fn myself(&self) -> Result<wire::Myself, Error> {
        let req = self.http.request(Method::GET, &self.api("/myself"));
        self.http.json(req).await
    }

    /// The newest comments of `key`.
    pub async fn comments(&self, key: &str) -> Result<Vec<Value>, Error> {
        let req = self
            .http
            .request(Method::GET, &self.issue_path(key, "/comment"))
            .query(&[("orderBy", "-created")])
            .query(&[("maxResults", COMMENTS_SEARCHED)]);
        let page: wire::PageOfComments = self.http.json(req).await?;
        Ok(page.comments)
    }

    /// Adds a comment (a document on Cloud, plain text on Data Center).
    pub async fn add_comment(&self, key: &str, text: &str) -> Result<(), Error> {
        let body = json!({ "body": self.rich(text) });
        let req = self
            .http
            .request(Method::POST, &self.issue_path(key, "/comment"))
            .json(&body);
        self.http.body(req).await.map(drop)
    }

    /// The issue's status field.
    pub async fn status(&self, key: &str) -> Result<Option<Value>, Error> {
        let req = self
            .http
            .request(Method::GET, &self.issue_path(key, ""))
            .query(&[("fields", "status")]);
        let issue: wire::IssueBean = self.http.json(req).await?;
        Ok(issue.fields.get("status").cloned())
    }

    /// The transitions open from the issue's status.
    pub async fn transitions(&self, key: &str) -> Result<Vec<wire::Transition>, Error> {
        let req = self
            .http
            .request(Method::GET, &self.issue_path(key, "/transitions"));
        let t: wire::Transitions = self.http.json(req).await?;
        Ok(t.transitions)
    }

    /// Applies transition `id`.
    pub async fn transition(&self, key: &str, id: &str) -> Result<(), Error> {
        let req = self
            .http
            .request(Method::POST, &self.issue_path(key, "/transitions"))
            .json(&json!({ "transition": { "id": id } }));
        self.http.body(req).await.map(drop)
    }

    /// Issues of `project` created in the last two days, with their descriptions: where a
    /// re-sent create looks for the ticket it made.
    pub async fn recent(&self, project: &str) -> Result<Vec<wire::IssueBean>, Error> {
        let jql = format!(
            "project = {} AND created >= -2d ORDER BY created DESC",
            quote(project)
        );
        let mut req = match self.deployment {
            JiraDeployment::Cloud => self.http.request(Method::GET, &self.api("/search/jql")),
            JiraDeployment::Datacenter => self.http.request(Method::GET, &self.api("/search")),
        };
        req = req
            .query(&[("jql", jql.as_str()), ("fields", "summary,description")])
            .query(&[("maxResults", PAGE)]);
        let page: wire::SearchPage = self.http.json(req).await?;
        Ok(page.issues)
    }

    /// Creates an issue; returns its key.
    pub async fn create(
        &self,
        project: &str,
        issue_type: &str,
        title: &str,
        body: &str,
        labels: &[String],
    ) -> Result<String, Error> {
        let fields = json!({
            "project": { "key": project },
            "issuetype": { "name": issue_type },
            "summary": title,
            "description": self.rich(body),
            "labels": labels,
        });
        let req = self
            .http
            .request(Method::POST, &self.api("/issue"))
            .json(&json!({ "fields": fields }));
        let made: wire::CreatedIssue = self.http.json(req).await?;
        Ok(made.key.unwrap_or_default())
    }

    fn rich(&self, text: &str) -> Value {
        match self.deployment {
            JiraDeployment::Cloud => adf::from_text(text),
            JiraDeployment::Datacenter => Value::String(text.into()),
        }
    }
}

/// A JQL string literal.
pub fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}
