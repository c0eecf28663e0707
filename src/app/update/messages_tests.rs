//! Messages belong to the view they were said in, and commands that cannot apply say why.

use crossterm::event::KeyCode;

use super::tests::{code, key, typed};
use crate::app::{App, View};
use crate::testing::demo_app;

fn palette(app: &mut App, line: &str) {
    key(app, ':');
    typed(app, line);
    code(app, KeyCode::Enter);
}

fn said(app: &App) -> (bool, String) {
    let t = app.toast.as_ref().expect("a message");
    (t.is_error, t.text.clone())
}

#[test]
fn commands_that_cannot_apply_are_refused_with_the_reason() {
    let mut app = demo_app(100, 120, 30);
    palette(&mut app, "mine");
    let (is_error, text) = said(&app);
    assert!(is_error && text.contains("no source assigns"), "{text}");
    assert!(!app.is_mine_only);
    palette(&mut app, "resolved 24h");
    let (is_error, text) = said(&app);
    assert!(
        is_error && text.contains("no source here keeps resolved"),
        "{text}"
    );
    palette(&mut app, "link OPS-1");
    let (is_error, text) = said(&app);
    assert!(is_error && text.contains("no ticketing source"), "{text}");
    let fx = {
        key(&mut app, ':');
        typed(&mut app, "link https://tickets.example.com/OPS-1");
        code(&mut app, KeyCode::Enter)
    };
    assert_eq!(fx.len(), 1, "a URL is linked: {fx:?}");
    assert!(!said(&app).0);
}

#[test]
fn a_message_stays_in_its_view() {
    let mut app = demo_app(100, 120, 30);
    key(&mut app, 'o');
    let (_, text) = said(&app);
    assert!(text.starts_with("sort:"), "{text}");
    key(&mut app, '4');
    assert_eq!(app.view, View::Silences);
    assert!(
        app.toast.is_none(),
        "the list's message is not the silences view's"
    );
    key(&mut app, '1');
    assert!(app.toast.is_none(), "nor does it come back");
    // Said in view 4, shown there only.
    key(&mut app, '4');
    palette(&mut app, "nosuchcommand");
    assert_eq!(app.toast.as_ref().map(|t| t.view), Some(View::Silences));
    let screen = crate::testing::screen(&app, 120, 30);
    assert!(screen.contains("nosuchcommand"), "{screen}");
}

#[test]
fn the_wall_names_alerts_and_incidents_never_by_key() {
    use crate::journal::task::JournalEvent;
    use crate::model::{Entry, EntryKind};
    let mut app = demo_app(100, 120, 30);
    let entry = |id: i64, subject: &str, body: &str| Entry {
        id,
        subject: subject.into(),
        at: app.now,
        author: "prod-am".into(),
        kind: EntryKind::Observed,
        body: body.into(),
        starred: false,
        corrects: None,
    };
    let entries = vec![
        entry(1, "prod-am:gone1", "fired (critical): DiskFull · storage"),
        entry(2, "prod-am:gone1", "resolved"),
        entry(
            3,
            "prod-am:",
            "fired ×900 (critical): HighLatency · 40 services",
        ),
    ];
    app.update(crate::app::Action::Journal(JournalEvent::Entries(entries)));
    let about: Vec<&str> = app.latest.iter().map(|l| l.about.as_str()).collect();
    assert_eq!(
        about,
        [
            "DiskFull · storage",
            "DiskFull · storage",
            "HighLatency · 40 services"
        ]
    );
}

#[test]
fn the_silence_editor_shows_long_matchers_whole_and_what_tells_alerts_apart() {
    let mut app = demo_app(100, 100, 30);
    key(&mut app, 'S');
    // To the matchers (after the comment), typed at the end of what is prefilled.
    code(&mut app, KeyCode::Tab);
    let long = " env=\"demo\" team=~\"payments|checkout|search|platform|storage\" instance!=\"canary-host-with-a-long-name\"";
    typed(&mut app, long);
    code(&mut app, KeyCode::Tab);
    let screen = crate::testing::screen(&app, 100, 30);
    let squeezed: String = screen.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        squeezed.contains("instance!=\"canary-host-with-a-long-name\""),
        "the matchers are wrapped, not cut:\n{screen}"
    );
    assert!(!squeezed.contains("canary-host…"), "{screen}");
}

/// Every action path on a selected alert that resolved (kept as a RESOLVED row, detail
/// open) is addressed by that alert's key, or refused: none reaches the alert now on its row.
#[test]
fn every_action_on_a_resolved_ghost_is_its_own_or_refused() {
    use crate::testing::feed;
    for keys in [
        "a", "r", "ry", "s", "s\n", "e", "ey", "I", "I\n", "t", "L", "LOPS-1\n", "n", " a", " r",
    ] {
        let mut app = demo_app(100, 120, 30);
        key(&mut app, 'j');
        let chosen = app.selected_alert().unwrap().key.0.clone();
        let others: Vec<String> = app
            .all_alerts()
            .map(|(_, a)| a.key.0.clone())
            .filter(|k| *k != chosen)
            .collect();
        code(&mut app, KeyCode::Enter);
        let alerts: Vec<crate::model::Alert> = app.sources[0]
            .alerts
            .iter()
            .filter(|a| a.key.0 != chosen)
            .cloned()
            .collect();
        let snapshot = crate::sources::Snapshot {
            alerts: std::sync::Arc::new(alerts),
            escalation: Vec::new(),
            silences: Vec::new(),
            tickets: Vec::new(),
            invalid: 0,
            rules: Default::default(),
            incidents: Default::default(),
        };
        let now = app.now;
        feed(&mut app, snapshot, now);
        assert_eq!(app.selected_alert().unwrap().key.0, chosen);
        let mut effects = Vec::new();
        for c in keys.chars() {
            effects.extend(match c {
                '\n' => code(&mut app, KeyCode::Enter),
                c => key(&mut app, c),
            });
        }
        let seen = format!("{effects:?} {:?} {:?}", app.overlay, app.pending);
        if matches!(keys, "n" | "L") {
            assert!(seen.contains(&chosen), "{keys:?} opens on {chosen}: {seen}");
        }
        for other in &others {
            assert!(
                !seen.contains(&format!("\"{other}\"")),
                "{keys:?} on the RESOLVED {chosen} reached {other}: {seen}"
            );
        }
    }
}

