//! The silence editor: matchers, duration and comment, a live preview of the alerts the
//! silence would catch, and a warning when it is broad.

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{cut, display_width, wrap_indented};
use crate::app::App;
use crate::app::silence_editor::{Field, SilenceEditor};
use crate::app::text_input::TextInput;
use crate::theme::Role;

/// Draws the editor centred in `area`.
pub fn render(app: &App, editor: &SilenceEditor, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    // As wide as the matchers need, within the terminal (100 columns at least).
    let wanted = u16::try_from(display_width(editor.matchers.text()) + 14).unwrap_or(u16::MAX);
    let box_w = wanted.clamp(100, area.width.saturating_sub(4).max(100));
    let box_area = super::centered(area, box_w, area.height.saturating_sub(2).min(22));
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
    for (field, label, input) in fields {
        let is_current = field == editor.field;
        let role = if is_current {
            Role::KeyHint
        } else {
            Role::LabelKey
        };
        let room = width.saturating_sub(label.len());
        if is_current {
            // The line being typed scrolls to keep the cursor in view.
            let (shown, column) = window(input, room);
            place_cursor(frame, inner, lines.len() as u16, label.len() + column);
            lines.push(Line::from(vec![
                Span::styled(label, t.style(role)),
                Span::styled(shown, t.style(Role::Text)),
            ]));
        } else {
            // The others wrap (long matchers are read whole, not cut).
            for (i, piece) in wrap_indented(input.text(), room, "")
                .into_iter()
                .enumerate()
            {
                let head = if i == 0 { label } else { "         " };
                lines.push(Line::from(vec![
                    Span::styled(head, t.style(role)),
                    Span::styled(piece, t.style(Role::Text)),
                ]));
            }
        }
    }
    if editor.field == Field::Duration {
        lines.push(Line::styled(
            cut(
                "  2h, 1d — or a maintenance window: every sun 02:00-04:00 [Europe/Berlin] until 2027-03-01",
                width,
            ),
            t.style(Role::TextMuted),
        ));
    }
    lines.push(Line::default());
    match &editor.preview {
        Err(e) => lines.push(Line::styled(cut(e, width), t.style(Role::Error))),
        Ok(keys) => {
            // A window silences them only while each of its silences runs.
            let head = match editor.is_window {
                true => format!(
                    "will catch {} current alert(s), inside each window",
                    keys.len()
                ),
                false => format!("catches {} current alert(s)", keys.len()),
            };
            lines.push(Line::styled(head, t.style(Role::TextStrong)));
            if let Some(w) = editor.warning() {
                lines.push(Line::styled(
                    cut(&format!("⚠ {w}"), width),
                    t.style(Role::SourceStale),
                ));
            }
            let room = (inner.height as usize).saturating_sub(lines.len() + 2);
            for c in keys.iter().take(room) {
                lines.push(Line::from(vec![
                    Span::styled(
                        cut(&format!("  {}  {}", c.title, c.differs), width),
                        t.style(Role::Text),
                    ),
                    Span::styled(
                        cut(
                            &format!("  {}", c.key),
                            width.saturating_sub(
                                display_width(&c.title) + display_width(&c.differs) + 4,
                            ),
                        ),
                        t.style(Role::TextMuted),
                    ),
                ]));
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

fn place_cursor(frame: &mut Frame, inner: Rect, row: u16, column: usize) {
    let x = (inner.x as usize + column).min(inner.right().saturating_sub(1) as usize);
    frame.set_cursor_position(Position {
        x: x as u16,
        y: inner.y + row,
    });
}

/// The part of `input` shown in `room` columns, scrolled to keep the cursor in view, and
/// the cursor's column in it.
fn window(input: &TextInput, room: usize) -> (String, usize) {
    let text = input.text();
    let before: String = text.chars().take(input.cursor()).collect();
    let mut column = display_width(&before);
    let mut skipped = 0;
    let mut chars = text.chars();
    while column + 1 > room && room > 0 {
        let Some(c) = chars.next() else { break };
        let w = display_width(&c.to_string());
        column = column.saturating_sub(w);
        skipped += c.len_utf8();
    }
    (cut(&text[skipped..], room), column)
}
