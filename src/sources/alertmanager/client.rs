//! HTTP to one Alertmanager: auth, TLS, timeouts, a cap on the answer's size, and decoding
//! off the async task for large answers. Every failure becomes a `sources::Error` whose text
//! is safe to show (no token, no body beyond a short sanitized excerpt).

use std::hash::{BuildHasher, Hasher};
use std::io::{self, BufReader, Read};
use std::time::Duration;

use bytes::Bytes;

use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;

use super::wire::{GettableSilence, PostableSilence, SilenceCreated};
use crate::config::SourceConfig;
use crate::config::secrets::{self, Secret};
use crate::model::sanitize;
use crate::sources::Error;

/// Answers above this size are decoded on a blocking thread, not on the async task.
pub const DECODE_OFF_TASK: usize = 1 << 20;
/// Chunks buffered between the network and a streaming decoder.
const STREAM_CHUNKS: usize = 16;
/// Default cap on an answer's size.
pub const DEFAULT_MAX_RESPONSE_MB: u64 = 256;

enum Auth {
    Bearer(Secret),
    Basic(String, Secret),
}

/// A client for one Alertmanager.
pub struct Client {
    http: reqwest::Client,
    base: String,
    auth: Option<Auth>,
    max_body: usize,
    timeout: Duration,
    /// Seeded at random per process, so answers cannot be prepared to collide.
    hashing: foldhash::quality::RandomState,
}

/// An answer as the network brought it: pieces, joined only when it must be decoded.
#[derive(Debug, Default)]
pub struct Answer {
    chunks: Vec<Bytes>,
    len: usize,
}

impl Answer {
    /// Its size in bytes.
    pub fn len(&self) -> usize {
        self.len
    }

    /// The whole answer in one buffer.
    pub fn into_bytes(self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len);
        for chunk in self.chunks {
            out.extend_from_slice(&chunk);
        }
        out
    }
}

/// A hash of a whole answer: equal hashes mean the same bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AnswerHash(u64);

/// Hashes an answer as it arrives, the same however the network cut it into chunks (the
/// hasher sees fixed 64 KiB blocks). foldhash rather than SipHash: every poll of an idle
/// estate hashes its whole answer (7.7 MB per 10k alerts), and SipHash's cost there was a
/// third of the idle CPU; the hash only has to notice a change, not resist the server
/// (which could send anything it likes anyway).
struct AnswerHasher<'s> {
    inner: foldhash::quality::FoldHasher<'s>,
    block: Vec<u8>,
}

impl<'s> AnswerHasher<'s> {
    const BLOCK: usize = 64 << 10;

    fn new(hashing: &'s foldhash::quality::RandomState) -> AnswerHasher<'s> {
        AnswerHasher {
            inner: hashing.build_hasher(),
            block: Vec::with_capacity(Self::BLOCK),
        }
    }

    fn write(&mut self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let take = (Self::BLOCK - self.block.len()).min(bytes.len());
            self.block.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            if self.block.len() == Self::BLOCK {
                self.inner.write(&self.block);
                self.block.clear();
            }
        }
    }

    fn finish(mut self) -> AnswerHash {
        self.inner.write(&self.block);
        self.inner.write_usize(self.block.len());
        AnswerHash(self.inner.finish())
    }
}

impl Client {
    /// Builds the client: resolves the token, loads CA and client certificates.
    pub async fn new(cfg: &SourceConfig, timeout: Duration) -> Result<Client, Error> {
        let token = secrets::resolve(cfg)
            .await
            .map_err(|e| Error::Auth(e.to_string()))?;
        let auth = match (token, &cfg.username) {
            (Some(t), Some(user)) => Some(Auth::Basic(user.clone(), t)),
            (Some(t), None) => Some(Auth::Bearer(t)),
            (None, _) => None,
        };
        let mut headers = HeaderMap::new();
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
        let http = builder.build().map_err(|e| Error::Connect(e.to_string()))?;
        let base = cfg
            .url
            .clone()
            .unwrap_or_default()
            .trim_end_matches('/')
            .to_string();
        let max_body = cfg
            .max_response_mb
            .unwrap_or(DEFAULT_MAX_RESPONSE_MB)
            .saturating_mul(1 << 20) as usize;
        Ok(Client {
            http,
            base,
            auth,
            max_body,
            timeout,
            hashing: foldhash::quality::RandomState::default(),
        })
    }

