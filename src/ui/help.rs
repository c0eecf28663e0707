//! The `?` overlay: every command with its keys and help line, read from the keymap and the
//! commands' doc lines, then the filter language and the palette words.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Clear, Paragraph};

use super::text::fit;
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
    let lines = lines(app);
    let h = (lines.len() as u16 + 2).min(area.height);
    // As wide as its longest line (at least 80), up to the terminal's width: at 200 columns
    // an 80-column box cut the descriptions.
    let widest = lines.iter().map(Line::width).max().unwrap_or(0);
    let w = u16::try_from(widest + 2)
        .unwrap_or(u16::MAX)
        .max(80)
        .min(area.width);
    let box_area = super::centered(area, w, h);
    frame.render_widget(Clear, box_area);
    let needs_scroll = lines.len() as u16 + 2 > area.height;
    let title = if needs_scroll {
        " HELP · j/k scroll · esc closes "
    } else {
        " HELP · esc closes "
    };
    let block = super::pane(t, Line::styled(title, t.style(Role::TextStrong)), true);
    let max_scroll = (lines.len() as u16 + 2).saturating_sub(box_area.height);
    let help = Paragraph::new(lines)
        .block(block)
        .scroll((scroll.min(max_scroll), 0));
    frame.render_widget(help, box_area);
}

fn lines(app: &App) -> Vec<Line<'static>> {
    let t = &app.theme;
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
        out.push(Line::from(vec![
            Span::styled(fit(&format!(" {keys}"), 20), t.style(Role::KeyHint)),
            Span::styled(c.help().to_string(), t.style(Role::Text)),
        ]));
    }
    out.push(Line::styled(" FILTER (/)", t.style(Role::GroupHeader)));
    for (k, v) in FILTER_HELP {
        out.push(Line::from(vec![
            Span::styled(fit(&format!(" {k}"), 20), t.style(Role::KeyHint)),
            Span::styled(*v, t.style(Role::Text)),
        ]));
    }
    out.push(Line::styled(" COMMANDS (:)", t.style(Role::GroupHeader)));
    for (k, v) in PALETTE_HELP {
        out.push(Line::from(vec![
            Span::styled(fit(&format!(" {k}"), 20), t.style(Role::KeyHint)),
            Span::styled(*v, t.style(Role::Text)),
        ]));
    }
    out
}
