//! A client for one Opsgenie account (Alert API v2) or one JSM Operations site (v1, the same
//! API under a new base): every page of the alerts a query finds, refused rather than cut past
//! the paging window; one alert, its notes and its activity log; the writes, each answered
//! 202 with a request id that is followed until it succeeded or failed.

use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use reqwest::{Method, RequestBuilder};
use tokio::time::Instant;

use super::wire;
use crate::config::source::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{Http, Scheme, path_segment};

/// The API host of US accounts.
pub const US_API: &str = "https://api.opsgenie.com";
/// The API host of EU accounts.
pub const EU_API: &str = "https://api.eu.opsgenie.com";
/// Alerts per page: the most Opsgenie gives.
pub const PAGE: usize = 100;
/// How far `offset + limit` may reach: Opsgenie answers nothing past it.
pub const WINDOW: usize = 20_000;
/// Opsgenie's Incident API (JSM Operations has none: its incidents are Jira issues).
const INCIDENTS: &str = "/v1/incidents";
/// Its listing, with the trailing slash the API documents.
const INCIDENTS_LIST: &str = "/v1/incidents/";
/// The first wait before asking how a write went; it doubles up to `FOLLOW_MOST`.
const FOLLOW_FIRST: Duration = Duration::from_millis(200);
/// The longest wait between two looks at a write's request.
const FOLLOW_MOST: Duration = Duration::from_secs(2);

/// Which of the two APIs a client speaks: the same resources, a few names apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// Opsgenie's `/v2`, `GenieKey` auth, action bodies naming the user.
    Opsgenie,
    /// JSM Operations' `/v1`, basic auth, no body on ack/unack/close.
    JsmOps,
}

impl Dialect {
    /// The path prefix of the alert API.
    fn alerts(self) -> &'static str {
        match self {
            Dialect::Opsgenie => "/v2/alerts",
            Dialect::JsmOps => "/v1/alerts",
        }
    }

    /// The query parameter of the page size.
    fn page_size(self) -> &'static str {
        match self {
            Dialect::Opsgenie => "limit",
            Dialect::JsmOps => "size",
        }
    }
}

/// A write on one alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Write {
    /// Acknowledge.
    Acknowledge,
    /// Take the acknowledgement back.
    Unacknowledge,
    /// Close (resolve).
    Close,
    /// Snooze until then.
    Snooze(DateTime<Utc>),
    /// Add this note.
    Note(String),
    /// Make this user the owner.
    Assign(wire::Recipient),
    /// Escalate to the next rule of this escalation.
    Escalate(wire::Recipient),
    /// Ask this team, user, escalation or schedule to respond too.
    AddResponder(wire::Recipient),
}

impl Write {
    /// The last path segment of the write.
    pub fn action(&self) -> &'static str {
        match self {
            Write::Acknowledge => "acknowledge",
            Write::Unacknowledge => "unacknowledge",
            Write::Close => "close",
            Write::Snooze(_) => "snooze",
            Write::Note(_) => "notes",
            Write::Assign(_) => "assign",
            Write::Escalate(_) => "escalate",
            Write::AddResponder(_) => "responders",
        }
    }
}

/// How a followed write ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Done.
    Done,
    /// Refused, in Opsgenie's words.
    Failed(String),
}

/// A client for one account.
pub struct Client {
    http: Http,
    dialect: Dialect,
}

impl Client {
    /// A client for `cfg` speaking `dialect` to the API at `base`.
    pub async fn new(
        cfg: &SourceConfig,
        base: &str,
        dialect: Dialect,
        timeout: Duration,
    ) -> Result<Client, Error> {
        let headers = crate::sources::http::json_headers();
        let scheme = match dialect {
            Dialect::Opsgenie => Scheme::Prefixed("GenieKey "),
            Dialect::JsmOps => Scheme::BearerOrBasic,
        };
        let http = Http::new(cfg, base, timeout, scheme, headers).await?;
        Ok(Client { http, dialect })
    }

    /// Every alert `query` finds, newest first, handed to `each` a page at a time (so that a
    /// long list is never held twice, as answers and as alerts). More than the paging window
    /// can reach is an error that says to narrow the query, never a shorter list. (A list
    /// that moves between two pages can show an alert twice: the caller keeps it once.)
    pub async fn alerts(
        &self,
        query: &str,
        each: impl FnMut(Vec<wire::Alert>),
    ) -> Result<(), Error> {
        self.pages(self.dialect.alerts(), query, each).await
    }

    /// Every open incident `query` finds (Opsgenie's Incident API; the same fields as an
    /// alert's), paged like the alerts.
    pub async fn incidents(
        &self,
        query: &str,
        each: impl FnMut(Vec<wire::Alert>),
    ) -> Result<(), Error> {
        self.pages(INCIDENTS_LIST, query, each).await
    }

