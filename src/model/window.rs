//! Maintenance windows: a weekly recurrence (`sun 02:00-04:00`, in a time zone) until a
//! day, turned into the future silences Alertmanager keeps as pending. Each silence's
//! comment carries the window's tag (`[onduty window 7f3a #3 · sun 02:00-04:00 UTC]`), so
//! the set can be listed, extended and expired as one by anyone, with no state of onduty's.

use chrono::{DateTime, Datelike, NaiveDate, NaiveTime, TimeDelta, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

/// Most silences one window makes (two years of weekly windows).
pub const MAX_OCCURRENCES: usize = 104;

/// How a window's tag starts in a silence's comment.
const TAG: &str = " [onduty window ";

/// When a window recurs: days of the week, a start and an end time of day, a zone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Every {
    /// The days it starts on.
    pub days: Vec<Weekday>,
    /// When it starts.
    pub start: NaiveTime,
    /// When it ends (the next day when not after `start`).
    pub end: NaiveTime,
    /// The zone the times are in (UTC unless named).
    pub zone: Tz,
}

/// What a silence's comment says of the window it belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WindowTag {
    /// The window's id.
    pub id: String,
    /// Which occurrence (1 for the first).
    pub n: u32,
    /// Its recurrence, as written (`sun 02:00-04:00 UTC`).
    pub every: String,
    /// The comment without the tag.
    pub comment: String,
}

fn weekday(s: &str) -> Option<Vec<Weekday>> {
    let all = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];
    match s {
        "daily" | "day" => return Some(all.to_vec()),
        "weekdays" => return Some(all[..5].to_vec()),
        "weekends" => return Some(all[5..].to_vec()),
        _ => {}
    }
    let one = |d: &str| {
        let d = d.get(..3)?;
        all.iter()
            .copied()
            .find(|w| format!("{w}").eq_ignore_ascii_case(d))
    };
    s.split(',').map(one).collect()
}

impl Every {
    /// Reads `sun 02:00-04:00`, `mon,thu 22:00-01:00 Europe/Berlin`, `daily 03:00-03:30`.
    pub fn parse(text: &str) -> Result<Every, String> {
        let bad = |why: &str| format!("'{text}': {why} (as in 'sun 02:00-04:00 Europe/Berlin')");
        let mut words = text.split_whitespace();
        let days = words
            .next()
            .map(str::to_ascii_lowercase)
            .and_then(|d| weekday(&d))
            .ok_or_else(|| {
                bad("which days: mon…sun, comma separated, or daily/weekdays/weekends")
            })?;
        let (start, end) = words
            .next()
            .and_then(|t| t.split_once('-'))
            .and_then(|(a, b)| {
                let time = |s: &str| NaiveTime::parse_from_str(s, "%H:%M").ok();
                Some((time(a)?, time(b)?))
            })
            .ok_or_else(|| bad("a start and an end, HH:MM-HH:MM"))?;
        let zone = match words.next() {
            None => Tz::UTC,
            Some(z) => z
                .parse::<Tz>()
                .map_err(|_| bad(&format!("'{z}' is no time zone")))?,
        };
        if words.next().is_some() {
            return Err(bad("too many words"));
        }
        if start == end {
            return Err(bad("the window ends when it starts"));
        }
        Ok(Every {
            days,
            start,
            end,
            zone,
        })
    }

    /// The canonical text: `sun 02:00-04:00 UTC`.
    pub fn said(&self) -> String {
        let days: Vec<String> = self
            .days
            .iter()
            .map(|d| format!("{d}").to_ascii_lowercase())
            .collect();
        format!(
            "{} {}-{} {}",
            days.join(","),
            self.start.format("%H:%M"),
            self.end.format("%H:%M"),
            self.zone
        )
    }

    /// Every window that has not ended at `from` and starts on or before `until` (a day in
    /// the window's zone), at most `MAX_OCCURRENCES`, as start and end instants.
    pub fn occurrences(
        &self,
        from: DateTime<Utc>,
        until: NaiveDate,
    ) -> Vec<(DateTime<Utc>, DateTime<Utc>)> {
        let mut out = Vec::new();
        let mut day = from.with_timezone(&self.zone).date_naive() - TimeDelta::days(1);
        while day <= until && out.len() < MAX_OCCURRENCES {
            if self.days.contains(&day.weekday()) {
                let end_day = if self.end > self.start {
                    day
                } else {
                    day + TimeDelta::days(1)
                };
                let at = |d: NaiveDate, t: NaiveTime| {
                    self.zone
                        .from_local_datetime(&d.and_time(t))
                        .earliest()
                        .map(|x| x.with_timezone(&Utc))
                };
                if let (Some(s), Some(e)) = (at(day, self.start), at(end_day, self.end))
                    && e > from
                {
                    out.push((s.max(from), e));
                }
            }
            day += TimeDelta::days(1);
        }
        out
    }
}

/// How long a silence lasts, as typed in the editor's "for" field: `2h`, or a maintenance
/// window `every sun 02:00-04:00 until 2027-03-01`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Length {
    /// From now, this long.
    For(std::time::Duration),
    /// Every occurrence of `every` until the day `until`.
    Window {
        /// When.
        every: Every,
        /// The last day.
        until: NaiveDate,
    },
}

