//! Runbooks that are links, fetched when the answer is Markdown or text: timeouts, a size
//! cap, TLS verified, HTML left as a link, relative links made absolute. The text is
//! sanitized like every other answer.

use std::time::Duration;

use crate::model::sanitize;

/// How long a runbook link is waited for (by `b` and by `onduty runbook`).
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// Largest runbook fetched.
pub const FETCH_CAP: usize = 1 << 20;

/// What a runbook link gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fetched {
    /// Markdown (or plain text), sanitized, its relative links made absolute.
    Markdown(String),
    /// A web page: shown as a link, not rendered.
    Html,
}

/// Fetches `url` within `timeout`, reading at most `cap` bytes.
pub async fn fetch(url: &str, timeout: Duration, cap: usize) -> Result<Fetched, String> {
    let base = reqwest::Url::parse(url).map_err(|e| format!("not a URL: {e}"))?;
    if !matches!(base.scheme(), "http" | "https") {
        return Err(format!(
            "only http(s) runbooks are fetched, not {}:",
            base.scheme()
        ));
    }
    let client = reqwest::Client::builder()
        .user_agent(concat!("onduty/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(timeout.min(Duration::from_secs(5)))
        .read_timeout(timeout)
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let words = |e: reqwest::Error| {
        if e.is_timeout() {
            format!("no answer within {timeout:?}")
        } else {
            crate::sources::http::why_unsent(&e.without_url(), Some(&base))
        }
    };
    let mut resp = client
        .get(base.clone())
        .header(
            reqwest::header::ACCEPT,
            "text/markdown, text/plain;q=0.9, */*;q=0.1",
        )
        .send()
        .await
        .map_err(words)?;
    if !resp.status().is_success() {
        return Err(format!("HTTP {}", resp.status().as_u16()));
    }
    let kind = resp
        .headers()
        .get(reqwest::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("text/plain")
        .to_ascii_lowercase();
    if kind.starts_with("text/html") || kind.starts_with("application/xhtml") {
        return Ok(Fetched::Html);
    }
    if !(kind.starts_with("text/") || kind.starts_with("application/octet-stream")) {
        return Err(format!(
            "not Markdown or text ({})",
            sanitize::line(&kind, 60)
        ));
    }
    if resp.content_length().is_some_and(|n| n as usize > cap) {
        return Err(format!("larger than {} KiB", cap >> 10));
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(words)? {
        if body.len() + chunk.len() > cap {
            return Err(format!("larger than {} KiB", cap >> 10));
        }
        body.extend_from_slice(&chunk);
    }
    let text = sanitize::text(&String::from_utf8_lossy(&body), cap);
    Ok(Fetched::Markdown(absolute_links(&text, &base)))
}

/// `text` with each Markdown link target `](target)` that is relative made absolute
/// against `base`.
pub fn absolute_links(text: &str, base: &reqwest::Url) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("](") {
        let (before, after) = rest.split_at(at + 2);
        out.push_str(before);
        let end = after.find(')').unwrap_or(after.len());
        let target = &after[..end];
        let is_relative = !target.contains(':') && !target.starts_with('#') && !target.is_empty();
        match base.join(target) {
            Ok(url) if is_relative => out.push_str(url.as_str()),
            _ => out.push_str(target),
        }
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_links_resolve_against_the_runbook() {
        let base = reqwest::Url::parse("https://rb.example/ops/db/lag.md").unwrap();
        let text = "see [failover](failover.md), [top](#steps), [up](../index.md), \
                    [abs](https://x.example/a) and [mail](mailto:dba@example.com)";
        assert_eq!(
            absolute_links(text, &base),
            "see [failover](https://rb.example/ops/db/failover.md), [top](#steps), \
             [up](https://rb.example/ops/index.md), [abs](https://x.example/a) and \
             [mail](mailto:dba@example.com)"
        );
    }
}