    /// Every page of the listing at `path`, up to the window.
    async fn pages(
        &self,
        path: &str,
        query: &str,
        mut each: impl FnMut(Vec<wire::Alert>),
    ) -> Result<(), Error> {
        for offset in (0..).step_by(PAGE) {
            if offset + PAGE > WINDOW {
                return Err(Error::Rejected(format!(
                    "more than {WINDOW} alerts match `{query}`: Opsgenie pages no further; \
                     narrow `query` (a team, a priority, a tag)"
                )));
            }
            let req = self
                .http
                .request(Method::GET, path)
                .query(&[("query", query), ("sort", "createdAt"), ("order", "desc")])
                .query(&[(self.dialect.page_size(), PAGE), ("offset", offset)]);
            let page: wire::AlertPage = self.http.json(req).await?;
            let got = page.data.len();
            each(page.data);
            if got < PAGE {
                break;
            }
        }
        Ok(())
    }

    /// The alert `id` as it is now (with its details).
    pub async fn alert(&self, id: &str) -> Result<wire::Alert, Error> {
        let req = self.by_id(Method::GET, id, "");
        Ok(self.http.json::<wire::OneAlert>(req).await?.into_alert())
    }

    /// The alert's notes, oldest first.
    pub async fn notes(&self, id: &str) -> Result<Vec<wire::Note>, Error> {
        let req = self.listing(self.by_id(Method::GET, id, "/notes"));
        Ok(self.http.json::<wire::NotePage>(req).await?.data)
    }

    /// The alert's activity log, oldest first.
    pub async fn log(&self, id: &str) -> Result<Vec<wire::LogEntry>, Error> {
        let req = self.listing(self.by_id(Method::GET, id, "/logs"));
        Ok(self.http.json::<wire::LogPage>(req).await?.data)
    }

    /// The escalations: Opsgenie's all at once; JSM's per team, of `teams` (ids).
    pub async fn escalations(&self, teams: &[String]) -> Result<Vec<wire::Escalation>, Error> {
        match self.dialect {
            Dialect::Opsgenie => {
                let req = self.http.request(Method::GET, "/v2/escalations");
                Ok(self.http.json::<wire::EscalationPage>(req).await?.data)
            }
            Dialect::JsmOps => {
                let mut out = Vec::new();
                for team in teams {
                    let path = format!("/v1/teams/{}/escalations", path_segment(team));
                    let req = self
                        .http
                        .request(Method::GET, &path)
                        .query(&[("size", "100")]);
                    out.extend(self.http.json::<wire::EscalationPage>(req).await?.data);
                }
                Ok(out)
            }
        }
    }

    /// Who is on call on schedule `id` now (`next`: who is next), by name.
    pub async fn on_call(&self, id: &str, next: bool) -> Result<Vec<String>, Error> {
        let prefix = match self.dialect {
            Dialect::Opsgenie => "/v2/schedules",
            Dialect::JsmOps => "/v1/schedules",
        };
        let which = if next { "next-on-calls" } else { "on-calls" };
        let path = format!("{prefix}/{}/{which}", path_segment(id));
        let mut req = self
            .http
            .request(Method::GET, &path)
            .query(&[("flat", "true")]);
        if self.dialect == Dialect::Opsgenie {
            req = req.query(&[("scheduleIdentifierType", "id")]);
        }
        let answer: wire::OnCallAnswer = self.http.json(req).await?;
        Ok(answer.names(&[
            "onCallRecipients",
            "onCallUsers",
            "exactNextOnCallRecipients",
            "nextOnCallRecipients",
            "exactNextOnCallParticipants",
            "nextOnCallParticipants",
        ]))
    }

    /// Sends `write` on alert `id` as `user`, with `note` where the API takes one; the id of
    /// the request to follow, or none when the answer was final (JSM writes a note at once).
    pub async fn write(
        &self,
        id: &str,
        write: &Write,
        user: &str,
        note: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let path = format!("/{}", write.action());
        let req = self.by_id(Method::POST, id, &path);
        let req = match self.body(write, user, note) {
            Some(body) => req.json(&body),
            None => req,
        };
        self.accepted(req).await
    }

    /// Sends a write; the request id its 202 names, or none when the answer was final.
    async fn accepted(&self, req: RequestBuilder) -> Result<Option<String>, Error> {
        let answer = self.http.body(req).await?;
        let accepted: wire::Accepted = serde_json::from_slice(&answer).unwrap_or_default();
        Ok(accepted.request_id)
    }

    /// Follows the request `request_id`, sent at `sent`, until it succeeded or failed: the
    /// first look `FOLLOW_FIRST` after it was sent (at once for one sent long enough ago),
    /// then waiting longer between looks (404 means not picked up yet). Bounded by the
    /// caller's timeout.
    pub async fn follow(&self, request_id: &str, sent: Instant) -> Result<Outcome, Error> {
        self.follow_at(self.dialect.alerts(), request_id, sent)
            .await
    }

