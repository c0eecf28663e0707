//! The yes/no box for dangerous actions (resolve) and quitting with actions pending.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Clear, Paragraph, Wrap};

use crate::app::{App, Confirm};
use crate::theme::Role;

/// Draws the question centred in `area`.
pub fn render(app: &App, confirm: &Confirm, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let question = match confirm {
        Confirm::Resolve(key) => format!("Resolve {key}?"),
        Confirm::ResolveMarked(keys) => format!("Resolve {} marked alert(s)?", keys.len()),
        Confirm::Escalate(key, None) => format!("Page the next level for {key}?"),
        Confirm::Escalate(key, Some(l)) => format!("Page level {l} for {key}?"),
        Confirm::Expire(_, what) => format!("Expire {what}?"),
        Confirm::Quit => format!(
            "{} action(s) still pending. Quit anyway?",
            app.pending.len()
        ),
    };
    let lines = vec![
        Line::styled(question, t.style(Role::TextStrong)),
        Line::default(),
        Line::styled("y / enter: yes    n / esc: no", t.style(Role::KeyDesc)),
    ];
    let box_area = super::centered(area, 60, 5);
    frame.render_widget(Clear, box_area);
    let block = super::pane(
        t,
        Line::styled(" CONFIRM ", t.style(Role::StatusPending)),
        true,
    );
    frame.render_widget(
        Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
        box_area,
    );
}
