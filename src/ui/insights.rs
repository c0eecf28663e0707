//! The insights view (`9`): the report of `crate::insights` drawn with ratatui's own widgets
//! — a sparkline of fires per day, a bar chart of pages per responder, tables — each with its
//! numbers beside it (the same tables `onduty insights` prints, so a screen reader and a pipe
//! get the same facts). Three sections (tab): response, load, noise; enter on a noisy alert
//! opens its episodes from the ledger.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{
    Bar, BarChart, BarGroup, Cell, HighlightSpacing, Paragraph, Row, Sparkline, TableState, Wrap,
};

use super::text::{self, cut, display_width};
use crate::app::App;
use crate::app::insights::Section;
use crate::insights::report::Report;
use crate::insights::tables::{self, Table};
use crate::theme::Role;

/// Draws the insights view into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let v = &app.insights;
    if v.open_alert.is_some() {
        return episodes(app, frame, area);
    }
    let block = super::pane(
        t,
        Line::styled(" INSIGHTS ", t.style(Role::TextStrong)),
        true,
    );
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let report = match (&v.report, &v.failure) {
        (Some(r), _) => r,
        (None, Some(why)) => {
            return said(app, frame, inner, &format!("insights unavailable: {why}"));
        }
        (None, None) => return said(app, frame, inner, "reading the journal's history…"),
    };
    let [tabs, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(inner);
    frame.render_widget(Paragraph::new(tabs_line(app, report)), tabs);
    match v.section {
        Section::Response => response(app, frame, body, report),
        Section::Load => load(app, frame, body, report),
        Section::Noise => noise(app, frame, body, report),
    }
}

fn said(app: &App, frame: &mut Frame, area: Rect, what: &str) {
    let line = Line::styled(what.to_string(), app.theme.style(Role::TextMuted));
    frame.render_widget(Paragraph::new(line).wrap(Wrap { trim: false }), area);
}

/// "▸response  load  noise │ 30 days (p) · by service (b) · from the journal".
fn tabs_line<'a>(app: &App, r: &Report) -> Line<'a> {
    let t = &app.theme;
    let mut spans = Vec::new();
    for s in Section::ALL {
        let (mark, role) = if s == app.insights.section {
            ("▸", Role::TextStrong)
        } else {
            (" ", Role::TextMuted)
        };
        spans.push(Span::styled(format!("{mark}{} ", s.name()), t.style(role)));
    }
    spans.push(Span::styled(
        format!("│ {} days · by {} · from the journal", r.days, r.by.name()),
        t.style(Role::TextMuted),
    ));
    if app.insights.reading_since.is_some() {
        spans.push(Span::styled(
            " · reading more history…",
            t.style(Role::SeverityWarning),
        ));
    } else if let Some(why) = &app.insights.failure {
        spans.push(Span::styled(
            format!(" · not read: {}", text::one_line(why, 80)),
            t.style(Role::SeverityWarning),
        ));
    }
    Line::from(spans)
}

/// Column widths for `table` in `width`: each column as wide as its widest cell (header
/// included), the first one giving way; columns past `width` are dropped.
fn widths(table: &Table, width: usize) -> Vec<usize> {
    let mut w: Vec<usize> = table.headers.iter().map(|h| display_width(h)).collect();
    for row in &table.rows {
        for (w, c) in w.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let rest: usize = w.iter().skip(1).map(|c| c + 2).sum();
    if let Some(first) = w.first_mut() {
        *first = (*first).min(width.saturating_sub(rest).max(12)) + 2;
    }
    for c in w.iter_mut().skip(1) {
        *c += 2;
    }
    let mut used = 0;
    w.into_iter()
        .take_while(|c| {
            used += c;
            used <= width + 2
        })
        .collect()
}

/// What a section stacks, top to bottom: a table (with its selected row), or lines.
enum Piece<'a> {
    /// A table and the row selected in it.
    Table(Table, Option<usize>),
    /// Lines of text.
    Lines(Vec<Line<'a>>),
}

impl Piece<'_> {
    /// Its height: a table's title, header and rows (a "(none)" line when it has none).
    fn height(&self) -> u16 {
        let n = match self {
            Piece::Table(t, _) => 2 + t.rows.len().max(1),
            Piece::Lines(l) => l.len(),
        };
        u16::try_from(n).unwrap_or(u16::MAX)
    }
}

