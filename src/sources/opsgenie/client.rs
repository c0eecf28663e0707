//! A client for one Opsgenie account (Alert API v2): every page of the alerts a query finds,
//! refused rather than cut past Opsgenie's paging window.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::Method;

use super::config::Settings;
use super::wire;
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme};

/// The API host of US accounts.
pub const US_API: &str = "https://api.opsgenie.com";
/// The API host of EU accounts.
pub const EU_API: &str = "https://api.eu.opsgenie.com";
/// Alerts per page: the most Opsgenie gives.
pub const PAGE: usize = 100;
/// How far `offset + limit` may reach: Opsgenie answers nothing past it.
pub const WINDOW: usize = 20_000;

/// A client for one Opsgenie account.
pub struct Client {
    http: Http,
}

impl Client {
    /// Builds the client for `cfg` with its `settings`.
    pub async fn new(
        cfg: &SourceConfig,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Client, Error> {
        let base = settings.region.base(cfg.url.as_deref(), US_API, EU_API);
        let headers = crate::sources::http::json_headers();
        let http = Http::new(cfg, &base, timeout, Scheme::Prefixed("GenieKey "), headers).await?;
        Ok(Client { http })
    }

    /// Every alert `query` finds, newest first. More than the paging window can reach is an
    /// error that says to narrow the query, never a shorter list. An alert seen twice (the
    /// list moved between two pages) is kept once.
    pub async fn alerts(&self, query: &str) -> Result<Vec<wire::Alert>, Error> {
        let mut out: Vec<wire::Alert> = Vec::new();
        let mut seen = HashSet::new();
        for offset in (0..).step_by(PAGE) {
            if offset + PAGE > WINDOW {
                return Err(Error::Rejected(format!(
                    "more than {WINDOW} alerts match `{query}`: Opsgenie pages no further; \
                     narrow `query` (a team, a priority, a tag)"
                )));
            }
            let req = self
                .http
                .request(Method::GET, "/v2/alerts")
                .query(&[("query", query), ("sort", "createdAt"), ("order", "desc")])
                .query(&[("limit", PAGE), ("offset", offset)]);
            let page: wire::AlertPage = self.http.json(req).await?;
            let got = page.data.len();
            out.extend(page.data.into_iter().filter(|a| seen.insert(a.id.clone())));
            if got < PAGE {
                break;
            }
        }
        Ok(out)
    }
}
