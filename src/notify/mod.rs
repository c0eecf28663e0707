//! Notifications that reach the engineer: `rules` decides when (in the app, pure), and the
//! channels here carry one out: the desktop (a local session, see `desktop`), the bell, and
//! OSC 9 / OSC 777 sequences that the engineer's own terminal shows across SSH and tmux.

pub mod desktop;
pub mod rules;

/// One notification, as the app decided it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Notification {
    /// The headline ("CRIT CheckoutErrors").
    pub title: String,
    /// The rest, one line.
    pub body: String,
    /// Whether the bell may ring with it (at most once in 10 s).
    pub is_ringing: bool,
}

/// Which channels carry notifications here.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Channels {
    /// A desktop notification (notify-rust).
    pub desktop: bool,
    /// The terminal bell.
    pub bell: bool,
    /// OSC 9 and OSC 777.
    pub osc: bool,
}

impl Channels {
    /// The channels `names` asks for; `auto` is the desktop where there is a session, the
    /// bell, and the OSC sequences where a desktop notification would not reach the
    /// engineer (over SSH, inside tmux or screen).
    pub fn from_names(names: &[String], has_desktop: bool, is_remote: bool) -> Channels {
        let mut c = Channels::default();
        for name in names {
            match name.as_str() {
                "auto" => {
                    c.desktop |= has_desktop;
                    c.bell = true;
                    c.osc |= is_remote;
                }
                "desktop" => c.desktop = true,
                "bell" => c.bell = true,
                "osc" => c.osc = true,
                _ => {}
            }
        }
        if names.iter().any(|n| n == "none") {
            return Channels::default();
        }
        c
    }

    /// The channels `names` asks for, as this process sees its environment.
    pub fn from_env(names: &[String]) -> Channels {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        let is_remote = ["SSH_CONNECTION", "SSH_TTY", "TMUX", "STY"]
            .iter()
            .any(|k| set(k));
        Channels::from_names(names, desktop::has_desktop_session(), is_remote)
    }

    /// The bytes the terminal channels write for `n` (nothing when they are off).
    pub fn terminal_bytes(
        &self,
        n: &Notification,
        via: crate::terminal::osc::Multiplexer,
    ) -> Vec<u8> {
        let mut out = Vec::new();
        if self.osc {
            out.extend(crate::terminal::osc::notification(&n.title, &n.body, via));
        }
        if self.bell && n.is_ringing {
            out.push(0x07);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(n: &[&str]) -> Vec<String> {
        n.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn auto_takes_what_reaches_the_engineer_where_onduty_runs() {
        let auto = names(&["auto"]);
        let at_desk = Channels::from_names(&auto, true, false);
        assert_eq!(
            (at_desk.desktop, at_desk.bell, at_desk.osc),
            (true, true, false)
        );
        let over_ssh = Channels::from_names(&auto, false, true);
        assert_eq!(
            (over_ssh.desktop, over_ssh.bell, over_ssh.osc),
            (false, true, true)
        );
        assert_eq!(
            Channels::from_names(&names(&["auto", "none"]), true, true),
            Channels::default()
        );
        let chosen = Channels::from_names(&names(&["osc"]), true, false);
        assert_eq!(
            (chosen.desktop, chosen.bell, chosen.osc),
            (false, false, true)
        );
    }

    #[test]
    fn the_bell_rings_only_when_allowed_and_osc_only_when_on() {
        let n = Notification {
            title: "CRIT X".into(),
            body: "y".into(),
            is_ringing: false,
        };
        let bell_only = Channels {
            bell: true,
            ..Channels::default()
        };
        assert!(
            bell_only
                .terminal_bytes(&n, crate::terminal::osc::Multiplexer::None)
                .is_empty()
        );
        let ringing = Notification {
            is_ringing: true,
            ..n.clone()
        };
        assert_eq!(
            bell_only.terminal_bytes(&ringing, crate::terminal::osc::Multiplexer::None),
            [0x07]
        );
        let osc = Channels {
            osc: true,
            ..Channels::default()
        };
        let bytes = osc.terminal_bytes(&n, crate::terminal::osc::Multiplexer::None);
        assert!(bytes.starts_with(b"\x1b]9;CRIT X: y\x07"));
    }
}
