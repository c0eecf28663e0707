//! `update` tests: an action in, the state and the effects checked.

use chrono::TimeDelta;
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::app::rows::{AlertRef, Row};
use crate::app::{Action, App, Command, Confirm, Effect, Overlay, View};
use crate::journal::task::Request;
use crate::model::{SourceId, Status};
use crate::sources::{Failure, Operation, SourceCommand, SourceEvent};
use crate::testing::{demo_app, demo_source, empty_app, feed};

pub(super) fn key(app: &mut App, c: char) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char(c),
        KeyModifiers::NONE,
    )))
}

pub(super) fn code(app: &mut App, code: KeyCode) -> Vec<Effect> {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)))
}

pub(super) fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, c);
    }
}

fn selected_key(app: &App) -> String {
    app.selected_alert()
        .map(|a| a.key.0.clone())
        .unwrap_or_default()
}

#[test]
fn list_is_sorted_most_severe_first_and_first_alert_selected() {
    let app = demo_app(100, 80, 24);
    let sevs: Vec<_> = app
        .alert_list
        .rows
        .iter()
        .filter_map(|r| match r {
            Row::Alert(a) => app.alert(*a).map(|a| a.severity),
            Row::Group { .. } => None,
        })
        .collect();
    assert!(sevs.windows(2).all(|w| w[0] <= w[1]), "{sevs:?}");
    assert_eq!(app.alert_list.cursor, 0);
    assert!(app.selected.is_some());
}

#[test]
fn selection_follows_the_alert_across_refreshes() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'j');
    key(&mut app, 'j');
    let chosen = selected_key(&app);
    // 20 s later a new alert (PodCrashLooping, error) has appeared above some rows.
    let (source, clock) = demo_source(160);
    feed(&mut app, source.snapshot(), clock.now_utc());
    assert_eq!(selected_key(&app), chosen);
}

#[test]
fn chord_g_g_jumps_to_top_and_capital_g_to_bottom() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'G');
    assert_eq!(app.alert_list.cursor, app.alert_list.rows.len() - 1);
    key(&mut app, 'g');
    assert_eq!(
        app.alert_list.cursor,
        app.alert_list.rows.len() - 1,
        "one g waits for the second"
    );
    key(&mut app, 'g');
    assert_eq!(app.alert_list.cursor, 0);
}

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
fn filter_applies_while_typing_and_esc_clears_it() {
    let mut app = demo_app(100, 80, 24);
    let all = app.shown_of_total().0;
    key(&mut app, '/');
    typed(&mut app, "team=payments");
    let (shown, _) = app.shown_of_total();
    assert!(shown > 0 && shown < all);
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.filter_text, "team=payments");
    code(&mut app, KeyCode::Esc);
    assert_eq!(app.shown_of_total().0, all);
}

#[test]
fn a_half_typed_bad_regex_keeps_the_last_good_filter() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, '/');
    typed(&mut app, "service=~pay.*");
    let shown = app.shown_of_total().0;
    typed(&mut app, "(");
    assert_eq!(app.shown_of_total().0, shown);
}

#[test]
fn grouping_puts_the_most_severe_group_first() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'v');
    let Some(Row::Group { label, .. }) = app.alert_list.rows.first() else {
        panic!("no group")
    };
    assert!(label.starts_with("payments"), "{label}");
}

#[test]
fn palette_switches_views_and_themes_and_reports_unknown_words() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ':');
    typed(&mut app, "oncall");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.view, View::OnCall);
    key(&mut app, ':');
    typed(&mut app, "theme mono");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.theme.name, "mono");
    key(&mut app, ':');
    typed(&mut app, "bogus");
    code(&mut app, KeyCode::Enter);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.is_error && t.text.contains("bogus"))
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
fn a_failed_poll_keeps_the_last_alerts_and_marks_the_source_failing() {
    let mut app = demo_app(100, 80, 24);
    let before = app.shown_of_total();
    let at = app.now;
    app.update(Action::Source(SourceEvent::PollFailed {
        source: SourceId("demo".into()),
        error: "HTTP 500".into(),
        at,
    }));
    assert_eq!(app.shown_of_total(), before);
    assert!(
        matches!(app.sources[0].health(app.now), crate::app::SourceHealth::Failing(e) if e == "HTTP 500")
    );
}

#[test]
fn ticks_redraw_only_when_something_visible_changes() {
    // At 400 s the incident is over: no young alerts, no countdown.
    let mut app = demo_app(400, 80, 24);
    app.is_dirty = false;
    let now = app.now;
    let next_minute = now + TimeDelta::seconds(60 - now.timestamp() % 60);
    app.update(Action::Tick(next_minute - TimeDelta::seconds(1)));
    assert!(!app.is_dirty, "nothing on screen counts seconds");
    app.update(Action::Tick(next_minute));
    assert!(app.is_dirty, "the clock's minute changed");
}

