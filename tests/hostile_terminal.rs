//! A hostile corpus through every surface, judged by what reaches the terminal: a real
//! Alertmanager answer (served by the fault server) and a shared journal written by "someone
//! else" carry escape sequences of every family, 8-bit C1 bytes, unterminated OSC, BEL/DEL/
//! NUL, bidi, zero-width and tag characters, a tower of 1,000 combining marks and 1 MiB
//! fields. Each view is drawn through the real crossterm backend into bytes; the bytes are
//! checked by hand (only the CSI onduty itself writes) and played into the `vt100` terminal
//! emulator (no bell, no title, no clipboard, no OSC), whose screen must equal ratatui's
//! buffer cell for cell (no field wider than its column). The CLI's table and JSON output and
//! the log file at full verbosity are checked the same way.

#![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

mod support;

use onduty::sources::backend::FromConfig;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use onduty::app::{Action, App};
use onduty::clock::SystemClock;
use onduty::config::SourceConfig;
use onduty::journal::incidents::{Declaration, Role};
use onduty::journal::task::JournalEvent;
use onduty::journal::timeline::NewEntry;
use onduty::journal::{EntryKind, Journal, Location};
use onduty::sources::Source;
use onduty::sources::alertmanager::AlertmanagerSource;
use ratatui::backend::{CrosstermBackend, TestBackend};
use ratatui::layout::Rect;
use ratatui::{Terminal, TerminalOptions, Viewport};
use serde_json::json;
use support::faults::{Fault, FaultServer};

/// Every family of hostile text, each as it would arrive in a JSON string.
fn corpus() -> Vec<(&'static str, String)> {
    vec![
        (
            "csi",
            "a\u{1b}[2J\u{1b}[31mred\u{1b}[0m\u{1b}[6n\u{1b}[?1049l".into(),
        ),
        ("osc0", "t\u{1b}]0;pwned title\u{7}".into()),
        ("osc2", "t\u{1b}]2;pwned title\u{1b}\\".into()),
        (
            "osc8",
            "\u{1b}]8;;https://evil.example\u{1b}\\click\u{1b}]8;;\u{1b}\\".into(),
        ),
        ("osc52", "c\u{1b}]52;c;cm0gLXJmIH4K\u{7}".into()),
        ("osc777", "n\u{1b}]777;notify;pwned;body\u{7}".into()),
        ("dcs", "d\u{1b}P+q544e\u{1b}\\".into()),
        (
            "tmux",
            "p\u{1b}Ptmux;\u{1b}\u{1b}]52;c;ZXZpbA==\u{7}\u{1b}\\".into(),
        ),
        ("apc", "g\u{1b}_Gf=100;AAAA\u{1b}\\".into()),
        ("pm", "m\u{1b}^private\u{1b}\\".into()),
        ("sos", "s\u{1b}Xstring\u{1b}\\".into()),
        (
            "c1",
            "x\u{9b}31m\u{9d}0;c1 title\u{9c}\u{90}q\u{9c}\u{85}\u{8d}y".into(),
        ),
        ("unterminated", "tail\u{1b}]0;never ends".into()),
        ("controls", "a\u{7}b\u{7f}c\u{0}d\u{8}e\u{d}f\u{b}g".into()),
        (
            "bidi",
            "\u{202e}live\u{202c} \u{2066}iso\u{2069}\u{200f}\u{61c}".into(),
        ),
        (
            "invisible",
            "a\u{200b}b\u{200d}c\u{feff}d\u{2060}\u{e0041}\u{e0042}\u{e007f}".into(),
        ),
        ("tower", format!("e{}", "\u{301}".repeat(1000))),
        ("wide", "漢字🚨 wide".into()),
        ("huge", "W".repeat(1 << 20)),
    ]
}

fn hostile_alerts() -> String {
    let alerts: Vec<_> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, (name, text))| {
            json!({
                "labels": {"alertname": text, "severity": "critical", "service": text,
                           "instance": format!("{name}-{i}")},
                "annotations": {"summary": text, "description": format!("{text}\n{text}"),
                                "runbook_url": text},
                "startsAt": "2026-11-25T10:00:00Z", "endsAt": "2026-11-25T11:00:00Z",
                "updatedAt": "2026-11-25T10:00:00Z", "fingerprint": format!("{i:016x}"),
                "receivers": [{"name": text}],
                "status": {"state": "active", "silencedBy": [], "inhibitedBy": []}
            })
        })
        .collect();
    serde_json::to_string(&alerts).unwrap()
}

