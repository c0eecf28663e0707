//! Keys to commands, per mode, read from the `[keys.*]` tables of the config (whose defaults
//! live in the embedded default config). Supports chords such as `"g g"`.

use std::collections::BTreeMap;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::command::Command;

/// A keymap section: which mode its bindings apply in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum KeyScope {
    /// Everywhere outside text input.
    Global,
    /// The alert list.
    AlertList,
    /// The full-screen alert detail.
    Detail,
    /// The silences view.
    Silences,
    /// The runbook beside an alert (falls back to the detail's keys).
    Runbook,
    /// The post-mortem view.
    Postmortem,
    /// The tickets view and a ticket's detail.
    Tickets,
    /// The insights view.
    Insights,
}

impl KeyScope {
    /// The config table name (`[keys.alert_list]`).
    pub fn name(self) -> &'static str {
        match self {
            KeyScope::Global => "global",
            KeyScope::AlertList => "alert_list",
            KeyScope::Detail => "detail",
            KeyScope::Silences => "silences",
            KeyScope::Runbook => "runbook",
            KeyScope::Postmortem => "postmortem",
            KeyScope::Tickets => "tickets",
            KeyScope::Insights => "insights",
        }
    }

    /// The scopes a key is looked up in, in order.
    fn chain(self) -> Vec<KeyScope> {
        match self {
            KeyScope::Global => vec![KeyScope::Global],
            KeyScope::Runbook => vec![KeyScope::Runbook, KeyScope::Detail, KeyScope::Global],
            other => vec![other, KeyScope::Global],
        }
    }

    fn from_name(s: &str) -> Option<KeyScope> {
        [
            KeyScope::Global,
            KeyScope::AlertList,
            KeyScope::Detail,
            KeyScope::Silences,
            KeyScope::Runbook,
            KeyScope::Postmortem,
            KeyScope::Tickets,
            KeyScope::Insights,
        ]
        .into_iter()
        .find(|k| k.name() == s)
    }
}

/// One key press, normalised (shifted letters are upper case, without the SHIFT flag).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Key {
    code: KeyCodeOrd,
    ctrl: bool,
    alt: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum KeyCodeOrd {
    Char(char),
    Named(&'static str),
    F(u8),
}

const NAMED: &[(&str, KeyCode)] = &[
    ("enter", KeyCode::Enter),
    ("esc", KeyCode::Esc),
    ("tab", KeyCode::Tab),
    ("backtab", KeyCode::BackTab),
    ("backspace", KeyCode::Backspace),
    ("delete", KeyCode::Delete),
    ("up", KeyCode::Up),
    ("down", KeyCode::Down),
    ("left", KeyCode::Left),
    ("right", KeyCode::Right),
    ("home", KeyCode::Home),
    ("end", KeyCode::End),
    ("pageup", KeyCode::PageUp),
    ("pagedown", KeyCode::PageDown),
    ("space", KeyCode::Char(' ')),
];

impl Key {
    /// The key of a terminal key event, if it is one we can bind.
    pub fn from_event(ev: KeyEvent) -> Option<Key> {
        let code = match ev.code {
            KeyCode::Char(' ') => KeyCodeOrd::Named("space"),
            KeyCode::Char(c) => KeyCodeOrd::Char(c),
            KeyCode::F(n) => KeyCodeOrd::F(n),
            other => KeyCodeOrd::Named(NAMED.iter().find(|(_, k)| *k == other)?.0),
        };
        Some(Key {
            code,
            ctrl: ev.modifiers.contains(KeyModifiers::CONTROL),
            alt: ev.modifiers.contains(KeyModifiers::ALT),
        })
    }

    /// Parses `a`, `G`, `?`, `ctrl-c`, `alt-x`, `enter`, `f5`, `space`.
    pub fn parse(s: &str) -> Result<Key, String> {
        let mut rest = s;
        let (mut ctrl, mut alt) = (false, false);
        loop {
            if let Some(r) = rest.strip_prefix("ctrl-") {
                ctrl = true;
                rest = r;
            } else if let Some(r) = rest.strip_prefix("alt-") {
                alt = true;
                rest = r;
            } else {
                break;
            }
        }
        let mut chars = rest.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => KeyCodeOrd::Char(c),
            _ => {
                let lower = rest.to_ascii_lowercase();
                if let Some((name, _)) = NAMED.iter().find(|(n, _)| *n == lower) {
                    KeyCodeOrd::Named(name)
                } else if let Some(n) = lower.strip_prefix('f').and_then(|n| n.parse::<u8>().ok()) {
                    KeyCodeOrd::F(n)
                } else {
                    return Err(format!(
                        "'{s}' is not a key (try 'a', 'G', 'ctrl-c', 'enter', 'f5')"
                    ));
                }
            }
        };
        Ok(Key { code, ctrl, alt })
    }

    /// How the key is written in help and the key bar.
    pub fn label(&self) -> String {
        let mut s = String::new();
        if self.ctrl {
            s.push_str("ctrl-");
        }
        if self.alt {
            s.push_str("alt-");
        }
        match self.code {
            KeyCodeOrd::Char(c) => s.push(c),
            KeyCodeOrd::Named(n) => s.push_str(n),
            KeyCodeOrd::F(n) => s.push_str(&format!("f{n}")),
        }
        s
    }
}

