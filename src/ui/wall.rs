//! The war-room wall: a header, big counters of firing alerts by severity, and panels side
//! by side as the width allows (open incidents with their clocks, the most severe firing
//! alerts, the latest timeline entries, who is on call and the sources' health), the rest
//! rotating in. Drawn from 80x24 to 300x80; nothing on it can be acted on.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Borders, Paragraph};

use super::header::severity_role;
use super::text;
use super::text::one_line;
use crate::app::wall::{PANELS, pages, panels_per_page};
use crate::app::{App, SourceHealth};
use crate::duration_fmt;
use crate::model::Severity;
use crate::model::incident::IncidentStatus;
use crate::theme::Role;

/// Draws the wall over the whole frame.
pub fn render(app: &App, frame: &mut Frame) {
    let area = frame.area();
    let scale = if area.height >= 50 && area.width >= 160 {
        2
    } else {
        1
    };
    let counters_height = 5 * scale + 2;
    let [top, counters, body] = Layout::vertical([
        Constraint::Length(1),
        Constraint::Length(counters_height),
        Constraint::Min(0),
    ])
    .areas(area);
    header(app, frame, top);
    severity_counters(app, frame, counters, scale);
    let per_page = panels_per_page(area.width);
    let page = app.wall.as_ref().map_or(0, |w| w.page) % pages(area.width);
    let shown: Vec<usize> = (page * per_page..(page * per_page + per_page).min(PANELS)).collect();
    let columns = Layout::horizontal(vec![Constraint::Fill(1); shown.len()]).split(body);
    for (panel, column) in shown.iter().zip(columns.iter()) {
        match panel {
            0 => incidents(app, frame, *column),
            1 => firing(app, frame, *column),
            2 => timeline(app, frame, *column),
            _ => on_call_and_sources(app, frame, *column),
        }
    }
    // Why a key did nothing, over the bottom border.
    if let Some(toast) = &app.toast {
        let role = if toast.is_error {
            Role::Error
        } else {
            Role::Info
        };
        let line = Rect {
            y: area.bottom().saturating_sub(1),
            height: 1,
            ..area
        };
        let said = text::cut(&format!(" {} ", toast.text), line.width as usize);
        frame.render_widget(
            Paragraph::new(Line::styled(said, app.theme.style(role))),
            line,
        );
    }
}

fn header(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let base = t.style(Role::Header);
    let mut spans = vec![Span::styled(" onduty wall ", base)];
    if app.is_demo() {
        spans.push(Span::styled(" DEMO ", t.style(Role::DemoBadge)));
    }
    let (failing, stale) =
        app.sources
            .iter()
            .fold((0, 0), |(f, s), src| match src.health(app.now) {
                SourceHealth::Failing(_) => (f + 1, s),
                SourceHealth::Stale(_) => (f, s + 1),
                _ => (f, s),
            });
    let health = match (failing, stale) {
        (0, 0) => Span::styled(
            match app.sources.len() {
                1 => " 1 source ok ".to_string(),
                n => format!(" {n} sources ok "),
            },
            base.patch(t.style(Role::SourceOk)),
        ),
        (0, s) => Span::styled(
            format!(" {s} stale "),
            base.patch(t.style(Role::SourceStale)),
        ),
        (f, _) => Span::styled(
            format!(" {f} failing "),
            base.patch(t.style(Role::SourceFailing)),
        ),
    };
    spans.push(health);
    let turn = match &app.wall {
        Some(w) if pages(area.width) > 1 && w.is_paused => {
            format!(
                " page {}/{} · paused (space) ",
                w.page + 1,
                pages(area.width)
            )
        }
        Some(w) if pages(area.width) > 1 => format!(
            " page {}/{} · next in {}s ",
            w.page + 1,
            pages(area.width),
            (w.turns_at - app.now).num_seconds().max(0)
        ),
        _ => String::new(),
    };
    let clock = format!(" {} ", text::clock(app.now, app.clock, true));
    let used: usize = spans.iter().map(|s| text::display_width(&s.content)).sum();
    let gap = (area.width as usize)
        .saturating_sub(used + text::display_width(&turn) + text::display_width(&clock));
    spans.push(Span::styled(" ".repeat(gap), base));
    spans.push(Span::styled(turn, base.patch(t.style(Role::TextMuted))));
    spans.push(Span::styled(clock, base));
    frame.render_widget(Paragraph::new(Line::from(spans)).style(base), area);
}

