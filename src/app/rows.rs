//! The alert list's rows: every source's alerts merged (one row per alert however many
//! instances report it), sorted and grouped once per data change, then filtered per
//! keystroke without sorting again. Built in `update`, never in the view.

use std::cmp::Reverse;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;

use crate::config::{GroupBy, SortKey};
use crate::model::{Alert, AlertKey, Severity};

/// Where an alert lives: its source's index and its index in that source's snapshot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct AlertRef {
    /// Index into `App::sources`.
    pub source: u16,
    /// Index into that source's alerts.
    pub index: u32,
}

impl AlertRef {
    /// The selected alert that left its source (`App::gone`): kept on screen, resolved, where
    /// it was, so that nothing but the responder moves the selection.
    pub const GONE: AlertRef = AlertRef {
        source: u16::MAX,
        index: u32::MAX,
    };
}

/// One row of the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Row {
    /// A group header with the number of alerts under it.
    Group {
        /// What the group is (a service, a source, a severity).
        label: String,
        /// How many alerts it holds.
        count: usize,
    },
    /// An alert.
    Alert(AlertRef),
}

/// Every alert of `lists` (one per source, in config order) with its reference.
pub fn enumerate<'a>(
    lists: impl Iterator<Item = &'a [Alert]>,
) -> impl Iterator<Item = (AlertRef, &'a Alert)> {
    lists.enumerate().flat_map(|(s, alerts)| {
        alerts.iter().enumerate().map(move |(i, a)| {
            (
                AlertRef {
                    source: s as u16,
                    index: i as u32,
                },
                a,
            )
        })
    })
}

/// Orders every alert once per change of the data, sort or grouping: one per fingerprint
/// (see `dedup`), groups leading with their most severe open alert, then the sort key.
/// Filtering (per keystroke) then only walks this order; it never sorts.
pub fn order<'a>(
    alerts: impl Iterator<Item = (AlertRef, &'a Alert)>,
    sort: SortKey,
    group: GroupBy,
) -> (Vec<AlertRef>, Duplicates) {
    let (kept, duplicates) = dedup(alerts);
    let mut rank: FxHashMap<&str, (bool, Severity)> = FxHashMap::default();
    for (_, a) in &kept {
        let key = (!a.status.is_open(), a.severity);
        rank.entry(group_label(group, a))
            .and_modify(|r| *r = (*r).min(key))
            .or_insert(key);
    }
    // Each alert's sort key is computed once: the sort compares keys ~n log n times, and
    // looking ranks up inside the comparison cost 200 ms per refresh at 100k alerts.
    // Groups in order (most severe first, then by name) get an index; comparing indexes
    // instead of labels keeps string comparisons out of the sort.
    let mut groups: Vec<(&(bool, Severity), &&str)> = rank.iter().map(|(l, r)| (r, l)).collect();
    groups.sort_unstable();
    let index: FxHashMap<&str, u32> = groups
        .iter()
        .enumerate()
        .map(|(i, (_, l))| (**l, i as u32))
        .collect();
    let mut keyed: Vec<(SortKeyOf<'_>, AlertRef)> = kept
        .iter()
        .map(|(r, a)| {
            let group_index = index
                .get(group_label(group, a))
                .copied()
                .unwrap_or(u32::MAX);
            ((group_index, sort_key(sort, a)), *r)
        })
        .collect();
    keyed.sort_unstable_by(|x, y| x.0.cmp(&y.0));
    (keyed.into_iter().map(|(_, r)| r).collect(), duplicates)
}

/// The list rows for `matched` (already in order), with a header before each group.
pub fn grouped<'a>(
    matched: &[AlertRef],
    group: GroupBy,
    alert: impl Fn(AlertRef) -> Option<&'a Alert>,
) -> Vec<Row> {
    if group == GroupBy::None {
        return matched.iter().map(|r| Row::Alert(*r)).collect();
    }
    let mut rows = Vec::with_capacity(matched.len() + 16);
    let mut i = 0;
    while i < matched.len() {
        let label = alert(matched[i]).map_or("", |a| group_label(group, a));
        let end = matched[i..]
            .iter()
            .position(|r| alert(*r).map_or("", |a| group_label(group, a)) != label)
            .map_or(matched.len(), |n| i + n);
        rows.push(Row::Group {
            label: label.to_string(),
            count: end - i,
        });
        rows.extend(matched[i..end].iter().map(|r| Row::Alert(*r)));
        i = end;
    }
    rows
}

