//! Tickets as the dashboard holds them: which tickets an alert or an incident has (named by a
//! label or annotation, linked by hand, or opened from onduty and found by its marker), what
//! each ticket is linked to, and the tickets view's rows. Built once per change (a ticket
//! poll, a link, a refresh of the alerts), never per frame.

use super::ticket_index::LabelRefs;
pub use super::ticket_index::{TicketIndex, TicketRef};
use super::{App, View};
use crate::journal::ticket_links::NOTES_TO_TICKETS;
use crate::model::{Alert, Ticket, TicketState};

impl App {
    /// Every ticket of every source.
    pub fn all_tickets(&self) -> impl Iterator<Item = (TicketRef, &Ticket)> {
        self.sources.iter().enumerate().flat_map(|(s, src)| {
            src.tickets
                .iter()
                .enumerate()
                .map(move |(i, t)| ((s, i), t))
        })
    }

    /// The ticket at `r`.
    pub fn ticket(&self, r: TicketRef) -> Option<&Ticket> {
        self.sources.get(r.0)?.tickets.get(r.1)
    }

    /// The ticket a reference names (`OPS-1`, `jira:OPS-1`, its URL).
    pub fn find_ticket(&self, reference: &str) -> Option<TicketRef> {
        let name = reference.trim().trim_end_matches('/').to_lowercase();
        self.ticket_index.by_name.get(&name).copied()
    }

    /// The tickets of `alert`: its own and its open incident's.
    pub fn tickets_of_alert(&self, alert: &Alert) -> Vec<&Ticket> {
        let mut refs = self.ticket_refs_of(&alert.key.0).to_vec();
        if let Some(id) = self.open_incident_of(&alert.key) {
            let subject = crate::model::incident::subject(id);
            for r in self.ticket_refs_of(&subject) {
                if !refs.contains(r) {
                    refs.push(*r);
                }
            }
        }
        refs.into_iter().filter_map(|r| self.ticket(r)).collect()
    }

    /// The tickets linked to `subject` (an alert key or `incident:N`).
    pub fn ticket_refs_of(&self, subject: &str) -> &[TicketRef] {
        self.ticket_index
            .of_subject
            .get(subject)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether notes on `subject` (`incident:N`) also go to its tickets as comments.
    pub fn notes_go_to_tickets(&self, subject: &str) -> bool {
        self.ticket_links
            .iter()
            .any(|l| l.subject == subject && l.reference == NOTES_TO_TICKETS)
    }

    /// What ticket `r` is linked to.
    pub fn linked_to(&self, r: TicketRef) -> &[String] {
        self.ticket_index.linked.get(&r).map_or(&[], Vec::as_slice)
    }

    /// A linked subject as a person reads it: "ReplicationLag (prod-am:2c91…)".
    pub fn subject_shown(&self, subject: &str) -> String {
        match self.ticket_index.names.get(subject) {
            Some(name) => format!("{name} ({subject})"),
            None => subject.to_string(),
        }
    }

    /// The ticket under the cursor of the tickets view.
    pub fn selected_ticket(&self) -> Option<(TicketRef, &Ticket)> {
        let r = *self.ticket_list.selected()?;
        Some((r, self.ticket(r)?))
    }

    /// Whether any source keeps tickets (nothing is indexed otherwise).
    pub fn has_ticket_sources(&self) -> bool {
        self.sources.iter().any(|s| s.info.can.tickets)
    }

    /// Builds the index and the tickets view's rows again.
    pub fn rebuild_ticket_rows(&mut self) {
        if !self.has_ticket_sources() {
            return;
        }
        // The label references of sources whose alerts did not change are kept: at 100k
        // alerts, reading every label again on every refresh cost 36 ms of the UI task.
        let mut cached = std::mem::take(&mut self.ticket_index.label_refs);
        let labels = &self.settings.ticket_labels;
        let label_refs: Vec<LabelRefs> = self
            .sources
            .iter()
            .enumerate()
            .map(|(i, s)| {
                let from = std::sync::Arc::as_ptr(&s.alerts) as usize;
                match cached.get_mut(i) {
                    Some(c) if c.from == from => std::mem::take(c),
                    _ => LabelRefs::read(&s.alerts, labels),
                }
            })
            .collect();
        let mut index = TicketIndex::default();
        for (r, t) in self.all_tickets() {
            let mut names = vec![t.key.0.to_lowercase(), t.id.to_lowercase()];
            names.extend(
                t.url
                    .as_deref()
                    .map(|u| u.trim_end_matches('/').to_lowercase()),
            );
            for name in names {
                index.by_name.entry(name).or_insert(r);
            }
        }
        for link in &self.ticket_links {
            if link.reference == NOTES_TO_TICKETS {
                continue;
            }
            let found = match link.marker() {
                Some(marker) => self
                    .all_tickets()
                    .find(|(_, t)| t.has_marker(marker))
                    .map(|(r, _)| r),
                None => index
                    .by_name
                    .get(&link.reference.trim_end_matches('/').to_lowercase())
                    .copied(),
            };
            if let Some(r) = found {
                index.add(&link.subject, r);
            }
        }
        for (key, title, reference) in label_refs.iter().flat_map(|l| &l.refs) {
            if let Some(r) = index.by_name.get(reference).copied() {
                index.add(key, r);
                index.names.insert(key.clone(), title.clone());
            }
        }
        // Alerts linked in the journal are named from their own source (links are few).
        for link in &self.ticket_links {
            if index.names.contains_key(&link.subject)
                || !index.of_subject.contains_key(&link.subject)
            {
                continue;
            }
            let source = self.source_of(&link.subject);
            if let Some(a) = source.and_then(|s| s.alerts.iter().find(|a| a.key.0 == link.subject))
            {
                index
                    .names
                    .insert(link.subject.clone(), a.title.to_string());
            }
        }
        index.label_refs = label_refs;
        for incident in &self.incidents {
            let subject = incident.subject();
            if index.of_subject.contains_key(&subject) {
                let title = crate::model::sanitize::line(&incident.title, 120);
                index
                    .names
                    .insert(subject, format!("SEV{} {title}", incident.severity));
            }
        }
        self.ticket_index = index;
        let mut rows: Vec<(TicketRef, &Ticket)> = self
            .all_tickets()
            .filter(|(_, t)| self.filter.matches_ticket(t))
            .collect();
        // Open work first, newest change first.
        rows.sort_by(|(_, a), (_, b)| {
            let done = |t: &Ticket| t.state == TicketState::Done;
            done(a)
                .cmp(&done(b))
                .then(b.updated.cmp(&a.updated))
                .then(a.key.cmp(&b.key))
        });
        self.ticket_list
            .set_rows(rows.into_iter().map(|(r, _)| r).collect());
    }

    /// Shows ticket `r` in the tickets view, its detail open.
    pub fn show_ticket(&mut self, r: TicketRef, fx: &mut Vec<super::Effect>) {
        if !self.ticket_list.select(|x| *x == r) {
            // Filtered out of the list: the filter goes, the ticket stays in view.
            self.set_filter("", false, fx);
            self.rebuild_ticket_rows();
            if !self.ticket_list.select(|x| *x == r) {
                self.ticket_list.cursor = 0;
            }
        }
        self.view = View::Tickets;
        self.postmortem = None;
        self.is_detail_open = true;
        self.is_runbook_shown = false;
        self.detail_scroll = 0;
    }
}