/// A sequence of keys bound to one command.
pub type Chord = Vec<Key>;

/// What a key press did to the keymap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KeyOutcome {
    /// A whole chord matched.
    Command(Command),
    /// The key starts a longer chord; wait for the next key.
    Pending,
    /// Nothing is bound to it.
    Unbound,
}

/// A bad binding in the config: scope table, key, value and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BindingError {
    /// Dotted key path within the config (`keys.alert_list.x`).
    pub key: String,
    /// The value given.
    pub value: String,
    /// What is wrong.
    pub message: String,
}

/// All bindings.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Keymap {
    bindings: BTreeMap<KeyScope, Vec<(Chord, Command)>>,
}

impl Keymap {
    /// Builds the keymap from the `[keys.*]` tables. A value of `"none"` unbinds a key.
    pub fn from_tables(
        tables: &BTreeMap<String, BTreeMap<String, String>>,
    ) -> Result<Keymap, BindingError> {
        let mut bindings: BTreeMap<KeyScope, Vec<(Chord, Command)>> = BTreeMap::new();
        for (scope_name, table) in tables {
            let scope = KeyScope::from_name(scope_name).ok_or_else(|| BindingError {
                key: format!("keys.{scope_name}"),
                value: String::new(),
                message: "unknown key table (use global, alert_list, detail, runbook, silences or postmortem)"
                    .into(),
            })?;
            for (keys, name) in table {
                let err = |message: String| BindingError {
                    key: format!("keys.{scope_name}.{keys}"),
                    value: name.clone(),
                    message,
                };
                let chord = keys
                    .split_whitespace()
                    .map(Key::parse)
                    .collect::<Result<Chord, _>>()
                    .map_err(err)?;
                if chord.is_empty() {
                    return Err(err("empty key".into()));
                }
                if name == "none" {
                    continue;
                }
                let command = Command::from_name(name)
                    .ok_or_else(|| err("unknown command (see `?` for the list)".into()))?;
                bindings.entry(scope).or_default().push((chord, command));
            }
        }
        Ok(Keymap { bindings })
    }

    /// Resolves `pressed` (the keys typed so far) in `scope`, then the scope it falls back
    /// to (the runbook's is the detail's), then in the global scope.
    pub fn lookup(&self, scope: KeyScope, pressed: &[Key]) -> KeyOutcome {
        let mut is_prefix = false;
        for s in scope.chain() {
            for (chord, command) in self.bindings.get(&s).into_iter().flatten() {
                if chord.as_slice() == pressed {
                    return KeyOutcome::Command(*command);
                }
                if chord.len() > pressed.len() && chord.starts_with(pressed) {
                    is_prefix = true;
                }
            }
        }
        if is_prefix {
            KeyOutcome::Pending
        } else {
            KeyOutcome::Unbound
        }
    }

