//! Sequences written to the terminal beside the frames, so that they reach the responder's
//! own terminal over SSH: OSC 52 (set the clipboard). Inside tmux (or screen) the sequence
//! is also sent wrapped for passthrough, for tmux set ups where `set-clipboard` is off.
//! What is copied is base64: nothing in it can act on the terminal.

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
    let plain = format!("\x1b]52;c;{payload}\x07");
    match via {
        Multiplexer::None => plain.into_bytes(),
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
    fn copied_text_cannot_act_on_the_terminal() {
        let hostile = "\x1b]52;c;ZXZpbA==\x07\x1b[2J\u{9b}31m";
        let out = clipboard(hostile, Multiplexer::None);
        // One ESC (the sequence's own), one BEL (its end): the text is all base64.
        assert_eq!(out.iter().filter(|b| **b == 0x1b).count(), 1);
        assert_eq!(out.iter().filter(|b| **b == 0x07).count(), 1);
    }
}
