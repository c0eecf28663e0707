//! Deciding to notify: new firing alerts a source reported (`Observed`, so the first poll
//! and a restart notify nothing already known) that pass the rules, and actions a back end
//! refused. Muted with `:mute`. The channels are the runtime's (`Effect::Notify`).

use std::collections::HashMap;

use chrono::{DateTime, Utc};

use crate::app::{App, Effect, MyShift};
use crate::model::{Alert, SourceId, sanitize};
use crate::notify::Notification;
use crate::notify::rules::group_of;
use crate::sources::observe::Observation;

/// Most alerts named in one notification; the rest are counted.
const NAMED: usize = 3;

/// Notifies of the alerts that fired at `source`, as the rules and limits allow.
pub fn fired(app: &mut App, source: &SourceId, changes: &[Observation], fx: &mut Vec<Effect>) {
    if is_muted(app) {
        return;
    }
    let fired: Vec<&Observation> = changes
        .iter()
        .filter(|o| o.what.starts_with("fired"))
        .collect();
    if fired.is_empty() {
        return;
    }
    let Some(s) = app.sources.iter().find(|s| s.info.id == *source) else {
        return;
    };
    // A notification from the demo says so: it reaches a real desktop or terminal.
    let label = if s.info.can.is_simulated {
        "[demo] "
    } else {
        ""
    };
    // The newest alerts of that source, waiting for their order or shown.
    let alerts = s.incoming.clone().unwrap_or_else(|| s.alerts.clone());
    let by_key: HashMap<&str, &Alert> = alerts.iter().map(|a| (a.key.0.as_str(), a)).collect();
    let is_on_call = matches!(app.my_shift(), Some(MyShift::OnNow { .. }));
    let now = app.now;
    let mut wanted: Vec<&Alert> = fired
        .iter()
        .filter_map(|o| by_key.get(o.key.0.as_str()).copied())
        .filter(|a| app.settings.notify_rules.wants(a, now, is_on_call))
        .collect();
    wanted.retain(|a| app.notify_limits.admit(&group_of(a), now));
    if wanted.is_empty() {
        return;
    }
    wanted.sort_by_key(|a| a.severity);
    let title = match wanted.as_slice() {
        [one] => format!("{label}{} {}", one.severity.short(), one.title),
        many => format!(
            "{label}{} new alerts, worst {}",
            many.len(),
            many[0].severity.short()
        ),
    };
    let body = match wanted.as_slice() {
        [one] => {
            let summary = one.annotations.get("summary").unwrap_or_default();
            format!("{} · {} · {summary}", one.service, one.source)
        }
        many => {
            let mut names: Vec<&str> = many.iter().take(NAMED).map(|a| &*a.title).collect();
            if many.len() > NAMED {
                names.push("…");
            }
            names.join(", ")
        }
    };
    send(app, title, body, fx);
}

/// How often the escalations are looked at between polls: a level is reached minutes after
/// an alert fired, so a quarter of a minute late is soon enough, and looking costs a pass
/// over the alerts of sources whose policies name me past their first level.
pub const ESCALATION_CHECK_SECS: i64 = 15;

/// Notifies of firing alerts whose escalation has reached a level after the first where I
/// am on call ("escalated to me"): once per alert and level in a run. Alerts already there
/// when onduty starts notify too: they are paging me now.
pub fn escalated_to_me(app: &mut App, fx: &mut Vec<Effect>) {
    let me = app.settings.identity.clone();
    let now = app.now;
    let names_me = |l: &crate::model::EscalationLevel| l.on_call.iter().any(|o| o.who == me);
    let mut reached = Vec::new();
    for s in &app.sources {
        let mine: Vec<&crate::model::EscalationPolicy> = s
            .escalation
            .iter()
            .filter(|p| p.levels.iter().skip(1).any(names_me))
            .collect();
        if mine.is_empty() {
            continue;
        }
        for a in s
            .alerts
            .iter()
            .filter(|a| a.status == crate::model::Status::Firing)
        {
            // The policy that covers it: the first of its source's, as everywhere else.
            let Some(p) = s.escalation.iter().find(|p| p.covers(a)) else {
                continue;
            };
            if !mine.iter().any(|m| std::ptr::eq(*m, p)) {
                continue;
            }
            let at = a.escalation.as_deref().or(app.escalated.get(&a.key));
            let Some(state) = p.state_from(at, a, now) else {
                continue;
            };
            if state.current > 0 && names_me(state.level) {
                reached.push((a.key.clone(), state.current, a.clone(), p.name.clone()));
            }
        }
    }
    let label = |a: &Alert| {
        let is_demo = app
            .sources
            .iter()
            .any(|s| s.info.id == a.source && s.info.can.is_simulated);
        if is_demo { "[demo] " } else { "" }
    };
    let mut told = Vec::new();
    for (key, level, alert, policy) in reached {
        if app.escalations_told.insert((key, level)) {
            told.push((
                format!(
                    "{}Escalated to you: {} {}",
                    label(&alert),
                    alert.severity.short(),
                    alert.title
                ),
                format!(
                    "L{} of {policy} · {} · {}",
                    level + 1,
                    alert.service,
                    alert.source
                ),
            ));
        }
    }
    if is_muted(app) {
        return;
    }
    for (title, body) in told {
        send(app, title, body, fx);
    }
}

