//! The `:silences` view: every source's silences, active first, with creator, comment,
//! matchers, when they end and how many current alerts each one catches; those catching
//! nothing or ending within the hour are marked (`:silences stale` lists only them).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, fit};
use crate::app::App;
use crate::app::silences::{Hygiene, SilenceFilter};
use crate::duration_fmt;
use crate::model::SilenceState;
use crate::theme::Role;

/// Draws the silences view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let which = match app.silence_filter {
        SilenceFilter::All => "",
        SilenceFilter::Stale => "stale (catching nothing or ending within the hour) ",
    };
    let title = Line::styled(
        format!(" SILENCES {} {which}", app.silence_list.rows.len()),
        t.style(Role::TextStrong),
    );
    let block = super::pane(t, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    let mut lines = vec![Line::styled(
        fit(
            &format!(
                "{}{}{}{}{}MATCHERS · COMMENT",
                fit("STATE", 9),
                fit("ENDS", 9),
                fit("CATCHES", 8),
                fit("SOURCE", 12),
                fit("BY", 12)
            ),
            width,
        ),
        t.style(Role::TextMuted),
    )];
    if app.silence_list.rows.is_empty() {
        let none = match app.silence_filter {
            SilenceFilter::All => "  no silences",
            SilenceFilter::Stale => "  no stale silences (:silences lists them all)",
        };
        lines.push(Line::styled(none, t.style(Role::TextMuted)));
    }
    let height = inner.height.saturating_sub(1) as usize;
    let offset = app.silence_list.first_drawn(height);
    for (row, &(s, i, caught)) in app
        .silence_list
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
    {
        let Some(silence) = app.sources.get(s).and_then(|src| src.silences.get(i)) else {
            continue;
        };
        let is_selected = row == app.silence_list.cursor;
        let style = |r: Role| {
            if is_selected {
                t.selected(r)
            } else {
                t.style(r)
            }
        };
        let (state, role) = match silence.state {
            SilenceState::Active if silence.is_ack() => ("ack", Role::StatusAcked),
            SilenceState::Active => ("active", Role::StatusSilenced),
            SilenceState::Pending => ("pending", Role::StatusPending),
            SilenceState::Expired => ("expired", Role::TextMuted),
        };
        let ends = match silence.state {
            SilenceState::Expired => "—".to_string(),
            _ => duration_fmt::remaining(silence.ends_at - app.now),
        };
        let matchers: Vec<String> = silence.matchers.iter().map(ToString::to_string).collect();
        let hygiene = Hygiene::of(silence, caught, app.now);
        let rest = format!("{} · {}", matchers.join(" "), silence.comment);
        let used = 9 + 9 + 8 + 12 + 12;
        lines.push(Line::from(vec![
            Span::styled(fit(state, 9), style(role)),
            Span::styled(fit(&ends, 9), style(Role::Text)),
            Span::styled(
                fit(
                    &if silence.state == SilenceState::Expired {
                        "—".into()
                    } else {
                        caught.to_string()
                    },
                    8,
                ),
                style(Role::TextStrong),
            ),
            Span::styled(fit(&silence.source.0, 12), style(Role::TextMuted)),
            Span::styled(fit(&silence.created_by, 12), style(Role::Text)),
            Span::styled(hygiene.said(), style(Role::SourceStale)),
            Span::styled(
                fit(
                    &cut(&rest, width.saturating_sub(used + hygiene.said().len())),
                    width.saturating_sub(used + hygiene.said().len()),
                ),
                style(Role::Text),
            ),
        ]));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}
