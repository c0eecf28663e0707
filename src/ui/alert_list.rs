//! The alert list: one line per alert, group headers, only the rows that fit are built.
//! Columns are dropped before words as the pane narrows: source, then service.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::header::severity_role;
use super::text::{cut, fit};
use crate::app::rows::{Row, group_name, sort_name};
use crate::app::{App, Pending, SourceHealth};
use crate::config::GroupBy;
use crate::duration_fmt;
use crate::model::{Alert, Status};
use crate::theme::{Role, Theme};

/// Column widths for one pane width.
struct Columns {
    source: usize,
    service: usize,
    age: usize,
}

impl Columns {
    fn for_width(width: usize) -> Columns {
        match width {
            100.. => Columns {
                source: 12,
                service: 16,
                age: 4,
            },
            60..100 => Columns {
                source: 0,
                service: 13,
                age: 4,
            },
            _ => Columns {
                source: 0,
                service: 0,
                age: 4,
            },
        }
    }
}

const SEV: usize = 7;
const STATUS: usize = 9;

/// Draws the list into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let (shown, total) = app.shown_of_total();
    let mut title = vec![Span::styled(" ALERTS ", t.style(Role::TextStrong))];
    title.push(Span::styled(
        format!("{shown}/{total} "),
        t.style(Role::TextMuted),
    ));
    if app.totals.pending > 0 && !app.filter.asks_pending() {
        title.push(Span::styled(
            format!("+{} pending (is:pending) ", app.totals.pending),
            t.style(Role::TextMuted),
        ));
    }
    if !app.filter_text.is_empty() {
        title.push(Span::styled(
            format!("filter: {} ", cut(&app.filter_text, 40)),
            t.style(Role::FilterActive),
        ));
    }
    let order = match app.group {
        GroupBy::None => format!("by {} ", sort_name(app.sort)),
        g => format!("by {} in {} ", sort_name(app.sort), group_name(g)),
    };
    title.push(Span::styled(order, t.style(Role::TextMuted)));
    let block = super::pane(t, Line::from(title), !app.is_detail_open);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if inner.height == 0 {
        return;
    }
    let width = inner.width as usize;
    let cols = Columns::for_width(width);
    let mut lines = vec![header_line(t, &cols, width)];
    if app.alert_list.rows.is_empty() {
        lines.push(Line::styled(
            empty_text(app, total),
            t.style(Role::TextMuted),
        ));
    }
    let visible = app
        .alert_list
        .rows
        .iter()
        .enumerate()
        .skip(app.alert_list.offset)
        .take(inner.height as usize - 1);
    for (i, row) in visible {
        let is_selected = i == app.alert_list.cursor;
        let line = match row {
            Row::Group { label, count } => Line::styled(
                fit(&format!("▾ {label} ({count})"), width),
                t.style(Role::GroupHeader),
            ),
            Row::Alert(r) => match app.alert(*r) {
                Some(a) => alert_line(app, a, &cols, width, is_selected),
                None => Line::default(),
            },
        };
        lines.push(line);
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

fn empty_text(app: &App, total: usize) -> String {
    let pending = app.totals.pending;
    match (total, app.sources.iter().any(|s| s.last_ok.is_some())) {
        (0, false) => "  waiting for the first answer from the sources…".into(),
        (0, true) => "  all clear: no alerts".into(),
        // Only pending alerts, hidden by default: nothing fires yet.
        (t, _) if t == pending && app.filter_text.is_empty() => {
            format!("  all clear: nothing fires · {pending} pending (/is:pending shows them)")
        }
        _ => "  no alert matches the filter (esc clears it)".into(),
    }
}

fn header_line(t: &Theme, cols: &Columns, width: usize) -> Line<'static> {
    let mut s = fit("SEV", SEV) + &fit("STATUS", STATUS);
    if cols.source > 0 {
        s += &fit("SOURCE", cols.source);
    }
    if cols.service > 0 {
        s += &fit("SERVICE", cols.service);
    }
    let title_w = width.saturating_sub(s.chars().count() + cols.age);
    s += &fit("TITLE", title_w);
    s += &format!("{:>w$}", "AGE", w = cols.age);
    Line::styled(fit(&s, width), t.style(Role::TextMuted))
}

