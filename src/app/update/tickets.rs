//! Ticket handlers: opening an alert's or incident's ticket (`t`), linking one by hand
//! (`L`), opening one from onduty (`:ticket`), and acting on the shown ticket (start
//! progress, resolve, transition, comment). Every write goes through the outbox like any
//! other action, with a marker that lets a re-send find the first.

use crate::app::{App, Confirm, Effect, Overlay, Prompt, PromptKind, View};
use crate::journal::task::Request;
use crate::model::TicketLink;
use crate::model::{AlertKey, SourceId, new_marker, sanitize};
use crate::sources::{NewTicket, Operation};

/// What a link or a new ticket is for: the selected incident (in `:incidents`), else the
/// selected alert's open incident, else the alert itself.
pub fn subject_here(app: &App) -> Option<String> {
    if app.view == View::Incidents {
        return app
            .selected_incident()
            .map(|i| crate::model::incident::subject(i.id));
    }
    let alert = app.selected_alert()?;
    Some(match app.open_incident_of(&alert.key) {
        Some(id) => crate::model::incident::subject(id),
        None => alert.key.0.clone(),
    })
}

/// `t`: the ticket of what is selected, in the tickets view.
pub fn open(app: &mut App, fx: &mut Vec<Effect>) {
    if app.view == View::Tickets {
        if app.selected_ticket().is_some() {
            app.is_detail_open = true;
            app.detail_scroll = 0;
        }
        return;
    }
    let first = if app.view == View::Incidents {
        subject_here(app).and_then(|s| app.ticket_refs_of(&s).first().copied())
    } else {
        app.selected_alert()
            .and_then(|a| app.tickets_of_alert(a).first().map(|t| t.key.clone()))
            .and_then(|key| app.find_ticket(&key.0))
    };
    match first {
        Some(r) => app.show_ticket(r, fx),
        None if app.has_ticket_sources() => {
            app.toast_error("no ticket linked here: L links one, :ticket opens one")
        }
        None => app.toast_error("no ticketing source is configured (README: Tickets)"),
    }
}

/// `L`: asks which ticket to link to the selected incident or alert.
pub fn ask_link(app: &mut App) {
    if app.settings.is_read_only {
        app.toast_error("read-only: nothing is linked here");
        return;
    }
    match subject_here(app) {
        Some(subject) => {
            app.overlay = Overlay::Prompt(Prompt {
                kind: PromptKind::LinkTicket(subject),
                input: Default::default(),
                error: None,
            })
        }
        None => app.toast_error("select an alert or an incident to link a ticket to"),
    }
}

/// Links `reference` (a ticket's key, id or URL) to `subject`; whether it was taken.
pub fn link(
    app: &mut App,
    subject: &str,
    reference: &str,
    fx: &mut Vec<Effect>,
) -> Result<(), String> {
    let reference = reference.trim();
    if reference.is_empty() || reference.chars().any(char::is_whitespace) {
        return Err("a ticket: its key (OPS-123, jira:OPS-123) or its URL".into());
    }
    // A key names a ticket of a ticketing source; without one, only a URL means anything.
    let is_url = reference.starts_with("https://") || reference.starts_with("http://");
    if !is_url && !app.sources.iter().any(|s| s.info.is_ticketing()) {
        return Err(format!(
            "no ticketing source is configured to find {reference} in (Jira, GitHub, ServiceNow); link its URL instead"
        ));
    }
    // A ticket not listed now (closed, outside the query) is linked all the same: it shows
    // once a poll brings it.
    let named = app
        .find_ticket(reference)
        .and_then(|r| app.ticket(r))
        .map(|t| t.key.0.clone())
        .unwrap_or_else(|| sanitize::line(reference, 300));
    fx.push(Effect::Journal(Request::LinkTicket {
        link: TicketLink {
            subject: subject.to_string(),
            reference: named.clone(),
            author: app.settings.identity.clone(),
            at: app.now,
        },
        shown: named.clone(),
    }));
    app.toast_info(format!("{named} linked to {subject}"));
    Ok(())
}

