//! Problems in the dashboard: `:problem [TITLE]` opens the known-error record for what is
//! selected (an alert: its name; an incident: it and its alerts' names), `:problem [N] cause|
//! workaround|status|owner|ticket VALUE` changes it; which problem covers an alert; how often
//! the same alert fired lately and which past incidents held it (recurrence, read from the
//! insights ledger); and the suggestion when the same alerts make a third incident in 30 days.

use chrono::TimeDelta;

use super::App;
use crate::journal::problems::NewProblem;
use crate::journal::protocol::Request;
use crate::model::incident::Incident;
use crate::model::problem::{AlertName, Problem, ProblemChange};
use crate::model::{Alert, AlertKey};

/// How far back recurrence looks.
pub const RECURRENCE_WINDOW: TimeDelta = TimeDelta::days(30);
/// Incidents holding the same alerts within the window that suggest a problem record.
pub const SUGGEST_AT: usize = 3;

/// What a problem is opened for or changed on.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Target {
    /// The alerts, by name.
    pub names: Vec<AlertName>,
    /// The incidents (`incident:N`).
    pub incidents: Vec<String>,
}

/// How often an alert came back, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recurrence {
    /// Times alerts of its name fired in the last 30 days.
    pub fired: usize,
    /// The incidents that held an alert of its name (`incident:N`, title, status), newest
    /// first.
    pub incidents: Vec<(String, String, &'static str)>,
}

impl App {
    /// The name of the alert `key`: live at a source, else as it last fired in the history.
    fn name_of_key(&self, key: &AlertKey) -> Option<AlertName> {
        let live = self
            .sources
            .iter()
            .flat_map(|s| s.alerts.iter())
            .find(|a| a.key == *key)
            .map(|a| AlertName {
                title: a.title.to_string(),
                service: a.service.to_string(),
            });
        live.or_else(|| {
            let ledger = self.insights.ledger.as_ref()?;
            let (title, service) = ledger.name_of(&key.0)?;
            Some(AlertName {
                title: title.to_string(),
                service: service.to_string(),
            })
        })
    }

    /// What is selected, as a problem's target.
    pub fn problem_target(&self) -> Option<Target> {
        match self.view {
            super::View::Incidents => {
                let i = self.selected_incident()?;
                let mut names: Vec<AlertName> = i
                    .alerts
                    .iter()
                    .filter_map(|k| self.name_of_key(k))
                    .collect();
                names.sort();
                names.dedup();
                Some(Target {
                    names,
                    incidents: vec![i.subject()],
                })
            }
            _ => {
                let a = self.selected_alert()?;
                Some(Target {
                    names: vec![AlertName {
                        title: a.title.to_string(),
                        service: a.service.to_string(),
                    }],
                    incidents: self
                        .incidents
                        .iter()
                        .filter(|i| i.origin.is_none() && i.alerts.contains(&a.key))
                        .map(Incident::subject)
                        .collect(),
                })
            }
        }
    }

    /// The problem that covers alerts named like `a`.
    pub fn problem_of(&self, a: &Alert) -> Option<&Problem> {
        self.problems
            .iter()
            .find(|p| p.covers(&a.title, &a.service))
    }

    /// The problem that covers `target` (one of its alerts, or it links its incident).
    fn problem_covering(&self, target: &Target) -> Option<&Problem> {
        self.problems.iter().find(|p| {
            target.names.iter().any(|n| p.covers(&n.title, &n.service))
                || target.incidents.iter().any(|i| p.incidents.contains(i))
        })
    }

