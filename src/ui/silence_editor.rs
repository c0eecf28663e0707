//! The silence editor: matchers, duration and comment, a live preview of the alerts the
//! silence would catch, and a warning when it is broad.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{cut, display_width};
use crate::app::App;
use crate::app::silence_editor::{Field, SilenceEditor};
use crate::app::text_input::TextInput;
use crate::theme::Role;

/// Draws the editor centred in `area`.
pub fn render(app: &App, editor: &SilenceEditor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let box_area = super::centered(area, 100, area.height.saturating_sub(2).min(22));
    frame.render_widget(Clear, box_area);
    let block = super::pane(
        t,
        Line::styled(" NEW SILENCE ", t.style(Role::TextStrong)),
        true,
    );
    let inner = block.inner(box_area);
    frame.render_widget(block, box_area);
    let width = inner.width as usize;
    let fields = [
        (Field::Matchers, "matchers ", &editor.matchers),
        (Field::Duration, "for      ", &editor.duration),
        (Field::Comment, "comment  ", &editor.comment),
    ];
    let mut lines = Vec::new();
    for (i, (field, label, input)) in fields.iter().enumerate() {
        let is_current = *field == editor.field;
        let role = if is_current {
            Role::KeyHint
        } else {
            Role::LabelKey
        };
        let text = cut(input.text(), width.saturating_sub(label.len()));
        lines.push(Line::from(vec![
            Span::styled(*label, t.style(role)),
            Span::styled(text, t.style(Role::Text)),
        ]));
        if is_current {
            place_cursor(frame, inner, i as u16, label.len(), input);
        }
    }
    lines.push(Line::default());
    match &editor.preview {
        Err(e) => lines.push(Line::styled(cut(e, width), t.style(Role::Error))),
        Ok(keys) => {
            let head = format!("catches {} current alert(s)", keys.len());
            lines.push(Line::styled(head, t.style(Role::TextStrong)));
            if let Some(w) = editor.warning() {
                lines.push(Line::styled(
                    cut(&format!("⚠ {w}"), width),
                    t.style(Role::SourceStale),
                ));
            }
            let room = (inner.height as usize).saturating_sub(lines.len() + 2);
            for (key, title) in keys.iter().take(room) {
                lines.push(Line::styled(
                    cut(&format!("  {key}  {title}"), width),
                    t.style(Role::Text),
                ));
            }
            if keys.len() > room {
                lines.push(Line::styled(
                    format!("  … and {} more", keys.len() - room),
                    t.style(Role::TextMuted),
                ));
            }
        }
    }
    if let Some(e) = &editor.error {
        lines.push(Line::styled(cut(e, width), t.style(Role::Error)));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn place_cursor(frame: &mut Frame, inner: Rect, row: u16, label: usize, input: &TextInput) {
    let before: String = input.text().chars().take(input.cursor()).collect();
    let x = (inner.x as usize + label + display_width(&before))
        .min(inner.right().saturating_sub(1) as usize);
    frame.set_cursor_position(Position {
        x: x as u16,
        y: inner.y + row,
    });
}
