//! The last known picture: each source's last good alerts, kept so that startup shows them
//! at once, marked stale with their age, before the first poll returns.
//!
//! Stored as a string table and rows of indices into it, encoded with postcard: ten
//! thousand alerts repeat the same label names, values and descriptions, so each distinct
//! string is stored, read and cleaned once, and nothing is parsed as text (a quarter of the
//! size of the alerts as JSON objects, and what puts a cached 100k estate on screen within
//! the startup target). Rows are rebuilt through
//! `AlertDraft::build_shared` with the table's indices as string handles, so what comes back from the journal (shared, on PostgreSQL,
//! with other people's processes) is sanitized like anything a source sends, and a row
//! naming a string that is not there is an error, not a panic.

use std::borrow::Cow;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use rustc_hash::FxHashMap;
use serde::{Deserialize, Serialize};
use sqlx::Row as _;

use super::{Journal, JournalError, from_millis, to_millis};
use crate::model::borrowed::Str;
use crate::model::{Alert, AlertDraft, Clean, Severity, Share, SourceId, Status};

/// A stored snapshot: every distinct string once, and the alerts as indices into them.
#[derive(Serialize, Deserialize)]
struct Stored<'a> {
    #[serde(borrow)]
    strings: Vec<Str<'a>>,
    alerts: Vec<Row>,
}

/// One alert: string fields are indices into `Stored::strings`, pairs are flattened
/// (name, value, name, value…), times are Unix milliseconds.
#[derive(Serialize, Deserialize)]
struct Row(
    u32,         // id
    u32,         // title
    Severity,    // severity
    Status,      // status
    Vec<u32>,    // labels
    Vec<u32>,    // annotations
    i64,         // started_at
    i64,         // last_seen
    Option<u32>, // acked_by
    Option<i64>, // acked_at
    Option<i64>, // silenced_until
    Vec<u32>,    // links (label, url…)
    Option<u32>, // fingerprint
    Vec<u32>,    // suppressed_by
    Vec<u32>,    // receivers
);

/// Gives each distinct string an index while encoding.
#[derive(Default)]
struct Table<'a> {
    index: FxHashMap<&'a str, u32>,
    strings: Vec<Str<'a>>,
}

impl<'a> Table<'a> {
    fn add(&mut self, s: &'a str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.strings.len() as u32;
        self.strings.push(Str(Cow::Borrowed(s)));
        self.index.insert(s, i);
        i
    }

    fn pairs(&mut self, pairs: impl Iterator<Item = (&'a str, &'a str)>) -> Vec<u32> {
        pairs
            .flat_map(|(k, v)| [self.add(k), self.add(v)])
            .collect()
    }

    fn row(&mut self, a: &'a Alert) -> Row {
        let id = a
            .key
            .0
            .strip_prefix(&*a.source.0)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(&a.key.0);
        Row(
            self.add(id),
            self.add(&a.title),
            a.severity,
            a.status,
            self.pairs(a.labels.iter()),
            self.pairs(a.annotations.iter()),
            to_millis(a.started_at),
            to_millis(a.last_seen),
            a.acked_by.as_deref().map(|s| self.add(s)),
            a.acked_at.map(to_millis),
            a.silenced_until.map(to_millis),
            self.pairs(a.links.iter().map(|l| (&*l.label, &*l.url))),
            a.fingerprint.as_deref().map(|s| self.add(s)),
            a.suppressed_by.iter().map(|s| self.add(s)).collect(),
            a.receivers.iter().map(|s| self.add(s)).collect(),
        )
    }
}

/// Cleans and shares the strings of one stored snapshot, by index: each distinct string is
/// cleaned and allocated once (per way it is cleaned), and every later use is an `Arc` clone
/// found by position — no hashing of the text again.
struct ByIndex<'t> {
    strings: &'t [Str<'t>],
    /// The cleaned copy of each string, for the first way it was cleaned.
    first: Vec<Option<(Clean, Arc<str>)>>,
    /// Any other way a string was cleaned (a label value also used as an annotation).
    other: FxHashMap<(u32, Clean), Arc<str>>,
}

impl<'t> ByIndex<'t> {
    fn new(strings: &'t [Str<'t>]) -> ByIndex<'t> {
        ByIndex {
            strings,
            first: vec![None; strings.len()],
            other: FxHashMap::default(),
        }
    }
}

impl Share<u32> for ByIndex<'_> {
    fn raw<'s>(&'s self, i: &'s u32) -> &'s str {
        // Rows were checked against the table before building.
        self.strings.get(*i as usize).map_or("", |s| &s.0)
    }

    fn share(&mut self, i: &u32, how: Clean) -> Arc<str> {
        let text = self.strings.get(*i as usize).map_or("", |s| &*s.0);
        let Some(slot) = self.first.get_mut(*i as usize) else {
            return Arc::from("");
        };
        match slot {
            Some((first, arc)) if *first == how => arc.clone(),
            Some(_) => self
                .other
                .entry((*i, how))
                .or_insert_with(|| Arc::from(how.apply(text)))
                .clone(),
            None => {
                let arc: Arc<str> = Arc::from(how.apply(text));
                *slot = Some((how, arc.clone()));
                arc
            }
        }
    }
}

