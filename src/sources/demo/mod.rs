//! The demo source: a simulated payments incident served through the same `Source` trait,
//! poller, model and commands as a real back end. It honours ack, resolve, silence and notes
//! on its own alerts, and refuses them on alerts that are gone or already resolved.

mod rotation;
mod scenario;
mod silences;

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, TimeDelta, Utc};

use super::{Error, Operation, Snapshot, Source};
use crate::clock::SharedClock;
use crate::escalation::LocalEscalation;
use crate::model::{Alert, AlertDraft, AlertKey, Escalation, Note, SourceId, Status};

use crate::sources::{Can, Capabilities};
pub use scenario::CYCLE;

use crate::config::read::Problem;
use crate::config::source::{NoSettings, SourceKind};
use crate::sources::backend::{AnySource, Backend, BackendSettings, Setting, check};

/// What the demo does: everything a paging back end does, simulated and labelled so.
pub const CAPABILITIES: Capabilities = Capabilities {
    acknowledge: Can::Yes,
    unacknowledge: Can::Yes,
    resolve: Can::Yes,
    snooze: Can::Yes,
    reassign: Can::Yes,
    responders: Can::Yes,
    silences: true,
    is_simulated: true,
    is_local: true,
    ..Capabilities::NONE
};

/// This back end, as the registry lists it.
pub const BACKEND: Backend = Backend {
    kind: KIND,
    can: CAPABILITIES,
    check: check::<NoSettings>,
    build,
    runbooks,
    advice: |_| None,
};

/// Its kind, as the config writes it.
pub const KIND: SourceKind = SourceKind::named("demo");

/// A demo source as `setting` describes it, with the config's escalation policies.
fn build(setting: &Setting<'_>) -> Result<AnySource, Vec<Problem>> {
    NoSettings::read(setting.source)?;
    let id = crate::model::SourceId(setting.source.name.as_str().into());
    let demo =
        DemoSource::new(id, setting.clock.clone()).with_escalation(setting.escalation.clone());
    Ok(AnySource::new(demo))
}

/// The demo's runbooks, built in so that `b` and its checklists work offline: (alert,
/// Markdown with front matter).
const RUNBOOKS: &[(&str, &str)] = &[
    (
        "ConnectionPoolExhausted",
        include_str!("runbooks/ConnectionPoolExhausted.md"),
    ),
    (
        "PaymentProviderTimeouts",
        include_str!("runbooks/PaymentProviderTimeouts.md"),
    ),
    ("ErrorRateHigh", include_str!("runbooks/ErrorRateHigh.md")),
];

/// Where the demo's runbooks are said to be: `demo/ALERT.md`.
pub const RUNBOOK_DIR: &str = "demo";

/// The demo's runbooks as library entries, known as `demo/ALERT.md`.
pub fn runbooks() -> Vec<crate::runbook::Entry> {
    RUNBOOKS
        .iter()
        .filter_map(|(name, text)| {
            let path = std::path::PathBuf::from(format!("{RUNBOOK_DIR}/{name}.md"));
            crate::runbook::parse_entry(&path, text).ok()
        })
        .collect()
}

/// How far into the story a new demo begins: the first critical alerts are firing.
const JOINED_AFTER: TimeDelta = TimeDelta::seconds(95);

/// What responders did to the demo's alerts.
#[derive(Default)]
struct Overlay {
    acks: HashMap<String, (String, DateTime<Utc>)>,
    silences: silences::Silences,
    resolved: HashMap<String, DateTime<Utc>>,
    notes: HashMap<String, Vec<Note>>,
    /// Escalated by hand: (policy, level reached, when).
    escalations: HashMap<String, (String, usize, DateTime<Utc>)>,
}

/// The demo back end.
pub struct DemoSource {
    id: SourceId,
    start: DateTime<Utc>,
    clock: SharedClock,
    overlay: Overlay,
    /// The local escalation file, when it defines policies: they replace the demo's own.
    escalation: Arc<LocalEscalation>,
}

