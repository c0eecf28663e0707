//! Sequences written to the terminal beside the frames, so that they reach the responder's
//! own terminal over SSH: OSC 52 (set the clipboard), OSC 9 and OSC 777 (show a
//! notification). Inside tmux (or screen) each is also sent wrapped for passthrough, for
//! tmux set ups where `set-clipboard` is off or the outer terminal must see it. What is
//! copied is base64 and what is notified is sanitized: nothing in either acts on the terminal.

use base64::Engine;

/// Where onduty runs, as far as the terminal's sequences go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Multiplexer {
    /// Straight to the terminal.
    None,
    /// Inside tmux (`$TMUX` set).
    Tmux,
    /// Inside GNU screen (`$STY` set).
    Screen,
}

impl Multiplexer {
    /// The one this process runs in.
    pub fn from_env() -> Multiplexer {
        let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
        if set("TMUX") {
            Multiplexer::Tmux
        } else if set("STY") {
            Multiplexer::Screen
        } else {
            Multiplexer::None
        }
    }
}

/// The bytes that put `text` on the terminal's clipboard.
pub fn clipboard(text: &str, via: Multiplexer) -> Vec<u8> {
    let payload = base64::engine::general_purpose::STANDARD.encode(text.as_bytes());
    wrapped(&format!("\x1b]52;c;{payload}\x07"), via)
}

/// A desktop notification the responder's own terminal shows (iTerm2, WezTerm, kitty,
/// Windows Terminal, foot…): OSC 9 with `text`, and OSC 777 with `title` and `text`
/// (rxvt, Konsole, foot, Ghostty). Terminals that know neither ignore them. The words are
/// made inert first: one line, no control or invisible character, no `;` (777's separator).
pub fn notification(title: &str, text: &str, via: Multiplexer) -> Vec<u8> {
    let inert = |s: &str, cap| crate::model::sanitize::line(s, cap).replace(';', ",");
    let (title, text) = (inert(title, 80), inert(text, 200));
    let mut out = wrapped(&format!("\x1b]9;{title}: {text}\x07"), via);
    out.extend(wrapped(&format!("\x1b]777;notify;{title};{text}\x07"), via));
    out
}

/// `plain` as it must go out from inside `via`.
fn wrapped(plain: &str, via: Multiplexer) -> Vec<u8> {
    match via {
        Multiplexer::None => plain.as_bytes().to_vec(),
        // tmux with `set-clipboard on` takes the plain one itself; with passthrough allowed
        // the wrapped one reaches the outer terminal. Either way the text is the same.
        Multiplexer::Tmux => format!(
            "{plain}\x1bPtmux;{}\x1b\\",
            plain.replace('\x1b', "\x1b\x1b")
        )
        .into_bytes(),
        Multiplexer::Screen => format!("\x1bP{plain}\x1b\\").into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clipboard_sequence_is_exact_and_wrapped_under_tmux() {
        assert_eq!(
            clipboard("kubectl get pods", Multiplexer::None),
            b"\x1b]52;c;a3ViZWN0bCBnZXQgcG9kcw==\x07"
        );
        assert_eq!(
            clipboard("hi", Multiplexer::Tmux),
            b"\x1b]52;c;aGk=\x07\x1bPtmux;\x1b\x1b]52;c;aGk=\x07\x1b\\"
        );
        assert_eq!(
            clipboard("hi", Multiplexer::Screen),
            b"\x1bP\x1b]52;c;aGk=\x07\x1b\\"
        );
    }

    #[test]
    fn notifications_are_exact_wrapped_under_tmux_and_inert() {
        assert_eq!(
            notification("CRIT CheckoutErrors", "5xx at 7%", Multiplexer::None),
            b"\x1b]9;CRIT CheckoutErrors: 5xx at 7%\x07\x1b]777;notify;CRIT CheckoutErrors;5xx at 7%\x07"
        );
        assert_eq!(
            notification("t", "b", Multiplexer::Tmux),
            b"\x1b]9;t: b\x07\x1bPtmux;\x1b\x1b]9;t: b\x07\x1b\\\x1b]777;notify;t;b\x07\x1bPtmux;\x1b\x1b]777;notify;t;b\x07\x1b\\"
        );
        let hostile = "a;b\x1b]52;c;ZXZpbA==\x07\u{9b}31m\u{202e}x\ny";
        let out = notification(hostile, hostile, Multiplexer::None);
        // Two sequences: two ESC and two BEL of their own, nothing else that steers.
        assert_eq!(out.iter().filter(|b| **b == 0x1b).count(), 2);
        assert_eq!(out.iter().filter(|b| **b == 0x07).count(), 2);
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('\u{9b}') && !text.contains('\u{202e}') && !text.contains('\n'));
        assert_eq!(
            text.matches(';').count(),
            4,
            "the sequences' own separators (1 + 3) only"
        );
    }

    #[test]
    fn copied_text_cannot_act_on_the_terminal() {
        let hostile = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u{9b}31m";
        let out = clipboard(hostile, Multiplexer::None);
        // One ESC (the sequence's own), one BEL (its end): the text is all base64.
        assert_eq!(out.iter().filter(|b| **b == 0x1b).count(), 1);
        assert_eq!(out.iter().filter(|b| **b == 0x07).count(), 1);
    }
}
