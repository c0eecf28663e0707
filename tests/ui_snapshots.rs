//! Every view drawn from a fixed-clock demo app at 80x24 and 200x60, compared with the
//! reviewed snapshots in tests/snapshots (review changes with `cargo insta review`).

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, App};
use onduty::testing::demo_app;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

const SIZES: [(u16, u16); 2] = [(80, 24), (200, 60)];

fn draw(app: &App) -> String {
    let (w, h) = app.viewport;
    let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
    terminal.draw(|f| onduty::ui::view(app, f)).unwrap();
    format!("{}", terminal.backend())
}

fn keys(app: &mut App, keys: &str) {
    for c in keys.chars() {
        let code = match c {
            '\n' => KeyCode::Enter,
            '\t' => KeyCode::Tab,
            c => KeyCode::Char(c),
        };
        app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }
}

fn snapshot_each_size(name: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = demo_app(100, w, h);
        setup(&mut app);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app));
    }
}

#[test]
fn alert_list() {
    snapshot_each_size("alert_list", |_| {});
}

#[test]
fn alert_list_grouped_by_service() {
    snapshot_each_size("alert_list_grouped", |app| keys(app, "v"));
}

#[test]
fn alert_detail_full_screen() {
    snapshot_each_size("alert_detail", |app| keys(app, "\n"));
}

#[test]
fn filter_being_typed() {
    snapshot_each_size("filter", |app| keys(app, "/team=payments"));
}

#[test]
fn help_overlay() {
    snapshot_each_size("help", |app| keys(app, "?"));
}

#[test]
fn palette() {
    snapshot_each_size("palette", |app| keys(app, ":the"));
}

#[test]
fn confirm_resolve() {
    snapshot_each_size("confirm_resolve", |app| keys(app, "r"));
}

#[test]
fn silence_prompt() {
    snapshot_each_size("silence_prompt", |app| keys(app, "s"));
}

#[test]
fn pending_ack() {
    snapshot_each_size("pending_ack", |app| keys(app, "a"));
}

#[test]
fn oncall_view() {
    snapshot_each_size("oncall", |app| keys(app, "2"));
}

#[test]
fn outbox_view_with_one_action_waiting_and_one_retrying() {
    snapshot_each_size("outbox", |app| {
        keys(app, "ajaj5");
        let first = app.pending.values_mut().min_by_key(|p| p.key.0.clone());
        first.unwrap().retrying = Some("connection refused (retry in 10s)".into());
    });
}

/// An open SEV1 with roles, an alert and three timeline entries (one starred, one corrected).
fn with_an_incident(app: &mut App) {
    use onduty::journal::incidents::{Incident, IncidentStatus};
    use onduty::journal::task::JournalEvent;
    use onduty::journal::{Entry, EntryKind};
    {
        let opened = app.now - chrono::TimeDelta::seconds(4_983);
        let alert = app.sources[0].alerts[0].key.clone();
        let incident = Incident {
            id: 3,
            title: "Checkout payments failing \u{1b}[2J".into(),
            severity: 1,
            status: IncidentStatus::Identified,
            commander: Some("ana".into()),
            scribe: Some("bo".into()),
            comms: None,
            alerts: vec![alert],
            opened_at: opened,
            resolved_at: None,
            origin: None,
        };
        let entry = |id, secs, author: &str, body: &str| Entry {
            id,
            subject: "incident:3".into(),
            at: opened + chrono::TimeDelta::seconds(secs),
            author: author.into(),
            kind: EntryKind::Action,
            body: body.into(),
            starred: false,
            corrects: None,
        };
        // As the journal tells it: read back cleaned (its escape is the journal's to drop).
        app.update(Action::Journal(JournalEvent::Incidents(vec![
            incident.cleaned(),
        ])));
        app.update(Action::Journal(JournalEvent::Entries(vec![
            entry(
                1,
                0,
                "ana",
                "declared SEV1: Checkout payments failing (incident commander ana)",
            ),
            entry(2, 60, "ana", "scribe: bo"),
            entry(3, 900, "bo", "status: identified"),
            Entry {
                starred: true,
                kind: EntryKind::Note,
                ..entry(4, 960, "bo", "failover of payments-db\nstarted by dana")
            },
            Entry {
                kind: EntryKind::Correction,
                corrects: Some(4),
                ..entry(5, 990, "dana", "failover started by bo")
            },
        ])));
    }
}

