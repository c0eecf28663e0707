//! Which ticket goes with what: the index the dashboard keeps of tickets by name, by the
//! alert or incident they belong to, and the references its alerts' labels hold. Built by
//! `app::tickets` once per change.

use std::collections::HashMap;

use crate::model::{Alert, references};

/// A ticket's place: (source index, ticket index).
pub type TicketRef = (usize, usize);

/// Which ticket goes with what.
#[derive(Clone, Debug, Default)]
pub struct TicketIndex {
    /// Lower-cased key, id and URL of every ticket.
    pub(super) by_name: HashMap<String, TicketRef>,
    /// Tickets of an alert key or an `incident:N`.
    pub(super) of_subject: HashMap<String, Vec<TicketRef>>,
    /// What each ticket is linked to (incident subjects and alert keys).
    pub(super) linked: HashMap<TicketRef, Vec<String>>,
    /// What a linked subject is called (an alert's title, an incident's).
    pub(super) names: HashMap<String, String>,
    /// Per source, the ticket references its alerts' labels hold, read once per snapshot.
    pub(super) label_refs: Vec<LabelRefs>,
}

/// The ticket references in one snapshot of a source's alerts.
#[derive(Clone, Debug, Default)]
pub(super) struct LabelRefs {
    /// The snapshot they were read from (its address: a new poll is a new one).
    pub(super) from: usize,
    /// (alert key, alert title, reference lower-cased).
    pub(super) refs: Vec<(String, String, String)>,
}

impl LabelRefs {
    /// The references in `alerts`, named by `labels` (each label value may hold several).
    pub(super) fn read(alerts: &std::sync::Arc<Vec<Alert>>, labels: &[String]) -> LabelRefs {
        let mut refs = Vec::new();
        for alert in alerts.iter() {
            for name in labels {
                let Some(value) = alert.field(name) else {
                    continue;
                };
                for reference in references(value) {
                    let key = reference.trim_end_matches('/').to_lowercase();
                    refs.push((alert.key.0.clone(), alert.title.to_string(), key));
                }
            }
        }
        LabelRefs {
            from: std::sync::Arc::as_ptr(alerts) as usize,
            refs,
        }
    }
}

impl TicketIndex {
    pub(super) fn add(&mut self, subject: &str, t: TicketRef) {
        let tickets = self.of_subject.entry(subject.to_string()).or_default();
        if !tickets.contains(&t) {
            tickets.push(t);
            self.linked.entry(t).or_default().push(subject.to_string());
        }
    }
}
