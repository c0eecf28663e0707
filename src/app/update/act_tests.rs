//! `update` tests of actions on alerts: ack, resolve, silence, escalate, reassign, bulk, what
//! is asked first and what is sent.

use super::tests::*;

#[test]
fn acknowledge_sends_to_the_owning_source_and_shows_pending_until_confirmed() {
    let mut app = demo_app(100, 80, 24);
    let target = selected_key(&app);
    let fx = key(&mut app, 'a');
    let [
        Effect::SendCommand {
            source,
            command:
                SourceCommand::Perform {
                    id,
                    key: k,
                    op,
                    author,
                },
        },
    ] = fx.as_slice()
    else {
        panic!("expected one Perform, got {fx:?}");
    };
    assert_eq!(
        (&*source.0, k.0.as_str(), op, author.as_str()),
        ("demo", target.as_str(), &Operation::Acknowledge, "ana")
    );
    assert!(app.pending_on(k).is_some());
    assert!(
        key(&mut app, 'a').is_empty(),
        "a second ack while pending is not sent"
    );
    let down = Failure::new("connection refused", true);
    let fx = app.update(Action::Source(SourceEvent::CommandDone {
        id: *id,
        source: source.clone(),
        result: Err(down.clone()),
    }));
    assert_eq!(
        app.pending_on(k).and_then(|p| p.retrying.as_deref()),
        Some("connection refused"),
        "a back end that is down leaves the action pending"
    );
    assert!(
        matches!(fx.as_slice(), [Effect::Journal(Request::Outcome { result: Err(f), .. })] if *f == down),
        "{fx:?}"
    );
    let fx = app.update(Action::Source(SourceEvent::CommandDone {
        id: *id,
        source: source.clone(),
        result: Err(Failure::new("boom", false)),
    }));
    assert!(app.pending.is_empty());
    let toast = app.toast.clone().unwrap();
    assert!(toast.is_error && toast.text.contains("boom"), "{toast:?}");
    // Recorded, then the refusal is notified (it could go unseen otherwise).
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Journal(Request::Outcome { .. }), Effect::Notify(n)] if n.body == "boom"
        ),
        "{fx:?}"
    );
}

#[test]
fn resolve_asks_first_and_only_yes_sends() {
    let mut app = demo_app(100, 80, 24);
    assert!(key(&mut app, 'r').is_empty());
    assert!(matches!(app.overlay, Overlay::Confirm(Confirm::Resolve(_))));
    assert!(key(&mut app, 'n').is_empty());
    assert_eq!(app.overlay, Overlay::None);
    key(&mut app, 'r');
    let fx = key(&mut app, 'y');
    assert!(matches!(
        fx.as_slice(),
        [Effect::SendCommand {
            command: SourceCommand::Perform {
                op: Operation::Resolve,
                ..
            },
            ..
        }]
    ));
}

#[test]
fn silence_prompt_takes_duration_and_comment_and_rejects_nonsense() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 's');
    let Overlay::Prompt(p) = &app.overlay else {
        panic!("no prompt")
    };
    assert_eq!(
        p.input.text(),
        "2h ",
        "prefilled with the configured default"
    );
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "soon");
    assert!(code(&mut app, KeyCode::Enter).is_empty());
    let Overlay::Prompt(p) = &app.overlay else {
        panic!("prompt closed on bad input")
    };
    assert!(p.error.is_some());
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "30m deploy");
    let fx = code(&mut app, KeyCode::Enter);
    let [
        Effect::SendCommand {
            command: SourceCommand::Perform { op, .. },
            ..
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(
        op,
        &Operation::Silence {
            duration: std::time::Duration::from_secs(1800),
            comment: "deploy".into()
        }
    );
}

#[test]
fn read_only_refuses_every_action() {
    let mut app = demo_app(100, 80, 24);
    app.settings.is_read_only = true;
    for c in ['a', 'r', 's', 'n'] {
        assert!(key(&mut app, c).is_empty());
        assert_eq!(app.overlay, Overlay::None);
    }
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("read-only"))
    );
}

#[test]
fn quit_asks_while_actions_are_pending() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'a');
    assert!(key(&mut app, 'q').is_empty());
    assert_eq!(app.overlay, Overlay::Confirm(Confirm::Quit));
    assert_eq!(key(&mut app, 'y'), vec![Effect::Quit]);
    let mut calm = demo_app(100, 80, 24);
    assert_eq!(key(&mut calm, 'q'), vec![Effect::Quit]);
}

