//! Drawing: `view(&App, &mut Frame)` reads the state and draws it. No I/O, no sorting, no
//! filtering here: `update` prepared the rows, the view draws only the visible ones.

mod alert_detail;
pub mod alert_list;
mod confirm;
mod header;
mod help;
mod history;
mod incidents;
mod insights;
pub use crate::app::layout;
mod note_editor;
mod oncall;
mod outbox;
mod postmortem;
mod runbook;
mod silence_editor;
mod silences;
mod source_health;
mod status_bar;
pub mod text;
pub mod tickets;
mod wall;

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::Line;
use ratatui::widgets::{Block, BorderType, Borders, Paragraph, Wrap};

use crate::app::screen::Screen;
use crate::app::{App, Overlay};
use crate::theme::{Role, Theme};

/// Draws the whole screen.
pub fn view(app: &App, frame: &mut Frame) {
    #[cfg(debug_assertions)]
    panic_if_asked();
    let area = frame.area();
    if layout::is_too_small(area) {
        let (w, h) = layout::MIN_SIZE;
        let msg = format!(
            "terminal too small: {}x{} (need {w}x{h})",
            area.width, area.height
        );
        frame.render_widget(Paragraph::new(text::cut(&msg, area.width as usize)), area);
        return;
    }
    if app.wall.is_some() {
        wall::render(app, frame);
        return;
    }
    let areas = layout::areas(app, area);
    header::render(app, frame, areas.header);
    match app.screen() {
        // The whole width: a post-mortem is read, not glanced at beside the list.
        Screen::Postmortem => {
            let area = areas.detail.map_or(areas.body, |d| areas.body.union(d));
            postmortem::render(app, frame, area)
        }
        Screen::Runbook => runbook::render(app, frame, areas.body),
        Screen::AlertDetail => alert_detail::render(app, frame, areas.body, true),
        Screen::AlertList => {
            alert_list::render(app, frame, areas.body);
            if let Some(detail) = areas.detail {
                alert_detail::render(app, frame, detail, false);
            }
        }
        Screen::OnCall => oncall::render(app, frame, areas.body),
        Screen::Sources => source_health::render(app, frame, areas.body),
        Screen::Silences => silences::render(app, frame, areas.body),
        Screen::Outbox => outbox::render(app, frame, areas.body),
        Screen::Incidents { .. } => incidents::render(app, frame, areas.body),
        Screen::History => history::render(app, frame, areas.body),
        Screen::Tickets { .. } => tickets::render(app, frame, areas.body),
        Screen::Insights { .. } => insights::render(app, frame, areas.body),
    }
    status_bar::render_status(app, frame, areas.status);
    status_bar::render_keys(app, frame, areas.keys);
    match &app.overlay {
        Overlay::Help(scroll) => help::render(app, frame, area, *scroll),
        Overlay::Confirm(c) => confirm::render(app, c, frame, area),
        Overlay::SilenceEditor(e) => silence_editor::render(app, e, frame, area),
        Overlay::NoteEditor(e) => note_editor::render(app, e, frame, area),
        _ => {}
    }
}

/// A full-screen pane titled `title` holding `text`, wrapped and scrolled with the detail
/// keys (runbooks, post-mortems).
fn full_pane(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    title: String,
    text: ratatui::text::Text<'_>,
) {
    let t = &app.theme;
    let block = pane(t, Line::styled(title, t.style(Role::TextStrong)), true);
    let p = Paragraph::new(text).block(block).wrap(Wrap { trim: false });
    scrolled(app, frame, area, p, app.detail_scroll);
}

/// Draws `p` (wrapped, bordered) in `area` scrolled by `scroll`, never past its end; how far
/// it can scroll, and its page, go to `App::scrolled` for the scrolling keys.
fn scrolled(app: &App, frame: &mut Frame, area: Rect, p: Paragraph<'_>, scroll: u16) {
    let inner_width = area.width.saturating_sub(2);
    let height = u16::try_from(p.line_count(inner_width)).unwrap_or(u16::MAX);
    let extent = crate::app::Scrolled {
        limit: height.saturating_sub(area.height),
        page: area.height.saturating_sub(2).max(1),
    };
    app.scrolled.set(extent);
    frame.render_widget(p.scroll((scroll.min(extent.limit), 0)), area);
}

/// A bordered pane with a title, styled for focus.
fn pane<'a>(theme: &Theme, title: Line<'a>, is_focused: bool) -> Block<'a> {
    let border = if is_focused {
        Role::BorderFocused
    } else {
        Role::Border
    };
    Block::default()
        .borders(Borders::ALL)
        .border_type(BorderType::Rounded)
        .border_style(theme.style(border))
        .title(title)
}

/// A focused pane titled `title` holding wrapped `lines`: the simple views.
fn text_pane(app: &App, frame: &mut Frame, area: Rect, title: &'static str, lines: Vec<Line<'_>>) {
    let t = &app.theme;
    let block = pane(t, Line::styled(title, t.style(Role::TextStrong)), true);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

/// A box of `w`×`h` centred in `area` (clipped to it).
fn centered(area: Rect, w: u16, h: u16) -> Rect {
    let w = w.min(area.width);
    let h = h.min(area.height);
    Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + (area.height - h) / 2,
        width: w,
        height: h,
    }
}

/// Debug builds only: `ONDUTY_TEST_PANIC_IN_RENDER=1` makes drawing panic, so the tests can
/// prove a panic in render leaves the terminal usable. Read once; release builds lack it.
#[cfg(debug_assertions)]
fn panic_if_asked() {
    static ASKED: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    if *ASKED.get_or_init(|| std::env::var_os("ONDUTY_TEST_PANIC_IN_RENDER").is_some()) {
        panic!("drawing failed on purpose (ONDUTY_TEST_PANIC_IN_RENDER)");
    }
}