impl Length {
    /// Reads `2h` or `every SPEC until YYYY-MM-DD`.
    pub fn parse(text: &str) -> Result<Length, String> {
        let text = text.trim();
        let Some(spec) = text.strip_prefix("every ") else {
            return match crate::duration_fmt::parse(text)? {
                d if d.is_zero() => Err("a silence needs a length (30m, 2h, 1d)".into()),
                d => Ok(Length::For(d)),
            };
        };
        let (every, until) = spec
            .rsplit_once(" until ")
            .ok_or("a window needs its last day: every sun 02:00-04:00 until 2027-03-01")?;
        Ok(Length::Window {
            every: Every::parse(every)?,
            until: until_day(until)?,
        })
    }
}

/// Reads a window's last day, `YYYY-MM-DD`.
pub fn until_day(text: &str) -> Result<NaiveDate, String> {
    NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d")
        .map_err(|_| format!("'{text}' is no day: write YYYY-MM-DD"))
}

/// One silence of a window: when it starts, how long it lasts, its tagged comment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Its start.
    pub starts_at: DateTime<Utc>,
    /// Its length.
    pub duration: std::time::Duration,
    /// `comment` with the window's tag.
    pub comment: String,
}

/// The silences of window `id` recurring `every` from `from` until `until`, numbered from
/// `first`, each commented `comment` with the tag. Empty when no occurrence is left.
pub fn plan(
    every: &Every,
    (from, until): (DateTime<Utc>, NaiveDate),
    comment: &str,
    id: &str,
    first: u32,
) -> Vec<Planned> {
    let said = every.said();
    every
        .occurrences(from, until)
        .into_iter()
        .zip(first..)
        .map(|((starts_at, ends_at), n)| Planned {
            starts_at,
            duration: (ends_at - starts_at).to_std().unwrap_or_default(),
            comment: tagged(comment, id, n, &said),
        })
        .collect()
}

/// A new window id: 8 hex digits.
pub fn new_id() -> String {
    format!("{:08x}", fastrand::u32(..))
}

/// `comment` tagged as occurrence `n` of window `id` recurring `every`.
pub fn tagged(comment: &str, id: &str, n: u32, every: &str) -> String {
    format!("{comment}{TAG}{id} #{n} · {every}]")
}

impl WindowTag {
    /// The window a silence's comment belongs to, if it carries a tag.
    pub fn of(comment: &str) -> Option<WindowTag> {
        let at = comment.rfind(TAG)?;
        let inner = comment[at + TAG.len()..].strip_suffix(']')?;
        let (head, every) = inner.split_once(" · ")?;
        let (id, n) = head.split_once(" #")?;
        if id.is_empty() || !id.chars().all(|c| c.is_ascii_hexdigit()) {
            return None;
        }
        Some(WindowTag {
            id: id.to_string(),
            n: n.parse().ok()?,
            every: every.to_string(),
            comment: comment[..at].to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weekly_window_gives_one_silence_a_week_until_the_day_in_its_zone() {
        let every = Every::parse("sun 02:00-04:00").unwrap();
        assert_eq!(every.said(), "sun 02:00-04:00 UTC");
        let from: DateTime<Utc> = "2026-12-05T10:00:00Z".parse().unwrap(); // a Saturday
        let until = NaiveDate::from_ymd_opt(2027, 1, 24).unwrap();
        let all = every.occurrences(from, until);
        assert_eq!(all.len(), 8, "{all:?}");
        assert_eq!(all[0].0.to_rfc3339(), "2026-12-06T02:00:00+00:00");
        assert_eq!(all[7].1.to_rfc3339(), "2027-01-24T04:00:00+00:00");
        let berlin = Every::parse("SAT,Sun 22:00-01:00 Europe/Berlin").unwrap();
        let first = berlin.occurrences(from, until)[0];
        assert_eq!(
            first.0.to_rfc3339(),
            "2026-12-05T21:00:00+00:00",
            "22:00 CET"
        );
        assert_eq!(first.1 - first.0, TimeDelta::hours(3), "over midnight");
    }

    #[test]
    fn a_window_under_way_starts_now_and_bad_text_says_what_is_wrong() {
        let every = Every::parse("daily 09:00-11:00").unwrap();
        let from: DateTime<Utc> = "2026-12-05T10:00:00Z".parse().unwrap();
        let today = every.occurrences(from, from.date_naive());
        assert_eq!(today, vec![(from, "2026-12-05T11:00:00Z".parse().unwrap())]);
        for bad in [
            "",
            "sunday",
            "sun 2-4",
            "sun 02:00-02:00",
            "sun 02:00-04:00 Mars/Olympus",
        ] {
            assert!(Every::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_tag_is_read_back_from_a_comment_and_a_lookalike_is_not_one() {
        let c = tagged("patching", "0a1b2c3d", 3, "sun 02:00-04:00 UTC");
        let tag = WindowTag::of(&c).unwrap();
        assert_eq!((tag.id.as_str(), tag.n), ("0a1b2c3d", 3));
        assert_eq!(
            (tag.every.as_str(), tag.comment.as_str()),
            ("sun 02:00-04:00 UTC", "patching")
        );
        assert!(WindowTag::of("patching [onduty window zz #1 · x]").is_none());
        assert!(WindowTag::of("just a comment").is_none());
    }
}
