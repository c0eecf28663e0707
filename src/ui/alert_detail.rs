//! The detail of the selected alert: identity, state, escalation path, summary, labels,
//! annotations, links and notes. Beside the list when wide, full screen otherwise.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::header::severity_role;
use super::text;
use super::text::one_line;
use crate::app::App;
use crate::duration_fmt;
use crate::model::{Alert, Status};
use crate::theme::{Role, Theme};

/// Annotations shown in their own sections rather than in the list of annotations.
const PROSE: &[&str] = &["summary", "description"];

/// Draws the detail into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect, is_full: bool) {
    let t = &app.theme;
    let title = Line::styled(" DETAIL ", t.style(Role::TextStrong));
    let block = super::pane(t, title, is_full);
    let Some(alert) = app.selected_alert() else {
        let p = Paragraph::new(Line::styled(" no alert selected", t.style(Role::TextMuted)))
            .block(block);
        frame.render_widget(p, area);
        return;
    };
    let p = Paragraph::new(lines(app, alert, area.width.saturating_sub(2).into()))
        .block(block)
        .wrap(Wrap { trim: false });
    if is_full {
        super::scrolled(app, frame, area, p, app.detail_scroll);
    } else {
        frame.render_widget(p, area);
    }
}

/// Fires in a day from which an alert is called flapping.
pub const FLAPPING: usize = 3;

/// The detail of `a` for a pane `width` columns wide inside its border.
fn lines<'a>(app: &'a App, a: &'a Alert, width: usize) -> Vec<Line<'a>> {
    let t = &app.theme;
    let mut out = vec![Line::styled(&*a.title, t.style(Role::TextStrong))];
    let age = duration_fmt::age(app.now - a.started_at);
    let mut head = vec![
        Span::styled(a.severity.short(), t.style(severity_role(a.severity))),
        Span::styled(
            format!(" · {} · {age}", a.status.short()),
            t.style(Role::Text),
        ),
    ];
    if let Some(soon) = super::alert_list::fires_in(a, app.now) {
        head.push(Span::styled(
            format!(" · {soon}"),
            t.style(Role::StatusPending),
        ));
    }
    let fires = app.fires_in_day(&a.key);
    if fires > 1 {
        let role = if fires >= FLAPPING {
            Role::SourceStale
        } else {
            Role::TextMuted
        };
        head.push(Span::styled(
            format!(" · fired {fires}× in 24h"),
            t.style(role),
        ));
    }
    out.push(Line::from(head));
    if let Some((_, at)) = app.gone.as_ref().filter(|(g, _)| g.key == a.key) {
        out.push(Line::styled(
            format!(
                "RESOLVED {} · gone from the source",
                text::clock(*at, app.clock, false)
            ),
            t.style(Role::StatusResolved),
        ));
    }
    if fires > 1 {
        out.push(Line::styled(
            format!("  24h {} now", sparkline(app, a)),
            t.style(Role::TextMuted),
        ));
    }
    out.push(Line::default());
    kv(&mut out, t, "key", a.key.0.as_str());
    let reporters: Vec<&str> = app.reporters(a).iter().map(|s| &*s.info.id.0).collect();
    let label = if reporters.len() > 1 {
        "reported by"
    } else {
        "source"
    };
    kv(&mut out, t, label, reporters.join(", "));
    if !a.receivers.is_empty() {
        kv(&mut out, t, "receivers", a.receivers.join(", "));
    }
    for reason in &a.suppressed_by {
        kv(&mut out, t, "suppressed", reason.as_str());
    }
    if !a.service.is_empty() {
        kv(&mut out, t, "service", &*a.service);
    }
    kv(
        &mut out,
        t,
        "fired",
        text::clock(a.started_at, app.clock, true),
    );
    kv(
        &mut out,
        t,
        "last seen",
        text::clock(a.last_seen, app.clock, true),
    );
    if let Some(who) = &a.acked_by {
        let when = a.acked_at.map(|at| {
            format!(
                " at {} ({} ago)",
                text::clock(at, app.clock, false),
                duration_fmt::age(app.now - at)
            )
        });
        kv(
            &mut out,
            t,
            "acked by",
            format!("{who}{}", when.unwrap_or_default()),
        );
    }
    if let Some(until) = a.silenced_until {
        kv(
            &mut out,
            t,
            "silenced",
            format!("until {}", text::clock(until, app.clock, false)),
        );
    }
    if let Some(p) = app.pending_on(&a.key) {
        let line = match &p.retrying {
            None => format!(
                "{}… sent {} ago, waiting for {}",
                p.op.verb(),
                duration_fmt::age(app.now - p.since),
                a.source
            ),
            Some(why) => format!(
                "{}… pending {} in the outbox, retrying: {}",
                p.op.verb(),
                duration_fmt::age(app.now - p.since),
                one_line(why, 120)
            ),
        };
        out.push(Line::styled(line, t.style(Role::StatusPending)));
    }
    runbook(app, a, &mut out);
    tickets(app, a, &mut out);
    problem(app, a, width, &mut out);
    escalation(app, a, &mut out);
    rule(app, a, width, &mut out);
    related(app, a, &mut out);
    for name in PROSE {
        if let Some(v) = a.annotations.get(name) {
            section(&mut out, t, name);
            out.extend(
                v.lines()
                    .flat_map(|l| text::wrap_indented(l, width, "  "))
                    .map(|l| Line::styled(l, t.style(Role::Text))),
            );
        }
    }
    section(&mut out, t, "labels");
    for (k, v) in a.labels.iter() {
        kv(&mut out, t, k, v);
    }
    let others: Vec<_> = a
        .annotations
        .iter()
        .filter(|(k, _)| !PROSE.contains(k))
        .collect();
    if !others.is_empty() {
        section(&mut out, t, "annotations");
        for (k, v) in others {
            kv(&mut out, t, k, v);
        }
    }
    if !a.links.is_empty() {
        section(&mut out, t, "links");
        for l in &a.links {
            out.push(Line::from(vec![
                Span::styled(format!("  {:<11} ", l.label), t.style(Role::LabelKey)),
                Span::styled(&*l.url, t.style(Role::Link)),
            ]));
        }
    }
    notes(app, a, &mut out);
    journal_timeline(app, &a.key.0, &mut out);
    out
}

