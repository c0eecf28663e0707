//! The journal's history folded into episodes, one entry at a time: each time an alert fired,
//! who acknowledged it and when, whether it escalated (by its back end's clock or by hand),
//! was silenced, resolved, or came back soon after resolving. The dashboard keeps one ledger
//! and adds each entry as it arrives (no rescan per frame); `onduty insights` folds the same
//! entries through the same code.

use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};
use rustc_hash::{FxHashMap, FxHashSet};

use crate::model::{Entry, EntryKind, sanitize};
use crate::sources::observe::{fired_name, fired_owners};

/// An alert that fires again this soon after resolving was re-opened.
pub const REOPENED_WITHIN: TimeDelta = TimeDelta::hours(1);

/// One time an alert fired, and what came of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Episode {
    /// The alert's key.
    pub subject: Arc<str>,
    /// Its title, as it fired.
    pub title: Arc<str>,
    /// Its service ("" when none).
    pub service: Arc<str>,
    /// The team its back end named.
    pub team: Option<Arc<str>>,
    /// The escalation policy its back end named.
    pub policy: Option<Arc<str>>,
    /// When it fired.
    pub fired: DateTime<Utc>,
    /// When someone first acknowledged (or silenced) it.
    pub acked: Option<DateTime<Utc>>,
    /// Who acknowledged it first (in onduty, or as its back end said).
    pub acked_by: Option<Arc<str>>,
    /// When it resolved.
    pub resolved: Option<DateTime<Utc>>,
    /// Escalations its back end made (each level reached).
    pub escalations: u16,
    /// Escalations asked for in onduty.
    pub escalated_by_hand: u16,
    /// Whether it fired within `REOPENED_WITHIN` of the previous episode resolving.
    pub is_reopened: bool,
}

impl Episode {
    /// Escalations that happened because nobody acknowledged in time.
    pub fn escalations_by_timeout(&self) -> u16 {
        self.escalations.saturating_sub(self.escalated_by_hand)
    }
}

/// A silence seen put on an alert (the back end said it went silenced).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Silenced {
    /// When.
    pub at: DateTime<Utc>,
    /// The alert's title.
    pub title: Arc<str>,
    /// Its service.
    pub service: Arc<str>,
}

/// The history as episodes, kept up to date entry by entry. Entries may come raw from the
/// journal: every name kept is cleaned for the terminal here.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ledger {
    episodes: Vec<Episode>,
    /// Each alert's latest episode.
    latest: FxHashMap<Arc<str>, usize>,
    silences: Vec<Silenced>,
    /// When journal incidents were re-opened (a status after "resolved").
    incident_reopens: Vec<DateTime<Utc>>,
    /// Journal incidents whose last status was "resolved".
    incidents_resolved: FxHashSet<Arc<str>>,
    /// Entries already folded (an entry written here is picked up again).
    seen: FxHashSet<i64>,
    /// Every name met, as read → as shown (cleaned once per name, not per entry).
    names: FxHashMap<Box<str>, Arc<str>>,
    /// The history read starts here (what fired before is not known).
    since: Option<DateTime<Utc>>,
}

