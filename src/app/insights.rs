//! The insights view's state (`9`): the ledger of the journal's history, read once when the
//! view is first opened and then kept up to date entry by entry as they arrive (no rescan);
//! the report worked out again only when something changed and the view is shown; the
//! period, the grouping, the section shown and the alert whose episodes are open.

use chrono::{DateTime, TimeDelta, Utc};

use super::App;
use crate::insights::ledger::{Episode, Ledger};
use crate::insights::report::{GroupBy, PERIODS, Report};
use crate::insights::tables;
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

/// The history read is this many of the longest period back: the longest period and the
/// one before it, for the change.
const READ_PERIODS: i64 = 2;

/// The ledger, not read yet, being read, read, or not readable.
#[derive(Clone, Debug, Default)]
pub enum Loaded {
    /// Not asked for yet.
    #[default]
    No,
    /// Asked for.
    Reading,
    /// Folded.
    Yes(Box<Ledger>),
    /// Could not be read (why).
    Failed(String),
}

/// The insights view's state.
#[derive(Clone, Debug)]
pub struct InsightsView {
    /// The history.
    pub ledger: Loaded,
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
}

impl Default for InsightsView {
    fn default() -> InsightsView {
        InsightsView {
            ledger: Loaded::No,
            days: 30,
            by: GroupBy::Service,
            section: Section::Response,
            report: None,
            is_stale: true,
            cursor: 0,
            open_alert: None,
        }
    }
}

impl InsightsView {
    /// The alert each row of the noise section is about, table after table.
    pub fn noise_rows(&self) -> Vec<Option<String>> {
        self.report
            .as_ref()
            .map(|r| {
                tables::noise(r)
                    .into_iter()
                    .flat_map(|t| t.subjects)
                    .collect()
            })
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
        let (Some(subject), Loaded::Yes(ledger)) = (&self.open_alert, &self.ledger) else {
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
    /// Opens the insights view; the first time, asks the journal for the history.
    pub fn open_insights(&mut self, fx: &mut Vec<crate::app::Effect>) {
        if matches!(self.insights.ledger, Loaded::No | Loaded::Failed(_)) {
            self.insights.ledger = Loaded::Reading;
            let longest = PERIODS.iter().copied().max().unwrap_or(90);
            let since = self.now - TimeDelta::days(READ_PERIODS * longest);
            fx.push(crate::app::Effect::Journal(Request::History { since }));
        }
    }

    /// The history read, folded into the ledger. The journal's task answers in order: an
    /// entry told before this answer was in the journal when it was read, and one told after
    /// is folded as it comes (and an entry folded twice counts once).
    pub fn history_read(&mut self, result: Result<Vec<Entry>, String>) {
        self.insights.ledger = match result {
            Ok(entries) => Loaded::Yes(Box::new(Ledger::of(&entries))),
            Err(e) => Loaded::Failed(e),
        };
        self.insights.is_stale = true;
    }

    /// New entries folded into the ledger, once it is read.
    pub fn insights_saw(&mut self, entries: &[Entry]) {
        if let Loaded::Yes(ledger) = &mut self.insights.ledger {
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
        if let Loaded::Yes(ledger) = &v.ledger {
            v.report = Some(Report::of(
                ledger,
                &self.settings.escalation.rotations,
                now,
                v.days,
                v.by,
            ));
            v.is_stale = false;
            v.cursor = v.cursor.min(v.rows().saturating_sub(1));
        }
    }

    /// The next period (7, 30, 90 days).
    pub fn next_insights_period(&mut self) {
        let i = PERIODS
            .iter()
            .position(|d| *d == self.insights.days)
            .unwrap_or(0);
        self.insights.days = PERIODS[(i + 1) % PERIODS.len()];
        self.insights.is_stale = true;
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
            .cloned()
            .flatten();
        self.insights.open_alert = subject;
        self.insights.open_alert.is_some()
    }
}
