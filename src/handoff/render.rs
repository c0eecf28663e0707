//! Writing the hand-off as Markdown: a glance, what fired (grouped, with counts), what was
//! done and by whom, incidents, the outbox, starred notes, silences ending soon and who is
//! on call next. Cells are one sanitized line each, with `|` escaped.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{DateTime, Utc};

use super::{Live, SILENCES_ENDING_WITHIN, Shift, ShiftJournal};
use crate::duration_fmt;
use crate::journal::incidents::{Incident, IncidentStatus};
use crate::journal::{Entry, EntryKind};
use crate::model::{Severity, Status, sanitize};

/// At most this many fired groups and done rows are listed (the rest are counted).
const MAX_ROWS: usize = 100;

/// How long a cell may be.
const CELL_CAP: usize = 160;

/// One group of alerts that fired: same title and service at one source.
#[derive(Default)]
struct Fired {
    times: usize,
    resolved: usize,
    keys: Vec<String>,
}

/// The hand-off of `shift`, from the journal's record and the live picture.
pub fn render(shift: &Shift, journal: &ShiftJournal, live: &Live<'_>) -> String {
    let mut out = String::new();
    let day = |t: DateTime<Utc>| t.format("%Y-%m-%d %H:%M UTC").to_string();
    let _ = writeln!(
        out,
        "# Shift hand-off: {} to {}\n",
        day(shift.from),
        shift.to.format("%H:%M UTC")
    );
    let _ = writeln!(
        out,
        "Handed off by {} at {}, from the journal and the sources' picture at that time.",
        cell(&shift.by),
        day(shift.to)
    );
    if !live.failing.is_empty() {
        let names: Vec<String> = live.failing.iter().map(|s| cell(s)).collect();
        let _ = writeln!(
            out,
            "\n> Not answering at hand-off: {}. What they showed may be out of date.",
            names.join(", ")
        );
    }
    if journal.is_cut {
        let _ = writeln!(
            out,
            "\n> The shift holds more than {} timeline entries: only the first are counted.",
            super::MAX_ENTRIES
        );
    }
    let fired = fired_groups(shift, journal, live);
    glance(&mut out, shift, journal, live, &fired);
    still_open(&mut out, shift, live);
    fired_table(&mut out, live, &fired);
    done_table(&mut out, journal, live);
    incidents(&mut out, shift, journal);
    outbox(&mut out, journal, live);
    starred(&mut out, journal, live);
    silences(&mut out, shift, live);
    on_call(&mut out, live);
    crate::postmortem::scrub(&out)
}

/// One line of outside text, fit for a table cell.
fn cell(s: &str) -> String {
    sanitize::line(s, CELL_CAP).trim().replace('|', "\\|")
}

/// How an alert key reads: "CheckoutErrors · checkout (prod)", else the key.
fn named(journal: &ShiftJournal, live: &Live<'_>, key: &str) -> String {
    let source = key.split_once(':').map_or("", |(s, _)| s);
    let found = live
        .alert(key)
        .map(|a| (a.title.to_string(), a.service.to_string()))
        .or_else(|| journal.names.get(key).cloned());
    match found {
        Some((title, service)) if service.is_empty() => cell(&format!("{title} ({source})")),
        Some((title, service)) => cell(&format!("{title} · {service} ({source})")),
        None => cell(key),
    }
}

