//! `update` tests of incidents: declaring, changing, the selected one, their notes.

use super::tests::*;

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
        origin: None,
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
        origin: None,
    };
    let both = vec![incident(9), incident(4)];
    app.update(Action::Journal(JournalEvent::Incidents(both.clone())));
    app.run(Command::ShowIncidents, &mut Vec::new());
    assert_eq!(
        app.incident_selected.as_deref(),
        Some("incident:9"),
        "the first is selected"
    );
    key(&mut app, 'j');
    assert_eq!(app.incident_selected.as_deref(), Some("incident:4"));
    key(&mut app, 'j');
    assert_eq!(
        app.incident_selected.as_deref(),
        Some("incident:4"),
        "the cursor stops at the end"
    );
    // A new incident arrives first in the list: the selection stays on #4.
    app.update(Action::Journal(JournalEvent::Incidents(
        [vec![incident(12)], both].concat(),
    )));
    assert_eq!(app.incident_selected.as_deref(), Some("incident:4"));
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
        (app.incident_selected.as_deref(), app.detail_scroll),
        (Some("incident:4"), 1),
        "j scrolls it"
    );
    code(&mut app, KeyCode::Esc);
    assert!(!app.is_detail_open && app.view == View::Incidents);
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
        origin: None,
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
        origin: None,
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

/// An incident kept by the app's first source (as incident.io keeps its own).
fn kept(app: &App, id: &str, reference: &str) -> crate::model::incident::Incident {
    use crate::model::incident::{Incident, IncidentStatus, Origin, OriginUpdate};
    let source = app.sources[0].info.id.clone();
    Incident {
        id: 0,
        title: format!("{reference} title"),
        severity: 2,
        status: IncidentStatus::Identified,
        commander: Some("Ana".into()),
        scribe: None,
        comms: None,
        alerts: Vec::new(),
        opened_at: app.now - TimeDelta::minutes(5),
        resolved_at: None,
        origin: Some(Box::new(Origin {
            key: crate::model::AlertKey::new(&source, id),
            kind: "incident.io".into(),
            reference: reference.into(),
            status_name: "Fixing".into(),
            severity_name: "Major".into(),
            roles: vec![("Incident Lead".into(), "Ana".into())],
            summary: "Checkout returns 502s.".into(),
            url: Some(format!(
                "https://app.incident.io/acme/incidents/{reference}"
            )),
            channel: Some("#inc-123".into()),
            updates: vec![OriginUpdate {
                at: app.now - TimeDelta::minutes(2),
                author: "Bo".into(),
                text: "Rolled back".into(),
            }],
        })),
    }
}