/// The ticket acted on: the shown one in the tickets view, else the first of the selected
/// alert or incident.
fn target(app: &App) -> Option<AlertKey> {
    if app.view == View::Tickets {
        return app.selected_ticket().map(|(_, t)| t.key.clone());
    }
    let subject = subject_here(app)?;
    let from_alert = app
        .selected_alert()
        .filter(|_| app.view == View::Alerts)
        .and_then(|a| app.tickets_of_alert(a).first().map(|t| t.key.clone()));
    from_alert.or_else(|| {
        let r = *app.ticket_refs_of(&subject).first()?;
        app.ticket(r).map(|t| t.key.clone())
    })
}

/// `a` in the tickets view: start progress.
pub fn acknowledge(app: &mut App, fx: &mut Vec<Effect>) {
    match target(app) {
        Some(key) => super::send::send(app, key, Operation::Acknowledge, fx),
        None => app.toast_error("no ticket selected"),
    }
}

/// `r` in the tickets view: asks, then resolves (the done transition, close, resolved).
pub fn ask_resolve(app: &mut App) {
    match target(app) {
        Some(key) => app.overlay = Overlay::Confirm(Confirm::Resolve(key)),
        None => app.toast_error("no ticket selected"),
    }
}

/// `:transition NAME`: moves the ticket to the status called NAME.
pub fn transition(app: &mut App, to: &str, fx: &mut Vec<Effect>) {
    if to.trim().is_empty() {
        app.toast_error("transition NAME: the status to move the ticket to (In Progress, Done)");
        return;
    }
    match target(app) {
        Some(key) => {
            let op = Operation::Transition {
                to: to.trim().to_string(),
            };
            super::send::send(app, key, op, fx)
        }
        None => app.toast_error("transition: no ticket here (t opens one)"),
    }
}

/// `:ticket [SOURCE] [TITLE]`: opens a ticket for the selected incident or alert in
/// SOURCE (else the first ticketing source), linked to it by the marker in its text.
pub fn create(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    if app.settings.is_read_only {
        app.toast_error("read-only: no ticket is opened from here");
        return;
    }
    let Some(subject) = subject_here(app) else {
        app.toast_error("select an alert or an incident to open a ticket for");
        return;
    };
    let Some((source, title)) = ticketing_source(app, text) else {
        return;
    };
    let (default_title, body) = describe(app, &subject);
    let title = if title.is_empty() {
        default_title
    } else {
        title
    };
    open_linked(app, &subject, &source, title, body, fx);
}

/// The ticketing source `text` starts with (the rest is returned), else the first one; a
/// toast when there is none.
fn ticketing_source(app: &mut App, text: &str) -> Option<(SourceId, String)> {
    let (first, rest) = text.split_once(' ').unwrap_or((text, ""));
    let named = app
        .sources
        .iter()
        .find(|s| *s.info.id.0 == *first && s.info.can.tickets);
    let found = match named {
        Some(s) => Some((s.info.id.clone(), rest.trim().to_string())),
        None => app
            .sources
            .iter()
            .find(|s| s.info.can.tickets)
            .map(|s| (s.info.id.clone(), text.trim().to_string())),
    };
    if found.is_none() {
        app.toast_error("no ticketing source is configured (README: Tickets)");
    }
    found
}

/// Opens a ticket in `source` linked to `subject` by its marker (the link is journaled
/// first, like the action, so neither is lost).
fn open_linked(
    app: &mut App,
    subject: &str,
    source: &SourceId,
    title: String,
    body: String,
    fx: &mut Vec<Effect>,
) {
    let marker = new_marker();
    fx.push(Effect::Journal(Request::LinkTicket {
        link: TicketLink {
            subject: subject.to_string(),
            reference: format!("marker:{marker}"),
            author: app.settings.identity.clone(),
            at: app.now,
        },
        shown: format!("new in {source}: {title}"),
    }));
    let op = Operation::CreateTicket(Box::new(NewTicket {
        title,
        body,
        marker,
    }));
    super::send::send(app, AlertKey(format!("{source}:")), op, fx);
}

