//! `update` tests of source events and ticks: failing polls, redraws, who is on call in the
//! header.

use super::tests::*;

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
fn a_source_that_finds_it_cannot_act_is_not_offered_the_action_again() {
    let mut app = demo_app(100, 80, 24);
    let demo = app.sources[0].info.id.clone();
    let mut can = app.sources[0].info.can;
    can.acknowledge = crate::sources::Can::No("this key may not act");
    app.update(Action::Source(SourceEvent::CapabilitiesChanged {
        source: demo,
        can,
    }));
    let fx = key(&mut app, 'a');
    assert!(crate::testing::performed(&fx).is_empty(), "{fx:?}");
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("this key may not act"))
    );
}

#[test]
fn who_a_back_end_acts_as_is_in_the_header_and_the_source_view_and_a_contradiction_is_told() {
    let mut app = demo_app(100, 120, 30);
    app.banner = None;
    app.settings.configured_identity = "bo".into();
    let identity =
        crate::sources::identity::Identity::new("Ana López", Some("ana@example.com"), None)
            .unwrap();
    app.update(Action::Source(SourceEvent::Identity {
        source: SourceId("demo".into()),
        identity,
    }));
    let banner = app.banner.clone().unwrap_or_default();
    assert!(
        banner.contains("demo acts as Ana López <ana@example.com>, but identity is \"bo\""),
        "{banner}"
    );
    let screen = crate::testing::screen(&app, 120, 30);
    assert!(
        screen
            .lines()
            .next()
            .unwrap_or("")
            .contains(" as Ana López "),
        "{screen}"
    );
    app.update(Action::Run(crate::app::Command::ShowSources));
    let screen = crate::testing::screen(&app, 120, 30);
    assert!(
        screen.contains("acts as Ana López <ana@example.com>"),
        "{screen}"
    );
}
