//! Secrets and TLS, as a reviewer would check them: a canary token run through every command
//! at full log verbosity against a back end that refuses it (401/429/500) and echoes the
//! request back, through the dashboard and a panic, never shows up anywhere; a token file
//! others can read stops onduty at start; what onduty creates is owner-only; a custom CA
//! works, a self-signed server without it fails closed; HTTPS_PROXY and NO_PROXY are honoured.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::faults::{Fault, FaultServer, connect_proxy};
use support::pty::{Session, onduty};
use support::{Alertmanager, onduty_command};

const CANARY: &str = "canary-7f3a9c-do-not-leak";

fn write_config(dir: &Path, source: &str) -> PathBuf {
    let config = dir.join("onduty.toml");
    std::fs::write(&config, format!("identity = \"ana\"\n{source}")).unwrap();
    config
}

fn source_toml(url: &str, extra: &str) -> String {
    format!("[[source]]\nname = \"prod\"\nkind = \"alertmanager\"\nurl = \"{url}\"\n{extra}\n")
}

/// Everything `dir` holds, as text (logs, the journal's bytes, exports).
fn every_file(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

fn assert_no_canary(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    assert!(!text.contains(CANARY), "{what} shows the token: {text}");
    assert!(
        !text.contains("Y2FuYXJ5"),
        "{what} shows the token in base64: {text}"
    );
}

// Multi-threaded: the fake back end keeps answering while the test blocks on the pty.
#[tokio::test(flavor = "multi_thread")]
async fn a_canary_token_never_appears_anywhere() {
    // Refuses every request in turn with 401, 429, 500, each echoing the request's head.
    let server = FaultServer::start(|n, _| match n % 3 {
        0 => Fault::Echo(401),
        1 => Fault::Echo(429),
        _ => Fault::Echo(500),
    })
    .await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        &source_toml(&server.url, "token_env = \"AM_TOKEN\""),
    );
    let commands: &[&[&str]] = &[
        &["alerts"],
        &["alerts", "--json"],
        &["alerts"],
        &["silences"],
        &["check"],
        &["ack", "prod:0000"],
        &["silence", "prod:0000", "--for", "1h"],
        &["note", "prod:0000", "checking"],
        &["timeline", "prod:0000"],
        &["outbox"],
        &["info"],
    ];
    for args in commands {
        let out = onduty_command(dir.path(), &config, args)
            .env("AM_TOKEN", CANARY)
            .env("ONDUTY_LOG", "trace")
            .env("RUST_BACKTRACE", "1")
            .output()
            .await
            .unwrap();
        assert_no_canary(&format!("{args:?} stdout"), &out.stdout);
        assert_no_canary(&format!("{args:?} stderr"), &out.stderr);
    }
    // The echo really carried it: the back end saw the token on every request.
    let seen = server.seen();
    assert!(seen.len() >= 6);
    assert!(seen.iter().all(|r| r.head.contains(CANARY)));

    // The dashboard over a back end that always echoes with a 500, then a panic in drawing.
    let echo = FaultServer::start(|_, _| Fault::Echo(500)).await;
    let config = write_config(
        dir.path(),
        &source_toml(&echo.url, "token_env = \"AM_TOKEN\""),
    );
    for panic in [false, true] {
        let mut cmd = onduty(dir.path(), &["--config", config.to_str().unwrap()]);
        cmd.env("AM_TOKEN", CANARY);
        cmd.env("ONDUTY_LOG", "trace");
        cmd.env("RUST_BACKTRACE", "1");
        if panic {
            cmd.env("ONDUTY_TEST_PANIC_IN_RENDER", "1");
        }
        let mut s = Session::spawn(cmd, 120, 30);
        if panic {
            s.wait_exit(Duration::from_secs(20));
            assert!(s.text().contains("onduty crashed"));
        } else {
            // The refusal is on screen, with the echoed request in it (redacted).
            s.wait_for("authorization: <r", Duration::from_secs(20));
            s.send(b"5");
            s.wait_for("OUTBOX", Duration::from_secs(20));
            s.signal("TERM");
            s.wait_exit(Duration::from_secs(5));
        }
        assert_no_canary(&format!("dashboard (panic: {panic})"), &s.seen);
    }
    for (path, bytes) in every_file(dir.path()) {
        assert_no_canary(&path.display().to_string(), &bytes);
    }
}

