//! Rows and selection: rebuilding the list, moving the cursor, keeping it on screen, mouse.

use crossterm::event::{MouseButton, MouseEvent, MouseEventKind};

use crate::app::filter;
use crate::app::filter_job::{self, FilterJob, OFF_TASK_FROM};
use crate::app::layout;
use crate::app::order_job::{OrderJob, Ordered};
use crate::app::rows::{self, AlertRef, Row};
use crate::app::{App, Effect, View};

/// An off-task order that has not come back in this long (they take tens of milliseconds)
/// is taken as lost with its thread; the next snapshot to land starts another.
const ORDER_LOST_AFTER: chrono::TimeDelta = chrono::TimeDelta::seconds(5);

impl App {
    /// After the data, sort or grouping changed: orders every alert again, recounts, then
    /// filters, keeping the selected alert (found by key: references changed) selected.
    pub fn rebuild_rows(&mut self, fx: &mut Vec<Effect>) {
        self.rebuild(None, fx);
    }

    /// `rebuild_rows` after only source `changed` brought new alerts: the other sources'
    /// alerts keep the verdicts the filter gave them, only the changed ones are matched.
    pub fn rebuild_after_refresh(&mut self, changed: usize, fx: &mut Vec<Effect>) {
        self.rebuild(Some(changed), fx);
    }

    fn rebuild(&mut self, changed: Option<usize>, fx: &mut Vec<Effect>) {
        // Ordered here and now: alerts waiting for an off-task order come in with it, and
        // that order, when it comes back, is stale.
        let waiting = self.install_incoming(fx);
        self.order_generation += 1;
        let changed = if waiting { None } else { changed };
        let (base, duplicates) = rows::order(self.all_alerts(), self.sort, self.group);
        self.apply_order(base, duplicates, changed);
    }

    /// Installs every snapshot waiting for an order; whether there was one.
    fn install_incoming(&mut self, fx: &mut Vec<Effect>) -> bool {
        let waiting: Vec<(usize, std::sync::Arc<Vec<crate::model::Alert>>)> = self
            .sources
            .iter_mut()
            .enumerate()
            .filter_map(|(i, s)| s.incoming.take().map(|a| (i, a)))
            .collect();
        let any = !waiting.is_empty();
        for (i, alerts) in waiting {
            super::source::install(self, i, alerts, fx);
        }
        any
    }

    /// Asks for every alert, waiting snapshots included, to be ordered off the UI task. One
    /// order runs at a time: while one runs, a new snapshot only makes it stale, and
    /// `ordered` starts the next, with every snapshot waiting by then, when it comes back.
    /// (Started for each, ten sources landing within a second sorted the 100k ten times
    /// over, nine of them for nothing, on the cores a key's frame needed.)
    pub(super) fn order_off_task(&mut self, fx: &mut Vec<Effect>) {
        self.order_generation += 1;
        let is_running = self
            .ordering_since
            .is_some_and(|since| self.now - since < ORDER_LOST_AFTER);
        if !is_running {
            self.start_order(fx);
        }
    }

    fn start_order(&mut self, fx: &mut Vec<Effect>) {
        self.ordering_since = Some(self.now);
        let sources = self
            .sources
            .iter()
            .map(|s| s.incoming.clone().unwrap_or_else(|| s.alerts.clone()))
            .collect();
        fx.push(Effect::OrderAlerts(OrderJob::new(
            self.order_generation,
            sources,
            self.sort,
            self.group,
        )));
    }

    /// An off-task order came back: when it is the newest, its snapshots go in with it.
    pub(super) fn ordered(&mut self, ordered: Ordered, fx: &mut Vec<Effect>) {
        self.ordering_since = None;
        if ordered.generation != self.order_generation {
            // Stale: what landed while it ran (if not since ordered here) is ordered now.
            if self.sources.iter().any(|s| s.incoming.is_some()) {
                self.start_order(fx);
            }
            return;
        }
        let mut changed = Vec::new();
        for (i, alerts) in ordered.sources.into_iter().enumerate() {
            let is_new = self.sources.get(i).is_some_and(|s| {
                s.incoming
                    .as_ref()
                    .is_some_and(|waiting| std::sync::Arc::ptr_eq(waiting, &alerts))
            });
            if is_new {
                if let Some(s) = self.sources.get_mut(i) {
                    s.incoming = None;
                }
                super::source::install(self, i, alerts, fx);
                changed.push(i);
            }
        }
        // One source changed (the usual case): the others keep their filter verdicts.
        let changed = match changed.as_slice() {
            [one] => Some(*one),
            _ => None,
        };
        self.apply_order(ordered.base, ordered.duplicates, changed);
    }

