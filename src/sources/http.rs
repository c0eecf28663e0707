//! HTTP shared by every back end: the reqwest client built from a source's config (auth,
//! extra headers, CA and client certificates, timeouts), answers read under a size cap, and
//! failures turned into `sources::Error`s whose text is safe to show (no token, no body
//! beyond a short sanitized excerpt, the wait a 429 asked for).

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use crate::config::secrets::{self, Secret};
use crate::config::source::SourceConfig;
use crate::model::sanitize;
use crate::sources::Error;

/// Answers above this size are decoded on a low-priority thread (`crate::work::bulk`), not on the
/// async task.
pub const DECODE_OFF_TASK: usize = 1 << 20;
/// Default cap on an answer's size.
pub const DEFAULT_MAX_RESPONSE_MB: u64 = 256;

/// How the token goes on a request.
pub enum Scheme {
    /// `Authorization: Bearer TOKEN`, or basic auth when the source names a `username`.
    BearerOrBasic,
    /// `Authorization: PREFIX TOKEN` with the back end's own word: `Token token=` (PagerDuty's
    /// API keys), `GenieKey ` (Opsgenie's).
    Prefixed(&'static str),
    /// The token alone in a header of the back end's own (`X-VO-Api-Key`, Splunk On-Call's).
    Header(std::borrow::Cow<'static, str>),
}

enum Auth {
    Bearer(Secret),
    Basic(String, Secret),
    Prefixed(&'static str, Secret),
    Header(std::borrow::Cow<'static, str>, Secret),
}

/// An HTTP client for one source.
pub struct Http {
    client: reqwest::Client,
    base: String,
    auth: Option<Auth>,
    /// The largest answer read, in bytes.
    pub max_body: usize,
    /// The whole-request timeout (also named in timeout errors).
    pub timeout: Duration,
    /// The back end's published rate, kept by waiting before each request.
    pace: Option<std::sync::Arc<super::pace::Pace>>,
}

impl Http {
    /// Builds the client for `cfg` with base URL `base`: resolves the token, loads CA and
    /// client certificates, sets every timeout, adds `headers` (the back end's own) and the
    /// configured extra headers.
    pub async fn new(
        cfg: &SourceConfig,
        base: &str,
        timeout: Duration,
        scheme: Scheme,
        mut headers: HeaderMap,
    ) -> Result<Http, Error> {
        let token = secrets::resolve(cfg)
            .await
            .map_err(|e| Error::Auth(e.to_string()))?;
        let auth = match (token, &cfg.username, scheme) {
            (Some(t), _, Scheme::Prefixed(prefix)) => Some(Auth::Prefixed(prefix, t)),
            (Some(t), _, Scheme::Header(name)) => Some(Auth::Header(name, t)),
            (Some(t), Some(user), Scheme::BearerOrBasic) => Some(Auth::Basic(user.clone(), t)),
            (Some(t), None, Scheme::BearerOrBasic) => Some(Auth::Bearer(t)),
            (None, _, _) => None,
        };
        for (k, v) in &cfg.headers {
            let name = HeaderName::try_from(k.as_str())
                .map_err(|_| Error::Connect(format!("bad header name '{k}'")))?;
            let value = HeaderValue::try_from(v.as_str())
                .map_err(|_| Error::Connect(format!("bad value for header '{k}'")))?;
            headers.insert(name, value);
        }
        let mut builder = reqwest::Client::builder()
            .default_headers(headers)
            .user_agent(concat!("onduty/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(timeout.min(Duration::from_secs(10)))
            .read_timeout(timeout.min(Duration::from_secs(30)))
            .timeout(timeout);
        if base.starts_with("http://") && cfg.ca_file.is_none() {
            // Plain HTTP needs no certificate store, and loading the system's (~150 files
            // parsed) took ~100 ms per source before the first request. A redirect to
            // https is then refused as unverifiable: verification is never turned off.
            builder = builder.tls_certs_only([]);
        }
        if let Some(ca) = &cfg.ca_file {
            let pem = read(ca).await?;
            let certs = reqwest::Certificate::from_pem_bundle(&pem).map_err(|_| {
                Error::Connect(format!(
                    "ca_file '{}' holds no PEM certificate",
                    ca.display()
                ))
            })?;
            builder = builder.tls_certs_merge(certs);
        }
        if let (Some(cert), Some(key)) = (&cfg.client_cert, &cfg.client_key) {
            let mut pem = read(cert).await?;
            pem.extend(read(key).await?);
            let id = reqwest::Identity::from_pem(&pem).map_err(|_| {
                Error::Connect("client_cert/client_key are not a PEM certificate and key".into())
            })?;
            builder = builder.identity(id);
        }
        let client = builder.build().map_err(|e| Error::Connect(e.to_string()))?;
        let max_body = cfg
            .max_response_mb
            .unwrap_or(DEFAULT_MAX_RESPONSE_MB)
            .saturating_mul(1 << 20) as usize;
        Ok(Http {
            client,
            base: base.trim_end_matches('/').to_string(),
            auth,
            max_body,
            timeout,
            pace: None,
        })
    }

    /// Tells tokens apart without keeping them: equal for two sources that share a token
    /// (and a base URL), so they can share one rate-limit gate.
    pub fn token_key(&self) -> u64 {
        use std::hash::{BuildHasher, Hash, Hasher};
        static SEED: std::sync::LazyLock<foldhash::quality::RandomState> =
            std::sync::LazyLock::new(Default::default);
        let mut h = SEED.build_hasher();
        self.base.hash(&mut h);
        if let Some(Auth::Bearer(t) | Auth::Basic(_, t) | Auth::Prefixed(_, t)) = &self.auth {
            t.expose().hash(&mut h);
        }
        h.finish()
    }

    /// Whether the token starts with `prefix` (a kind of token a back end names by its
    /// prefix, such as Grafana's `glsa_`); the token itself never leaves.
    pub fn token_starts_with(&self, prefix: &str) -> bool {
        match &self.auth {
            Some(
                Auth::Bearer(t) | Auth::Basic(_, t) | Auth::Prefixed(_, t) | Auth::Header(_, t),
            ) => t.expose().starts_with(prefix),
            None => false,
        }
    }

    /// A request to `url` — a whole URL a back end gave (a next-page link), or a path under
    /// the base URL — with the token on it only when it is on the base URL's origin: a link
    /// elsewhere is refused, never followed with the token.
    pub fn request_link(&self, method: Method, url: &str) -> Result<RequestBuilder, Error> {
        if url.starts_with('/') {
            let origin = reqwest::Url::parse(&self.base)
                .map(|u| u.origin().ascii_serialization())
                .map_err(|e| Error::Rejected(format!("url: {e}")))?;
            let req = self.client.request(method, format!("{origin}{url}"));
            return Ok(self.authorized(req));
        }
        let (Ok(link), Ok(base)) = (reqwest::Url::parse(url), reqwest::Url::parse(&self.base))
        else {
            return Err(Error::Decode(format!(
                "the next-page link is no URL: {}",
                sanitize::line(url, 200)
            )));
        };
        if link.origin() != base.origin() {
            return Err(Error::Decode(format!(
                "the next-page link leaves {}: {} (not followed with the token)",
                base.origin().ascii_serialization(),
                sanitize::line(url, 200)
            )));
        }
        Ok(self.authorized(self.client.request(method, link)))
    }

    /// A request to `path` under the base URL, with the token on it.
    pub fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.client.request(method, format!("{}{path}", self.base));
        self.authorized(req)
    }

    /// `req` with the token on it.
    fn authorized(&self, req: RequestBuilder) -> RequestBuilder {
        match &self.auth {
            Some(Auth::Bearer(t)) => req.bearer_auth(t.expose()),
            Some(Auth::Basic(u, p)) => req.basic_auth(u, Some(p.expose())),
            Some(Auth::Prefixed(prefix, t)) => req.header(
                reqwest::header::AUTHORIZATION,
                format!("{prefix}{}", t.expose()),
            ),
            Some(Auth::Header(name, t)) => req.header(name.as_ref(), t.expose()),
            None => req,
        }
    }

    /// Sends `req` and decodes the JSON answer (off the async task when it is large).
    pub async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        req: RequestBuilder,
    ) -> Result<T, Error> {
        let body = self.body(req).await?;
        if body.len() < DECODE_OFF_TASK {
            return decode(&body);
        }
        crate::work::bulk::run(move || decode(&body))
            .await
            .map_err(|e| Error::Decode(format!("decoder stopped: {e}")))?
    }

    /// Sends and reads the whole answer, refusing errors and answers over the cap.
    pub async fn body(&self, req: RequestBuilder) -> Result<Vec<u8>, Error> {
        let mut resp = self.send(req).await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let cap = self.max_body;
        if resp.content_length().is_some_and(|n| n as usize > cap) {
            return Err(too_big(cap));
        }
        let mut buf =
            Vec::with_capacity(resp.content_length().unwrap_or(0).min(cap as u64) as usize);
        while let Some(chunk) = self.chunk(&mut resp).await? {
            if buf.len() + chunk.len() > cap {
                return Err(too_big(cap));
            }
            buf.extend_from_slice(&chunk);
        }
        if !status.is_success() {
            return Err(self.http_error(status, &headers, &buf));
        }
        Ok(buf)
    }

    /// The same client, its requests spaced by `pace` (the back end's published rate).
    pub fn paced(mut self, pace: super::pace::Pace) -> Http {
        self.pace = Some(std::sync::Arc::new(pace));
        self
    }

    /// Sends `req` (when the pace allows); a transport failure becomes a showable error.
    pub async fn send(&self, req: RequestBuilder) -> Result<reqwest::Response, Error> {
        if let Some(pace) = &self.pace {
            pace.take().await;
        }
        req.send().await.map_err(|e| transport(e, self.timeout))
    }

    /// The next piece of an answer.
    pub async fn chunk(&self, resp: &mut reqwest::Response) -> Result<Option<bytes::Bytes>, Error> {
        resp.chunk().await.map_err(|e| transport(e, self.timeout))
    }

    /// The error for a refused request. The back end's words are shown, but a back end that
    /// echoes the request (some proxies do) must not put the token on screen or in the log.
    pub fn http_error(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        let secret = match &self.auth {
            Some(
                Auth::Bearer(t) | Auth::Basic(_, t) | Auth::Prefixed(_, t) | Auth::Header(_, t),
            ) => Some(t.expose()),
            None => None,
        };
        let body = String::from_utf8_lossy(body);
        let redacted = crate::config::redact::redact(&body, secret);
        http_error(status, headers, redacted.as_bytes())
    }
}

/// `Accept` and `Content-Type` of JSON, the headers of back ends without a vendor type.
pub fn json_headers() -> HeaderMap {
    let mut headers = HeaderMap::new();
    let json = HeaderValue::from_static("application/json");
    headers.insert(reqwest::header::ACCEPT, json.clone());
    headers.insert(reqwest::header::CONTENT_TYPE, json);
    headers
}

/// The wait a 429 asks for: `Retry-After` (seconds or a date), else a `ratelimit-reset` in
/// seconds (PagerDuty's, also Grafana OnCall's), else an `x-ratelimit-reset` instant (a Unix
/// time at GitHub and ServiceNow, an ISO time at Jira), else Opsgenie's
/// `x-ratelimit-period-in-sec`, capped like `Retry-After`.
pub fn rate_limit_wait(headers: &HeaderMap) -> Option<Duration> {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let now = chrono::Utc::now();
    value("retry-after")
        .and_then(|v| crate::sources::parse_retry_after(v, now))
        .or_else(|| {
            value("ratelimit-reset").and_then(|v| crate::sources::parse_retry_after(v, now))
        })
        .or_else(|| value("x-ratelimit-reset").and_then(|v| reset_instant(v, now)))
        // Opsgenie's: the length of the period whose budget is spent.
        .or_else(|| {
            value("x-ratelimit-period-in-sec")
                .and_then(|v| crate::sources::parse_retry_after(v, now))
        })
}

/// The wait until a reset instant: Unix seconds or an RFC 3339 time.
fn reset_instant(value: &str, now: chrono::DateTime<chrono::Utc>) -> Option<Duration> {
    let at = match value.trim().parse::<i64>() {
        Ok(secs) => chrono::DateTime::from_timestamp(secs, 0)?,
        Err(_) => chrono::DateTime::parse_from_rfc3339(value.trim())
            .ok()?
            .with_timezone(&chrono::Utc),
    };
    Some(
        (at - now)
            .to_std()
            .unwrap_or_default()
            .min(crate::sources::RETRY_AFTER_CAP),
    )
}

/// Whether a 403 is a rate limit (GitHub's primary and secondary limits answer 403).
fn is_rate_limit_403(headers: &HeaderMap) -> bool {
    let value = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    value("x-ratelimit-remaining") == Some("0") || value("retry-after").is_some()
}

fn http_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    if status == StatusCode::TOO_MANY_REQUESTS
        || (status == StatusCode::FORBIDDEN && is_rate_limit_403(headers))
    {
        return Error::RateLimited(rate_limit_wait(headers));
    }
    let text = sanitize::line(&String::from_utf8_lossy(&body[..body.len().min(300)]), 160);
    match status {
        StatusCode::UNAUTHORIZED | StatusCode::FORBIDDEN => Error::Auth(format!(
            "HTTP {}: check the token or user ({text})",
            status.as_u16()
        )),
        _ => Error::Http {
            status: status.as_u16(),
            message: text,
        },
    }
}

async fn read(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    tokio::fs::read(path)
        .await
        .map_err(|e| Error::Connect(format!("reading '{}': {e}", path.display())))
}

/// Decodes a JSON answer; the error says how large it was.
pub fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode(format!("{} ({} bytes)", e, body.len())))
}

/// The error for an answer over the cap.
pub fn too_big(cap: usize) -> Error {
    Error::Decode(format!(
        "answer larger than the {} MB cap (max_response_mb)",
        cap >> 20
    ))
}

/// A transport failure in words (timeout, refused, cut short).
pub fn transport(e: reqwest::Error, timeout: Duration) -> Error {
    let url = e.url().cloned();
    // Without the URL's query: it never holds secrets here, but stays short.
    let e = e.without_url();
    if e.is_timeout() {
        Error::Timeout(timeout)
    } else if e.is_body() || e.is_decode() {
        Error::Decode(sanitize::line(&error_chain(&e), 200))
    } else {
        Error::Connect(why_unsent(&e, url.as_ref()))
    }
}

/// Why a request to `url` got no answer, as a responder would say it: "host not found:
/// HOST", "connection refused by HOST:PORT", "TLS: …", else the error and its causes. One
/// line, sanitized.
pub fn why_unsent(e: &reqwest::Error, url: Option<&reqwest::Url>) -> String {
    let chain = error_chain(e);
    let lower = chain.to_lowercase();
    let host = url.and_then(reqwest::Url::host_str).unwrap_or("the host");
    let port = url.and_then(reqwest::Url::port_or_known_default);
    let said = if [
        "dns error",
        "failed to lookup address",
        "name or service not known",
    ]
    .iter()
    .any(|m| lower.contains(m))
    {
        format!("host not found: {host}")
    } else if lower.contains("connection refused") {
        match port {
            Some(port) => format!("connection refused by {host}:{port}"),
            None => format!("connection refused by {host}"),
        }
    } else if lower.contains("certificate") || lower.contains("tls") {
        // From the first cause that speaks of it ("invalid peer certificate: UnknownIssuer").
        let parts: Vec<&str> = chain.split(": ").collect();
        let first = parts
            .iter()
            .position(|p| {
                let p = p.to_lowercase();
                p.contains("certificate") || p.contains("tls")
            })
            .unwrap_or(0);
        format!("TLS with {host} failed: {}", parts[first..].join(": "))
    } else {
        chain
    };
    sanitize::line(&said, 200)
}

/// The error and its causes on one line ("error sending request: connection refused").
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        let s = c.to_string();
        if !out.contains(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cur = c.source();
    }
    out
}

