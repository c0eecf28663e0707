//! Runbooks: which one belongs to an alert (its annotation, else the local library matched
//! by front matter, else a file named after the alert) and its text. The library is one or
//! more directories of Markdown files (`runbook_dirs`), read once at start, each file capped.

pub mod fetch;
pub mod items;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::model::{Alert, sanitize};

/// Largest runbook file read.
pub const FILE_CAP: u64 = 1 << 20;
/// Most files read from the library.
const MOST_FILES: usize = 5_000;
/// Annotations that name an alert's runbook, in order.
pub const DEFAULT_ANNOTATIONS: &[&str] = &["runbook_url", "runbook", "runbook_link"];

/// A runbook file of the library.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Where it is.
    pub path: PathBuf,
    /// Its title: the front matter's, else the first heading, else the file name.
    pub title: String,
    /// The alert names it is for (front matter `alerts`).
    pub alerts: Vec<String>,
    /// Label values it is for (every other front-matter key): all must match.
    pub labels: Vec<(String, Vec<String>)>,
    /// The Markdown after the front matter, sanitized.
    pub markdown: String,
}

/// Where an alert's runbook is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Runbook<'a> {
    /// A file of the library.
    Local(&'a Entry),
    /// A link (an annotation or a back end's link), not read here.
    Link {
        /// What named it (`runbook_url`, `pagerduty`).
        from: String,
        /// The URL.
        url: String,
    },
}

/// The local runbook library.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Library {
    /// Its files.
    pub entries: Vec<Entry>,
    /// Files that could not be read, and why (shown by `onduty check`, logged).
    pub problems: Vec<String>,
}

#[derive(Deserialize, Default)]
struct FrontMatter {
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    alerts: OneOrMany,
    #[serde(flatten)]
    labels: std::collections::BTreeMap<String, OneOrMany>,
}

#[derive(Deserialize, Default)]
#[serde(untagged)]
enum OneOrMany {
    #[default]
    None,
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn into_vec(self) -> Vec<String> {
        match self {
            OneOrMany::None => Vec::new(),
            OneOrMany::One(s) => vec![s],
            OneOrMany::Many(v) => v,
        }
    }
}

impl Library {
    /// Reads every `*.md` file under `dirs` (recursively, hidden directories skipped).
    pub fn load(dirs: &[PathBuf]) -> Library {
        let mut library = Library::default();
        let mut files = Vec::new();
        for dir in dirs {
            collect(dir, &mut files, &mut library.problems);
        }
        files.sort();
        files.truncate(MOST_FILES);
        for path in files {
            match read_entry(&path) {
                Ok(entry) => library.entries.push(entry),
                Err(why) => library
                    .problems
                    .push(format!("runbook '{}': {why}", path.display())),
            }
        }
        library
    }