/// A stored row as a draft, every index checked against the table's `len` strings.
fn draft(row: Row, len: usize) -> Result<AlertDraft<u32>, JournalError> {
    let check = |i: u32| {
        if (i as usize) < len {
            Ok(i)
        } else {
            Err(JournalError::Io(format!(
                "a stored snapshot names string {i} of {len}"
            )))
        }
    };
    let pairs = |list: Vec<u32>| -> Result<Vec<(u32, u32)>, JournalError> {
        list.chunks_exact(2)
            .map(|p| Ok((check(p[0])?, check(p[1])?)))
            .collect()
    };
    let list = |list: Vec<u32>| list.into_iter().map(check).collect::<Result<Vec<_>, _>>();
    let Row(
        id,
        title,
        severity,
        status,
        labels,
        annotations,
        started_at,
        last_seen,
        acked_by,
        acked_at,
        silenced_until,
        links,
        fingerprint,
        suppressed_by,
        receivers,
    ) = row;
    Ok(AlertDraft {
        id: check(id)?,
        title: check(title)?,
        severity,
        status,
        labels: pairs(labels)?,
        annotations: pairs(annotations)?,
        started_at: from_millis(started_at),
        last_seen: from_millis(last_seen),
        acked_by: acked_by.map(check).transpose()?,
        acked_at: acked_at.map(from_millis),
        silenced_until: silenced_until.map(from_millis),
        links: pairs(links)?,
        notes: Vec::new(),
        fingerprint: fingerprint.map(check).transpose()?,
        suppressed_by: list(suppressed_by)?,
        receivers: list(receivers)?,
        escalation: None,
    })
}

/// A source's last known alerts.
#[derive(Clone, Debug)]
pub struct StoredSnapshot {
    /// The source.
    pub source: SourceId,
    /// When it was fetched.
    pub fetched_at: DateTime<Utc>,
    /// Its alerts, rebuilt (sanitized, interned).
    pub alerts: Vec<Alert>,
}

/// Encodes alerts for `save_snapshot` (CPU work: call it off the UI task).
pub fn encode(alerts: &[Alert]) -> Result<Vec<u8>, JournalError> {
    let mut table = Table::default();
    let rows: Vec<Row> = alerts.iter().map(|a| table.row(a)).collect();
    let stored = Stored {
        strings: table.strings,
        alerts: rows,
    };
    postcard::to_allocvec(&stored).map_err(|e| JournalError::Io(e.to_string()))
}

/// Rebuilds the alerts of `source` from `encode`'s text (CPU work: off the UI task). Each
/// row becomes an alert as soon as it is read, so the rows are never all held at once.
pub fn decode(source: &SourceId, packed: &[u8]) -> Result<Vec<Alert>, JournalError> {
    let cannot_read =
        |e: postcard::Error| JournalError::Io(format!("a stored snapshot cannot be read: {e}"));
    // A `Stored` is its fields one after the other: the string table, then the rows.
    let mut de = postcard::Deserializer::from_bytes(packed);
    let strings = Vec::<Str<'_>>::deserialize(&mut de).map_err(cannot_read)?;
    // postcard keeps no message of an error raised while reading: a bad row's is kept here.
    let mut bad_row = None;
    let rows = RowsToAlerts {
        source,
        strings: &strings,
        most_rows: packed.len() / SMALLEST_ROW,
        bad_row: &mut bad_row,
    };
    serde::de::DeserializeSeed::deserialize(rows, &mut de)
        .map_err(|e| bad_row.unwrap_or_else(|| cannot_read(e)))
}

/// The fewest bytes a `Row` takes: each of its 15 fields takes at least one.
const SMALLEST_ROW: usize = 15;

/// The rows of a stored snapshot, each rebuilt into an alert as it is read.
struct RowsToAlerts<'s, 't, 'e> {
    source: &'s SourceId,
    strings: &'t [Str<'t>],
    /// No more rows than this fit in the bytes: the count stored in front is untrusted.
    most_rows: usize,
    bad_row: &'e mut Option<JournalError>,
}

impl<'de> serde::de::DeserializeSeed<'de> for RowsToAlerts<'_, '_, '_> {
    type Value = Vec<Alert>;
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Vec<Alert>, D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> serde::de::Visitor<'de> for RowsToAlerts<'_, '_, '_> {
    type Value = Vec<Alert>;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("stored alerts")
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<Alert>, A::Error> {
        let mut share = ByIndex::new(self.strings);
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(self.most_rows));
        while let Some(row) = seq.next_element::<Row>()? {
            match draft(row, self.strings.len()) {
                Ok(draft) => out.push(draft.build_shared(self.source, &mut share)),
                Err(e) => {
                    let error = serde::de::Error::custom(&e);
                    *self.bad_row = Some(e);
                    return Err(error);
                }
            }
        }
        Ok(out)
    }
}