impl DemoSource {
    /// A demo named `id`, joined as a responder would be: paged into an incident already
    /// under way, which then unfolds, resolves and starts again.
    pub fn new(id: SourceId, clock: SharedClock) -> DemoSource {
        let start = clock.now() - JOINED_AFTER;
        DemoSource {
            id,
            start,
            clock,
            overlay: Overlay::default(),
            escalation: Arc::default(),
        }
    }

    /// A demo whose story started at `start` (tests pick the moment to look at).
    pub fn started_at(id: SourceId, clock: SharedClock, start: DateTime<Utc>) -> DemoSource {
        DemoSource {
            id,
            start,
            clock,
            overlay: Overlay::default(),
            escalation: Arc::default(),
        }
    }

    /// The same demo, paging through the local escalation file's policies when it has any.
    pub fn with_escalation(mut self, escalation: Arc<LocalEscalation>) -> Self {
        self.escalation = escalation;
        self
    }

    /// The demo's alerts at the clock's time.
    pub fn snapshot(&self) -> Snapshot {
        let now = self.clock.now();
        let mut alerts: Vec<Alert> = scenario::alerts_at(self.start, now)
            .into_iter()
            .map(|s| self.alert(s, now))
            .collect();
        self.overlay.silences.apply(&mut alerts, now);
        Snapshot {
            alerts: Arc::new(alerts),
            escalation: if self.escalation.is_empty() {
                rotation::policies_at(now)
            } else {
                self.escalation.policies_at(now)
            },
            silences: self.overlay.silences.at(now),
            tickets: Vec::new(),
            invalid: 0,
            rules: Default::default(),
            incidents: Default::default(),
        }
    }

    fn alert(&self, s: scenario::Scripted, now: DateTime<Utc>) -> Alert {
        let o = &self.overlay;
        let resolved_at = s.resolved_at.or_else(|| o.resolved.get(&s.id).copied());
        let ack = o.acks.get(&s.id).cloned().or_else(|| {
            s.pre_acked_by
                .map(|who| (who.to_string(), s.started_at + TimeDelta::minutes(3)))
        });
        // Silences are applied to the built alerts (`Silences::apply`).
        let status = match (resolved_at, &ack) {
            (Some(_), _) => Status::Resolved,
            (None, Some(_)) => Status::Acked,
            (None, None) => Status::Firing,
        };
        // The demo's own runbooks are built in (a library file's path); the others a link.
        let has_own = RUNBOOKS.iter().any(|(name, _)| *name == s.name);
        let runbook = if has_own {
            format!("{RUNBOOK_DIR}/{}.md", s.name)
        } else {
            format!("https://runbooks.example.com/{}", s.name)
        };
        AlertDraft {
            id: s.id.clone().into(),
            title: s.name.into(),
            severity: s.severity,
            status,
            labels: vec![
                ("alertname".into(), s.name.into()),
                ("severity".into(), s.severity.name().into()),
                ("service".into(), s.service.into()),
                ("team".into(), s.team.into()),
                ("instance".into(), s.instance.into()),
                ("env".into(), "demo".into()),
            ],
            annotations: vec![
                ("summary".into(), s.summary.into()),
                ("description".into(), s.description.into()),
                ("runbook_url".into(), runbook.clone().into()),
            ],
            started_at: s.started_at,
            last_seen: resolved_at.unwrap_or(now),
            acked_by: ack.as_ref().map(|(who, _)| who.clone().into()),
            acked_at: ack.map(|(_, at)| at),
            silenced_until: None,
            links: [
                (!has_own).then(|| ("runbook".into(), runbook.into())),
                Some((
                    "graph".into(),
                    format!("https://grafana.example.com/d/{}", s.service).into(),
                )),
            ]
            .into_iter()
            .flatten()
            .collect(),
            notes: o.notes.get(&s.id).cloned().unwrap_or_default(),
            fingerprint: Some(s.id.clone().into()),
            suppressed_by: vec![],
            receivers: vec![],
            escalation: o
                .escalations
                .get(&s.id)
                .map(|(policy, level, at)| Escalation::new(policy, *level, *at)),
        }
        .build(&self.id)
    }