/// Notifies of incidents declared since the list before (`old`) by someone else, as severe
/// as the rules ask (critical: SEV1, error: SEV2 or worse, warning: SEV3, info: any).
pub fn new_incidents(
    app: &mut App,
    old: &[crate::model::incident::Incident],
    fx: &mut Vec<Effect>,
) {
    if is_muted(app) {
        return;
    }
    let worst_wanted = match app.settings.notify_rules.severity {
        crate::model::Severity::Critical => 1,
        crate::model::Severity::Error => 2,
        crate::model::Severity::Warning => 3,
        _ => 4,
    };
    let me = app.settings.identity.clone();
    let new: Vec<(i64, u8, String, Option<String>)> = app
        .journal_incidents
        .iter()
        .filter(|i| !old.iter().any(|o| o.id == i.id))
        .filter(|i| i.severity <= worst_wanted && i.commander.as_deref() != Some(me.as_str()))
        .map(|i| (i.id, i.severity, i.title.clone(), i.commander.clone()))
        .collect();
    for (id, severity, title, commander) in new {
        let body = match commander {
            Some(who) => format!("incident:{id}, commander {who}"),
            None => format!("incident:{id}"),
        };
        send(app, format!("SEV{severity} declared: {title}"), body, fx);
    }
}

/// Notifies that an action the responder took was refused: it would otherwise be missed.
pub fn refused(app: &mut App, what: &str, why: &str, fx: &mut Vec<Effect>) {
    if !is_muted(app) {
        send(app, format!("{what} failed"), why.to_string(), fx);
    }
}

fn send(app: &mut App, title: String, body: String, fx: &mut Vec<Effect>) {
    let is_ringing = app.notify_limits.ring(app.now);
    fx.push(Effect::Notify(Notification {
        title: sanitize::line(&title, 120),
        body: sanitize::line(&body, 300),
        is_ringing,
    }));
}

fn is_muted(app: &App) -> bool {
    app.muted_until.is_some_and(|until| app.now < until)
}

