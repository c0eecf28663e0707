//! The `:incidents` view: each incident with its severity, status, clock, roles and alerts,
//! and the latest entries of its timeline, open incidents first, the selected one marked;
//! Enter opens one incident whole: its alerts as they are now and its full timeline.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::text;
use super::text::one_line;
use crate::app::App;
use crate::model::incident::{Incident, IncidentStatus};
use crate::model::{Alert, AlertKey};
use crate::theme::Role;

/// Timeline entries shown per incident in the list.
const LATEST: usize = 8;

/// Draws the incidents view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    match app.selected_incident() {
        Some(i) if app.is_detail_open => one(app, i, frame, area),
        _ => list(app, frame, area),
    }
}

fn list(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = Vec::new();
    let mut selected_at = 0;
    if app.incidents.is_empty() {
        lines.push(Line::styled(
            "no incidents: mark alerts with space, then I declares one (\"SEV2 Checkout is down\")",
            t.style(Role::TextMuted),
        ));
    }
    for i in &app.incidents {
        let is_selected = app
            .incident_selected
            .as_deref()
            .is_some_and(|s| i.has_subject(s));
        if is_selected {
            selected_at = lines.len();
        }
        lines.push(head(app, i, is_selected));
        summary(app, i, &mut lines);
        if let Some(o) = &i.origin {
            let skip = o.updates.len().saturating_sub(LATEST);
            for u in &o.updates[skip..] {
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "    {} {} ({}): ",
                            text::clock(u.at, app.clock, false),
                            one_line(&u.author, 40),
                            o.kind
                        ),
                        t.style(Role::LabelKey),
                    ),
                    Span::styled(one_line(&u.text, 300), t.style(Role::Text)),
                ]));
            }
        }
        if let Some(entries) = app.timeline.get(&i.subject()) {
            let skip = entries.len().saturating_sub(LATEST);
            for e in &entries[skip..] {
                let body = one_line(&e.body, 300);
                lines.push(Line::from(vec![
                    Span::styled(
                        format!(
                            "    {}#{} {} {}: ",
                            if e.starred { "★ " } else { "" },
                            e.id,
                            text::clock(e.at, app.clock, false),
                            one_line(&e.author, 40)
                        ),
                        t.style(Role::LabelKey),
                    ),
                    Span::styled(body, t.style(Role::Text)),
                ]));
            }
        }
        lines.push(Line::raw(""));
    }
    // The selected incident's head stays in the upper third of the pane.
    let inner = area.height.saturating_sub(2) as usize;
    let scroll = selected_at.saturating_sub(inner / 3);
    let title = " INCIDENTS · enter opens one · n note · :status :severity :role :attach ";
    pane(app, frame, area, title, lines, Scroll::To(scroll));
}

/// One incident whole: what it is, its alerts as they are now, its full timeline.
fn one(app: &App, i: &Incident, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut lines = vec![head(app, i, false)];
    summary(app, i, &mut lines);
    if !i.alerts.is_empty() {
        super::alert_detail::section(&mut lines, t, "alerts");
        // One pass over the alerts for all of the incident's keys, not one per key.
        let wanted: std::collections::HashSet<&AlertKey> = i.alerts.iter().collect();
        let found: std::collections::HashMap<&AlertKey, &Alert> = app
            .all_alerts()
            .map(|(_, a)| a)
            .filter(|a| wanted.contains(&a.key))
            .map(|a| (&a.key, a))
            .collect();
        // Keys in one column, as wide as the widest (within reason), titles after it.
        let keys: Vec<String> = i.alerts.iter().map(|k| one_line(&k.0, 80)).collect();
        let key_w = keys
            .iter()
            .map(|k| text::display_width(k))
            .max()
            .unwrap_or(0);
        for (key, shown_key) in i.alerts.iter().zip(&keys) {
            let (state, title) = match found.get(key) {
                Some(a) => (a.status.name(), one_line(&a.title, 120)),
                None => ("gone", String::new()),
            };
            lines.push(Line::from(vec![
                Span::styled(format!("  {:<9}", state), t.style(Role::LabelKey)),
                Span::styled(text::fit(shown_key, key_w), t.style(Role::Text)),
                Span::styled(format!("  {title}"), t.style(Role::TextMuted)),
            ]));
        }
    }
    match &i.origin {
        Some(o) => {
            super::alert_detail::timeline_beside(app, &i.subject(), &o.updates, &o.kind, &mut lines)
        }
        None => super::alert_detail::journal_timeline(app, &i.subject(), &mut lines),
    }
    let title = " INCIDENT · esc back · n note · :status :severity :role · :star :correct ID ";
    pane(app, frame, area, title, lines, Scroll::ByKeys);
}

/// How a pane is scrolled.
enum Scroll {
    /// To this line (the list, keeping the selected incident in view).
    To(usize),
    /// By the scrolling keys (`App::detail_scroll`), stopping at the end.
    ByKeys,
}

