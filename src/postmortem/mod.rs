//! Post-mortems: a draft written from what the journal knows of an incident (`facts`) into
//! a Markdown template (`render`; embedded, or `postmortem.md` in the config directory),
//! kept in the journal as it is edited (one shared draft per incident), exported to a file
//! atomically. Secrets never appear in one: every draft is scrubbed.

pub mod facts;
pub mod publish;
pub mod render;

use std::io::Write;
use std::path::Path;

/// The embedded template.
pub const TEMPLATE: &str = include_str!("template.md");
/// The file in the config directory that replaces the embedded template.
pub const TEMPLATE_FILE: &str = "postmortem.md";
/// Largest template read.
const TEMPLATE_CAP: u64 = 256 * 1024;
/// The author under which a post-mortem's draft is kept: one draft per incident, shared by
/// everyone on the journal.
pub const DRAFT_AUTHOR: &str = "*";

/// Where the draft of `subject`'s post-mortem is kept in the journal's drafts.
pub fn draft_subject(subject: &str) -> String {
    format!("postmortem:{subject}")
}

/// The template: `postmortem.md` in `config_dir` when there is one, else the embedded one.
/// A bad file is an error naming it.
pub fn template(config_dir: &Path) -> Result<String, String> {
    let path = config_dir.join(TEMPLATE_FILE);
    let named = |why: String| format!("{}: {why}", path.display());
    match std::fs::metadata(&path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(TEMPLATE.to_string()),
        Err(e) => return Err(named(e.to_string())),
        Ok(m) if m.len() > TEMPLATE_CAP => {
            return Err(named(format!("larger than {} KiB", TEMPLATE_CAP / 1024)));
        }
        Ok(_) => {}
    }
    let text = std::fs::read_to_string(&path).map_err(|e| named(e.to_string()))?;
    let text = crate::model::sanitize::text(&text, TEMPLATE_CAP as usize);
    render::check(&text).map_err(named)?;
    Ok(text)
}

/// A post-mortem to show or export: the draft kept in the journal (as last edited), or a
/// new one written from the facts (`fresh` always writes a new one).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Prepared {
    /// The Markdown.
    pub text: String,
    /// Whether it is the kept draft (else newly written, and not kept yet).
    pub is_kept: bool,
}

/// Prepares `subject`'s post-mortem from `journal`.
pub async fn prepare(
    journal: &crate::journal::Journal,
    subject: &str,
    template: &str,
    now: chrono::DateTime<chrono::Utc>,
    fresh: bool,
    known: &[crate::model::Alert],
) -> Result<Prepared, String> {
    if !fresh {
        let kept = journal
            .draft(&draft_subject(subject), DRAFT_AUTHOR)
            .await
            .map_err(|e| e.to_string())?;
        if let Some(d) = kept {
            return Ok(Prepared {
                text: scrub(&d.body),
                is_kept: true,
            });
        }
    }
    let facts = facts::gather(journal, subject, known).await?;
    Ok(Prepared {
        text: render::draft(&facts, template, now)?,
        is_kept: false,
    })
}

/// Prefixes of well-known token formats (GitHub, GitLab, Slack, Stripe, AWS access keys).
const TOKEN_PREFIXES: &[&str] = &[
    "ghp_",
    "gho_",
    "ghu_",
    "ghs_",
    "ghr_",
    "github_pat_",
    "glpat-",
    "xoxb-",
    "xoxp-",
    "xoxa-",
    "sk_live_",
    "rk_live_",
    "AKIA",
    "ASIA",
];
/// Keys whose value is a secret when written `key=value` or `key: value`.
const SECRET_KEYS: &[&str] = &["token", "password", "passwd", "secret", "api_key", "apikey"];

/// `text` without secrets: authorization headers, `token=…`-style values, well-known
/// token formats and JSON web tokens become `<redacted>`.
pub fn scrub(text: &str) -> String {
    let text = crate::config::redact::scrub(text);
    let mut out = String::with_capacity(text.len());
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&scrub_line(line));
    }
    out
}

fn scrub_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut redact_next = false;
    for (i, word) in line.split(' ').enumerate() {
        if i > 0 {
            out.push(' ');
        }
        let bare = word.trim_matches(|c: char| "\"'`(),;".contains(c));
        if redact_next && !bare.is_empty() {
            out.push_str("<redacted>");
            redact_next = false;
            continue;
        }
        let lower = bare.to_ascii_lowercase();
        if let Some((key, value)) = lower.split_once(['=', ':'])
            && SECRET_KEYS.iter().any(|k| key.ends_with(k))
        {
            if value.is_empty() {
                redact_next = true;
                out.push_str(word);
            } else {
                // Keep `key=` and any closing punctuation; the value goes.
                let sep = word.find(['=', ':']).map_or(0, |i| i + 1);
                let tail = word.len()
                    - word
                        .trim_end_matches(|c: char| "\"'`(),;".contains(c))
                        .len();
                out.push_str(&word[..sep]);
                out.push_str("<redacted>");
                out.push_str(&word[word.len() - tail..]);
            }
            continue;
        }
        let is_token = TOKEN_PREFIXES
            .iter()
            .any(|p| bare.starts_with(p) && bare.len() >= p.len() + 12)
            || (bare.starts_with("eyJ") && bare.matches('.').count() == 2 && bare.len() > 30);
        if is_token {
            out.push_str(&word.replace(bare, "<redacted>"));
        } else {
            out.push_str(word);
        }
    }
    out
}

/// Writes `text` to `path` atomically: a temporary file beside it (0600), synced, renamed
/// over it. A reader sees the old file or the new one, never half of one.
pub fn write_atomically(path: &Path, text: &str) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".onduty-postmortem-")
        .tempfile_in(dir)?;
    tmp.write_all(text.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_and_the_rest_kept() {
        let note = "ran curl -H 'Authorization: Bearer abc.def' https://api\n\
                    PGPASSWORD=hunter2 psql; token: s3cr3t-value; key ghp_ABCDEFGHIJKLMNOPQRSTUV\n\
                    jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZw ok";
        let out = scrub(note);
        for secret in ["abc.def", "hunter2", "s3cr3t-value", "ghp_ABCD", "eyJhbGci"] {
            assert!(!out.contains(secret), "{secret} left in:\n{out}");
        }
        for kept in ["ran curl", "https://api", "psql;", "key", "ok"] {
            assert!(out.contains(kept), "{kept} lost:\n{out}");
        }
        assert_eq!(
            scrub("the token expired at 14:02"),
            "the token expired at 14:02"
        );
    }

    #[test]
    fn a_bad_template_names_its_file_and_placeholder() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(template(dir.path()).unwrap(), TEMPLATE);
        std::fs::write(dir.path().join(TEMPLATE_FILE), "# {{titel}}\n").unwrap();
        let e = template(dir.path()).unwrap_err();
        assert!(
            e.contains("postmortem.md") && e.contains("{{titel}}"),
            "{e}"
        );
    }

    #[test]
    fn files_are_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("pm.md");
        write_atomically(&path, "first").unwrap();
        write_atomically(&path, "second").unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "second");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left"
        );
    }
}
