//! A report as tables of words and numbers: what the view draws beside its charts and what
//! `onduty insights` prints as text, Markdown or CSV — so a screen reader, a pipe and the
//! screen get the same facts. Every text from a back end is cleaned here.

use chrono::TimeDelta;

use super::load::{Hours, Load};
use super::report::{Before, Counted, Report, Row};
use super::stats::Spread;
use crate::model::sanitize;

/// A titled table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Table {
    /// What it is ("response by service").
    pub title: String,
    /// What to make of it ("candidates to tune or delete"), or "".
    pub note: String,
    /// The column headers.
    pub headers: Vec<&'static str>,
    /// The rows, cell by cell.
    pub rows: Vec<Vec<String>>,
}

impl Table {
    fn new(title: String, note: &str, headers: Vec<&'static str>) -> Table {
        Table {
            title,
            note: note.to_string(),
            headers,
            rows: Vec::new(),
        }
    }

    fn push(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }
}

/// Back-end text, one line, capped.
fn clean(s: &str, cap: usize) -> String {
    sanitize::line(s, cap)
}

/// A duration as a table shows it: "4m", "1h30m", "—" for none.
pub fn shown(d: Option<TimeDelta>) -> String {
    d.map_or("—".into(), crate::duration_fmt::remaining)
}

/// The change of a count against the period before: "+12%", "−40%", "new", "=".
pub fn change(now: usize, before: usize) -> String {
    match (now, before) {
        (0, 0) => "=".into(),
        (_, 0) => "new".into(),
        _ if now == before => "=".into(),
        _ => {
            let pct = (now as f64 - before as f64) * 100.0 / before as f64;
            format!("{}{:.0}%", if pct > 0.0 { "+" } else { "−" }, pct.abs())
        }
    }
}

/// The change of a median time: "(was 6m)", or "" when there was none.
pub fn was(before: Option<TimeDelta>) -> String {
    before.map_or(String::new(), |d| format!(" (was {})", shown(Some(d))))
}