/// What fired in the shift, grouped: the timeline's "fired" entries, and the live alerts
/// that started in the shift with none (they fired while no dashboard was watching).
fn fired_groups(
    shift: &Shift,
    journal: &ShiftJournal,
    live: &Live<'_>,
) -> BTreeMap<(String, String, String), Fired> {
    let mut groups: BTreeMap<(String, String, String), Fired> = BTreeMap::new();
    let mut group_of: BTreeMap<&str, (String, String, String)> = BTreeMap::new();
    // Firings counted by name in a mass event, not yet matched to a live alert.
    let mut counted_left: BTreeMap<(String, String, String), usize> = BTreeMap::new();
    for e in journal
        .entries
        .iter()
        .filter(|e| e.kind == EntryKind::Observed)
    {
        let source = e.subject.split_once(':').map_or("", |(s, _)| s).to_string();
        // A mass event is counted on the source's own subject ("prod-am:"), by name.
        let is_counted = e.subject.ends_with(':');
        if e.body.starts_with("fired") {
            let (title, service) = crate::sources::observe::fired_name(&e.body)
                .map(|(_, t, s)| (t.to_string(), s.to_string()))
                .or_else(|| journal.names.get(&e.subject).cloned())
                .unwrap_or_else(|| (e.subject.clone(), String::new()));
            let group = (title, service, source);
            let g = groups.entry(group.clone()).or_default();
            let times = crate::sources::observe::times(&e.body);
            g.times += times;
            if is_counted {
                *counted_left.entry(group.clone()).or_default() += times;
            } else if !g.keys.contains(&e.subject) {
                g.keys.push(e.subject.clone());
            }
            group_of.insert(&e.subject, group);
        } else if is_counted
            && let Some(("resolved", title, service)) =
                crate::sources::observe::counted_name(&e.body)
        {
            let group = (title.to_string(), service.to_string(), source);
            if let Some(g) = groups.get_mut(&group) {
                g.resolved += crate::sources::observe::times(&e.body);
            }
        } else if e.body == "resolved"
            && let Some(group) = group_of.get(e.subject.as_str())
            && let Some(g) = groups.get_mut(group)
        {
            g.resolved += 1;
        }
    }
    for a in &live.alerts {
        if a.started_at >= shift.from
            && a.started_at <= shift.to
            && !group_of.contains_key(&*a.key.0)
        {
            let group = (
                a.title.to_string(),
                a.service.to_string(),
                a.source.0.to_string(),
            );
            // Its firing may be one a mass event counted by name.
            if let Some(left) = counted_left.get_mut(&group).filter(|n| **n > 0) {
                *left -= 1;
                continue;
            }
            let g = groups.entry(group).or_default();
            g.times += 1;
            g.keys.push(a.key.0.clone());
        }
    }
    groups
}

fn glance(
    out: &mut String,
    shift: &Shift,
    journal: &ShiftJournal,
    live: &Live<'_>,
    fired: &BTreeMap<(String, String, String), Fired>,
) {
    let _ = writeln!(out, "\n## At a glance\n");
    let open: Vec<_> = live
        .alerts
        .iter()
        .filter(|a| a.status != Status::Resolved)
        .collect();
    let mut by_severity = Vec::new();
    for sev in Severity::ALL {
        let n = open
            .iter()
            .filter(|a| a.severity == sev && a.status == Status::Firing)
            .count();
        if n > 0 {
            by_severity.push(format!("{n} {}", sev.name()));
        }
    }
    let firing = open.iter().filter(|a| a.status == Status::Firing).count();
    let acked = open.iter().filter(|a| a.status == Status::Acked).count();
    let silenced = open.iter().filter(|a| a.status == Status::Silenced).count();
    let detail = if by_severity.is_empty() {
        String::new()
    } else {
        format!(" ({})", by_severity.join(", "))
    };
    let _ = writeln!(
        out,
        "- **Firing now:** {firing}{detail}; {acked} acknowledged, {silenced} silenced."
    );
    let times: usize = fired.values().map(|g| g.times).sum();
    let resolved: usize = fired.values().map(|g| g.resolved).sum();
    if times == 0 {
        let _ = writeln!(out, "- **Fired this shift:** nothing new.");
    } else {
        let _ = writeln!(
            out,
            "- **Fired this shift:** {} in {}; {resolved} resolved since.",
            plural(times, "firing", "firings"),
            plural(fired.len(), "group", "groups"),
        );
    }
    let open_incidents = journal
        .incidents
        .iter()
        .filter(|i| i.status != IncidentStatus::Resolved)
        .count();
    let resolved_incidents = journal
        .incidents
        .iter()
        .filter(|i| {
            i.resolved_at
                .is_some_and(|t| t >= shift.from && t <= shift.to)
        })
        .count();
    let _ = writeln!(
        out,
        "- **Incidents:** {open_incidents} open, {resolved_incidents} resolved this shift."
    );
    let waiting = journal.outbox.len();
    let _ = if waiting == 0 {
        writeln!(out, "- **Outbox:** empty; every action was confirmed.")
    } else {
        writeln!(
            out,
            "- **Outbox:** {} not yet confirmed by the back end.",
            plural(waiting, "action", "actions")
        )
    };
}

