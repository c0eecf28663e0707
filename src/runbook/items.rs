//! What a responder can act on inside a runbook: its checklist steps (`- [ ]`, ticked per
//! incident), its code blocks and its links (copied, or opened). Read from the Markdown
//! with the same parser the renderer uses, so what is counted is what is drawn.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// Longest step name kept (a step is known by its text).
const STEP_CAP: usize = 200;

/// One thing in a runbook that can be focused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Item {
    /// A checklist step.
    Step {
        /// Its name: the step's text, with ` (2)` after a repeated one.
        name: String,
        /// Where its `[ ]` is in the Markdown.
        marker: Range<usize>,
    },
    /// A code block.
    Code {
        /// Its text.
        text: String,
    },
    /// A link.
    Link {
        /// Its destination, as written.
        url: String,
    },
}

impl Item {
    /// A short text that appears on the item's first rendered line, to find it there.
    pub fn anchor(&self) -> &str {
        let text = match self {
            Item::Step { name, .. } => name.rsplit_once(" (").map_or(name.as_str(), |(n, _)| n),
            Item::Code { text } => text.lines().find(|l| !l.trim().is_empty()).unwrap_or(""),
            Item::Link { url } => url,
        };
        let text = text.trim();
        let end = text.char_indices().nth(24).map_or(text.len(), |(i, _)| i);
        &text[..end]
    }
}

/// The runbook's steps, code blocks and links, in reading order.
pub fn items(markdown: &str) -> Vec<Item> {
    let mut out = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    // The open step (its index in `out`) and the open code block, gathering their text.
    let mut step: Option<(usize, String)> = None;
    let mut code: Option<String> = None;
    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        match event {
            Event::TaskListMarker(_) => {
                step = Some((out.len(), String::new()));
                out.push(Item::Step {
                    name: String::new(),
                    marker: range,
                });
            }
            Event::Start(Tag::CodeBlock(_)) => code = Some(String::new()),
            Event::End(TagEnd::CodeBlock) => {
                if let Some(text) = code.take() {
                    out.push(Item::Code { text });
                }
            }
            Event::Start(Tag::Link { dest_url, .. }) => out.push(Item::Link {
                url: dest_url.to_string(),
            }),
            Event::Text(t) | Event::Code(t) => {
                if let Some(text) = code.as_mut() {
                    text.push_str(&t);
                } else if let Some((_, text)) = step.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some((_, text)) = step.as_mut() {
                    text.push(' ');
                }
            }
            // A step ends with its paragraph (a loose item) or its item (a tight one).
            Event::End(TagEnd::Paragraph | TagEnd::Item) => {
                if let Some((at, text)) = step.take() {
                    let text: String = text.trim().chars().take(STEP_CAP).collect();
                    let n = seen.entry(text.clone()).or_default();
                    *n += 1;
                    if let Some(Item::Step { name, .. }) = out.get_mut(at) {
                        *name = if *n == 1 {
                            text
                        } else {
                            format!("{text} ({n})")
                        };
                    }
                }
            }
            _ => {}
        }
    }
    out
}

/// The checklist steps' names, in order.
pub fn steps(items: &[Item]) -> impl Iterator<Item = &str> {
    items.iter().filter_map(|i| match i {
        Item::Step { name, .. } => Some(name.as_str()),
        _ => None,
    })
}

/// The Markdown with every step's box shown as `is_done` says (`[x]` or `[ ]`), whatever
/// the file wrote.
pub fn with_ticks(markdown: &str, items: &[Item], is_done: impl Fn(&str) -> bool) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut at = 0;
    for item in items {
        let Item::Step { name, marker } = item else {
            continue;
        };
        let (Some(before), true) = (markdown.get(at..marker.start), marker.start >= at) else {
            continue;
        };
        out.push_str(before);
        out.push_str(if is_done(name) { "[x]" } else { "[ ]" });
        at = marker.end;
    }
    out.push_str(markdown.get(at..).unwrap_or(""));
    out
}

/// The parser options tui-markdown uses for task lists and tables.
fn options() -> Options {
    Options::ENABLE_TASKLISTS
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_YAML_STYLE_METADATA_BLOCKS
        | Options::ENABLE_GFM
}

#[cfg(test)]
mod tests {
    use super::*;

    const RUNBOOK: &str = "# Disk full\n\n\
        - [ ] Check the [dashboard](https://grafana.example/d/disk)\n\
        - [x] Page the storage team\n\
        - [ ] Free space:\n\n\
        ```sh\ndu -sh /var/log/* | sort -h\n```\n\n\
        - [ ] Check the dashboard\n\
        - [ ] Check the dashboard\n\n\
        See [the wiki](../wiki/disk.md).\n";

    #[test]
    fn steps_code_and_links_are_found_in_reading_order() {
        let items = items(RUNBOOK);
        let kinds: Vec<String> = items
            .iter()
            .map(|i| match i {
                Item::Step { name, .. } => format!("step {name}"),
                Item::Code { text } => format!("code {}", text.trim()),
                Item::Link { url } => format!("link {url}"),
            })
            .collect();
        assert_eq!(
            kinds,
            [
                "step Check the dashboard",
                "link https://grafana.example/d/disk",
                "step Page the storage team",
                "step Free space:",
                "code du -sh /var/log/* | sort -h",
                "step Check the dashboard (2)",
                "step Check the dashboard (3)",
                "link ../wiki/disk.md",
            ]
        );
        assert_eq!(steps(&items).count(), 5);
    }

    #[test]
    fn ticks_are_drawn_from_the_journal_not_the_file() {
        let items = items(RUNBOOK);
        let ticked = with_ticks(RUNBOOK, &items, |n| n == "Free space:");
        assert!(ticked.contains("- [ ] Page the storage team"), "{ticked}");
        assert!(ticked.contains("- [x] Free space:"), "{ticked}");
        assert_eq!(ticked.matches("[x]").count(), 1);
        assert_eq!(ticked.len(), RUNBOOK.len());
    }

    #[test]
    fn anchors_are_short_and_on_the_first_line() {
        let code = Item::Code {
            text: "\n  kubectl -n payments rollout restart deploy/api\nmore".into(),
        };
        assert_eq!(code.anchor(), "kubectl -n payments roll");
        let step = Item::Step {
            name: "Drain (2)".into(),
            marker: 0..3,
        };
        assert_eq!(step.anchor(), "Drain");
    }

    #[test]
    fn hostile_markdown_gives_items_without_panicking() {
        for text in [
            "- [ ]",
            "- [x]\n- [ ]\n```",
            "[a](",
            "```\n",
            "- [ ] ü\u{301}",
        ] {
            let found = items(text);
            let _ = with_ticks(text, &found, |_| true);
        }
    }
}