/// For an alert shown in the list, the other instances that report the same alert.
pub type Duplicates = FxHashMap<AlertKey, Vec<AlertRef>>;

/// Keeps one row per fingerprint: the same alert from several Alertmanagers (an HA pair, or
/// one rule sent to two clusters) is one row; the first source in config order leads and
/// the others are listed in `Duplicates`.
fn dedup<'a>(
    alerts: impl Iterator<Item = (AlertRef, &'a Alert)>,
) -> (Vec<(AlertRef, &'a Alert)>, Duplicates) {
    let alerts = alerts.into_iter();
    let mut kept: Vec<(AlertRef, &Alert)> = Vec::with_capacity(alerts.size_hint().0);
    let mut first: FxHashMap<&str, usize> = FxHashMap::default();
    first.reserve(alerts.size_hint().0);
    let mut duplicates = Duplicates::default();
    for (r, a) in alerts {
        match a.fingerprint.as_deref().map(|f| (f, first.get(f).copied())) {
            Some((_, Some(i))) => duplicates.entry(kept[i].1.key.clone()).or_default().push(r),
            Some((f, None)) => {
                first.insert(f, kept.len());
                kept.push((r, a));
            }
            None => kept.push((r, a)),
        }
    }
    (kept, duplicates)
}

fn group_label(group: GroupBy, a: &Alert) -> &str {
    match group {
        GroupBy::None => "",
        GroupBy::Service if a.service.is_empty() => "(no service)",
        GroupBy::Service => &a.service,
        GroupBy::Source => &a.source.0,
        GroupBy::Severity => a.severity.name(),
    }
}

/// An alert's place in the list: its group's index, then `sort_key`.
type SortKeyOf<'a> = (u32, AlertOrder<'a>);

/// Within a group: open alerts before resolved ones, then the chosen key, then newest
/// first, then the alert key (so the order is total and stable across refreshes).
type AlertOrder<'a> = (bool, Primary<'a>, Reverse<DateTime<Utc>>, &'a str);

/// The chosen sort key's value.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Primary<'a> {
    None,
    Severity(Severity),
    Text(&'a str),
}

fn sort_key(sort: SortKey, a: &Alert) -> AlertOrder<'_> {
    let primary = match sort {
        SortKey::Severity => Primary::Severity(a.severity),
        SortKey::Age => Primary::None,
        SortKey::Source => Primary::Text(&a.source.0),
        SortKey::Service => Primary::Text(&a.service),
    };
    (
        !a.status.is_open(),
        primary,
        Reverse(a.started_at),
        &a.key.0,
    )
}

/// The next sort order in the cycle.
pub fn next_sort(sort: SortKey) -> SortKey {
    match sort {
        SortKey::Severity => SortKey::Age,
        SortKey::Age => SortKey::Source,
        SortKey::Source => SortKey::Service,
        SortKey::Service => SortKey::Severity,
    }
}

/// The next grouping in the cycle.
pub fn next_group(group: GroupBy) -> GroupBy {
    match group {
        GroupBy::None => GroupBy::Service,
        GroupBy::Service => GroupBy::Source,
        GroupBy::Source => GroupBy::Severity,
        GroupBy::Severity => GroupBy::None,
    }
}

/// The name of a sort key, as shown and typed.
pub fn sort_name(sort: SortKey) -> &'static str {
    match sort {
        SortKey::Severity => "severity",
        SortKey::Age => "age",
        SortKey::Source => "source",
        SortKey::Service => "service",
    }
}

/// The name of a grouping, as shown and typed.
pub fn group_name(group: GroupBy) -> &'static str {
    match group {
        GroupBy::None => "none",
        GroupBy::Service => "service",
        GroupBy::Source => "source",
        GroupBy::Severity => "severity",
    }
}
