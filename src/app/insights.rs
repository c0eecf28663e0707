//! The insights view's state (`9`): the ledger of the journal's history, read once when the
//! view is first opened and then kept up to date entry by entry as they arrive (no rescan);
//! the report worked out again only when something changed and the view is shown; the
//! period, the grouping, the section shown and the alert whose episodes are open.

use chrono::{DateTime, TimeDelta, Utc};

use super::App;
use crate::insights::analytics::Analytics;
use crate::insights::ledger::{Episode, Ledger};
use crate::insights::report::{GroupBy, PERIODS, Report};
use crate::journal::protocol::Request;
use crate::model::Entry;

/// What the view shows.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Section {
    /// Time to acknowledge and to resolve, per group, with fires per day.
    #[default]
    Response,
    /// The load per responder.
    Load,
    /// The noise: candidates to tune or delete.
    Noise,
}

impl Section {
    /// Every section, in tab order.
    pub const ALL: [Section; 3] = [Section::Response, Section::Load, Section::Noise];

    /// The shown name.
    pub fn name(self) -> &'static str {
        match self {
            Section::Response => "response",
            Section::Load => "load",
            Section::Noise => "noise",
        }
    }
}

/// The history read is this many of the period back: the period and the one before it,
/// for the change.
const READ_PERIODS: i64 = 2;

/// The insights view's state.
#[derive(Clone, Debug)]
pub struct InsightsView {
    /// The history, once read.
    pub ledger: Option<Box<Ledger>>,
    /// From when a read asked for starts, while it is under way.
    pub reading_since: Option<DateTime<Utc>>,
    /// Why the last read failed.
    pub failure: Option<String>,
    /// The period, in days.
    pub days: i64,
    /// The grouping.
    pub by: GroupBy,
    /// The section shown.
    pub section: Section,
    /// The report of what is shown (None until the ledger is read).
    pub report: Option<Report>,
    /// Whether the ledger or the choice changed since the report was worked out.
    pub is_stale: bool,
    /// The row selected in the section's list.
    pub cursor: usize,
    /// The alert whose episodes are open (enter on a noise row).
    pub open_alert: Option<String>,
    /// What the back ends that keep analytics said of the period (by source), or why not.
    pub analytics: Vec<(String, Result<Box<Analytics>, String>)>,
    /// The period (days) the back ends were last asked about.
    pub analytics_days: Option<i64>,
}

impl Default for InsightsView {
    fn default() -> InsightsView {
        InsightsView {
            ledger: None,
            reading_since: None,
            failure: None,
            days: 30,
            by: GroupBy::Service,
            section: Section::Response,
            report: None,
            is_stale: true,
            cursor: 0,
            open_alert: None,
            analytics: Vec::new(),
            analytics_days: None,
        }
    }
}

impl InsightsView {
    /// The alert each row of the noise section is about, table after table (read from the
    /// report, not from its tables: a cursor move formats nothing).
    pub fn noise_rows(&self) -> Vec<Option<&str>> {
        self.report
            .as_ref()
            .map(Report::noise_subjects)
            .unwrap_or_default()
    }

    /// How many rows the section's list has (what the cursor moves over).
    pub fn rows(&self) -> usize {
        let Some(r) = &self.report else {
            return 0;
        };
        match self.section {
            Section::Response => r.rows.len(),
            Section::Load => r.load.len(),
            Section::Noise => self.noise_rows().len(),
        }
    }

    /// The episodes of the open alert, newest first.
    pub fn open_episodes(&self) -> Vec<&Episode> {
        let (Some(subject), Some(ledger)) = (&self.open_alert, &self.ledger) else {
            return Vec::new();
        };
        let mut out: Vec<&Episode> = ledger
            .episodes()
            .iter()
            .filter(|e| &*e.subject == subject)
            .collect();
        out.reverse();
        out
    }
}

impl App {
    /// Opens the insights view; asks the journal for the history the period needs, unless
    /// it is read (or being read) already.
    pub fn open_insights(&mut self, fx: &mut Vec<crate::app::Effect>) {
        let v = &mut self.insights;
        let needed = self.now - TimeDelta::days(READ_PERIODS * v.days);
        let is_covered = v
            .ledger
            .as_ref()
            .is_some_and(|l| l.starts().is_none_or(|s| s <= needed));
        let is_asked = v.reading_since.is_some_and(|s| s <= needed);
        if !is_covered && !is_asked {
            v.reading_since = Some(needed);
            fx.push(crate::app::Effect::Journal(Request::History {
                since: needed,
            }));
        }
        if self.view == super::View::Insights {
            self.ask_analytics(fx);
        }
    }