/// Title, roles and alert keys under an incident's head.
fn summary<'a>(app: &App, i: &Incident, lines: &mut Vec<Line<'a>>) {
    let t = &app.theme;
    lines.push(Line::styled(
        format!("  {}", one_line(&i.title, 200)),
        t.style(Role::TextStrong),
    ));
    let roles = match &i.origin {
        // In the back end's own words, every role it has.
        Some(o) if !o.roles.is_empty() => o
            .roles
            .iter()
            .map(|(name, who)| format!("{} {}", one_line(name, 40), one_line(who, 40)))
            .collect::<Vec<_>>()
            .join(" · "),
        _ => [
            ("IC", &i.commander),
            ("scribe", &i.scribe),
            ("comms", &i.comms),
        ]
        .iter()
        .map(|(name, who)| {
            let who = who.as_deref().map_or("—".to_string(), |w| one_line(w, 40));
            format!("{name} {who}")
        })
        .collect::<Vec<_>>()
        .join(" · "),
    };
    lines.push(Line::styled(format!("  {roles}"), t.style(Role::Text)));
    if let Some(o) = &i.origin {
        kept_facts(app, o, lines);
    }
    let subject = i.subject();
    for p in app
        .problems
        .iter()
        .filter(|p| p.incidents.contains(&subject))
    {
        let mut said = format!(
            "  problem #{} ({}): {}",
            p.id,
            p.status.name(),
            one_line(&p.title, 120)
        );
        if !p.workaround.is_empty() {
            said.push_str(&format!(" · workaround: {}", one_line(&p.workaround, 200)));
        }
        lines.push(Line::styled(said, t.style(Role::StatusPending)));
    }
    if !i.alerts.is_empty() && !app.is_detail_open {
        let keys: Vec<String> = i.alerts.iter().map(|k| one_line(&k.0, 80)).collect();
        lines.push(Line::styled(
            format!("  alerts: {}", keys.join(", ")),
            t.style(Role::TextMuted),
        ));
    }
}

/// What a back end keeps on an incident beyond onduty's own fields: its summary, chat
/// channel and page.
fn kept_facts<'a>(app: &App, o: &crate::model::incident::Origin, lines: &mut Vec<Line<'a>>) {
    let t = &app.theme;
    if !o.summary.trim().is_empty() {
        let summary = if app.is_detail_open {
            o.summary.clone()
        } else {
            one_line(&o.summary, 200)
        };
        for line in summary.lines() {
            lines.push(Line::styled(format!("  {line}"), t.style(Role::Text)));
        }
    }
    let mut where_ = Vec::new();
    if let Some(c) = &o.channel {
        where_.push(format!("slack {}", one_line(c, 80)));
    }
    if let Some(u) = &o.url {
        where_.push(one_line(u, 200));
    }
    if !where_.is_empty() {
        lines.push(Line::styled(
            format!("  {}", where_.join(" · ")),
            t.style(Role::TextMuted),
        ));
    }
}

fn pane(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    title: &str,
    lines: Vec<Line<'_>>,
    scroll: Scroll,
) {
    let t = &app.theme;
    let width = area.width.saturating_sub(4) as usize;
    let block = super::pane(
        t,
        Line::styled(text::cut(title, width), t.style(Role::TextStrong)),
        true,
    );
    let p = Paragraph::new(lines)
        .block(block)
        .wrap(Wrap { trim: false });
    match scroll {
        Scroll::To(line) => {
            frame.render_widget(p.scroll((line.min(u16::MAX as usize) as u16, 0)), area)
        }
        Scroll::ByKeys => super::scrolled(app, frame, area, p, app.detail_scroll),
    }
}

/// "▶ #3 SEV2 investigating 01:23:45".
fn head<'a>(app: &App, i: &Incident, is_selected: bool) -> Line<'a> {
    let t = &app.theme;
    let end = i.resolved_at.unwrap_or(app.now);
    let secs = (end - i.opened_at).num_seconds().max(0);
    // Past four days, days and hours: an incident kept open that long is counted so.
    let clock = if secs >= 96 * 3600 {
        format!("{}d {:02}h", secs / 86_400, secs % 86_400 / 3600)
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            secs / 3600,
            secs % 3600 / 60,
            secs % 60
        )
    };
    let sev_role = sev_role(i.severity);
    let status_role = if i.status == IncidentStatus::Resolved {
        Role::StatusResolved
    } else {
        Role::StatusFiring
    };
    let (marker, id_role) = if is_selected {
        ("▶ ", Role::Selection)
    } else {
        ("", Role::TextStrong)
    };
    let mut spans = vec![
        Span::styled(format!("{marker}{} ", i.label()), t.style(id_role)),
        Span::styled(format!("SEV{} ", i.severity), t.style(sev_role)),
    ];
    match &i.origin {
        // The back end's own words beside onduty's ("Major", "Fixing").
        Some(o) => {
            if !o.severity_name.is_empty() {
                spans.push(Span::styled(
                    format!("{} ", one_line(&o.severity_name, 30)),
                    t.style(Role::TextMuted),
                ));
            }
            let status = match o.status_name.as_str() {
                "" => i.status.name().to_string(),
                name => one_line(name, 30),
            };
            spans.push(Span::styled(format!("{status} "), t.style(status_role)));
        }
        None => spans.push(Span::styled(
            format!("{} ", i.status.name()),
            t.style(status_role),
        )),
    }
    spans.push(Span::styled(clock, t.style(Role::Text)));
    if let Some(o) = &i.origin {
        spans.push(Span::styled(
            format!(
                "  in {} ({})",
                o.kind,
                one_line(o.key.0.split_once(':').map_or("", |(s, _)| s), 40)
            ),
            t.style(Role::TextMuted),
        ));
    }
    Line::from(spans)
}

/// The role an incident of SEV `severity` (1 worst) is drawn in.
pub fn sev_role(severity: u8) -> Role {
    match severity {
        1 => Role::SeverityCritical,
        2 => Role::SeverityError,
        3 => Role::SeverityWarning,
        _ => Role::SeverityInfo,
    }
}