/// `:publish [SOURCE | comment]` (`t` in the post-mortem): the shown post-mortem as a new
/// ticket and each action item without a ticket as one more, all linked to its incident;
/// or, with `comment`, as a comment on the incident's ticket. Scrubbed of secrets again.
pub fn publish(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    if app.settings.is_read_only {
        app.toast_error("read-only: nothing is published from here");
        return;
    }
    let shown = app.postmortem.as_ref().and_then(|v| match &v.text {
        Some(Ok(t)) => Some((v.subject.clone(), t.clone())),
        _ => None,
    });
    let Some((subject, markdown)) = shown else {
        app.toast_error("publish: open a post-mortem first (p)");
        return;
    };
    let markdown = crate::postmortem::scrub(&markdown);
    if text.trim() == "comment" {
        let Some(r) = app.ticket_refs_of(&subject).first().copied() else {
            app.toast_error(format!(
                "publish comment: {subject} has no ticket (L links one)"
            ));
            return;
        };
        let Some(key) = app.ticket(r).map(|t| t.key.clone()) else {
            return;
        };
        app.toast_info(format!("publishing the post-mortem as a comment on {key}"));
        let op = Operation::Comment {
            text: markdown,
            marker: new_marker(),
        };
        return super::send::send(app, key, op, fx);
    }
    let Some((source, _)) = ticketing_source(app, text) else {
        return;
    };
    let title = crate::postmortem::publish::title(&markdown);
    let items = crate::postmortem::publish::open_action_items(&markdown);
    for item in &items {
        let mut body = format!("Action item of \"{title}\" ({subject}).");
        for (name, value) in [("Owner", &item.owner), ("Due", &item.due)] {
            if !value.is_empty() {
                body.push_str(&format!("\n{name}: {value}"));
            }
        }
        open_linked(app, &subject, &source, item.action.clone(), body, fx);
    }
    app.toast_info(format!(
        "publishing the post-mortem and {} action item(s) to {source}",
        items.len()
    ));
    open_linked(app, &subject, &source, title, markdown, fx);
}

/// A new ticket's title and description for `subject`, from what the dashboard holds.
fn describe(app: &App, subject: &str) -> (String, String) {
    let opened = format!(
        "Opened from onduty by {} at {}.",
        app.settings.identity,
        app.now.format("%Y-%m-%d %H:%M UTC")
    );
    let incident = subject
        .strip_prefix("incident:")
        .and_then(|n| n.parse::<i64>().ok())
        .and_then(|id| app.incidents.iter().find(|i| i.id == id));
    if let Some(i) = incident {
        {
            let alerts: Vec<String> = i.alerts.iter().map(|k| format!("- `{k}`")).collect();
            let title = format!("SEV{} {}", i.severity, sanitize::line(&i.title, 200));
            let body = format!(
                "Incident {subject}: {title} ({}).\n\nAlerts:\n{}\n\n{opened}",
                i.status.name(),
                alerts.join("\n")
            );
            return (title, body);
        }
    }
    let alert = app
        .all_alerts()
        .map(|(_, a)| a)
        .find(|a| a.key.0 == subject);
    match alert {
        Some(a) => (
            a.title.to_string(),
            format!(
                "Alert `{}` ({}, {}), firing since {}.\n\n{opened}",
                a.key,
                a.severity.name(),
                a.service,
                a.started_at.format("%Y-%m-%d %H:%M UTC")
            ),
        ),
        None => (subject.to_string(), opened),
    }
}

/// A note saved on `subject` that also goes to a back end: a ticket's comment, or a
/// PagerDuty incident's note (onduty keeps it in the journal either way).
pub fn note_saved(app: &mut App, subject: &str, text: &str, fx: &mut Vec<Effect>) {
    let key = AlertKey(subject.to_string());
    let notes = app.source_of(subject).map(|s| s.info.can.notes);
    if let Some(op) = notes.and_then(|n| n.operation(text)) {
        super::send::send(app, key.clone(), op, fx);
    }
    // An incident whose notes go to its tickets: this note on it (or on one of its alerts)
    // is a comment on each of them too.
    let incident = match subject.strip_prefix("incident:") {
        Some(_) => Some(subject.to_string()),
        None => app
            .open_incident_of(&key)
            .map(crate::model::incident::subject),
    };
    let Some(incident) = incident.filter(|i| app.notes_go_to_tickets(i)) else {
        return;
    };
    let targets: Vec<AlertKey> = app
        .ticket_refs_of(&incident)
        .iter()
        .filter_map(|r| app.ticket(*r).map(|t| t.key.clone()))
        .filter(|k| *k != key)
        .collect();
    for ticket in targets {
        let op = Operation::Comment {
            text: text.to_string(),
            marker: new_marker(),
        };
        super::send::send(app, ticket, op, fx);
    }
}

