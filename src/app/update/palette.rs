//! The `:` command palette: views, themes, sort, group, filter and every named command.

use crate::app::rows::{group_name, sort_name};
use crate::app::{App, Command, Effect, Overlay};
use crate::config::{ClockZone, GroupBy, SortKey};

/// Palette words and what they do, for help and completion.
pub const PALETTE_HELP: &[(&str, &str)] = &[
    (":alerts", "the alert list (also :al)"),
    (":oncall", "who is on call, escalation policies (also :on)"),
    (":sources", "source health (also :health)"),
    (":outbox", "actions waiting to be sent or confirmed"),
    (":silences", "silences of every source, active first"),
    (
        ":silences stale",
        "only those catching no alert or ending within the hour",
    ),
    (
        ":expire-all",
        "expire every silence listed (after :silences stale: the stale ones)",
    ),
    (":incidents", "incidents and their timelines (also :inc)"),
    (":history", "what fired and resolved since you last looked"),
    (":tickets", "tickets of every ticketing source (also :tk)"),
    (
        ":problem [TITLE]",
        "open the problem record of the selected alert or incident (or say which covers it)",
    ),
    (
        ":problem [N] cause|workaround|status|owner|ticket TEXT",
        "record a problem's cause, workaround (shown with its alerts), status, owner, ticket",
    ),
    (
        ":insights",
        "time to ack and resolve, load per responder, noise (also :kpi)",
    ),
    (
        ":ticket [SOURCE] [TITLE]",
        "open a ticket for the selected incident or alert",
    ),
    (
        ":link REF",
        "link a ticket (key or URL) to the selected incident or alert",
    ),
    (
        ":publish [SOURCE|comment]",
        "the shown post-mortem (t) as a ticket, action items as tickets too",
    ),
    (
        ":ticket-notes [on|off]",
        "notes on the incident also go to its tickets as comments",
    ),
    (
        ":transition NAME",
        "move the ticket to a status (In Progress, Done, closed)",
    ),
    (
        ":status [N] STATUS",
        "investigating, identified, monitoring, resolved",
    ),
    (":role [N] ic|scribe|comms WHO", "give an incident role"),
    (
        ":severity [N] 1..4",
        "change an incident's severity (also :sev)",
    ),
    (
        ":declare-in journal|SOURCE[,journal]",
        "where I declares incidents: the journal, a source that keeps incidents, or both",
    ),
    (
        ":attach [N]",
        "add the marked (or selected) alerts to incident N",
    ),
    (
        ":note [N] [TEXT]",
        "a note on incident N (the editor opens without TEXT)",
    ),
    (
        ":star ID / :unstar ID",
        "star a timeline entry (#ID): it leads the post-mortem",
    ),
    (":correct ID", "write a correction of timeline entry #ID"),
    (
        ":escalate [LEVEL]",
        "page the next level (or LEVEL) for the selected alert",
    ),
    (
        ":reassign WHO",
        "hand the selected incident to a user or a policy",
    ),
    (
        ":responder WHO",
        "ask team:, user:, escalation: or schedule: NAME to respond too",
    ),
    (
        ":unack",
        "take the acknowledgement back: the alert pages again",
    ),
    (
        ":unresolve",
        "open a resolved alert again (:resolved lists them)",
    ),
    (
        ":find TEXT",
        "in the runbook (b): jump to the next line with TEXT",
    ),
    (
        ":mine [on|off]",
        "only incidents assigned to me (PagerDuty)",
    ),
    (
        ":resolved [24h]",
        "also list incidents resolved lately (:resolved off)",
    ),
    (
        ":mute [30m|off]",
        "no notifications for a while (shown in the header)",
    ),
    (
        ":handoff [12h] [FILE]",
        "write the shift hand-off (Markdown) to FILE (default handoff-DATE-TIME.md)",
    ),
    (":theme NAME", "switch theme (:theme alone lists them)"),
    (":sort KEY", "severity, age, source, service"),
    (":group KEY", "service, source, severity, none"),
    (":filter EXPR", "set the filter (also :f)"),
    (":clock utc|local", "header clock"),
    (":pause / :resume", "stop or restart polling"),
    (":refresh", "poll every source now"),
    (":q", "quit (:q! even with actions pending)"),
];

