//! A hand-written HTTP server for faults a real back end will not produce on demand: error
//! statuses, 429 with Retry-After, invalid or truncated JSON, hangs, resets mid-body, bodies
//! in 1-byte chunks or at 10 KB/s, huge and endless bodies. It records every request (when,
//! what) and how many were in flight at once.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with this body.
    Status(u16, &'static str),
    /// 429 with this `Retry-After` header value (None: no header).
    RateLimited(Option<&'static str>),
    /// 200 with this body.
    Body(String),
    /// This status with these extra header lines (each ending in CRLF) and this body.
    Headed {
        /// The status.
        status: u16,
        /// Header lines, e.g. `"ratelimit-reset: 17\r\n"`.
        headers: &'static str,
        /// The body.
        body: String,
    },
    /// 200 announcing `announced` bytes, then sending `sent` and closing.
    Truncated { announced: usize, sent: String },
    /// 200 announcing `announced` bytes, sending `sent`, then resetting the connection (RST).
    ResetMidBody { announced: usize, sent: String },
    /// Waits this long before answering `[]`.
    Slow(Duration),
    /// Reads the request and never answers.
    Hang,
    /// 200 with this body, chunked, one byte per chunk.
    OneByteChunks(String),
    /// 200 with this body at this many bytes a second.
    Throttled { body: String, bytes_per_sec: usize },
    /// 200 with a body of this many bytes (a JSON string).
    Huge(usize),
    /// 200 with a chunked body that never ends.
    Endless,
    /// This status, the body being the request's head as received (a back end or proxy that
    /// echoes the request, credentials included).
    Echo(u16),
    /// This status, the body a JSON error that reflects the request's credentials in the forms
    /// real back ends use: the whole `Authorization` value in a sentence, the credential alone,
    /// percent-encoded and JSON-escaped (`/` as `\/`), and a Basic value decoded.
    Reflect(u16),
}

/// One request the server saw.
#[derive(Clone, Debug)]
pub struct Seen {
    /// When its head had been read.
    pub at: Instant,
    /// Method and path, e.g. `GET /api/v2/alerts`.
    pub line: String,
    /// The whole head as received (request line and headers).
    pub head: String,
    /// The body as received (lossy UTF-8).
    pub body: String,
}

impl Seen {
    /// The request target: path and query.
    pub fn target(&self) -> &str {
        self.head.split_whitespace().nth(1).unwrap_or_default()
    }

    /// The request's method (`GET`).
    pub fn method(&self) -> &str {
        self.line.split(' ').next().unwrap_or_default()
    }

    /// The request's path, without its query.
    pub fn path(&self) -> &str {
        self.target().split('?').next().unwrap_or_default()
    }
}

#[derive(Default)]
struct Record {
    seen: Vec<Seen>,
    in_flight: usize,
    most_in_flight: usize,
}

/// A running fault server.
#[derive(Clone)]
pub struct FaultServer {
    /// Its base URL.
    pub url: String,
    record: Arc<Mutex<Record>>,
}

impl FaultServer {
    /// Starts serving on a free loopback port; `script` picks the answer for the n-th request
    /// (from 0) and its request line. Stops with the runtime.
    pub async fn start(script: impl Fn(usize, &str) -> Fault + Send + Sync + 'static) -> Self {
        FaultServer::start_full(move |n, seen| script(n, &seen.line)).await
    }

    /// Like `start`, the script seeing the whole request (query and body too).
    pub async fn start_full(
        script: impl Fn(usize, &Seen) -> Fault + Send + Sync + 'static,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let record = Arc::new(Mutex::new(Record::default()));
        let (rec, script) = (record.clone(), Arc::new(script));
        tokio::spawn(async move {
            while let Ok((mut sock, _)) = listener.accept().await {
                let (rec, script) = (rec.clone(), script.clone());
                tokio::spawn(async move {
                    // Keep-alive: answer every request on the connection in turn.
                    while let Some((line, head, body)) = read_request(&mut sock).await {
                        let fault = {
                            let mut r = rec.lock().unwrap();
                            let n = r.seen.len();
                            let seen = Seen {
                                at: Instant::now(),
                                line,
                                head: head.clone(),
                                body,
                            };
                            r.seen.push(seen.clone());
                            r.in_flight += 1;
                            r.most_in_flight = r.most_in_flight.max(r.in_flight);
                            script(n, &seen)
                        };
                        let reusable = matches!(
                            fault,
                            Fault::Body(_)
                                | Fault::Status(..)
                                | Fault::Headed { .. }
                                | Fault::RateLimited(_)
                                | Fault::OneByteChunks(_)
                        );
                        let fault = match fault {
                            Fault::Echo(code) => {
                                Fault::Status(code, Box::leak(head.into_boxed_str()))
                            }
                            Fault::Reflect(code) => {
                                Fault::Status(code, Box::leak(reflect(&head).into_boxed_str()))
                            }
                            other => other,
                        };
                        let done = answer(&mut sock, fault).await;
                        rec.lock().unwrap().in_flight -= 1;
                        if done.is_err() || !reusable {
                            break;
                        }
                    }
                });
            }
        });
        FaultServer { url, record }
    }

    /// Every request seen so far.
    pub fn seen(&self) -> Vec<Seen> {
        self.record.lock().unwrap().seen.clone()
    }

    /// The request lines (`GET /path`, no query) seen so far, in order.
    pub fn lines(&self) -> Vec<String> {
        self.seen().into_iter().map(|r| r.line).collect()
    }

    /// The targets (path and query) of the requests whose line is `line`.
    pub fn targets(&self, line: &str) -> Vec<String> {
        self.seen()
            .iter()
            .filter(|r| r.line == line)
            .map(|r| r.target().to_string())
            .collect()
    }

    /// The most requests that were being answered at the same moment.
    pub fn most_in_flight(&self) -> usize {
        self.record.lock().unwrap().most_in_flight
    }
}

/// Serves `fault` to every request on a free loopback port; returns the base URL.
pub async fn serve(fault: Fault) -> String {
    FaultServer::start(move |_, _| fault.clone()).await.url
}

/// A JSON error body reflecting the credentials of the request `head` (see `Fault::Reflect`).
fn reflect(head: &str) -> String {
    use base64::Engine;
    let value = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("authorization")
                .then(|| v.trim().to_string())
        })
        .unwrap_or_default();
    let credential = value
        .rsplit([' ', '='])
        .next()
        .unwrap_or_default()
        .to_string();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(&credential)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .unwrap_or_default();
    let percent: String = credential
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    let mut body = serde_json::json!({
        "message": format!("invalid credentials {value}"),
        "credential": credential,
        "query": format!("auth={percent}"),
        "decoded": decoded,
    })
    .to_string();
    // serde_json never escapes `/`; some back ends do (PHP's json_encode).
    body.pop();
    body.push_str(&format!(
        r#","escaped":"{}"}}"#,
        credential.replace('/', r"\/")
    ));
    body
}

