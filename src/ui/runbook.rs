//! The runbook view (`b`): the selected alert's runbook, Markdown rendered in the terminal
//! (headings, lists, emphasis, code blocks, tables, links), scrolled with the detail keys.
//! A runbook that is a link is shown as one.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Span;

use crate::app::App;
use crate::app::runbook_page::{self, Page};
use crate::theme::Role;

/// Draws the selected alert's runbook into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(Page {
        title,
        mut text,
        lines_of_items,
    }) = runbook_page::page(app)
    else {
        return;
    };
    let t = &app.theme;
    if let Some(needle) = &app.runbook_find {
        for line in text
            .lines
            .iter_mut()
            .filter(|l| runbook_page::holds(l, needle))
        {
            *line = line.clone().patch_style(t.style(Role::Selection));
        }
    }
    let focused = app
        .runbook_focus
        .and_then(|i| lines_of_items.get(i).copied().flatten());
    // Every line sits after a gutter where the focus mark goes (a mark as well as the
    // colour: focus shows on a monochrome terminal too), so marking shifts nothing.
    for (i, line) in text.lines.iter_mut().enumerate() {
        if Some(i) == focused {
            line.spans.insert(0, Span::raw("▸ "));
            *line = line.clone().patch_style(t.style(Role::Selection));
        } else {
            line.spans.insert(0, Span::raw(runbook_page::GUTTER));
        }
    }
    super::full_pane(app, frame, area, title, text);
}