    /// `:problem …`.
    pub fn problem_command(&mut self, rest: &str, fx: &mut Vec<super::Effect>) {
        if self.settings.is_read_only {
            return self.toast_error("read-only: problems cannot be changed here");
        }
        let (first, tail) = rest.split_once(' ').unwrap_or((rest, ""));
        let numbered = first
            .trim_start_matches('#')
            .parse::<i64>()
            .ok()
            .filter(|n| self.problems.iter().any(|p| p.id == *n));
        let rest = if numbered.is_some() {
            tail.trim()
        } else {
            rest
        };
        let (field, value) = rest.split_once(' ').unwrap_or((rest, ""));
        let author = self.settings.identity.clone();
        let target = self.problem_target();
        if matches!(
            field,
            "cause" | "workaround" | "wa" | "status" | "owner" | "ticket"
        ) {
            let id = numbered.or_else(|| Some(self.problem_covering(target.as_ref()?)?.id));
            let Some(id) = id else {
                return self.toast_error(
                    "no problem covers what is selected: :problem TITLE opens one (:problem N … names one)",
                );
            };
            match ProblemChange::parse(field, value) {
                Ok(change) => {
                    self.toast_info(format!("problem #{id}: {}", change.said()));
                    fx.push(super::Effect::Journal(Request::ChangeProblem {
                        id,
                        change,
                        author,
                    }));
                }
                Err(e) => self.toast_error(format!("problem: {e}")),
            }
            return;
        }
        let Some(target) = target else {
            return self.toast_error("problem: select an alert or an incident first");
        };
        if let Some(id) = numbered {
            // `:problem N` links what is selected to problem N.
            let changes = target
                .names
                .into_iter()
                .map(ProblemChange::LinkAlert)
                .chain(
                    target
                        .incidents
                        .into_iter()
                        .map(ProblemChange::LinkIncident),
                );
            for change in changes {
                fx.push(super::Effect::Journal(Request::ChangeProblem {
                    id,
                    change,
                    author: author.clone(),
                }));
            }
            return self.toast_info(format!("linked to problem #{id}"));
        }
        if rest.is_empty()
            && let Some(p) = self.problem_covering(&target)
        {
            let said = format!(
                "problem #{} ({}) covers it: {}",
                p.id,
                p.status.name(),
                p.title
            );
            return self.toast_info(said);
        }
        let title = if rest.is_empty() {
            match target.names.first() {
                Some(n) => format!("Recurring {}", n.stored()),
                None => return self.toast_error("problem: a title, please (:problem TITLE)"),
            }
        } else {
            rest.to_string()
        };
        self.toast_info(format!("problem opened: {title}"));
        fx.push(super::Effect::Journal(Request::OpenProblem(NewProblem {
            title,
            author,
            alerts: target.names,
            incidents: target.incidents,
        })));
    }

    /// How often alerts named like `a` fired in the last 30 days and which journal incidents
    /// held one; `None` until the history is read.
    pub fn recurrence(&self, a: &Alert) -> Option<Recurrence> {
        let ledger = self.insights.ledger.as_ref()?;
        let (fired, keys) = ledger.fired_named(&a.title, &a.service, self.now - RECURRENCE_WINDOW);
        let mut incidents: Vec<&Incident> = self
            .incidents
            .iter()
            .filter(|i| i.origin.is_none())
            .filter(|i| {
                i.alerts
                    .iter()
                    .any(|k| k == &a.key || keys.iter().any(|s| **s == *k.0))
            })
            .collect();
        incidents.sort_by_key(|i| std::cmp::Reverse(i.opened_at));
        Some(Recurrence {
            fired,
            incidents: incidents
                .into_iter()
                .map(|i| (i.subject(), i.title.clone(), i.status.name()))
                .collect(),
        })
    }

    /// Asks the journal what fixed the past incidents that held the selected alert (once
    /// per incident a run: a post-mortem written meanwhile shows after a restart).
    pub fn ask_past_fixes(&mut self, fx: &mut Vec<super::Effect>) {
        let Some(a) = self
            .selected_alert()
            .filter(|_| self.view == super::View::Alerts)
        else {
            return;
        };
        let Some(r) = self.recurrence(a) else {
            return;
        };
        let wanted: Vec<String> = r
            .incidents
            .into_iter()
            .map(|(subject, ..)| subject)
            .filter(|s| !self.past_fixes.contains_key(s))
            .collect();
        if !wanted.is_empty() {
            for s in &wanted {
                // Asked: not asked again while the answer is on its way.
                self.past_fixes.insert(
                    s.clone(),
                    crate::model::problem::PastFix {
                        incident: s.clone(),
                        ..Default::default()
                    },
                );
            }
            fx.push(super::Effect::Journal(Request::PastFixes(wanted)));
        }
    }