#[test]
fn an_ack_goes_to_one_instance_per_cluster() {
    use crate::app::SourceInfo;
    let (source, clock) = demo_source(100);
    let snapshot = source.snapshot();
    let base = crate::testing::empty_app(clock.now_utc());
    let info = |name: &str, cluster: Option<&str>| SourceInfo {
        cluster: cluster.map(String::from),
        ..SourceInfo::new(
            SourceId(name.into()),
            crate::sources::alertmanager::KIND,
            std::time::Duration::from_secs(15),
        )
    };
    for (clusters, expected) in [
        ([Some("eu"), Some("eu"), Some("us")], 2),
        ([None, None, None], 3),
    ] {
        let infos = vec![
            info("a", clusters[0]),
            info("b", clusters[1]),
            info("c", clusters[2]),
        ];
        let mut app = App::new(
            base.settings.clone(),
            infos,
            base.theme.clone(),
            base.themes.clone(),
            clock.now_utc(),
        );
        app.update(Action::Resize(80, 24));
        for name in ["a", "b", "c"] {
            let id = SourceId(name.into());
            let alerts: Vec<_> = snapshot
                .alerts
                .iter()
                .map(|a| {
                    let mut a = a.clone();
                    a.key = crate::model::AlertKey::new(&id, a.key.0.trim_start_matches("demo:"));
                    a.source = id.clone();
                    a
                })
                .collect();
            app.update(Action::Source(SourceEvent::AlertsFetched {
                source: id,
                alerts: alerts.into(),
                escalation: Vec::new().into(),
                silences: Vec::new().into(),
                tickets: Vec::new().into(),
                fetched_at: clock.now_utc(),
            }));
        }
        assert_eq!(
            app.shown_of_total().0,
            snapshot.alerts.len(),
            "one row per alert"
        );
        let fx = key(&mut app, 'a');
        assert_eq!(fx.len(), expected, "clusters {clusters:?}: {fx:?}");
        key(&mut app, 'S');
        let Overlay::SilenceEditor(editor) = &app.overlay else {
            panic!("no editor")
        };
        assert_eq!(
            editor.preview.as_ref().map(Vec::len),
            Ok(1),
            "one alert, however many instances"
        );
        let fx = code(&mut app, KeyCode::Enter);
        assert_eq!(
            fx.len(),
            expected,
            "a matcher silence also goes to each cluster: {fx:?}"
        );
    }
}

#[test]
fn escalate_asks_first_and_sends_the_next_level_or_the_one_named() {
    let mut app = demo_app(100, 80, 24);
    assert!(key(&mut app, 'e').is_empty());
    let Overlay::Confirm(Confirm::Escalate(target, None)) = &app.overlay else {
        panic!("no question: {:?}", app.overlay)
    };
    assert_eq!(target.0, selected_key(&app));
    let fx = key(&mut app, 'y');
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::SendCommand {
                command: SourceCommand::Perform {
                    op: Operation::Escalate { level: None },
                    ..
                },
                ..
            }]
        ),
        "{fx:?}"
    );
    key(&mut app, ':');
    typed(&mut app, "escalate L2");
    code(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.overlay,
        Overlay::Confirm(Confirm::Escalate(_, Some(2)))
    ));
    code(&mut app, KeyCode::Esc);
    key(&mut app, ':');
    typed(&mut app, "reassign bo");
    let fx = code(&mut app, KeyCode::Enter);
    assert!(
        fx.iter().any(|e| matches!(
            e,
            Effect::SendCommand {
                command: SourceCommand::Perform { op: Operation::Reassign { to }, .. },
                ..
            } if to == "bo"
        )),
        "{fx:?}"
    );
}

#[test]
fn resolved_on_demand_asks_every_source_and_off_turns_it_back() {
    let mut app = demo_app(100, 80, 24);
    // Taken for a PagerDuty source: the others keep no resolved alerts (refused then).
    app.sources[0].info.can = crate::sources::pagerduty::CAPABILITIES;
    let mut run = |text: &str| {
        key(&mut app, ':');
        typed(&mut app, text);
        code(&mut app, KeyCode::Enter)
    };
    let fx = run("resolved 12h");
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::SendCommand {
                command: SourceCommand::ShowResolved(Some(w)),
                ..
            }] if w.as_secs() == 12 * 3600
        ),
        "{fx:?}"
    );
    let fx = run("resolved off");
    assert!(matches!(
        fx.as_slice(),
        [Effect::SendCommand {
            command: SourceCommand::ShowResolved(None),
            ..
        }]
    ));
    assert!(run("resolved soon").is_empty());
    let fx = run("mine");
    assert!(matches!(
        fx.as_slice(),
        [Effect::SendCommand {
            command: SourceCommand::MineOnly(true),
            ..
        }]
    ));
    let fx = run("mine");
    assert!(matches!(
        fx.as_slice(),
        [Effect::SendCommand {
            command: SourceCommand::MineOnly(false),
            ..
        }]
    ));
}