    /// Asks every source that keeps analytics about the period shown, once per period.
    fn ask_analytics(&mut self, fx: &mut Vec<crate::app::Effect>) {
        let days = self.insights.days;
        if self.insights.analytics_days == Some(days) {
            return;
        }
        self.insights.analytics_days = Some(days);
        self.insights.analytics.clear();
        let (since, until) = (self.now - TimeDelta::days(days), self.now);
        for s in self.sources.iter().filter(|s| s.info.can.analytics) {
            fx.push(crate::app::Effect::SendCommand {
                source: s.info.id.clone(),
                command: crate::sources::SourceCommand::Analytics { since, until },
            });
        }
    }

    /// A back end's analytics arrived (for the period last asked about).
    pub fn analytics_arrived(&mut self, source: &str, result: Result<Box<Analytics>, String>) {
        let v = &mut self.insights;
        v.analytics.retain(|(s, _)| s != source);
        v.analytics.push((source.to_string(), result));
        v.analytics.sort_by(|a, b| a.0.cmp(&b.0));
    }

    /// The history read, folded by the journal's task (off this one). Its task answers in
    /// order: an entry told before this answer was in the journal when it was read, and one
    /// told after is folded as it comes (and an entry folded twice counts once).
    pub fn history_read(&mut self, result: Result<Box<Ledger>, String>) {
        let v = &mut self.insights;
        v.reading_since = None;
        match result {
            Ok(ledger) => {
                v.ledger = Some(ledger);
                v.failure = None;
            }
            Err(e) => v.failure = Some(e),
        }
        v.is_stale = true;
    }

    /// New entries folded into the ledger, once it is read.
    pub fn insights_saw(&mut self, entries: &[Entry]) {
        if let Some(ledger) = &mut self.insights.ledger {
            for e in entries {
                ledger.add(e);
            }
            self.insights.is_stale = true;
        }
    }

    /// The report worked out again when the view is shown and something changed.
    pub fn insights_if_shown(&mut self, now: DateTime<Utc>) {
        let v = &mut self.insights;
        if self.view != super::View::Insights || !v.is_stale {
            return;
        }
        if let Some(ledger) = &v.ledger {
            v.report = Some(Report::of(
                ledger,
                &self.settings.escalation,
                now,
                v.days,
                v.by,
            ));
            v.is_stale = false;
            v.cursor = v.cursor.min(v.rows().saturating_sub(1));
        }
    }

    /// The next period (7, 30, 90 days), reading more history when it needs more.
    pub fn next_insights_period(&mut self, fx: &mut Vec<crate::app::Effect>) {
        let i = PERIODS
            .iter()
            .position(|d| *d == self.insights.days)
            .unwrap_or(0);
        self.insights.days = PERIODS[(i + 1) % PERIODS.len()];
        self.insights.is_stale = true;
        self.open_insights(fx);
    }

    /// The next grouping (service, team, policy, responder).
    pub fn next_insights_grouping(&mut self) {
        self.insights.by = self.insights.by.next();
        self.insights.is_stale = true;
    }

    /// The next (or previous) section.
    pub fn next_insights_section(&mut self, by: isize) {
        let n = Section::ALL.len() as isize;
        let i = Section::ALL
            .iter()
            .position(|s| *s == self.insights.section)
            .unwrap_or(0) as isize;
        self.insights.section = Section::ALL[(i + by).rem_euclid(n) as usize];
        self.insights.cursor = 0;
    }

    /// Moves the cursor of the section's list.
    pub fn move_insights(&mut self, by: isize) {
        let rows = self.insights.rows();
        let at = self.insights.cursor as isize + by;
        self.insights.cursor = at.clamp(0, rows.saturating_sub(1) as isize) as usize;
    }

    /// Enter on a noise row: that alert's episodes, from the ledger. Whether one opened.
    pub fn open_insights_alert(&mut self) -> bool {
        if self.insights.section != Section::Noise {
            return false;
        }
        let subject = self
            .insights
            .noise_rows()
            .get(self.insights.cursor)
            .copied()
            .flatten()
            .map(str::to_string);
        self.insights.open_alert = subject;
        self.insights.open_alert.is_some()
    }
}
