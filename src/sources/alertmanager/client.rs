//! HTTP to one Alertmanager: its endpoints, the alerts answer streamed into the decoder or
//! kept in pieces and hashed (auth, TLS, timeouts and the size cap are `sources::http`'s).

use std::hash::{BuildHasher, Hasher};
use std::io::Read;
use std::time::Duration;

use bytes::Bytes;

use reqwest::header::HeaderMap;
use reqwest::{Method, RequestBuilder};

use super::wire::{AlertmanagerStatus, GettableSilence, PostableSilence, SilenceCreated};
use crate::config::SourceConfig;
use crate::sources::Error;
use crate::sources::http::{self, Http, Scheme, too_big};

pub use crate::sources::http::{DECODE_OFF_TASK, DEFAULT_MAX_RESPONSE_MB};

/// A client for one Alertmanager.
pub struct Client {
    http: Http,
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
    /// The largest answer accepted, in bytes (`max_response_mb`).
    pub fn max_body(&self) -> usize {
        self.http.max_body
    }

    /// Builds the client: resolves the token, loads CA and client certificates.
    pub async fn new(cfg: &SourceConfig, timeout: Duration) -> Result<Client, Error> {
        let base = cfg.url.clone().unwrap_or_default();
        let http = Http::new(cfg, &base, timeout, Scheme::BearerOrBasic, HeaderMap::new()).await?;
        Ok(Client {
            http,
            hashing: foldhash::quality::RandomState::default(),
        })
    }

    /// `GET /api/v2/alerts` with the configured filter and receiver, streamed into `decode`
    /// on a low-priority thread (see `map::alerts_from_reader`), and the answer's hash.
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
            .http
            .send(self.alerts_request(filter, receiver))
            .await?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let cap = self.http.max_body;
        if resp.content_length().is_some_and(|n| n as usize > cap) {
            return Err(too_big(cap));
        }
        let mut answer = Answer::default();
        let mut hasher = AnswerHasher::new(&self.hashing);
        while let Some(chunk) = self.http.chunk(&mut resp).await? {
            if answer.len + chunk.len() > cap {
                return Err(too_big(cap));
            }
            hasher.write(&chunk);
            answer.len += chunk.len();
            answer.chunks.push(chunk);
        }
        if !status.is_success() {
            return Err(self.http.http_error(status, &headers, &answer.into_bytes()));
        }
        Ok((answer, hasher.finish()))
    }

    fn alerts_request(&self, filter: &[String], receiver: Option<&str>) -> RequestBuilder {
        let mut query: Vec<(&str, &str)> = filter.iter().map(|f| ("filter", f.as_str())).collect();
        if let Some(r) = receiver {
            query.push(("receiver", r));
        }
        self.http
            .request(Method::GET, "/api/v2/alerts")
            .query(&query)
    }

    /// `GET /api/v2/silences`.
    pub async fn silences(&self) -> Result<Vec<GettableSilence>, Error> {
        self.http
            .json(self.http.request(Method::GET, "/api/v2/silences"))
            .await
    }

    /// `GET /api/v2/status`.
    pub async fn status(&self) -> Result<AlertmanagerStatus, Error> {
        self.http
            .json(self.http.request(Method::GET, "/api/v2/status"))
            .await
    }

    /// `POST /api/v2/silences`: creates or updates; returns the (possibly new) id.
    pub async fn post_silence(&self, silence: &PostableSilence) -> Result<String, Error> {
        let req = self
            .http
            .request(Method::POST, "/api/v2/silences")
            .json(silence);
        let created: SilenceCreated = self.http.json(req).await?;
        Ok(created.silence_id)
    }

    /// `DELETE /api/v2/silence/{id}`.
    pub async fn expire_silence(&self, id: &str) -> Result<(), Error> {
        let path = format!("/api/v2/silence/{}", http::path_segment(id));
        self.http
            .body(self.http.request(Method::DELETE, &path))
            .await
            .map(drop)
    }

    /// Sends `req` and hands the answer to `decode` on a low-priority thread as it arrives
    /// (`sources::stream`), hashing it on the way: the whole body is never held (a 100k-alert
    /// answer is ~90 MB), and the cap still applies.
    async fn decode_streamed<T, F>(
        &self,
        req: RequestBuilder,
        decode: F,
    ) -> Result<(T, AnswerHash), Error>
    where
        T: Send + 'static,
        F: FnOnce(&mut dyn Read) -> Result<T, Error> + Send + 'static,
    {
        let mut hasher = AnswerHasher::new(&self.hashing);
        let decoded =
            crate::sources::stream::decode_streamed(&self.http, req, |c| hasher.write(c), decode)
                .await?;
        Ok((decoded, hasher.finish()))
    }
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