/// Stacks `pieces` in `area`, starting late enough that the selected table's selected row
/// is in view (the table itself scrolls to it when it is cut).
fn stack(app: &App, frame: &mut Frame, area: Rect, pieces: Vec<Piece<'_>>) {
    let focus = pieces
        .iter()
        .position(|p| matches!(p, Piece::Table(_, Some(_))))
        .unwrap_or(0);
    let mut start = 0;
    while start < focus
        && pieces[start..=focus]
            .iter()
            .map(|p| u32::from(p.height()))
            .sum::<u32>()
            > u32::from(area.height)
    {
        start += 1;
    }
    let mut y = area.y;
    for piece in pieces.into_iter().skip(start) {
        let h = piece.height().min(area.bottom().saturating_sub(y));
        if h == 0 {
            break;
        }
        let rect = Rect {
            y,
            height: h,
            ..area
        };
        match piece {
            Piece::Table(table, selected) => draw_table(app, frame, rect, &table, selected),
            Piece::Lines(lines) => frame.render_widget(Paragraph::new(lines), rect),
        }
        y += h;
    }
}

/// A table with ratatui's `Table`: its title and note above, the header muted, the selected
/// row marked (`▸` as well as the colour, for a monochrome terminal); columns as wide as
/// their widest cell, the first giving way, those past the width left out.
fn draw_table(app: &App, frame: &mut Frame, area: Rect, table: &Table, selected: Option<usize>) {
    let t = &app.theme;
    let width = usize::from(area.width);
    let mut title = table.title.clone();
    if !table.note.is_empty() {
        title.push_str(" — ");
        title.push_str(&table.note);
    }
    let [head, body] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    frame.render_widget(
        Paragraph::new(Line::styled(cut(&title, width), t.style(Role::TextStrong))),
        head,
    );
    if table.rows.is_empty() {
        let lines = vec![
            Line::styled(
                cut(&table.headers.join("  "), width),
                t.style(Role::TextMuted),
            ),
            Line::styled("  (none)", t.style(Role::TextMuted)),
        ];
        frame.render_widget(Paragraph::new(lines), body);
        return;
    }
    let w = widths(table, width.saturating_sub(2));
    let constraints: Vec<Constraint> = w
        .iter()
        .map(|c| Constraint::Length(u16::try_from(*c).unwrap_or(u16::MAX)))
        .collect();
    let cells = |row: &[String]| -> Row<'static> {
        Row::new(
            row.iter()
                .take(w.len())
                .map(|c| Cell::from(c.clone()))
                .collect::<Vec<_>>(),
        )
    };
    let header: Vec<String> = table.headers.iter().map(|h| h.to_string()).collect();
    let widget = ratatui::widgets::Table::new(
        table.rows.iter().map(|r| cells(r)).collect::<Vec<_>>(),
        constraints,
    )
    .header(cells(&header).style(t.style(Role::TextMuted)))
    .style(t.style(Role::Text))
    .column_spacing(0)
    .highlight_symbol("▸ ")
    .highlight_spacing(HighlightSpacing::Always)
    .row_highlight_style(t.style(Role::Selection));
    let mut state = TableState::default().with_selected(selected);
    frame.render_stateful_widget(widget, body, &mut state);
}

/// From this many rows the daily chart is drawn taller.
const TALL: u16 = 40;