    /// Puts an order of every alert in place, then recounts, filters and regroups.
    fn apply_order(
        &mut self,
        base: Vec<AlertRef>,
        duplicates: rows::Duplicates,
        changed: Option<usize>,
    ) {
        let previous = changed
            .filter(|_| !self.filter.is_empty())
            .map(|c| (c, self.membership(c)));
        self.base = base;
        self.duplicates = duplicates;
        self.totals = self.count_alerts();
        self.filter.set_pending_present(self.totals.pending > 0);
        self.rebuild_silence_rows();
        self.rebuild_ticket_rows();
        // New data: refs changed, so any pass still running is stale.
        self.filter_generation += 1;
        self.is_filtering = false;
        self.matched = match previous {
            Some((changed, was)) => self.rematched(changed, &was),
            None => self.filtered(&self.base),
        };
        self.regroup();
        let position = self.selected.as_ref().and_then(|key| {
            self.alert_list.rows.iter().position(|r| match r {
                Row::Alert(a) => self.alert(*a).is_some_and(|x| &x.key == key),
                Row::Group { .. } => false,
            })
        });
        let position = position.or_else(|| self.keep_gone());
        self.place_cursor(position);
    }

    /// The selected alert is no longer in the list (it resolved, its source dropped it):
    /// its row stays where the cursor is, marked resolved, and stays selected, so the detail
    /// and every action keep to it until the responder moves. Not for one the filter hides.
    fn keep_gone(&mut self) -> Option<usize> {
        let key = self.selected.clone()?;
        let is_listed = |app: &App| app.all_alerts().any(|(_, a)| a.key == key);
        let already = self.gone.as_ref().is_some_and(|(a, _)| a.key == key);
        if !already {
            let copy = self.selected_copy.as_ref().filter(|a| a.key == key)?;
            if is_listed(self) {
                return None;
            }
            let mut alert = copy.clone();
            alert.status = crate::model::Status::Resolved;
            self.gone = Some((alert, self.now));
        }
        let at = self.alert_list.cursor.min(self.alert_list.rows.len());
        self.alert_list.rows.insert(at, Row::Alert(AlertRef::GONE));
        Some(at)
    }

    /// Takes the alert under the cursor as the selection; a kept resolved row the cursor
    /// left goes (the responder moved).
    fn remember_selection(&mut self) {
        let ghost = Row::Alert(AlertRef::GONE);
        if self.gone.is_some() && self.alert_list.rows.get(self.alert_list.cursor) != Some(&ghost) {
            if let Some(at) = self.alert_list.rows.iter().position(|r| *r == ghost) {
                self.alert_list.rows.remove(at);
                if at < self.alert_list.cursor {
                    self.alert_list.cursor -= 1;
                }
            }
            self.gone = None;
        }
        let alert = self.selected_alert().cloned();
        self.selected = alert.as_ref().map(|a| a.key.clone());
        self.selected_copy = alert;
    }

    /// After the filter changed: walks the ordered alerts (or, when the new filter only
    /// narrows the old one, the alerts that matched it) without sorting anything.
    fn refilter(&mut self, is_narrowing: bool, fx: &mut Vec<Effect>) {
        self.filter_generation += 1;
        let input = if is_narrowing {
            &self.matched
        } else {
            &self.base
        };
        if input.len() >= OFF_TASK_FROM && !self.filter.is_empty() {
            // The list on screen stays until the pass comes back.
            let sources = self.sources.iter().map(|s| s.alerts.clone()).collect();
            let job = FilterJob::new(
                self.filter_generation,
                self.filter.clone(),
                input.clone(),
                sources,
            );
            fx.push(Effect::FilterAlerts(job));
            self.is_filtering = true;
            return;
        }
        let matched = self.filtered(input);
        self.show_matched(matched);
    }