/// The 3x5 glyphs of the digits, one string per row.
const DIGITS: [[&str; 5]; 10] = [
    ["███", "█ █", "█ █", "█ █", "███"],
    ["██ ", " █ ", " █ ", " █ ", "███"],
    ["███", "  █", "███", "█  ", "███"],
    ["███", "  █", "███", "  █", "███"],
    ["█ █", "█ █", "███", "  █", "  █"],
    ["███", "█  ", "███", "  █", "███"],
    ["███", "█  ", "███", "█ █", "███"],
    ["███", "  █", "  █", "  █", "  █"],
    ["███", "█ █", "███", "█ █", "███"],
    ["███", "█ █", "███", "  █", "███"],
];

/// `n` in large digits, `scale` cells per glyph pixel; `None` if it is wider than `width`.
fn big_number(n: usize, scale: u16, width: usize) -> Option<Vec<String>> {
    let digits: Vec<usize> = n
        .to_string()
        .bytes()
        .map(|b| usize::from(b - b'0'))
        .collect();
    let scale = scale as usize;
    let wide = digits.len() * (3 * scale + 1) - 1;
    if wide > width {
        return None;
    }
    let mut rows = Vec::with_capacity(5 * scale);
    for glyph_row in 0..5 {
        let row: Vec<String> = digits
            .iter()
            .map(|d| {
                let glyph: &[&str; 5] = &DIGITS[*d];
                glyph[glyph_row]
                    .chars()
                    .map(|c| c.to_string().repeat(scale))
                    .collect::<String>()
            })
            .collect();
        let row = row.join(" ");
        for _ in 0..scale {
            rows.push(row.clone());
        }
    }
    Some(rows)
}

fn severity_counters(app: &App, frame: &mut Frame, area: Rect, scale: u16) {
    let t = &app.theme;
    let shown = [
        Severity::Critical,
        Severity::Error,
        Severity::Warning,
        Severity::Info,
    ];
    let firing = app.firing_counts();
    let open = app.open_counts();
    let boxes = Layout::horizontal(vec![Constraint::Fill(1); shown.len()]).split(area);
    for (sev, cell) in shown.iter().zip(boxes.iter()) {
        let i = Severity::ALL.iter().position(|s| s == sev).unwrap_or(4);
        let role = severity_role(*sev);
        let (n, quiet) = (firing[i], open[i] - firing[i]);
        let style = if n > 0 {
            t.style(role)
        } else {
            t.style(Role::TextMuted)
        };
        let name = sev.name().to_uppercase();
        let long = format!(" {name} · +{quiet} acked/silenced ");
        let label = match quiet {
            0 => format!(" {name} "),
            _ if text::display_width(&long) + 2 <= cell.width as usize => long,
            _ => format!(" {name} +{quiet} "),
        };
        let block = Block::default()
            .borders(Borders::ALL)
            .border_type(BorderType::Thick)
            .border_style(style)
            .title(Span::styled(label, style));
        let inner = block.inner(*cell);
        frame.render_widget(block, *cell);
        let lines: Vec<Line> = match big_number(n, scale, inner.width as usize) {
            Some(rows) => rows.into_iter().map(|r| Line::styled(r, style)).collect(),
            None => vec![Line::styled(n.to_string(), style)],
        };
        frame.render_widget(Paragraph::new(lines).centered(), inner);
    }
}

fn panel<'a>(app: &App, title: &'a str) -> Block<'a> {
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(app.theme.style(Role::Border))
        .title(Span::styled(
            format!(" {title} "),
            app.theme.style(Role::GroupHeader),
        ))
}

fn render_lines(frame: &mut Frame, area: Rect, block: Block<'_>, lines: Vec<Line<'_>>) {
    let inner = block.inner(area).inner(ratatui::layout::Margin {
        horizontal: 1,
        vertical: 0,
    });
    frame.render_widget(block, area);
    let lines: Vec<Line> = lines.into_iter().take(inner.height as usize).collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn incidents(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4) as usize;
    let mut open: Vec<_> = app
        .incidents
        .iter()
        .filter(|i| i.status != IncidentStatus::Resolved)
        .collect();
    open.sort_by_key(|i| (i.severity, i.opened_at));
    let mut lines = Vec::new();
    if open.is_empty() {
        lines.push(Line::styled("No open incident", t.style(Role::SourceOk)));
    }
    for i in open {
        let role = super::incidents::sev_role(i.severity);
        let ic = i.commander.as_deref().map_or_else(
            || "no IC".to_string(),
            |c| format!("IC {}", one_line(c, 40)),
        );
        let head = format!(
            "SEV{} · {} · {ic}",
            i.severity,
            duration_fmt::countdown(app.now - i.opened_at)
        );
        lines.push(Line::styled(
            text::cut(&head, width),
            t.style(role).patch(t.style(Role::TextStrong)),
        ));
        let alerts = match i.alerts.len() {
            1 => "1 alert".to_string(),
            n => format!("{n} alerts"),
        };
        let what = format!(
            "  {} · {} · {alerts}",
            one_line(&i.title, 200),
            i.status.name(),
        );
        lines.push(Line::styled(text::cut(&what, width), t.style(Role::Text)));
    }
    render_lines(frame, area, panel(app, "INCIDENTS"), lines);
}