/// At most this many open alerts are listed.
const MAX_OPEN: usize = 30;

fn still_open(out: &mut String, shift: &Shift, live: &Live<'_>) {
    let _ = writeln!(out, "\n## Still open\n");
    let mut open: Vec<_> = live
        .alerts
        .iter()
        .filter(|a| a.status != Status::Resolved)
        .collect();
    if open.is_empty() {
        let _ = writeln!(out, "Nothing is firing.");
        return;
    }
    let rank = |s: Status| match s {
        Status::Firing => 0,
        Status::Acked => 1,
        _ => 2,
    };
    open.sort_by(|a, b| {
        a.severity
            .cmp(&b.severity)
            .then(rank(a.status).cmp(&rank(b.status)))
            .then(a.started_at.cmp(&b.started_at))
    });
    let _ = writeln!(
        out,
        "| Severity | Status | Alert | Service | Source | For | Acked by |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for a in open.iter().take(MAX_OPEN) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            a.severity.name(),
            a.status.name(),
            cell(&a.title),
            cell(&a.service),
            cell(&a.source.0),
            duration_fmt::age(shift.to - a.started_at),
            a.acked_by.as_deref().map(cell).unwrap_or_default(),
        );
    }
    if open.len() > MAX_OPEN {
        let _ = writeln!(
            out,
            "\n… and {} more (`onduty alerts` lists them all).",
            open.len() - MAX_OPEN
        );
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn fired_table(
    out: &mut String,
    live: &Live<'_>,
    fired: &BTreeMap<(String, String, String), Fired>,
) {
    let _ = writeln!(out, "\n## What fired\n");
    if fired.is_empty() {
        let _ = writeln!(out, "Nothing new fired this shift.");
        return;
    }
    let mut rows: Vec<_> = fired.iter().collect();
    // The noisiest first, then by name.
    rows.sort_by(|a, b| b.1.times.cmp(&a.1.times).then(a.0.cmp(b.0)));
    let _ = writeln!(out, "| Alert | Service | Source | Fired | Resolved | Now |");
    let _ = writeln!(out, "|---|---|---|---|---|---|");
    for ((title, service, source), g) in rows.iter().take(MAX_ROWS) {
        let now: Vec<&str> = g
            .keys
            .iter()
            .filter_map(|k| live.alert(k))
            .map(|a| a.status.name())
            .collect();
        let now = match now.as_slice() {
            [] => "gone".to_string(),
            [one] => one.to_string(),
            many => {
                let firing = many.iter().filter(|s| **s == "firing").count();
                format!("{} open, {firing} firing", many.len())
            }
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {now} |",
            cell(title),
            cell(service),
            cell(source),
            g.times,
            g.resolved
        );
    }
    if rows.len() > MAX_ROWS {
        let _ = writeln!(out, "\n… and {} more groups.", rows.len() - MAX_ROWS);
    }
}

/// Whether an entry is something a person did: an action in onduty, or an acknowledgement
/// or silence seen at a source.
fn is_done(e: &Entry) -> bool {
    match e.kind {
        EntryKind::Action => true,
        EntryKind::Observed => e.body.starts_with("acked") || e.body.starts_with("silenced"),
        _ => false,
    }
}

fn done_table(out: &mut String, journal: &ShiftJournal, live: &Live<'_>) {
    let _ = writeln!(out, "\n## Done this shift\n");
    let done: Vec<&Entry> = journal.entries.iter().filter(|e| is_done(e)).collect();
    if done.is_empty() {
        let _ = writeln!(out, "No actions were taken, here or at the sources.");
        return;
    }
    let _ = writeln!(out, "| Time | Who | What | On |");
    let _ = writeln!(out, "|---|---|---|---|");
    for e in done.iter().take(MAX_ROWS) {
        let who = match e.kind {
            // Seen at a source: the body names who ("acked by bo"); the author is the source.
            EntryKind::Observed => e.body.strip_prefix("acked by ").map_or_else(
                || format!("at {}", e.author),
                |w| format!("{w} (at {})", e.author),
            ),
            _ => e.author.clone(),
        };
        let on = subject_name(journal, live, &e.subject);
        let _ = writeln!(
            out,
            "| {} | {} | {} | {on} |",
            e.at.format("%H:%M"),
            cell(&who),
            cell(&e.body)
        );
    }
    if done.len() > MAX_ROWS {
        let _ = writeln!(out, "\n… and {} more.", done.len() - MAX_ROWS);
    }
}

/// How a timeline's subject reads: an incident by its SEV and title, an alert by its name.
fn subject_name(journal: &ShiftJournal, live: &Live<'_>, subject: &str) -> String {
    if subject.starts_with("incident:") {
        incident_name(journal, subject)
    } else {
        named(journal, live, subject)
    }
}

fn incident_name(journal: &ShiftJournal, subject: &str) -> String {
    journal
        .incidents
        .iter()
        .find(|i| i.subject() == subject)
        .map_or_else(
            || cell(subject),
            |i| cell(&format!("{subject} SEV{} {}", i.severity, i.title)),
        )
}

fn roles(i: &Incident) -> String {
    let mut roles = Vec::new();
    for (role, who) in [
        ("IC", &i.commander),
        ("scribe", &i.scribe),
        ("comms", &i.comms),
    ] {
        if let Some(who) = who {
            roles.push(format!("{role} {}", cell(who)));
        }
    }
    if roles.is_empty() {
        "no commander".into()
    } else {
        roles.join(", ")
    }
}

fn incidents(out: &mut String, shift: &Shift, journal: &ShiftJournal) {
    let _ = writeln!(out, "\n## Incidents\n");
    let open: Vec<&Incident> = journal
        .incidents
        .iter()
        .filter(|i| i.status != IncidentStatus::Resolved)
        .collect();
    let resolved: Vec<&Incident> = journal
        .incidents
        .iter()
        .filter(|i| {
            i.resolved_at
                .is_some_and(|t| t >= shift.from && t <= shift.to)
        })
        .collect();
    if open.is_empty() && resolved.is_empty() {
        let _ = writeln!(out, "No incident open, none resolved this shift.");
        return;
    }
    for i in open {
        let last = journal
            .entries
            .iter()
            .rev()
            .find(|e| e.subject == i.subject() && e.kind == EntryKind::Note)
            .map(|e| {
                format!(
                    "\n  Last note ({}, {}): {}",
                    e.at.format("%H:%M"),
                    cell(&e.author),
                    cell(&e.body)
                )
            })
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- **{} · SEV{} · {}** · {} · open {} · {} · {}{last}",
            i.subject(),
            i.severity,
            cell(&i.title),
            i.status.name(),
            duration_fmt::countdown(shift.to - i.opened_at),
            roles(i),
            plural(i.alerts.len(), "alert", "alerts"),
        );
    }
    for i in resolved {
        let took = i
            .resolved_at
            .map(|t| duration_fmt::countdown(t - i.opened_at))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} · SEV{} · {} · resolved {} after {took} · {}",
            i.subject(),
            i.severity,
            cell(&i.title),
            i.resolved_at
                .map(|t| t.format("%H:%M UTC").to_string())
                .unwrap_or_default(),
            roles(i),
        );
    }
}