fn hostile_silences() -> String {
    let silences: Vec<_> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, (_, text))| {
            json!({
                "id": format!("s{i}"), "createdBy": text, "comment": text,
                "startsAt": "2026-11-25T10:00:00Z", "endsAt": "2099-11-25T11:00:00Z",
                "updatedAt": "2026-11-25T10:00:00Z", "status": {"state": "active"},
                "matchers": [{"name": "alertname", "value": text, "isRegex": false, "isEqual": true}]
            })
        })
        .collect();
    serde_json::to_string(&silences).unwrap()
}

async fn hostile_server() -> FaultServer {
    let (alerts, silences) = (hostile_alerts(), hostile_silences());
    FaultServer::start(move |_, line| {
        if line.ends_with("/silences") {
            Fault::Body(silences.clone())
        } else {
            Fault::Body(alerts.clone())
        }
    })
    .await
}

fn source_toml(url: &str) -> String {
    format!(
        "[[source]]\nname = \"demo\"\nkind = \"alertmanager\"\nurl = \"{url}\"\n# 3 MiB of hostile text, sanitized in a debug build on a busy machine.\ntimeout = \"120s\"\n"
    )
}

// ---- judging the bytes ----------------------------------------------------------------------

#[derive(Default, Debug)]
struct Heard {
    bells: usize,
    titles: usize,
    clipboard: usize,
    osc: usize,
    odd: Vec<String>,
}

impl vt100::Callbacks for Heard {
    fn audible_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn visual_bell(&mut self, _: &mut vt100::Screen) {
        self.bells += 1;
    }
    fn set_window_title(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn set_window_icon_name(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.titles += 1;
    }
    fn copy_to_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8], _: &[u8]) {
        self.clipboard += 1;
    }
    fn paste_from_clipboard(&mut self, _: &mut vt100::Screen, _: &[u8]) {
        self.clipboard += 1;
    }
    fn unhandled_osc(&mut self, _: &mut vt100::Screen, _: &[&[u8]]) {
        self.osc += 1;
    }
    fn unhandled_char(&mut self, _: &mut vt100::Screen, c: char) {
        self.odd.push(format!("char {c:?}"));
    }
    fn unhandled_control(&mut self, _: &mut vt100::Screen, b: u8) {
        self.odd.push(format!("control {b:#x}"));
    }
    fn unhandled_escape(&mut self, _: &mut vt100::Screen, i1: Option<u8>, i2: Option<u8>, b: u8) {
        self.odd.push(format!("escape {i1:?} {i2:?} {b}"));
    }
}

/// Characters that must never reach a terminal from outside (the test's own list, not the
/// sanitizer's).
fn is_banned(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}'
        | '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{2069}' | '\u{61c}' | '\u{180e}' | '\u{feff}'
        | '\u{e0000}'..='\u{e007f}')
}

fn is_combining(c: char) -> bool {
    matches!(c, '\u{300}'..='\u{36f}')
}

/// Checks text meant for people (CLI output, log lines): no banned character but newlines
/// (and tabs in tables), no tower of combining marks.
fn assert_plain(what: &str, bytes: &[u8]) {
    let text = std::str::from_utf8(bytes).unwrap_or_else(|e| panic!("{what}: not UTF-8: {e}"));
    let mut run = 0;
    for (i, c) in text.char_indices() {
        assert!(
            c == '\n' || !is_banned(c),
            "{what}: {c:?} at byte {i}: {:?}",
            &text[i.saturating_sub(40)..(i + 40).min(text.len())]
        );
        run = if is_combining(c) { run + 1 } else { 0 };
        assert!(run <= 3, "{what}: a tower of combining marks at byte {i}");
    }
}

/// Checks frame bytes: the only escapes are CSI sequences of the kinds crossterm writes for
/// ratatui (SGR, cursor position and visibility, clearing), no other control byte, valid
/// UTF-8 with no banned character, no combining tower.
fn assert_frame_bytes(what: &str, bytes: &[u8]) {
    let mut text = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b != 0x1b {
            text.push(b);
            i += 1;
            continue;
        }
        assert_eq!(
            bytes.get(i + 1),
            Some(&b'['),
            "{what}: an escape onduty does not write: ESC then a byte other than [ at {i}"
        );
        let mut j = i + 2;
        while j < bytes.len() && (0x20..=0x3f).contains(&bytes[j]) {
            j += 1;
        }
        let seq = String::from_utf8_lossy(&bytes[i + 1..=j.min(bytes.len() - 1)]).to_string();
        let ok = match bytes.get(j) {
            Some(b'm' | b'H' | b'J' | b'K' | b'X') => true,
            Some(b'h' | b'l') => seq == "[?25h" || seq == "[?25l",
            _ => false,
        };
        assert!(ok, "{what}: an escape onduty does not write: ESC{seq:?}");
        i = j + 1;
    }
    assert_plain(what, &text);
}

