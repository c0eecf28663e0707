//! Acting on many PagerDuty incidents at once: one listing of the open incidents tells what
//! is left to do (a re-sent action finds it done and sends nothing), then `PUT /incidents`
//! changes up to 250 of them per request. A request PagerDuty refuses is done again one
//! incident at a time, so one incident that cannot change does not hold back the others; an
//! outage or a 429 stops the batch, the rest staying queued in the outbox.

use std::collections::BTreeMap;
use std::time::Duration;

use tokio::sync::mpsc::UnboundedSender;

use super::client::{self, MOST_PER_PUT, Target};
use super::{PagerDutySource, wire};
use crate::sources::{BatchItem, Error, Operation, within};

/// Where each item's result is told, by its index in the batch.
type Done = UnboundedSender<(usize, Result<(), Error>)>;

/// What one bulk request changes, in the order the kinds are sent: acks and reassigns
/// before resolves, since an ack or a reassign sent after a resolve would reopen the
/// incident.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Change {
    Acknowledge,
    Reassign(Target),
    Resolve,
}

impl Change {
    /// The change for `op`, when a bulk request can carry it.
    async fn of(
        op: &Operation,
        pd: &mut PagerDutySource,
        targets: &mut BTreeMap<String, Result<Target, Error>>,
        per_item: Duration,
    ) -> Option<Result<Change, Error>> {
        Some(Ok(match op {
            Operation::Acknowledge => Change::Acknowledge,
            Operation::Resolve => Change::Resolve,
            Operation::Reassign { to } => {
                if !targets.contains_key(to) {
                    let target = within(per_item, pd.target(to)).await;
                    targets.insert(to.clone(), target);
                }
                return targets.get(to).map(|t| t.clone().map(Change::Reassign));
            }
            _ => return None,
        }))
    }

    /// Whether `incident`, as listed, needs no change.
    fn is_done(&self, incident: &wire::Incident) -> bool {
        match self {
            Change::Acknowledge => incident.status != wire::IncidentStatus::Triggered,
            Change::Resolve => incident.status == wire::IncidentStatus::Resolved,
            Change::Reassign(to) => client::is_with(incident, to),
        }
    }

    /// This change to incident `id`, as a bulk request names it.
    fn to(&self, id: &str) -> wire::IncidentChange {
        let change = match self {
            Change::Acknowledge => client::status_change("acknowledged"),
            Change::Resolve => client::status_change("resolved"),
            Change::Reassign(to) => client::reassign_change(to),
        };
        wire::IncidentChange {
            id: Some(id.to_string()),
            ..change
        }
    }
}

/// One incident a change is sent to, and the batch items that asked for it.
struct Wanted {
    id: String,
    items: Vec<usize>,
}

impl PagerDutySource {
    /// Performs `items`: acks, resolves and reassigns in bulk, the others one by one.
    pub(super) async fn perform_in_bulk(
        &mut self,
        items: &[BatchItem],
        per_item: Duration,
        done: &Done,
    ) {
        let mut targets = BTreeMap::new();
        let mut changes: Vec<(usize, String, Change)> = Vec::new();
        let mut one_by_one = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let change = match Change::of(&item.op, self, &mut targets, per_item).await {
                Some(Ok(change)) => change,
                Some(Err(e)) => {
                    let _ = done.send((i, Err(e)));
                    continue;
                }
                None => {
                    one_by_one.push(i);
                    continue;
                }
            };
            match self.incident_id(&item.key) {
                Ok(id) => changes.push((i, id.to_string(), change)),
                Err(e) => {
                    let _ = done.send((i, Err(e)));
                }
            }
        }
        if !changes.is_empty() {
            self.change_all(items, changes, per_item, done).await;
        }
        for i in one_by_one {
            let result = self.perform_one(&items[i], per_item).await;
            let _ = done.send((i, result));
        }
    }

    /// Sends `changes` after one look at the open incidents.
    async fn change_all(
        &mut self,
        items: &[BatchItem],
        changes: Vec<(usize, String, Change)>,
        per_item: Duration,
        done: &Done,
    ) {
        let open = match within(per_item, self.listed(None)).await {
            Ok(open) => open,
            Err(e) if stops_the_batch(&e) => {
                for (i, _, _) in changes {
                    let _ = done.send((i, Err(e.clone())));
                }
                return;
            }
            // Too many to page through, say: each incident is looked at alone.
            Err(_) => Vec::new(),
        };
        let mut groups: BTreeMap<Change, Vec<Wanted>> = BTreeMap::new();
        for (i, id, change) in changes {
            match open.iter().find(|o| o.id == id) {
                Some(incident) if change.is_done(incident) => {
                    let _ = done.send((i, Ok(())));
                }
                Some(_) => {
                    let group = groups.entry(change).or_default();
                    match group.iter_mut().find(|w| w.id == id) {
                        Some(w) => w.items.push(i),
                        None => group.push(Wanted { id, items: vec![i] }),
                    }
                }
                // Not open, or not in this source's filter: its own look tells.
                None => {
                    let result = self.perform_one(&items[i], per_item).await;
                    let _ = done.send((i, result));
                }
            }
        }
        let mut stopped: Option<Error> = None;
        for (change, wanted) in groups {
            for chunk in wanted.chunks(MOST_PER_PUT) {
                let sent = match &stopped {
                    Some(e) => Err(e.clone()),
                    None => self.send_chunk(&change, chunk, per_item).await,
                };
                match sent {
                    Ok(()) => tell(chunk, Ok(()), done),
                    Err(e) if stops_the_batch(&e) => {
                        tell(chunk, Err(e.clone()), done);
                        stopped.get_or_insert(e);
                    }
                    Err(e) => {
                        tracing::info!(source = %self.id, error = %e,
                            "PagerDuty refused a bulk change; one incident at a time");
                        for w in chunk {
                            let result = self.perform_one(&items[w.items[0]], per_item).await;
                            for &i in &w.items {
                                let _ = done.send((i, result.clone()));
                            }
                        }
                    }
                }
            }
        }
    }

    /// One `PUT /incidents` with `change` to each incident of `chunk`.
    async fn send_chunk(
        &mut self,
        change: &Change,
        chunk: &[Wanted],
        per_item: Duration,
    ) -> Result<(), Error> {
        let from = self.settings.from_email.clone().unwrap_or_default();
        let body: Vec<wire::IncidentChange> = chunk.iter().map(|w| change.to(&w.id)).collect();
        let client = self.client().await?;
        within(per_item, client.update_incidents(&body, &from)).await
    }

    /// `item` alone, as a single action does it.
    async fn perform_one(&mut self, item: &BatchItem, per_item: Duration) -> Result<(), Error> {
        use crate::sources::Source;
        within(per_item, self.perform(&item.key, &item.op, &item.author)).await
    }
}

/// Tells every item of `chunk` the same result.
fn tell(chunk: &[Wanted], result: Result<(), Error>, done: &Done) {
    for w in chunk {
        for &i in &w.items {
            let _ = done.send((i, result.clone()));
        }
    }
}

/// Whether `e` ends the batch for every item left: PagerDuty is down, slow, limiting the
/// token, or refusing it (each of the rest would get the same answer).
fn stops_the_batch(e: &Error) -> bool {
    e.is_transient() || matches!(e, Error::Auth(_))
}
