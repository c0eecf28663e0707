//! Where each part of the screen goes. Pure arithmetic, shared by the view and by `update`
//! (which needs the list height to keep the selection on screen).

use ratatui::layout::Rect;

use crate::app::{App, View};

/// Below this width the detail opens full screen instead of beside the list.
pub const SIDE_DETAIL_MIN_WIDTH: u16 = 120;
/// Below this size only a "too small" notice is drawn.
pub const MIN_SIZE: (u16, u16) = (30, 6);

/// The screen's parts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Areas {
    /// The top line.
    pub header: Rect,
    /// The alert list (or the current view's body).
    pub body: Rect,
    /// The detail pane beside the list, when wide enough.
    pub detail: Option<Rect>,
    /// The line above the key bar: filter, prompt, messages.
    pub status: Rect,
    /// The bottom line: keys.
    pub keys: Rect,
}

/// Whether the terminal is too small to draw anything useful.
pub fn is_too_small(area: Rect) -> bool {
    area.width < MIN_SIZE.0 || area.height < MIN_SIZE.1
}

/// Whether the detail pane sits beside the list.
pub fn has_side_detail(app: &App) -> bool {
    app.viewport.0 >= SIDE_DETAIL_MIN_WIDTH && app.view == View::Alerts && !app.is_detail_open
}

/// Splits `area` for `app`.
pub fn areas(app: &App, area: Rect) -> Areas {
    let header = Rect {
        height: area.height.min(1),
        ..area
    };
    let keys = Rect {
        y: area.bottom().saturating_sub(1),
        height: area.height.min(1),
        ..area
    };
    let status = Rect {
        y: area.bottom().saturating_sub(2),
        height: area.height.min(1),
        ..area
    };
    let body = Rect {
        y: area.y + 1,
        height: area.height.saturating_sub(3),
        ..area
    };
    if has_side_detail(app) {
        let list_width = body.width * 3 / 5;
        let list = Rect {
            width: list_width,
            ..body
        };
        let detail = Rect {
            x: body.x + list_width,
            width: body.width - list_width,
            ..body
        };
        return Areas {
            header,
            body: list,
            detail: Some(detail),
            status,
            keys,
        };
    }
    Areas {
        header,
        body,
        detail: None,
        status,
        keys,
    }
}

/// The alert rows that fit in the list (inside its border, under its column header).
pub fn list_rows(app: &App) -> usize {
    let (w, h) = app.viewport;
    let a = areas(app, Rect::new(0, 0, w, h));
    a.body.height.saturating_sub(3) as usize
}

/// The list row under the screen cell (`col`, `row`), if any.
pub fn row_at(app: &App, col: u16, row: u16) -> Option<usize> {
    let (w, h) = app.viewport;
    let body = areas(app, Rect::new(0, 0, w, h)).body;
    let first = body.y + 2;
    let inside = col > body.x && col + 1 < body.right() && row >= first && row + 1 < body.bottom();
    inside
        .then(|| app.alert_list.offset + (row - first) as usize)
        .filter(|r| *r < app.alert_list.rows.len())
}