/// `:ticket-notes [on|off]`: whether notes on the selected incident also go to its tickets
/// as comments (kept in the journal; without a word it flips).
pub fn ticket_notes(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let Some(subject) = subject_here(app).filter(|s| s.starts_with("incident:")) else {
        app.toast_error("ticket-notes: select an incident (6), or an alert in one");
        return;
    };
    let is_on = match text.trim() {
        "on" => true,
        "off" => false,
        "" => !app.notes_go_to_tickets(&subject),
        other => {
            app.toast_error(format!("ticket-notes: '{other}' is not on or off"));
            return;
        }
    };
    let tickets = app.ticket_refs_of(&subject).len();
    app.toast_info(match (is_on, tickets) {
        (true, 0) => format!("notes on {subject} will go to its tickets (it has none yet: L)"),
        (true, n) => format!("notes on {subject} now go to its {n} ticket(s) as comments"),
        (false, _) => format!("notes on {subject} stay in onduty"),
    });
    fx.push(Effect::Journal(Request::TicketNotes {
        subject,
        is_on,
        author: app.settings.identity.clone(),
    }));
}

#[cfg(test)]
mod tests {
    use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::super::tests::{code, key, typed};
    use crate::app::{Action, App, Confirm, Effect, Overlay, View};
    use crate::journal::task::{JournalEvent, Request};
    use crate::model::TicketLink;
    use crate::model::{AlertKey, TicketState};
    use crate::sources::Operation;
    use crate::testing::{story_start, ticket, ticket_app};

    use crate::testing::performed as sent;

    fn select(app: &mut App, title: &str) {
        while app.selected_alert().is_some_and(|a| &*a.title != title) {
            app.move_cursor(1);
        }
        assert_eq!(app.selected_alert().map(|a| &*a.title), Some(title));
    }

    fn save(app: &mut App) -> Vec<Effect> {
        app.update(Action::Key(KeyEvent::new(
            KeyCode::Char('s'),
            KeyModifiers::CONTROL,
        )))
    }

    #[test]
    fn a_label_names_the_ticket_and_the_list_puts_open_work_first() {
        let mut app = ticket_app(120, 30);
        select(&mut app, "CheckoutErrors");
        let alert = app.selected_alert().unwrap();
        let ids: Vec<&str> = app
            .tickets_of_alert(alert)
            .iter()
            .map(|t| t.id.as_str())
            .collect();
        assert_eq!(ids, ["OPS-7"]);
        let rows: Vec<&str> = app
            .ticket_list
            .rows
            .iter()
            .map(|r| app.ticket(*r).unwrap().id.as_str())
            .collect();
        // Open work newest change first, done last.
        assert_eq!(rows, ["OPS-9", "OPS-7", "OPS-8"]);
        let ops7 = app
            .find_ticket("https://acme.atlassian.net/browse/OPS-7/")
            .unwrap();
        assert_eq!(app.linked_to(ops7), ["prod-am:CheckoutErrors"]);
        // A reference names a ticket by its key, its id (any case) or its URL.
        for r in ["jira:OPS-7", "OPS-7", "ops-7", " OPS-7 "] {
            assert_eq!(app.find_ticket(r), Some(ops7), "{r}");
        }
        for r in [
            "OPS-",
            "other:OPS-7",
            "https://acme.atlassian.net/browse/OPS-70",
            "",
        ] {
            assert_eq!(app.find_ticket(r), None, "{r}");
        }
        select(&mut app, "DiskFull");
        assert!(
            app.tickets_of_alert(app.selected_alert().unwrap())
                .is_empty()
        );
    }

