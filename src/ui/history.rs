//! The `:history` view: what the sources were seen to change (fired, acked, silenced,
//! resolved), newest first, since the previous run last saw them — "since you last looked" —
//! or over the last day.

use chrono::TimeDelta;
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::{self, fit};
use crate::app::App;
use crate::journal::EntryKind;
use crate::model::sanitize;
use crate::theme::Role;

/// Draws the history view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let day_ago = app.now - TimeDelta::hours(24);
    let since = app.last_looked.filter(|l| *l > day_ago).unwrap_or(day_ago);
    let mut seen: Vec<_> = app
        .timeline
        .values()
        .flatten()
        .filter(|e| e.kind == EntryKind::Observed && e.at >= since)
        .collect();
    seen.sort_by(|a, b| b.at.cmp(&a.at).then(b.id.cmp(&a.id)));
    let heading = match app.last_looked.filter(|l| *l > day_ago) {
        Some(l) => format!(
            "since you last looked ({}): {} change(s)",
            text::day_time(l, app.clock),
            seen.len()
        ),
        None => format!("the last 24 hours: {} change(s)", seen.len()),
    };
    let mut lines = vec![Line::styled(heading, t.style(Role::TextMuted))];
    let rows = usize::from(area.height.saturating_sub(3));
    for e in seen.into_iter().take(rows) {
        let role = if e.body.starts_with("fired") {
            Role::StatusFiring
        } else if e.body.starts_with("resolved") {
            Role::StatusResolved
        } else {
            Role::Text
        };
        lines.push(Line::from(vec![
            Span::styled(
                fit(&text::day_time(e.at, app.clock), 14),
                t.style(Role::TextMuted),
            ),
            Span::styled(fit(&sanitize::line(&e.body, 60), 22), t.style(role)),
            Span::styled(sanitize::line(&e.subject, 200), t.style(Role::Text)),
        ]));
    }
    super::text_pane(app, frame, area, " HISTORY ", lines);
}