fn firing(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    let alerts = app
        .alert_list
        .rows
        .iter()
        .filter_map(|r| match r {
            crate::app::rows::Row::Alert(a) => app.alert(*a),
            crate::app::rows::Row::Group { .. } => None,
        })
        .take(rows);
    for a in alerts {
        let sev = format!("{:<5}", a.severity.short());
        let rest = format!(
            "{} {} {}",
            text::fit(&duration_fmt::age(app.now - a.started_at), 4),
            text::fit(&a.service, 14),
            a.title
        );
        lines.push(Line::from(vec![
            Span::styled(sev, t.style(severity_role(a.severity))),
            Span::styled(
                text::cut(&rest, width.saturating_sub(5)),
                t.style(Role::Text),
            ),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled("Nothing firing", t.style(Role::SourceOk)));
    }
    let (shown, _) = app.shown_of_total();
    let title = format!("FIRING · {shown}");
    render_lines(frame, area, panel(app, &title), lines);
}

fn timeline(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4) as usize;
    let rows = area.height.saturating_sub(2) as usize;
    let mut lines = Vec::new();
    for l in app.latest.iter().rev().take(rows) {
        let e = &l.entry;
        let when = text::clock(e.at, app.clock, false);
        let when = when.split(' ').next().unwrap_or_default().to_string();
        // A fire's entry names its alert, which `about` already says.
        let body = match crate::sources::observe::fired_name(&e.body) {
            Some((severity, _, _)) => match crate::sources::observe::times(&e.body) {
                1 => format!("fired ({})", one_line(severity, 20)),
                n => format!("fired ×{n} ({})", one_line(severity, 20)),
            },
            None => one_line(&e.body, 300),
        };
        let role = match e.kind {
            crate::model::EntryKind::Note => Role::TextStrong,
            crate::model::EntryKind::Observed => Role::TextMuted,
            _ => Role::Text,
        };
        let said = format!(
            "{} · {}: {body}",
            one_line(&e.author, 40),
            one_line(&l.about, 80)
        );
        lines.push(Line::from(vec![
            Span::styled(format!("{when} "), t.style(Role::TextMuted)),
            Span::styled(text::cut(&said, width.saturating_sub(6)), t.style(role)),
        ]));
    }
    if lines.is_empty() {
        lines.push(Line::styled(
            "Nothing on the timeline yet",
            t.style(Role::TextMuted),
        ));
    }
    render_lines(frame, area, panel(app, "TIMELINE"), lines);
}

fn on_call_and_sources(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4) as usize;
    let mut lines = Vec::new();
    for p in app.sources.iter().flat_map(|s| s.escalation.iter()) {
        lines.push(Line::styled(
            text::cut(&p.name, width),
            t.style(Role::TextStrong),
        ));
        for (n, level) in p.levels.iter().enumerate() {
            for o in &level.on_call {
                let until = o
                    .until
                    .map(|u| format!(" until {}", text::day_time(u, app.clock)))
                    .unwrap_or_default();
                let who = format!("  L{} {}{until}", n + 1, o.who);
                let role = if o.who == app.settings.identity {
                    Role::Me
                } else {
                    Role::Text
                };
                lines.push(Line::styled(text::cut(&who, width), t.style(role)));
            }
        }
    }
    if !lines.is_empty() {
        lines.push(Line::raw(""));
    }
    for s in &app.sources {
        let (mark, role, said) = match s.health(app.now) {
            SourceHealth::Ok => ("●", Role::SourceOk, "ok".to_string()),
            SourceHealth::Connecting => ("○", Role::TextMuted, "connecting".to_string()),
            SourceHealth::Stale(age) => (
                "◐",
                Role::SourceStale,
                format!("stale {}", duration_fmt::age(age)),
            ),
            SourceHealth::Failing(why) => ("✖", Role::SourceFailing, format!("failing: {why}")),
        };
        let line = format!("{mark} {} {said}", s.info.id);
        lines.push(Line::styled(text::cut(&line, width), t.style(role)));
    }
    render_lines(frame, area, panel(app, "ON CALL · SOURCES"), lines);
}