fn response(app: &App, frame: &mut Frame, area: Rect, r: &Report) {
    let t = &app.theme;
    let width = usize::from(area.width);
    let mut summary: Vec<Line> = tables::summary(r)
        .into_iter()
        .map(|l| Line::styled(l, t.style(Role::Text)))
        .collect();
    if r.total.fired == 0 && r.total.before.fired == 0 {
        summary.insert(
            0,
            Line::styled(
                "nothing in the journal's history yet: these fill as alerts fire, are acknowledged and resolve",
                t.style(Role::TextMuted),
            ),
        );
    }
    let summary = Paragraph::new(summary).wrap(Wrap { trim: false });
    let summary_h = u16::try_from(summary.line_count(area.width)).unwrap_or(4);
    // A tall screen (a war room's) gets a chart tall enough to read the days apart.
    let chart_h = if area.height >= TALL { 8 } else { 3 };
    let [top, chart, rest] = Layout::vertical([
        Constraint::Length(summary_h),
        Constraint::Length(chart_h),
        Constraint::Min(0),
    ])
    .areas(area);
    frame.render_widget(summary, top);
    // The sparkline, one column a day, and its numbers beside it.
    let daily = &r.total.daily;
    let days_w = u16::try_from(daily.len())
        .unwrap_or(u16::MAX)
        .min(area.width / 2);
    let [spark, numbers] =
        Layout::horizontal([Constraint::Length(days_w + 1), Constraint::Min(0)]).areas(chart);
    let shown = &daily[daily.len().saturating_sub(usize::from(days_w))..];
    frame.render_widget(
        Sparkline::default()
            .data(shown)
            .style(t.style(Role::StatusFiring)),
        spark,
    );
    let max = daily.iter().copied().max().unwrap_or(0);
    let total: u64 = daily.iter().sum();
    let today = daily.last().copied().unwrap_or(0);
    let mut facts = vec![
        format!("fires per day, last {} days", r.days),
        format!(
            "total {total} · max {max} · today {today} · mean {:.1}",
            total as f64 / r.days.max(1) as f64
        ),
    ];
    if usize::from(numbers.width) > display_width(&tables::days_listed(daily)) {
        facts.push(tables::days_listed(daily));
    }
    let facts: Vec<Line> = facts
        .into_iter()
        .map(|f| {
            Line::styled(
                cut(&f, usize::from(numbers.width)),
                t.style(Role::TextMuted),
            )
        })
        .collect();
    frame.render_widget(Paragraph::new(facts), numbers);
    let mut pieces = vec![Piece::Table(
        tables::response(r),
        Some(app.insights.cursor).filter(|_| !r.rows.is_empty()),
    )];
    // The back ends' own analytics follow, marked as theirs.
    for (source, answer) in &app.insights.analytics {
        pieces.push(Piece::Lines(vec![Line::default()]));
        match answer {
            Ok(a) => {
                pieces.push(Piece::Table(tables::analytics(a), None));
                if !a.slowest.is_empty() {
                    pieces.push(Piece::Lines(vec![Line::styled(
                        cut(&tables::slowest(a), width),
                        t.style(Role::TextMuted),
                    )]));
                }
            }
            Err(why) => pieces.push(Piece::Lines(vec![Line::styled(
                cut(
                    &format!(
                        "{}'s analytics: {}",
                        text::one_line(source, 60),
                        text::one_line(why, 200)
                    ),
                    width,
                ),
                t.style(Role::SeverityWarning),
            )])),
        }
    }
    stack(app, frame, rest, pieces);
}