    #[test]
    fn journal_links_by_key_and_by_marker_join_alerts_and_incidents_to_tickets() {
        let mut app = ticket_app(120, 30);
        let mut made = ticket("OPS-10", TicketState::Open, 1);
        made.description = "Declared\n\n(sent from onduty, ref od-00000000abcd)".into();
        let mut tickets: Vec<_> = app.sources[1].tickets.to_vec();
        tickets.push(made);
        app.sources[1].tickets = tickets.into();
        let link = |subject: &str, reference: &str| TicketLink {
            subject: subject.into(),
            reference: reference.into(),
            author: "ana".into(),
            at: story_start(),
        };
        app.update(Action::Journal(JournalEvent::TicketLinks(vec![
            link("prod-am:DiskFull", "ops-8"),
            link("prod-am:DiskFull", "marker:od-00000000abcd"),
            link("prod-am:DiskFull", "NOPE-1"),
        ])));
        select(&mut app, "DiskFull");
        let ids: Vec<String> = app
            .tickets_of_alert(app.selected_alert().unwrap())
            .iter()
            .map(|t| t.id.clone())
            .collect();
        assert_eq!(
            ids,
            ["OPS-8", "OPS-10"],
            "an unknown reference links nothing yet"
        );
    }

    #[test]
    fn t_opens_the_alerts_ticket_and_says_so_when_there_is_none() {
        let mut app = ticket_app(120, 30);
        select(&mut app, "CheckoutErrors");
        key(&mut app, 't');
        assert_eq!(app.view, View::Tickets);
        assert!(app.is_detail_open);
        assert_eq!(app.selected_ticket().unwrap().1.id, "OPS-7");
        code(&mut app, KeyCode::Esc);
        assert!(!app.is_detail_open, "esc closes the ticket, the list stays");
        code(&mut app, KeyCode::Esc);
        assert_eq!(app.view, View::Alerts);
        select(&mut app, "DiskFull");
        key(&mut app, 't');
        assert_eq!(app.view, View::Alerts);
        assert!(app.toast.as_ref().unwrap().text.contains("L links one"));
    }

    #[test]
    fn in_the_tickets_view_a_r_and_n_act_on_the_ticket_through_the_outbox() {
        let mut app = ticket_app(120, 30);
        key(&mut app, '8');
        assert_eq!(app.view, View::Tickets);
        key(&mut app, 'j');
        assert_eq!(app.selected_ticket().unwrap().1.id, "OPS-7");
        let fx = key(&mut app, 'a');
        assert_eq!(sent(&fx), [("jira:OPS-7".into(), Operation::Acknowledge)]);
        key(&mut app, 'r');
        assert_eq!(
            app.overlay,
            Overlay::Confirm(Confirm::Resolve(AlertKey("jira:OPS-7".into())))
        );
        let fx = key(&mut app, 'y');
        assert_eq!(sent(&fx), [("jira:OPS-7".into(), Operation::Resolve)]);
        key(&mut app, 'n');
        typed(&mut app, "db failed over");
        let fx = save(&mut app);
        let note = fx.iter().any(|e| {
            matches!(e, Effect::Journal(Request::Note { subject, .. }) if subject == "jira:OPS-7")
        });
        assert!(note, "journaled first: {fx:?}");
        match sent(&fx).as_slice() {
            [(k, Operation::Comment { text, marker })] => {
                assert_eq!(
                    (k.as_str(), text.as_str()),
                    ("jira:OPS-7", "db failed over")
                );
                assert!(marker.starts_with("od-") && marker.len() > 8, "{marker}");
            }
            other => panic!("one comment, not {other:?}"),
        }
        app.update(Action::Run(crate::app::Command::Palette));
        typed(&mut app, "transition Done");
        let fx = code(&mut app, KeyCode::Enter);
        assert_eq!(
            sent(&fx),
            [(
                "jira:OPS-7".into(),
                Operation::Transition { to: "Done".into() }
            )]
        );
    }

