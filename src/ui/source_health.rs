//! The `:sources` view: each source's kind, health, alert count, last success and last error,
//! and the alerting rules of a Prometheus that do not evaluate.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::{self, fit};
use crate::app::{App, SourceHealth};
use crate::duration_fmt;
use crate::theme::Role;

/// Draws the source health view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![Line::styled(
        format!(
            "{}{}{}{}{}",
            fit("SOURCE", 16),
            fit("KIND", 14),
            fit("HEALTH", 14),
            fit("ALERTS", 8),
            "LAST OK"
        ),
        t.style(Role::TextMuted),
    )];
    for s in &app.sources {
        let (health, role) = match s.health(app.now) {
            SourceHealth::Connecting => ("connecting".to_string(), Role::TextMuted),
            SourceHealth::Ok if s.is_paused => ("paused".to_string(), Role::SourceStale),
            SourceHealth::Ok => ("ok".to_string(), Role::SourceOk),
            SourceHealth::Stale(age) => (
                format!("stale {}", duration_fmt::age(age)),
                Role::SourceStale,
            ),
            SourceHealth::Failing(_) => ("FAILING".to_string(), Role::SourceFailing),
        };
        let last_ok = s.last_ok.map_or("never".to_string(), |at| {
            format!(
                "{} ({} ago)",
                text::clock(at, app.clock, true),
                duration_fmt::age(app.now - at)
            )
        });
        lines.push(Line::from(vec![
            Span::styled(fit(&s.info.id.0, 16), t.style(Role::TextStrong)),
            Span::styled(fit(s.info.kind.name(), 14), t.style(Role::Text)),
            Span::styled(fit(&health, 14), t.style(role)),
            Span::styled(fit(&s.alerts.len().to_string(), 8), t.style(Role::Text)),
            Span::styled(last_ok, t.style(Role::TextMuted)),
        ]));
        if let Some((at, e)) = &s.last_error {
            lines.push(Line::styled(
                format!("  last error at {}: {e}", text::clock(*at, app.clock, true)),
                t.style(Role::SourceFailing),
            ));
        }
        if s.invalid > 0 {
            lines.push(Line::styled(
                format!(
                    "  {} item(s) of its last answer were no alerts (each lacks what an alert needs): not shown",
                    s.invalid
                ),
                t.style(Role::SourceStale),
            ));
        }
        let polled = match (&s.polled_by, s.last_ok) {
            (Some(by @ crate::sources::share::PolledBy::Other(_)), Some(at)) => format!(
                "  {}, {} ago (every {})",
                by.said(),
                duration_fmt::age(app.now - at),
                duration_fmt::short(s.info.interval)
            ),
            (Some(by), _) => format!(
                "  {} (every {})",
                by.said(),
                duration_fmt::short(s.info.interval)
            ),
            (None, _) => format!("  polled every {}", duration_fmt::short(s.info.interval)),
        };
        lines.push(Line::styled(polled, t.style(Role::TextMuted)));
        if let Some(who) = &s.identity {
            lines.push(Line::styled(
                format!("  acts as {}", who.said()),
                t.style(Role::TextMuted),
            ));
        }
        if let Some(sunset) = s.info.can.sunset {
            lines.push(Line::styled(
                format!("  {}", sunset.said(app.now.date_naive())),
                t.style(Role::SourceStale),
            ));
        }
        broken_rules(app, s, &mut lines);
    }
    super::text_pane(app, frame, area, " SOURCES ", lines);
}

/// The alerting rules of `s` that do not evaluate: each an alert nobody will get.
fn broken_rules(app: &App, s: &crate::app::SourceState, lines: &mut Vec<Line<'static>>) {
    let t = &app.theme;
    if s.rules.is_empty() {
        return;
    }
    let broken: Vec<_> = s.rules.iter().filter(|r| !r.is_healthy()).collect();
    if broken.is_empty() {
        lines.push(Line::styled(
            format!("  {} alerting rules, all healthy", s.rules.len()),
            t.style(Role::TextMuted),
        ));
        return;
    }
    lines.push(Line::styled(
        format!(
            "  {} of {} alerting rules unhealthy: their alerts will never fire",
            broken.len(),
            s.rules.len()
        ),
        t.style(Role::SourceFailing),
    ));
    for r in broken {
        let why = r.last_error.as_deref().unwrap_or("no evaluation yet");
        lines.push(Line::styled(
            format!(
                "    {} ({} · {}): {} — {why}",
                r.name, r.group, r.file, r.health
            ),
            t.style(Role::SourceFailing),
        ));
    }
}
