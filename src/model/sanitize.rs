//! Sanitizing of text that came from outside (back ends, config): the one place that decides
//! which characters may reach the terminal. Model constructors call it; nothing else needs to.
//!
//! Removed: whole escape sequences (CSI, OSC, DCS, SOS, PM, APC, in 7-bit and 8-bit forms, also
//! when unterminated), other C0/C1 controls and DEL, bidi embedding/override/isolate marks,
//! zero-width characters and Unicode tag characters. Tabs become a space. Runs of combining
//! marks are capped so one letter cannot grow a tower. Fields are capped with a visible `…`.

use unicode_width::UnicodeWidthChar;

/// Longest title kept, in characters.
pub const TITLE_CAP: usize = 512;
/// Longest label key or value kept, in characters.
pub const LABEL_CAP: usize = 1024;
/// Longest description/annotation kept, in characters.
pub const TEXT_CAP: usize = 64 * 1024;
/// Most zero-width (combining) characters kept after one base character.
const COMBINING_CAP: usize = 3;
/// Marker for a control character that was replaced.
const REPLACEMENT: char = '\u{FFFD}';
const ELLIPSIS: char = '…';

/// Whether the text may keep line breaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lines {
    /// A single line: line breaks become spaces.
    Single,
    /// Multi-line text: `\n` is kept, `\r\n` and lone `\r` become `\n`.
    Multi,
}

/// Sanitizes a one-line field (title, label) and caps it at `cap` characters.
pub fn line(input: &str, cap: usize) -> String {
    clean(input, Lines::Single, cap)
}

/// Sanitizes multi-line text (description, note) and caps it at `cap` characters.
pub fn text(input: &str, cap: usize) -> String {
    clean(input, Lines::Multi, cap)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    Ground,
    /// Just after ESC.
    Escape,
    /// Inside a CSI: parameters until a final byte 0x40..=0x7E.
    Csi,
    /// Inside a string sequence (OSC, DCS, SOS, PM, APC) until ST or BEL.
    Str,
    /// Inside a string sequence, just after ESC (a `\` ends it).
    StrEscape,
}

/// Sanitizes `input`: see the module doc.
pub fn clean(input: &str, lines: Lines, cap: usize) -> String {
    if is_clean(input, cap) {
        return input.to_owned();
    }
    let mut out = String::with_capacity(input.len().min(cap.saturating_mul(4)));
    let mut kept = 0usize;
    let mut combining = 0usize;
    let mut state = State::Ground;
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        if state != State::Ground {
            state = next_in_sequence(state, c, &mut chars);
            continue;
        }
        let kept_char = match c {
            '\u{1b}' => {
                state = State::Escape;
                continue;
            }
            '\u{9b}' => {
                state = State::Csi;
                continue;
            }
            '\u{90}' | '\u{98}' | '\u{9d}' | '\u{9e}' | '\u{9f}' => {
                state = State::Str;
                continue;
            }
            '\t' => ' ',
            '\r' if chars.peek() == Some(&'\n') => continue,
            '\r' | '\n' => newline(lines),
            c if is_invisible(c) => continue,
            c if c.is_control() => REPLACEMENT,
            c => c,
        };
        if kept_char != '\n' && kept_char.width() == Some(0) {
            combining += 1;
            if combining > COMBINING_CAP {
                continue;
            }
        } else {
            combining = 0;
        }
        if kept == cap {
            // Keep the result within the cap, ellipsis included (no room for one at 0).
            if out.pop().is_some() {
                out.push(ELLIPSIS);
            }
            return out;
        }
        out.push(kept_char);
        kept += 1;
    }
    out
}

/// Whether `input` needs no change: short printable ASCII, as most text is.
pub fn is_clean(input: &str, cap: usize) -> bool {
    input.len() <= cap && input.bytes().all(|b| (0x20..0x7f).contains(&b))
}

