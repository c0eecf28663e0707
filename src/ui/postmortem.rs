//! The post-mortem view (`p`): the draft of the incident (or alert) rendered as Markdown,
//! saying whether it is the draft kept in the journal or a new one written from it.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Text};

use super::text::one_line;
use crate::app::App;
use crate::theme::Role;

/// Draws the shown post-mortem into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let Some(view) = &app.postmortem else {
        return;
    };
    let t = &app.theme;
    let muted = t.style(Role::TextMuted);
    let state = match &view.text {
        Some(Ok(_)) if view.is_kept => "kept draft",
        Some(Ok(_)) => "new draft from the journal, kept once edited",
        _ => "",
    };
    let title = format!(" POST-MORTEM · {} · {state} ", one_line(&view.subject, 80));
    let text = match &view.text {
        None => Text::from(Line::styled("writing the draft from the journal…", muted)),
        Some(Err(why)) => Text::from(vec![
            Line::styled(format!("no post-mortem: {why}"), t.style(Role::Error)),
            Line::default(),
            Line::styled(
                "a post-mortem is written from the journal: the incident's (or alert's) \
                 timeline, notes and actions",
                muted,
            ),
        ]),
        // The draft is sanitized and scrubbed; the renderer only sees inert text.
        Some(Ok(md)) => crate::app::runbook_page::owned(tui_markdown::from_str(md)),
    };
    super::full_pane(app, frame, area, title, text);
}
