//! `update` tests of the alert list: order, selection, filter, grouping, refreshes at scale, an
//! alert that leaves.

use super::tests::*;

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
        rules: Default::default(),
        incidents: Default::default(),
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