#[test]
fn marked_alerts_are_acked_together_and_resolved_together_after_one_question() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ' ');
    key(&mut app, 'j');
    key(&mut app, ' ');
    assert_eq!(app.marked.len(), 2);
    let fx = key(&mut app, 'a');
    let acks = fx
        .iter()
        .filter(|e| {
            matches!(
                e,
                Effect::SendCommand {
                    command: SourceCommand::Perform {
                        op: Operation::Acknowledge,
                        ..
                    },
                    ..
                }
            )
        })
        .count();
    assert_eq!(acks, 2, "{fx:?}");
    assert!(app.marked.is_empty(), "marks are used up");
    key(&mut app, ' '); // marks and moves down
    key(&mut app, ' ');
    assert!(key(&mut app, 'r').is_empty());
    assert!(
        matches!(&app.overlay, Overlay::Confirm(Confirm::ResolveMarked(k)) if k.len() == 2),
        "{:?} {:?}",
        app.overlay,
        app.marked
    );
    let fx = key(&mut app, 'y');
    assert_eq!(fx.len(), 2, "{fx:?}");
    assert!(app.marked.is_empty());
}

#[test]
fn opening_a_pagerduty_incident_asks_for_its_alerts_once_in_a_while() {
    let mut app = demo_app(100, 80, 24);
    app.sources[0].info.can = crate::sources::pagerduty::CAPABILITIES;
    let fx = code(&mut app, KeyCode::Enter);
    let asked = fx.iter().find_map(|e| match e {
        Effect::SendCommand {
            command: SourceCommand::Related(key),
            ..
        } => Some(key.clone()),
        _ => None,
    });
    let key = asked.expect("asked for the incident's alerts");
    assert_eq!(key.0, selected_key(&app));
    assert_eq!(app.related[&key].answer, None, "awaited");
    let related = vec![crate::model::Related::new("disk full", "triggered", None)];
    app.update(Action::Source(SourceEvent::Related {
        key: key.clone(),
        result: Ok(related.clone()),
    }));
    assert_eq!(app.related[&key].answer, Some(Ok(related)));
    code(&mut app, KeyCode::Esc);
    let again = code(&mut app, KeyCode::Enter);
    assert!(
        !again.iter().any(|e| matches!(
            e,
            Effect::SendCommand {
                command: SourceCommand::Related(_),
                ..
            }
        )),
        "asked a moment ago: {again:?}"
    );
    // A demo alert has nothing behind it: its source is not asked.
    let mut demo = demo_app(100, 80, 24);
    assert!(code(&mut demo, KeyCode::Enter).is_empty());
}

#[test]
fn an_alertmanager_alert_escalated_here_moves_to_the_next_level_from_now() {
    let mut app = demo_app(100, 80, 24);
    app.sources[0].info.can = crate::sources::alertmanager::CAPABILITIES;
    key(&mut app, 'e');
    let fx = key(&mut app, 'y');
    let Some(Effect::SendCommand {
        source,
        command: SourceCommand::Perform {
            id, key: target, ..
        },
    }) = fx.first()
    else {
        panic!("{fx:?}")
    };
    let alert = app.selected_alert().unwrap().clone();
    assert_eq!(app.escalation_state(&alert, app.now).unwrap().1.current, 0);
    app.update(Action::Source(SourceEvent::CommandDone {
        id: *id,
        source: source.clone(),
        result: Ok(()),
    }));
    let reached = app.escalated.get(target).cloned().unwrap();
    assert_eq!((reached.level, reached.since), (1, app.now));
    let (_, state) = app.escalation_state(&alert, app.now).unwrap();
    assert_eq!(state.current, 1, "L2 pages now");
}

#[test]
fn unack_and_responder_are_sent_where_the_source_does_them_and_refused_where_not() {
    let mut app = demo_app(100, 80, 24);
    let sent = |fx: &[Effect]| -> Vec<Operation> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::SendCommand {
                    command: SourceCommand::Perform { op, .. },
                    ..
                } => Some(op.clone()),
                _ => None,
            })
            .collect()
    };
    let run = |app: &mut App, text: &str| {
        key(app, ':');
        typed(app, text);
        code(app, KeyCode::Enter)
    };
    let fx = run(&mut app, "responder team:SRE");
    assert_eq!(
        sent(&fx),
        [Operation::AddResponder {
            who: "team:SRE".into()
        }]
    );
    // The first alert fires unacknowledged: nothing to take back, said instead of sent.
    assert!(sent(&run(&mut app, "unack")).is_empty());
    for _ in 0..20 {
        if app.selected_alert().map(|a| a.status) == Some(crate::model::Status::Acked) {
            break;
        }
        key(&mut app, 'j');
    }
    let fx = run(&mut app, "unack");
    assert_eq!(sent(&fx), [Operation::Unacknowledge]);
    // An Alertmanager takes neither: said instead of sent.
    app.sources[0].info.can = crate::sources::alertmanager::CAPABILITIES;
    assert!(sent(&run(&mut app, "unack")).is_empty());
    assert!(sent(&run(&mut app, "responder SRE")).is_empty());
    assert!(sent(&run(&mut app, "responder")).is_empty(), "nobody named");
}