fn load(app: &App, frame: &mut Frame, area: Rect, r: &Report) {
    let t = &app.theme;
    let width = usize::from(area.width);
    let table = tables::load(r);
    let chart_h = if area.height >= 16 { 8 } else { 0 };
    let [chart, rest] =
        Layout::vertical([Constraint::Length(chart_h), Constraint::Min(0)]).areas(area);
    if chart_h > 0 && !r.load.is_empty() {
        // Pages per responder, business / off / sleep: one group each, as many as fit; their
        // acknowledgements when nobody is on a rotation (no pages are known then).
        let has_pages = r.load.iter().any(|l| l.pages.iter().any(|n| *n > 0));
        let (what, counts): (&str, Vec<[usize; 3]>) = if has_pages {
            ("pages", r.load.iter().map(|l| l.pages).collect())
        } else {
            ("acknowledgements", r.load.iter().map(|l| l.acks).collect())
        };
        let fits = usize::from(area.width / 12).max(1);
        let styles = [Role::StatusAcked, Role::SeverityWarning, Role::StatusFiring];
        let groups: Vec<BarGroup> = r
            .load
            .iter()
            .zip(&counts)
            .take(fits)
            .map(|(l, counts)| {
                let bars: Vec<Bar> = counts
                    .iter()
                    .zip(["b", "o", "s"])
                    .zip(styles)
                    .map(|((&n, label), role)| {
                        Bar::with_label(label, n as u64)
                            .text_value(n.to_string())
                            .style(t.style(role))
                    })
                    .collect();
                BarGroup::with_label(cut(&text::one_line(&l.who, 40), 10), bars)
            })
            .collect();
        let legend = Line::styled(
            format!(
                "{what} per responder — b business · o off hours · s sleep (numbers on the bars and below)"
            ),
            t.style(Role::TextMuted),
        );
        let [legend_area, bars_area] =
            Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(chart);
        frame.render_widget(Paragraph::new(cut_line(legend, width)), legend_area);
        let mut chart = BarChart::grouped(groups)
            .bar_width(3)
            .bar_gap(0)
            .group_gap(2)
            .label_style(t.style(Role::TextMuted))
            .value_style(t.style(Role::TextStrong));
        if let Some(&max) = counts.iter().flatten().max() {
            chart = chart.max(max.max(1) as u64);
        }
        frame.render_widget(chart, bars_area);
    }
    let mut pieces = vec![Piece::Table(
        table,
        Some(app.insights.cursor).filter(|_| !r.load.is_empty()),
    )];
    if r.load.is_empty() {
        pieces.push(Piece::Lines(vec![Line::styled(
            "nobody on a rotation (escalation.toml) and no acknowledgement in this period",
            t.style(Role::TextMuted),
        )]));
    }
    stack(app, frame, rest, pieces);
}