/// `:mute [30m|off]`.
pub fn mute(app: &mut App, text: &str) {
    match text.trim() {
        "off" | "no" => {
            app.muted_until = None;
            app.toast_info("notifications on");
        }
        text => {
            let text = if text.is_empty() { "30m" } else { text };
            match crate::duration_fmt::parse(text) {
                Ok(d) => {
                    let until: DateTime<Utc> = app.now
                        + chrono::TimeDelta::from_std(d).unwrap_or(chrono::TimeDelta::minutes(30));
                    app.muted_until = Some(until);
                    app.toast_info(format!(
                        "notifications muted for {}",
                        crate::duration_fmt::short(d)
                    ));
                }
                Err(e) => app.toast_error(format!("mute: {e} (mute 30m, mute off)")),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::TimeDelta;

    use crate::app::{Action, App, Effect};
    use crate::model::{AlertKey, Severity, SourceId, Status};
    use crate::notify::Notification;
    use crate::sources::SourceEvent;
    use crate::sources::observe::Observation;
    use crate::testing::{labelled_alert, ticket_app};

    fn notified(fx: &[Effect]) -> Vec<Notification> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::Notify(n) => Some(n.clone()),
                _ => None,
            })
            .collect()
    }

    /// `prod-am` now reports `alerts`, and says they fired.
    fn fire(app: &mut App, alerts: Vec<crate::model::Alert>) -> Vec<Effect> {
        let changes = alerts
            .iter()
            .map(|a| Observation {
                key: a.key.clone(),
                at: app.now,
                what: crate::sources::observe::fired(a),
            })
            .collect();
        let source = SourceId("prod-am".into());
        let mut fx = app.update(Action::Source(SourceEvent::AlertsFetched {
            source: source.clone(),
            alerts: alerts.into(),
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: Vec::new().into(),
            fetched_at: app.now,
        }));
        fx.extend(app.update(Action::Source(SourceEvent::Observed { source, changes })));
        fx
    }

    fn crit(name: &str, status: Status) -> crate::model::Alert {
        labelled_alert(name, Severity::Critical, status, &[("alertname", name)])
    }

    #[test]
    fn a_new_critical_alert_notifies_once_a_minute_and_acked_or_minor_ones_never() {
        let mut app = ticket_app(120, 30);
        let fx = fire(&mut app, vec![crit("DbDown", Status::Firing)]);
        let n = notified(&fx);
        assert_eq!(n.len(), 1, "{fx:?}");
        assert_eq!(n[0].title, "CRIT DbDown");
        assert!(n[0].is_ringing);
        // Fired again within the minute (flapping): the group already notified.
        let fx = fire(&mut app, vec![crit("DbDown", Status::Firing)]);
        assert!(notified(&fx).is_empty());
        let quiet = vec![
            crit("Acked", Status::Acked),
            crit("Silenced", Status::Silenced),
            labelled_alert(
                "Minor",
                Severity::Warning,
                Status::Firing,
                &[("alertname", "Minor")],
            ),
        ];
        assert!(notified(&fire(&mut app, quiet)).is_empty());
        app.now += TimeDelta::seconds(61);
        let fx = fire(
            &mut app,
            vec![
                crit("DbDown", Status::Firing),
                crit("ApiDown", Status::Firing),
            ],
        );
        let n = notified(&fx);
        assert_eq!(n.len(), 1, "one notification for the storm");
        assert_eq!(n[0].title, "2 new alerts, worst CRIT");
        assert!(n[0].body.contains("DbDown") && n[0].body.contains("ApiDown"));
    }

    #[test]
    fn the_demos_notifications_say_they_are_the_demos() {
        let (source, clock) = crate::testing::demo_source(100);
        let mut app = crate::testing::empty_app(clock.now_utc());
        let snapshot = source.snapshot();
        let changes: Vec<Observation> = snapshot
            .alerts
            .iter()
            .filter(|a| a.severity == Severity::Critical && a.status == Status::Firing)
            .map(|a| Observation {
                key: a.key.clone(),
                at: app.now,
                what: "fired (critical)".into(),
            })
            .collect();
        assert!(
            !changes.is_empty(),
            "the demo starts with critical alerts firing"
        );
        crate::testing::feed(&mut app, snapshot, clock.now_utc());
        let fx = app.update(Action::Source(SourceEvent::Observed {
            source: SourceId("demo".into()),
            changes,
        }));
        let n = notified(&fx);
        assert_eq!(n.len(), 1, "{fx:?}");
        assert!(n[0].title.starts_with("[demo] "), "{}", n[0].title);
    }

    #[test]
    fn an_incident_declared_elsewhere_notifies_one_of_mine_or_a_minor_one_does_not() {
        use crate::journal::task::JournalEvent;
        use crate::model::incident::{Incident, IncidentStatus};
        let mut app = ticket_app(120, 30);
        let now = app.now;
        let incident = |id: i64, severity: u8, commander: &str| Incident {
            id,
            title: format!("incident {id}"),
            severity,
            status: IncidentStatus::Investigating,
            commander: Some(commander.into()),
            scribe: None,
            comms: None,
            alerts: vec![],
            opened_at: now,
            resolved_at: None,
            origin: None,
        };
        let start = vec![incident(1, 1, "bo")];
        let fx = app.update(Action::Journal(JournalEvent::Incidents(start.clone())));
        assert!(notified(&fx).is_empty(), "the first list is what was known");
        let mut later = start;
        later.extend([
            incident(2, 1, "bo"),
            incident(3, 1, "ana"),
            incident(4, 3, "bo"),
        ]);
        let n = notified(&app.update(Action::Journal(JournalEvent::Incidents(later))));
        assert_eq!(n.len(), 1, "{n:?}");
        assert_eq!(n[0].title, "SEV1 declared: incident 2");
        assert_eq!(n[0].body, "incident:2, commander bo");
    }

    #[test]
    fn mute_silences_notifications_for_a_while_and_the_header_says_so() {
        let mut app = ticket_app(120, 30);
        super::mute(&mut app, "30m");
        assert!(notified(&fire(&mut app, vec![crit("DbDown", Status::Firing)])).is_empty());
        app.now += TimeDelta::minutes(31);
        assert_eq!(
            notified(&fire(&mut app, vec![crit("ApiDown", Status::Firing)])).len(),
            1
        );
        super::mute(&mut app, "soon");
        assert!(app.toast.as_ref().unwrap().is_error);
        super::mute(&mut app, "1h");
        super::mute(&mut app, "off");
        assert_eq!(app.muted_until, None);
    }

    #[test]
    fn a_refused_action_notifies() {
        let mut app = ticket_app(120, 30);
        let id = crate::sources::CommandId(7);
        app.pending.insert(
            id,
            crate::app::Pending {
                key: AlertKey("jira:OPS-7".into()),
                op: crate::sources::Operation::Resolve,
                since: app.now,
                retrying: None,
            },
        );
        let fx = app.update(Action::Source(SourceEvent::CommandDone {
            id,
            source: SourceId("jira".into()),
            result: Err(crate::sources::Failure::new("no transition to done", false)),
        }));
        let n = notified(&fx);
        assert_eq!(n.len(), 1);
        assert_eq!(n[0].title, "resolve jira:OPS-7 failed");
        assert_eq!(n[0].body, "no transition to done");
        // A back end that is down is retried, not notified.
        let again = crate::sources::CommandId(8);
        let pending = crate::app::Pending {
            key: AlertKey("jira:OPS-7".into()),
            op: crate::sources::Operation::Acknowledge,
            since: app.now,
            retrying: None,
        };
        app.pending.insert(again, pending);
        let fx = app.update(Action::Source(SourceEvent::CommandDone {
            id: again,
            source: SourceId("jira".into()),
            result: Err(crate::sources::Failure::new("connection refused", true)),
        }));
        assert!(notified(&fx).is_empty(), "{fx:?}");
    }

    #[test]
    fn an_alert_escalated_to_me_notifies_once_per_level() {
        // Who is on call at `level` of the demo's payments-critical.
        let at_level = |level: usize| {
            let app = crate::testing::demo_app(100, 120, 40);
            let p = app.sources[0]
                .escalation
                .iter()
                .find(|p| p.name == "payments-critical");
            p.unwrap().levels[level].on_call[0].who.clone()
        };
        let escalations = |who: String, fx_at: &[i64]| {
            let mut app = crate::testing::demo_app(100, 120, 40);
            app.settings.identity = who;
            let start = app.now;
            fx_at
                .iter()
                .map(|secs| notified(&app.update(Action::Tick(start + TimeDelta::seconds(*secs)))))
                .map(|n| {
                    n.into_iter()
                        .filter(|n| n.title.contains("Escalated to you"))
                        .collect::<Vec<_>>()
                })
                .collect::<Vec<_>>()
        };
        // dana is L2 of payments-critical, paged ten minutes after an alert fires unacked.
        let dana = escalations(at_level(1), &[1, 15 * 60, 15 * 60 + 15, 15 * 60 + 30]);
        assert!(dana[0].is_empty(), "not yet at L2: {:?}", dana[0]);
        let told = &dana[1];
        assert!(
            told.iter().any(
                |n| n.title == "[demo] Escalated to you: CRIT ConnectionPoolExhausted"
                    && n.body.starts_with("L2 of payments-critical")
            ),
            "{told:?}"
        );
        assert!(
            dana[2].is_empty() && dana[3].is_empty(),
            "once per alert and level"
        );
        // chen is paged first: that is a new alert, not an escalation.
        let chen = escalations(at_level(0), &[1, 15 * 60]);
        assert!(chen.iter().all(Vec::is_empty), "{chen:?}");
    }

    #[test]
    fn an_acked_or_muted_escalation_does_not_notify() {
        let mut app = crate::testing::demo_app(100, 120, 40);
        app.settings.identity = "dana (eng manager)".into();
        app.muted_until = Some(app.now + TimeDelta::hours(1));
        let later = app.now + TimeDelta::minutes(15);
        assert!(notified(&app.update(Action::Tick(later))).is_empty());
        // Seen while muted: not told again once the mute is over.
        app.muted_until = None;
        let fx = app.update(Action::Tick(later + TimeDelta::seconds(20)));
        assert!(
            notified(&fx).iter().all(|n| !n.title.contains("Escalated")),
            "{fx:?}"
        );
    }
}