#[test]
fn an_alert_that_starts_hours_ahead_does_not_redraw_every_second() {
    // Alertmanager stamps an alert posted with an end and no start as starting at its end,
    // and a back end's clock may run ahead: the age reads "0s" until then, nothing ticks.
    let mut app = demo_app(400, 80, 24);
    let starting_at = |app: &mut App, at| {
        let mut alerts = app.sources[0].alerts.as_ref().clone();
        for a in &mut alerts {
            a.started_at = at;
        }
        app.sources[0].alerts = std::sync::Arc::new(alerts);
        app.rebuild_rows(&mut Vec::new());
        app.is_dirty = false;
    };
    let hours_ahead = app.now + TimeDelta::hours(3);
    starting_at(&mut app, hours_ahead);
    let next_minute = app.now + TimeDelta::seconds(60 - app.now.timestamp() % 60);
    app.update(Action::Tick(next_minute - TimeDelta::seconds(2)));
    assert!(!app.is_dirty, "a start hours away counts no seconds");
    // Seconds of skew still count: that age turns from "0s" to counting within the minute.
    let seconds_ahead = app.now + TimeDelta::seconds(5);
    starting_at(&mut app, seconds_ahead);
    app.update(Action::Tick(next_minute - TimeDelta::seconds(1)));
    assert!(app.is_dirty, "a start seconds away is about to count");
}

#[test]
fn ticks_redraw_every_second_while_a_countdown_shows() {
    let mut app = demo_app(100, 200, 60);
    app.is_dirty = false;
    let firing = app.selected_alert().map(|a| a.status);
    assert_eq!(firing, Some(Status::Firing));
    app.update(Action::Tick(app.now + TimeDelta::seconds(1)));
    assert!(app.is_dirty);
}

#[test]
fn commands_are_runnable_by_name() {
    let mut app = demo_app(100, 80, 24);
    let fx = app.update(Action::Run(Command::Refresh));
    assert_eq!(
        fx,
        vec![Effect::SendCommand {
            source: SourceId("demo".into()),
            command: SourceCommand::PollNow
        }]
    );
}

#[test]
fn space_marks_and_capital_s_opens_the_editor_on_the_shared_labels() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ' ');
    key(&mut app, ' ');
    assert_eq!(app.marked.len(), 2);
    key(&mut app, 'S');
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    // The two top alerts are payments critical alerts: they share team and severity.
    assert!(
        editor.matchers.text().contains("team=\"payments\""),
        "{}",
        editor.matchers.text()
    );
    assert!(
        !editor.matchers.text().contains("alertname"),
        "alertnames differ"
    );
    assert_eq!(
        editor.preview.as_ref().map(Vec::len),
        Ok(3),
        "three payments criticals fire"
    );
    assert!(
        editor.warning().is_some(),
        "no alertname/service matcher: broad"
    );
}

#[test]
fn the_editor_preview_follows_the_matchers_and_enter_creates_the_silence() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'S');
    code(&mut app, KeyCode::BackTab);
    code(&mut app, KeyCode::BackTab);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "service=~\"pay.*\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert_eq!(editor.preview.as_ref().map(Vec::len), Ok(3));
    typed(&mut app, " alertname=\"ErrorRateHigh\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert_eq!(editor.preview.as_ref().map(Vec::len), Ok(1));
    assert!(editor.warning().is_none());
    code(&mut app, KeyCode::Tab);
    code(&mut app, KeyCode::Tab);
    typed(&mut app, "deploy");
    let fx = code(&mut app, KeyCode::Enter);
    let [
        Effect::SendCommand {
            source,
            command:
                SourceCommand::Perform {
                    op:
                        Operation::CreateSilence {
                            matchers,
                            comment,
                            duration,
                        },
                    ..
                },
        },
    ] = fx.as_slice()
    else {
        panic!("{fx:?}")
    };
    assert_eq!(&*source.0, "demo");
    assert_eq!(
        (matchers.len(), comment.as_str(), duration.as_secs()),
        (2, "deploy", 7200)
    );
    assert_eq!(app.overlay, Overlay::None);
}

#[test]
fn the_editor_refuses_bad_matchers_with_a_reason() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'S');
    code(&mut app, KeyCode::Tab);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "team=~\"(\"");
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("no editor")
    };
    assert!(
        editor
            .preview
            .as_ref()
            .is_err_and(|e| e.contains("bad regex"))
    );
    assert!(code(&mut app, KeyCode::Enter).is_empty());
    let Overlay::SilenceEditor(editor) = &app.overlay else {
        panic!("closed on bad input")
    };
    assert!(editor.error.is_some());
}