/// `s` percent-encoded for one path segment.
pub fn path_segment(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_429_waits_for_retry_after_else_ratelimit_reset() {
        let mut h = HeaderMap::new();
        assert_eq!(rate_limit_wait(&h), None);
        h.insert("ratelimit-reset", HeaderValue::from_static("17"));
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_secs(17)));
        h.insert("retry-after", HeaderValue::from_static("3"));
        assert_eq!(rate_limit_wait(&h), Some(Duration::from_secs(3)));
        let mut h = HeaderMap::new();
        h.insert("ratelimit-reset", HeaderValue::from_static("999999"));
        assert_eq!(rate_limit_wait(&h), Some(crate::sources::RETRY_AFTER_CAP));
        let mut h = HeaderMap::new();
        let in_90s = (chrono::Utc::now().timestamp() + 90).to_string();
        h.insert("x-ratelimit-reset", HeaderValue::try_from(in_90s).unwrap());
        let wait = rate_limit_wait(&h).unwrap().as_secs();
        assert!((88..=90).contains(&wait), "{wait}");
        h.insert(
            "x-ratelimit-reset",
            HeaderValue::from_static("2001-01-01T00:00:00Z"),
        );
        assert_eq!(
            rate_limit_wait(&h),
            Some(Duration::ZERO),
            "a reset in the past"
        );
    }

    #[test]
    fn a_403_is_a_rate_limit_only_when_the_limit_says_so() {
        let mut h = HeaderMap::new();
        assert!(matches!(
            http_error(StatusCode::FORBIDDEN, &h, b"no"),
            Error::Auth(_)
        ));
        h.insert("x-ratelimit-remaining", HeaderValue::from_static("0"));
        assert!(matches!(
            http_error(StatusCode::FORBIDDEN, &h, b"limit"),
            Error::RateLimited(_)
        ));
    }

    #[test]
    fn path_segments_are_escaped() {
        assert_eq!(path_segment("PT4K/../x y"), "PT4K%2F..%2Fx%20y");
    }
}
