//! An answer decoded as it streams in: the body is handed, chunk by chunk, to a decoder on a
//! low-priority thread (`crate::work::bulk`), so a large answer is never held whole; the
//! size cap still applies, a cut stream is an error the decoder sees, and every chunk can be
//! watched on its way (the Alertmanager source hashes them).

use std::io::{self, BufReader, Read};

use bytes::Bytes;
use reqwest::RequestBuilder;

use super::Error;
use super::http::{Http, too_big};

/// Chunks buffered between the network and the decoder. Few: on loopback or a fast link the
/// network outruns the decoder, and each queued chunk can pin a read buffer of up to 400 KB
/// (16 held 12 MB at 100k alerts); the socket holds the rest.
const STREAM_CHUNKS: usize = 2;

/// Sends `req` and hands the answer to `decode` as it arrives, `watch`ing every chunk; the
/// decoder's result. A refusal is read up to a short excerpt for its error.
pub async fn decode_streamed<T, F>(
    http: &Http,
    req: RequestBuilder,
    mut watch: impl FnMut(&[u8]),
    decode: F,
) -> Result<T, Error>
where
    T: Send + 'static,
    F: FnOnce(&mut dyn Read) -> Result<T, Error> + Send + 'static,
{
    let mut resp = http.send(req).await?;
    let status = resp.status();
    let cap = http.max_body;
    if !status.is_success() {
        let mut excerpt = Vec::new();
        while let Some(chunk) = http.chunk(&mut resp).await? {
            excerpt.extend_from_slice(&chunk[..chunk.len().min(300)]);
            if excerpt.len() >= 300 {
                break;
            }
        }
        return Err(http.http_error(status, resp.headers(), &excerpt));
    }
    if resp.content_length().is_some_and(|n| n as usize > cap) {
        return Err(too_big(cap));
    }
    let (tx, rx) = tokio::sync::mpsc::channel(STREAM_CHUNKS);
    let decoder = crate::work::bulk::run(move || {
        decode(&mut BufReader::with_capacity(
            64 << 10,
            ChunkReader::new(rx),
        ))
    });
    let mut fed = 0usize;
    let fed_all = loop {
        match http.chunk(&mut resp).await {
            Ok(Some(chunk)) => {
                fed += chunk.len();
                watch(&chunk);
                if fed > cap {
                    break Err(too_big(cap));
                }
                if tx.send(Ok(chunk)).await.is_err() {
                    break Ok(()); // the decoder stopped early: its error says why
                }
            }
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
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
    decoded
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