fn cut_line(line: Line<'_>, width: usize) -> Line<'_> {
    let style = line.style;
    let text: String = line.spans.iter().map(|s| s.content.as_ref()).collect();
    Line::styled(cut(&text, width), style)
}

fn noise(app: &App, frame: &mut Frame, area: Rect, r: &Report) {
    let mut pieces = Vec::new();
    let mut row = 0;
    for table in tables::noise(r) {
        let n = table.rows.len();
        let selected = app.insights.cursor.checked_sub(row).filter(|i| *i < n);
        pieces.push(Piece::Table(table, selected));
        pieces.push(Piece::Lines(vec![Line::default()]));
        row += n;
    }
    stack(app, frame, area, pieces);
}

/// One alert's episodes, newest first, from the ledger.
fn episodes(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let eps = app.insights.open_episodes();
    let title = eps.first().map_or(String::new(), |e| {
        if e.service.is_empty() {
            text::one_line(&e.title, 80)
        } else {
            format!(
                "{} · {}",
                text::one_line(&e.title, 80),
                text::one_line(&e.service, 40)
            )
        }
    });
    let read_from = app
        .insights
        .ledger
        .as_ref()
        .and_then(|l| l.starts())
        .map_or("the history read".to_string(), |s| {
            format!("the history read (since {})", s.format("%Y-%m-%d"))
        });
    let mut lines = vec![Line::styled(
        format!("{} time(s) in {read_from}, the newest first", eps.len()),
        t.style(Role::TextMuted),
    )];
    for e in &eps {
        let mut said = vec![format!("fired {}", text::date_time(e.fired, app.clock))];
        match (e.acked, &e.acked_by) {
            (Some(at), Some(who)) => said.push(format!(
                "acked by {} after {}",
                text::one_line(who, 40),
                tables::shown(Some(at - e.fired))
            )),
            (Some(at), None) => said.push(format!(
                "acked or silenced after {}",
                tables::shown(Some(at - e.fired))
            )),
            (None, _) => said.push("nobody acked".into()),
        }
        if let Some(r) = e.resolved {
            said.push(format!(
                "resolved after {}",
                tables::shown(Some(r - e.fired))
            ));
        }
        if e.escalations > 0 {
            said.push(format!(
                "escalated {}× ({} by hand)",
                e.escalations, e.escalated_by_hand
            ));
        }
        if e.is_reopened {
            said.push("re-opened within the hour".into());
        }
        lines.push(Line::styled(said.join(" · "), t.style(Role::Text)));
    }
    super::full_pane(
        app,
        frame,
        area,
        format!(" HISTORY {title} "),
        ratatui::text::Text::from(lines),
    );
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use crate::app::{Action, App, Command, Effect, View};
    use crate::journal::protocol::Request;
    use crate::journal::task::JournalEvent;
    use crate::model::{Entry, EntryKind};

    fn run(app: &mut App, c: Command) -> Vec<Effect> {
        app.update(Action::Run(c))
    }

    /// The demo app with a scripted month of 3,000 alerts read as its history.
    fn app_with_history(w: u16, h: u16) -> App {
        let mut app = crate::testing::demo_app(100, w, h);
        let fx = run(&mut app, Command::ShowInsights);
        assert!(
            fx.iter()
                .any(|f| matches!(f, Effect::Journal(Request::History { .. }))),
            "the first opening reads the history"
        );
        let screen = crate::testing::screen(&app, w, h);
        assert!(screen.contains("reading the journal's history"), "{screen}");
        let history = crate::testing::insight_history(app.now, 30, 3_000);
        app.update(Action::Journal(JournalEvent::History(Ok(Box::new(
            crate::insights::ledger::Ledger::of(&history),
        )))));
        app
    }

    #[test]
    fn the_response_section_at_80x24_gives_every_figure_beside_its_chart() {
        let mut app = app_with_history(80, 24);
        assert_eq!(app.view, View::Insights);
        let screen = crate::testing::screen(&app, 80, 24);
        assert!(screen.contains("▸response"), "{screen}");
        assert!(screen.contains("30 days · by service"), "{screen}");
        assert!(
            screen.contains("3000 fired (none in the 30 days before)"),
            "{screen}"
        );
        assert!(screen.contains("total 3000 · max 100"), "{screen}");
        assert!(screen.contains("svc-00"), "{screen}");
        // A new fire updates the figures: folded into the ledger, not read again.
        let fired = Entry {
            id: 1_000_000,
            subject: "am:new".into(),
            at: app.now - TimeDelta::minutes(1),
            author: "am".into(),
            kind: EntryKind::Observed,
            body: "fired (critical): Fresh · svc-00".into(),
            starred: false,
            corrects: None,
        };
        let fx = app.update(Action::Journal(JournalEvent::Entries(vec![fired])));
        assert!(
            !fx.iter()
                .any(|f| matches!(f, Effect::Journal(Request::History { .. }))),
            "no second read"
        );
        let screen = crate::testing::screen(&app, 80, 24);
        assert!(screen.contains("3001 fired"), "{screen}");
        // p p: 90 then 7 days; b: by team.
        run(&mut app, Command::InsightsPeriod);
        run(&mut app, Command::InsightsPeriod);
        run(&mut app, Command::InsightsGroup);
        let screen = crate::testing::screen(&app, 80, 24);
        assert!(screen.contains("7 days · by team"), "{screen}");
        assert!(screen.contains("team-0"), "{screen}");
    }

    #[test]
    fn a_tall_screen_gets_a_taller_daily_chart() {
        let app = app_with_history(200, 60);
        let table_row = |h: u16| {
            let screen = crate::testing::screen(&app, 200, h);
            screen
                .lines()
                .position(|l| l.contains("response by service"))
                .unwrap_or_else(|| panic!("{screen}"))
        };
        assert_eq!(table_row(60), table_row(30) + 5, "8 rows of chart, not 3");
    }

    #[test]
    fn load_and_noise_at_200x60_and_an_alerts_history() {
        let mut app = app_with_history(200, 60);
        run(&mut app, Command::NextItem);
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(screen.contains("▸load"), "{screen}");
        assert!(
            screen.contains("acknowledgements per responder"),
            "nobody is on a rotation: {screen}"
        );
        assert!(screen.contains("147/123/210"), "bo's acks, b/o/s: {screen}");
        assert!(screen.contains("ACKS b/o/s"), "{screen}");
        assert!(screen.contains("ana "), "{screen}");
        run(&mut app, Command::NextItem);
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(
            screen.contains("noisiest alerts — candidates to tune or delete"),
            "{screen}"
        );
        assert!(
            screen.contains("resolved with nobody acknowledging"),
            "{screen}"
        );
        run(&mut app, Command::OpenDetail);
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(screen.contains(" HISTORY Alert"), "{screen}");
        assert!(screen.contains("resolved after"), "{screen}");
        run(&mut app, Command::Back);
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(screen.contains("▸noise"), "back to the lists: {screen}");
    }

    #[test]
    fn a_back_ends_own_analytics_are_asked_for_and_shown_as_theirs() {
        use crate::insights::analytics::{Analytics, Figures, Slow};
        let mut app = crate::testing::demo_app(100, 200, 60);
        app.sources[0].info.can.analytics = true;
        let fx = run(&mut app, Command::ShowInsights);
        assert!(
            fx.iter().any(|f| matches!(
                f,
                Effect::SendCommand {
                    command: crate::sources::SourceCommand::Analytics { .. },
                    ..
                }
            )),
            "{fx:?}"
        );
        assert!(
            !run(&mut app, Command::ShowInsights)
                .iter()
                .any(|f| matches!(f, Effect::SendCommand { .. })),
            "once per period"
        );
        let history = crate::testing::insight_history(app.now, 30, 300);
        app.update(Action::Journal(JournalEvent::History(Ok(Box::new(
            crate::insights::ledger::Ledger::of(&history),
        )))));
        let mut total = Figures::named("");
        total.incidents = 124;
        total.to_ack = [Some(TimeDelta::seconds(63)), None, None];
        total.interruptions = [81, 20, 21];
        let a = Analytics {
            source: "pd".into(),
            since: app.now - TimeDelta::days(30),
            until: app.now,
            total,
            services: vec![Figures::named("Critical Prod Service 1")],
            slowest: vec![Slow {
                id: "PYC0H08".into(),
                service: "Engineering".into(),
                to_resolve: TimeDelta::seconds(3305),
            }],
        };
        app.update(Action::Source(crate::sources::SourceEvent::Analytics {
            source: crate::model::SourceId("pd".into()),
            result: Ok(Box::new(a)),
        }));
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(screen.contains("from pd's own analytics"), "{screen}");
        assert!(
            screen.contains("its figures, not the journal's"),
            "{screen}"
        );
        assert!(screen.contains("(all)"), "{screen}");
        assert!(screen.contains("81 / 20 / 21"), "{screen}");
        assert!(screen.contains("PYC0H08 (Engineering) 55m"), "{screen}");
    }

    #[test]
    fn in_mono_and_with_hostile_names_the_same_facts_and_no_escapes() {
        let mut app = crate::testing::demo_app(100, 80, 24);
        app.update(Action::Run(Command::Palette));
        for c in "theme mono".chars() {
            app.update(Action::Key(crossterm::event::KeyEvent::from(
                crossterm::event::KeyCode::Char(c),
            )));
        }
        app.update(Action::Key(crossterm::event::KeyEvent::from(
            crossterm::event::KeyCode::Enter,
        )));
        assert_eq!(app.theme.name, "mono");
        run(&mut app, Command::ShowInsights);
        let mut history = crate::testing::insight_history(app.now, 30, 300);
        history[0].body = "fired (critical): Evil\u{1b}]0;pwned\u{7}\u{202e}Name · svc-00".into();
        app.update(Action::Journal(JournalEvent::History(Ok(Box::new(
            crate::insights::ledger::Ledger::of(&history),
        )))));
        run(&mut app, Command::NextItem);
        run(&mut app, Command::NextItem);
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(
            !screen.contains('\u{1b}') && !screen.contains('\u{202e}'),
            "{screen}"
        );
        assert!(
            screen.contains("300 fired") || screen.contains("noisiest"),
            "{screen}"
        );
    }
}