/// Every note on the alert, oldest first, saying where each lives (`App::notes_on`).
fn notes(app: &App, a: &Alert, out: &mut Vec<Line<'_>>) {
    let all = app.notes_on(a);
    if all.is_empty() {
        return;
    }
    let t = &app.theme;
    section(out, t, "notes");
    for n in all {
        let head = format!(
            "  {} {} ({}): ",
            text::clock(n.at, app.clock, false),
            n.author,
            n.place
        );
        headed(out, t, head, &n.text, "    ");
    }
}

/// `body` after `head` on its first line, its other lines indented by `indent`.
fn headed(
    out: &mut Vec<Line<'_>>,
    t: &crate::theme::Theme,
    head: String,
    body: &str,
    indent: &str,
) {
    let mut lines = body.lines();
    out.push(Line::from(vec![
        Span::styled(head, t.style(Role::LabelKey)),
        Span::styled(lines.next().unwrap_or("").to_string(), t.style(Role::Text)),
    ]));
    for rest in lines {
        out.push(Line::styled(format!("{indent}{rest}"), t.style(Role::Text)));
    }
}

/// The alert's tickets (its own and its incident's): status, assignee, the last comment.
fn tickets(app: &App, a: &Alert, out: &mut Vec<Line<'_>>) {
    let t = &app.theme;
    for ticket in app.tickets_of_alert(a) {
        kv(out, t, "ticket", super::tickets::summary(ticket));
        if let Some(c) = ticket.last_comment() {
            let first = c.text.lines().next().unwrap_or_default();
            let age = duration_fmt::age(app.now - c.at);
            kv(
                out,
                t,
                "",
                format!("last: {} ({age} ago): {first}", c.author),
            );
        }
    }
}