#[test]
fn incidents_view_with_roles_alerts_and_timeline() {
    snapshot_each_size("incidents", |app| {
        with_an_incident(app);
        keys(app, "6");
    });
}

#[test]
fn one_incident_with_its_alerts_and_full_timeline() {
    snapshot_each_size("incident_detail", |app| {
        with_an_incident(app);
        keys(app, "6\n");
    });
}

#[test]
fn an_alert_in_an_open_incident_says_which() {
    use onduty::journal::incidents::{Incident, IncidentStatus};
    use onduty::journal::task::JournalEvent;
    snapshot_each_size("alert_in_incident", |app| {
        let alert = app.sources[0].alerts[0].key.clone();
        let incident = Incident {
            id: 3,
            title: "Payments".into(),
            severity: 1,
            status: IncidentStatus::Investigating,
            commander: Some("ana".into()),
            scribe: None,
            comms: None,
            alerts: vec![alert],
            opened_at: app.now,
            resolved_at: None,
            origin: None,
        };
        app.update(Action::Journal(JournalEvent::Incidents(vec![incident])));
    });
}

#[test]
fn a_flapping_alert_says_how_often_it_fired() {
    use onduty::journal::task::JournalEvent;
    snapshot_each_size("flapping", |app| {
        let key = app.selected_alert().unwrap().key.0.clone();
        let fires = (1..=4)
            .map(|h| (key.clone(), app.now - chrono::TimeDelta::hours(h)))
            .collect();
        app.update(Action::Journal(JournalEvent::Fires(fires)));
    });
}

#[test]
fn history_since_you_last_looked() {
    use onduty::journal::task::JournalEvent;
    use onduty::journal::{Entry, EntryKind};
    snapshot_each_size("history", |app| {
        let alert_keys: Vec<String> = app.sources[0]
            .alerts
            .iter()
            .map(|a| a.key.0.clone())
            .collect();
        let now = app.now;
        let seen = |id, key: &str, mins, body: &str| Entry {
            id,
            subject: key.to_string(),
            at: now - chrono::TimeDelta::minutes(mins),
            author: "demo".into(),
            kind: EntryKind::Observed,
            body: body.into(),
            starred: false,
            corrects: None,
        };
        app.last_looked = Some(now - chrono::TimeDelta::minutes(90));
        app.update(Action::Journal(JournalEvent::Entries(vec![
            seen(1, &alert_keys[0], 200, "fired (critical)"),
            seen(2, &alert_keys[0], 80, "resolved"),
            seen(3, &alert_keys[1], 45, "fired (warning)"),
            seen(4, &alert_keys[1], 30, "acked by bo"),
        ])));
        keys(app, "7");
    });
}

#[test]
fn sources_view() {
    snapshot_each_size("sources", |app| keys(app, "3"));
}

#[test]
fn read_only_hides_actions() {
    snapshot_each_size("read_only", |app| app.settings.is_read_only = true);
}

#[test]
fn too_small_terminal_says_so() {
    let app = demo_app(100, 20, 4);
    insta::assert_snapshot!("too_small", draw(&app));
}

#[test]
fn severity_colours_carry_meaning() {
    use onduty::theme::Role;
    let app = demo_app(100, 80, 24);
    let mut terminal = Terminal::new(TestBackend::new(80, 24)).unwrap();
    terminal.draw(|f| onduty::ui::view(&app, f)).unwrap();
    let buf = terminal.backend().buffer();
    // Row 3 is the first alert (a critical one) in the default theme; row 2 is the header.
    let crit_fg = app.theme.style(Role::SeverityCritical).fg;
    let cell = buf.cell((3, 3)).unwrap();
    assert_eq!(cell.symbol(), "C");
    assert_eq!(cell.fg, crit_fg.unwrap());
}

