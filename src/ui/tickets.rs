//! The `:tickets` view: every ticketing source's tickets, open work first, with status,
//! assignee and what each is linked to; and one ticket's detail (description, newest
//! comments, links). Only the visible rows are built.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span, Text};
use ratatui::widgets::Paragraph;

use super::text::{cut, fit};
use crate::app::App;
use crate::duration_fmt;
use crate::model::{Ticket, TicketState};
use crate::theme::Role;

/// Draws the tickets view (or the selected ticket's detail) into `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    if app.is_detail_open {
        if let Some((r, ticket)) = app.selected_ticket() {
            return render_detail(app, ticket, app.linked_to(r), frame, area);
        }
    }
    let t = &app.theme;
    let title = Line::styled(
        format!(" TICKETS {} ", app.ticket_list.rows.len()),
        t.style(Role::TextStrong),
    );
    let block = super::pane(t, title, true);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let width = inner.width as usize;
    // Words go before columns: assignee and links only where they fit beside the title.
    let is_wide = width >= 110;
    let mut head = format!(
        "{}{}{}",
        fit("STATE", 12),
        fit("TICKET", 18),
        fit("STATUS", 14)
    );
    if is_wide {
        head.push_str(&format!("{}{}", fit("ASSIGNEE", 16), fit("LINKED", 8)));
    }
    head.push_str(&format!("{}TITLE", fit("AGE", 5)));
    let mut lines = vec![Line::styled(fit(&head, width), t.style(Role::TextMuted))];
    if app.ticket_list.rows.is_empty() {
        let why = if app.has_ticket_sources() {
            "  no tickets (the filter, or the query, shows none)"
        } else {
            "  no ticketing source: add a jira, github or servicenow [[source]] (README)"
        };
        lines.push(Line::styled(why, t.style(Role::TextMuted)));
    }
    let height = inner.height.saturating_sub(1) as usize;
    let offset = app.ticket_list.first_drawn(height);
    for (row, &r) in app
        .ticket_list
        .rows
        .iter()
        .enumerate()
        .skip(offset)
        .take(height)
    {
        let Some(ticket) = app.ticket(r) else {
            continue;
        };
        let is_selected = row == app.ticket_list.cursor;
        let style = |role: Role| {
            if is_selected {
                t.selected(role)
            } else {
                t.style(role)
            }
        };
        let age = ticket
            .updated
            .map(|u| duration_fmt::age(app.now - u))
            .unwrap_or_default();
        let mut spans = vec![
            Span::styled(
                fit(ticket.state.word(), 12),
                style(state_role(ticket.state)),
            ),
            Span::styled(fit(&ticket.id, 18), style(Role::TextStrong)),
            Span::styled(fit(&ticket.status, 14), style(Role::Text)),
        ];
        let mut used = 12 + 18 + 14 + 5;
        if is_wide {
            let assignee = ticket.assignee.as_deref().unwrap_or("—");
            let linked = app.linked_to(r).len();
            spans.push(Span::styled(fit(assignee, 16), style(Role::Text)));
            spans.push(Span::styled(
                fit(
                    &if linked == 0 {
                        "—".into()
                    } else {
                        linked.to_string()
                    },
                    8,
                ),
                style(Role::TextMuted),
            ));
            used += 16 + 8;
        }
        let rest = width.saturating_sub(used);
        spans.push(Span::styled(fit(&age, 5), style(Role::TextMuted)));
        spans.push(Span::styled(
            fit(&cut(&ticket.title, rest), rest),
            style(Role::Text),
        ));
        lines.push(Line::from(spans));
    }
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The colour of a ticket's state.
pub fn state_role(state: TicketState) -> Role {
    match state {
        TicketState::Open => Role::StatusFiring,
        TicketState::InProgress => Role::StatusAcked,
        TicketState::Done => Role::StatusResolved,
    }
}

/// One line saying where a ticket stands (for the alert detail too):
/// "jira:OPS-7 In Progress · ana · 2 comments".
pub fn summary(ticket: &Ticket) -> String {
    let mut s = format!("{} {}", ticket.key, ticket.status);
    if let Some(a) = &ticket.assignee {
        s.push_str(&format!(" · {a}"));
    }
    match ticket.comment_count {
        0 => {}
        1 => s.push_str(" · 1 comment"),
        n => s.push_str(&format!(" · {n} comments")),
    }
    s
}

fn render_detail(app: &App, ticket: &Ticket, linked: &[String], frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let muted = t.style(Role::TextMuted);
    let mut lines = vec![
        Line::styled(ticket.title.clone(), t.style(Role::TextStrong)),
        Line::from(vec![
            Span::styled(format!("{}  ", ticket.key), t.style(Role::TextStrong)),
            Span::styled(ticket.status.clone(), t.style(state_role(ticket.state))),
            Span::styled(format!(" ({})", ticket.state.word()), muted),
        ]),
    ];
    let mut facts = Vec::new();
    if let Some(a) = &ticket.assignee {
        facts.push(format!("assignee {a}"));
    }
    if let Some(p) = &ticket.priority {
        facts.push(format!("priority {p}"));
    }
    if !ticket.labels.is_empty() {
        facts.push(format!("labels {}", ticket.labels.join(", ")));
    }
    if let Some(u) = ticket.updated {
        facts.push(format!("updated {} ago", duration_fmt::age(app.now - u)));
    }
    if !facts.is_empty() {
        lines.push(Line::styled(facts.join(" · "), t.style(Role::Text)));
    }
    if let Some(url) = &ticket.url {
        lines.push(Line::styled(url.clone(), t.style(Role::Link)));
    }
    lines.push(Line::styled(
        if linked.is_empty() {
            "linked to nothing here (L on an alert or incident links it)".to_string()
        } else {
            let shown: Vec<String> = linked.iter().map(|s| app.subject_shown(s)).collect();
            format!("linked to {}", shown.join(", "))
        },
        muted,
    ));
    lines.push(Line::raw(""));
    if !ticket.description.trim().is_empty() {
        lines.push(Line::styled("DESCRIPTION", muted));
        lines.extend(
            ticket
                .description
                .lines()
                .map(|l| Line::styled(l.to_string(), t.style(Role::Text))),
        );
        lines.push(Line::raw(""));
    }
    lines.push(Line::styled(
        format!(
            "COMMENTS ({} of {})",
            ticket.comments.len(),
            ticket.comment_count
        ),
        muted,
    ));
    if ticket.comments.is_empty() {
        lines.push(Line::styled("  none", muted));
    }
    for c in &ticket.comments {
        lines.push(Line::styled(
            format!("{} · {} ago", c.author, duration_fmt::age(app.now - c.at)),
            t.style(Role::TextStrong),
        ));
        lines.extend(
            c.text
                .lines()
                .map(|l| Line::styled(format!("  {l}"), t.style(Role::Text))),
        );
    }
    super::full_pane(
        app,
        frame,
        area,
        format!(" TICKET {} ", ticket.id),
        Text::from(lines),
    );
}
