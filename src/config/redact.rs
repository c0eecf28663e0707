//! Every form a secret can take in text a back end sends back, and the one scrubber that
//! takes them out. A back end that echoes the request (some proxies and APIs do, in their
//! 401/403/500 bodies) can return the token as it was sent, `user:token` as the base64 of a
//! Basic value (padded or not, URL-safe, percent-encoded, JSON-escaped), or the token
//! percent-encoded. Secrets are remembered here for the life of the process as they are
//! resolved (`secrets::resolve`), so no back end has to carry them to its error paths, and
//! `sources::Error`, the log writer and the post-mortem all scrub through `redact`.

use std::borrow::Cow;
use std::sync::{LazyLock, RwLock};

use base64::Engine;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};

/// What a removed secret is replaced with.
pub const REDACTED: &str = "<redacted>";
/// Shorter forms are not remembered: replacing two or three characters everywhere would
/// garble every message, and no real token is that short.
const MIN_FORM_LEN: usize = 4;

/// Every form of every secret resolved in this process, longest first (so a base64 form is
/// replaced whole before a shorter form inside it).
static KNOWN: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// A credential after a scheme word (`Basic …`, `Bearer …`, `Token token=…`, `GenieKey …`) wherever it
/// appears, remembered or not: it has a digit or a base64/token symbol, so English words after
/// "basic" stay.
static SCHEME_VALUE: LazyLock<Option<regex::Regex>> = LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(?:basic|bearer|token|geniekey)(?:\s+|%20|\+)(?:token=)?([A-Za-z0-9+/=_.~%\\-]{8,})",
    )
    .ok()
});

/// Remembers `secret` (and, with `user`, the Basic credentials `user:secret`) in every form a
/// back end could send it back in.
pub fn remember(secret: &str, user: Option<&str>) {
    if secret.is_empty() {
        return;
    }
    let mut forms = encoded(secret);
    if let Some(user) = user {
        let pair = format!("{user}:{secret}");
        for engine in [&STANDARD, &STANDARD_NO_PAD, &URL_SAFE, &URL_SAFE_NO_PAD] {
            forms.extend(encoded(&engine.encode(&pair)));
        }
    }
    let mut known = KNOWN.write().unwrap_or_else(|e| e.into_inner());
    for form in forms {
        if form.len() >= MIN_FORM_LEN && !known.contains(&form) {
            known.push(form);
        }
    }
    known.sort_by_key(|f| std::cmp::Reverse(f.len()));
}

/// `text` with every remembered secret, `extra` (a token not remembered), every
/// `Authorization` value and every credential after a scheme word replaced by `<redacted>`.
/// Borrows `text` when there was nothing to take out.
pub fn redact<'a>(text: &'a str, extra: Option<&str>) -> Cow<'a, str> {
    let mut out = Cow::Borrowed(text);
    if let Some(extra) = extra.filter(|s| !s.is_empty()) {
        for form in encoded(extra) {
            replace(&mut out, &form);
        }
    }
    {
        let known = KNOWN.read().unwrap_or_else(|e| e.into_inner());
        for form in known.iter() {
            replace(&mut out, form);
        }
    }
    if let Some(re) = SCHEME_VALUE.as_ref()
        && re.is_match(&out)
    {
        let replaced = re.replace_all(&out, |c: &regex::Captures<'_>| {
            let whole = c.get(0).map_or("", |m| m.as_str());
            let value = c.get(1).map_or("", |m| m.as_str());
            if is_credential_like(value) {
                format!("{}{REDACTED}", &whole[..whole.len() - value.len()])
            } else {
                whole.to_string()
            }
        });
        out = Cow::Owned(replaced.into_owned());
    }
    if out.to_ascii_lowercase().contains("authorization") {
        out = Cow::Owned(authorization_values(&out));
    }
    out
}

/// `text` with the remembered secrets and credentials taken out (see `redact`).
pub fn scrub(text: &str) -> Cow<'_, str> {
    redact(text, None)
}

fn replace(out: &mut Cow<'_, str>, form: &str) {
    if out.contains(form) {
        *out = Cow::Owned(out.replace(form, REDACTED));
    }
}

/// `s` as sent, percent-encoded (either hex case) and JSON-escaped.
fn encoded(s: &str) -> Vec<String> {
    let percent = |lower: bool| -> String {
        s.bytes()
            .map(|b| match b {
                b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                    (b as char).to_string()
                }
                _ if lower => format!("%{b:02x}"),
                _ => format!("%{b:02X}"),
            })
            .collect()
    };
    let mut forms = vec![s.to_string()];
    for form in [
        percent(false),
        percent(true),
        s.replace('\\', "\\\\")
            .replace('"', "\\\"")
            .replace('/', "\\/"),
    ] {
        if !forms.contains(&form) {
            forms.push(form);
        }
    }
    forms
}