#[test]
fn the_silences_view_lists_active_first_and_expires_after_a_yes() {
    let mut app = crate::testing::demo_app_with_silences(100, 80, 24);
    key(&mut app, '4');
    assert_eq!(app.view, View::Silences);
    assert_eq!(app.silence_list.rows.len(), 2);
    assert_eq!(
        app.silence_list.rows[0].2, 1,
        "the active silence catches ReplicationLag"
    );
    assert_eq!(
        app.selected_silence().map(|s| s.id.as_str()),
        Some("0f1e2d3c-aaaa")
    );
    key(&mut app, 'x');
    assert!(matches!(app.overlay, Overlay::Confirm(Confirm::Expire(..))));
    let fx = key(&mut app, 'y');
    assert!(
        matches!(fx.as_slice(), [Effect::SendCommand { command: SourceCommand::Perform { op: Operation::ExpireSilence { id }, .. }, .. }] if id == "0f1e2d3c-aaaa")
    );
    key(&mut app, 'j');
    key(&mut app, 'x');
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("expired already"))
    );
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
fn large_lists_filter_off_the_ui_task_and_only_the_newest_result_counts() {
    let mut app = crate::testing::estate_app(30_000, 3, 80, 24);
    assert_eq!(app.shown_of_total(), (30_000, 30_000));
    key(&mut app, '/');
    let first = key(&mut app, 'x');
    let [Effect::FilterAlerts(old_job)] = first.as_slice() else {
        panic!("expected a filter job, got {first:?}")
    };
    assert!(app.is_filtering);
    assert_eq!(
        app.shown_of_total().0,
        30_000,
        "the list stays until the pass returns"
    );
    let second = key(&mut app, 'y');
    let [Effect::FilterAlerts(new_job)] = second.as_slice() else {
        panic!("{second:?}")
    };
    // The older pass finishes last: it must not overwrite the newer one.
    app.update(new_job.clone().run().into());
    let narrowed = app.shown_of_total().0;
    app.update(old_job.clone().run().into());
    assert_eq!(app.shown_of_total().0, narrowed);
    assert!(!app.is_filtering);
    // "xy" matches nothing in the estate fixture; "team=team-3" matches a twentieth.
    assert_eq!(narrowed, 0);
    app.update(Action::Key(KeyEvent::new(
        KeyCode::Char('u'),
        KeyModifiers::CONTROL,
    )));
    typed(&mut app, "team=team-3");
    let fx = code(&mut app, KeyCode::Enter);
    assert!(fx.is_empty(), "Enter only keeps the filter");
}

