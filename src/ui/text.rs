//! Fitting text into cells by display width (wide characters count twice) and the time
//! formats every view shares. The one audited place where a raw cell write would be allowed
//! (clippy.toml forbids them elsewhere): none is needed today; every view draws through
//! widgets, which drop control characters, and everything drawn was sanitized on its way in.

use chrono::{DateTime, Local, Utc};
use unicode_width::UnicodeWidthChar;

use crate::config::ClockZone;

/// Text laid on one line: line breaks become spaces, and past `cap` characters it is cut, the
/// cut marked `…` (within the cap). Layout only: what reaches a view was sanitized when its
/// model value was built (alerts, journal entries and incidents, errors, toasts).
pub fn one_line(text: &str, cap: usize) -> String {
    let mut out: String = text
        .chars()
        .take(cap)
        .map(|c| if c == '\n' { ' ' } else { c })
        .collect();
    if cap > 0 && text.chars().nth(cap).is_some() {
        out.pop();
        out.push('…');
    }
    out
}

/// `s` cut to `width` columns with `…` when it did not fit, then padded with spaces.
pub fn fit(s: &str, width: usize) -> String {
    let mut out = cut(s, width);
    let used = display_width(&out);
    out.extend(std::iter::repeat_n(' ', width.saturating_sub(used)));
    out
}

/// `s` cut to at most `width` columns, ending in `…` when cut.
pub fn cut(s: &str, width: usize) -> String {
    if display_width(s) <= width {
        return s.to_string();
    }
    let mut out = String::new();
    let mut used = 0;
    for c in s.chars() {
        let w = c.width().unwrap_or(0);
        if used + w + 1 > width {
            break;
        }
        out.push(c);
        used += w;
    }
    if width > 0 {
        out.push('…');
    }
    out
}

/// `line` word-wrapped to `width` columns, every piece led by `indent` (a word longer than
/// a row is cut across rows): wrapped prose keeps its indent, which the pane's own wrapping
/// would lose.
pub fn wrap_indented(line: &str, width: usize, indent: &str) -> Vec<String> {
    let room = width.saturating_sub(display_width(indent)).max(8);
    let mut rows = Vec::new();
    let mut row = String::new();
    let mut used = 0;
    for word in line.split(' ') {
        let w = display_width(word);
        if used > 0 && used + 1 + w > room {
            rows.push(std::mem::take(&mut row));
            used = 0;
        }
        if used > 0 {
            row.push(' ');
            used += 1;
        }
        for c in word.chars() {
            let cw = c.width().unwrap_or(0);
            if used + cw > room && used > 0 {
                rows.push(std::mem::take(&mut row));
                used = 0;
            }
            row.push(c);
            used += cw;
        }
    }
    rows.push(row);
    rows.into_iter().map(|r| format!("{indent}{r}")).collect()
}

/// Columns `s` takes on screen.
pub fn display_width(s: &str) -> usize {
    s.chars().map(|c| c.width().unwrap_or(0)).sum()
}

/// A clock time in the chosen zone: "14:02 UTC" or "15:02".
pub fn clock(at: DateTime<Utc>, zone: ClockZone, with_seconds: bool) -> String {
    let fmt = if with_seconds { "%H:%M:%S" } else { "%H:%M" };
    match zone {
        ClockZone::Utc => format!("{} UTC", at.format(fmt)),
        ClockZone::Local => format!("{} local", at.with_timezone(&Local).format(fmt)),
    }
}

/// A date and time in the chosen zone: "Mon 09:00 UTC".
pub fn day_time(at: DateTime<Utc>, zone: ClockZone) -> String {
    match zone {
        ClockZone::Utc => format!("{} UTC", at.format("%a %H:%M")),
        ClockZone::Local => format!("{} local", at.with_timezone(&Local).format("%a %H:%M")),
    }
}

/// A date and time in the chosen zone, for a history longer than a week: "Mon 07 Dec
/// 09:00 UTC".
pub fn date_time(at: DateTime<Utc>, zone: ClockZone) -> String {
    const FORMAT: &str = "%a %d %b %H:%M";
    match zone {
        ClockZone::Utc => format!("{} UTC", at.format(FORMAT)),
        ClockZone::Local => format!("{} local", at.with_timezone(&Local).format(FORMAT)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_lays_lines_side_by_side_and_cuts_within_the_cap() {
        assert_eq!(one_line("a\nb", 10), "a b");
        assert_eq!(one_line("abcdef", 4), "abc…");
        assert_eq!(one_line("abcd", 4), "abcd");
        assert_eq!(one_line("abc", 0), "");
        // The same layout as the sanitizer's, on text it already cleaned.
        let clean = crate::model::sanitize::text("ab\ncdé fgh", 1000);
        for cap in 0..12 {
            assert_eq!(
                one_line(&clean, cap),
                crate::model::sanitize::line(&clean, cap),
                "{cap}"
            );
        }
    }

    #[test]
    fn wrapped_prose_keeps_its_indent() {
        assert_eq!(
            wrap_indented("the quick brown fox jumps over", 14, "  "),
            ["  the quick", "  brown fox", "  jumps over"]
        );
        assert_eq!(
            wrap_indented("abcdefghijklmnopqrst", 12, "  "),
            ["  abcdefghij", "  klmnopqrst"]
        );
        assert_eq!(wrap_indented("", 12, "  "), ["  "]);
    }

    #[test]
    fn fit_cuts_and_pads_by_display_width() {
        assert_eq!(fit("abc", 5), "abc  ");
        assert_eq!(fit("abcdef", 4), "abc…");
        assert_eq!(fit("支付服务", 5), "支付…");
        assert_eq!(fit("支付服务", 6), "支付… ");
        assert_eq!(display_width(&fit("支付服务", 5)), 5);
        assert_eq!(fit("x", 0), "");
    }
}
