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