/// Runs what was typed after `:`.
pub fn run(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    let text = text.trim().trim_start_matches(':');
    let (word, rest) = text
        .split_once(' ')
        .map_or((text, ""), |(w, r)| (w, r.trim()));
    match word {
        "" => {}
        "q" | "quit" | "exit" => app.run(Command::Quit, fx),
        "q!" | "quit!" => fx.push(Effect::Quit),
        "alerts" | "alert" | "al" => app.run(Command::ShowAlerts, fx),
        "oncall" | "on-call" | "on" | "escalation" => app.run(Command::ShowOnCall, fx),
        "sources" | "source" | "src" | "health" => app.run(Command::ShowSources, fx),
        "outbox" | "pending" => app.run(Command::ShowOutbox, fx),
        "silences" => {
            app.set_silence_filter(match rest {
                "stale" => crate::app::silences::SilenceFilter::Stale,
                _ => crate::app::silences::SilenceFilter::All,
            });
            app.run(Command::ShowSilences, fx)
        }
        "expire-all" if app.settings.is_read_only => {
            app.toast_error("read-only: silences are not changed from here")
        }
        "expire-all" => super::act::ask_expire_listed(app),
        "incidents" | "incident" | "inc" => app.run(Command::ShowIncidents, fx),
        "history" | "hist" => app.run(Command::ShowHistory, fx),
        "tickets" | "tk" => app.run(Command::ShowTickets, fx),
        "insights" | "kpi" => app.run(Command::ShowInsights, fx),
        "ticket" | "link" | "transition" | "publish" | "ticket-notes"
            if app.settings.is_read_only =>
        {
            app.toast_error("read-only: tickets are not changed from here")
        }
        "ticket" => super::tickets::create(app, rest, fx),
        "publish" => super::tickets::publish(app, rest, fx),
        "ticket-notes" => super::tickets::ticket_notes(app, rest, fx),
        "transition" | "tr" => super::tickets::transition(app, rest, fx),
        "link" => match super::tickets::subject_here(app) {
            Some(subject) => {
                if let Err(e) = super::tickets::link(app, &subject, rest, fx) {
                    app.toast_error(format!("link: {e}"));
                }
            }
            None => app.toast_error("link: select an alert or an incident first"),
        },
        "status" | "severity" | "sev" | "role" | "attach" => incident_change(app, word, rest, fx),
        "declare-in" => declare_in(app, rest),
        "problem" | "prob" => app.problem_command(rest, fx),
        "note" => incident_note(app, rest, fx),
        "star" | "unstar" if app.settings.is_read_only => {
            app.toast_error("read-only: the timeline cannot be changed here")
        }
        "star" => super::notes::star(app, rest, true, fx),
        "unstar" => super::notes::star(app, rest, false, fx),
        "correct" => match rest.trim_start_matches('#').parse::<i64>() {
            Ok(id) => super::notes::open_correction(app, id),
            Err(_) => app.toast_error("correct ID: the entry's number, as the timeline shows it"),
        },
        "escalate" | "esc" if app.settings.is_read_only => {
            app.toast_error("read-only: nothing is escalated from here")
        }
        "escalate" | "esc" => match rest {
            "" => super::act::ask_escalate(app, None),
            level => match level.trim_start_matches(['L', 'l']).parse::<u32>() {
                Ok(l) if l >= 1 => super::act::ask_escalate(app, Some(l)),
                _ => app.toast_error("escalate [LEVEL]: a level number, 1 for the first"),
            },
        },
        "reassign" if app.settings.is_read_only => {
            app.toast_error("read-only: nothing is reassigned from here")
        }
        "reassign" => super::act::reassign(app, rest, fx),
        "unack" | "unacknowledge" | "unresolve" | "responder" if app.settings.is_read_only => {
            app.toast_error("read-only: nothing is sent from here")
        }
        "unack" | "unacknowledge" => super::act::unacknowledge(app, fx),
        "unresolve" | "reopen" => super::act::unresolve(app, fx),
        "responder" => super::act::add_responder(app, rest, fx),
        "resolved" => show_resolved(app, rest, fx),
        "mine" => mine_only(app, rest, fx),
        "find" | "search" => find_in_runbook(app, rest),
        "help" | "h" | "?" => app.overlay = Overlay::Help(0),
        "mute" => super::notify::mute(app, rest),
        "handoff" | "hand-off" => super::handoff::ask(app, rest, fx),
        "unmute" => super::notify::mute(app, "off"),
        "theme" => theme(app, rest),
        "sort" => match parse_sort(rest) {
            Some(s) => {
                app.sort = s;
                app.rebuild_rows(fx);
            }
            None => app.toast_error(format!(
                "sort: '{rest}' is not severity, age, source or service"
            )),
        },
        "group" => match parse_group(rest) {
            Some(g) => {
                app.group = g;
                app.rebuild_rows(fx);
            }
            None => app.toast_error(format!(
                "group: '{rest}' is not service, source, severity or none"
            )),
        },
        "filter" | "f" => app.set_filter(rest, true, fx),
        "clock" => match rest {
            "utc" => app.clock = ClockZone::Utc,
            "local" => app.clock = ClockZone::Local,
            _ => app.run(Command::ToggleClock, fx),
        },
        "pause" if !app.is_paused => app.run(Command::TogglePause, fx),
        "resume" if app.is_paused => app.run(Command::TogglePause, fx),
        "pause" | "resume" => {}
        "refresh" => app.run(Command::Refresh, fx),
        other => match (Command::from_name(other), unique(other)) {
            (Some(c), _) => app.run(c, fx),
            // A prefix of exactly one command is that command (`:th dark`).
            (None, Some(word)) if word != other => run(app, &format!("{word} {rest}"), fx),
            _ => app.toast_error(format!("unknown command ':{other}' (? lists them)")),
        },
    }
}

