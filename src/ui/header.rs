//! The top line: name, DEMO badge, source health, firing alerts by severity (and how many
//! are handled), pause, clock.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text;
use crate::app::{App, MyShift, SourceHealth};
use crate::duration_fmt;
use crate::model::Severity;
use crate::theme::Role;

/// Draws the header into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let base = t.style(Role::Header);
    let mut spans = vec![Span::styled(" onduty ", base)];
    if app.is_demo() {
        spans.push(Span::styled(" DEMO ", t.style(Role::DemoBadge)));
        spans.push(Span::styled(" ", base));
    }
    spans.extend(health_spans(app));
    spans.push(Span::styled(" │ ", base));
    // One rule with the wall: the counts are of alerts firing (nobody has them); acked and
    // silenced ones are counted apart, as handled.
    let (firing, open) = (app.firing_counts(), app.open_counts());
    let handled: usize = open.iter().sum::<usize>() - firing.iter().sum::<usize>();
    for (i, sev) in Severity::ALL.iter().enumerate() {
        if firing[i] > 0 {
            let role = severity_role(*sev);
            spans.push(Span::styled(
                format!("{} {} ", firing[i], sev.short().to_lowercase()),
                base.patch(t.style(role)),
            ));
        }
    }
    match (firing.iter().sum::<usize>(), handled) {
        (0, 0) => spans.push(Span::styled(
            "all clear ",
            base.patch(t.style(Role::SourceOk)),
        )),
        (0, _) => spans.push(Span::styled(
            "none firing ",
            base.patch(t.style(Role::SourceOk)),
        )),
        _ => {}
    }
    if handled > 0 {
        spans.push(Span::styled(
            format!("+{handled} handled "),
            base.patch(t.style(Role::TextMuted)),
        ));
    }
    if app.is_paused {
        spans.push(Span::styled(" PAUSED ", t.style(Role::SourceStale)));
    }
    if app.settings.is_read_only {
        spans.push(Span::styled(" read-only ", t.style(Role::TextMuted)));
    }
    if let Some(until) = app.muted_until.filter(|u| *u > app.now) {
        let left = crate::duration_fmt::remaining(until - app.now);
        spans.push(Span::styled(
            format!(" muted {left} "),
            t.style(Role::SourceStale),
        ));
    }
    let clock = format!(" {} ", text::clock(app.now, app.clock, false));
    let width = |spans: &[Span<'_>]| -> usize {
        spans.iter().map(|s| text::display_width(&s.content)).sum()
    };
    // A back end whose API is switched off soon: counted down, where it fits.
    if let Some(sunset) = sunset(app) {
        let fits = width(&spans) + text::display_width(&sunset.content) + clock.len();
        if fits <= area.width as usize {
            spans.push(sunset);
        }
    }
    // My shift only where it fits beside the clock: the clock is never pushed out.
    if let Some(shift) = my_shift(app) {
        let fits = width(&spans) + text::display_width(&shift.content) + clock.len();
        if fits <= area.width as usize {
            spans.push(shift);
        }
    }
    // Who the back ends act as, where it fits.
    if let Some(me) = acting_as(app) {
        let fits = width(&spans) + text::display_width(&me.content) + clock.len();
        if fits <= area.width as usize {
            spans.push(me);
        }
    }
    let used = width(&spans);
    let room = (area.width as usize).saturating_sub(used + clock.len());
    spans.push(Span::styled(" ".repeat(room), base));
    spans.push(Span::styled(clock, base));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// " as Ana López " when the back ends that say who their token is name one user, " as Ana
/// López +1 " when another names someone else.
fn acting_as(app: &App) -> Option<Span<'static>> {
    let mut names: Vec<&str> = app
        .sources
        .iter()
        .filter_map(|s| s.identity.as_ref().map(|i| i.name.as_str()))
        .collect();
    names.sort_unstable();
    names.dedup();
    let first = names.first()?;
    let more = match names.len() {
        1 => String::new(),
        n => format!(" +{}", n - 1),
    };
    Some(Span::styled(
        format!(" as {}{more} ", text::one_line(first, 24)),
        app.theme.style(Role::TextMuted),
    ))
}