/// Draws `app` at its size through the real crossterm backend, checks the bytes, plays them
/// into vt100 and compares its screen with ratatui's own buffer.
fn judge(what: &str, app: &App) {
    let (w, h) = app.viewport;
    judge_drawing(what, w, h, |f| onduty::ui::view(app, f));
}

/// `judge` for any drawing.
fn judge_drawing(what: &str, w: u16, h: u16, draw: impl Fn(&mut ratatui::Frame)) {
    let area = Rect::new(0, 0, w, h);
    let mut bytes = Vec::new();
    {
        let backend = CrosstermBackend::new(&mut bytes);
        let mut terminal = Terminal::with_options(
            backend,
            TerminalOptions {
                viewport: Viewport::Fixed(area),
            },
        )
        .unwrap();
        terminal.draw(&draw).unwrap();
    }
    let what = format!("{what} at {w}x{h}");
    assert_frame_bytes(&what, &bytes);
    let mut parser = vt100::Parser::new_with_callbacks(
        std::num::NonZeroU16::new(h).unwrap(),
        std::num::NonZeroU16::new(w).unwrap(),
        0,
        Heard::default(),
    );
    // vt100 does not print U+FFFD (onduty's marker for a removed control character; real
    // terminals do): a stand-in of the same width keeps the columns comparable.
    let played = String::from_utf8(bytes).unwrap().replace('\u{fffd}', "?");
    parser.process(played.as_bytes());
    let heard = parser.callbacks();
    assert_eq!(
        (heard.bells, heard.titles, heard.clipboard, heard.osc),
        (0, 0, 0, 0),
        "{what}: {heard:?}"
    );
    assert!(heard.odd.is_empty(), "{what}: {:?}", heard.odd);

    let mut model = Terminal::new(TestBackend::new(w, h)).unwrap();
    model.draw(&draw).unwrap();
    let buffer = model.backend().buffer();
    let screen = parser.screen();
    for y in 0..h {
        for x in 0..w {
            let want = buffer[(x, y)].symbol().replace('\u{fffd}', "?");
            let Some(cell) = screen.cell(y, x) else {
                panic!("{what}: no cell {x},{y}")
            };
            if cell.is_wide_continuation() {
                continue;
            }
            let got = cell.contents();
            let got = if got.is_empty() { " " } else { got };
            assert_eq!(
                got,
                want.as_str(),
                "{what}: cell {x},{y} differs from ratatui's buffer"
            );
        }
    }
}

fn key(app: &mut App, code: KeyCode) {
    app.update(Action::Key(KeyEvent::new(code, KeyModifiers::NONE)));
}

