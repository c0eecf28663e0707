//! The shown runbook as laid out: its title, its Markdown rendered (checklist ticked as the
//! journal says), the line of each focusable item, and the rows lines fall on as the
//! full-screen view wraps them. `update` counts rows here (`:find`, `tab`); the view draws
//! the same page, so both agree without the update drawing anything.

use ratatui::text::{Line, Span, Text};

use super::App;
use crate::runbook::Runbook;
use crate::runbook::fetch::Fetched;
use crate::runbook::items::{self, Item};
use crate::theme::Role;

/// What every line of a runbook is drawn after: room for the focus mark.
pub const GUTTER: &str = "  ";

/// The shown runbook, laid out.
pub struct Page {
    /// The pane's title.
    pub title: String,
    /// The rendered text.
    pub text: Text<'static>,
    /// The line of each focusable item, in `tab` order (`None`: not found in the text).
    pub lines_of_items: Vec<Option<usize>>,
}

/// The rows (counted as the full-screen view wraps them) of the lines holding `needle`,
/// case-insensitively.
pub fn rows_matching(app: &App, needle: &str) -> Vec<u16> {
    let Some(Page { text, .. }) = page(app) else {
        return Vec::new();
    };
    let rows = rows_of_lines(app, &text);
    text.lines
        .iter()
        .zip(rows)
        .filter(|(line, _)| holds(line, needle))
        .map(|(_, row)| row)
        .collect()
}

/// The row (counted as the full-screen view wraps them) of each focusable item of the shown
/// runbook, in `tab` order (`None`: not found in the rendered text).
pub fn item_rows(app: &App) -> Vec<Option<u16>> {
    let Some(Page {
        text,
        lines_of_items,
        ..
    }) = page(app)
    else {
        return Vec::new();
    };
    let rows = rows_of_lines(app, &text);
    lines_of_items
        .into_iter()
        .map(|l| l.and_then(|l| rows.get(l).copied()))
        .collect()
}

/// The first row of each line, as the full-screen view wraps them.
fn rows_of_lines(app: &App, text: &Text<'_>) -> Vec<u16> {
    let width = usize::from(app.viewport.0.saturating_sub(2)).max(1);
    let mut row = 0usize;
    text.lines
        .iter()
        .map(|line| {
            let at = u16::try_from(row).unwrap_or(u16::MAX);
            row += (line.width() + GUTTER.len()).div_ceil(width);
            at
        })
        .collect()
}

/// The line each item is drawn on: found by its anchor, in order, each search starting at
/// the previous item's line (a step and its link share one).
fn lines_of(text: &Text<'_>, items: &[Item]) -> Vec<Option<usize>> {
    let mut from = 0;
    items
        .iter()
        .map(|item| {
            let anchor = item.anchor();
            let found = text
                .lines
                .iter()
                .enumerate()
                .skip(from)
                .find(|(_, l)| holds(l, anchor))
                .map(|(i, _)| i);
            if let Some(i) = found {
                from = i;
            }
            found
        })
        .collect()
}

/// Whether `line` holds `needle`, case-insensitively.
pub fn holds(line: &Line<'_>, needle: &str) -> bool {
    let needle = needle.to_lowercase();
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    text.to_lowercase().contains(&needle)
}

/// The selected alert's runbook as a title, rendered text (its checklist ticked as the
/// journal says) and the line of each focusable item.
pub fn page(app: &App) -> Option<Page> {
    let mut page = runbook_page(app)?;
    // The workaround of a problem that covers the alert leads the runbook: what fixed it
    // last time comes before the general steps.
    let alert = app.selected_alert()?;
    if let Some(p) = app.problem_of(alert).filter(|p| !p.workaround.is_empty()) {
        let t = &app.theme;
        let mut lead = vec![Line::styled(
            format!(
                "Workaround (problem #{}, {}): {}",
                p.id,
                p.status.name(),
                p.title
            ),
            t.style(Role::TextStrong),
        )];
        lead.extend(
            p.workaround
                .lines()
                .map(|l| Line::styled(format!("  {l}"), t.style(Role::Text))),
        );
        lead.push(Line::default());
        let n = lead.len();
        page.text.lines.splice(0..0, lead);
        for at in page.lines_of_items.iter_mut().flatten() {
            *at += n;
        }
    }
    Some(page)
}