/// " og: API off in 121d " for the first source whose back end's API is switched off on a
/// known day (`onduty check` says how to move it).
fn sunset(app: &App) -> Option<Span<'static>> {
    let today = app.now.date_naive();
    let (id, days) = app.sources.iter().find_map(|s| {
        let days = s.info.can.sunset?.days_left(today);
        Some((s.info.id.0.clone(), days))
    })?;
    let words = match days {
        d if d > 0 => format!(" {}: API off in {d}d ", text::one_line(&id, 16)),
        _ => format!(" {}: API switched off ", text::one_line(&id, 16)),
    };
    Some(Span::styled(words, app.theme.style(Role::SourceStale)))
}

/// "on call until 09:00, next: bo", or "next on call Mon 09:00".
fn my_shift(app: &App) -> Option<Span<'static>> {
    let t = &app.theme;
    let words = match app.my_shift()? {
        MyShift::OnNow { until, next } => {
            let mut w = " │ on call".to_string();
            if let Some(until) = until {
                w.push_str(&format!(" until {}", text::day_time(until, app.clock)));
            }
            if let Some(next) = next {
                w.push_str(&format!(", next: {next}"));
            }
            return Some(Span::styled(w + " ", t.style(Role::Me)));
        }
        MyShift::Next { from } => {
            format!(" │ next on call {} ", text::day_time(from, app.clock))
        }
    };
    Some(Span::styled(words, t.style(Role::TextMuted)))
}

/// Each source's health, or a summary when there are many.
fn health_spans(app: &App) -> Vec<Span<'static>> {
    let mut spans = source_spans(app);
    // The journal is part of the picture: notes and actions wait while it is down.
    if app.journal_error.is_some() {
        spans.push(Span::styled(
            " · journal DOWN",
            app.theme.style(Role::SourceFailing),
        ));
    }
    spans
}

fn source_spans(app: &App) -> Vec<Span<'static>> {
    let t = &app.theme;
    let mut spans = Vec::new();
    if app.sources.len() > 3 {
        let (mut ok, mut stale, mut failing) = (0, 0, 0);
        for s in &app.sources {
            match s.health(app.now) {
                SourceHealth::Ok | SourceHealth::Connecting => ok += 1,
                SourceHealth::Stale(_) => stale += 1,
                SourceHealth::Failing(_) => failing += 1,
            }
        }
        spans.push(Span::styled(format!("{ok} ok"), t.style(Role::SourceOk)));
        if stale > 0 {
            spans.push(Span::styled(
                format!(" · {stale} stale"),
                t.style(Role::SourceStale),
            ));
        }
        if failing > 0 {
            spans.push(Span::styled(
                format!(" · {failing} failing"),
                t.style(Role::SourceFailing),
            ));
        }
        return spans;
    }
    for (i, s) in app.sources.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", t.style(Role::Header)));
        }
        let (word, role) = match s.health(app.now) {
            SourceHealth::Connecting => ("connecting".to_string(), Role::TextMuted),
            SourceHealth::Ok => ("ok".to_string(), Role::SourceOk),
            SourceHealth::Stale(age) => (
                format!("stale {}", duration_fmt::age(age)),
                Role::SourceStale,
            ),
            SourceHealth::Failing(_) => ("FAILING".to_string(), Role::SourceFailing),
        };
        spans.push(Span::styled(format!("{} {word}", s.info.id), t.style(role)));
    }
    spans
}

/// The theme role of a severity.
pub fn severity_role(sev: Severity) -> Role {
    match sev {
        Severity::Critical => Role::SeverityCritical,
        Severity::Error => Role::SeverityError,
        Severity::Warning => Role::SeverityWarning,
        Severity::Info => Role::SeverityInfo,
        Severity::Unknown => Role::SeverityUnknown,
    }
}

#[cfg(test)]
mod tests {
    use crate::app::Action;
    use crate::testing::{demo_app, screen};

    #[test]
    fn a_sunset_back_end_is_counted_down_in_the_header_and_the_sources_view() {
        let mut app = demo_app(100, 120, 24);
        app.sources[0].info.can = crate::sources::opsgenie::CAPABILITIES;
        let today = app.now.date_naive();
        let days = app.sources[0].info.can.sunset.unwrap().days_left(today);
        let shown = screen(&app, 120, 24);
        let head = shown.lines().next().unwrap();
        assert!(
            head.contains(&format!("demo: API off in {days}d")),
            "{head}"
        );
        app.update(Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Char('3'),
        )));
        let shown = screen(&app, 120, 24);
        assert!(
            shown.contains("its API is switched off on 2027-04-05"),
            "{shown}"
        );
    }
}
