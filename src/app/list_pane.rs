//! `ListPane`: a list view's rows, the selected row and the first row drawn — one type for
//! the alert list, the silences view and the tickets view, so that moving, clamping and
//! scrolling are written once and `App` holds one value per list instead of parallel fields.

/// A list's rows with its cursor and its first row drawn.
#[derive(Clone, Debug)]
pub struct ListPane<R> {
    /// The rows, in order.
    pub rows: Vec<R>,
    /// The selected row.
    pub cursor: usize,
    /// The first row drawn.
    pub offset: usize,
}

impl<R> Default for ListPane<R> {
    fn default() -> Self {
        ListPane {
            rows: Vec::new(),
            cursor: 0,
            offset: 0,
        }
    }
}

impl<R> ListPane<R> {
    /// The selected row.
    pub fn selected(&self) -> Option<&R> {
        self.rows.get(self.cursor)
    }

    /// Moves the cursor by `by` rows (negative is up), staying on the list.
    pub fn move_by(&mut self, by: isize) {
        let last = self.rows.len().saturating_sub(1) as isize;
        self.cursor = (self.cursor as isize).saturating_add(by).clamp(0, last) as usize;
    }

    /// New rows; the cursor stays where it was, or on the last row if the list got shorter.
    pub fn set_rows(&mut self, rows: Vec<R>) {
        self.rows = rows;
        self.cursor = self.cursor.min(self.rows.len().saturating_sub(1));
    }

    /// Puts the cursor on the first row `is_it` accepts; whether there was one.
    pub fn select(&mut self, is_it: impl Fn(&R) -> bool) -> bool {
        match self.rows.iter().position(is_it) {
            Some(row) => {
                self.cursor = row;
                true
            }
            None => false,
        }
    }

    /// Scrolls so that rows `top..=cursor` show in `height` rows (`top` is the cursor's row,
    /// or a header just above it), never past the end.
    pub fn scroll_to_cursor(&mut self, top: usize, height: usize) {
        let height = height.max(1);
        if top < self.offset {
            self.offset = top;
        }
        if self.cursor >= self.offset + height {
            self.offset = self.cursor + 1 - height;
        }
        self.offset = self.offset.min(self.rows.len().saturating_sub(height));
    }

    /// The first row to draw in `height` rows so that the cursor shows, for views drawn from
    /// the top that scroll only as far as the cursor goes.
    pub fn first_drawn(&self, height: usize) -> usize {
        self.cursor.saturating_sub(height.saturating_sub(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pane(n: usize) -> ListPane<usize> {
        ListPane {
            rows: (0..n).collect(),
            ..ListPane::default()
        }
    }

    #[test]
    fn the_cursor_stays_on_the_list() {
        let mut p = pane(3);
        p.move_by(-1);
        assert_eq!(p.cursor, 0);
        p.move_by(10);
        assert_eq!(p.cursor, 2);
        p.set_rows(vec![7]);
        assert_eq!((p.cursor, p.selected()), (0, Some(&7)));
        p.set_rows(Vec::new());
        assert_eq!((p.cursor, p.selected()), (0, None));
        p.move_by(1);
        assert_eq!(p.cursor, 0);
    }

    #[test]
    fn scrolling_keeps_the_cursor_and_its_header_in_view() {
        let mut p = pane(100);
        p.cursor = 50;
        p.scroll_to_cursor(49, 10);
        assert_eq!(p.offset, 41);
        p.cursor = 45;
        p.scroll_to_cursor(44, 10);
        assert_eq!(p.offset, 41, "still in view: no scroll");
        p.cursor = 40;
        p.scroll_to_cursor(39, 10);
        assert_eq!(p.offset, 39, "the header above shows too");
        p.cursor = 99;
        p.scroll_to_cursor(99, 200);
        assert_eq!(p.offset, 0, "never past the end");
        assert_eq!(pane(5).first_drawn(3), 0);
        let mut q = pane(5);
        q.cursor = 4;
        assert_eq!(q.first_drawn(3), 2);
        assert!(q.select(|r| *r == 1));
        assert_eq!(q.cursor, 1);
        assert!(!q.select(|r| *r == 9));
    }
}