#[test]
fn a_data_refresh_drops_a_pass_still_running() {
    let mut app = crate::testing::estate_app(30_000, 3, 80, 24);
    key(&mut app, '/');
    let fx = key(&mut app, 'z');
    let [Effect::FilterAlerts(job)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    app.rebuild_rows(&mut Vec::new());
    let before = app.shown_of_total();
    app.update(job.clone().run().into());
    assert_eq!(
        app.shown_of_total(),
        before,
        "refs from before the refresh are never applied"
    );
}

#[test]
fn an_unchanged_poll_redraws_only_when_a_failing_source_comes_back() {
    let mut app = demo_app(100, 80, 24);
    let demo = SourceId("demo".into());
    app.is_dirty = false;
    let at = app.now;
    app.update(Action::Source(SourceEvent::Unchanged {
        source: demo.clone(),
        at,
    }));
    assert!(!app.is_dirty, "nothing to show");
    app.update(Action::Source(SourceEvent::PollFailed {
        source: demo.clone(),
        error: "down".into(),
        at,
    }));
    app.is_dirty = false;
    app.update(Action::Source(SourceEvent::Unchanged { source: demo, at }));
    assert!(app.is_dirty, "FAILING turns back to ok on screen");
    assert!(matches!(
        app.sources[0].health(at),
        crate::app::SourceHealth::Ok
    ));
}

#[test]
fn a_refresh_reuses_other_sources_verdicts_and_matches_a_full_pass() {
    use crate::model::{AlertKey, Status};
    let mut sources = crate::testing::estate_alerts(3_000, 3);
    // am-1 also reports am-0's first team-3 alert (same fingerprint): a duplicate, unlisted.
    let shared = sources[0]
        .iter()
        .find(|a| a.labels.get("team") == Some("team-3"))
        .unwrap()
        .clone();
    let mut copy = shared.clone();
    copy.source = SourceId("am-1".into());
    copy.key = AlertKey::new(&copy.source, "shared");
    sources[1].push(copy);
    let mut app = crate::testing::estate_app(3_000, 3, 80, 24);
    let feed_source = |app: &mut App, i: usize, alerts: Vec<crate::model::Alert>| {
        app.update(Action::Source(SourceEvent::AlertsFetched {
            source: SourceId(format!("am-{i}").into()),
            alerts: alerts.into(),
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: Vec::new().into(),
            fetched_at: app.now,
        }));
    };
    feed_source(&mut app, 1, sources[1].clone());
    app.set_filter("team=team-3 !is:silenced", true, &mut Vec::new());
    // am-0 refreshes: some of its alerts are silenced now, and the shared one is gone from
    // it, so am-1's copy (unchanged source, never listed) must be listed and matched.
    let mut fresh = sources[0].clone();
    for a in fresh.iter_mut().step_by(3) {
        a.status = Status::Silenced;
    }
    fresh.retain(|a| a.fingerprint != shared.fingerprint);
    feed_source(&mut app, 0, fresh);
    let reused = app.matched.clone();
    let listed_copy = reused
        .iter()
        .any(|r| app.alert(*r).is_some_and(|a| a.key.0 == "am-1:shared"));
    assert!(listed_copy, "the surviving instance is matched afresh");
    app.rebuild_rows(&mut Vec::new());
    assert_eq!(reused, app.matched, "the shortcut and a full pass agree");
}

#[test]
fn the_last_known_picture_shows_stale_until_the_first_poll_and_is_saved_again() {
    use crate::app::SourceHealth;
    use crate::journal::snapshots::StoredSnapshot;
    let (source, clock) = demo_source(100);
    let mut app = empty_app(clock.now_utc());
    app.update(Action::Resize(120, 30));
    let cached = source.snapshot().alerts;
    let an_hour_ago = app.now - TimeDelta::hours(1);
    let demo = SourceId("demo".into());
    app.show_last_known(
        vec![StoredSnapshot {
            source: demo.clone(),
            fetched_at: an_hour_ago,
            alerts: cached.to_vec(),
        }],
        &mut Vec::new(),
    );
    assert_eq!(
        app.alert_list
            .rows
            .iter()
            .filter(|r| matches!(r, Row::Alert(_)))
            .count(),
        cached.len()
    );
    assert!(
        matches!(app.sources[0].health(app.now), SourceHealth::Stale(age) if age >= TimeDelta::hours(1))
    );
    assert!(
        app.final_effects().is_empty(),
        "a cached picture is not saved back"
    );
    let now = app.now;
    let is_save = |fx: &[Effect]| {
        fx.iter()
            .any(|e| matches!(e, Effect::Journal(Request::SaveSnapshot { source, .. }) if *source == demo))
    };
    let fx = feed(&mut app, source.snapshot(), now);
    assert!(
        !is_save(&fx),
        "the first save waits a minute: startup's polls land together"
    );
    assert!(!matches!(
        app.sources[0].health(app.now),
        SourceHealth::Stale(_)
    ));
    let fx = feed(&mut app, source.snapshot(), now + TimeDelta::seconds(61));
    assert!(is_save(&fx), "a minute on, the poll is saved: {fx:?}");
    // A poll within the next minute is not saved at once, but is at exit.
    let fx = feed(&mut app, source.snapshot(), now + TimeDelta::seconds(75));
    assert!(!is_save(&fx));
    assert_eq!(app.final_effects().len(), 1);
    assert!(app.final_effects().is_empty(), "saved once");
    // An old picture arriving after a poll is ignored.
    let before = app.sources[0].alerts.clone();
    app.show_last_known(
        vec![StoredSnapshot {
            source: demo,
            fetched_at: an_hour_ago,
            alerts: Vec::new(),
        }],
        &mut Vec::new(),
    );
    assert!(std::sync::Arc::ptr_eq(&before, &app.sources[0].alerts));
}

#[test]
fn an_incident_is_declared_from_the_marked_alerts_and_changed_from_the_palette() {
    use crate::journal::task::IncidentChange;
    use crate::model::incident::{Incident, IncidentStatus};
    let mut app = demo_app(100, 120, 30);
    key(&mut app, ' ');
    key(&mut app, 'j');
    key(&mut app, ' ');
    let marked: Vec<_> = app.marked.iter().cloned().collect();
    assert_eq!(marked.len(), 2);
    key(&mut app, 'I');
    code(&mut app, KeyCode::Enter);
    assert!(
        matches!(&app.overlay, Overlay::Prompt(p) if p.error.as_deref().is_some_and(|e| e.contains("title"))),
        "a title is required"
    );
    typed(&mut app, "Checkout is down");
    let fx = code(&mut app, KeyCode::Enter);
    let [Effect::Journal(Request::DeclareIncident(d))] = fx.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(
        (d.severity, d.title.as_str(), d.author.as_str()),
        (3, "Checkout is down", "ana")
    );
    assert_eq!(d.alerts, marked);
    assert!(app.marked.is_empty());
    assert_eq!(app.view, View::Incidents);
    let open = Incident {
        id: 7,
        title: "Checkout is down".into(),
        severity: 3,
        status: IncidentStatus::Investigating,
        commander: Some("ana".into()),
        scribe: None,
        comms: None,
        alerts: marked,
        opened_at: app.now,
        resolved_at: None,
    };
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Incidents(vec![open]),
    ));
    app.is_dirty = false;
    let later = app.now + TimeDelta::seconds(1);
    app.update(Action::Tick(later));
    assert!(
        app.is_dirty,
        "an open incident's clock counts seconds on the incidents view"
    );
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "status mon", &mut fx);
    crate::app::update::palette::run(&mut app, "role 7 comms bo", &mut fx);
    crate::app::update::palette::run(&mut app, "status 9 resolved", &mut fx);
    assert!(
        matches!(
            fx.as_slice(),
            [
                Effect::Journal(Request::ChangeIncident { id: 7, change: IncidentChange::Status(IncidentStatus::Monitoring), .. }),
                Effect::Journal(Request::ChangeIncident { id: 7, change: IncidentChange::Role(crate::model::incident::Role::Comms, who), .. }),
            ] if who == "bo"
        ),
        "{fx:?}"
    );
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("no incident 9"))
    );
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "note failover started", &mut fx);
    assert!(
        matches!(fx.as_slice(), [Effect::Journal(Request::Note { subject, text, .. })]
            if subject == "incident:7" && text == "failover started"),
        "{fx:?}"
    );
}