fn theme(app: &mut App, name: &str) {
    if name.is_empty() {
        let names = app.themes.names().join(", ");
        app.toast_info(format!("themes: {names}"));
        return;
    }
    match app.themes.get(name) {
        Ok(theme) => {
            app.theme = theme;
            app.toast_info(format!("theme: {name}"));
        }
        Err(e) => app.toast_error(e),
    }
}

fn parse_sort(s: &str) -> Option<SortKey> {
    [
        SortKey::Severity,
        SortKey::Age,
        SortKey::Source,
        SortKey::Service,
    ]
    .into_iter()
    .find(|k| sort_name(*k) == s)
}

fn parse_group(s: &str) -> Option<GroupBy> {
    [
        GroupBy::None,
        GroupBy::Service,
        GroupBy::Source,
        GroupBy::Severity,
    ]
    .into_iter()
    .find(|g| group_name(*g) == s)
}

/// Commands and palette words starting with `prefix`, for the palette's hint line.
pub fn completions(prefix: &str) -> Vec<&'static str> {
    let words = PALETTE_HELP.iter().map(|(w, _)| {
        w.trim_start_matches(':')
            .split([' ', '/'])
            .next()
            .unwrap_or("")
    });
    let names = Command::ALL.iter().map(|c| c.name());
    let prefix = prefix.trim_start_matches(':');
    let mut out: Vec<&str> = words
        .chain(names)
        .filter(|w| !w.is_empty() && w.starts_with(prefix))
        .collect();
    out.dedup();
    out
}

/// The one command `prefix` can be, if only one starts with it.
fn unique(prefix: &str) -> Option<&'static str> {
    let mut found = completions(prefix);
    found.sort_unstable();
    found.dedup();
    match found.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// What tab makes of the palette's `text`: the command completed (with a space after it)
/// when one matches, else as far as every match agrees; None when nothing would change.
pub fn complete(text: &str) -> Option<String> {
    let typed = text.trim_start_matches(':');
    if typed.contains(' ') {
        return None;
    }
    if let Some(word) = unique(typed) {
        return Some(format!("{word} "));
    }
    let found = completions(typed);
    let first = *found.first()?;
    let common = found.iter().fold(first.len(), |n, w| {
        first
            .bytes()
            .zip(w.bytes())
            .take(n)
            .take_while(|(a, b)| a == b)
            .count()
    });
    (common > typed.len()).then(|| first[..common].to_string())
}

/// `:status`, `:severity`, `:role`, `:attach`: a change to incident N, or to the only open
/// incident when N is left out. The journal's incidents change in the journal; those a back
/// end keeps change there, through the outbox (journaled first, sent once).
fn incident_change(app: &mut App, word: &str, rest: &str, fx: &mut Vec<Effect>) {
    use crate::journal::task::{IncidentChange, Request};
    use crate::model::incident::{IncidentStatus, Role};
    if app.settings.is_read_only {
        app.toast_error("read-only: incidents cannot be changed here");
        return;
    }
    // `:severity 2` alone names the severity, not incident 2 (`:severity 3 2` names both).
    let severity_alone = matches!(word, "severity" | "sev") && !rest.contains(' ');
    let named = if severity_alone { "" } else { rest };
    let Some((incident, named_rest)) = super::which::which_incident(app, word, named) else {
        return;
    };
    let rest = if severity_alone { rest } else { named_rest };
    let change = match word {
        "status" => match IncidentStatus::parse(rest) {
            Some(s) => IncidentChange::Status(s),
            None => {
                return app
                    .toast_error("status: investigating, identified, monitoring or resolved");
            }
        },
        "severity" | "sev" => match super::act::parse_severity(rest.trim()) {
            Some(Ok(n)) => IncidentChange::Severity(n),
            _ => return app.toast_error("severity: SEV1 to SEV4 (:severity 2)"),
        },
        "role" => {
            let (role, who) = rest.split_once(' ').unwrap_or((rest, ""));
            match (Role::parse(role), who.trim()) {
                (Some(role), who) if !who.is_empty() => IncidentChange::Role(role, who.to_string()),
                (Some(_), _) => return app.toast_error("role: who? (:role ic ana)"),
                (None, _) => return app.toast_error("role: ic, scribe or comms"),
            }
        }
        _ if incident.origin.is_some() => {
            return app.toast_error(format!(
                "{} is kept in its back end: its alerts are attached there",
                incident.label()
            ));
        }
        _ => {
            let keys = super::act::marked_or_selected(app);
            app.marked.clear();
            if keys.is_empty() {
                return app.toast_error("attach: mark alerts (space) or select one first");
            }
            IncidentChange::Attach(keys)
        }
    };
    let label = incident.label();
    if let Some(origin) = &incident.origin {
        // Sent to the back end that keeps it; the view shows it once the back end does.
        let op = crate::sources::Operation::ChangeIncident(change);
        super::send::send(app, origin.key.clone(), op, fx);
        return;
    }
    // Said at once: the change reaches the incidents view when the journal has it.
    let said = format!("INC{label}: {}", change.said());
    fx.push(Effect::Journal(Request::ChangeIncident {
        id: incident.id,
        change,
        author: app.settings.identity.clone(),
    }));
    app.toast_info(said);
}

