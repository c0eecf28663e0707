//! The note editor box: what the note is on, the text area, and how to save or leave.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::cut;
use super::text::one_line;
use crate::app::App;
use crate::app::note_editor::NoteEditor;
use crate::theme::Role;

/// Draws the editor centred in `area`.
pub fn render(app: &App, editor: &NoteEditor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let box_area = if editor.is_postmortem {
        // The whole screen: a post-mortem is long.
        area
    } else {
        super::centered(area, 96, area.height.saturating_sub(2).min(18))
    };
    frame.render_widget(Clear, box_area);
    let on = one_line(&editor.subject, 200);
    let title = match editor.corrects {
        _ if editor.is_postmortem => format!(" POST-MORTEM · {on} · kept as you type "),
        Some(id) => format!(" CORRECTION OF #{id} · {on} "),
        None => format!(" NOTE · {on} "),
    };
    let width = box_area.width.saturating_sub(4) as usize;
    let block = super::pane(
        t,
        Line::styled(cut(&title, width), t.style(Role::TextStrong)),
        true,
    );
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    if inner.height < 2 {
        return;
    }
    let text_area = Rect {
        height: inner.height - 1,
        ..inner
    };
    {
        let mut area = editor.area();
        area.set_style(t.style(Role::Text));
        area.set_cursor_line_style(t.style(Role::Text));
        area.set_cursor_style(t.style(Role::Selection));
        area.set_placeholder_text("what you saw, did or decided (several lines welcome)");
        area.set_placeholder_style(t.style(Role::TextMuted));
        frame.render_widget(&*area, text_area);
    }
    let foot = Rect {
        y: inner.y + inner.height - 1,
        height: 1,
        ..inner
    };
    let line = match &editor.error {
        Some(e) => Line::styled(cut(e, inner.width as usize), t.style(Role::Error)),
        None if editor.is_postmortem => Line::from(vec![
            Span::styled("esc", t.style(Role::KeyHint)),
            Span::styled(
                " done (every change is kept in the journal)  ",
                t.style(Role::TextMuted),
            ),
            Span::styled("enter", t.style(Role::KeyHint)),
            Span::styled(" new line", t.style(Role::TextMuted)),
        ]),
        None => Line::from(vec![
            Span::styled("ctrl+s", t.style(Role::KeyHint)),
            Span::styled(" save  ", t.style(Role::TextMuted)),
            Span::styled("esc", t.style(Role::KeyHint)),
            Span::styled(" close, draft kept  ", t.style(Role::TextMuted)),
            Span::styled("enter", t.style(Role::KeyHint)),
            Span::styled(" new line", t.style(Role::TextMuted)),
        ]),
    };
    frame.render_widget(Paragraph::new(line), foot);
}
