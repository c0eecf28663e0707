//! The `?` overlay: every command with its keys and help line, read from the keymap and the
//! commands' doc lines, then the filter language and the palette words.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::{display_width, fit, wrap_indented};
use crate::app::keymap::KeyScope;
use crate::app::{App, Command, PALETTE_HELP};
use crate::theme::Role;

const FILTER_HELP: &[(&str, &str)] = &[
    ("text", "fuzzy match on title, service, labels"),
    ("team=payments", "label equals (!= differs)"),
    ("service=~pay.*", "label matches regex (!~ does not)"),
    ("is:firing", "status: firing, acked, silenced, resolved"),
    ("sev>=warning", "severity at least"),
    ("@prod-am", "one source"),
    ("!term", "negates any term"),
];

/// Draws the help overlay centred in `area`.
pub fn render(app: &App, frame: &mut Frame, area: Rect, scroll: u16) {
    let t = &app.theme;
    let entries = entries(app);
    // Keys in a column as wide as the widest keys; descriptions beside them, wrapped under
    // themselves. As wide as the longest entry (at least 80), up to the terminal's width.
    let key_w = entries
        .iter()
        .filter_map(|e| e.key.as_ref())
        .map(|(k, _)| display_width(k) + 2)
        .max()
        .unwrap_or(0)
        .min(KEY_COLUMN);
    let widest = entries
        .iter()
        .map(|e| key_w + display_width(&e.text))
        .max()
        .unwrap_or(0);
    let w = u16::try_from(widest + 2)
        .unwrap_or(u16::MAX)
        .max(80)
        .min(area.width);
    let room = usize::from(w.saturating_sub(2)).saturating_sub(key_w);
    let lines = lines(t, &entries, key_w, room);
    let h = (lines.len() as u16 + 2).min(area.height);
    let box_area = super::centered(area, w, h);
    frame.render_widget(Clear, box_area);
    let needs_scroll = lines.len() as u16 + 2 > area.height;
    let title = if needs_scroll {
        " HELP · j/k, space, G scroll · esc closes "
    } else {
        " HELP · esc closes "
    };
    let block = super::pane(t, Line::styled(title, t.style(Role::TextStrong)), true);
    let help = Paragraph::new(lines)
        .block(block)
        .wrap(ratatui::widgets::Wrap { trim: false });
    super::scrolled(app, frame, box_area, help, scroll);
}

/// The widest the key column grows; longer keys stand on their own line.
const KEY_COLUMN: usize = 24;

/// One line of help: a heading, or keys (their text and style) and what they do.
struct Entry {
    key: Option<(String, Role)>,
    text: String,
}

fn entries(app: &App) -> Vec<Entry> {
    let km = &app.settings.keymap;
    let mut out = Vec::new();
    for &c in Command::ALL {
        if c.is_action() && app.settings.is_read_only {
            continue;
        }
        let mut keys: Vec<String> = Vec::new();
        for scope in [
            KeyScope::AlertList,
            KeyScope::Detail,
            KeyScope::Runbook,
            KeyScope::Postmortem,
            KeyScope::Silences,
            KeyScope::Tickets,
            KeyScope::Insights,
        ] {
            for k in km.keys_for(scope, c) {
                if !keys.contains(&k) {
                    keys.push(k);
                }
            }
        }
        let keys = if keys.is_empty() {
            format!(":{}", c.name())
        } else {
            keys.join(" ")
        };
        out.push(Entry {
            key: Some((format!(" {keys}"), Role::KeyHint)),
            text: c.help().to_string(),
        });
    }
    let heading = |text: &str| Entry {
        key: None,
        text: text.to_string(),
    };
    let pairs = |pairs: &[(&str, &str)], out: &mut Vec<Entry>| {
        for (k, v) in pairs {
            out.push(Entry {
                key: Some((format!(" {k}"), Role::KeyHint)),
                text: v.to_string(),
            });
        }
    };
    out.push(heading(" FILTER (/)"));
    pairs(FILTER_HELP, &mut out);
    out.push(heading(" COMMANDS (:)"));
    pairs(PALETTE_HELP, &mut out);
    out
}

/// The entries as lines: keys in a column `key_w` wide, descriptions wrapped in `room`.
fn lines(
    t: &crate::theme::Theme,
    entries: &[Entry],
    key_w: usize,
    room: usize,
) -> Vec<Line<'static>> {
    let mut out = Vec::new();
    for e in entries {
        let Some((key, role)) = &e.key else {
            out.push(Line::styled(e.text.clone(), t.style(Role::GroupHeader)));
            continue;
        };
        let mut pieces = wrap_indented(&e.text, room, "").into_iter();
        if display_width(key) + 1 > key_w {
            out.push(Line::styled(key.clone(), t.style(*role)));
            out.push(Line::styled(
                format!("{}{}", " ".repeat(key_w), pieces.next().unwrap_or_default()),
                t.style(Role::Text),
            ));
        } else {
            out.push(Line::from(vec![
                Span::styled(fit(key, key_w), t.style(*role)),
                Span::styled(pieces.next().unwrap_or_default(), t.style(Role::Text)),
            ]));
        }
        for piece in pieces {
            out.push(Line::styled(
                format!("{}{piece}", " ".repeat(key_w)),
                t.style(Role::Text),
            ));
        }
    }
    out
}