    /// The runbook of `alert`: its annotation (the first of `annotations` it has), else
    /// the library's best match by front matter, else a file named after the alert, else
    /// the link to its own page at its back end (a PagerDuty incident's).
    pub fn resolve(&self, alert: &Alert, annotations: &[String]) -> Option<Runbook<'_>> {
        let named = annotations
            .iter()
            .find_map(|name| Some((name, alert.annotations.get(name)?)));
        if let Some((from, value)) = named {
            if let Some(entry) = self.by_reference(value) {
                return Some(Runbook::Local(entry));
            }
            return Some(Runbook::Link {
                from: from.clone(),
                url: value.to_string(),
            });
        }
        if let Some(entry) = self.best_match(alert) {
            return Some(Runbook::Local(entry));
        }
        alert
            .links
            .iter()
            .find(|l| &*l.label == crate::model::ITS_PAGE)
            .map(|l| Runbook::Link {
                from: l.label.to_string(),
                url: l.url.to_string(),
            })
    }

    /// The library's own runbook for `alert` (front matter or file name), whatever its
    /// annotations say: the stand-in when the link they name cannot be read.
    pub fn local_for(&self, alert: &Alert) -> Option<&Entry> {
        self.best_match(alert)
    }

    /// A library file an annotation names by path or file name (`payments/db.md`).
    fn by_reference(&self, reference: &str) -> Option<&Entry> {
        if reference.contains("://") {
            return None;
        }
        let wanted = reference.trim_start_matches("./");
        self.entries
            .iter()
            .find(|e| e.path.ends_with(wanted) && !wanted.is_empty())
    }

    /// The entry whose front matter fits `alert` best: named for its alert name and with
    /// the most matching labels; else the one with most matching labels; else the file
    /// named after the alert.
    fn best_match(&self, alert: &Alert) -> Option<&Entry> {
        let name = alert.field("alertname").unwrap_or_default();
        let labels_fit = |e: &Entry| {
            e.labels.iter().all(|(k, values)| {
                alert
                    .field(k)
                    .is_some_and(|v| values.iter().any(|want| want == v))
            })
        };
        let named = |e: &&Entry| e.alerts.iter().any(|a| a.eq_ignore_ascii_case(name));
        let fitting = |e: &&Entry| labels_fit(e);
        let by_name = self
            .entries
            .iter()
            .filter(named)
            .filter(fitting)
            .max_by_key(|e| e.labels.len());
        let by_labels = || {
            self.entries
                .iter()
                .filter(|e| e.alerts.is_empty() && !e.labels.is_empty())
                .filter(fitting)
                .max_by_key(|e| e.labels.len())
        };
        let by_file = || {
            self.entries.iter().find(|e| {
                e.path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .is_some_and(|s| s.eq_ignore_ascii_case(name))
            })
        };
        by_name.or_else(by_labels).or_else(by_file)
    }
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            problems.push(format!("runbook_dirs '{}': {e}", dir.display()));
            return;
        }
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let hidden = entry.file_name().to_string_lossy().starts_with('.');
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() && !hidden && out.len() < MOST_FILES {
            collect(&path, out, problems);
        } else if kind.is_file() && path.extension().is_some_and(|e| e == "md") {
            out.push(path);
        }
    }
}

fn read_entry(path: &Path) -> Result<Entry, String> {
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > FILE_CAP {
        return Err(format!("larger than {} KiB", FILE_CAP >> 10));
    }
    let raw = std::fs::read(path).map_err(|e| e.to_string())?;
    parse_entry(path, &String::from_utf8_lossy(&raw))
}

/// The runbook in `text` (front matter, then Markdown), known by `path`: what a library
/// file holds, or one built into onduty (the demo's).
pub fn parse_entry(path: &Path, text: &str) -> Result<Entry, String> {
    let text = sanitize::text(text, FILE_CAP as usize);
    let (front, markdown) = split_front_matter(&text);
    let front: FrontMatter = match front {
        Some(yaml) => serde_yaml_ng::from_str(yaml)
            .map_err(|e| format!("front matter: {}", sanitize::line(&e.to_string(), 200)))?,
        None => FrontMatter::default(),
    };
    let heading = markdown
        .lines()
        .find_map(|l| l.strip_prefix("# "))
        .map(str::trim);
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("runbook");
    let title = front.title.as_deref().or(heading).unwrap_or(stem);
    Ok(Entry {
        path: path.to_path_buf(),
        title: sanitize::line(title, sanitize::TITLE_CAP),
        alerts: front.alerts.into_vec(),
        labels: front
            .labels
            .into_iter()
            .map(|(k, v)| (k, v.into_vec()))
            .filter(|(_, v)| !v.is_empty())
            .collect(),
        markdown: markdown.to_string(),
    })
}

