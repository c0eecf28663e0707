//! Where a JSM Operations site's API lives: `https://api.atlassian.com/jsm/ops/api/{cloud_id}`,
//! the cloud id configured or asked of the site once (`/_edge/tenant_info`) and kept for the
//! client's life; and a user's account id, asked of the site by email.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;

use super::config::{JSM_API, JsmSettings, is_cloud_id};
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, json_headers, path_segment};

/// `GET {site}/_edge/tenant_info`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TenantInfo {
    cloud_id: String,
}

/// The API base for `settings`: `api_url` (or `JSM_API`) with its `{cloud_id}` filled.
pub async fn api_base(
    cfg: &SourceConfig,
    settings: &JsmSettings,
    timeout: Duration,
) -> Result<String, Error> {
    let template = settings.api_url.as_deref().unwrap_or(JSM_API);
    if !template.contains("{cloud_id}") {
        return Ok(template.to_string());
    }
    let id = match &settings.cloud_id {
        Some(id) => id.clone(),
        None => cloud_id(cfg, timeout).await?,
    };
    Ok(template.replace("{cloud_id}", &path_segment(&id)))
}

/// One user as the site's user search lists them.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct User {
    account_id: String,
    #[serde(default)]
    email_address: Option<String>,
}

/// The account id of the user whose email is `email`, asked of the site `cfg.url`
/// (`/rest/api/3/user/search`, with the source's own basic auth).
pub async fn account_id(
    cfg: &SourceConfig,
    email: &str,
    timeout: Duration,
) -> Result<String, Error> {
    let (site, http) = site(cfg, timeout).await?;
    let req = http
        .request(Method::GET, "/rest/api/3/user/search")
        .query(&[("query", email)]);
    let users: Vec<User> = http.json(req).await?;
    let exact = users
        .iter()
        .filter(|u| {
            u.email_address
                .as_deref()
                .is_some_and(|e| e.eq_ignore_ascii_case(email))
        })
        .collect::<Vec<_>>();
    // A site that hides emails lists the one match without it.
    let found = match (exact.as_slice(), users.as_slice()) {
        ([one], _) => one,
        ([], [only]) => only,
        _ => {
            return Err(Error::Rejected(format!(
                "{site} knows no single user '{email}': name them by account id"
            )));
        }
    };
    Ok(found.account_id.clone())
}

/// The site `cfg.url` and a client for it, with the source's own basic auth.
async fn site(cfg: &SourceConfig, timeout: Duration) -> Result<(&str, Http), Error> {
    let site = cfg
        .url
        .as_deref()
        .ok_or_else(|| Error::Rejected("a JSM Operations source needs its site as url".into()))?;
    let http = Http::new(cfg, site, timeout, Scheme::BearerOrBasic, json_headers()).await?;
    Ok((site, http))
}

/// The cloud id the site `cfg.url` tells.
async fn cloud_id(cfg: &SourceConfig, timeout: Duration) -> Result<String, Error> {
    let (site, http) = site(cfg, timeout).await?;
    let info: TenantInfo = http
        .json(http.request(Method::GET, "/_edge/tenant_info"))
        .await
        .map_err(|e| Error::Rejected(format!("{site} gave no cloud id ({e}): set cloud_id")))?;
    let id = info.cloud_id.trim();
    if !is_cloud_id(id) {
        return Err(Error::Decode(format!(
            "{site}/_edge/tenant_info: '{}' is not a cloud id",
            crate::model::sanitize::line(id, 60)
        )));
    }
    Ok(id.to_string())
}
