//! The shift hand-off: a Markdown summary of a shift for whoever takes the pager next. What
//! the journal recorded in the shift (what fired, what was done and by whom, incidents, the
//! outbox, starred notes) is gathered by [`gather`]; the sources' live picture (what fires
//! now, silences ending soon, who is on call next) comes from whoever asks, the dashboard or
//! `onduty handoff`, and [`render`] writes both out. Everything is sanitized and scrubbed of
//! secrets, as in a post-mortem.

mod render;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use crate::journal::incidents::Incident;
use crate::journal::{Entry, Journal, JournalError, OutboxItem};
use crate::model::{Alert, EscalationPolicy, Silence, SourceId};

pub use render::render;

/// At most this many timeline entries are read for one shift (a flood is summarised).
pub const MAX_ENTRIES: i64 = 50_000;

/// How far back before the shift the names of alerts are looked for (an alert that fired
/// before the shift and was acted on in it is still named).
const NAMES_LOOKBACK: TimeDelta = TimeDelta::days(7);

/// Silences ending within this long of the hand-off are listed.
pub const SILENCES_ENDING_WITHIN: TimeDelta = TimeDelta::hours(4);

/// What the journal holds of one shift.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShiftJournal {
    /// Every timeline entry of the shift, oldest first.
    pub entries: Vec<Entry>,
    /// Whether there were more than [`MAX_ENTRIES`].
    pub is_cut: bool,
    /// Every incident (the report keeps the open ones and those resolved in the shift).
    pub incidents: Vec<Incident>,
    /// Actions not yet sent or confirmed.
    pub outbox: Vec<OutboxItem>,
    /// Alert key → (title, service), from the timeline's "fired" entries and the sources'
    /// last known pictures.
    pub names: HashMap<String, (String, String)>,
}

/// What the sources show now, as the caller holds it, with its alerts found by key.
#[derive(Clone, Debug)]
pub struct Live<'a> {
    /// Every current alert.
    pub alerts: Vec<&'a Alert>,
    by_key: HashMap<&'a str, &'a Alert>,
    /// Every source's silences.
    pub silences: &'a [Silence],
    /// Every escalation policy.
    pub policies: &'a [EscalationPolicy],
    /// Sources that did not answer (named in the report: its picture may be old).
    pub failing: &'a [String],
}

impl<'a> Live<'a> {
    /// The picture of `alerts`, `silences`, `policies`, with `failing` sources.
    pub fn new(
        alerts: impl Iterator<Item = &'a Alert>,
        silences: &'a [Silence],
        policies: &'a [EscalationPolicy],
        failing: &'a [String],
    ) -> Live<'a> {
        let alerts: Vec<&Alert> = alerts.collect();
        let by_key = alerts.iter().map(|a| (a.key.0.as_str(), *a)).collect();
        Live {
            alerts,
            by_key,
            silences,
            policies,
            failing,
        }
    }

    /// The current alert with `key`.
    pub fn alert(&self, key: &str) -> Option<&'a Alert> {
        self.by_key.get(key).copied()
    }
}

/// The live picture as owned parts, gathered source by source: the alerts as the sources'
/// shared snapshots (nothing copied), so it can be sent off the UI task to be written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Picture {
    /// Every source's current alerts.
    pub alerts: Vec<Arc<Vec<Alert>>>,
    /// Every silence.
    pub silences: Vec<Silence>,
    /// Every escalation policy.
    pub policies: Vec<EscalationPolicy>,
    /// Sources that did not answer.
    pub failing: Vec<String>,
}

impl Picture {
    /// Adds one source's part.
    pub fn add(
        &mut self,
        alerts: Arc<Vec<Alert>>,
        silences: &[Silence],
        policies: &[EscalationPolicy],
    ) {
        self.alerts.push(alerts);
        self.silences.extend_from_slice(silences);
        self.policies.extend_from_slice(policies);
    }

    /// Borrowed and indexed, for [`render`].
    pub fn live(&self) -> Live<'_> {
        Live::new(
            self.alerts.iter().flat_map(|a| a.iter()),
            &self.silences,
            &self.policies,
            &self.failing,
        )
    }
}

/// A hand-off to write: the journal's record, the live picture and where it goes. Written
/// off the UI task: at estate scale it reads every alert.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Job {
    /// The shift.
    pub shift: Shift,
    /// What the journal holds of it.
    pub record: Box<ShiftJournal>,
    /// What the sources show.
    pub picture: Picture,
    /// The file.
    pub path: std::path::PathBuf,
}

impl Job {
    /// The Markdown.
    pub fn render(&self) -> String {
        render(&self.shift, &self.record, &self.picture.live())
    }
}

/// The shift: from when to when, and who hands it off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Shift {
    /// Its start.
    pub from: DateTime<Utc>,
    /// Its end (the hand-off).
    pub to: DateTime<Utc>,
    /// Who hands off.
    pub by: String,
}

/// Reads the shift from the journal.
pub async fn gather(journal: &Journal, shift: &Shift) -> Result<ShiftJournal, JournalError> {
    let mut entries = journal.entries_since(shift.from, MAX_ENTRIES + 1).await?;
    entries.retain(|e| e.at <= shift.to);
    let is_cut = entries.len() as i64 > MAX_ENTRIES;
    entries.truncate(MAX_ENTRIES as usize);
    let mut names = HashMap::new();
    for (subject, body) in journal.fired_since(shift.from - NAMES_LOOKBACK).await? {
        if let Some((_, title, service)) = crate::sources::observe::fired_name(&body) {
            names.insert(subject, (title.to_string(), service.to_string()));
        }
    }
    let mut sources: Vec<SourceId> = entries
        .iter()
        .filter_map(|e| e.subject.split_once(':').map(|(s, _)| SourceId(s.into())))
        .filter(|s| &*s.0 != "incident")
        .collect();
    sources.sort();
    sources.dedup();
    for picture in journal.load_snapshots(&sources).await? {
        for a in picture.alerts {
            names.insert(a.key.0, (a.title.to_string(), a.service.to_string()));
        }
    }
    Ok(ShiftJournal {
        entries,
        is_cut,
        incidents: journal.incidents().await?,
        outbox: journal.open_items().await?,
        names,
    })
}
