//! `JsonSource`: any HTTP API that answers JSON (Zenoss, SolarWinds SWIS, Alerta, an in-house
//! tool) as a source, by configuration alone: the request, a pointer to the list, a pointer
//! per field, maps for severity and status, paging by a next link or a page or offset
//! parameter, and actions as HTTP templates sent through the outbox.

mod config;
mod map;
mod raw;

use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::config::read::Problem;
use crate::config::source::{SourceConfig, SourceKind};
use crate::model::{AlertKey, SourceId};
use crate::sources::backend::{Backend, BackendSettings, FromConfig, built_from_config, check};
use crate::sources::http::{Http, Scheme, json_headers};
use crate::sources::{Can, Capabilities};
pub use config::{ACTIONS, DEFAULT_MAX_ITEMS, MOST_PAGES, Settings};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("json");

/// What a JSON source does with no actions configured; each `[source.actions.NAME]` adds
/// one (`Source::capabilities_now`).
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::No("this JSON source has no [source.actions.acknowledge]"),
    unacknowledge: Can::No("this JSON source has no [source.actions.unacknowledge]"),
    resolve: Can::No("this JSON source has no [source.actions.resolve]"),
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend::of(
    KIND,
    CAPABILITIES,
    check::<Settings>,
    built_from_config::<JsonSource>,
);

/// Items a page unless `paging.size` says otherwise.
const PAGE_SIZE: usize = 100;

/// Any JSON API.
pub struct JsonSource {
    id: SourceId,
    config: SourceConfig,
    settings: Settings,
    timeout: Duration,
    clock: SharedClock,
    http: Option<Http>,
}

impl FromConfig for JsonSource {
    fn from_config(
        config: SourceConfig,
        timeout: Duration,
        clock: SharedClock,
    ) -> Result<Self, Vec<Problem>> {
        let settings = Settings::read(&config)?;
        Ok(JsonSource {
            id: SourceId(config.name.as_str().into()),
            config,
            settings,
            timeout,
            clock,
            http: None,
        })
    }
}

fn method(m: Option<&str>, default: Method) -> Method {
    m.and_then(|m| Method::from_bytes(m.to_ascii_uppercase().as_bytes()).ok())
        .unwrap_or(default)
}

/// `body` with `{id}` and `{text}` filled in as JSON string content. An `{id}` outside
/// quotes (a number in the body, `[[{id}]]`) takes only an integer id: an id from the back
/// end can never add to the request.
fn filled_body(body: &str, id: &str, text: &str) -> Result<Value, Error> {
    let bare = body.replace("\"{id}\"", "").contains("{id}");
    let is_integer = id
        .strip_prefix('-')
        .unwrap_or(id)
        .bytes()
        .all(|b| b.is_ascii_digit())
        && !id.is_empty();
    if bare && !is_integer {
        return Err(Error::Rejected(format!(
            "the action's body takes {{id}} as a number and this id is not one: {}",
            crate::model::sanitize::line(id, 80)
        )));
    }
    let inner = |s: &str| {
        let quoted = serde_json::to_string(s).unwrap_or_default();
        quoted[1..quoted.len().saturating_sub(1)].to_string()
    };
    let filled = body
        .replace("{id}", &inner(id))
        .replace("{text}", &inner(text));
    serde_json::from_str(&filled).map_err(|e| Error::Rejected(format!("the action's body: {e}")))
}

impl JsonSource {
    async fn http(&mut self) -> Result<&Http, Error> {
        let base = self.config.url.clone().unwrap_or_default();
        let scheme = match &self.settings.token_header {
            Some(h) => Scheme::Header(h.clone().into()),
            None => Scheme::BearerOrBasic,
        };
        let build = Http::new(
            &self.config,
            base.trim_end_matches('/'),
            self.timeout,
            scheme,
            json_headers(),
        );
        super::built(&mut self.http, build).await
    }

    /// The request for page `n` (from 0): the configured one, with the page or offset
    /// parameter, or the next link the previous page gave.
    fn page_request(
        &self,
        http: &Http,
        n: usize,
        next: Option<&str>,
    ) -> Result<reqwest::RequestBuilder, Error> {
        let m = method(self.settings.method.as_deref(), Method::GET);
        let mut req = match next {
            Some(link) => http.request_link(m.clone(), link)?,
            None => http.request(m.clone(), ""),
        };
        if next.is_none() {
            if let Some(body) = &self.settings.body {
                req = req.body(body.clone());
            }
            if let Some(p) = &self.settings.paging {
                let size = p.size.unwrap_or(PAGE_SIZE);
                if let Some(param) = &p.size_param {
                    req = req.query(&[(param, size)]);
                }
                if let Some(param) = &p.page_param {
                    req = req.query(&[(param, n + 1)]);
                }
                if let Some(param) = &p.offset_param {
                    req = req.query(&[(param, n * size)]);
                }
            }
        }
        Ok(req)
    }