    /// Opsgenie incident `id` as it is now.
    pub async fn incident(&self, id: &str) -> Result<wire::Alert, Error> {
        let req = self.under(INCIDENTS, Method::GET, id, "");
        Ok(self.http.json::<wire::OneAlert>(req).await?.into_alert())
    }

    /// Closes Opsgenie incident `id`; the request to follow (`follow_incident`).
    pub async fn close_incident(
        &self,
        id: &str,
        note: Option<&str>,
    ) -> Result<Option<String>, Error> {
        let body = wire::ActionBody {
            note: note.map(str::to_string),
            ..Default::default()
        };
        let req = self
            .under(INCIDENTS, Method::POST, id, "/close")
            .json(&body);
        self.accepted(req).await
    }

    /// Follows an incident's request like `follow` an alert's.
    pub async fn follow_incident(&self, request_id: &str, sent: Instant) -> Result<Outcome, Error> {
        self.follow_at(INCIDENTS, request_id, sent).await
    }

    async fn follow_at(
        &self,
        prefix: &str,
        request_id: &str,
        sent: Instant,
    ) -> Result<Outcome, Error> {
        let path = format!("{prefix}/requests/{}", path_segment(request_id));
        tokio::time::sleep_until(sent + FOLLOW_FIRST).await;
        let mut wait = FOLLOW_FIRST;
        for look in 0.. {
            if look > 0 {
                tokio::time::sleep(wait).await;
                wait = (wait * 2).min(FOLLOW_MOST);
            }
            let req = self.http.request(Method::GET, &path);
            let answer = match self.http.json::<wire::RequestAnswer>(req).await {
                Ok(answer) => answer.into_status(),
                Err(Error::Http { status: 404, .. }) => continue,
                Err(e) => return Err(e),
            };
            match answer.is_success {
                Some(true) => return Ok(Outcome::Done),
                Some(false) => {
                    let why = answer.status.unwrap_or_else(|| "refused".into());
                    return Ok(Outcome::Failed(why));
                }
                None => continue,
            }
        }
        Err(Error::Timeout(self.http.timeout))
    }

    /// A request on alert `id` (by its id, not its alias or tiny id).
    fn by_id(&self, method: Method, id: &str, rest: &str) -> RequestBuilder {
        self.under(self.dialect.alerts(), method, id, rest)
    }

    /// A request on item `id` of the API at `prefix` (alerts, incidents), by its id.
    fn under(&self, prefix: &str, method: Method, id: &str, rest: &str) -> RequestBuilder {
        let path = format!("{prefix}/{}{rest}", path_segment(id));
        let req = self.http.request(method, &path);
        match self.dialect {
            Dialect::Opsgenie => req.query(&[("identifierType", "id")]),
            Dialect::JsmOps => req,
        }
    }

    /// Asks a notes or log listing for its first 100 entries, oldest first.
    fn listing(&self, req: RequestBuilder) -> RequestBuilder {
        match self.dialect {
            Dialect::Opsgenie => req.query(&[("limit", "100"), ("order", "asc")]),
            Dialect::JsmOps => req.query(&[("size", "100")]),
        }
    }

    /// The body `write` is sent with, or none (JSM's ack, unack and close take none).
    fn body(&self, write: &Write, user: &str, note: Option<&str>) -> Option<wire::ActionBody> {
        let mut body = wire::ActionBody::default();
        if self.dialect == Dialect::Opsgenie {
            body.user = Some(user.to_string()).filter(|u| !u.is_empty());
            body.source = Some("onduty");
            body.note = note.map(str::to_string);
        }
        match (write, self.dialect) {
            (Write::Acknowledge | Write::Unacknowledge | Write::Close, Dialect::JsmOps) => {
                return None;
            }
            (Write::Acknowledge | Write::Unacknowledge | Write::Close, Dialect::Opsgenie) => {}
            (Write::Snooze(until), _) => {
                body.end_time = Some(until.to_rfc3339_opts(SecondsFormat::Millis, true));
            }
            (Write::Note(text), _) => body.note = Some(text.clone()),
            (Write::Assign(who), Dialect::Opsgenie) => body.owner = Some(who.clone()),
            (Write::Assign(who), Dialect::JsmOps) => body.account_id = who.id.clone(),
            (Write::Escalate(to), Dialect::Opsgenie) => body.escalation = Some(to.clone()),
            (Write::Escalate(to), Dialect::JsmOps) => body.escalation_id = to.id.clone(),
            (Write::AddResponder(who), Dialect::Opsgenie) => body.responder = Some(who.clone()),
            (Write::AddResponder(who), Dialect::JsmOps) => {
                body.id = who.id.clone();
                body.kind = who.kind;
            }
        }
        Some(body)
    }
}