fn runbook_page(app: &App) -> Option<Page> {
    let t = &app.theme;
    let muted = t.style(Role::TextMuted);
    let alert = app.selected_alert()?;
    if let Some(shown) = app.runbook_of(alert) {
        let done = app.steps_done(&app.checklist_subject(alert), &shown.id);
        let ticked = items::with_ticks(shown.markdown, &shown.items, |step| {
            done.is_some_and(|d| d.contains(step))
        });
        let mut text = owned(tui_markdown::from_str(&ticked));
        let mut title = match shown.title.as_str() {
            "" => " RUNBOOK ".to_string(),
            t => format!(" RUNBOOK · {t} "),
        };
        if let Some((done, steps)) = app.runbook_progress(alert) {
            title.push_str(&format!("· {done}/{steps} done "));
        }
        if shown.title.is_empty() {
            // A fetched link: where it came from on top.
            text.lines.insert(0, Line::default());
            text.lines
                .insert(0, Line::styled(shown.id.clone(), t.style(Role::Text)));
        }
        if let Some((url, why)) = &shown.instead_of {
            // The library's runbook stands in for a link that cannot be shown here.
            text.lines.insert(0, Line::default());
            text.lines.insert(
                0,
                Line::styled(
                    format!("{url}: {why}; the runbook from runbook_dirs follows"),
                    muted,
                ),
            );
        }
        let lines_of_items = lines_of(&text, &shown.items);
        return Some(Page {
            title,
            text,
            lines_of_items,
        });
    }
    let runbook = app
        .settings
        .runbooks
        .resolve(alert, &app.settings.runbook_annotations);
    let (title, text) = match &runbook {
        Some(Runbook::Local(entry)) => (
            format!(" RUNBOOK · {} ", entry.title),
            // The file was sanitized when read: the renderer only sees inert text.
            owned(tui_markdown::from_str(&entry.markdown)),
        ),
        Some(Runbook::Link { from, url }) => {
            let link = Line::styled(format!("{from}: {url}"), t.style(Role::Text));
            let said = |words: String| {
                Text::from(vec![
                    link.clone(),
                    Line::default(),
                    Line::styled(words, muted),
                ])
            };
            let text = match app.fetched_runbooks.get(url) {
                // Shown above, through `runbook_of`.
                Some(Some(Ok(Fetched::Markdown(_)))) => said("fetched".into()),
                Some(Some(Ok(Fetched::Html))) => said("a web page: open it in a browser".into()),
                Some(Some(Err(why))) => said(format!("could not be fetched: {why}")),
                Some(None) => said("fetching…".into()),
                None => said("a link: open it in a browser".into()),
            };
            (" RUNBOOK ".to_string(), text)
        }
        None => (
            " RUNBOOK ".to_string(),
            Text::from(vec![Line::styled(
                format!(
                    "{} has no runbook: no {} annotation, and no file in runbook_dirs \
                     matches it (front matter `alerts: [{}]`, or a file named after it)",
                    alert.key,
                    app.settings.runbook_annotations.join("/"),
                    alert.field("alertname").unwrap_or_default()
                ),
                muted,
            )]),
        ),
    };
    Some(Page {
        title,
        text,
        lines_of_items: Vec::new(),
    })
}

/// `text` with its own copy of every string, so it outlives the runbook it came from.
/// `text` with its strings owned.
pub fn owned(text: Text<'_>) -> Text<'static> {
    let lines = text
        .lines
        .into_iter()
        .map(|line| {
            let spans: Vec<Span<'static>> = line
                .spans
                .into_iter()
                .map(|s| Span::styled(s.content.into_owned(), s.style))
                .collect();
            let mut owned = Line::from(spans).style(line.style);
            owned.alignment = line.alignment;
            owned
        })
        .collect::<Vec<_>>();
    let mut out = Text::from(lines).style(text.style);
    out.alignment = text.alignment;
    out
}