#[test]
fn declarations_read_severity_and_title() {
    use crate::app::update::act::parse_declaration;
    assert_eq!(parse_declaration("SEV1 DB down"), Ok((1, "DB down".into())));
    assert_eq!(parse_declaration("2 DB down"), Ok((2, "DB down".into())));
    assert_eq!(parse_declaration("DB down"), Ok((3, "DB down".into())));
    assert!(parse_declaration("SEV9 x").is_err());
    assert!(parse_declaration("SEV2").is_err());
}

#[test]
fn the_selected_incident_is_the_one_keys_and_commands_act_on() {
    use crate::journal::task::{IncidentChange, JournalEvent};
    use crate::model::incident::{Incident, IncidentStatus};
    let mut app = demo_app(100, 80, 24);
    let now = app.now;
    let incident = |id: i64| Incident {
        id,
        title: format!("incident {id}"),
        severity: 2,
        status: IncidentStatus::Investigating,
        commander: None,
        scribe: None,
        comms: None,
        alerts: Vec::new(),
        opened_at: now,
        resolved_at: None,
    };
    let both = vec![incident(9), incident(4)];
    app.update(Action::Journal(JournalEvent::Incidents(both.clone())));
    app.run(Command::ShowIncidents, &mut Vec::new());
    assert_eq!(app.incident_selected, Some(9), "the first is selected");
    key(&mut app, 'j');
    assert_eq!(app.incident_selected, Some(4));
    key(&mut app, 'j');
    assert_eq!(
        app.incident_selected,
        Some(4),
        "the cursor stops at the end"
    );
    // A new incident arrives first in the list: the selection stays on #4.
    app.update(Action::Journal(JournalEvent::Incidents(
        [vec![incident(12)], both].concat(),
    )));
    assert_eq!(app.incident_selected, Some(4));
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "status identified", &mut fx);
    assert!(
        matches!(
            fx.as_slice(),
            [Effect::Journal(Request::ChangeIncident {
                id: 4,
                change: IncidentChange::Status(IncidentStatus::Identified),
                ..
            })]
        ),
        "with several open, the selected one is meant: {fx:?}"
    );
    key(&mut app, 'n');
    assert!(matches!(&app.overlay, Overlay::NoteEditor(e) if e.subject == "incident:4"));
    code(&mut app, KeyCode::Esc);
    code(&mut app, KeyCode::Enter);
    assert!(app.is_detail_open, "enter opens the incident");
    key(&mut app, 'j');
    assert_eq!(
        (app.incident_selected, app.detail_scroll),
        (Some(4), 1),
        "j scrolls it"
    );
    code(&mut app, KeyCode::Esc);
    assert!(!app.is_detail_open && app.view == View::Incidents);
}