/// Reads one request (head and Content-Length body); returns its request line and head.
async fn read_request(sock: &mut TcpStream) -> Option<(String, String, String)> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = content_length(&head);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let mut chunk = [0u8; 4096];
        let n = sock.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&body).to_string();
    let line = head.lines().next().unwrap_or_default();
    let mut words = line.split_whitespace();
    let method = words.next().unwrap_or_default();
    let path = words.next().unwrap_or_default();
    let line = format!("{method} {}", path.split('?').next().unwrap_or_default());
    Some((line, head, body))
}

/// The Content-Length a request head announces (0 when none).
fn content_length(head: &str) -> usize {
    head.lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse().ok())?
        })
        .unwrap_or(0)
}

fn head(status: u16, extra: &str, length: Option<usize>) -> String {
    let length = match length {
        Some(n) => format!("Content-Length: {n}\r\n"),
        None => "Transfer-Encoding: chunked\r\n".into(),
    };
    // JSON unless the extra headers name their own type.
    let kind = if extra.to_ascii_lowercase().contains("content-type:") {
        ""
    } else {
        "Content-Type: application/json\r\n"
    };
    format!("HTTP/1.1 {status} X\r\n{kind}{extra}{length}\r\n")
}

async fn answer(sock: &mut TcpStream, fault: Fault) -> std::io::Result<()> {
    match fault {
        Fault::Status(code, body) => whole(sock, code, "", body).await,
        Fault::Echo(code) | Fault::Reflect(code) => whole(sock, code, "", "").await,
        Fault::RateLimited(after) => {
            let extra = after
                .map(|a| format!("Retry-After: {a}\r\n"))
                .unwrap_or_default();
            whole(sock, 429, &extra, "{\"error\":\"slow down\"}").await
        }
        Fault::Body(body) => whole(sock, 200, "", &body).await,
        Fault::Headed {
            status,
            headers,
            body,
        } => whole(sock, status, headers, &body).await,
        Fault::Truncated { announced, sent } => {
            sock.write_all(head(200, "", Some(announced)).as_bytes())
                .await?;
            sock.write_all(sent.as_bytes()).await?;
            sock.shutdown().await
        }
        Fault::ResetMidBody { announced, sent } => {
            sock.write_all(head(200, "", Some(announced)).as_bytes())
                .await?;
            sock.write_all(sent.as_bytes()).await?;
            sock.flush().await?;
            // Linger 0: closing sends RST instead of FIN (and cannot block: nothing is left).
            #[allow(deprecated)]
            sock.set_linger(Some(Duration::ZERO))?;
            Err(std::io::Error::other("reset"))
        }
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            whole(sock, 200, "", "[]").await
        }
        Fault::Hang => std::future::pending().await,
        Fault::OneByteChunks(body) => {
            sock.write_all(head(200, "", None).as_bytes()).await?;
            for b in body.bytes() {
                sock.write_all(b"1\r\n").await?;
                sock.write_all(&[b]).await?;
                sock.write_all(b"\r\n").await?;
                sock.flush().await?;
            }
            sock.write_all(b"0\r\n\r\n").await
        }
        Fault::Throttled {
            body,
            bytes_per_sec,
        } => {
            sock.write_all(head(200, "", Some(body.len())).as_bytes())
                .await?;
            // Tenths of a second, each with a tenth of the rate.
            let step = (bytes_per_sec / 10).max(1);
            let mut tick = tokio::time::interval(Duration::from_millis(100));
            for piece in body.as_bytes().chunks(step) {
                tick.tick().await;
                sock.write_all(piece).await?;
                sock.flush().await?;
            }
            Ok(())
        }
        Fault::Huge(n) => {
            sock.write_all(head(200, "", Some(n)).as_bytes()).await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                sock.write_all(&chunk[..k]).await?;
                left -= k;
            }
            Ok(())
        }
        Fault::Endless => {
            sock.write_all(head(200, "", None).as_bytes()).await?;
            sock.write_all(b"1\r\n[\r\n").await?;
            let chunk = format!("{:x}\r\n{}\r\n", 64 * 1024, " ".repeat(64 * 1024));
            loop {
                sock.write_all(chunk.as_bytes()).await?;
            }
        }
    }
}