    /// Every page's alerts, page after page to the end, and how many items were no
    /// alerts; more than `max_items` items is an error, never a cut.
    async fn pages(&mut self) -> Result<(Vec<crate::model::Alert>, usize), Error> {
        let cap = self.settings.max_items.unwrap_or(DEFAULT_MAX_ITEMS);
        self.http().await?;
        let Some(http) = self.http.as_ref() else {
            return Err(Error::Connect("no client".into()));
        };
        let paging = self.settings.paging.clone().unwrap_or_default();
        let size = paging.size.unwrap_or(PAGE_SIZE);
        let by_param = paging.page_param.is_some() || paging.offset_param.is_some();
        let now = self.clock.now();
        let (mut alerts, mut invalid, mut listed) = (Vec::new(), 0, 0);
        let mut next: Option<String> = None;
        let mut links_seen = std::collections::HashSet::new();
        // A whole answer that is the list streams: it is never held (a list inside an
        // object is found by its pointer in the held answer, and so is a next link).
        let streams = self.settings.items.is_empty() && paging.next.is_none();
        for n in 0..MOST_PAGES {
            let req = self.page_request(http, n, next.as_deref())?;
            let (settings, id) = (self.settings.clone(), self.id.clone());
            let page = if streams {
                let read = move |r: &mut dyn std::io::Read| raw::streamed(r, &settings, &id, now);
                crate::sources::stream::decode_streamed(http, req, |_| {}, read).await?
            } else {
                let body = http.body(req).await?;
                let read = move || raw::page(&body, &settings, &id, now);
                // A large page is read off the async task, as every large answer is.
                crate::work::bulk::run(read)
                    .await
                    .map_err(|e| Error::Decode(format!("reader stopped: {e}")))??
            };
            listed += page.listed;
            if listed > cap {
                return Err(Error::Rejected(format!(
                    "more than {cap} items: narrow the request or raise max_items"
                )));
            }
            invalid += page.invalid;
            let full = page.listed >= size && page.listed > 0;
            if alerts.is_empty() {
                // The first (often the only) page's list is kept as it is, not copied.
                alerts = page.alerts;
            } else {
                alerts.extend(page.alerts);
            }
            next = page.next.filter(|l| links_seen.insert(l.clone()));
            let more = next.is_some() || (by_param && full);
            if !more {
                return Ok((alerts, invalid));
            }
        }
        Err(Error::Decode(format!(
            "more than {MOST_PAGES} pages: the paging never ends"
        )))
    }
}

impl Source for JsonSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        let (mut alerts, mut invalid) = self.pages().await?;
        // An item listed twice (a page that shifted under a change) is kept once, in place.
        let mut seen = std::collections::HashSet::with_capacity(alerts.len());
        let before = alerts.len();
        alerts.retain(|a| seen.insert(a.key.clone()));
        if alerts.len() < before {
            invalid += before - alerts.len();
            tracing::warn!(source = %self.id, twice = before - alerts.len(), "items listed twice");
        }
        Ok(Snapshot {
            alerts: Arc::new(alerts),
            invalid,
            ..Snapshot::default()
        })
    }

    fn capabilities_now(&self) -> Option<Capabilities> {
        Some(CAPABILITIES.with_configured(|name| self.settings.actions.contains_key(name)))
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, _: &str) -> Result<(), Error> {
        let Some(id) = key.id_in(&self.id).map(str::to_string) else {
            return Err(Error::Rejected(format!("{key} is no alert of {}", self.id)));
        };
        let (name, text) = match op {
            Operation::Acknowledge => ("acknowledge", String::new()),
            Operation::Unacknowledge => ("unacknowledge", String::new()),
            Operation::Resolve => ("resolve", String::new()),
            Operation::AddNote { text } => ("note", text.clone()),
            other => {
                return Err(Error::Rejected(format!(
                    "a JSON source sends {}; not {}",
                    ACTIONS.join(", "),
                    other.verb()
                )));
            }
        };
        let Some(action) = self.settings.actions.get(name).cloned() else {
            return Err(Error::Rejected(format!(
                "{} has no [source.actions.{name}]",
                self.id
            )));
        };
        let http = self.http().await?;
        let url = map::filled_url(&action.url, &id);
        let mut req = http.request_link(method(action.method.as_deref(), Method::POST), &url)?;
        if let Some(body) = &action.body {
            req = req.json(&filled_body(body, &id, &text)?);
        }
        http.body(req).await.map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_notes_fill_a_body_without_adding_to_it() {
        let quoted = r#"{"evids":["{id}"],"note":"{text}"}"#;
        assert_eq!(
            filled_body(quoted, "a\"b", "x\"}, {\"evil\": 1").unwrap(),
            serde_json::json!({"evids": ["a\"b"], "note": "x\"}, {\"evil\": 1"})
        );
        let bare = r#"[[{id}], "from onduty"]"#;
        assert_eq!(
            filled_body(bare, "12", "").unwrap(),
            serde_json::json!([[12], "from onduty"])
        );
        let err = filled_body(bare, "1,2", "").unwrap_err();
        assert!(err.to_string().contains("as a number"), "{err}");
    }
}