fn alert_line(
    app: &App,
    a: &Alert,
    cols: &Columns,
    width: usize,
    is_selected: bool,
) -> Line<'static> {
    let t = &app.theme;
    let style = |role: Role| {
        if is_selected {
            t.selected(role)
        } else {
            t.style(role)
        }
    };
    // A marked alert shows the mark where the status glyph stands (the status word stays).
    let glyph = match a.status {
        _ if app.marked.contains(&a.key) => '▣',
        Status::Firing => '●',
        Status::Acked => '◐',
        Status::Silenced => '◌',
        Status::Resolved => '✓',
        Status::Pending => '○',
    };
    let mut spans = vec![Span::styled(
        fit(&format!("{glyph} {}", a.severity.short()), SEV),
        style(severity_role(a.severity)),
    )];
    spans.push(status_span(app.pending_on(&a.key), a.status, style));
    if cols.source > 0 {
        spans.push(Span::styled(
            fit(&source_label(app, a), cols.source),
            style(Role::TextMuted),
        ));
    }
    if cols.service > 0 {
        spans.push(Span::styled(
            fit(&a.service, cols.service),
            style(Role::Text),
        ));
    }
    let used = SEV + STATUS + cols.source + cols.service + cols.age;
    let title_w = width.saturating_sub(used);
    let (title, rest) = title_parts(a, app.now);
    let mut marker_w = 0;
    for (m, role) in markers(app, a) {
        let m = cut(&m, title_w.saturating_sub(marker_w));
        marker_w += super::text::display_width(&m);
        spans.push(Span::styled(m, style(role)));
    }
    let title_text = cut(&title, title_w.saturating_sub(marker_w));
    let rest_w = title_w.saturating_sub(marker_w + super::text::display_width(&title_text));
    spans.push(Span::styled(title_text, style(Role::TextStrong)));
    spans.push(Span::styled(fit(&rest, rest_w), style(Role::TextMuted)));
    let age = duration_fmt::age(app.now - a.started_at);
    spans.push(Span::styled(
        format!("{age:>w$}", w = cols.age),
        style(Role::TextMuted),
    ));
    Line::from(spans)
}

/// What the title is led by: data from a source that is failing or stale is still shown,
/// and says so first; then the open incident the alert is in, its ticket, its flapping.
fn markers(app: &App, a: &Alert) -> Vec<(String, Role)> {
    let stale = is_stale(app, a).then(|| "stale · ".to_string());
    let incident = app
        .open_incident_of(&a.key)
        .map(|id| format!("INC#{id} · "));
    let ticket = app
        .tickets_of_alert(a)
        .first()
        .map(|t| format!("{} · ", t.id));
    let fires = app.fires_in_day(&a.key);
    let flapping = (fires >= super::alert_detail::FLAPPING).then(|| format!("↻{fires} · "));
    [
        (stale, Role::SourceStale),
        (incident, Role::SeverityError),
        (ticket, Role::Link),
        (flapping, Role::SourceStale),
    ]
    .into_iter()
    .filter_map(|(m, role)| Some((m?, role)))
    .collect()
}

/// The title as the list shows it, in plain text (markers, alertname, who acked, summary):
/// what `onduty alerts` prints.
pub fn plain_title(app: &App, a: &Alert) -> String {
    let mut out: String = markers(app, a).into_iter().map(|(m, _)| m).collect();
    let (title, rest) = title_parts(a, app.now);
    out.push_str(&title);
    out.push_str(&rest);
    out
}

/// The alert's source, and how many other instances report it (`am-a +1`).
pub fn source_label(app: &App, a: &Alert) -> String {
    match app.duplicates.get(&a.key).map_or(0, Vec::len) {
        0 => a.source.0.to_string(),
        n => format!("{} +{n}", a.source.0),
    }
}

/// Whether the alert's source is failing or its data is old.
fn is_stale(app: &App, a: &Alert) -> bool {
    let source = app.sources.iter().find(|s| s.info.id == a.source);
    source.is_some_and(|s| {
        matches!(
            s.health(app.now),
            SourceHealth::Stale(_) | SourceHealth::Failing(_)
        )
    })
}

/// The bold part (alertname) and the muted rest (who acked, the summary).
fn title_parts(a: &Alert, now: chrono::DateTime<chrono::Utc>) -> (String, String) {
    let mut rest = String::new();
    if let Some(n) = a.field(crate::model::OCCURRENCES) {
        rest.push_str(&format!(" ×{n}"));
    }
    if let Some(fires) = fires_in(a, now) {
        rest.push_str(&format!(" · {fires}"));
    }
    if let (Status::Acked, Some(who)) = (a.status, &a.acked_by) {
        let ago = a
            .acked_at
            .map(|at| format!(" {}", duration_fmt::age(now - at)))
            .unwrap_or_default();
        rest.push_str(&format!(" · acked by {who}{ago}"));
    }
    if let Some(summary) = a.annotations.get("summary") {
        rest.push_str(" · ");
        rest.push_str(summary);
    }
    (a.title.to_string(), rest)
}

/// "fires in 1m20s" for a pending alert whose source says when it fires ("fires now" once
/// that time has passed and the next poll has not yet seen it fire).
pub fn fires_in(a: &Alert, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
    if a.status != Status::Pending {
        return None;
    }
    let at = a.annotations.get(crate::model::FIRES_AT)?;
    let at = chrono::DateTime::parse_from_rfc3339(at).ok()?;
    let left = at.with_timezone(&chrono::Utc) - now;
    Some(match left.to_std() {
        Ok(d) if !d.is_zero() => format!("fires in {}", duration_fmt::short(d)),
        _ => "fires now".into(),
    })
}

fn status_span(
    pending: Option<&Pending>,
    status: Status,
    style: impl Fn(Role) -> Style,
) -> Span<'static> {
    if let Some(p) = pending {
        return Span::styled(
            fit(&format!("{}…", p.op.verb()), STATUS),
            style(Role::StatusPending),
        );
    }
    let role = match status {
        Status::Firing => Role::StatusFiring,
        Status::Acked => Role::StatusAcked,
        Status::Silenced => Role::StatusSilenced,
        Status::Resolved => Role::StatusResolved,
        Status::Pending => Role::StatusPending,
    };
    Span::styled(fit(status.short(), STATUS), style(role))
}