async fn whole(sock: &mut TcpStream, status: u16, extra: &str, body: &str) -> std::io::Result<()> {
    sock.write_all(head(status, extra, Some(body.len())).as_bytes())
        .await?;
    sock.write_all(body.as_bytes()).await?;
    sock.flush().await
}

/// What the write-holding proxy does with a write (a POST) it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeldWrite {
    /// Keeps it: the back end never sees it, the client never hears back.
    Swallowed,
    /// Passes it to the back end, then never answers the client: the effect happened, the
    /// client cannot know.
    AnswerLost,
}

/// A proxy to the real back end at `upstream` that passes reads through and holds the first
/// write as `held` says; the receiver hears when that write arrived (and was passed on).
/// For killing a client while its action is on the wire.
pub async fn hold_first_write(
    upstream: String,
    held: HeldWrite,
) -> (String, tokio::sync::mpsc::UnboundedReceiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    let client = reqwest::Client::new();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let (upstream, client, tx) = (upstream.clone(), client.clone(), tx.clone());
            tokio::spawn(async move {
                let _ = relay(sock, &upstream, &client, held, &tx).await;
            });
        }
    });
    (url, rx)
}

async fn relay(
    mut sock: tokio::net::TcpStream,
    upstream: &str,
    client: &reqwest::Client,
    held: HeldWrite,
    tx: &tokio::sync::mpsc::UnboundedSender<()>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    loop {
        // One request: head up to the blank line, then Content-Length bytes of body.
        let head_end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 8192];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        };
        let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
        let length = content_length(&head);
        while buf.len() < head_end + length {
            let mut chunk = [0u8; 8192];
            let n = sock.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body = buf[head_end..head_end + length].to_vec();
        buf.drain(..head_end + length);
        let mut words = head.split_whitespace();
        let (method, path) = (
            words.next().unwrap_or("GET").to_string(),
            words.next().unwrap_or("/").to_string(),
        );
        let is_write = method == "POST";
        if is_write && held == HeldWrite::Swallowed {
            let _ = tx.send(());
            return std::future::pending().await;
        }
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let answer = client
            .request(method, format!("{upstream}{path}"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let status = answer.status().as_u16();
        let bytes = answer.bytes().await.unwrap();
        if is_write {
            let _ = tx.send(());
            return std::future::pending().await;
        }
        let head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            bytes.len()
        );
        sock.write_all(head.as_bytes()).await?;
        sock.write_all(&bytes).await?;
    }
}

/// An HTTP CONNECT proxy on a free loopback port (what HTTPS_PROXY points at): tunnels to the
/// asked host and records each `host:port` asked for.
pub async fn connect_proxy() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let asked = Arc::new(Mutex::new(Vec::new()));
    let record = asked.clone();
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let record = record.clone();
            tokio::spawn(async move {
                let Some((line, _, _)) = read_request(&mut sock).await else {
                    return;
                };
                let Some(target) = line.strip_prefix("CONNECT ") else {
                    let _ = whole(&mut sock, 405, "", "CONNECT only").await;
                    return;
                };
                record.lock().unwrap().push(target.to_string());
                let Ok(mut upstream) = TcpStream::connect(target).await else {
                    let _ = whole(&mut sock, 502, "", "").await;
                    return;
                };
                let _ = sock
                    .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                    .await;
                let _ = tokio::io::copy_bidirectional(&mut sock, &mut upstream).await;
            });
        }
    });
    (url, asked)
}