#[test]
fn incidents_a_back_end_keeps_are_listed_beside_the_journals_and_changed_there() {
    use crate::journal::task::IncidentChange;
    use crate::model::incident::IncidentStatus;
    use crate::sources::{Operation, SourceEvent};
    let mut app = demo_app(100, 120, 30);
    app.sources[0].info.can.keeps_incidents = true;
    let source = app.sources[0].info.id.clone();
    let inc = kept(&app, "01I1", "INC-123");
    app.update(Action::Source(SourceEvent::IncidentsFetched {
        source: source.clone(),
        incidents: vec![inc.clone()].into(),
    }));
    app.run(Command::ShowIncidents, &mut Vec::new());
    assert_eq!(
        app.incident_selected.as_deref(),
        Some(inc.subject().as_str()),
        "selected by its key"
    );
    let screen = crate::testing::screen(&app, 120, 30);
    for shown in [
        "INC-123",
        "SEV2",
        "Major",
        "Fixing",
        "Incident Lead Ana",
        "#inc-123",
        "Bo (incident.io): Rolled back",
    ] {
        assert!(screen.contains(shown), "{shown} in\n{screen}");
    }
    // :status on it goes to its back end through the outbox, addressed by its key.
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "status monitoring", &mut fx);
    crate::app::update::palette::run(&mut app, "severity INC-123 1", &mut fx);
    crate::app::update::palette::run(&mut app, "sev 3", &mut fx);
    assert_eq!(
        crate::testing::performed(&fx),
        [
            (
                inc.subject(),
                Operation::ChangeIncident(IncidentChange::Status(IncidentStatus::Monitoring))
            ),
            (
                inc.subject(),
                Operation::ChangeIncident(IncidentChange::Severity(1))
            ),
            (
                inc.subject(),
                Operation::ChangeIncident(IncidentChange::Severity(3))
            ),
        ]
    );
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Journal(Request::ChangeIncident { .. }))),
        "the journal's incidents are not touched: {fx:?}"
    );
    // A note on it is the journal's, under its key; its view shows both, marked.
    key(&mut app, 'n');
    assert!(matches!(&app.overlay, Overlay::NoteEditor(e) if e.subject == inc.subject()));
    code(&mut app, KeyCode::Esc);
    // The journal's incidents arriving keep it listed and selected.
    app.update(Action::Journal(
        crate::journal::task::JournalEvent::Incidents(Vec::new()),
    ));
    assert_eq!(app.incidents.len(), 1);
    assert_eq!(
        app.incident_selected.as_deref(),
        Some(inc.subject().as_str())
    );
    // Gone from its back end (resolved there): gone from the view.
    app.update(Action::Source(SourceEvent::IncidentsFetched {
        source,
        incidents: Vec::new().into(),
    }));
    assert!(app.incidents.is_empty() && app.selected_incident().is_none());
}

#[test]
fn declare_in_sends_the_declaration_to_the_back_end_with_or_without_the_journal() {
    use crate::sources::Operation;
    let mut app = demo_app(100, 120, 30);
    let mut fx = Vec::new();
    crate::app::update::palette::run(&mut app, "declare-in demo", &mut fx);
    assert!(
        app.toast
            .as_ref()
            .is_some_and(|t| t.text.contains("keeps incidents")),
        "the demo keeps none: {:?}",
        app.toast
    );
    app.sources[0].info.can.keeps_incidents = true;
    let name = app.sources[0].info.id.to_string();
    crate::app::update::palette::run(&mut app, &format!("declare-in {name}"), &mut fx);
    assert_eq!(
        app.declare_in.source.as_ref().map(|s| s.to_string()),
        Some(name.clone())
    );
    let declare = |app: &mut App| {
        code(app, KeyCode::Esc);
        key(app, '1');
        key(app, 'I');
        typed(app, "SEV2 Checkout is down");
        code(app, KeyCode::Enter)
    };
    let fx = declare(&mut app);
    let ops: Vec<_> = crate::testing::performed(&fx)
        .into_iter()
        .filter_map(|(key, op)| match op {
            Operation::DeclareIncident(new) => Some((key, new)),
            _ => None,
        })
        .collect();
    let [(key, new)] = ops.as_slice() else {
        panic!("{fx:?}");
    };
    assert_eq!(key, &format!("{name}:"));
    assert_eq!((new.severity, new.title.as_str()), (2, "Checkout is down"));
    assert!(
        new.summary.contains("ana") && new.idempotency_key.len() >= 8,
        "{new:?}"
    );
    assert!(
        !fx.iter()
            .any(|e| matches!(e, Effect::Journal(Request::DeclareIncident(_)))),
        "declared there only: one record"
    );
    crate::app::update::palette::run(
        &mut app,
        &format!("declare-in {name},journal"),
        &mut Vec::new(),
    );
    let fx = declare(&mut app);
    assert!(
        fx.iter()
            .any(|e| matches!(e, Effect::Journal(Request::DeclareIncident(_))))
    );
    assert!(
        crate::testing::performed(&fx)
            .iter()
            .any(|(_, op)| matches!(op, Operation::DeclareIncident(_)))
    );
}