    #[test]
    fn l_links_a_ticket_in_the_journal_and_ticket_opens_one_linked_by_its_marker() {
        let mut app = ticket_app(120, 30);
        select(&mut app, "DiskFull");
        key(&mut app, 'L');
        typed(&mut app, "OPS-8");
        let fx = code(&mut app, KeyCode::Enter);
        let link = fx.iter().find_map(|e| match e {
            Effect::Journal(Request::LinkTicket { link, .. }) => Some(link.clone()),
            _ => None,
        });
        let link = link.expect("a link is written");
        assert_eq!(
            (link.subject.as_str(), link.reference.as_str()),
            ("prod-am:DiskFull", "jira:OPS-8")
        );
        assert_eq!(app.overlay, Overlay::None);

        app.update(Action::Run(crate::app::Command::Palette));
        typed(&mut app, "ticket Disk is full on db-1");
        let fx = code(&mut app, KeyCode::Enter);
        let marker = fx.iter().find_map(|e| match e {
            Effect::Journal(Request::LinkTicket { link, .. }) => link.marker().map(String::from),
            _ => None,
        });
        let marker = marker.expect("the new ticket is linked by its marker");
        match sent(&fx).as_slice() {
            [(k, Operation::CreateTicket(t))] => {
                assert_eq!(k, "jira:");
                assert_eq!(t.title, "Disk is full on db-1");
                assert_eq!(t.marker, marker);
                assert!(t.body.contains("prod-am:DiskFull"), "{}", t.body);
            }
            other => panic!("one create, not {other:?}"),
        }
    }

    #[test]
    fn the_filter_language_narrows_tickets_too() {
        let mut app = ticket_app(120, 30);
        app.set_filter("is:resolved", true, &mut Vec::new());
        let rows: Vec<&str> = app
            .ticket_list
            .rows
            .iter()
            .map(|r| app.ticket(*r).unwrap().id.as_str())
            .collect();
        assert_eq!(rows, ["OPS-8"]);
        app.set_filter("assignee=ana !is:resolved", true, &mut Vec::new());
        assert_eq!(app.ticket_list.rows.len(), 2);
    }

    #[test]
    fn a_note_on_a_pagerduty_incident_is_journaled_and_sent_to_pagerduty() {
        let mut app = ticket_app(120, 30);
        select(&mut app, "The server is on fire.");
        key(&mut app, 'n');
        typed(&mut app, "rolled back");
        let fx = save(&mut app);
        assert_eq!(
            sent(&fx),
            [(
                "pd:PT4KHLK".into(),
                Operation::AddNote {
                    text: "rolled back".into()
                }
            )]
        );
        // An Alertmanager alert keeps its notes in the journal alone.
        select(&mut app, "DiskFull");
        key(&mut app, 'n');
        typed(&mut app, "freed 4G");
        assert!(sent(&save(&mut app)).is_empty());
    }

    #[test]
    fn a_post_mortem_is_published_as_tickets_scrubbed_or_as_a_comment_on_the_ticket() {
        let mut app = ticket_app(120, 30);
        let md = "# Post-mortem: Checkout errors\n\nran it with token=abc123secret\n\n\
                  ## Action items\n\n| Action | Owner | Ticket | Due |\n|---|---|---|---|\n\
                  | Alert on saturation | ana | | 2026-12-10 |\n| Done already | bo | OPS-1 | |\n";
        app.postmortem = Some(crate::app::PostmortemView {
            subject: "prod-am:CheckoutErrors".into(),
            text: Some(Ok(md.into())),
            is_kept: true,
        });
        let fx = key(&mut app, 't');
        let made: Vec<_> = sent(&fx)
            .into_iter()
            .filter_map(|(k, op)| match op {
                Operation::CreateTicket(t) => Some((k, t.title.clone(), t.body.clone())),
                _ => None,
            })
            .collect();
        assert_eq!(
            made.len(),
            2,
            "the post-mortem and its one open action item: {made:?}"
        );
        assert_eq!(made[0].1, "Alert on saturation");
        assert!(made[0].2.contains("Owner: ana") && made[0].2.contains("Due: 2026-12-10"));
        assert_eq!(
            (made[1].0.as_str(), made[1].1.as_str()),
            ("jira:", "Post-mortem: Checkout errors")
        );
        assert!(made[1].2.contains("token=<redacted>") && !made[1].2.contains("abc123"));
        let links = fx
            .iter()
            .filter(|e| matches!(e, Effect::Journal(Request::LinkTicket { link, .. }) if link.subject == "prod-am:CheckoutErrors"))
            .count();
        assert_eq!(links, 2, "each new ticket is linked to the subject");

        app.update(Action::Run(crate::app::Command::Palette));
        typed(&mut app, "publish comment");
        let fx = code(&mut app, KeyCode::Enter);
        match sent(&fx).as_slice() {
            [(k, Operation::Comment { text, .. })] => {
                assert_eq!(k, "jira:OPS-7");
                assert!(text.starts_with("# Post-mortem: Checkout errors"));
            }
            other => panic!("one comment on the alert's ticket, not {other:?}"),
        }
    }