/// Advances the escape-sequence state machine by one character that is swallowed.
fn next_in_sequence(
    state: State,
    c: char,
    chars: &mut std::iter::Peekable<std::str::Chars<'_>>,
) -> State {
    match state {
        State::Ground => State::Ground,
        State::Escape => match c {
            '[' => State::Csi,
            ']' | 'P' | 'X' | '^' | '_' => State::Str,
            // ESC + intermediate byte: a three-character sequence such as `ESC ( B`.
            ' '..='/' => {
                chars.next();
                State::Ground
            }
            _ => State::Ground,
        },
        State::Csi if ('\u{40}'..='\u{7e}').contains(&c) => State::Ground,
        State::Csi => State::Csi,
        State::Str => match c {
            '\u{07}' | '\u{9c}' => State::Ground,
            '\u{1b}' => State::StrEscape,
            _ => State::Str,
        },
        State::StrEscape if c == '\\' => State::Ground,
        State::StrEscape => State::Str,
    }
}

fn newline(lines: Lines) -> char {
    match lines {
        Lines::Single => ' ',
        Lines::Multi => '\n',
    }
}

/// Characters that change how text is ordered or joined without being seen: bidi controls,
/// zero-width characters, the BOM, tag characters and other invisible format characters.
pub fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}'                  // soft hyphen
        | '\u{061C}'                // arabic letter mark
        | '\u{115F}' | '\u{1160}'   // hangul fillers
        | '\u{180E}'                // mongolian vowel separator
        | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
        | '\u{202A}'..='\u{202E}'   // bidi embeddings and overrides
        | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
        | '\u{3164}'                // hangul filler
        | '\u{FEFF}'                // BOM / zero-width no-break space
        | '\u{FFA0}'                // halfwidth hangul filler
        | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
        | '\u{E0000}'..='\u{E007F}' // tag characters
    )
}

