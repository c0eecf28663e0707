//! The `:history` view: what the sources were seen to change (fired, acked, silenced,
//! resolved), newest first, since the previous run last saw them — "since you last looked" —
//! or over the last day.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};

use super::text::one_line;
use super::text::{self, fit};
use crate::app::App;
use crate::theme::Role;

/// The time column's width ("Tue 14:02 UTC").
const TIME_W: usize = 14;

/// Draws the history view into `area` (listed by `app::history`, newest first).
pub fn render(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let history = &app.history;
    let changes = history.changes;
    let heading = match history.since_looked {
        Some(l) => format!(
            "since you last looked ({}): {} change(s)",
            text::day_time(l, app.clock),
            changes
        ),
        None => format!("the last 24 hours: {changes} change(s)"),
    };
    let mut lines = vec![Line::styled(heading, t.style(Role::TextMuted))];
    let rows = usize::from(area.height.saturating_sub(3));
    let shown: Vec<(&crate::model::Entry, usize)> = history
        .rows
        .iter()
        .take(rows)
        .map(|r| (&r.entry, r.others))
        .collect();
    // Columns sized to what is shown and to the pane: the change as wide as the widest
    // (what it is about keeps at least 24 columns), then what it is about, then its key.
    let inner = usize::from(area.width.saturating_sub(2));
    let bodies: Vec<String> = shown.iter().map(|(e, _)| one_line(&e.body, 200)).collect();
    let widest = bodies
        .iter()
        .map(|b| text::display_width(b))
        .max()
        .unwrap_or(0);
    let body_w = (widest + 2).min(inner.saturating_sub(TIME_W + 24)).max(12);
    for ((e, others), body) in shown.iter().zip(bodies) {
        let role = if e.body.starts_with("fired") {
            Role::StatusFiring
        } else if e.body.starts_with("resolved") {
            Role::StatusResolved
        } else {
            Role::Text
        };
        // A fire's entry names its alert already; the others say whose change it was.
        let name = match crate::sources::observe::fired_name(&e.body) {
            Some(_) => String::new(),
            None => format!("{}  ", one_line(&app.named_subject(e), 120)),
        };
        let key = match (e.subject.strip_suffix(':'), others) {
            (Some(source), _) => format!("{source} (counted by name)"),
            (None, 0) => one_line(&e.subject, 200),
            (None, n) => format!("{} +{n}", one_line(&e.subject, 200)),
        };
        lines.push(Line::from(vec![
            Span::styled(
                fit(&text::day_time(e.at, app.clock), TIME_W),
                t.style(Role::TextMuted),
            ),
            Span::styled(fit(&body, body_w), t.style(role)),
            Span::styled(name, t.style(Role::Text)),
            Span::styled(key, t.style(Role::TextMuted)),
        ]));
    }
    super::text_pane(app, frame, area, " HISTORY ", lines);
}

#[cfg(test)]
mod tests {
    use crate::app::Action;
    use crate::journal::task::JournalEvent;
    use crate::model::{Entry, EntryKind};

    #[test]
    fn a_big_poll_is_shown_counted_by_name_in_columns_that_use_the_width() {
        let mut app = crate::testing::demo_app(100, 200, 60);
        let mut alerts = crate::testing::estate_alerts(2_700, 1).remove(0);
        for (i, a) in alerts.iter_mut().enumerate() {
            a.title = ["HighLatencyOfTheCheckoutService", "DiskFull"][i % 2].into();
        }
        let now = app.now;
        let entries: Vec<Entry> = crate::sources::observe::changes(&[], &alerts, now)
            .into_iter()
            .enumerate()
            .map(|(i, o)| Entry {
                id: i as i64 + 1,
                subject: o.key.0,
                at: now,
                author: "am-0".into(),
                kind: EntryKind::Observed,
                body: o.what,
                starred: false,
                corrects: None,
            })
            .collect();
        app.update(Action::Journal(JournalEvent::Entries(entries)));
        app.update(Action::Run(crate::app::Command::ShowHistory));
        let screen = crate::testing::screen(&app, 200, 60);
        assert!(
            screen.contains("the last 24 hours: 2700 change(s)"),
            "{screen}"
        );
        assert!(
            screen.contains("fired ×1250 (critical): "),
            "a count:\n{screen}"
        );
        assert!(screen.contains("am-0 (counted by name)"), "{screen}");
        assert!(
            screen.contains("fired (critical): HighLatencyOfTheCheckoutService · svc-"),
            "a change is not cut at 200 columns:\n{screen}"
        );
    }
}

#[cfg(test)]
mod pair_tests {
    use crate::app::Action;
    use crate::journal::task::JournalEvent;
    use crate::model::{Entry, EntryKind};

    #[test]
    fn a_change_seen_by_both_instances_of_a_pair_is_one_row_named() {
        let mut app = crate::testing::demo_app(100, 160, 30);
        let at = app.now;
        let entry = |id: i64, subject: &str, body: &str| Entry {
            id,
            subject: subject.into(),
            at,
            author: "am".into(),
            kind: EntryKind::Observed,
            body: body.into(),
            starred: false,
            corrects: None,
        };
        let entries = vec![
            entry(1, "am-a:f00", "fired (critical): HighLatency · checkout"),
            entry(2, "am-b:f00", "fired (critical): HighLatency · checkout"),
            entry(3, "am-a:f00", "resolved"),
            entry(4, "am-b:f00", "resolved"),
        ];
        app.update(Action::Journal(JournalEvent::Entries(entries)));
        app.update(Action::Run(crate::app::Command::ShowHistory));
        let screen = crate::testing::screen(&app, 160, 30);
        assert_eq!(screen.matches("am-b:f00 +1").count(), 2, "{screen}");
        let resolved = screen.lines().find(|l| l.contains(" resolved ")).unwrap();
        assert!(
            resolved.contains("HighLatency · checkout  am-b:f00 +1"),
            "a resolved alert is named: {screen}"
        );
        assert!(!screen.contains("am-a:f00"), "{screen}");
    }
}