fn is_credential_like(value: &str) -> bool {
    value
        .chars()
        .any(|c| c.is_ascii_digit() || "+/=_-%".contains(c))
        || value.len() >= 20
}

/// The value after every `Authorization` (header, JSON key, query), scheme word and all.
fn authorization_values(text: &str) -> String {
    let mut out = text.to_string();
    let mut from = 0;
    while let Some(at) = out[from..].to_ascii_lowercase().find("authorization") {
        let start = from + at + "authorization".len();
        // The scheme and the credentials after `:` (or `"` and `:` in JSON), whatever the case.
        let rest = &out[start..];
        let skip = rest.len()
            - rest
                .trim_start_matches([':', '"', '\'', ' ', '=', '['])
                .len();
        let value_start = start + skip;
        let words: Vec<&str> = out[value_start..]
            .splitn(3, [' ', '\r', '\n', '"', '\'', ',', ']'])
            .collect();
        let is_scheme = words.first().is_some_and(|w| {
            ["basic", "bearer", "token", "geniekey"].contains(&w.to_ascii_lowercase().as_str())
        });
        let take = if is_scheme { 2 } else { 1 };
        let len: usize = words.iter().take(take).map(|w| w.len()).sum::<usize>() + take - 1;
        let end = (value_start + len).min(out.len());
        let already = out[value_start..].starts_with(REDACTED);
        if end > value_start && !already {
            out.replace_range(value_start..end, REDACTED);
        }
        from = value_start + REDACTED.len().min(out.len() - value_start);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_and_any_authorization_value_are_hidden() {
        let echoed = "GET / HTTP/1.1\r\nAuthorization: Basic dXNlcjpjYW5hcnk=\r\nx: canary-9\r\n";
        let out = redact(echoed, Some("canary-9"));
        assert!(
            !out.contains("dXNlcjpjYW5hcnk") && !out.contains("canary-9"),
            "{out}"
        );
        assert!(out.contains("Authorization: <redacted>"), "{out}");
        let json = r#"{"headers":{"authorization":"Bearer abc.def","x":1}}"#;
        let out = redact(json, None);
        assert!(
            !out.contains("abc.def") && out.contains(r#""x":1"#),
            "{out}"
        );
        let list = r#"{"Authorization":["Basic Zm9vOmJhcg=="]}"#;
        assert!(!redact(list, None).contains("Zm9vOmJhcg"), "a JSON list");
        assert_eq!(redact("nothing here", Some("zz")), "nothing here");
        assert_eq!(redact("authorization", None), "authorization");
    }

    #[test]
    fn every_form_of_remembered_basic_credentials_is_hidden() {
        let (user, token) = ("onduty-t1", "CANARY/t1+x=");
        remember(token, Some(user));
        let b64 = STANDARD.encode(format!("{user}:{token}"));
        let url_safe = URL_SAFE_NO_PAD.encode(format!("{user}:{token}"));
        let percent = b64
            .replace('+', "%2B")
            .replace('/', "%2F")
            .replace('=', "%3D");
        for body in [
            format!(r#"{{"message":"invalid credentials {b64}"}}"#),
            format!("creds={}", b64.trim_end_matches('=')),
            format!("creds={url_safe}"),
            format!("creds={percent}"),
            format!(
                "creds={}",
                percent.replace("%2B", "%2b").replace("%3D", "%3d")
            ),
            format!("creds={}", b64.replace('/', "\\/")),
            format!(
                "pw={}",
                token
                    .replace('/', "%2F")
                    .replace('+', "%2B")
                    .replace('=', "%3D")
            ),
            format!("pw={token}"),
        ] {
            let out = redact(&body, None);
            assert!(out.contains(REDACTED), "{body} -> {out}");
            for leak in [token, b64.trim_end_matches('='), &url_safe, "CANARY"] {
                assert!(!out.contains(leak), "{body} -> {out}");
            }
        }
    }

    #[test]
    fn a_credential_after_a_scheme_word_is_hidden_even_when_not_remembered() {
        let out = redact("invalid credentials Basic b25kdXR5OnNvbWV0aGluZw==", None);
        assert_eq!(out, "invalid credentials Basic <redacted>");
        let out = redact("got Token token=abc123def456 from you", None);
        assert_eq!(out, "got Token token=<redacted> from you");
        let out = redact("sent GenieKey 4f1d2c3b-aa11-bb22 twice", None);
        assert_eq!(out, "sent GenieKey <redacted> twice");
        // English after the word stays.
        assert_eq!(
            redact("basic information missing", None),
            "basic information missing"
        );
    }

    #[test]
    fn text_without_secrets_is_borrowed() {
        assert!(matches!(scrub("HTTP 500: boom"), Cow::Borrowed(_)));
    }
}
