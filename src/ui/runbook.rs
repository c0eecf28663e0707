//! The runbook view (`b`): the selected alert's runbook, Markdown rendered in the terminal
//! (headings, lists, emphasis, code blocks, tables, links), scrolled with the detail keys.
//! A runbook that is a link is shown as one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};
use ratatui::widgets::{Paragraph, Wrap};

use crate::app::App;
use crate::runbook::Runbook;
use crate::runbook::fetch::Fetched;
use crate::theme::Role;

/// Draws the selected alert's runbook into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let muted = t.style(Role::TextMuted);
    let Some(alert) = app.selected_alert() else {
        return;
    };
    let runbook = app
        .settings
        .runbooks
        .resolve(alert, &app.settings.runbook_annotations);
    let (title, text) = match &runbook {
        Some(Runbook::Local(entry)) => (
            format!(" RUNBOOK · {} ", entry.title),
            // The file was sanitized when read: the renderer only sees inert text.
            tui_markdown::from_str(&entry.markdown),
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
                Some(Some(Ok(Fetched::Markdown(md)))) => {
                    let mut text = tui_markdown::from_str(md);
                    text.lines.insert(0, Line::default());
                    text.lines.insert(0, link.clone());
                    text
                }
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
    let block = super::pane(t, Line::styled(title, t.style(Role::TextStrong)), true);
    let p = Paragraph::new(text)
        .block(block)
        .wrap(Wrap { trim: false })
        .scroll((app.detail_scroll, 0));
    frame.render_widget(p, area);
}
