//! The `:outbox` view: actions written to the journal and not yet settled — waiting for the
//! back end's answer, or waiting to be retried, with why.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::fit;
use super::text::one_line;
use crate::app::App;
use crate::duration_fmt;
use crate::journal::task::describe;
use crate::theme::Role;

/// Draws the outbox view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        format!(
            "{}{}{}{}",
            fit("STATE", 11),
            fit("AGE", 7),
            fit("ACTION", 28),
            "ALERT"
        ),
        t.style(Role::TextMuted),
    )];
    let mut items: Vec<_> = app.pending.values().collect();
    items.sort_by(|a, b| a.since.cmp(&b.since).then_with(|| a.key.cmp(&b.key)));
    for p in &items {
        let (state, role) = match &p.retrying {
            None => ("sent", Role::StatusPending),
            Some(_) => ("retrying", Role::SourceFailing),
        };
        lines.push(Line::from(vec![
            Span::styled(fit(state, 11), t.style(role)),
            Span::styled(
                fit(&duration_fmt::age(app.now - p.since), 7),
                t.style(Role::Text),
            ),
            Span::styled(
                fit(&one_line(&describe(&p.op), 60), 28),
                t.style(Role::TextStrong),
            ),
            Span::styled(p.key.0.clone(), t.style(Role::Text)),
        ]));
        if let Some(why) = &p.retrying {
            lines.push(Line::styled(
                format!("  {}", one_line(why, 200)),
                t.style(Role::TextMuted),
            ));
        }
    }
    if items.is_empty() {
        lines.push(Line::styled(
            "nothing pending: every action was confirmed or refused (onduty outbox lists the latest)",
            t.style(Role::TextMuted),
        ));
    }
    if let Some(e) = &app.journal_error {
        lines.push(Line::styled(
            format!("journal unavailable, actions refused: {}", one_line(e, 200)),
            t.style(Role::Error),
        ));
    }
    super::text_pane(app, frame, area, " OUTBOX ", lines);
}