impl Ledger {
    /// A ledger of `entries` (in the order they were written).
    pub fn of<'a>(entries: impl IntoIterator<Item = &'a Entry>) -> Ledger {
        let mut ledger = Ledger::default();
        for e in entries {
            ledger.add(e);
        }
        ledger
    }

    /// An empty ledger of the history from `since`.
    pub fn since(since: DateTime<Utc>) -> Ledger {
        Ledger {
            since: Some(since),
            ..Ledger::default()
        }
    }

    /// Where the history read starts (`None`: as far as its entries go).
    pub fn starts(&self) -> Option<DateTime<Utc>> {
        self.since
    }

    /// Every episode, in the order they were seen to fire.
    pub fn episodes(&self) -> &[Episode] {
        &self.episodes
    }

    /// The name (title, service) `subject` last fired under, when it fired in the history.
    pub fn name_of(&self, subject: &str) -> Option<(&str, &str)> {
        let i = *self.latest.get(subject)?;
        let ep = self.episodes.get(i)?;
        Some((&ep.title, &ep.service))
    }

    /// How many times alerts named `title` and `service` fired since `since`, and under
    /// which keys.
    pub fn fired_named(
        &self,
        title: &str,
        service: &str,
        since: DateTime<Utc>,
    ) -> (usize, Vec<Arc<str>>) {
        let mut n = 0;
        let mut keys: Vec<Arc<str>> = Vec::new();
        for ep in self
            .episodes
            .iter()
            .filter(|e| *e.title == *title && *e.service == *service)
        {
            if ep.fired >= since {
                n += 1;
            }
            if !keys.contains(&ep.subject) {
                keys.push(ep.subject.clone());
            }
        }
        (n, keys)
    }

    /// Every silence seen.
    pub fn silences(&self) -> &[Silenced] {
        &self.silences
    }

    /// When journal incidents were re-opened.
    pub fn incident_reopens(&self) -> &[DateTime<Utc>] {
        &self.incident_reopens
    }

    /// `s` cleaned for the terminal, shared with every other use of the same name.
    fn name(&mut self, s: &str) -> Arc<str> {
        if let Some(n) = self.names.get(s) {
            return n.clone();
        }
        let n: Arc<str> = sanitize::line(s, sanitize::LABEL_CAP).into();
        self.names.insert(s.into(), n.clone());
        n
    }

    /// Folds one entry in; an entry seen before changes nothing. Counted entries of a mass
    /// event (`fired ×2500`) name no single alert and are left out.
    pub fn add(&mut self, e: &Entry) {
        if e.id != 0 && !self.seen.insert(e.id) {
            return;
        }
        match e.kind {
            EntryKind::Observed => self.observed(e),
            EntryKind::Action => self.action(e),
            _ => {}
        }
    }

    fn open_episode(&mut self, subject: &str) -> Option<&mut Episode> {
        let subject = self.name(subject);
        let i = *self.latest.get(&subject)?;
        self.episodes.get_mut(i).filter(|ep| ep.resolved.is_none())
    }

    fn observed(&mut self, e: &Entry) {
        if e.body.starts_with("fired ×") {
            return;
        }
        if let Some((_, title, service)) = fired_name(&e.body) {
            let (team, policy) = fired_owners(&e.body);
            let subject = self.name(&e.subject);
            let is_reopened = self
                .latest
                .get(&subject)
                .and_then(|&i| self.episodes.get(i)?.resolved)
                .is_some_and(|r| e.at >= r && e.at - r <= REOPENED_WITHIN);
            let episode = Episode {
                subject: subject.clone(),
                title: self.name(title),
                service: self.name(service),
                team: team.map(|t| self.name(t)),
                policy: policy.map(|p| self.name(p)),
                fired: e.at,
                acked: None,
                acked_by: None,
                resolved: None,
                escalations: 0,
                escalated_by_hand: 0,
                is_reopened,
            };
            self.latest.insert(subject, self.episodes.len());
            self.episodes.push(episode);
            return;
        }
        let who = e
            .body
            .strip_prefix("acked by ")
            .map(|w| self.name(w.trim()));
        let at = e.at;
        let body = e.body.as_str();
        let Some(ep) = self.open_episode(&e.subject) else {
            return;
        };
        if body.starts_with("acked") {
            acknowledge(ep, at, who);
        } else if body == "silenced" {
            acknowledge(ep, at, None);
            let s = Silenced {
                at,
                title: ep.title.clone(),
                service: ep.service.clone(),
            };
            self.silences.push(s);
        } else if body == "resolved" {
            ep.resolved = Some(at.max(ep.fired));
        } else if body.starts_with("escalated to ") {
            ep.escalations = ep.escalations.saturating_add(1);
        }
    }

    fn action(&mut self, e: &Entry) {
        if e.subject.starts_with("incident:") {
            self.incident_status(e);
            return;
        }
        let Some(what) = e.body.strip_suffix(": done") else {
            return;
        };
        let who = self.name(&e.author);
        let at = e.at;
        let Some(ep) = self.open_episode(&e.subject) else {
            return;
        };
        if what == "ack" {
            acknowledge(ep, at, Some(who));
        } else if what.starts_with("escalate") {
            ep.escalated_by_hand = ep.escalated_by_hand.saturating_add(1);
        }
    }

    /// A journal incident's status change ("status: resolved", written by the journal).
    fn incident_status(&mut self, e: &Entry) {
        let Some(status) = e.body.strip_prefix("status: ") else {
            return;
        };
        let subject = self.name(&e.subject);
        if status == "resolved" {
            self.incidents_resolved.insert(subject);
        } else if self.incidents_resolved.remove(&subject) {
            self.incident_reopens.push(e.at);
        }
    }
}

/// The first acknowledgement counts (not one after "firing again").
fn acknowledge(ep: &mut Episode, at: DateTime<Utc>, who: Option<Arc<str>>) {
    if ep.acked.is_none() {
        ep.acked = Some(at.max(ep.fired));
    }
    if ep.acked_by.is_none() {
        ep.acked_by = who;
    }
}
