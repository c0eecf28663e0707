//! A hand-written HTTP server for faults a real back end will not produce on demand: error
//! statuses, invalid or truncated JSON, slow answers, huge bodies. Every connection gets the
//! same scripted answer.

use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// What the server answers.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with this body.
    Status(u16, &'static str),
    /// 200 with this body.
    Body(String),
    /// 200 announcing `announced` bytes, then sending `sent` and closing.
    Truncated { announced: usize, sent: String },
    /// Waits this long before answering `[]`.
    Slow(Duration),
    /// 200 with a body of this many bytes (a JSON string).
    Huge(usize),
}

/// Serves `fault` on a free loopback port; returns the base URL. Stops with the runtime.
pub async fn serve(fault: Fault) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            let fault = fault.clone();
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = sock.read(&mut buf).await;
                let _ = answer(&mut sock, fault).await;
            });
        }
    });
    url
}

async fn answer(sock: &mut tokio::net::TcpStream, fault: Fault) -> std::io::Result<()> {
    let (status, body, length) = match fault {
        Fault::Status(code, body) => (code, body.to_string(), None),
        Fault::Body(body) => (200, body, None),
        Fault::Truncated { announced, sent } => (200, sent, Some(announced)),
        Fault::Slow(d) => {
            tokio::time::sleep(d).await;
            (200, "[]".to_string(), None)
        }
        Fault::Huge(n) => {
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {n}\r\n\r\n"
            );
            sock.write_all(head.as_bytes()).await?;
            let chunk = vec![b' '; 64 * 1024];
            let mut left = n;
            while left > 0 {
                let k = left.min(chunk.len());
                sock.write_all(&chunk[..k]).await?;
                left -= k;
            }
            return Ok(());
        }
    };
    let length = length.unwrap_or(body.len());
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    sock.write_all(head.as_bytes()).await?;
    sock.write_all(body.as_bytes()).await?;
    sock.shutdown().await
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
        let length: usize = head
            .lines()
            .find_map(|l| {
                let (k, v) = l.split_once(':')?;
                k.eq_ignore_ascii_case("content-length")
                    .then(|| v.trim().parse().ok())?
            })
            .unwrap_or(0);
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
