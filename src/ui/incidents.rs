//! The `:incidents` view: each incident with its severity, status, clock, roles and alerts,
//! and the latest entries of its timeline. Open incidents first.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text;
use crate::app::App;
use crate::journal::incidents::{Incident, IncidentStatus};
use crate::model::sanitize;
use crate::theme::Role;

/// Timeline entries shown per incident.
const LATEST: usize = 8;

/// Draws the incidents view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = Vec::new();
    if app.incidents.is_empty() {
        lines.push(Line::styled(
            "no incidents: mark alerts with space, then I declares one (\"SEV2 Checkout is down\")",
            t.style(Role::TextMuted),
        ));
    }
    for i in &app.incidents {
        lines.push(head(app, i));
        lines.push(Line::styled(
            format!("  {}", sanitize::line(&i.title, 200)),
            t.style(Role::TextStrong),
        ));
        let roles = [
            ("IC", &i.commander),
            ("scribe", &i.scribe),
            ("comms", &i.comms),
        ]
        .iter()
        .map(|(name, who)| {
            let who = who
                .as_deref()
                .map_or("—".to_string(), |w| sanitize::line(w, 40));
            format!("{name} {who}")
        })
        .collect::<Vec<_>>()
        .join(" · ");
        lines.push(Line::styled(format!("  {roles}"), t.style(Role::Text)));
        if !i.alerts.is_empty() {
            let keys: Vec<String> = i.alerts.iter().map(|k| sanitize::line(&k.0, 80)).collect();
            lines.push(Line::styled(
                format!("  alerts: {}", keys.join(", ")),
                t.style(Role::TextMuted),
            ));
        }
        if let Some(entries) = app.timeline.get(&i.subject()) {
            let skip = entries.len().saturating_sub(LATEST);
            for e in &entries[skip..] {
                let body = sanitize::line(&e.body, 300);
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "    {}#{} {} {}: ",
                            if e.starred { "★ " } else { "" },
                            e.id,
                            text::clock(e.at, app.clock, false),
                            sanitize::line(&e.author, 40)
                        ),
                        t.style(Role::LabelKey),
                    ),
                    Span::styled(body, t.style(Role::Text)),
                ]));
            }
        }
        lines.push(Line::raw(""));
    }
    super::text_pane(app, frame, area, " INCIDENTS ", lines);
}

/// "#3 SEV2 investigating 01:23:45".
fn head<'a>(app: &App, i: &Incident) -> Line<'a> {
    let t = &app.theme;
    let end = i.resolved_at.unwrap_or(app.now);
    let secs = (end - i.opened_at).num_seconds().max(0);
    let clock = format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    );
    let sev_role = match i.severity {
        1 => Role::SeverityCritical,
        2 => Role::SeverityError,
        3 => Role::SeverityWarning,
        _ => Role::SeverityInfo,
    };
    let status_role = if i.status == IncidentStatus::Resolved {
        Role::StatusResolved
    } else {
        Role::StatusFiring
    };
    Line::from(vec![
        Span::styled(format!("#{} ", i.id), t.style(Role::TextStrong)),
        Span::styled(format!("SEV{} ", i.severity), t.style(sev_role)),
        Span::styled(format!("{} ", i.status.name()), t.style(status_role)),
        Span::styled(clock, t.style(Role::Text)),
    ])
}