fn outbox(out: &mut String, journal: &ShiftJournal, live: &Live<'_>) {
    let _ = writeln!(out, "\n## Not yet confirmed (outbox)\n");
    if journal.outbox.is_empty() {
        let _ = writeln!(out, "Every action was confirmed by its back end.");
        return;
    }
    for item in &journal.outbox {
        let error = item
            .last_error
            .as_deref()
            .map(|e| format!(" · last error: {}", cell(e)))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "- {} on {} · by {} at {} · {}, {}{error}",
            cell(&crate::journal::task::describe(&item.op)),
            named(journal, live, &item.key.0),
            cell(&item.author),
            item.created_at.format("%H:%M UTC"),
            item.state.name(),
            plural(item.attempts as usize, "attempt", "attempts"),
        );
    }
}

fn starred(out: &mut String, journal: &ShiftJournal, live: &Live<'_>) {
    let _ = writeln!(out, "\n## Starred notes\n");
    let notes: Vec<&Entry> = journal
        .entries
        .iter()
        .filter(|e| e.starred && matches!(e.kind, EntryKind::Note | EntryKind::Correction))
        .collect();
    if notes.is_empty() {
        let _ = writeln!(out, "No note was starred this shift.");
        return;
    }
    for e in notes {
        let on = subject_name(journal, live, &e.subject);
        let _ = writeln!(
            out,
            "- {} · {} on {on}: {}",
            e.at.format("%H:%M"),
            cell(&e.author),
            cell(&e.body)
        );
    }
}