/// A day-by-day count as a line of bars: "▁▃█▁" (the numbers go beside it).
pub fn sparkline(days: &[u64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    let max = days.iter().copied().max().unwrap_or(0).max(1);
    days.iter()
        .map(|&n| {
            if n == 0 {
                ' '
            } else {
                BARS[((n * 7) / max).min(7) as usize]
            }
        })
        .collect()
}

/// The fires of each day as numbers: "3 0 12 4".
pub fn days_listed(daily: &[u64]) -> String {
    daily
        .iter()
        .map(u64::to_string)
        .collect::<Vec<_>>()
        .join(" ")
}

fn three(s: &Spread) -> String {
    format!("{} {} {}", shown(s.median), shown(s.p90), shown(s.mean))
}

/// The whole period in words: fired (and the change), the medians (and what they were),
/// escalations, re-opened, resolved with nobody acknowledging.
pub fn summary(r: &Report) -> Vec<String> {
    let t = &r.total;
    let Before {
        fired,
        to_ack,
        to_resolve,
    } = t.before;
    let against = if fired == 0 {
        format!("none in the {} days before", r.days)
    } else {
        format!(
            "{} against the {} days before: {fired}",
            change(t.fired, fired),
            r.days
        )
    };
    vec![
        format!("{} fired ({against})", t.fired),
        format!(
            "to acknowledge: median {}{}, p90 {}, mean {} ({} acknowledged)",
            shown(t.to_ack.median),
            was(to_ack),
            shown(t.to_ack.p90),
            shown(t.to_ack.mean),
            t.to_ack.n
        ),
        format!(
            "to resolve: median {}{}, p90 {}, mean {} ({} resolved)",
            shown(t.to_resolve.median),
            was(to_resolve),
            shown(t.to_resolve.p90),
            shown(t.to_resolve.mean),
            t.to_resolve.n
        ),
        format!(
            "escalated: {} by timeout, {} by hand · re-opened within an hour: {} · incidents re-opened: {} · resolved with nobody acknowledging: {}",
            r.escalations_by_timeout,
            r.escalations_by_hand,
            r.reopened,
            r.incidents_reopened,
            t.unacked
        ),
    ]
}

/// The response figures per group.
pub fn response(r: &Report) -> Table {
    let mut table = Table::new(
        format!("response by {}, last {} days", r.by.name(), r.days),
        "times: median p90 mean",
        vec![
            "NAME",
            "FIRED",
            "CHANGE",
            "TO ACK",
            "TO RESOLVE",
            "UNACKED",
            "PER DAY",
        ],
    );
    for row in &r.rows {
        table.push(response_row(row));
    }
    table
}

fn response_row(row: &Row) -> Vec<String> {
    let max = row.daily.iter().copied().max().unwrap_or(0);
    vec![
        clean(&row.name, 60),
        row.fired.to_string(),
        change(row.fired, row.before.fired),
        three(&row.to_ack),
        three(&row.to_resolve),
        row.unacked.to_string(),
        format!("{} max {max}", sparkline(&row.daily)),
    ]
}

/// The load on each responder.
pub fn load(r: &Report) -> Table {
    let mut table = Table::new(
        format!("load per responder, last {} days", r.days),
        "b business 08–18 Mon–Fri · o off: evenings, weekends · s sleep 22–08 · in each one's zone",
        vec![
            "RESPONDER",
            "ZONE",
            "ON CALL h b/o/s",
            "PAGES b/o/s",
            "ACKS b/o/s",
            "BUSIEST NIGHTS",
        ],
    );
    for l in &r.load {
        table.push(load_row(l));
    }
    table
}

fn load_row(l: &Load) -> Vec<String> {
    let hours = l.on_call.map(|d| d.num_hours().to_string());
    let nights: Vec<String> = l
        .busiest_nights
        .iter()
        .map(|(d, n)| format!("{} ({n})", d.format("%a %d %b")))
        .collect();
    vec![
        clean(&l.who, 40),
        l.zone.name().to_string(),
        hours.join("/"),
        l.pages.map(|n| n.to_string()).join("/"),
        l.acks.map(|n| n.to_string()).join("/"),
        nights.join(", "),
    ]
}

/// The parts of the day, in the order the load's columns give them.
pub fn hours_names() -> [&'static str; 3] {
    Hours::ALL.map(Hours::name)
}

/// A noise list: each alert's count of `what` and its fires per day (and its fires, when
/// what is counted is not the fires themselves).
fn counted(title: String, note: &str, what: &'static str, list: &[Counted], days: i64) -> Table {
    let is_fires = what == "FIRES";
    let mut headers = vec!["ALERT", "SERVICE", what];
    if !is_fires {
        headers.push("FIRED");
    }
    headers.push("PER DAY");
    let mut table = Table::new(title, note, headers);
    for c in list {
        let mut cells = vec![clean(&c.title, 80), clean(&c.service, 40), c.n.to_string()];
        if !is_fires {
            cells.push(c.fired.to_string());
        }
        cells.push(format!("{:.1}", c.fired as f64 / days.max(1) as f64));
        table.push(cells);
    }
    table
}

/// The noise: noisiest, flapping, resolved with nobody acknowledging, silenced more than
/// fired — each a list of candidates to tune or delete.
pub fn noise(r: &Report) -> Vec<Table> {
    let mut flapping = Table::new(
        "flapping (fired and resolved within 10m, 3 times or more)".into(),
        "candidates for a `for:` clause or a wider threshold",
        vec!["ALERT", "SERVICE", "TIMES", "MEDIAN LIFE"],
    );
    for f in &r.flapping {
        flapping.push(vec![
            clean(&f.title, 80),
            clean(&f.service, 40),
            f.short_lived.to_string(),
            shown(f.median_life),
        ]);
    }
    vec![
        counted(
            "noisiest alerts".into(),
            "candidates to tune or delete",
            "FIRES",
            &r.noisiest,
            r.days,
        ),
        flapping,
        counted(
            "resolved with nobody acknowledging".into(),
            "candidates to tune or delete: nobody needed to act",
            "UNACKED",
            &r.unacked,
            r.days,
        ),
        counted(
            "silenced more than fired".into(),
            "candidates to tune or delete: a silence renewed again and again",
            "SILENCED",
            &r.over_silenced,
            r.days,
        ),
    ]
}

/// A back end's own analytics as a table, marked as its figures (not the journal's).
pub fn analytics(a: &super::analytics::Analytics) -> Table {
    let mut table = Table::new(
        format!(
            "from {}'s own analytics, {} to {}",
            clean(&a.source, 60),
            a.since.format("%Y-%m-%d"),
            a.until.format("%Y-%m-%d")
        ),
        "its figures, not the journal's: times mean p50 p90 · interruptions bus/off/sleep",
        vec![
            "SERVICE",
            "INCIDENTS",
            "TO ACK",
            "TO RESOLVE",
            "ESCALATED timeout/hand",
            "AUTO-RESOLVED",
            "INTERRUPTIONS",
        ],
    );
    let three = |t: &[Option<TimeDelta>; 3]| t.map(shown).join(" ");
    for f in std::iter::once(&a.total).chain(&a.services) {
        let name = if f.name.is_empty() { "(all)" } else { &f.name };
        table.push(vec![
            clean(name, 60),
            f.incidents.to_string(),
            three(&f.to_ack),
            three(&f.to_resolve),
            format!("{} / {}", f.escalated_by_timeout, f.escalated_by_hand),
            f.auto_resolved.to_string(),
            f.interruptions.map(|n| n.to_string()).join(" / "),
        ]);
    }
    table
}

/// A back end's slowest incidents to resolve, in words.
pub fn slowest(a: &super::analytics::Analytics) -> String {
    let each: Vec<String> = a
        .slowest
        .iter()
        .map(|s| {
            format!(
                "{} ({}) {}",
                clean(&s.id, 40),
                clean(&s.service, 40),
                shown(Some(s.to_resolve))
            )
        })
        .collect();
    format!(
        "slowest to resolve at {}: {}",
        clean(&a.source, 60),
        each.join(", ")
    )
}

/// Every table of the report, in the order they are printed.
pub fn all(r: &Report) -> Vec<Table> {
    let mut out = vec![response(r), load(r)];
    out.extend(noise(r));
    out
}

/// A table as aligned text (`fit` to each column's widest cell).
pub fn text(t: &Table) -> String {
    use crate::ui::text::{display_width, fit};
    let mut widths: Vec<usize> = t.headers.iter().map(|h| display_width(h)).collect();
    for row in &t.rows {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(display_width(c));
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, (c, w)) in cells.iter().zip(&widths).enumerate() {
            if i + 1 == cells.len() {
                out.push_str(c);
            } else {
                out.push_str(&fit(c, w + 2));
            }
        }
        out.trim_end().to_string()
    };
    let mut out = t.title.clone();
    if !t.note.is_empty() {
        out.push_str(&format!(" — {}", t.note));
    }
    out.push('\n');
    out.push_str(&line(t.headers.clone()));
    out.push('\n');
    for row in &t.rows {
        out.push_str(&line(row.iter().map(String::as_str).collect()));
        out.push('\n');
    }
    if t.rows.is_empty() {
        out.push_str("(none)\n");
    }
    out
}