impl Journal {
    /// Keeps `encoded` (see `encode`) as the last known alerts of `source`.
    pub async fn save_snapshot(
        &self,
        source: &SourceId,
        fetched_at: DateTime<Utc>,
        encoded: &[u8],
    ) -> Result<(), JournalError> {
        // A reader (a viewer's wall) keeps no picture for the others: it may not write.
        if !self.access.may_append {
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO last_known (source, fetched_at, packed) VALUES ($1, $2, $3) \
             ON CONFLICT (source) DO UPDATE SET fetched_at = excluded.fetched_at, \
             packed = excluded.packed WHERE last_known.fetched_at <= excluded.fetched_at",
        )
        .bind(&*source.0)
        .bind(to_millis(fetched_at))
        .bind(encoded)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The stored form of `source`'s last known alerts and when they were fetched.
    pub async fn snapshot_packed(
        &self,
        source: &SourceId,
    ) -> Result<Option<(DateTime<Utc>, Vec<u8>)>, JournalError> {
        let row = sqlx::query("SELECT fetched_at, packed FROM last_known WHERE source = $1")
            .bind(&*source.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((from_millis(r.try_get("fetched_at")?), r.try_get("packed")?)))
            .transpose()
    }

    /// The last known alerts of each of `sources` that has some: each read in turn and
    /// decoded on a blocking thread while the next is read.
    pub async fn load_snapshots(
        &self,
        sources: &[SourceId],
    ) -> Result<Vec<StoredSnapshot>, JournalError> {
        let mut decoding = Vec::new();
        for source in sources {
            let Some((fetched_at, packed)) = self.snapshot_packed(source).await? else {
                continue;
            };
            let id = source.clone();
            let job = tokio::task::spawn_blocking(move || decode(&id, &packed));
            decoding.push((source.clone(), fetched_at, job));
        }
        let mut out = Vec::new();
        for (source, fetched_at, job) in decoding {
            match job.await {
                Ok(Ok(alerts)) => out.push(StoredSnapshot {
                    source,
                    fetched_at,
                    alerts,
                }),
                Ok(Err(e)) => {
                    tracing::warn!(source = %source, error = %e, "stored snapshot ignored")
                }
                Err(e) => tracing::warn!(source = %source, error = %e, "snapshot decoder stopped"),
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_come_back_as_they_were_each_string_stored_once() {
        let alerts = crate::testing::estate_alerts(500, 1).remove(0);
        let source = alerts[0].source.clone();
        let packed = encode(&alerts).unwrap();
        let back = decode(&source, &packed).unwrap();
        assert_eq!(back, alerts);
        let stored: Stored<'_> = postcard::from_bytes(&packed).unwrap();
        assert_eq!(
            stored.strings.iter().filter(|s| s.0 == "team-3").count(),
            1,
            "a label value shared by 25 alerts is stored once"
        );
        let team = |i: usize| back[i].labels.get("team").map(str::as_ptr);
        assert_eq!(team(0), team(20), "and shared once it is read back");
    }

    #[test]
    fn hostile_text_in_a_stored_snapshot_comes_back_clean() {
        let alerts = crate::testing::estate_alerts(3, 1).remove(0);
        let source = alerts[0].source.clone();
        // A journal row written by someone else is not trusted.
        let packed = encode(&alerts).unwrap();
        let mut stored: Stored<'_> = postcard::from_bytes(&packed).unwrap();
        for s in &mut stored.strings {
            if s.0.starts_with("HighLatency") {
                s.0 = Cow::Owned(format!("\u{1b}]0;pwned\u{7}{}\u{202e}", s.0));
            }
        }
        let hostile = postcard::to_allocvec(&stored).unwrap();
        let back = decode(&source, &hostile).unwrap();
        assert_eq!(
            back[0].title, alerts[0].title,
            "the injected escape sequence is removed whole"
        );
        assert_eq!(back[0].labels, alerts[0].labels);
    }

    #[test]
    fn a_row_naming_a_missing_string_or_cut_short_is_an_error() {
        let packed = encode(&crate::testing::estate_alerts(2, 1).remove(0)).unwrap();
        let mut stored: Stored<'_> = postcard::from_bytes(&packed).unwrap();
        stored.alerts[1].1 = 9_999;
        let bad = postcard::to_allocvec(&stored).unwrap();
        let e = decode(&SourceId("am".into()), &bad).unwrap_err();
        assert!(e.to_string().contains("string 9999 of"), "{e}");
        let e = decode(&SourceId("am".into()), &packed[..packed.len() / 2]).unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
    }

    #[test]
    fn a_forged_row_count_is_an_error_not_an_allocation() {
        // No strings, then four billion rows announced and none there.
        let forged = [0x00, 0xff, 0xff, 0xff, 0xff, 0x0f];
        let e = decode(&SourceId("am".into()), &forged).unwrap_err();
        assert!(e.to_string().contains("cannot be read"), "{e}");
    }

    #[test]
    fn the_smallest_row_is_what_an_empty_alert_takes() {
        let row = Row(
            0,
            0,
            Severity::Info,
            Status::Firing,
            vec![],
            vec![],
            0,
            0,
            None,
            None,
            None,
            vec![],
            None,
            vec![],
            vec![],
        );
        assert_eq!(postcard::to_allocvec(&row).unwrap().len(), SMALLEST_ROW);
    }
}