fn keys(app: &mut App, s: &str) {
    for c in s.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn every_text() -> String {
    corpus()
        .into_iter()
        .map(|(_, t)| t)
        .collect::<Vec<_>>()
        .join(" | ")
}

// ---- the surfaces -------------------------------------------------------------------------

/// What the hostile world sent: a snapshot fetched through the real Alertmanager source, and
/// timeline entries and an incident "someone else" wrote to a shared journal.
struct Hostile {
    snapshot: onduty::sources::Snapshot,
    entries: Vec<onduty::journal::Entry>,
    incidents: Vec<onduty::journal::incidents::Incident>,
    now: chrono::DateTime<chrono::Utc>,
}

impl Hostile {
    async fn load(dir: &std::path::Path) -> Hostile {
        let server = hostile_server().await;
        let mut cfg = SourceConfig::new("demo", onduty::sources::demo::KIND);
        cfg.kind = onduty::sources::alertmanager::KIND;
        cfg.url = Some(server.url.clone());
        let mut src =
            AlertmanagerSource::new(cfg, Duration::from_secs(30), Arc::new(SystemClock)).unwrap();
        let snapshot = src.fetch().await.unwrap();
        assert_eq!(snapshot.alerts.len(), corpus().len());
        let now = chrono::Utc::now();
        let journal = Journal::open(&Location::Sqlite(dir.join("j.sqlite3")))
            .await
            .unwrap();
        let first = snapshot.alerts[0].key.0.clone();
        let mut entries = Vec::new();
        for (_, text) in corpus() {
            let body = format!("{text}\n{text}");
            let new = NewEntry {
                subject: &first,
                at: now,
                author: &text,
                kind: EntryKind::Note,
                body: &body,
                corrects: None,
            };
            entries.push(journal.append(new).await.unwrap());
        }
        let declaration = Declaration {
            title: every_text(),
            severity: 1,
            alerts: snapshot.alerts.iter().map(|a| a.key.clone()).collect(),
            author: every_text(),
        };
        let incident = journal.declare(&declaration, now).await.unwrap();
        journal
            .set_role(incident.id, Role::Scribe, &every_text(), &every_text(), now)
            .await
            .unwrap();
        let incidents = journal.incidents().await.unwrap();
        journal.close().await;
        Hostile {
            snapshot,
            entries,
            incidents,
            now,
        }
    }

    fn app(&self, w: u16, h: u16) -> App {
        let mut app = onduty::testing::empty_app(self.now);
        app.update(Action::Resize(w, h));
        app.update(Action::Source(onduty::sources::SourceEvent::RulesFetched {
            source: onduty::model::SourceId("demo".into()),
            rules: self.snapshot.rules.clone(),
        }));
        app.update(Action::Source(
            onduty::sources::SourceEvent::IncidentsFetched {
                source: onduty::model::SourceId("demo".into()),
                incidents: self.snapshot.incidents.clone(),
            },
        ));
        onduty::testing::feed(&mut app, self.snapshot.clone(), self.now);
        app.update(Action::Journal(JournalEvent::Entries(self.entries.clone())));
        app.update(Action::Journal(JournalEvent::Incidents(
            self.incidents.clone(),
        )));
        app
    }
}

type Setup = Box<dyn Fn(&mut App)>;

impl Hostile {
    /// A source's hostile snapshot alone: no journal.
    fn of(snapshot: onduty::sources::Snapshot) -> Hostile {
        Hostile {
            snapshot,
            entries: Vec::new(),
            incidents: Vec::new(),
            now: chrono::Utc::now(),
        }
    }

    /// Judges `views` at 80x24 and 200x60, with the first, second, middle and last alert
    /// selected.
    fn judge_views(&self, source: &str, views: &[(&'static str, Setup)]) {
        for (w, h) in [(80, 24), (200, 60)] {
            for row in [0, 1, corpus().len() / 2, corpus().len() - 1] {
                for (name, setup) in views {
                    let mut app = self.app(w, h);
                    for _ in 0..row {
                        keys(&mut app, "j");
                    }
                    setup(&mut app);
                    judge(&format!("{source} {name} (row {row})"), &app);
                }
            }
        }
    }
}

/// The views every source's alerts are judged in: the list, the detail, the detail scrolled.
fn alert_views() -> Vec<(&'static str, Setup)> {
    vec![
        ("list", Box::new(|_| {})),
        ("detail", Box::new(|a| key(a, KeyCode::Enter))),
        (
            "detail scrolled",
            Box::new(|a| {
                key(a, KeyCode::Enter);
                for _ in 0..40 {
                    key(a, KeyCode::PageDown);
                }
            }),
        ),
    ]
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_any_view() {
    let dir = tempfile::tempdir().unwrap();
    let hostile = Hostile::load(dir.path()).await;
    let mut views = alert_views();
    views.extend::<Vec<(&str, Setup)>>(vec![
        ("grouped", Box::new(|a| keys(a, "v"))),
        ("last row", Box::new(|a| keys(a, "G"))),
        ("silences", Box::new(|a| keys(a, "4"))),
        ("incidents", Box::new(|a| keys(a, "6"))),
        (
            "incident",
            Box::new(|a| {
                keys(a, "6");
                key(a, KeyCode::Enter);
            }),
        ),
        ("history", Box::new(|a| keys(a, "7"))),
        ("help", Box::new(|a| keys(a, "?"))),
        (
            "note editor",
            Box::new(|a| {
                keys(a, "n");
                a.update(Action::Paste(every_text()));
            }),
        ),
        (
            "filter",
            Box::new(|a| {
                keys(a, "/");
                a.update(Action::Paste(every_text()));
            }),
        ),
        (
            "palette",
            Box::new(|a| {
                keys(a, ":");
                a.update(Action::Paste(every_text()));
            }),
        ),
        (
            "status line",
            Box::new(|a| {
                a.update(Action::ShowError(every_text()));
            }),
        ),
    ]);
    for (w, h) in [(80, 24), (200, 60)] {
        for row in 0..corpus().len() {
            for (name, setup) in &views {
                let mut app = hostile.app(w, h);
                for _ in 0..row {
                    keys(&mut app, "j");
                }
                setup(&mut app);
                judge(&format!("{name} (row {row})"), &app);
            }
        }
    }
}

async fn cli(dir: &std::path::Path, config: &std::path::Path, args: &[&str]) -> (Vec<u8>, Vec<u8>) {
    let out = support::onduty_command(dir, config, args)
        .env("ONDUTY_LOG", "trace")
        .output()
        .await
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (out.stdout, out.stderr)
}

#[tokio::test]
async fn cli_table_json_and_logs_carry_no_hostile_byte() {
    let server = hostile_server().await;
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("onduty.toml");
    std::fs::write(
        &config,
        format!("identity = \"ana\"\n{}", source_toml(&server.url)),
    )
    .unwrap();
    let (json_out, err) = cli(dir.path(), &config, &["alerts", "--json"]).await;
    assert_plain("alerts --json", &json_out);
    assert_plain("alerts --json stderr", &err);
    let alerts: Vec<serde_json::Value> = serde_json::from_slice(&json_out).unwrap();
    assert_eq!(alerts.len(), corpus().len());
    let key = alerts[0]["key"].as_str().unwrap().to_string();
    // An argument cannot hold NUL, nor 1 MiB.
    let note: String = corpus()
        .into_iter()
        .filter(|(name, _)| *name != "huge")
        .map(|(_, t)| t.replace('\0', ""))
        .collect();
    for args in [
        &["alerts"][..],
        &["silences"],
        &["note", &key, &note],
        &["timeline", &key],
    ] {
        let (out, err) = cli(dir.path(), &config, args).await;
        assert_plain(&format!("{args:?}"), &out);
        assert_plain(&format!("{args:?} stderr"), &err);
    }
    let logs = dir.path().join("logs");
    let mut read = 0;
    for file in std::fs::read_dir(&logs).unwrap() {
        let bytes = std::fs::read(file.unwrap().path()).unwrap();
        assert_plain("log file", &bytes);
        read += bytes.len();
    }
    assert!(read > 0, "the trace log was written");
}

// The judge itself: what ratatui lets through on its own is caught.

#[test]
#[should_panic(expected = "'\\u{202e}'")]
#[expect(clippy::disallowed_methods, reason = "writes a raw cell on purpose")]
fn the_judge_catches_bidi_written_into_a_cell() {
    judge_drawing("raw cell", 20, 2, |f| {
        f.buffer_mut()[(0, 0)].set_symbol("a\u{202e}");
    });
}

#[test]
#[should_panic(expected = "an escape onduty does not write")]
#[expect(clippy::disallowed_methods, reason = "writes a raw cell on purpose")]
fn the_judge_catches_an_escape_written_into_a_cell() {
    judge_drawing("raw cell", 20, 2, |f| {
        f.buffer_mut()[(0, 0)].set_symbol("\u{1b}]0;title\u{7}");
    });
}

#[test]
#[should_panic(expected = "differs from ratatui's buffer")]
#[expect(clippy::disallowed_methods, reason = "writes a raw cell on purpose")]
fn the_judge_catches_a_field_wider_than_its_cell() {
    judge_drawing("raw cell", 20, 2, |f| {
        f.buffer_mut()[(0, 0)].set_symbol("abc");
    });
}

/// Jira's answer carrying every hostile text in every field a ticket fills (its key too).
fn hostile_issues() -> String {
    let issues: Vec<_> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, (_, text))| {
            let key = if i == 0 {
                "OPS-7".to_string()
            } else {
                format!("OPS-{i}{text}")
            };
            json!({"key": key, "fields": {
                "summary": text, "status": {"name": text, "statusCategory": {"key": "new"}},
                "assignee": {"displayName": text}, "priority": {"name": text},
                "labels": [text], "description": text,
                "updated": "2026-03-04T13:00:00.000+0000",
                "comment": {"total": 1, "comments": [{"author": {"displayName": text},
                    "created": "2026-03-04T13:00:00.000+0000", "body": text}]}}})
        })
        .collect();
    json!({"total": issues.len(), "issues": issues}).to_string()
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_a_ticket() {
    let body = hostile_issues();
    let server = FaultServer::start(move |_, _| Fault::Body(body.clone())).await;
    let toml = format!(
        "[[source]]\nname = 'jira'\nkind = 'jira'\nurl = '{}'\ndeployment = 'datacenter'\n",
        server.url
    );
    let config = onduty::config::Config::from_str_at(&toml, "t.toml", &Default::default()).unwrap();
    let mut jira =
        onduty::sources::jira::JiraSource::new(config.sources[0].clone(), Duration::from_secs(60))
            .unwrap();
    let tickets = jira.fetch().await.unwrap().tickets;
    assert_eq!(tickets.len(), corpus().len());
    type Setup = Box<dyn Fn(&mut App, usize)>;
    let views: Vec<(&str, Setup)> = vec![
        ("tickets", Box::new(|a, _| keys(a, "8"))),
        (
            "ticket",
            Box::new(|a, row| {
                keys(a, "8");
                for _ in 0..row {
                    keys(a, "j");
                }
                key(a, KeyCode::Enter);
            }),
        ),
        (
            "alert with its ticket",
            Box::new(|a, _| key(a, KeyCode::Enter)),
        ),
    ];
    for (w, h) in [(80, 24), (200, 60)] {
        for row in 0..corpus().len() {
            for (name, setup) in &views {
                let mut app = onduty::testing::ticket_app(w, h);
                app.update(Action::Source(
                    onduty::sources::SourceEvent::AlertsFetched {
                        source: onduty::model::SourceId("jira".into()),
                        alerts: Default::default(),
                        escalation: Vec::new().into(),
                        silences: Vec::new().into(),
                        tickets: tickets.clone().into(),
                        fetched_at: app.now,
                    },
                ));
                setup(&mut app, row);
                judge(&format!("{name} (row {row})"), &app);
            }
        }
    }
}

/// Opsgenie's answers carrying every hostile text in every field: the alert's (its id too),
/// its responders, details, notes and log, the escalation's and the on-call names.
fn hostile_opsgenie(target: &str) -> String {
    let path = target.split('?').next().unwrap_or_default();
    let texts: Vec<String> = corpus().into_iter().map(|(_, t)| t).collect();
    let all = |f: &dyn Fn(usize, &String) -> serde_json::Value| -> Vec<serde_json::Value> {
        texts.iter().enumerate().map(|(i, t)| f(i, t)).collect()
    };
    match path {
        "/v2/alerts" => json!({"data": all(&|i, t| json!({
            "id": if i == 0 { "a0".to_string() } else { format!("a{i}{t}") },
            "tinyId": t, "alias": t, "message": t, "status": "open", "acknowledged": i % 2 == 0,
            "tags": [t, t], "count": 12, "source": t, "owner": t, "priority": t,
            "integration": {"name": t}, "report": {"acknowledgedBy": t, "ackTime": 1000},
            "responders": [{"type": "escalation", "id": "e1"}, {"type": t, "id": t, "name": t}],
            "details": {"runbook": t}, "description": t,
            "createdAt": "2026-11-25T10:00:00Z"}))}),
        "/v2/escalations" => json!({"data": [{"id": "e1", "name": texts[0], "rules": all(&|i, t| json!({
            "delay": {"timeAmount": i}, "recipient": {"type": "schedule", "id": format!("s{i}"), "name": t}}))}]}),
        p if p.ends_with("/notes") => json!({"data": all(&|_, t| json!({"note": t, "owner": t,
            "createdAt": "2026-11-25T10:01:00Z"}))}),
        p if p.ends_with("/logs") => json!({"data": all(&|_, t| json!({"log": t, "owner": t,
            "createdAt": "2026-11-25T10:02:00Z"}))}),
        p if p.ends_with("on-calls") => json!({"data": {"onCallRecipients": texts,
            "exactNextOnCallRecipients": texts}}),
        p if p.starts_with("/v2/alerts/a") => json!({"data": {"id": &p["/v2/alerts/".len()..],
            "status": "open", "description": texts.join("\n"),
            "details": texts.iter().enumerate().map(|(i, t)| (format!("k{i}{t}"), json!(t)))
                .collect::<serde_json::Map<_, _>>()}}),
        _ => json!({"data": []}),
    }
    .to_string()
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_an_opsgenie_alert() {
    let server =
        FaultServer::start_full(|_, seen| Fault::Body(hostile_opsgenie(seen.target()))).await;
    let mut cfg = SourceConfig::new("demo", onduty::sources::opsgenie::KIND);
    cfg.url = Some(server.url.clone());
    cfg.token_command = Some("printf k".into());
    cfg.timeout = Some(Duration::from_secs(120));
    let mut og = onduty::sources::opsgenie::OpsgenieSource::new(
        cfg,
        Duration::from_secs(120),
        Arc::new(SystemClock),
    )
    .unwrap();
    og.fetch().await.unwrap();
    // The second poll: the details fetched with the first's notes are on the alerts.
    let snapshot = og.fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), corpus().len());
    assert!(
        !snapshot.alerts[0].notes.is_empty() && !snapshot.escalation.is_empty(),
        "notes, log and escalations are in the picture"
    );
    assert!(
        snapshot.alerts[0]
            .labels
            .iter()
            .any(|(k, _)| k.starts_with("detail.")),
        "details are in the picture"
    );
    let mut views = alert_views();
    views.push(("on call", Box::new(|a| keys(a, "2"))));
    views.push(("sources", Box::new(|a| keys(a, "3"))));
    Hostile::of(snapshot).judge_views("opsgenie", &views);
}

fn hostile_rules() -> String {
    let rules: Vec<serde_json::Value> = corpus()
        .into_iter()
        .map(|(_, t)| {
            json!({"type": "alerting", "name": t, "query": format!("{t}\n  > {t}"),
                "duration": 60, "labels": {"severity": t, "team": t}, "health": "err",
                "lastError": t, "lastEvaluation": "2026-12-05T10:00:00Z",
                "alerts": [{"labels": {"alertname": t, "job": t}, "annotations": {"summary": t},
                    "state": "firing", "activeAt": "2026-12-05T09:00:00Z", "value": t}]})
        })
        .collect();
    let t = every_text();
    json!({"status": "success", "data": {"groups": [{"name": t, "file": t, "rules": rules}]}})
        .to_string()
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_a_prometheus_rule() {
    let server = FaultServer::start_full(|_, _| Fault::Body(hostile_rules())).await;
    let mut cfg = SourceConfig::new("demo", onduty::sources::prometheus::KIND);
    cfg.url = Some(server.url.clone());
    cfg.backend
        .insert("firing".into(), toml::Value::Boolean(true));
    let mut prom = onduty::sources::prometheus::PrometheusSource::from_config(
        cfg,
        Duration::from_secs(60),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = prom.fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), corpus().len());
    assert_eq!(snapshot.rules.len(), corpus().len());
    let hostile = Hostile::of(snapshot);
    let app = hostile.app(80, 24);
    let a = app.selected_alert().cloned().unwrap();
    assert!(app.rule_behind(&a).is_some(), "the rule is in the picture");
    let mut views = alert_views();
    views.push(("sources", Box::new(|a| keys(a, "3"))));
    hostile.judge_views("prometheus", &views);
}

/// incident.io incidents, one per hostile text, every field of each (and its update) that
/// text.
fn hostile_incidents(path: &str) -> String {
    let t = |s: &str| s.to_string();
    match path {
        "/v2/incidents" => {
            let incidents: Vec<_> = corpus()
                .into_iter()
                .enumerate()
                .map(|(i, (_, s))| {
                    json!({"id": format!("01I{i}"), "reference": t(&s), "name": t(&s), "summary": t(&s),
                        "incident_status": {"id": "st", "name": t(&s), "category": "live", "rank": 1},
                        "severity": {"id": "sev", "name": t(&s), "rank": 1},
                        "incident_role_assignments": [{"role": {"id": "r", "name": t(&s), "role_type": "lead"},
                            "assignee": {"name": t(&s), "email": t(&s)}}],
                        "permalink": t(&s), "slack_channel_name": t(&s),
                        "created_at": "2026-12-05T09:00:00Z", "updated_at": "2026-12-05T09:10:00Z"})
                })
                .collect();
            json!({"incidents": incidents}).to_string()
        }
        "/v2/incident_updates" => {
            let s = every_text();
            json!({"incident_updates": [{"message": s, "updater": {"user": {"name": s}},
                "new_incident_status": {"name": s}, "new_severity": {"name": s},
                "created_at": "2026-12-05T09:05:00Z"}]})
            .to_string()
        }
        _ => json!({"alerts": [], "severities": [], "incident_statuses": [], "incident_roles": []})
            .to_string(),
    }
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_an_incident_io_incident() {
    let server =
        FaultServer::start_full(|_, seen| Fault::Body(hostile_incidents(seen.path()))).await;
    let mut cfg = SourceConfig::new("demo", onduty::sources::incident_io::KIND);
    cfg.url = Some(server.url.clone());
    cfg.token_command = Some("printf k".into());
    let mut inc = onduty::sources::incident_io::IncidentIoSource::from_config(
        cfg,
        Duration::from_secs(60),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = inc.fetch().await.unwrap();
    assert_eq!(snapshot.incidents.len(), corpus().len());
    let hostile = Hostile::of(snapshot);
    let mut app = hostile.app(80, 24);
    assert_eq!(app.incidents.len(), corpus().len());
    keys(&mut app, "6");
    assert_eq!(app.view, onduty::app::View::Incidents, "6 shows them");
    assert!(app.selected_incident().is_some_and(|i| i.origin.is_some()));
    let mut views: Vec<(&'static str, Setup)> = Vec::new();
    for at in [0, 1, corpus().len() / 2, corpus().len() - 1] {
        views.push((
            "incidents",
            Box::new(move |a| {
                keys(a, "6");
                for _ in 0..at {
                    keys(a, "j");
                }
            }),
        ));
        views.push((
            "incident opened and scrolled",
            Box::new(move |a| {
                keys(a, "6");
                for _ in 0..at {
                    keys(a, "j");
                }
                key(a, KeyCode::Enter);
                for _ in 0..at {
                    key(a, KeyCode::PageDown);
                }
            }),
        ));
    }
    hostile.judge_views("incident.io", &views);
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_a_command_source() {
    let dir = tempfile::tempdir().unwrap();
    let printed = dir.path().join("printed.jsonl");
    let lines: Vec<String> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, (_, s))| {
            json!({"id": format!("{i}{s}"), "title": s, "severity": "critical", "service": s,
                "labels": {s.clone(): s}, "annotations": {"description": s},
                "acked_by": s, "links": {s.clone(): format!("https://x.example/{s}")}})
            .to_string()
        })
        .collect();
    std::fs::write(&printed, lines.join("\n")).unwrap();
    let mut cfg = SourceConfig::new("demo", onduty::sources::command::KIND);
    cfg.set(
        "command",
        toml::Value::Array(vec![
            toml::Value::String("/bin/cat".into()),
            toml::Value::String(printed.display().to_string()),
        ]),
    );
    let mut cmd = onduty::sources::command::CommandSource::from_config(
        cfg,
        Duration::from_secs(60),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = cmd.fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), corpus().len());
    Hostile::of(snapshot).judge_views("command", &alert_views());
}

#[tokio::test]
async fn no_hostile_byte_reaches_the_terminal_from_a_json_source() {
    let items: Vec<_> = corpus()
        .into_iter()
        .enumerate()
        .map(|(i, (_, s))| {
            json!({"id": format!("{i}{s}"), "title": s, "sev": s, "state": s, "who": s,
                "since": s, "svc": [s.clone(), s.clone()], "lab": s, "note": s})
        })
        .collect();
    let answer = json!({ "items": items }).to_string();
    let server = FaultServer::start(move |_, _| Fault::Body(answer.clone())).await;
    let toml = format!(
        "[[source]]\nname = \"demo\"\nkind = \"json\"\nurl = \"{}/x\"\nitems = \"/items\"\n\
         [source.fields]\nid = \"/id\"\ntitle = \"/title\"\nseverity = \"/sev\"\nstatus = \"/state\"\n\
         acked_by = \"/who\"\nstarted_at = \"/since\"\nservice = \"/svc\"\n\
         labels = {{ lab = \"/lab\" }}\nannotations = {{ note = \"/note\" }}\n\
         links = {{ page = \"https://x.example/{{id}}\" }}\n",
        server.url
    );
    let config = onduty::config::Config::from_str_at(
        &toml,
        "json.toml",
        &onduty::config::Overrides::default(),
    )
    .unwrap()
    .sources[0]
        .clone();
    let mut src = onduty::sources::json::JsonSource::from_config(
        config,
        Duration::from_secs(60),
        Arc::new(SystemClock),
    )
    .unwrap();
    let snapshot = src.fetch().await.unwrap();
    assert_eq!(snapshot.alerts.len(), corpus().len());
    Hostile::of(snapshot).judge_views("json", &alert_views());
}