/// Whether `c` may never be written to the terminal from outside text.
pub fn is_forbidden(c: char) -> bool {
    (c.is_control() && c != '\n') || is_invisible(c)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn printable_ascii_is_unchanged() {
        assert_eq!(
            line("HighLatency on api-7 (p99 > 2s)", 512),
            "HighLatency on api-7 (p99 > 2s)"
        );
    }

    #[test]
    fn csi_sequences_are_removed_whole() {
        assert_eq!(line("a\u{1b}[31;1mred\u{1b}[0m b", 100), "ared b");
        assert_eq!(line("x\u{9b}2Jy", 100), "xy");
    }

    #[test]
    fn osc_title_clipboard_and_links_are_removed() {
        assert_eq!(line("a\u{1b}]0;pwned\u{7}b", 100), "ab");
        assert_eq!(line("a\u{1b}]52;c;ZXZpbA==\u{1b}\\b", 100), "ab");
        assert_eq!(
            line("\u{1b}]8;;http://evil\u{1b}\\click\u{1b}]8;;\u{1b}\\", 100),
            "click"
        );
        assert_eq!(line("a\u{9d}0;t\u{9c}b", 100), "ab");
    }

    #[test]
    fn dcs_apc_pm_sos_are_removed() {
        assert_eq!(
            line("a\u{1b}Ptmux;\u{1b}\u{1b}]0;x\u{7}\u{1b}\\b", 100),
            "ab"
        );
        assert_eq!(
            line(
                "a\u{1b}_apc\u{1b}\\b\u{1b}^pm\u{1b}\\c\u{1b}Xsos\u{1b}\\d",
                100
            ),
            "abcd"
        );
    }

    #[test]
    fn unterminated_sequence_swallows_the_rest_of_the_field() {
        assert_eq!(line("ok\u{1b}]0;never ends", 100), "ok");
    }

    #[test]
    fn lone_controls_become_a_marker_and_tabs_a_space() {
        assert_eq!(
            line("a\u{7}b\u{0}c\u{7f}d\te", 100),
            "a\u{FFFD}b\u{FFFD}c\u{FFFD}d e"
        );
        assert_eq!(line("a\u{85}b", 100), "a\u{FFFD}b");
    }

    #[test]
    fn newlines_depend_on_the_field() {
        assert_eq!(line("one\ntwo\r\nthree", 100), "one two three");
        assert_eq!(
            text("one\ntwo\r\nthree\rfour", 100),
            "one\ntwo\nthree\nfour"
        );
    }

    #[test]
    fn bidi_zero_width_and_tags_are_removed() {
        assert_eq!(line("abc\u{202E}fed\u{202C}", 100), "abcfed");
        assert_eq!(line("a\u{2067}b\u{2069}c", 100), "abc");
        assert_eq!(line("p\u{200B}a\u{200D}y\u{FEFF}", 100), "pay");
        assert_eq!(line("x\u{E0041}\u{E007F}y", 100), "xy");
    }

    #[test]
    fn wide_characters_are_kept() {
        assert_eq!(line("支付 🔥 ok", 100), "支付 🔥 ok");
    }

    #[test]
    fn combining_towers_are_capped() {
        let tower = format!("e{}", "\u{301}".repeat(1000));
        assert_eq!(line(&tower, 100).chars().count(), 1 + COMBINING_CAP);
    }

    #[test]
    fn long_fields_are_capped_with_an_ellipsis() {
        let s = line(&"x".repeat(600), TITLE_CAP);
        assert_eq!(s.chars().count(), TITLE_CAP);
        assert!(s.ends_with('…'));
        assert_eq!(line(&"x".repeat(512), TITLE_CAP), "x".repeat(512));
    }

    proptest! {
        #[test]
        fn output_never_has_a_forbidden_character(s in any::<String>()) {
            let out = line(&s, 64);
            prop_assert!(!out.chars().any(is_forbidden));
            prop_assert!(!out.contains('\n'));
            prop_assert!(out.chars().count() <= 64);
        }

        #[test]
        fn sanitizing_is_idempotent(s in "\\PC*|[\\x00-\\x20\\x7f-\\u{a0}\\u{202a}-\\u{202e}a-z]*") {
            let once = text(&s, 4096);
            prop_assert_eq!(text(&once, 4096), once.clone());
            prop_assert!(!once.chars().any(is_forbidden));
        }

        #[test]
        fn escape_soup_at_any_cap_is_clean_capped_and_stable(
            s in prop_oneof![any::<String>(), ESCAPE_SOUP],
            cap in 0usize..300,
            multi in any::<bool>(),
        ) {
            let lines = if multi { Lines::Multi } else { Lines::Single };
            let out = clean(&s, lines, cap);
            prop_assert!(!out.chars().any(is_forbidden), "{out:?}");
            prop_assert!(multi || !out.contains('\n'));
            prop_assert!(!out.contains('\r'));
            prop_assert!(out.chars().count() <= cap, "{} > {cap}", out.chars().count());
            prop_assert!(longest_combining_run(&out) <= COMBINING_CAP);
            prop_assert_eq!(clean(&out, lines, cap), out.clone());
        }

        #[test]
        fn printable_ascii_within_the_cap_is_unchanged(s in "[ -~]{0,300}", extra in 0usize..10) {
            let cap = s.len() + extra;
            prop_assert_eq!(line(&s, cap), s.clone());
            prop_assert_eq!(text(&s, cap), s);
        }
    }

    /// Text made mostly of escape-sequence parts, bidi, zero-width, tag and combining
    /// characters: far likelier than arbitrary strings to reach the sequence states.
    const ESCAPE_SOUP: &str = "[\\x1b\\x07\\x9b\\x9c\\x9d\\x90\\x98\\x9e\\x9f\\\\\\[\\]P^_X;0-9a-z\\u{202e}\\u{2066}\\u{200b}\\u{feff}\\u{301}\\u{e0041}\\n\\r\\t 漢]{0,200}";

    fn longest_combining_run(s: &str) -> usize {
        let mut run = 0;
        let mut longest = 0;
        for c in s.chars() {
            run = if c.width() == Some(0) { run + 1 } else { 0 };
            longest = longest.max(run);
        }
        longest
    }
}
