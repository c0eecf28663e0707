//! ServiceNow's Table API: records of one table listed by an encoded query and an offset,
//! one record found by its number, fields patched, records created, and the journal
//! (`sys_journal_field`: work notes and comments) searched.

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Map, Value};

use super::config::Settings;
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, path_segment};

/// Records asked for per page.
const PAGE: usize = 100;
/// The fields a listing asks for.
pub const FIELDS: &str = "sys_id,number,short_description,description,state,priority,\
                          assigned_to,sys_created_on,sys_updated_on";

/// A record: each field `{display_value, value}` (`sysparm_display_value=all`).
pub type Record = Map<String, Value>;

#[derive(Deserialize)]
struct Answer<T> {
    #[serde(default = "Vec::new")]
    result: Vec<T>,
}

/// A client for one instance.
pub struct Client {
    http: Http,
    table: String,
}

impl Client {
    /// Builds the client for `cfg` (its `url` is the instance).
    pub async fn new(
        cfg: &SourceConfig,
        settings: &Settings,
        timeout: Duration,
    ) -> Result<Client, Error> {
        let headers = crate::sources::http::json_headers();
        let base = cfg.url.clone().unwrap_or_default();
        let http = Http::new(cfg, &base, timeout, Scheme::BearerOrBasic, headers).await?;
        let table = settings.table.clone().unwrap_or_else(|| "incident".into());
        Ok(Client { http, table })
    }

    fn table_path(&self, table: &str) -> String {
        format!("/api/now/table/{}", path_segment(table))
    }

    async fn list(
        &self,
        table: &str,
        query: &str,
        fields: &str,
        offset: usize,
        limit: usize,
    ) -> Result<Vec<Record>, Error> {
        let req = self
            .http
            .request(Method::GET, &self.table_path(table))
            .query(&[
                ("sysparm_query", query),
                ("sysparm_fields", fields),
                ("sysparm_display_value", "all"),
                ("sysparm_exclude_reference_link", "true"),
            ])
            .query(&[("sysparm_limit", limit), ("sysparm_offset", offset)]);
        let answer: Answer<Record> = self.http.json(req).await?;
        Ok(answer.result)
    }

    /// Every record `query` matches, page by page; more than `cap` is an error.
    pub async fn records(&self, query: &str, cap: usize) -> Result<Vec<Record>, Error> {
        let mut out = Vec::new();
        loop {
            let page = self
                .list(&self.table, query, FIELDS, out.len(), PAGE)
                .await?;
            let got = page.len();
            out.extend(page);
            crate::sources::ticketing::check_count(out.len(), cap, "the query")?;
            if got < PAGE {
                return Ok(out);
            }
        }
    }

    /// The first record `query` matches.
    pub async fn first(&self, query: &str) -> Result<Option<Record>, Error> {
        let found = self.list(&self.table, query, FIELDS, 0, 1).await?;
        Ok(found.into_iter().next())
    }

    /// The newest journal entries (work notes and comments) of record `sys_id` that
    /// `extra` (an encoded query, may be empty) also matches.
    pub async fn journal(
        &self,
        sys_id: &str,
        extra: &str,
        limit: usize,
    ) -> Result<Vec<Record>, Error> {
        let mut query = format!("element_id={sys_id}^elementINwork_notes,comments");
        if !extra.is_empty() {
            query.push('^');
            query.push_str(extra);
        }
        query.push_str("^ORDERBYDESCsys_created_on");
        let fields = "value,element,sys_created_by,sys_created_on";
        self.list("sys_journal_field", &query, fields, 0, limit)
            .await
    }

    /// Sets fields of record `sys_id`.
    pub async fn patch(&self, sys_id: &str, fields: &Value) -> Result<(), Error> {
        let path = format!("{}/{}", self.table_path(&self.table), path_segment(sys_id));
        let req = self.http.request(Method::PATCH, &path).json(fields);
        self.http.body(req).await.map(drop)
    }

    /// Creates a record.
    pub async fn create(&self, fields: &Value) -> Result<(), Error> {
        let req = self
            .http
            .request(Method::POST, &self.table_path(&self.table))
            .json(fields);
        self.http.body(req).await.map(drop)
    }
}

/// A field's value (`value` of `{display_value, value}`, or the field itself when plain).
pub fn value<'r>(r: &'r Record, field: &str) -> Option<&'r str> {
    let v = r.get(field)?;
    v.get("value")
        .and_then(Value::as_str)
        .or_else(|| v.as_str())
}

/// A field's display value, else its value.
pub fn shown<'r>(r: &'r Record, field: &str) -> Option<&'r str> {
    let v = r.get(field)?;
    v.get("display_value")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .or_else(|| value(r, field))
}