/// Every form a back end could reflect `user:token` (or the token alone) in.
fn forms_of(user: Option<&str>, token: &str) -> Vec<String> {
    use base64::Engine;
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE_NO_PAD};
    let percent = token
        .replace('/', "%2F")
        .replace('+', "%2B")
        .replace('=', "%3D");
    let mut forms = vec![token.to_string(), percent];
    if let Some(user) = user {
        let pair = format!("{user}:{token}");
        forms.push(STANDARD_NO_PAD.encode(&pair));
        forms.push(URL_SAFE_NO_PAD.encode(&pair));
        // Its tail alone: a cut excerpt must not leave the end of the credential either.
        let b64 = STANDARD.encode(&pair);
        forms.push(b64[b64.len() / 2..].trim_end_matches('=').to_string());
    }
    forms
}

fn assert_no_form(what: &str, forms: &[String], bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for form in forms {
        assert!(
            !text.contains(form.as_str()),
            "{what} shows '{form}': {text}"
        );
    }
}

// A back end that reflects the credentials of each request in its 401/403/500 bodies, in
// every form (the Authorization value in a sentence, the bare base64, percent-encoded,
// JSON-escaped, decoded), for each kind of auth onduty sends: bearer, basic with a user name,
// credentials in the URL, PagerDuty's `Token token=`.
#[tokio::test(flavor = "multi_thread")]
async fn credentials_reflected_in_any_form_never_get_out() {
    // `/`, `+` and `=` in the token make its base64 and percent forms differ from it.
    const TOKEN: &str = "CANARY/rf+9q=z";
    let server = FaultServer::start(|n, _| match n % 3 {
        0 => Fault::Reflect(401),
        1 => Fault::Reflect(403),
        _ => Fault::Reflect(500),
    })
    .await;
    let authority = server.url.trim_start_matches("http://").to_string();
    let kinds: Vec<(&str, String, Option<&str>)> = vec![
        (
            "bearer",
            source_toml(&server.url, "token_env = \"TOKEN\""),
            None,
        ),
        (
            "basic",
            source_toml(&server.url, "token_env = \"TOKEN\"\nusername = \"onduty\""),
            Some("onduty"),
        ),
        (
            "url",
            source_toml(
                &format!("http://onduty:CANARY%2Frf%2B9q%3Dz@{authority}"),
                "",
            ),
            Some("onduty"),
        ),
        (
            "pagerduty",
            format!(
                "[[source]]\nname = \"prod\"\nkind = \"pagerduty\"\nurl = \"{}\"\n\
                 token_env = \"TOKEN\"\nfrom_email = \"oncall@example.com\"\n",
                server.url
            ),
            None,
        ),
    ];
    let commands: &[&[&str]] = &[
        &["check"],
        &["alerts"],
        &["alerts", "--json"],
        &["ack", "prod:0000"],
        &["expire", "prod:0000"],
        &["silences"],
        &["tickets"],
        &["handoff"],
        &["oncall"],
        &["runbook", "prod:0000"],
        &["outbox", "--flush"],
        &["timeline", "prod:0000"],
        &["postmortem", "prod:0000"],
    ];
    for (kind, source, user) in kinds {
        let dir = tempfile::tempdir().unwrap();
        let config = write_config(dir.path(), &source);
        let forms = forms_of(user, TOKEN);
        let before = server.seen().len();
        for args in commands {
            let out = onduty_command(dir.path(), &config, args)
                .env("TOKEN", TOKEN)
                .env("ONDUTY_LOG", "trace")
                .output()
                .await
                .unwrap();
            assert_no_form(&format!("{kind} {args:?} stdout"), &forms, &out.stdout);
            assert_no_form(&format!("{kind} {args:?} stderr"), &forms, &out.stderr);
        }
        // The reflection really carried the credentials, so the test could fail.
        let seen = server.seen();
        let asked = &seen[before..];
        assert!(asked.len() >= 5, "{kind}: {} requests", asked.len());
        assert!(
            asked
                .iter()
                .all(|r| r.head.to_ascii_lowercase().contains("authorization:")),
            "{kind}: a request went without credentials"
        );
        for (path, bytes) in every_file(dir.path()) {
            if path != config {
                assert_no_form(&format!("{kind} {}", path.display()), &forms, &bytes);
            }
        }
    }
}