#[test]
fn at_scale_a_refresh_is_ordered_off_the_ui_task_one_order_at_a_time() {
    use std::sync::Arc;
    let mut app = crate::testing::estate_app(30_000, 3, 80, 24);
    let renamed = |app: &App, source: usize, title: &str| -> Arc<Vec<crate::model::Alert>> {
        let mut alerts = app.sources[source].alerts.as_ref().clone();
        for a in &mut alerts {
            a.title = title.into();
        }
        Arc::new(alerts)
    };
    let land = |app: &mut App, source: usize, alerts: Arc<Vec<crate::model::Alert>>| {
        app.update(Action::Source(SourceEvent::AlertsFetched {
            source: SourceId(format!("am-{source}").into()),
            alerts,
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: Vec::new().into(),
            fetched_at: app.now,
        }))
    };
    let orders = |fx: &[Effect]| -> Vec<crate::app::order_job::OrderJob> {
        fx.iter()
            .filter_map(|e| match e {
                Effect::OrderAlerts(job) => Some(job.clone()),
                _ => None,
            })
            .collect()
    };
    let titled =
        |app: &App, title: &str| app.all_alerts().filter(|(_, a)| &*a.title == title).count();
    let new0 = renamed(&app, 0, "Zero");
    let [first] = orders(&land(&mut app, 0, new0)).try_into().unwrap();
    assert_eq!(
        titled(&app, "Zero"),
        0,
        "the list on screen stays until the order is back"
    );
    assert!(app.sources[0].incoming.is_some());
    // A second source lands while the first order runs: it waits, no second sort starts.
    let new1 = renamed(&app, 1, "One");
    assert!(orders(&land(&mut app, 1, new1)).is_empty());
    // The first order comes back stale: dropped, and the next starts with both snapshots.
    let [second] = orders(&app.update(first.run().into())).try_into().unwrap();
    assert_eq!(titled(&app, "Zero"), 0, "a stale order is dropped");
    assert!(orders(&app.update(second.run().into())).is_empty());
    assert_eq!(
        (titled(&app, "Zero"), titled(&app, "One")),
        (10_000, 10_000)
    );
    assert!(app.sources.iter().all(|s| s.incoming.is_none()));
    assert_eq!(app.shown_of_total(), (30_000, 30_000));

    // Ordering on the UI task meanwhile (a sort change) takes the waiting alerts in at
    // once and makes the job in flight stale; nothing waits, so nothing more is ordered.
    let new2 = renamed(&app, 2, "Two");
    let [third] = orders(&land(&mut app, 2, new2)).try_into().unwrap();
    key(&mut app, 'o');
    assert_eq!(titled(&app, "Two"), 10_000);
    let order = app.base.clone();
    assert!(orders(&app.update(third.run().into())).is_empty());
    assert_eq!(app.base, order, "the stale order is not installed");

    // An order that never comes back (its thread died) holds nothing up for long.
    let again = renamed(&app, 0, "Again");
    assert_eq!(orders(&land(&mut app, 0, again.clone())).len(), 1);
    assert!(orders(&land(&mut app, 0, again.clone())).is_empty());
    let later = app.now + chrono::TimeDelta::seconds(6);
    app.update(Action::Tick(later));
    assert_eq!(orders(&land(&mut app, 0, again)).len(), 1);
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
fn the_header_knows_when_i_am_on_call_and_who_is_next() {
    let mut app = demo_app(100, 80, 24);
    let on = app
        .sources
        .iter()
        .flat_map(|s| s.escalation.iter())
        .flat_map(|p| p.levels.iter())
        .flat_map(|l| l.on_call.iter())
        .find(|o| o.until.is_some())
        .cloned()
        .unwrap();
    app.settings.identity = on.who.clone();
    assert_eq!(
        app.my_shift(),
        Some(crate::app::MyShift::OnNow {
            until: on.until,
            next: on.next.clone()
        })
    );
    app.settings.identity = "nobody-here".into();
    assert_eq!(app.my_shift(), None);
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
fn b_opens_the_runbook_in_the_detail_and_esc_comes_back_to_the_list() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, 'b');
    assert!(app.is_detail_open && app.is_runbook_shown);
    key(&mut app, 'j');
    assert_eq!(app.detail_scroll, 1, "j scrolls the runbook");
    code(&mut app, KeyCode::Esc);
    assert!(!app.is_detail_open && !app.is_runbook_shown);
    code(&mut app, KeyCode::Enter);
    assert!(
        app.is_detail_open && !app.is_runbook_shown,
        "enter shows the alert"
    );
}

#[test]
fn a_runbook_link_is_fetched_once_and_a_failed_one_again() {
    let mut app = demo_app(100, 80, 24);
    // The demo's first alerts have built-in runbooks; HighLatency's is a link.
    while app
        .selected_alert()
        .is_some_and(|a| &*a.title != "HighLatency")
    {
        app.move_cursor(1);
    }
    let fx = key(&mut app, 'b');
    let [Effect::FetchRunbook(url)] = fx.as_slice() else {
        panic!("{fx:?}")
    };
    assert!(url.starts_with("https://runbooks.example.com/"), "{url}");
    assert_eq!(app.fetched_runbooks.get(url), Some(&None), "awaited");
    code(&mut app, KeyCode::Esc);
    assert!(key(&mut app, 'b').is_empty(), "asked already");
    app.update(Action::RunbookFetched {
        url: url.clone(),
        result: Err("HTTP 404".into()),
    });
    code(&mut app, KeyCode::Esc);
    assert_eq!(key(&mut app, 'b').len(), 1, "a failed fetch is asked again");
}

#[test]
fn find_works_in_a_runbook_and_says_when_text_is_missing() {
    let mut app = demo_app(100, 80, 24);
    key(&mut app, ':');
    typed(&mut app, "find pool");
    code(&mut app, KeyCode::Enter);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.is_error && toast.text.contains("open one with b"),
        "{toast:?}"
    );
    key(&mut app, 'b');
    key(&mut app, ':');
    typed(&mut app, "find zebra");
    code(&mut app, KeyCode::Enter);
    let toast = app.toast.clone().unwrap();
    assert!(
        toast.text.contains("'zebra' is not in this runbook"),
        "{toast:?}"
    );
    assert_eq!(app.detail_scroll, 0);
}