fn silences(out: &mut String, shift: &Shift, live: &Live<'_>) {
    let within = SILENCES_ENDING_WITHIN;
    let _ = writeln!(
        out,
        "\n## Silences ending within {}\n",
        duration_fmt::remaining(within)
    );
    let mut ending: Vec<_> = live
        .silences
        .iter()
        .filter(|s| s.state == crate::model::SilenceState::Active)
        // onduty's own acks at Alertmanager are silences it renews while the alert fires.
        .filter(|s| !s.is_ack())
        .filter(|s| s.ends_at > shift.to && s.ends_at - shift.to <= within)
        .collect();
    ending.sort_by_key(|s| s.ends_at);
    if ending.is_empty() {
        let _ = writeln!(out, "None.");
        return;
    }
    for s in ending {
        let matchers: Vec<String> = s.matchers.iter().map(ToString::to_string).collect();
        let _ = writeln!(
            out,
            "- {}: `{}` · by {} · ends {} (in {}) · {}",
            cell(&s.source.0),
            cell(&matchers.join(", ")).replace('`', "'"),
            cell(&s.created_by),
            s.ends_at.format("%H:%M UTC"),
            duration_fmt::remaining(s.ends_at - shift.to),
            cell(&s.comment),
        );
    }
}

fn on_call(out: &mut String, live: &Live<'_>) {
    let _ = writeln!(out, "\n## On call next\n");
    if live.policies.is_empty() {
        let _ = writeln!(out, "No source reports escalation policies.");
        return;
    }
    for p in live.policies {
        let levels: Vec<String> = p
            .levels
            .iter()
            .enumerate()
            .map(|(n, l)| {
                let people: Vec<String> = l
                    .on_call
                    .iter()
                    .map(|o| {
                        let until = o
                            .until
                            .map(|u| format!(" until {}", u.format("%a %H:%M UTC")))
                            .unwrap_or_default();
                        let next = o
                            .next
                            .as_deref()
                            .map(|n| format!(", then {}", cell(n)))
                            .unwrap_or_default();
                        format!("{}{until}{next}", cell(&o.who))
                    })
                    .collect();
                let people = if people.is_empty() {
                    "nobody".to_string()
                } else {
                    people.join("; ")
                };
                format!("L{} {people}", n + 1)
            })
            .collect();
        let _ = writeln!(out, "- **{}**: {}", cell(&p.name), levels.join(" · "));
    }
}