#[test]
fn a_bulk_ack_says_its_progress_then_a_summary_not_one_message_per_alert() {
    use crate::app::{Action, Effect};
    use crate::sources::{Failure, SourceCommand, SourceEvent};
    let mut app = demo_app(100, 120, 30);
    // Three firing alerts marked (the first ones are firing in the demo at 100 s).
    for _ in 0..3 {
        key(&mut app, ' ');
    }
    let fx = key(&mut app, 'a');
    let sent: Vec<_> = fx
        .iter()
        .filter_map(|e| match e {
            Effect::Journal(crate::journal::task::Request::Submit { id, .. }) => Some(*id),
            Effect::SendCommand {
                command: SourceCommand::Perform { id, .. },
                ..
            } => Some(*id),
            _ => None,
        })
        .collect();
    let total = app.bulk.as_ref().expect("a bulk action").total;
    assert_eq!(total, app.pending.len());
    assert!(total >= 2, "{fx:?}");
    assert_eq!(said(&app).1, format!("ack 0/{total}…"));
    let ids: Vec<_> = app.pending.keys().copied().collect();
    assert!(ids.iter().all(|id| sent.contains(id)), "{sent:?}");
    let source = app.sources[0].info.id.clone();
    for (n, id) in ids.iter().enumerate() {
        let result = if n == 0 {
            Err(Failure::new("already resolved", false))
        } else {
            Ok(())
        };
        app.update(Action::Source(SourceEvent::CommandDone {
            id: *id,
            source: source.clone(),
            result,
        }));
        if n + 1 < total {
            assert_eq!(said(&app).1, format!("ack {}/{total}…", n + 1));
        }
    }
    let (is_error, text) = said(&app);
    assert!(is_error, "one was refused");
    assert_eq!(
        text,
        format!(
            "ack {total}: {} done, 1 refused, 0 pending in the outbox (5)",
            total - 1
        )
    );
    assert!(app.bulk.is_none());
}

#[test]
fn s_and_reassign_act_on_every_marked_alert_as_one_bulk_action() {
    use crate::sources::Operation;
    let mut app = demo_app(100, 120, 30);
    for _ in 0..3 {
        key(&mut app, ' ');
    }
    let marked: std::collections::BTreeSet<String> =
        app.marked.iter().map(|k| k.0.clone()).collect();
    assert_eq!(marked.len(), 3);
    key(&mut app, 's');
    let line = crate::testing::screen(&app, 120, 30);
    assert!(line.contains("silence 3 marked for"), "{line}");
    for _ in 0..4 {
        code(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "45m vendor fix");
    let fx = code(&mut app, KeyCode::Enter);
    let sent = crate::testing::performed(&fx);
    let keys: std::collections::BTreeSet<String> = sent.iter().map(|(k, _)| k.clone()).collect();
    assert_eq!(keys, marked, "{sent:?}");
    assert!(sent.iter().all(|(_, op)| matches!(op,
        Operation::Silence { duration, comment }
            if duration.as_secs() == 45 * 60 && comment == "vendor fix")));
    assert!(app.marked.is_empty());
    assert_eq!(said(&app).1, format!("silence 0/{}…", sent.len()));

    // Marked again: :reassign hands each of them over, one bulk action.
    app.bulk = None;
    app.pending.clear();
    code(&mut app, KeyCode::Home);
    for _ in 0..2 {
        key(&mut app, ' ');
    }
    key(&mut app, ':');
    typed(&mut app, "reassign bo");
    let fx = code(&mut app, KeyCode::Enter);
    let sent = crate::testing::performed(&fx);
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter()
            .all(|(_, op)| *op == Operation::Reassign { to: "bo".into() })
    );
    assert_eq!(said(&app).1, "reassign 0/2…");
}

#[test]
fn what_a_source_cannot_do_is_said_at_once_not_asked_then_refused() {
    use crate::app::Overlay;
    let mut app = demo_app(100, 120, 30);
    app.sources[0].info.can = crate::sources::alertmanager::CAPABILITIES;
    let bar = crate::testing::screen(&app, 120, 30);
    assert!(!bar.contains("r resolve"), "not offered:\n{bar}");
    assert!(bar.contains("a ack"), "{bar}");
    assert!(key(&mut app, 'r').is_empty());
    assert_eq!(app.overlay, Overlay::None, "not asked");
    let (is_error, text) = said(&app);
    assert!(
        is_error && text.contains("resolve at their source"),
        "{text}"
    );
    // Marked alerts of such a source: the same sentence, nothing asked or sent.
    app.toast = None;
    key(&mut app, ' ');
    key(&mut app, ' ');
    assert!(key(&mut app, 'r').is_empty());
    assert_eq!(app.overlay, Overlay::None);
    assert!(said(&app).1.contains("resolve at their source"));
    palette(&mut app, "reassign bo");
    assert!(said(&app).1.contains("assigns alerts to nobody"));
    // What it can do goes out as before.
    let fx = key(&mut app, 'a');
    assert!(!crate::testing::performed(&fx).is_empty(), "{fx:?}");
}
