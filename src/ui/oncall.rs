//! The `:oncall` view: every escalation policy, its levels, who is on call now, until when,
//! and who is next. "Me" (the configured identity) stands out.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::app::{App, MyShift};
use crate::duration_fmt;
use crate::model::Schedule;
use crate::theme::Role;

/// Draws the on-call view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let me = app.settings.identity.as_str();
    let mut lines = Vec::new();
    match app.my_shift() {
        Some(MyShift::OnNow { until, next }) => {
            let mut w = format!("you ({me}) are on call");
            if let Some(until) = until {
                let left = duration_fmt::age(until - app.now);
                w.push_str(&format!(
                    " until {} ({left})",
                    text::day_time(until, app.clock)
                ));
            }
            if let Some(next) = next {
                w.push_str(&format!(", then {next}"));
            }
            lines.push(Line::styled(w, t.style(Role::Me)));
            lines.push(Line::default());
        }
        Some(MyShift::Next { from }) => {
            lines.push(Line::styled(
                format!(
                    "you ({me}): next on call {}",
                    text::day_time(from, app.clock)
                ),
                t.style(Role::TextMuted),
            ));
            lines.push(Line::default());
        }
        None => {}
    }
    for source in &app.sources {
        for policy in source.escalation.iter() {
            lines.push(Line::from(vec![
                Span::styled(policy.name.clone(), t.style(Role::GroupHeader)),
                Span::styled(
                    format!("  {} · covers {}", source.info.id, policy.coverage()),
                    t.style(Role::TextMuted),
                ),
            ]));
            for (i, level) in policy.levels.iter().enumerate() {
                let after = if i == 0 {
                    "at once".to_string()
                } else {
                    format!("after {}", duration_fmt::age(level.after))
                };
                for on in &level.on_call {
                    let role = if on.who == me { Role::Me } else { Role::Text };
                    let mut spans = vec![
                        Span::styled(format!("  L{} ", i + 1), t.style(Role::LabelKey)),
                        Span::styled(format!("{after:<10} "), t.style(Role::TextMuted)),
                        Span::styled(on.who.clone(), t.style(role)),
                    ];
                    if let Some(until) = on.until {
                        let left = duration_fmt::age(until - app.now);
                        spans.push(Span::styled(
                            format!("  until {} ({left})", text::day_time(until, app.clock)),
                            t.style(Role::TextMuted),
                        ));
                    }
                    if let Some(next) = &on.next {
                        spans.push(Span::styled(format!("  next: {next}"), t.style(Role::Text)));
                    }
                    // Which schedule put them there, where the line has room for it.
                    if let Some(via) = on.via.as_ref().filter(|_| area.width >= 110) {
                        spans.push(Span::styled(
                            format!("  via {via}"),
                            t.style(Role::TextMuted),
                        ));
                    }
                    lines.push(Line::from(spans));
                }
            }
            lines.push(Line::default());
        }
    }
    let schedules = Schedule::gather(app.sources.iter().flat_map(|s| s.escalation.iter()));
    if !schedules.is_empty() {
        lines.push(Line::styled("SCHEDULES", t.style(Role::GroupHeader)));
        for s in &schedules {
            let on = &s.on_call;
            let role = if on.who == me { Role::Me } else { Role::Text };
            let mut spans = vec![
                Span::styled(format!("  {}  ", s.name), t.style(Role::LabelKey)),
                Span::styled(on.who.clone(), t.style(role)),
            ];
            if let Some(until) = on.until {
                spans.push(Span::styled(
                    format!("  until {}", text::day_time(until, app.clock)),
                    t.style(Role::TextMuted),
                ));
            }
            if let Some(next) = &on.next {
                spans.push(Span::styled(format!("  next: {next}"), t.style(Role::Text)));
            }
            if area.width >= 110 {
                spans.push(Span::styled(
                    format!("  · pages for {}", s.used_by.join(", ")),
                    t.style(Role::TextMuted),
                ));
            }
            lines.push(Line::from(spans));
        }
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "no source reports escalation policies yet",
            t.style(Role::TextMuted),
        ));
    }
    super::text_pane(app, frame, area, " ON CALL ", lines);
}