/// The alert's runbook, and how far its checklist is for the incident ("2/5 steps done").
/// The problem record that covers this alert (its workaround first: what fixed it last
/// time, for the responder at 3 a.m.), and how often the same alert came back.
fn problem(app: &App, a: &Alert, width: usize, out: &mut Vec<Line<'_>>) {
    let t = &app.theme;
    if let Some(p) = app.problem_of(a) {
        section(out, t, &format!("problem #{} · {}", p.id, p.status.name()));
        out.push(Line::styled(
            format!("  {}", one_line(&p.title, 200)),
            t.style(Role::TextStrong),
        ));
        for (k, v) in [
            ("workaround", &p.workaround),
            ("cause", &p.cause),
            ("owner", &p.owner),
            ("ticket", &p.ticket),
        ] {
            if v.is_empty() {
                continue;
            }
            let mut lines = v.lines();
            kv(out, t, k, one_line(lines.next().unwrap_or_default(), 400));
            out.extend(
                lines
                    .flat_map(|l| text::wrap_indented(l, width, "              "))
                    .map(|l| Line::styled(l, t.style(Role::LabelValue))),
            );
        }
    }
    let Some(r) = app.recurrence(a) else {
        return;
    };
    if r.fired <= 1 && r.incidents.is_empty() {
        return;
    }
    let mut said = format!("fired {}× in 30 days (same name and service)", r.fired);
    if !r.incidents.is_empty() {
        said.push_str(&format!(" · in {} incident(s)", r.incidents.len()));
    }
    kv(out, t, "recurrence", said);
    for (subject, title, status) in r.incidents.iter().take(5) {
        out.push(Line::styled(
            format!(
                "              {subject} {} ({status})",
                one_line(title, 120)
            ),
            t.style(Role::TextMuted),
        ));
        let Some(fix) = app.past_fixes.get(subject) else {
            continue;
        };
        // What fixed it last time: the post-mortem's lines and the workaround notes.
        for (what, lines) in [
            ("root cause", &fix.root_cause),
            ("resolution", &fix.resolution),
            ("noted", &fix.workarounds),
        ] {
            for l in lines.iter().take(3) {
                out.push(Line::styled(
                    format!("                {what}: {}", one_line(l, 300)),
                    t.style(Role::Text),
                ));
            }
        }
    }
    if app.problem_of(a).is_none() && r.incidents.len() >= crate::app::problems::SUGGEST_AT {
        out.push(Line::styled(
            "              :problem opens a problem record for it (cause, workaround)",
            t.style(Role::StatusPending),
        ));
    }
}

fn runbook(app: &App, a: &Alert, out: &mut Vec<Line<'_>>) {
    let t = &app.theme;
    let Some(found) = app
        .settings
        .runbooks
        .resolve(a, &app.settings.runbook_annotations)
    else {
        return;
    };
    let name = match (found, app.runbook_of(a)) {
        (_, Some(shown)) if !shown.title.is_empty() => shown.title,
        (crate::runbook::Runbook::Local(entry), _) => entry.title.clone(),
        (crate::runbook::Runbook::Link { url, .. }, _) => url,
    };
    let progress = app
        .runbook_progress(a)
        .map(|(done, steps)| format!(" · {done}/{steps} steps done"))
        .unwrap_or_default();
    kv(out, t, "runbook", format!("{name}{progress}"));
    if let Some(line) = out.last_mut() {
        line.spans
            .push(Span::styled(" (b)", t.style(Role::TextMuted)));
    }
}

/// The journal's entries on `subject` (an alert key or `incident:N`): notes (as typed,
/// shown sanitized, line by line), what was done in onduty and what was seen to change.
pub(super) fn journal_timeline(app: &App, subject: &str, out: &mut Vec<Line<'_>>) {
    timeline_beside(app, subject, &[], "", out);
}