#[test]
fn silences_view() {
    for (w, h) in SIZES {
        let mut app = onduty::testing::demo_app_with_silences(100, w, h);
        keys(&mut app, "4");
        insta::assert_snapshot!(format!("silences_{w}x{h}"), draw(&app));
    }
}

#[test]
fn silence_editor_with_preview() {
    snapshot_each_size("silence_editor", |app| keys(app, "  S"));
}

#[test]
fn marked_alerts() {
    snapshot_each_size("marked", |app| keys(app, " "));
}

#[test]
fn failing_source_keeps_its_alerts_marked_stale() {
    use onduty::model::SourceId;
    use onduty::sources::SourceEvent;
    snapshot_each_size("failing_source", |app| {
        let at = app.now;
        let error = "HTTP 503: upstream connect error".to_string();
        app.update(Action::Source(SourceEvent::PollFailed {
            source: SourceId("demo".into()),
            error,
            at,
        }));
    });
}

// A source that never answered has no "last good data" to keep; the line says so, and the
// header says when the journal is down.
#[test]
fn a_source_that_never_answered_and_a_journal_down_are_said_as_they_are() {
    use onduty::journal::task::JournalEvent;
    use onduty::model::SourceId;
    use onduty::sources::SourceEvent;
    let mut app = demo_app(100, 120, 24);
    let says = |app: &App, text: &str| draw(app).contains(text);
    for s in &mut app.sources {
        s.last_ok = None;
        s.is_cached = false;
    }
    let at = app.now;
    app.update(Action::Source(SourceEvent::PollFailed {
        source: SourceId("demo".into()),
        error: "connection refused".into(),
        at,
    }));
    assert!(says(
        &app,
        "demo failing: connection refused · no data from it yet"
    ));
    assert!(!says(&app, "journal DOWN"));
    app.update(Action::Journal(JournalEvent::Unavailable(
        "pool timed out".into(),
    )));
    assert!(says(&app, "journal DOWN"), "{}", draw(&app));
    // Items of an answer that were no alerts are said in the health view.
    app.update(Action::Source(SourceEvent::InvalidItems {
        source: SourceId("demo".into()),
        count: 1_000_000,
    }));
    keys(&mut app, "3");
    let said = "1000000 item(s) of its last answer were no alerts";
    assert!(says(&app, said), "{}", draw(&app));
}

#[test]
fn note_editor_with_two_lines() {
    snapshot_each_size("note_editor", |app| {
        keys(app, "n");
        keys(app, "rolled back deploy 4512\nerror rate falling");
    });
}

#[test]
fn runbook_rendered_from_the_library() {
    snapshot_each_size("runbook", |app| {
        let markdown = "# Connection pool exhausted\n\n\
            Clients wait for **pgbouncer**; see the [dashboard](https://grafana.example.com/d/pg).\n\n\
            ## Steps\n\n\
            - [ ] check the pool: `SHOW POOLS;`\n\
            - [x] page the DBA on call\n\n\
            ```sql\nSELECT pid, state FROM pg_stat_activity WHERE state = 'active';\n```\n\n\
            | pool | size |\n|---|---|\n| payments | 200 |\n";
        let entry = onduty::runbook::Entry {
            path: "/runbooks/pgbouncer.md".into(),
            title: "Connection pool exhausted".into(),
            alerts: vec!["ConnectionPoolExhausted".into()],
            labels: vec![],
            markdown: markdown.into(),
        };
        app.settings.runbooks = std::sync::Arc::new(onduty::runbook::Library {
            entries: vec![entry],
            problems: vec![],
        });
        app.settings.runbook_annotations = vec![];
        keys(app, "b");
    });
}

