//! Durations as responders read and type them: "45s", "12m", "2h", "3d", "1h30m".

use std::time::Duration;

use chrono::TimeDelta;

/// The coarse age shown in lists: "45s", "12m", "2h", "3d".
pub fn age(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 => format!("{}h", s / 3_600),
        // Fits the list's age column: "364d", then years.
        86_400..31_536_000 => format!("{}d", s / 86_400),
        _ => format!("{}y", s / 31_536_000),
    }
}

/// Time left, to the minute: "1h59m", "12m", "45s", "3d4h".
pub fn remaining(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    match s {
        0..60 => format!("{s}s"),
        60..3_600 => format!("{}m", s / 60),
        3_600..86_400 if (s / 60) % 60 == 0 => format!("{}h", s / 3_600),
        3_600..86_400 => format!("{}h{}m", s / 3_600, (s / 60) % 60),
        _ => format!("{}d{}h", s / 86_400, (s / 3_600) % 24),
    }
}

/// A countdown "08:12" (minutes:seconds), or "1:02:03" past an hour.
pub fn countdown(d: TimeDelta) -> String {
    let s = d.num_seconds().max(0);
    if s >= 3_600 {
        format!("{}:{:02}:{:02}", s / 3_600, (s / 60) % 60, s % 60)
    } else {
        format!("{:02}:{:02}", s / 60, s % 60)
    }
}

/// A duration the way it is typed: "2h", "1h30m", "45s".
pub fn short(d: Duration) -> String {
    let mut s = d.as_secs();
    if s == 0 {
        return "0s".into();
    }
    let mut out = String::new();
    for (unit, secs) in [("d", 86_400), ("h", 3_600), ("m", 60), ("s", 1)] {
        if s >= secs {
            out.push_str(&format!("{}{unit}", s / secs));
            s %= secs;
        }
    }
    out
}

/// Parses "90s", "30m", "2h", "1d", "1h30m", or a bare number of seconds.
pub fn parse(input: &str) -> Result<Duration, String> {
    let s = input.trim();
    if s.is_empty() {
        return Err("empty duration".into());
    }
    if let Ok(n) = s.parse::<u64>() {
        return Ok(Duration::from_secs(n));
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3_600,
            'd' => 86_400,
            'w' => 604_800,
            _ => return Err(format!("'{s}' is not a duration (use 30s, 15m, 2h, 1d)")),
        };
        let n: u64 = number
            .parse()
            .map_err(|_| format!("'{s}' is not a duration (use 30s, 15m, 2h, 1d)"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        return Err(format!("'{s}' is not a duration: '{number}' has no unit"));
    }
    Ok(Duration::from_secs(total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ages_round_down_to_one_unit() {
        assert_eq!(age(TimeDelta::seconds(45)), "45s");
        assert_eq!(age(TimeDelta::seconds(12 * 60 + 59)), "12m");
        assert_eq!(age(TimeDelta::hours(2)), "2h");
        assert_eq!(age(TimeDelta::days(3)), "3d");
        assert_eq!(age(TimeDelta::days(364)), "364d");
        assert_eq!(age(TimeDelta::days(4067)), "11y");
        assert_eq!(age(TimeDelta::seconds(-5)), "0s");
    }

    #[test]
    fn remaining_keeps_minutes_under_a_day() {
        assert_eq!(remaining(TimeDelta::seconds(7_199)), "1h59m");
        assert_eq!(remaining(TimeDelta::hours(2)), "2h");
        assert_eq!(remaining(TimeDelta::hours(27)), "1d3h");
        assert_eq!(remaining(TimeDelta::seconds(-3)), "0s");
    }

    #[test]
    fn countdowns() {
        assert_eq!(countdown(TimeDelta::seconds(492)), "08:12");
        assert_eq!(countdown(TimeDelta::seconds(3_723)), "1:02:03");
    }

    #[test]
    fn parses_and_prints_round_trip() {
        for s in ["30s", "15m", "2h", "1d", "1h30m"] {
            assert_eq!(short(parse(s).unwrap()), s);
        }
        assert_eq!(parse("90").unwrap(), Duration::from_secs(90));
        assert!(parse("2x").is_err());
        assert!(parse("h").is_err());
        assert!(parse("5").is_ok() && parse("5m3").is_err());
    }
}