#[tokio::test]
async fn a_token_file_others_can_read_stops_onduty_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let token = dir.path().join("token");
    std::fs::write(&token, CANARY).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
    let extra = format!("token_file = \"{}\"", token.display());
    let config = write_config(dir.path(), &source_toml("http://127.0.0.1:9", &extra));
    let out = onduty_command(dir.path(), &config, &["alerts"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("chmod 600")
            && err.contains("token_file")
            && err.contains(&token.display().to_string())
            && err.contains(&config.display().to_string()),
        "{err}"
    );
    assert_no_canary("stderr", &out.stderr);
    // The dashboard refuses it the same way, before taking the terminal.
    let mut s = Session::spawn(
        onduty(dir.path(), &["--config", config.to_str().unwrap()]),
        80,
        24,
    );
    s.wait_exit(Duration::from_secs(20));
    assert!(s.text().contains("chmod 600"), "{}", s.text());
    assert!(
        !s.text().contains("\u{1b}[?1049h"),
        "the terminal was never taken"
    );
}

#[tokio::test]
async fn what_onduty_creates_is_owner_only() {
    let server = FaultServer::start(|_, _| Fault::Body("[]".into())).await;
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(dir.path(), &source_toml(&server.url, ""));
    let data = dir.path().join("data");
    for args in [&["alerts"][..], &["note", "prod:x", "hello"]] {
        let out = onduty_command(dir.path(), &config, args)
            .env("ONDUTY_DATA_DIR", &data)
            .output()
            .await
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let mut checked = 0;
    let mut stack = vec![data.clone()];
    while let Some(d) = stack.pop() {
        let mode = std::fs::metadata(&d).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o700, "{}", d.display());
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let mode = std::fs::metadata(&p).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o600, "{}", p.display());
                checked += 1;
            }
        }
    }
    assert!(checked >= 2, "journal and log at least");
}

/// A CA and a certificate it signed for 127.0.0.1, as PEM files in `dir`: (ca, cert, key).
fn certificates(dir: &Path) -> (PathBuf, PathBuf, PathBuf) {
    use rcgen::{BasicConstraints, CertificateParams, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate().unwrap();
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let issuer = Issuer::new(ca_params, ca_key);
    let key = KeyPair::generate().unwrap();
    let params = CertificateParams::new(vec!["127.0.0.1".to_string()]).unwrap();
    let cert = params.signed_by(&key, &issuer).unwrap();
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca.pem()).unwrap();
    std::fs::write(&paths.1, cert.pem()).unwrap();
    std::fs::write(&paths.2, key.serialize_pem()).unwrap();
    (paths.0, paths.1, paths.2)
}

#[tokio::test]
async fn tls_trusts_the_configured_ca_fails_closed_without_it_and_honours_proxies() {
    let dir = tempfile::tempdir().unwrap();
    let (ca, cert, key) = certificates(dir.path());
    let am = Alertmanager::start_tls(&cert, &key).await;
    assert!(am.url.starts_with("https://"));

    let run = |config: PathBuf, env: Vec<(&'static str, String)>| {
        let dir = dir.path().to_path_buf();
        async move {
            let mut cmd = onduty_command(&dir, &config, &["alerts"]);
            cmd.env_remove("HTTPS_PROXY")
                .env_remove("https_proxy")
                .env_remove("NO_PROXY");
            for (k, v) in env {
                cmd.env(k, v);
            }
            let out = cmd.output().await.unwrap();
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            (out.status.success(), text)
        }
    };
    let without = write_config(dir.path(), &source_toml(&am.url, ""));
    let (ok, text) = run(without, vec![]).await;
    assert!(
        !ok && text.contains("prod"),
        "a self-signed server was trusted: {text}"
    );
    assert!(text.to_lowercase().contains("certificate"), "{text}");

    let with_ca = dir.path().join("with-ca.toml");
    std::fs::write(
        &with_ca,
        format!(
            "identity = \"ana\"\n{}",
            source_toml(&am.url, &format!("ca_file = \"{}\"", ca.display()))
        ),
    )
    .unwrap();
    let (ok, text) = run(with_ca.clone(), vec![]).await;
    assert!(ok && text.contains("0 alert"), "{text}");

    let (proxy, asked) = connect_proxy().await;
    let port = am.url.rsplit(':').next().unwrap().to_string();
    let (ok, text) = run(with_ca.clone(), vec![("HTTPS_PROXY", proxy.clone())]).await;
    assert!(ok, "{text}");
    assert_eq!(
        asked.lock().unwrap().clone(),
        vec![format!("127.0.0.1:{port}")]
    );
    let (ok, text) = run(
        with_ca,
        vec![("HTTPS_PROXY", proxy), ("NO_PROXY", "127.0.0.1".into())],
    )
    .await;
    assert!(ok, "{text}");
    assert_eq!(
        asked.lock().unwrap().len(),
        1,
        "NO_PROXY went through the proxy"
    );
}