/// The journal's timeline of `subject` with what a back end said on it (`kept`, from
/// `kind`) in time order between its entries, each marked with where it comes from.
pub(super) fn timeline_beside(
    app: &App,
    subject: &str,
    kept: &[crate::model::incident::OriginUpdate],
    kind: &str,
    out: &mut Vec<Line<'_>>,
) {
    let t = &app.theme;
    let entries = app.timeline.get(subject).map_or(&[][..], |e| &e[..]);
    // The responder's own notes show the moment they are saved, marked until the journal
    // has them (on a shared SQLite file or a far PostgreSQL that takes a moment).
    let unsaved: Vec<_> = app
        .unsaved_notes
        .iter()
        .filter(|n| n.subject == subject)
        .collect();
    if entries.is_empty() && unsaved.is_empty() && kept.is_empty() {
        return;
    }
    section(out, t, "timeline");
    let mut kept = kept.iter().peekable();
    let mut kept_until = |out: &mut Vec<Line<'_>>, until: Option<chrono::DateTime<chrono::Utc>>| {
        while let Some(u) = kept.next_if(|u| until.is_none_or(|at| u.at <= at)) {
            let head = format!(
                "  {} {} {kind} update: ",
                text::clock(u.at, app.clock, false),
                one_line(&u.author, 64),
            );
            headed(out, t, head, &u.text, "      ");
        }
    };
    for e in entries {
        kept_until(out, Some(e.at));
        let star = if e.starred { "★ " } else { "" };
        let corrects = e.corrects.map_or(String::new(), |id| format!(" of #{id}"));
        let head = format!(
            "  {star}#{} {} {} {}{corrects}: ",
            e.id,
            text::clock(e.at, app.clock, false),
            one_line(&e.author, 64),
            e.kind.name()
        );
        let body = e.body.clone();
        headed(out, t, head, &body, "      ");
    }
    kept_until(out, None);
    for n in unsaved {
        let state = if n.is_sent {
            "saving…"
        } else {
            "kept here until the journal is back"
        };
        let head = format!(
            "  … {} {} note ({state}): ",
            text::clock(n.saved_at, app.clock, false),
            one_line(&app.settings.identity, 64),
        );
        let body = n.text.clone();
        headed(out, t, head, &body, "      ");
    }
}

/// The escalation path: who is paged now, who is next and when.
fn escalation<'a>(app: &'a App, a: &'a Alert, out: &mut Vec<Line<'a>>) {
    let t = &app.theme;
    let Some(policy) = app.policy_for(a) else {
        return;
    };
    section(out, t, &format!("escalation · {}", policy.name));
    // An acked alert stopped at the level that was paging when it was acked.
    let at = match (a.status, a.acked_at) {
        (Status::Acked, Some(acked)) => acked.min(app.now),
        _ => app.now,
    };
    let state = app.escalation_state(a, at).map(|(_, s)| s);
    for (i, level) in policy.levels.iter().enumerate() {
        let who: Vec<&str> = level.on_call.iter().map(|o| o.who.as_str()).collect();
        let who = who.join(", ");
        let note = match (&state, a.status) {
            (_, Status::Resolved) => String::new(),
            (Some(s), Status::Acked) if s.current == i => match &a.acked_by {
                Some(who) => format!("(acked by {who}: no further paging)"),
                None => "(acked: no further paging)".into(),
            },
            (Some(s), Status::Silenced) if s.current == i => "(silenced)".into(),
            (Some(s), Status::Firing) if s.current == i => "(paging now)".into(),
            (Some(s), Status::Firing) => match s.next {
                Some((n, _, left)) if n == i => format!("in {}", duration_fmt::countdown(left)),
                _ if i < s.current => "(paged)".into(),
                _ => format!("after {}", duration_fmt::age(level.after)),
            },
            _ => String::new(),
        };
        let me = level.on_call.iter().any(|o| o.who == app.settings.identity);
        let role = if me { Role::Me } else { Role::Text };
        out.push(Line::from(vec![
            Span::styled(format!("  L{} ", i + 1), t.style(Role::LabelKey)),
            Span::styled(who, t.style(role)),
            Span::styled(format!(" {note}"), t.style(Role::TextMuted)),
        ]));
    }
}