/// `:note [N] TEXT`: a note on an incident's timeline (the journal's, beside what its back
/// end says where one keeps it).
fn incident_note(app: &mut App, text: &str, fx: &mut Vec<Effect>) {
    if app.settings.is_read_only {
        app.toast_error("read-only: notes cannot be written here");
        return;
    }
    let Some((incident, note)) = super::which::which_incident(app, "note", text) else {
        return;
    };
    if note.trim().is_empty() {
        super::notes::open(app, incident.subject(), None, "");
        return;
    }
    super::notes::save(app, incident.subject(), note.to_string(), fx);
}

/// `:declare-in journal | SOURCE | SOURCE,journal`: where `I` declares incidents.
fn declare_in(app: &mut App, text: &str) {
    if text.trim().is_empty() {
        let said = app.declare_in.said();
        return app.toast_info(format!("I declares incidents in {said}"));
    }
    match app.set_declare_in(text) {
        Ok(()) => {
            let said = app.declare_in.said();
            app.toast_info(format!("I now declares incidents in {said}"));
        }
        Err(e) => app.toast_error(e),
    }
}

/// `:find TEXT` in the runbook view: highlights the lines holding TEXT and scrolls to the
/// first one below the top of the view (again: the next one; from the top after the last).
fn find_in_runbook(app: &mut App, text: &str) {
    if !app.is_runbook_shown {
        app.toast_error("find works in a runbook: open one with b");
        return;
    }
    if text.is_empty() {
        app.runbook_find = None;
        return;
    }
    let rows = crate::app::runbook_page::rows_matching(app, text);
    let after = rows.iter().find(|r| **r > app.detail_scroll);
    match after.or(rows.first()) {
        Some(row) => app.detail_scroll = *row,
        None => app.toast_error(format!("'{text}' is not in this runbook")),
    }
    app.runbook_find = Some(text.to_string());
}

/// `:mine [on|off]` (alone: toggles): PagerDuty sources list only my incidents.
fn mine_only(app: &mut App, rest: &str, fx: &mut Vec<Effect>) {
    if !app.sources.iter().any(|s| s.info.keeps_assignments()) {
        app.toast_error("mine: no source assigns alerts to people (PagerDuty does)");
        return;
    }
    let on = match rest {
        "" => !app.is_mine_only,
        "on" | "yes" => true,
        "off" | "no" => false,
        _ => {
            app.toast_error("mine [on|off]");
            return;
        }
    };
    app.is_mine_only = on;
    super::act::to_every_source(app, fx, crate::sources::SourceCommand::MineOnly(on));
    app.toast_info(if on {
        "only incidents assigned to me (PagerDuty sources)"
    } else {
        "every incident the config lets in"
    });
}

/// `:resolved [WINDOW|off]`: sources that keep resolved items list those of the window too.
fn show_resolved(app: &mut App, rest: &str, fx: &mut Vec<Effect>) {
    if !app.sources.iter().any(|s| s.info.keeps_resolved()) {
        app.toast_error(
            "resolved: no source here keeps resolved alerts to list (the others drop them)",
        );
        return;
    }
    let window = match rest {
        "off" | "no" | "none" => None,
        "" => Some(std::time::Duration::from_secs(24 * 3600)),
        text => match crate::duration_fmt::parse(text) {
            Ok(d) if !d.is_zero() => Some(d),
            _ => {
                app.toast_error("resolved [WINDOW|off]: a window such as 24h, or off");
                return;
            }
        },
    };
    super::act::to_every_source(app, fx, crate::sources::SourceCommand::ShowResolved(window));
    app.toast_info(match window {
        Some(w) => format!(
            "also listing what resolved in the last {} (sources that keep it)",
            crate::duration_fmt::short(w)
        ),
        None => "open incidents only".to_string(),
    });
}