/// A table as Markdown.
pub fn markdown(t: &Table) -> String {
    let cell = |c: &str| c.replace('|', "\\|");
    let mut out = format!("### {}\n\n", cell(&t.title));
    if !t.note.is_empty() {
        out.push_str(&format!("{}\n\n", cell(&t.note)));
    }
    out.push_str(&format!("| {} |\n", t.headers.join(" | ")));
    out.push_str(&format!("|{}\n", "---|".repeat(t.headers.len())));
    for row in &t.rows {
        let cells: Vec<String> = row.iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// A table as CSV rows, each prefixed by the table's title (one file holds them all).
pub fn csv(t: &Table) -> String {
    let field = |c: &str| {
        // A cell a spreadsheet would run as a formula is quoted as text.
        let c = if c.starts_with(['=', '+', '-', '@']) {
            format!("'{c}")
        } else {
            c.to_string()
        };
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c
        }
    };
    let mut out = String::new();
    let mut header = vec![field("TABLE")];
    header.extend(t.headers.iter().map(|h| field(h)));
    out.push_str(&header.join(","));
    out.push('\n');
    for row in &t.rows {
        let mut cells = vec![field(&t.title)];
        cells.extend(row.iter().map(|c| field(c)));
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_sparklines_and_csv_cells() {
        assert_eq!(change(12, 10), "+20%");
        assert_eq!(change(6, 10), "−40%");
        assert_eq!(change(3, 0), "new");
        assert_eq!(change(0, 0), "=");
        assert_eq!(sparkline(&[0, 1, 4, 8]), " ▁▄█");
        let mut t = Table::new("noise".into(), "", vec!["A", "B"]);
        t.push(vec!["=cmd()".into(), "a,\"b\"".into()]);
        assert_eq!(csv(&t), "TABLE,A,B\nnoise,'=cmd(),\"a,\"\"b\"\"\"\n");
        assert_eq!(markdown(&t).lines().nth(4), Some("| =cmd() | a,\"b\" |"));
    }
}