    /// A pass that ran off the UI task came back; applied only if it is the newest.
    pub(super) fn filter_applied(&mut self, generation: u64, matched: Vec<AlertRef>) {
        if generation == self.filter_generation {
            self.show_matched(matched);
        }
    }

    /// Shows `matched`, keeping the selected row selected when it still passes.
    fn show_matched(&mut self, matched: Vec<AlertRef>) {
        let selected = match self.alert_list.rows.get(self.alert_list.cursor) {
            Some(Row::Alert(r)) => Some(*r),
            _ => None,
        };
        self.is_filtering = false;
        self.matched = matched;
        self.regroup();
        let position = selected.and_then(|s| {
            self.alert_list
                .rows
                .iter()
                .position(|r| *r == Row::Alert(s))
        });
        self.place_cursor(position);
    }

    /// For every source but `changed`: which of its alerts were listed, and which matched.
    fn membership(&self, changed: usize) -> Vec<(Vec<bool>, Vec<bool>)> {
        let mut was: Vec<(Vec<bool>, Vec<bool>)> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                if i == changed {
                    (Vec::new(), Vec::new())
                } else {
                    (vec![false; s.alerts.len()], vec![false; s.alerts.len()])
                }
            })
            .collect();
        for (refs, listed) in [(&self.base, true), (&self.matched, false)] {
            for r in refs.iter().filter(|r| r.source as usize != changed) {
                if let Some((in_base, matched)) = was.get_mut(r.source as usize) {
                    let flags = if listed { in_base } else { matched };
                    if let Some(f) = flags.get_mut(r.index as usize) {
                        *f = true;
                    }
                }
            }
        }
        was
    }

    /// `base` filtered, reusing `was` for unchanged sources; an alert that was not listed
    /// before (another instance of it led) is matched afresh, like the changed source's.
    fn rematched(&self, changed: usize, was: &[(Vec<bool>, Vec<bool>)]) -> Vec<AlertRef> {
        let fresh: Vec<AlertRef> = self
            .base
            .iter()
            .copied()
            .filter(|r| {
                r.source as usize == changed
                    || !was[r.source as usize]
                        .0
                        .get(r.index as usize)
                        .copied()
                        .unwrap_or(false)
            })
            .collect();
        let hits = self.filtered(&fresh);
        let mut fresh_hits =
            rustc_hash::FxHashSet::with_capacity_and_hasher(hits.len(), Default::default());
        fresh_hits.extend(hits);
        self.base
            .iter()
            .copied()
            .filter(|r| {
                let (in_base, matched) = &was[r.source as usize];
                if r.source as usize != changed
                    && in_base.get(r.index as usize).copied().unwrap_or(false)
                {
                    matched.get(r.index as usize).copied().unwrap_or(false)
                } else {
                    fresh_hits.contains(r)
                }
            })
            .collect()
    }

    fn filtered(&self, refs: &[AlertRef]) -> Vec<AlertRef> {
        filter_job::matching(&self.filter, refs, |r| self.alert(r))
    }

    fn regroup(&mut self) {
        let rows = rows::grouped(&self.matched, self.group, |r| self.alert(r));
        self.alert_list.rows = rows;
    }

    /// Puts the cursor on `position`, or near where it was when the alert is gone.
    fn place_cursor(&mut self, position: Option<usize>) {
        match position {
            Some(p) => self.alert_list.cursor = p,
            None => {
                self.alert_list.cursor = self
                    .alert_list
                    .cursor
                    .min(self.alert_list.rows.len().saturating_sub(1));
                self.snap_to_alert(1);
            }
        }
        self.remember_selection();
        if self.selected.is_none() {
            self.is_detail_open = false;
        }
        self.keep_cursor_visible();
    }

    /// Lists every silence (or the stale ones, `silence_filter`), active first then by end,
    /// each with how many current alerts of its own source it catches.
    pub(crate) fn rebuild_silence_rows(&mut self) {
        let mut rows: Vec<(usize, usize, usize)> = Vec::new();
        for (si, source) in self.sources.iter().enumerate() {
            for (i, silence) in source.silences.iter().enumerate() {
                let is_live = silence.state != crate::model::SilenceState::Expired;
                let caught = if is_live {
                    source.alerts.iter().filter(|a| silence.catches(a)).count()
                } else {
                    0
                };
                let hygiene = crate::app::silences::Hygiene::of(silence, caught, self.now);
                if self.silence_filter == crate::app::silences::SilenceFilter::Stale
                    && !hygiene.is_stale()
                {
                    continue;
                }
                rows.push((si, i, caught));
            }
        }
        let silence = |&(s, i, _): &(usize, usize, usize)| &self.sources[s].silences[i];
        rows.sort_by(|a, b| {
            let (x, y) = (silence(a), silence(b));
            x.state_rank()
                .cmp(&y.state_rank())
                .then(x.ends_at.cmp(&y.ends_at))
        });
        self.silence_list.set_rows(rows);
    }

    /// Sets the filter from user text. Invalid text keeps the last valid filter; `is_final`
    /// reports the error as a toast.
    pub fn set_filter(&mut self, text: &str, is_final: bool, fx: &mut Vec<Effect>) {
        let text = text.trim();
        self.filter_error = None;
        if text == self.filter_text {
            return;
        }
        match filter::parse_user(text) {
            Ok(f) => {
                let is_narrowing = filter::narrows(&self.filter_text, text);
                self.filter = f;
                self.filter.set_pending_present(self.totals.pending > 0);
                self.filter_text = text.to_string();
                self.refilter(is_narrowing, fx);
                self.rebuild_ticket_rows();
            }
            Err(e) if is_final => self.toast_error(format!("filter: {e}")),
            Err(e) => self.filter_error = Some(e),
        }
    }

    /// Moves the selection by `by` alert rows (negative is up), skipping group headers.
    pub fn move_cursor(&mut self, by: isize) {
        if self.alert_list.rows.is_empty() {
            return;
        }
        self.alert_list.move_by(by);
        self.snap_to_alert(if by < 0 { -1 } else { 1 });
        self.remember_selection();
        self.keep_cursor_visible();
    }

    /// Moves the cursor off a group header, in direction `dir` first, then the other way.
    fn snap_to_alert(&mut self, dir: isize) {
        let is_alert = |i: usize, rows: &[Row]| matches!(rows.get(i), Some(Row::Alert(_)));
        if is_alert(self.alert_list.cursor, &self.alert_list.rows)
            || self.alert_list.rows.is_empty()
        {
            return;
        }
        for d in [dir, -dir] {
            let mut i = self.alert_list.cursor as isize;
            while i >= 0 && (i as usize) < self.alert_list.rows.len() {
                if is_alert(i as usize, &self.alert_list.rows) {
                    self.alert_list.cursor = i as usize;
                    return;
                }
                i += d;
            }
        }
    }

    /// Scrolls so the cursor row (and its group header just above) is visible.
    pub fn keep_cursor_visible(&mut self) {
        let height = layout::list_rows(self).max(1);
        let mut top = self.alert_list.cursor;
        if top > 0 && matches!(self.alert_list.rows.get(top - 1), Some(Row::Group { .. })) {
            top -= 1;
        }
        self.alert_list.scroll_to_cursor(top, height);
    }
}