/// `---\n…\n---\n` at the very start: (front matter, the rest).
fn split_front_matter(text: &str) -> (Option<&str>, &str) {
    let Some(rest) = text.strip_prefix("---\n") else {
        return (None, text);
    };
    match rest.find("\n---\n") {
        Some(end) => (Some(&rest[..end]), &rest[end + 5..]),
        None => match rest.strip_suffix("\n---") {
            Some(front) => (Some(front), ""),
            None => (None, text),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Severity, Status};

    fn library(files: &[(&str, &str)]) -> (tempfile::TempDir, Library) {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            let path = dir.path().join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let lib = Library::load(&[dir.path().to_path_buf()]);
        (dir, lib)
    }

    fn alert(name: &str, labels: &[(&str, &str)]) -> Alert {
        let mut all = vec![("alertname", name)];
        all.extend_from_slice(labels);
        crate::testing::labelled_alert(name, Severity::Critical, Status::Firing, &all)
    }

    fn title(r: Option<Runbook>) -> String {
        match r {
            Some(Runbook::Local(e)) => e.title.clone(),
            Some(Runbook::Link { url, .. }) => url,
            None => "none".into(),
        }
    }

    const FILES: &[(&str, &str)] = &[
        (
            "latency.md",
            "---\nalerts: [HighLatency]\n---\n# Latency, general\n\nSteps.",
        ),
        (
            "payments/latency.md",
            "---\nalerts: [HighLatency]\nservice: payments\n---\n# Payments latency\n",
        ),
        (
            "payments/any.md",
            "---\nservice: [payments, checkout]\ntitle: Payments, anything\n---\nbody",
        ),
        ("DiskFull.md", "# Disk full\n- [ ] find the biggest files\n"),
        ("broken.md", "---\nalerts: [unclosed\n---\nx"),
        (
            ".git/ignored.md",
            "---\nalerts: [DiskFull]\n---\n# never read",
        ),
    ];

    #[test]
    fn front_matter_matches_by_alert_name_then_labels_then_file_name() {
        let (_dir, lib) = library(FILES);
        let ann = vec!["runbook_url".to_string()];
        let r = |a: &Alert| title(lib.resolve(a, &ann));
        let payments = [("service", "payments")];
        assert_eq!(r(&alert("HighLatency", &payments)), "Payments latency");
        assert_eq!(
            r(&alert("HighLatency", &[("service", "search")])),
            "Latency, general"
        );
        assert_eq!(
            r(&alert("ErrorRateHigh", &[("service", "checkout")])),
            "Payments, anything"
        );
        assert_eq!(
            r(&alert("diskfull", &[])),
            "Disk full",
            "file name, any case"
        );
        assert_eq!(r(&alert("Nothing", &[])), "none");
        assert_eq!(lib.problems.len(), 1, "{:?}", lib.problems);
        assert!(lib.problems[0].contains("broken.md") && lib.problems[0].contains("front matter"));
        assert!(
            lib.entries
                .iter()
                .all(|e| !e.path.to_string_lossy().contains(".git"))
        );
    }

    #[test]
    fn an_annotation_wins_and_may_name_a_library_file() {
        let (_dir, lib) = library(FILES);
        let ann = vec!["runbook_url".to_string()];
        let mut a = crate::testing::labelled_alert(
            "HighLatency",
            Severity::Critical,
            Status::Firing,
            &[("alertname", "HighLatency"), ("service", "payments")],
        );
        a.annotations = crate::model::Labels::from_pairs(vec![(
            "runbook_url".into(),
            "https://rb.example/latency".into(),
        )]);
        assert_eq!(
            lib.resolve(&a, &ann),
            Some(Runbook::Link {
                from: "runbook_url".into(),
                url: "https://rb.example/latency".into()
            })
        );
        a.annotations = crate::model::Labels::from_pairs(vec![(
            "runbook_url".into(),
            "payments/any.md".into(),
        )]);
        assert_eq!(title(lib.resolve(&a, &ann)), "Payments, anything");
    }

    #[test]
    fn hostile_and_oversized_files_are_cleaned_or_refused() {
        let big = "x".repeat(FILE_CAP as usize + 1);
        let (_dir, lib) = library(&[
            (
                "evil.md",
                "# Evil\u{1b}]0;pwned\u{7} title\n\u{202e}body\u{9b}2J",
            ),
            ("big.md", &big),
        ]);
        let evil = &lib.entries[0];
        assert_eq!(evil.title, "Evil title");
        assert_eq!(evil.markdown, "# Evil title\nbody");
        assert!(
            lib.problems
                .iter()
                .any(|p| p.contains("big.md") && p.contains("KiB"))
        );
    }
}
