//! Times as back ends write them, read as one instant: RFC 3339, Jira's offset without a
//! colon (`+0000`), `YYYY-MM-DD HH:MM:SS[.fff]` with dashes, slashes or a `T` and no zone
//! (UTC: ServiceNow, Zenoss, SolarWinds, Uptime Kuma), and Unix seconds or milliseconds.

use chrono::{DateTime, NaiveDateTime, TimeZone, Utc};

/// The instant `s` names, if it is one of the forms above.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = DateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f%z") {
        return Some(t.with_timezone(&Utc));
    }
    for format in [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, format) {
            return Some(Utc.from_utc_datetime(&t));
        }
    }
    let n: f64 = s.parse().ok()?;
    if !n.is_finite() {
        return None;
    }
    // Milliseconds past the year 33658 in seconds: a larger number is milliseconds.
    let millis = if n.abs() >= 1e12 { n } else { n * 1000.0 };
    DateTime::from_timestamp_millis(millis as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_form_names_the_same_instant() {
        let want = Some("2026-12-05T10:00:00+00:00".to_string());
        for s in [
            "2026-12-05T10:00:00Z",
            "2026-12-05T10:00:00.000+0000",
            "2026-12-05T11:00:00.000+0100",
            "2026-12-05 10:00:00",
            "2026-12-05 10:00:00.000",
            "2026/12/05 10:00:00.000",
            "2026-12-05T10:00:00.0000000",
            "1796464800",
            "1796464800000",
            "1796464800.0",
        ] {
            assert_eq!(parse(s).map(|t| t.to_rfc3339()), want, "{s}");
        }
        for none in ["yesterday", "", "NaN", "inf"] {
            assert_eq!(parse(none), None, "{none}");
        }
    }
}