#[test]
fn an_empty_poll_replaces_alerts_still_waiting_for_their_order() {
    use crate::app::order_job::OFF_TASK_FROM;
    use crate::testing::{estate_alerts, estate_app, run_order_jobs};
    // Two sources, each big enough that any refresh is ordered off the UI task.
    let mut app = estate_app(2 * OFF_TASK_FROM, 2, 120, 30);
    let now = app.now;
    let fetched = |alerts: Vec<crate::model::Alert>| {
        Action::Source(SourceEvent::AlertsFetched {
            source: SourceId("am-1".into()),
            alerts: alerts.into(),
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: Vec::new().into(),
            fetched_at: now,
        })
    };
    let emptied = app.update(fetched(Vec::new()));
    run_order_jobs(&mut app, emptied);
    assert!(app.sources[1].alerts.is_empty());
    // am-1 has none; now it reports some, which wait for an off-task order...
    let more = estate_alerts(10, 1).remove(0);
    let waiting = app.update(fetched(more));
    assert!(app.sources[1].incoming.is_some(), "at this scale they wait");
    // ...and before that order lands, a poll says there are none.
    let after_empty = app.update(fetched(Vec::new()));
    run_order_jobs(&mut app, waiting);
    run_order_jobs(&mut app, after_empty);
    assert!(
        app.sources[1].alerts.is_empty() && app.sources[1].incoming.is_none(),
        "the empty poll is the newest word"
    );
    assert_eq!(app.all_alerts().count(), OFF_TASK_FROM, "am-0's alone");
}

/// The demo's current alerts without the one keyed `gone`, as its next poll.
fn without(app: &App, gone: &str) -> crate::sources::Snapshot {
    let alerts: Vec<crate::model::Alert> = app.sources[0]
        .alerts
        .iter()
        .filter(|a| a.key.0 != gone)
        .cloned()
        .collect();
    crate::sources::Snapshot {
        alerts: std::sync::Arc::new(alerts),
        escalation: Vec::new(),
        silences: Vec::new(),
        tickets: Vec::new(),
        invalid: 0,
    }
}

// What the responder acts on is what they are looking at: the selected alert leaving its
// source (resolved) used to hand the selection, and the open detail, to the alert now on its
// row, poll after poll; `a` then acked that one.
#[test]
fn a_selected_alert_that_resolves_stays_selected_resolved_until_the_responder_moves() {
    let mut app = demo_app(100, 120, 30);
    key(&mut app, 'j');
    let chosen = selected_key(&app);
    let row = app.alert_list.cursor;
    code(&mut app, KeyCode::Enter);
    assert!(app.is_detail_open);
    let snapshot = without(&app, &chosen);
    let now = app.now;
    feed(&mut app, snapshot.clone(), now);
    assert_eq!(
        selected_key(&app),
        chosen,
        "the selection stays on its alert"
    );
    assert_eq!(app.alert_list.cursor, row, "on its row");
    assert!(app.is_detail_open, "the detail stays open");
    assert_eq!(
        app.selected_alert().map(|a| a.status),
        Some(Status::Resolved)
    );
    let (shown, total) = app.shown_of_total();
    assert_eq!(
        shown, total,
        "the kept row is not counted as one of the sources' alerts"
    );
    // Poll after poll, with no key pressed.
    feed(&mut app, snapshot.clone(), now);
    feed(&mut app, snapshot, now);
    assert_eq!(selected_key(&app), chosen);
    assert_eq!(
        app.alert_list
            .rows
            .iter()
            .filter(|r| **r == Row::Alert(AlertRef::GONE))
            .count(),
        1,
        "one kept row"
    );
    // An action goes to that alert's key, never to the row's new occupant.
    let fx = key(&mut app, 'a');
    assert!(
        fx.iter().all(|e| match e {
            Effect::SendCommand {
                command: SourceCommand::Perform { key, .. },
                ..
            } => key.0 == chosen,
            _ => true,
        }),
        "{fx:?}"
    );
    // The responder leaves the detail and moves: the kept row goes.
    code(&mut app, KeyCode::Esc);
    key(&mut app, 'j');
    assert_ne!(selected_key(&app), chosen);
    assert!(app.gone.is_none());
    assert!(!app.alert_list.rows.contains(&Row::Alert(AlertRef::GONE)));
    assert!(app.all_alerts().all(|(_, a)| a.key.0 != chosen));
}

#[test]
fn the_detail_of_an_alert_that_left_its_source_says_so() {
    let mut app = demo_app(100, 120, 30);
    let chosen = selected_key(&app);
    code(&mut app, KeyCode::Enter);
    let snapshot = without(&app, &chosen);
    let now = app.now;
    feed(&mut app, snapshot, now);
    let screen = crate::testing::screen(&app, 120, 30);
    assert!(screen.contains("gone from the source"), "{screen}");
    // It comes back (a flapping alert): the kept row gives way to the real one.
    let (source, clock) = demo_source(100);
    feed(&mut app, source.snapshot(), clock.now_utc());
    assert!(app.gone.is_none());
    assert_eq!(selected_key(&app), chosen);
    assert_ne!(
        app.selected_alert().map(|a| a.status),
        Some(Status::Resolved)
    );
}