    /// The id of `key` within this demo, if the alert is on show and still open.
    fn open_alert_id(&self, key: &AlertKey) -> Result<String, Error> {
        let snapshot = self.snapshot();
        let alert = snapshot
            .alerts
            .iter()
            .find(|a| &a.key == key)
            .ok_or_else(|| Error::Rejected(format!("no alert {key} in the demo")))?;
        if alert.status == Status::Resolved {
            return Err(Error::Rejected(format!("{key} is already resolved")));
        }
        let prefix = format!("{}:", self.id);
        Ok(key.0.strip_prefix(&prefix).unwrap_or(&key.0).to_string())
    }
}

impl Source for DemoSource {
    fn id(&self) -> &SourceId {
        &self.id
    }

    async fn fetch(&mut self) -> Result<Snapshot, Error> {
        Ok(self.snapshot())
    }

    async fn perform(&mut self, key: &AlertKey, op: &Operation, author: &str) -> Result<(), Error> {
        let now = self.clock.now();
        match op {
            Operation::CreateSilence {
                matchers,
                starts_at,
                duration,
                comment,
            } => {
                let source = self.id.clone();
                let silences = &mut self.overlay.silences;
                let when = (now, starts_at.unwrap_or(now));
                silences.create(&source, matchers.clone(), when, *duration, author, comment);
                return Ok(());
            }
            Operation::ExpireSilence { id } => {
                return match self.overlay.silences.expire(id, now) {
                    true => Ok(()),
                    false => Err(Error::Rejected(format!("no silence {id} in force"))),
                };
            }
            _ => {}
        }
        if op.is_for_tickets() {
            return Err(super::not_a_ticket_source(&self.id));
        }
        let id = self.open_alert_id(key)?;
        if let Operation::Escalate { level } = op {
            return self.escalate(key, id, *level, author);
        }
        let snapshot_alert = matches!(op, Operation::Silence { .. })
            .then(|| {
                self.snapshot()
                    .alerts
                    .iter()
                    .find(|a| &a.key == key)
                    .cloned()
            })
            .flatten();
        let o = &mut self.overlay;
        match op {
            Operation::Acknowledge => {
                o.acks.insert(id, (author.to_string(), now));
            }
            Operation::Resolve => {
                o.resolved.insert(id, now);
            }
            Operation::Silence { duration, comment } => {
                let matchers = snapshot_alert
                    .as_ref()
                    .map(silences::Silences::matchers_for)
                    .unwrap_or_default();
                o.silences
                    .create(&self.id, matchers, (now, now), *duration, author, comment);
                let text = format!(
                    "silenced for {}: {comment}",
                    crate::duration_fmt::short(*duration)
                );
                o.notes
                    .entry(id)
                    .or_default()
                    .push(Note::new(author, now, &text));
            }
            Operation::AddNote { text } => {
                o.notes
                    .entry(id)
                    .or_default()
                    .push(Note::new(author, now, text));
            }
            Operation::Reassign { to } => {
                let text = format!("reassigned to {to}");
                o.notes
                    .entry(id)
                    .or_default()
                    .push(Note::new(author, now, &text));
            }
            Operation::Unacknowledge => {
                o.acks.remove(&id);
            }
            Operation::AddResponder { who } => {
                let text = format!("asked {who} to respond");
                o.notes
                    .entry(id)
                    .or_default()
                    .push(Note::new(author, now, &text));
            }
            Operation::CreateSilence { .. }
            | Operation::Unresolve
            | Operation::ExpireSilence { .. }
            | Operation::Escalate { .. }
            | Operation::Comment { .. }
            | Operation::Transition { .. }
            | Operation::CreateTicket(_) => {}
            Operation::ChangeIncident(_) | Operation::DeclareIncident(_) => {
                return Err(super::keeps_no_incidents(&self.id));
            }
        }
        Ok(())
    }
}