/// What the back end lists behind the alert (a PagerDuty incident's alerts), once asked.
fn related<'a>(app: &'a App, a: &'a Alert, out: &mut Vec<Line<'a>>) {
    let t = &app.theme;
    let Some(r) = app.related.get(&a.key) else {
        return;
    };
    match &r.answer {
        None => {
            section(out, t, "alerts in this incident");
            out.push(Line::styled("  asking…", t.style(Role::TextMuted)));
        }
        Some(Err(why)) => {
            section(out, t, "alerts in this incident");
            out.push(Line::styled(
                format!("  could not be had: {why}"),
                t.style(Role::SourceFailing),
            ));
        }
        Some(Ok(list)) => {
            section(out, t, &format!("alerts in this incident ({})", list.len()));
            for item in list {
                let at = item
                    .at
                    .map(|at| format!("  {}", text::day_time(at, app.clock)))
                    .unwrap_or_default();
                out.push(Line::from(vec![
                    Span::styled(format!("  {:<10}", item.status), t.style(Role::LabelKey)),
                    Span::styled(item.summary.clone(), t.style(Role::Text)),
                    Span::styled(at, t.style(Role::TextMuted)),
                ]));
            }
        }
    }
}

pub(super) fn section<'a>(out: &mut Vec<Line<'a>>, t: &Theme, name: &str) {
    out.push(Line::default());
    out.push(Line::styled(
        name.to_uppercase(),
        t.style(Role::GroupHeader),
    ));
}

/// The alerting rule behind the alert (a Prometheus's), as `onduty rule` prints it: the
/// expression whole, then `for`, value, health, last error, group and file, graph link.
fn rule<'a>(app: &'a App, a: &'a Alert, width: usize, out: &mut Vec<Line<'a>>) {
    let t = &app.theme;
    let Some((rule, instance)) = app.rule_behind(a) else {
        return;
    };
    section(out, t, &format!("rule · {}", rule.source));
    for (name, value) in rule.facts(instance, app.now) {
        match name {
            "rule" => {}
            "expr" => out.extend(
                value
                    .lines()
                    .flat_map(|l| text::wrap_indented(l, width, "  "))
                    .map(|l| Line::styled(l, t.style(Role::TextStrong))),
            ),
            "last error" => out.push(Line::from(vec![
                Span::styled(format!("  {name:<11} "), t.style(Role::LabelKey)),
                Span::styled(value, t.style(Role::SeverityError)),
            ])),
            "graph" => out.push(Line::from(vec![
                Span::styled(format!("  {name:<11} "), t.style(Role::LabelKey)),
                Span::styled(value, t.style(Role::Link)),
            ])),
            _ => kv(out, t, name, value),
        }
    }
}

fn kv<'a>(out: &mut Vec<Line<'a>>, t: &Theme, k: &str, v: impl Into<std::borrow::Cow<'a, str>>) {
    out.push(Line::from(vec![
        Span::styled(
            format!("  {:<11} ", text::cut(k, 24)),
            t.style(Role::LabelKey),
        ),
        Span::styled(v.into(), t.style(Role::LabelValue)),
    ]));
}

/// When the alert fired over the last 24 hours, an hour a bar, oldest first.
fn sparkline(app: &App, a: &Alert) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let mut hours = [0usize; 24];
    for at in app.fires.get(&a.key.0).into_iter().flatten() {
        let ago = (app.now - *at).num_hours();
        if (0..24).contains(&ago) {
            hours[23 - ago as usize] += 1;
        }
    }
    let most = hours.iter().copied().max().unwrap_or(0).max(1);
    hours
        .iter()
        .map(|n| match n {
            0 => '·',
            n => BARS[(n * (BARS.len() - 1)) / most],
        })
        .collect()
}