    /// `GET /api/v2/alerts` with the configured filter and receiver, streamed into `decode`
    /// on a blocking thread (see `map::alerts_from_reader`), and the answer's hash.
    pub async fn alerts_streamed<T, F>(
        &self,
        filter: &[String],
        receiver: Option<&str>,
        decode: F,
    ) -> Result<(T, AnswerHash), Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Read) -> Result<T, Error> + Send + 'static,
    {
        self.decode_streamed(self.alerts_request(filter, receiver), decode)
            .await
    }

    /// `GET /api/v2/alerts`, the whole answer and its hash: the caller skips decoding an
    /// answer identical to the last one. The answer stays in the pieces the network brought
    /// (no copy): most polls of an idle estate are identical and are only hashed.
    pub async fn alerts_body(
        &self,
        filter: &[String],
        receiver: Option<&str>,
    ) -> Result<(Answer, AnswerHash), Error> {
        let mut resp = self
            .alerts_request(filter, receiver)
            .send()
            .await
            .map_err(|e| transport(e, self.timeout))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let cap = self.max_body;
        if resp.content_length().is_some_and(|n| n as usize > cap) {
            return Err(too_big(cap));
        }
        let mut answer = Answer::default();
        let mut hasher = AnswerHasher::new(&self.hashing);
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(e, self.timeout))? {
            if answer.len + chunk.len() > cap {
                return Err(too_big(cap));
            }
            hasher.write(&chunk);
            answer.len += chunk.len();
            answer.chunks.push(chunk);
        }
        if !status.is_success() {
            return Err(self.http_error(status, &headers, &answer.into_bytes()));
        }
        Ok((answer, hasher.finish()))
    }

    fn alerts_request(&self, filter: &[String], receiver: Option<&str>) -> RequestBuilder {
        let mut query: Vec<(&str, &str)> = filter.iter().map(|f| ("filter", f.as_str())).collect();
        if let Some(r) = receiver {
            query.push(("receiver", r));
        }
        self.request(Method::GET, "/api/v2/alerts").query(&query)
    }

    /// `GET /api/v2/silences`.
    pub async fn silences(&self) -> Result<Vec<GettableSilence>, Error> {
        self.json(self.request(Method::GET, "/api/v2/silences"))
            .await
    }

    /// `POST /api/v2/silences`: creates or updates; returns the (possibly new) id.
    pub async fn post_silence(&self, silence: &PostableSilence) -> Result<String, Error> {
        let req = self.request(Method::POST, "/api/v2/silences").json(silence);
        let created: SilenceCreated = self.json(req).await?;
        Ok(created.silence_id)
    }

    /// `DELETE /api/v2/silence/{id}`.
    pub async fn expire_silence(&self, id: &str) -> Result<(), Error> {
        let path = format!("/api/v2/silence/{}", urlencode(id));
        self.body(self.request(Method::DELETE, &path))
            .await
            .map(drop)
    }

    fn request(&self, method: Method, path: &str) -> RequestBuilder {
        let req = self.http.request(method, format!("{}{path}", self.base));
        match &self.auth {
            Some(Auth::Bearer(t)) => req.bearer_auth(t.expose()),
            Some(Auth::Basic(u, p)) => req.basic_auth(u, Some(p.expose())),
            None => req,
        }
    }

    async fn json<T: DeserializeOwned + Send + 'static>(
        &self,
        req: RequestBuilder,
    ) -> Result<T, Error> {
        let body = self.body(req).await?;
        if body.len() < DECODE_OFF_TASK {
            return decode(&body);
        }
        tokio::task::spawn_blocking(move || decode(&body))
            .await
            .map_err(|e| Error::Decode(format!("decoder stopped: {e}")))?
    }

    /// Sends `req` and hands the answer to `decode` on a blocking thread as it arrives: the
    /// whole body is never held (a 100k-alert answer is ~90 MB), and the cap still applies.
    async fn decode_streamed<T, F>(
        &self,
        req: RequestBuilder,
        decode: F,
    ) -> Result<(T, AnswerHash), Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Read) -> Result<T, Error> + Send + 'static,
    {
        let mut resp = req.send().await.map_err(|e| transport(e, self.timeout))?;
        let status = resp.status();
        let cap = self.max_body;
        if !status.is_success() {
            let mut excerpt = Vec::new();
            while let Some(chunk) = resp.chunk().await.map_err(|e| transport(e, self.timeout))? {
                excerpt.extend_from_slice(&chunk[..chunk.len().min(300)]);
                if excerpt.len() >= 300 {
                    break;
                }
            }
            return Err(self.http_error(status, resp.headers(), &excerpt));
        }
        if resp.content_length().is_some_and(|n| n as usize > cap) {
            return Err(too_big(cap));
        }
        let (tx, rx) = tokio::sync::mpsc::channel(STREAM_CHUNKS);
        let decoder = tokio::task::spawn_blocking(move || {
            decode(&mut BufReader::with_capacity(
                64 << 10,
                ChunkReader::new(rx),
            ))
        });
        let mut fed = 0usize;
        let mut hasher = AnswerHasher::new(&self.hashing);
        let fed_all = loop {
            match resp.chunk().await {
                Ok(Some(chunk)) => {
                    fed += chunk.len();
                    hasher.write(&chunk);
                    if fed > cap {
                        break Err(too_big(cap));
                    }
                    if tx.send(Ok(chunk)).await.is_err() {
                        break Ok(()); // the decoder stopped early: its error says why
                    }
                }
                Ok(None) => break Ok(()),
                Err(e) => break Err(transport(e, self.timeout)),
            }
        };
        if fed_all.is_err() {
            // The decoder sees a broken stream, not a short one that might parse.
            let _ = tx.send(Err(io::Error::other("answer cut short"))).await;
        }
        drop(tx);
        let decoded = decoder
            .await
            .map_err(|e| Error::Decode(format!("decoder stopped: {e}")))?;
        fed_all?;
        Ok((decoded?, hasher.finish()))
    }

    /// Sends and reads the whole answer, refusing errors and answers over the cap.
    async fn body(&self, req: RequestBuilder) -> Result<Vec<u8>, Error> {
        let mut resp = req.send().await.map_err(|e| transport(e, self.timeout))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let cap = self.max_body;
        if resp.content_length().is_some_and(|n| n as usize > cap) {
            return Err(too_big(cap));
        }
        let mut buf =
            Vec::with_capacity(resp.content_length().unwrap_or(0).min(cap as u64) as usize);
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(e, self.timeout))? {
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
}