#[test]
fn runbook_checklist_ticked_and_focused() {
    snapshot_each_size("runbook_checklist", |app| {
        onduty::testing::with_runbook(
            app,
            "# Pool exhausted\n\n\
             - [ ] Check the [pool dashboard](https://grafana.example/d/pg)\n\
             - [ ] Raise the pool size\n\
             - [ ] Tell #payments\n\n\
             ```sh\npsql -c 'SHOW POOLS;'\n```\n",
        );
        // Tick the first step, then focus the code block.
        keys(app, "b\t \t\t\t\t");
    });
}

/// `p`, answered by the journal with the scripted incident's draft (tests/postmortem.rs).
fn postmortem_shown(app: &mut App) {
    keys(app, "p");
    let subject = app.postmortem.as_ref().unwrap().subject.clone();
    app.update(Action::Journal(
        onduty::journal::task::JournalEvent::Postmortem {
            subject,
            result: Ok(onduty::postmortem::Prepared {
                text: include_str!("expected/postmortem_incident.md").into(),
                is_kept: true,
            }),
        },
    ));
}

#[test]
fn postmortem_view() {
    snapshot_each_size("postmortem", postmortem_shown);
}

#[test]
fn postmortem_in_the_built_in_editor() {
    snapshot_each_size("postmortem_editor", |app| {
        postmortem_shown(app);
        keys(app, "e");
    });
}

#[test]
fn runbook_that_is_a_link() {
    // HighLatency, the fourth row: the first three have runbooks built into the demo.
    snapshot_each_size("runbook_link", |app| keys(app, "jjjb"));
}

#[test]
fn runbook_built_into_the_demo() {
    snapshot_each_size("runbook_demo", |app| keys(app, "b"));
}

#[test]
fn runbook_fetched_from_its_link() {
    snapshot_each_size("runbook_fetched", |app| {
        keys(app, "jjjb");
        let url = app.fetched_runbooks.keys().next().unwrap().clone();
        app.update(Action::RunbookFetched {
            url,
            result: Ok(onduty::runbook::fetch::Fetched::Markdown(
                "# Pool exhausted\n\n1. `SHOW POOLS;`\n2. *Raise* the pool size\n".into(),
            )),
        });
    });
}

#[test]
fn runbook_find_highlights_and_scrolls() {
    snapshot_each_size("runbook_find", |app| {
        let mut markdown = String::from("# Long runbook\n\n");
        for i in 0..40 {
            markdown.push_str(&format!("{i}. step {i}\n"));
        }
        markdown.push_str("\n## Rollback\n\nrun `deploy rollback`\n");
        app.settings.runbooks = std::sync::Arc::new(onduty::runbook::Library {
            entries: vec![onduty::runbook::Entry {
                path: "/runbooks/long.md".into(),
                title: "Long runbook".into(),
                alerts: vec!["ConnectionPoolExhausted".into()],
                labels: vec![],
                markdown,
            }],
            problems: vec![],
        });
        app.settings.runbook_annotations = vec![];
        keys(app, "b:find rollback\n");
    });
}

fn snapshot_tickets(name: &str, setup: impl Fn(&mut App)) {
    for (w, h) in SIZES {
        let mut app = onduty::testing::ticket_app(w, h);
        setup(&mut app);
        insta::assert_snapshot!(format!("{name}_{w}x{h}"), draw(&app));
    }
}

#[test]
fn alert_list_with_a_ticket_marker() {
    snapshot_tickets("alerts_with_ticket", |_| {});
}

#[test]
fn alert_detail_with_its_ticket() {
    snapshot_tickets("alert_detail_ticket", |app| keys(app, "\n"));
}

#[test]
fn tickets_view() {
    snapshot_tickets("tickets", |app| keys(app, "8"));
}

#[test]
fn ticket_detail() {
    snapshot_tickets("ticket_detail", |app| keys(app, "t"));
}