    #[test]
    fn with_ticket_notes_on_a_note_on_the_incident_or_its_alert_is_a_comment_on_its_ticket() {
        use crate::model::incident::{Incident, IncidentStatus};
        let mut app = ticket_app(120, 30);
        let incident = Incident {
            id: 3,
            title: "Disk trouble".into(),
            severity: 2,
            status: IncidentStatus::Investigating,
            commander: Some("ana".into()),
            scribe: None,
            comms: None,
            alerts: vec![AlertKey("prod-am:DiskFull".into())],
            opened_at: story_start(),
            resolved_at: None,
            origin: None,
        };
        app.update(Action::Journal(JournalEvent::Incidents(vec![incident])));
        let link = |reference: &str| TicketLink {
            subject: "incident:3".into(),
            reference: reference.into(),
            author: "ana".into(),
            at: story_start(),
        };
        app.update(Action::Journal(JournalEvent::TicketLinks(vec![link(
            "jira:OPS-9",
        )])));
        select(&mut app, "DiskFull");
        key(&mut app, 'n');
        typed(&mut app, "freed 4G");
        assert!(
            sent(&save(&mut app)).is_empty(),
            "off: the note stays in onduty"
        );

        app.update(Action::Run(crate::app::Command::Palette));
        typed(&mut app, "ticket-notes");
        let fx = code(&mut app, KeyCode::Enter);
        let asked = fx.iter().any(|e| {
            matches!(e, Effect::Journal(Request::TicketNotes { subject, is_on: true, .. }) if subject == "incident:3")
        });
        assert!(asked, "without a word it turns on: {fx:?}");
        let on = crate::journal::ticket_links::NOTES_TO_TICKETS;
        app.update(Action::Journal(JournalEvent::TicketLinks(vec![
            link("jira:OPS-9"),
            link(on),
        ])));
        // The first note's draft goes when the journal hands the note back; here it has not.
        app.drafts.clear();
        key(&mut app, 'n');
        typed(&mut app, "db-1 back");
        match sent(&save(&mut app)).as_slice() {
            [(k, Operation::Comment { text, .. })] => {
                assert_eq!((k.as_str(), text.as_str()), ("jira:OPS-9", "db-1 back"));
            }
            other => panic!("one comment on the incident's ticket, not {other:?}"),
        }
        assert_eq!(
            app.ticket_refs_of("incident:3").len(),
            1,
            "the setting is no ticket"
        );
    }

    #[test]
    fn a_ticket_poll_does_not_reorder_the_alerts() {
        let mut app = ticket_app(120, 30);
        let fx = app.update(Action::Source(crate::sources::SourceEvent::AlertsFetched {
            source: crate::model::SourceId("jira".into()),
            alerts: Default::default(),
            escalation: Vec::new().into(),
            silences: Vec::new().into(),
            tickets: vec![ticket("OPS-7", TicketState::Done, 0)].into(),
            fetched_at: story_start(),
        }));
        assert!(!fx.iter().any(|e| matches!(e, Effect::OrderAlerts(_))));
        assert_eq!(app.ticket_list.rows.len(), 1);
        assert_eq!(
            app.selected_alert().map(|a| a.source.0.as_ref()),
            Some("prod-am")
        );
    }
}
