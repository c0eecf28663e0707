//! Runbook links fetched through the fault server: Markdown arrives sanitized with its
//! relative links made absolute; HTML stays a link; 404, a wrong type, an oversized or a
//! slow answer are errors in words; nothing is rendered from a failed fetch.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::time::Duration;

use onduty::runbook::fetch::{FETCH_CAP, Fetched, fetch};
use support::faults::{self, Fault};

fn typed(kind: &'static str, body: &str) -> Fault {
    Fault::Headed {
        status: 200,
        headers: kind,
        body: body.to_string(),
    }
}

#[tokio::test]
async fn markdown_arrives_clean_with_absolute_links() {
    let url = faults::serve(typed(
        "Content-Type: text/markdown; charset=utf-8\r\n",
        "# Lag\u{1b}]52;c;ZXZpbA==\u{7}\n\nsee [failover](failover.md)\u{202e}\n",
    ))
    .await;
    let got = fetch(
        &format!("{url}/ops/lag.md"),
        Duration::from_secs(5),
        FETCH_CAP,
    )
    .await
    .unwrap();
    assert_eq!(
        got,
        Fetched::Markdown(format!("# Lag\n\nsee [failover]({url}/ops/failover.md)\n"))
    );
}

#[tokio::test]
async fn a_web_page_stays_a_link_and_faults_are_words() {
    let t = Duration::from_secs(5);
    let html = faults::serve(typed("Content-Type: text/html\r\n", "<html>x</html>")).await;
    assert_eq!(fetch(&html, t, FETCH_CAP).await, Ok(Fetched::Html));

    let missing = faults::serve(Fault::Status(404, "not found")).await;
    assert_eq!(fetch(&missing, t, FETCH_CAP).await, Err("HTTP 404".into()));

    let json = faults::serve(Fault::Body("{}".into())).await;
    let err = fetch(&json, t, FETCH_CAP).await.unwrap_err();
    assert!(
        err.contains("not Markdown or text (application/json)"),
        "{err}"
    );

    let huge = faults::serve(typed("Content-Type: text/plain\r\n", &"x".repeat(4096))).await;
    let err = fetch(&huge, t, 1024).await.unwrap_err();
    assert!(err.contains("larger than 1 KiB"), "{err}");

    let slow = faults::serve(Fault::Hang).await;
    let err = fetch(&slow, Duration::from_millis(300), FETCH_CAP)
        .await
        .unwrap_err();
    assert!(err.contains("no answer within"), "{err}");

    let err = fetch("file:///etc/passwd", t, FETCH_CAP).await.unwrap_err();
    assert!(err.contains("only http(s)"), "{err}");
}