// In the incidents view, I declared a second incident from the alert list's hidden
// selection, so one alert sat in INC#1 and INC#2.
#[test]
fn i_declares_only_from_the_alert_list_and_never_twice_for_the_same_alerts() {
    use crate::model::incident::{Incident, IncidentStatus};
    let mut app = demo_app(100, 120, 30);
    let chosen = app.selected.clone().unwrap();
    let open = Incident {
        id: 1,
        title: "Payments down".into(),
        severity: 2,
        status: IncidentStatus::Investigating,
        commander: Some("ana".into()),
        scribe: None,
        comms: None,
        alerts: vec![chosen],
        opened_at: app.now,
        resolved_at: None,
    };
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Incidents(vec![open]),
    ));
    key(&mut app, '6');
    assert_eq!(app.view, View::Incidents);
    key(&mut app, 'I');
    assert_eq!(
        app.overlay,
        Overlay::None,
        "no prompt from a hidden selection"
    );
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("alert list"))
    );
    key(&mut app, '1');
    key(&mut app, 'I');
    assert_eq!(app.overlay, Overlay::None, "already in an incident");
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("already in INC#1"))
    );
    key(&mut app, 'j');
    key(&mut app, 'I');
    assert!(
        matches!(app.overlay, Overlay::Prompt(_)),
        "an alert in none"
    );
}

// Notes written in onduty appeared only in the detail's TIMELINE, not in its NOTES section.
#[test]
fn notes_from_the_journal_are_in_the_details_notes_with_where_they_live() {
    use crate::model::{Entry, EntryKind};
    // Tall enough for the whole detail.
    let mut app = demo_app(100, 120, 150);
    let key = selected_key(&app);
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Entries(vec![Entry {
            id: 3,
            subject: key,
            at: app.now,
            author: "bo".into(),
            kind: EntryKind::Note,
            body: "failed over to db-2\nwatching replication".into(),
            starred: false,
            corrects: None,
        }]),
    ));
    code(&mut app, KeyCode::Enter);
    let screen = crate::testing::screen(&app, 120, 150);
    let notes = screen.find("NOTES").expect("a NOTES section");
    let timeline = screen.find("TIMELINE").expect("a TIMELINE section");
    let note = screen
        .find("bo (journal): failed over to db-2")
        .expect(&screen);
    assert!(notes < note && note < timeline, "{screen}");
    assert!(screen.contains("watching replication"));
}

// `:th` showed the hint `theme`, but tab did not complete it and enter said unknown command.
#[test]
fn the_palette_completes_on_tab_and_takes_a_unique_prefix() {
    let mut app = demo_app(100, 120, 30);
    key(&mut app, ':');
    typed(&mut app, "th");
    code(&mut app, KeyCode::Tab);
    assert!(
        matches!(&app.overlay, Overlay::Palette(i) if i.text() == "theme "),
        "{:?}",
        app.overlay
    );
    typed(&mut app, "light");
    code(&mut app, KeyCode::Enter);
    assert_eq!(app.theme.name, "light");
    // A unique prefix is that command, with its argument.
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "th mono", &mut fx);
    assert_eq!(app.theme.name, "mono");
    // Not one command: refused as before.
    crate::app::update::palette::run(&mut app, "zzq", &mut fx);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("unknown command"))
    );
    assert_eq!(crate::app::update::palette::complete("zzq"), None);
}

// `:status`, `:role` and `:note` gave no feedback.
#[test]
fn incident_commands_that_succeed_say_so() {
    use crate::model::incident::{Incident, IncidentStatus};
    let mut app = demo_app(100, 120, 30);
    let open = Incident {
        id: 4,
        title: "Checkout down".into(),
        severity: 2,
        status: IncidentStatus::Investigating,
        commander: Some("ana".into()),
        scribe: None,
        comms: None,
        alerts: Vec::new(),
        opened_at: app.now,
        resolved_at: None,
    };
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Incidents(vec![open]),
    ));
    let said = |app: &mut App, typed: &str| {
        let mut fx = Vec::new();
        crate::app::update::palette::run(app, typed, &mut fx);
        assert!(!fx.is_empty(), "{typed}: nothing sent");
        app.toast
            .as_ref()
            .map(|t| t.text.clone())
            .unwrap_or_default()
    };
    assert_eq!(
        said(&mut app, "status monitoring"),
        "INC#4: status monitoring"
    );
    assert!(said(&mut app, "role comms bo").contains("is bo"));
    assert_eq!(said(&mut app, "note rolled back"), "note saved");
}