/// Wheel scrolls the list; a click selects the row under the pointer.
pub fn on_mouse(app: &mut App, mouse: MouseEvent) {
    if app.view != View::Alerts {
        return;
    }
    match mouse.kind {
        MouseEventKind::ScrollDown => app.move_cursor(3),
        MouseEventKind::ScrollUp => app.move_cursor(-3),
        MouseEventKind::Down(MouseButton::Left) => {
            if let Some(row) = layout::row_at(app, mouse.column, mouse.row) {
                if matches!(app.alert_list.rows.get(row), Some(Row::Alert(_))) {
                    app.alert_list.cursor = row;
                    app.remember_selection();
                    app.keep_cursor_visible();
                }
            }
        }
        _ => {}
    }
}

impl App {
    /// Moves the `:incidents` selection by `by` (0 keeps it, or takes the first incident
    /// when the selected one is gone).
    pub(crate) fn move_incident(&mut self, by: isize) {
        let at = self
            .incident_selected
            .as_deref()
            .and_then(|subject| self.incidents.iter().position(|i| i.has_subject(subject)));
        let last = self.incidents.len().saturating_sub(1) as isize;
        let to = at.map_or(0, |at| (at as isize).saturating_add(by).clamp(0, last));
        self.incident_selected = self.incidents.get(to as usize).map(|i| i.subject());
    }
}