impl DemoSource {
    /// Pages the next level of the alert's policy (or `level`, 1 for the first), as
    /// PagerDuty would: the countdown to the level after starts again from now.
    fn escalate(
        &mut self,
        key: &AlertKey,
        id: String,
        level: Option<u32>,
        author: &str,
    ) -> Result<(), Error> {
        let now = self.clock.now();
        let snapshot = self.snapshot();
        let alert = snapshot.alerts.iter().find(|a| &a.key == key);
        let policy = alert.and_then(|a| {
            let p = snapshot.escalation.iter().find(|p| p.covers(a))?;
            Some((p, p.state_of(a, now)?.current))
        });
        let Some((policy, current)) = policy else {
            return Err(Error::Rejected(format!(
                "no escalation policy covers {key}"
            )));
        };
        let Some(to) = policy.level_to_page(current, level) else {
            return Err(Error::Rejected(format!(
                "{key} is already at the last level of {}",
                policy.name
            )));
        };
        let text = format!("escalated to L{} of {}", to + 1, policy.name);
        let o = &mut self.overlay;
        o.escalations
            .insert(id.clone(), (policy.name.clone(), to, now));
        o.notes
            .entry(id)
            .or_default()
            .push(Note::new(author, now, &text));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::clock::ManualClock;
    use chrono::TimeZone;
    use std::sync::Arc;

    fn demo_at(secs: i64) -> (DemoSource, ManualClock) {
        let start = Utc.with_ymd_and_hms(2026, 3, 1, 14, 0, 0).unwrap();
        let clock = ManualClock::new(start + TimeDelta::seconds(secs));
        let demo = DemoSource::started_at(SourceId("demo".into()), Arc::new(clock.clone()), start);
        (demo, clock)
    }

    fn status_of(demo: &DemoSource, key: &str) -> Option<Status> {
        demo.snapshot()
            .alerts
            .iter()
            .find(|a| a.key.0 == key)
            .map(|a| a.status)
    }

    #[tokio::test]
    async fn ack_then_silence_then_resolve() {
        let (mut demo, clock) = demo_at(100);
        let key = AlertKey("demo:errorratehigh-0-0".into());
        assert_eq!(status_of(&demo, &key.0), Some(Status::Firing));
        demo.perform(&key, &Operation::Acknowledge, "ana")
            .await
            .unwrap();
        let a = demo
            .snapshot()
            .alerts
            .iter()
            .find(|a| a.key == key)
            .cloned()
            .unwrap();
        assert_eq!(
            (a.status, a.acked_by.as_deref()),
            (Status::Acked, Some("ana"))
        );
        let silence = Operation::Silence {
            duration: std::time::Duration::from_secs(60),
            comment: "deploy".into(),
        };
        demo.perform(&key, &silence, "ana").await.unwrap();
        assert_eq!(status_of(&demo, &key.0), Some(Status::Silenced));
        clock.advance(TimeDelta::seconds(61));
        assert_eq!(status_of(&demo, &key.0), Some(Status::Acked));
        demo.perform(&key, &Operation::Resolve, "ana")
            .await
            .unwrap();
        assert_eq!(status_of(&demo, &key.0), Some(Status::Resolved));
        let again = demo.perform(&key, &Operation::Acknowledge, "ana").await;
        assert!(matches!(again, Err(Error::Rejected(m)) if m.contains("already resolved")));
    }

    #[tokio::test]
    async fn silences_are_listed_catch_their_alerts_and_expire() {
        let (mut demo, clock) = demo_at(100);
        let key = AlertKey("demo:errorratehigh-0-0".into());
        let silence = Operation::Silence {
            duration: std::time::Duration::from_secs(3600),
            comment: "deploy".into(),
        };
        demo.perform(&key, &silence, "ana").await.unwrap();
        let listed = demo.snapshot().silences;
        assert_eq!(listed.len(), 1, "s makes a silence the view lists");
        let made = &listed[0];
        assert_eq!(
            (made.state, made.created_by.as_str(), made.comment.as_str()),
            (crate::model::SilenceState::Active, "ana", "deploy")
        );
        let names: Vec<String> = made.matchers.iter().map(ToString::to_string).collect();
        assert!(
            names.iter().any(|m| m.starts_with("alertname=")),
            "{names:?}"
        );
        assert_eq!(status_of(&demo, &key.0), Some(Status::Silenced));
        // Matchers silence whatever they catch; expiring gives the alerts back.
        let by_service = Operation::CreateSilence {
            matchers: vec![crate::model::Matcher::equal("service", "payments")],
            starts_at: None,
            duration: std::time::Duration::from_secs(600),
            comment: "maintenance".into(),
        };
        demo.perform(&AlertKey("demo:".into()), &by_service, "bo")
            .await
            .unwrap();
        let snapshot = demo.snapshot();
        assert_eq!(snapshot.silences.len(), 2);
        let payments: Vec<&Alert> = snapshot
            .alerts
            .iter()
            .filter(|a| &*a.service == "payments" && a.status != Status::Resolved)
            .collect();
        assert!(!payments.is_empty());
        assert!(payments.iter().all(|a| a.status == Status::Silenced));
        let id = made.id.clone();
        demo.perform(
            &AlertKey("demo:".into()),
            &Operation::ExpireSilence { id: id.clone() },
            "ana",
        )
        .await
        .unwrap();
        let expired = demo.snapshot().silences;
        let it = expired.iter().find(|s| s.id == id).unwrap();
        assert_eq!(it.state, crate::model::SilenceState::Expired);
        let again = demo
            .perform(
                &AlertKey("demo:".into()),
                &Operation::ExpireSilence { id },
                "ana",
            )
            .await;
        assert!(matches!(again, Err(Error::Rejected(_))), "{again:?}");
        clock.advance(TimeDelta::seconds(601));
        assert!(
            demo.snapshot()
                .alerts
                .iter()
                .all(|a| a.status != Status::Silenced)
        );
    }

    #[tokio::test]
    async fn notes_are_kept_on_the_alert() {
        let (mut demo, _) = demo_at(100);
        let key = AlertKey("demo:replicationlag".into());
        let op = Operation::AddNote {
            text: "looking at the replica".into(),
        };
        demo.perform(&key, &op, "ana").await.unwrap();
        let a = demo
            .snapshot()
            .alerts
            .iter()
            .find(|a| a.key == key)
            .cloned()
            .unwrap();
        assert_eq!(a.notes.len(), 1);
        assert_eq!(a.notes[0].text, "looking at the replica");
    }

    #[tokio::test]
    async fn escalating_pages_the_next_level_from_now_until_the_last() {
        let (mut demo, clock) = demo_at(100);
        let key = AlertKey("demo:errorratehigh-0-0".into());
        let alert = |demo: &DemoSource| {
            demo.snapshot()
                .alerts
                .iter()
                .find(|a| a.key == key)
                .cloned()
                .unwrap()
        };
        let escalate = Operation::Escalate { level: None };
        demo.perform(&key, &escalate, "ana").await.unwrap();
        let a = alert(&demo);
        let e = a.escalation.clone().unwrap();
        assert_eq!((&*e.policy, e.level), ("payments-critical", 1));
        assert_eq!(e.since, crate::clock::Clock::now(&clock));
        assert!(a.notes[0].text.contains("escalated to L2"), "{:?}", a.notes);
        let again = demo.perform(&key, &escalate, "ana").await;
        assert!(
            matches!(&again, Err(Error::Rejected(m)) if m.contains("last level")),
            "{again:?}"
        );
        let back = Operation::Escalate { level: Some(1) };
        demo.perform(&key, &back, "ana").await.unwrap();
        assert_eq!(alert(&demo).escalation.unwrap().level, 0);
    }

    #[tokio::test]
    async fn unknown_alert_is_refused() {
        let (mut demo, _) = demo_at(10);
        let r = demo
            .perform(
                &AlertKey("demo:nope".into()),
                &Operation::Acknowledge,
                "ana",
            )
            .await;
        assert!(r.is_err());
    }

    #[test]
    fn pre_acked_alert_shows_who() {
        let (demo, _) = demo_at(0);
        let a = demo
            .snapshot()
            .alerts
            .iter()
            .find(|a| &*a.title == "IndexBacklog")
            .cloned()
            .unwrap();
        assert_eq!(
            (a.status, a.acked_by.as_deref()),
            (Status::Acked, Some("bo"))
        );
    }
}
