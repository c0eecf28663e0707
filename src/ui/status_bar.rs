//! The two bottom lines: the status line (input being typed, messages, a failing source's
//! error) and the key bar (the keys that work now, read from the keymap).

use ratatui::Frame;
use ratatui::layout::{Position, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::text::{cut, display_width};
use crate::app::text_input::TextInput;
use crate::app::{App, Overlay, PromptKind, SourceHealth, View};
use crate::theme::Role;

/// Draws the status line.
pub fn render_status(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let width = area.width as usize;
    match &app.overlay {
        Overlay::Filter(input) => {
            input_line(app, frame, area, "/", input, app.filter_error.as_deref());
            return;
        }
        Overlay::Palette(input) => {
            let hint = crate::app::palette_completions(input.text()).join(" ");
            input_line(app, frame, area, ":", input, None);
            let used = 1 + display_width(input.text()) + 2;
            if used < width && !input.text().is_empty() {
                let hint_area = Rect {
                    x: area.x + used as u16,
                    width: (width - used) as u16,
                    ..area
                };
                frame.render_widget(
                    Paragraph::new(Line::styled(
                        cut(&hint, width - used),
                        t.style(Role::TextMuted),
                    )),
                    hint_area,
                );
            }
            return;
        }
        Overlay::Prompt(p) => {
            let label = match &p.kind {
                PromptKind::Silence(keys) if keys.len() > 1 => {
                    format!("silence {} marked for (e.g. 2h reason): ", keys.len())
                }
                PromptKind::Silence(_) => "silence for (e.g. 2h reason): ".to_string(),
                PromptKind::ExportPostmortem => "write the post-mortem to: ".to_string(),
                PromptKind::LinkTicket(subject) => {
                    format!("link to {subject} the ticket (key or URL): ")
                }
                PromptKind::Incident(keys) => {
                    format!(
                        "incident from {} alert(s) (e.g. SEV2 Checkout is down; SEV3 if left out): ",
                        keys.len()
                    )
                }
            };
            input_line(app, frame, area, &label, &p.input, p.error.as_deref());
            return;
        }
        _ => {}
    }
    let toast = app.toast.as_ref().filter(|t| t.view == app.view);
    let (text, role) = if let Some(toast) = toast {
        (
            toast.text.clone(),
            if toast.is_error {
                Role::Error
            } else {
                Role::Info
            },
        )
    } else if let Some(banner) = &app.banner {
        (format!("{banner} (esc hides)"), Role::Error)
    } else if let Some((name, error, has_data)) = failing_source(app) {
        let kept = match has_data {
            true => "last good data kept",
            false => "no data from it yet",
        };
        (
            format!("{name} failing: {error} · {kept}"),
            Role::SourceFailing,
        )
    } else {
        (default_status(app), Role::TextMuted)
    };
    frame.render_widget(
        Paragraph::new(Line::styled(cut(&text, width), app.theme.style(role))),
        area,
    );
}

/// The first failing source: its name, why, and whether it ever gave data (a poll, or the
/// journal's last known picture).
fn failing_source(app: &App) -> Option<(String, String, bool)> {
    app.sources.iter().find_map(|s| match s.health(app.now) {
        SourceHealth::Failing(e) => {
            let has_data = s.last_ok.is_some() || s.is_cached;
            Some((s.info.id.0.to_string(), e, has_data))
        }
        _ => None,
    })
}

fn default_status(app: &App) -> String {
    let mut parts = Vec::new();
    if let Some(e) = &app.journal_error {
        parts.push(format!(
            "journal unavailable, actions refused: {}",
            super::text::one_line(e, 200)
        ));
    }
    if !app.pending.is_empty() {
        parts.push(format!("{} action(s) pending", app.pending.len()));
    }
    if app.view == View::Tickets {
        if let Some((_, t)) = app.selected_ticket() {
            parts.push(t.url.clone().unwrap_or_else(|| t.key.0.clone()));
        }
    } else if app.view == View::Alerts
        && let Some(a) = app.selected_alert()
    {
        // The key of the alert acted on, where it is the one looked at (not under the
        // insights or the sources, where the list's selection is out of sight).
        parts.push(a.key.0.clone());
    }
    if parts.is_empty() {
        parts.push("? for help · : for commands".into());
    }
    parts.join(" · ")
}

/// A prompt with its input, the cursor placed in it, and an error after it.
fn input_line(
    app: &App,
    frame: &mut Frame,
    area: Rect,
    label: &str,
    input: &TextInput,
    error: Option<&str>,
) {
    let t = &app.theme;
    let width = area.width as usize;
    let label = cut(label, width / 2);
    let before: String = input.text().chars().take(input.cursor()).collect();
    // Keep the cursor on screen: show the tail of a long input.
    let room = width.saturating_sub(display_width(&label) + 1);
    let skip = display_width(&before).saturating_sub(room);
    let shown: String = skip_columns(input.text(), skip);
    let mut spans = vec![
        Span::styled(label.clone(), t.style(Role::KeyHint)),
        Span::styled(shown, t.style(Role::Text)),
    ];
    if let Some(e) = error {
        spans.push(Span::styled(format!("  {e}"), t.style(Role::Error)));
    }
    frame.render_widget(Paragraph::new(Line::from(spans)), area);
    let x = area.x as usize + display_width(&label) + display_width(&before) - skip;
    frame.set_cursor_position(Position {
        x: x.min(area.right() as usize - 1) as u16,
        y: area.y,
    });
}

fn skip_columns(s: &str, cols: usize) -> String {
    let mut skipped = 0;
    s.chars()
        .skip_while(|c| {
            let go = skipped < cols;
            skipped += unicode_width::UnicodeWidthChar::width(*c).unwrap_or(0);
            go
        })
        .collect()
}

/// Draws the key bar.
pub fn render_keys(app: &App, frame: &mut Frame, area: Rect) {
    let t = &app.theme;
    let mut spans = Vec::new();
    match &app.overlay {
        Overlay::Confirm(_) => {
            spans.push(Span::styled(" y", t.style(Role::KeyHint)));
            spans.push(Span::styled(" yes  ", t.style(Role::KeyDesc)));
            spans.push(Span::styled("n", t.style(Role::KeyHint)));
            spans.push(Span::styled(" no", t.style(Role::KeyDesc)));
        }
        Overlay::SilenceEditor(_) | Overlay::NoteEditor(_) => {
            let hints = if matches!(app.overlay, Overlay::NoteEditor(_)) {
                [
                    (" ctrl+s", " save  "),
                    ("esc", " close, draft kept  "),
                    ("enter", " new line"),
                ]
            } else {
                [
                    (" tab", " next field  "),
                    ("enter", " create  "),
                    ("esc", " cancel"),
                ]
            };
            for (k, d) in hints {
                spans.push(Span::styled(k, t.style(Role::KeyHint)));
                spans.push(Span::styled(d, t.style(Role::KeyDesc)));
            }
        }
        Overlay::Filter(_) | Overlay::Palette(_) | Overlay::Prompt(_) => {
            spans.push(Span::styled(" enter", t.style(Role::KeyHint)));
            spans.push(Span::styled(" apply  ", t.style(Role::KeyDesc)));
            spans.push(Span::styled("esc", t.style(Role::KeyHint)));
            spans.push(Span::styled(" cancel", t.style(Role::KeyDesc)));
        }
        _ => {
            let scope = app.key_scope();
            for (command, label) in app.offered_commands() {
                let Some(key) = app
                    .settings
                    .keymap
                    .keys_for(scope, command)
                    .into_iter()
                    .next()
                else {
                    continue;
                };
                spans.push(Span::styled(format!(" {key}"), t.style(Role::KeyHint)));
                spans.push(Span::styled(format!(" {label} "), t.style(Role::KeyDesc)));
            }
        }
    }
    // Drop whole key hints that do not fit rather than cutting one in half.
    let width = area.width as usize;
    let mut used = 0;
    let mut kept = Vec::new();
    for pair in spans.chunks(2) {
        let w: usize = pair.iter().map(|s| display_width(&s.content)).sum();
        if used + w > width {
            break;
        }
        used += w;
        kept.extend(pair.iter().cloned());
    }
    frame.render_widget(Paragraph::new(Line::from(kept)), area);
}

#[cfg(test)]
mod tests {
    use crate::app::{Action, Command};

    /// The status line names the alert acted on under the list, not under the views where
    /// the list's selection is out of sight.
    #[test]
    fn the_selected_alerts_key_is_said_only_under_the_alert_list() {
        let mut app = crate::testing::demo_app(100, 80, 24);
        let key = app.selected_alert().expect("the demo fires").key.0.clone();
        let last_lines = |app: &crate::app::App| {
            let screen = crate::testing::screen(app, 80, 24);
            screen.lines().rev().take(2).collect::<Vec<_>>().join("\n")
        };
        assert!(last_lines(&app).contains(&key), "{}", last_lines(&app));
        for view in [Command::ShowSources, Command::ShowInsights] {
            app.update(Action::Run(view));
            let status = last_lines(&app);
            assert!(!status.contains(&key), "{status}");
        }
    }
}
