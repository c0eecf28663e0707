//! GitHub's issue endpoints (github.com or an Enterprise server's `/api/v3`): the versioned
//! media type, page-numbered lists followed to a short page, issues read, commented,
//! closed, reopened and created.

use std::time::Duration;

use reqwest::Method;
use reqwest::header::{ACCEPT, HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use serde_json::json;

use super::wire;
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, path_segment};

/// github.com's API.
pub const GITHUB_API: &str = "https://api.github.com";
/// Items per page (GitHub's most).
const PAGE: usize = 100;
/// Most pages of comments read when looking for a marker.
const COMMENT_PAGES: usize = 3;

/// A client for one GitHub host.
pub struct Client {
    http: Http,
}

/// `owner/name` and an issue number.
pub struct IssueRef<'a> {
    /// `owner/name`.
    pub repo: &'a str,
    /// The number.
    pub number: u64,
}

impl IssueRef<'_> {
    fn path(&self, rest: &str) -> String {
        format!("{}/issues/{}{rest}", repo_path(self.repo), self.number)
    }
}

fn repo_path(repo: &str) -> String {
    let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
    format!("/repos/{}/{}", path_segment(owner), path_segment(name))
}

impl Client {
    /// Builds the client for `cfg`.
    pub async fn new(cfg: &SourceConfig, timeout: Duration) -> Result<Client, Error> {
        let mut headers = HeaderMap::new();
        headers.insert(
            ACCEPT,
            HeaderValue::from_static("application/vnd.github+json"),
        );
        headers.insert(
            "x-github-api-version",
            HeaderValue::from_static("2022-11-28"),
        );
        let base = cfg.url.clone().unwrap_or_else(|| GITHUB_API.into());
        let http = Http::new(cfg, &base, timeout, Scheme::BearerOrBasic, headers).await?;
        Ok(Client { http })
    }

    /// Every page of a list, to the first page shorter than a full one, at most
    /// `max_pages`; items with nothing new end it too.
    async fn pages<T: DeserializeOwned + Send + 'static>(
        &self,
        path: &str,
        query: &[(&str, &str)],
        max_pages: usize,
    ) -> Result<Vec<T>, Error> {
        let mut out = Vec::new();
        for page in 1..=max_pages {
            let req = self
                .http
                .request(Method::GET, path)
                .query(query)
                .query(&[("per_page", PAGE), ("page", page)]);
            let items: Vec<T> = self.http.json(req).await?;
            let got = items.len();
            out.extend(items);
            if got < PAGE {
                break;
            }
        }
        Ok(out)
    }

    /// Open issues of `repo` labelled `label`, up to `max` (then one more, to tell).
    pub async fn open_issues(
        &self,
        repo: &str,
        label: &str,
        max: usize,
    ) -> Result<Vec<wire::Issue>, Error> {
        let query = [("state", "open"), ("labels", label), ("sort", "updated")];
        self.pages(
            &format!("{}/issues", repo_path(repo)),
            &query,
            max / PAGE + 1,
        )
        .await
    }

    /// The newest issues of `repo` labelled `label`, open or closed (where a re-sent create
    /// looks for the issue it made).
    pub async fn recent_issues(&self, repo: &str, label: &str) -> Result<Vec<wire::Issue>, Error> {
        let query = [
            ("state", "all"),
            ("labels", label),
            ("sort", "created"),
            ("direction", "desc"),
        ];
        self.pages(&format!("{}/issues", repo_path(repo)), &query, 1)
            .await
    }

    /// The token's user (`GET /user`).
    pub async fn user(&self) -> Result<wire::User, Error> {
        let req = self.http.request(Method::GET, "/user");
        self.http.json(req).await
    }

    /// One issue.
    pub async fn issue(&self, at: &IssueRef<'_>) -> Result<wire::Issue, Error> {
        let req = self.http.request(Method::GET, &at.path(""));
        self.http.json(req).await
    }

    /// Its comments, oldest first (the first few pages).
    pub async fn comments(&self, at: &IssueRef<'_>) -> Result<Vec<wire::Comment>, Error> {
        self.pages(&at.path("/comments"), &[], COMMENT_PAGES).await
    }

    /// Adds a comment.
    pub async fn comment(&self, at: &IssueRef<'_>, body: &str) -> Result<(), Error> {
        let req = self
            .http
            .request(Method::POST, &at.path("/comments"))
            .json(&json!({ "body": body }));
        self.http.body(req).await.map(drop)
    }

    /// Sets `open` or `closed`.
    pub async fn set_state(&self, at: &IssueRef<'_>, state: &str) -> Result<(), Error> {
        let req = self
            .http
            .request(Method::PATCH, &at.path(""))
            .json(&json!({ "state": state }));
        self.http.body(req).await.map(drop)
    }

    /// Opens an issue in `repo`.
    pub async fn create(
        &self,
        repo: &str,
        title: &str,
        body: &str,
        label: &str,
    ) -> Result<(), Error> {
        let req = self
            .http
            .request(Method::POST, &format!("{}/issues", repo_path(repo)))
            .json(&json!({ "title": title, "body": body, "labels": [label] }));
        self.http.body(req).await.map(drop)
    }
}