    /// The keys bound to `command` in `scope` or globally, written for people ("g g", "G"),
    /// shortest first (the key bar shows the first).
    pub fn keys_for(&self, scope: KeyScope, command: Command) -> Vec<String> {
        let chain = scope.chain();
        let mut keys: Vec<String> = Vec::new();
        for (i, s) in chain.iter().enumerate() {
            for (chord, c) in self.bindings.get(s).into_iter().flatten() {
                // A key an earlier scope binds to something else does not do `command` here
                // (in the detail, `q` goes back rather than quitting).
                let is_shadowed = chain[..i].iter().any(|e| self.is_bound(*e, chord));
                if *c == command && !is_shadowed {
                    keys.push(chord.iter().map(Key::label).collect::<Vec<_>>().join(" "));
                }
            }
        }
        keys.sort_by_key(String::len);
        keys
    }

    fn is_bound(&self, scope: KeyScope, chord: &[Key]) -> bool {
        self.bindings
            .get(&scope)
            .is_some_and(|b| b.iter().any(|(c, _)| c.as_slice() == chord))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEventKind;

    fn tables(pairs: &[(&str, &str, &str)]) -> BTreeMap<String, BTreeMap<String, String>> {
        let mut t: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
        for (s, k, v) in pairs {
            t.entry(s.to_string())
                .or_default()
                .insert(k.to_string(), v.to_string());
        }
        t
    }

    fn key(c: char) -> Key {
        Key::from_event(KeyEvent::new_with_kind(
            KeyCode::Char(c),
            KeyModifiers::NONE,
            KeyEventKind::Press,
        ))
        .unwrap()
    }

    #[test]
    fn chords_wait_for_their_second_key() {
        let km = Keymap::from_tables(&tables(&[
            ("alert_list", "g g", "top"),
            ("global", "q", "quit"),
        ]))
        .unwrap();
        assert_eq!(
            km.lookup(KeyScope::AlertList, &[key('g')]),
            KeyOutcome::Pending
        );
        assert_eq!(
            km.lookup(KeyScope::AlertList, &[key('g'), key('g')]),
            KeyOutcome::Command(Command::Top)
        );
        assert_eq!(
            km.lookup(KeyScope::AlertList, &[key('q')]),
            KeyOutcome::Command(Command::Quit)
        );
        assert_eq!(
            km.lookup(KeyScope::AlertList, &[key('z')]),
            KeyOutcome::Unbound
        );
    }

    #[test]
    fn scope_binding_wins_over_global() {
        let km = Keymap::from_tables(&tables(&[("detail", "q", "back"), ("global", "q", "quit")]))
            .unwrap();
        assert_eq!(
            km.lookup(KeyScope::Detail, &[key('q')]),
            KeyOutcome::Command(Command::Back)
        );
        assert_eq!(
            km.lookup(KeyScope::AlertList, &[key('q')]),
            KeyOutcome::Command(Command::Quit)
        );
        // The key bar and help offer only keys that do the thing where they are shown.
        assert!(km.keys_for(KeyScope::Detail, Command::Quit).is_empty());
        assert_eq!(km.keys_for(KeyScope::Detail, Command::Back), ["q"]);
        assert_eq!(km.keys_for(KeyScope::AlertList, Command::Quit), ["q"]);
    }

    #[test]
    fn ctrl_keys_parse_and_match() {
        let ev = KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL);
        assert_eq!(Key::from_event(ev), Key::parse("ctrl-c").ok());
        assert_eq!(Key::parse("ctrl-c").unwrap().label(), "ctrl-c");
    }

    #[test]
    fn bad_bindings_name_key_and_value() {
        let e = Keymap::from_tables(&tables(&[("alert_list", "x", "explode")])).unwrap_err();
        assert_eq!(e.key, "keys.alert_list.x");
        assert_eq!(e.value, "explode");
        let e = Keymap::from_tables(&tables(&[("alert_list", "ctrl-", "quit")])).unwrap_err();
        assert!(e.message.contains("not a key"), "{e:?}");
    }
}