/// Chunks of an answer, arriving from the async task, read as one byte stream.
struct ChunkReader {
    rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>,
    current: Bytes,
}

impl ChunkReader {
    fn new(rx: tokio::sync::mpsc::Receiver<io::Result<Bytes>>) -> ChunkReader {
        ChunkReader {
            rx,
            current: Bytes::new(),
        }
    }
}

impl Read for ChunkReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.current.is_empty() {
            match self.rx.blocking_recv() {
                Some(chunk) => self.current = chunk?,
                None => return Ok(0),
            }
        }
        let n = buf.len().min(self.current.len());
        buf[..n].copy_from_slice(&self.current[..n]);
        self.current = self.current.slice(n..);
        Ok(n)
    }
}

async fn read(path: &std::path::Path) -> Result<Vec<u8>, Error> {
    tokio::fs::read(path)
        .await
        .map_err(|e| Error::Connect(format!("reading '{}': {e}", path.display())))
}

fn decode<T: DeserializeOwned>(body: &[u8]) -> Result<T, Error> {
    serde_json::from_slice(body).map_err(|e| Error::Decode(format!("{} ({} bytes)", e, body.len())))
}

fn too_big(cap: usize) -> Error {
    Error::Decode(format!(
        "answer larger than the {} MB cap (max_response_mb)",
        cap >> 20
    ))
}

impl Client {
    /// The error for a refused request. The back end's words are shown, but a back end that
    /// echoes the request (some proxies do) must not put the token on screen or in the log.
    fn http_error(&self, status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
        let secret = match &self.auth {
            Some(Auth::Bearer(t) | Auth::Basic(_, t)) => Some(t.expose()),
            None => None,
        };
        let redacted = secrets::redact(&String::from_utf8_lossy(body), secret);
        http_error(status, headers, redacted.as_bytes())
    }
}

fn http_error(status: StatusCode, headers: &HeaderMap, body: &[u8]) -> Error {
    if status == StatusCode::TOO_MANY_REQUESTS {
        let after = headers
            .get(reqwest::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| crate::sources::parse_retry_after(v, chrono::Utc::now()));
        return Error::RateLimited(after);
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

fn transport(e: reqwest::Error, timeout: Duration) -> Error {
    // Without the URL's query: it never holds secrets here, but stays short.
    let e = e.without_url();
    if e.is_timeout() {
        Error::Timeout(timeout)
    } else if e.is_connect() {
        Error::Connect(sanitize::line(&error_chain(&e), 200))
    } else if e.is_body() || e.is_decode() {
        Error::Decode(sanitize::line(&error_chain(&e), 200))
    } else {
        Error::Connect(sanitize::line(&error_chain(&e), 200))
    }
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

fn urlencode(s: &str) -> String {
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
    fn an_answer_hashes_the_same_however_it_was_cut_and_differently_when_it_changed() {
        let seed = foldhash::quality::RandomState::default();
        let body: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let hash_in = |cuts: &[usize]| {
            let mut h = AnswerHasher::new(&seed);
            let mut at = 0;
            for &cut in cuts.iter().chain([&body.len()]) {
                h.write(&body[at..cut]);
                at = cut;
            }
            h.finish()
        };
        let whole = hash_in(&[]);
        assert_eq!(hash_in(&[1, 65_535, 65_537, 200_000]), whole);
        assert_eq!(hash_in(&[131_072]), whole);
        let mut changed = body.clone();
        changed[123_456] ^= 1;
        let mut h = AnswerHasher::new(&seed);
        h.write(&changed);
        assert_ne!(h.finish(), whole);
        let mut h = AnswerHasher::new(&seed);
        h.write(&body[..body.len() - 1]);
        assert_ne!(h.finish(), whole, "a cut answer differs");
    }
}