    /// A new journal incident whose alerts made `SUGGEST_AT` incidents in 30 days, and no
    /// problem covers them: say so, once per incident.
    pub fn suggest_problem(&mut self, new: &Incident) {
        let since = self.now - RECURRENCE_WINDOW;
        let names: Vec<AlertName> = new
            .alerts
            .iter()
            .filter_map(|k| self.name_of_key(k))
            .collect();
        for name in names {
            if self
                .problems
                .iter()
                .any(|p| p.covers(&name.title, &name.service))
            {
                continue;
            }
            let held = self
                .incidents
                .iter()
                .filter(|i| i.origin.is_none() && i.opened_at >= since)
                .filter(|i| {
                    i.alerts
                        .iter()
                        .any(|k| self.name_of_key(k).is_some_and(|n| n == name))
                })
                .count();
            if held >= SUGGEST_AT {
                let said = format!(
                    "{}: incident {held} in 30 days with this alert — :problem opens a problem record (cause, workaround)",
                    name.stored()
                );
                self.banner = Some(said);
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use crate::app::{Action, Command, Effect, View};
    use crate::insights::ledger::Ledger;
    use crate::journal::protocol::Request;
    use crate::journal::task::JournalEvent;
    use crate::model::incident::{Incident, IncidentStatus};
    use crate::model::problem::{AlertName, Problem, ProblemChange, ProblemStatus};
    use crate::model::{Entry, EntryKind};

    fn incident(
        id: i64,
        keys: &[crate::model::AlertKey],
        at: chrono::DateTime<chrono::Utc>,
    ) -> Incident {
        Incident {
            id,
            title: format!("Checkout down #{id}"),
            severity: 2,
            status: IncidentStatus::Resolved,
            commander: Some("bo".into()),
            scribe: None,
            comms: None,
            alerts: keys.to_vec(),
            opened_at: at,
            resolved_at: None,
            origin: None,
        }
    }

    #[test]
    fn a_problem_is_opened_for_the_selected_alert_and_its_workaround_shown_with_it() {
        let mut app = crate::testing::demo_app(100, 120, 40);
        let a = app.selected_alert().unwrap().clone();
        let name = AlertName {
            title: a.title.to_string(),
            service: a.service.to_string(),
        };
        let fx = app.run_command_line("problem");
        let [Effect::Journal(Request::OpenProblem(p))] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(p.alerts, vec![name.clone()]);
        assert_eq!(p.title, format!("Recurring {}", name.stored()));
        // Nothing covers it yet: a change names no problem.
        let fx = app.run_command_line("problem workaround restart it");
        assert!(fx.is_empty());
        let problem = Problem {
            id: 4,
            title: "Pool runs dry".into(),
            status: ProblemStatus::KnownError,
            cause: "a leak in the driver".into(),
            workaround: "restart the pool".into(),
            owner: "bo".into(),
            ticket: "OPS-9".into(),
            author: "ana".into(),
            created_at: app.now,
            updated_at: app.now,
            alerts: vec![name],
            incidents: Vec::new(),
        };
        app.update(Action::Journal(JournalEvent::Problems(vec![problem])));
        let fx = app.run_command_line("problem status resolved");
        assert!(
            matches!(
                fx.as_slice(),
                [Effect::Journal(Request::ChangeProblem {
                    id: 4,
                    change: ProblemChange::Status(ProblemStatus::Resolved),
                    ..
                })]
            ),
            "{fx:?}"
        );
        assert!(
            app.run_command_line("problem").is_empty(),
            "it is covered: said, not opened again"
        );
        app.update(Action::Run(Command::OpenDetail));
        let screen = crate::testing::screen(&app, 120, 40);
        assert!(screen.contains("PROBLEM #4 · KNOWN ERROR"), "{screen}");
        assert!(screen.contains("workaround  restart the pool"), "{screen}");
        app.update(Action::Run(Command::OpenRunbook));
        let screen = crate::testing::screen(&app, 120, 40);
        assert!(
            screen.contains("Workaround (problem #4, known error): Pool runs dry"),
            "the runbook leads with it: {screen}"
        );
        app.settings.is_read_only = true;
        assert!(app.run_command_line("problem cause x").is_empty());
    }

    #[test]
    fn recurrence_from_the_history_and_a_problem_suggested_at_the_third_incident() {
        let mut app = crate::testing::demo_app(100, 120, 40);
        let a = app.selected_alert().unwrap().clone();
        let fired = |id: i64, subject: &str, days: i64| Entry {
            id,
            subject: subject.into(),
            at: app.now - TimeDelta::days(days),
            author: "am".into(),
            kind: EntryKind::Observed,
            body: format!("fired (critical): {} · {}", a.title, a.service),
            starred: false,
            corrects: None,
        };
        let history = vec![
            fired(1, "am:old", 45),
            fired(2, "am:gone", 12),
            fired(3, &a.key.0, 1),
        ];
        app.update(Action::Journal(JournalEvent::History(Ok(Box::new(
            Ledger::of(&history),
        )))));
        let gone = crate::model::AlertKey("am:gone".into());
        app.update(Action::Journal(JournalEvent::Incidents(vec![
            incident(
                1,
                std::slice::from_ref(&gone),
                app.now - TimeDelta::days(12),
            ),
            incident(
                2,
                std::slice::from_ref(&a.key),
                app.now - TimeDelta::days(1),
            ),
        ])));
        let r = app.recurrence(&a).unwrap();
        assert_eq!(r.fired, 2, "45 days ago is outside the 30");
        assert_eq!(r.incidents.len(), 2, "one held it under an older key");
        assert_eq!(r.incidents[0].0, "incident:2", "the newest first");
        let fx = app.update(Action::Run(Command::OpenDetail));
        assert!(
            fx.iter()
                .any(|f| matches!(f, Effect::Journal(Request::PastFixes(i)) if i.len() == 2)),
            "what fixed them is asked: {fx:?}"
        );
        app.update(Action::Journal(JournalEvent::PastFixes(vec![
            crate::model::problem::PastFix {
                incident: "incident:1".into(),
                root_cause: vec!["A driver leak holds connections.".into()],
                resolution: vec!["Restarted pgbouncer.".into()],
                workarounds: vec!["workaround: kill idle-in-transaction sessions".into()],
            },
        ])));
        let screen = crate::testing::screen(&app, 120, 40);
        assert!(
            screen.contains("root cause: A driver leak holds connections."),
            "{screen}"
        );
        assert!(
            screen.contains("resolution: Restarted pgbouncer."),
            "{screen}"
        );
        assert!(
            screen.contains("noted: workaround: kill idle-in-transaction sessions"),
            "{screen}"
        );
        assert!(
            screen.contains("recurrence  fired 2× in 30 days"),
            "{screen}"
        );
        assert!(app.banner.is_none());
        app.update(Action::Journal(JournalEvent::Incidents(vec![
            incident(1, &[gone], app.now - TimeDelta::days(12)),
            incident(
                2,
                std::slice::from_ref(&a.key),
                app.now - TimeDelta::days(1),
            ),
            incident(3, std::slice::from_ref(&a.key), app.now),
        ])));
        let banner = app.banner.clone().unwrap_or_default();
        assert!(banner.contains("incident 3 in 30 days"), "{banner}");
        app.view = View::Incidents;
        app.incident_selected = Some("incident:3".into());
        let fx = app.run_command_line("problem Checkout keeps failing");
        let [Effect::Journal(Request::OpenProblem(p))] = fx.as_slice() else {
            panic!("{fx:?}");
        };
        assert_eq!(p.incidents, ["incident:3"]);
        assert_eq!(p.alerts.len(), 1, "the incident's alert, by name");
    }
}
