//! Shared polling's store (issue 33): the lease on polling a source — one onduty at a time
//! per source fingerprint, a row with a deadline on the database's clock (see migration
//! 0013 for why not an advisory lock) — and the frames the poller writes: a full picture,
//! then deltas (alerts that appeared or changed, keys that resolved), which the others read
//! and apply. A frame is written only while its writer holds the lease, in the transaction
//! that checks it; a full frame prunes the ones before it.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Journal, JournalError, Location, from_millis, to_millis};
use crate::model::{Alert, AlertKey, SourceId};

/// The channel a written frame is announced on (payload: the fingerprint).
pub const CHANNEL: &str = "onduty_polls";

/// Who polls a source now, as the journal says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lease {
    /// Whether this process holds it.
    pub is_mine: bool,
    /// Whose onduty holds it ("ana").
    pub who: String,
    /// Its holder's last good poll.
    pub polled_at: Option<DateTime<Utc>>,
    /// How long it has left, on the database's clock (a follower looks again when it runs
    /// out, not up to half an interval later).
    pub left: Duration,
}

impl Lease {
    /// The lease a row of `poll_leases` (with `left_ms`) describes, as `holder` sees it.
    fn of(row: &sqlx::any::AnyRow, holder: &str) -> Result<Lease, JournalError> {
        let polled_at: i64 = row.try_get("polled_at")?;
        let left_ms: i64 = row.try_get("left_ms")?;
        Ok(Lease {
            is_mine: row.try_get::<String, _>("holder")? == holder,
            who: crate::model::sanitize::line(&row.try_get::<String, _>("who")?, 64),
            polled_at: (polled_at > 0).then(|| from_millis(polled_at)),
            left: Duration::from_millis(u64::try_from(left_ms).unwrap_or(0)),
        })
    }
}

/// What one poll saw: the whole picture, or the change from the frame before.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Frame {
    /// Every alert.
    Full(Vec<Alert>),
    /// The alerts that appeared or changed, and the keys of those gone.
    Delta {
        /// New or changed.
        changed: Vec<Alert>,
        /// Resolved (or no longer reported).
        gone: Vec<AlertKey>,
    },
}

/// What a poll saw beside its alerts, shared whole when it changes: escalation policies,
/// silences, tickets, rules, the back end's incidents.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Extras {
    /// Escalation policies.
    pub escalation: Vec<crate::model::EscalationPolicy>,
    /// Silences.
    pub silences: Vec<crate::model::Silence>,
    /// Tickets (ticketing sources).
    pub tickets: Vec<crate::model::Ticket>,
    /// Alerting rules (a Prometheus).
    pub rules: Vec<crate::model::AlertRule>,
    /// The back end's incidents (incident.io).
    pub incidents: Vec<crate::model::incident::Incident>,
}

/// The keys whose text may hold several lines; every other string is one line.
const MULTI_LINE: &[&str] = &["comment", "body", "text", "description", "summary", "query"];

impl Extras {
    fn encode(&self) -> Result<Vec<u8>, JournalError> {
        serde_json::to_vec(self).map_err(|e| JournalError::Io(format!("extras: {e}")))
    }

    /// Read back with every string cleaned as a back end's answer is (a shared journal is
    /// written by other people's processes): one line, or several where the field is text.
    fn decode(bytes: &[u8]) -> Result<Extras, JournalError> {
        let bad = |e: serde_json::Error| JournalError::Io(format!("extras cannot be read: {e}"));
        let mut value: serde_json::Value = serde_json::from_slice(bytes).map_err(bad)?;
        clean(&mut value, "");
        serde_json::from_value(value).map_err(bad)
    }
}

/// Cleans every string under `value` (reached by `key`).
fn clean(value: &mut serde_json::Value, key: &str) {
    use crate::model::sanitize;
    match value {
        serde_json::Value::String(s) => {
            *s = if MULTI_LINE.contains(&key) {
                sanitize::text(s, sanitize::TEXT_CAP)
            } else {
                sanitize::line(s, sanitize::LABEL_CAP)
            };
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| clean(v, key)),
        serde_json::Value::Object(map) => {
            let old = std::mem::take(map);
            for (k, mut v) in old {
                clean(&mut v, &k);
                map.insert(sanitize::line(&k, sanitize::LABEL_CAP), v);
            }
        }
        _ => {}
    }
}

/// A frame as read back: its number, when its poll was made, the alerts' change and the
/// extras when they came with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Published {
    /// Its number.
    pub seq: i64,
    /// When the poll was made.
    pub at: DateTime<Utc>,
    /// The alerts.
    pub frame: Frame,
    /// The extras, when they came with it.
    pub extras: Option<Extras>,
}

/// A delta as stored: the changed alerts in the snapshot encoding, the gone keys as text.
#[derive(Serialize, Deserialize)]
struct StoredDelta {
    changed: Vec<u8>,
    gone: Vec<String>,
}

impl Frame {
    /// The change from `before` to `after` (alerts told apart by key).
    pub fn between(before: &[Alert], after: &[Alert]) -> Frame {
        let old: FxHashMap<&AlertKey, &Alert> = before.iter().map(|a| (&a.key, a)).collect();
        let new: FxHashSet<&AlertKey> = after.iter().map(|a| &a.key).collect();
        let changed = after
            .iter()
            .filter(|a| old.get(&a.key).is_none_or(|o| *o != *a))
            .cloned()
            .collect();
        let gone = before
            .iter()
            .filter(|a| !new.contains(&a.key))
            .map(|a| a.key.clone())
            .collect();
        Frame::Delta { changed, gone }
    }

    /// How many alerts it carries (a delta's changed and gone).
    pub fn len(&self) -> usize {
        match self {
            Frame::Full(alerts) => alerts.len(),
            Frame::Delta { changed, gone } => changed.len() + gone.len(),
        }
    }

    /// Whether it carries nothing (an empty delta: nothing changed).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// `onto` as this frame leaves it: a full frame replaces it; a delta replaces the
    /// changed alerts in place, adds the new ones at the end and drops the gone — never
    /// two alerts of one key. Returns the alerts a delta replaced or dropped, as they were
    /// (a follower tells what changed from them and the delta alone); `None` for a full
    /// frame, after which anything may have changed.
    pub fn apply(self, onto: &mut Vec<Alert>) -> Option<Vec<Alert>> {
        match self {
            Frame::Full(alerts) => {
                *onto = alerts;
                None
            }
            Frame::Delta { changed, gone } => {
                let mut displaced = Vec::new();
                if !gone.is_empty() {
                    let gone: FxHashSet<AlertKey> = gone.into_iter().collect();
                    let kept;
                    (displaced, kept) = std::mem::take(onto)
                        .into_iter()
                        .partition(|a| gone.contains(&a.key));
                    *onto = kept;
                }
                let mut changed: FxHashMap<AlertKey, Alert> =
                    changed.into_iter().map(|a| (a.key.clone(), a)).collect();
                if !changed.is_empty() {
                    for a in onto.iter_mut() {
                        if let Some(new) = changed.remove(&a.key) {
                            displaced.push(std::mem::replace(a, new));
                        }
                    }
                }
                let mut added: Vec<Alert> = changed.into_values().collect();
                added.sort_by(|a, b| a.key.0.cmp(&b.key.0));
                onto.extend(added);
                Some(displaced)
            }
        }
    }

    /// Whether it is full, and its bytes.
    fn encode(&self) -> Result<(bool, Vec<u8>), JournalError> {
        match self {
            Frame::Full(alerts) => Ok((true, super::snapshots::encode(alerts)?)),
            Frame::Delta { changed, gone } => {
                let stored = StoredDelta {
                    changed: super::snapshots::encode(changed)?,
                    gone: gone.iter().map(|k| k.0.clone()).collect(),
                };
                let bytes = postcard::to_allocvec(&stored)
                    .map_err(|e| JournalError::Io(format!("a delta cannot be written: {e}")))?;
                Ok((false, bytes))
            }
        }
    }

    /// A stored frame of `source`, rebuilt through the same sanitizing path as a back end's
    /// answer (a shared journal is written by other people's processes).
    fn decode(source: &SourceId, is_full: bool, packed: &[u8]) -> Result<Frame, JournalError> {
        if is_full {
            return Ok(Frame::Full(super::snapshots::decode(source, packed)?));
        }
        let stored: StoredDelta = postcard::from_bytes(packed)
            .map_err(|e| JournalError::Io(format!("a delta cannot be read: {e}")))?;
        let gone = stored
            .gone
            .iter()
            .map(|k| {
                AlertKey(crate::model::sanitize::line(
                    k,
                    crate::model::sanitize::LABEL_CAP,
                ))
            })
            .collect();
        Ok(Frame::Delta {
            changed: super::snapshots::decode(source, &stored.changed)?,
            gone,
        })
    }
}

impl Journal {
    /// The database's clock in Unix milliseconds, as SQL: one clock judges every lease.
    fn now_ms_sql(&self) -> &'static str {
        match self.location {
            Location::Postgres(_) => "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000 AS BIGINT)",
            Location::Sqlite(_) => "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)",
        }
    }

    /// Takes or renews the lease on polling `fingerprint` for `ttl` when it is free, ran out
    /// or is this `holder`'s already; says who holds it either way.
    pub async fn hold_poll(
        &self,
        fingerprint: &str,
        holder: &str,
        who: &str,
        ttl: Duration,
    ) -> Result<Lease, JournalError> {
        let now = self.now_ms_sql();
        let ttl_ms = millis(ttl);
        sqlx::query(&format!(
            "INSERT INTO poll_leases (fingerprint, holder, who, until_ms, polled_at) \
             VALUES ($1, $2, $3, {now} + $4, 0) \
             ON CONFLICT (fingerprint) DO UPDATE SET holder = excluded.holder, \
               who = excluded.who, until_ms = excluded.until_ms, \
               polled_at = CASE WHEN poll_leases.holder = excluded.holder \
                 THEN poll_leases.polled_at ELSE 0 END \
             WHERE poll_leases.holder = excluded.holder OR poll_leases.until_ms < {now}"
        ))
        .bind(fingerprint)
        .bind(holder)
        .bind(who)
        .bind(ttl_ms)
        .execute(&self.pool)
        .await?;
        let row = sqlx::query(&format!(
            "SELECT holder, who, polled_at, until_ms - {now} AS left_ms \
             FROM poll_leases WHERE fingerprint = $1"
        ))
        .bind(fingerprint)
        .fetch_one(&self.pool)
        .await?;
        Lease::of(&row, holder)
    }

    /// Who holds the lease on `fingerprint` now, without asking for it (a follower's look,
    /// a read; a viewer's wall, which may not write): `None` when nobody does.
    pub async fn poll_holder(
        &self,
        fingerprint: &str,
        holder: &str,
    ) -> Result<Option<Lease>, JournalError> {
        let now = self.now_ms_sql();
        let row = sqlx::query(&format!(
            "SELECT holder, who, polled_at, until_ms - {now} AS left_ms FROM poll_leases \
             WHERE fingerprint = $1 AND until_ms >= {now}"
        ))
        .bind(fingerprint)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| Lease::of(&row, holder)).transpose()
    }

    /// Says that `holder` polled at `at` and nothing changed (no frame is written), and
    /// renews its lease for `ttl` from now.
    pub async fn polled(
        &self,
        fingerprint: &str,
        holder: &str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<(), JournalError> {
        self.renew(&self.pool, fingerprint, holder, at, ttl).await?;
        Ok(())
    }

    /// Records a poll at `at` and renews the lease for `ttl`, while `holder` holds it;
    /// whether it did.
    async fn renew<'e, E>(
        &self,
        executor: E,
        fingerprint: &str,
        holder: &str,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<bool, JournalError>
    where
        E: sqlx::Executor<'e, Database = sqlx::Any>,
    {
        let now = self.now_ms_sql();
        let done = sqlx::query(&format!(
            "UPDATE poll_leases SET polled_at = $3, until_ms = {now} + $4 \
             WHERE fingerprint = $1 AND holder = $2 AND until_ms >= {now}"
        ))
        .bind(fingerprint)
        .bind(holder)
        .bind(to_millis(at))
        .bind(millis(ttl))
        .execute(executor)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Gives the lease up at once (a failed poll, a stop): another takes it at its next look.
    pub async fn let_go_of_poll(
        &self,
        fingerprint: &str,
        holder: &str,
    ) -> Result<(), JournalError> {
        sqlx::query("UPDATE poll_leases SET until_ms = 0 WHERE fingerprint = $1 AND holder = $2")
            .bind(fingerprint)
            .bind(holder)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Writes `frame` (a poll made at `at`) as the next of `fingerprint` while `holder`
    /// holds the lease, and announces it; a full frame prunes the ones before it. `None`:
    /// the lease was no longer this holder's, and nothing was written.
    /// The lease is renewed for `ttl` from now with it (a poll that took long does not let
    /// it run out).
    #[allow(
        clippy::too_many_arguments,
        reason = "the frame's place, holder and lease"
    )]
    pub async fn publish(
        &self,
        fingerprint: &str,
        holder: &str,
        frame: &Frame,
        extras: Option<&Extras>,
        at: DateTime<Utc>,
        ttl: Duration,
    ) -> Result<Option<i64>, JournalError> {
        let (is_full, packed) = frame.encode()?;
        let extras = extras.map(Extras::encode).transpose()?;
        let mut tx = self.pool.begin().await?;
        if !self.renew(&mut *tx, fingerprint, holder, at, ttl).await? {
            return Ok(None);
        }
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) AS last FROM poll_frames WHERE fingerprint = $1",
        )
        .bind(fingerprint)
        .fetch_one(&mut *tx)
        .await?;
        let seq = row.try_get::<i64, _>("last")? + 1;
        sqlx::query(
            "INSERT INTO poll_frames (fingerprint, seq, at, is_full, packed, extras) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(fingerprint)
        .bind(seq)
        .bind(to_millis(at))
        .bind(i64::from(is_full))
        .bind(packed)
        .bind(extras)
        .execute(&mut *tx)
        .await?;
        if is_full {
            sqlx::query("DELETE FROM poll_frames WHERE fingerprint = $1 AND seq < $2")
                .bind(fingerprint)
                .bind(seq)
                .execute(&mut *tx)
                .await?;
        }
        if matches!(self.location, Location::Postgres(_)) {
            sqlx::query("SELECT pg_notify($1, $2)")
                .bind(CHANNEL)
                .bind(fingerprint)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(seq))
    }

    /// The frames of `fingerprint` after `seq`, to apply in order: from the newest full one
    /// when `seq` is not followed by its next (a newcomer, or one that fell behind a prune).
    /// Each with its number and when its poll was made.
    pub async fn frames_after(
        &self,
        source: &SourceId,
        fingerprint: &str,
        seq: i64,
    ) -> Result<Vec<Published>, JournalError> {
        let read = |from: i64| {
            sqlx::query(
                "SELECT seq, at, is_full, packed, extras FROM poll_frames \
                 WHERE fingerprint = $1 AND seq >= $2 ORDER BY seq",
            )
            .bind(fingerprint)
            .bind(from)
            .fetch_all(&self.pool)
        };
        let mut rows = read(seq + 1).await?;
        let is_next = |rows: &[sqlx::any::AnyRow]| -> Result<bool, JournalError> {
            let Some(first) = rows.first() else {
                return Ok(true);
            };
            let first_seq: i64 = first.try_get("seq")?;
            let is_full = first.try_get::<i64, _>("is_full")? == 1;
            Ok(is_full || (seq > 0 && first_seq == seq + 1))
        };
        if !is_next(&rows)? {
            let row = sqlx::query(
                "SELECT COALESCE(MAX(seq), 0) AS full FROM poll_frames \
                 WHERE fingerprint = $1 AND is_full = 1",
            )
            .bind(fingerprint)
            .fetch_one(&self.pool)
            .await?;
            rows = read(row.try_get("full")?).await?;
        }
        rows.iter()
            .map(|r| {
                let packed: Vec<u8> = r.try_get("packed")?;
                let is_full = r.try_get::<i64, _>("is_full")? == 1;
                let extras: Option<Vec<u8>> = r.try_get("extras")?;
                Ok(Published {
                    seq: r.try_get("seq")?,
                    at: from_millis(r.try_get("at")?),
                    frame: Frame::decode(source, is_full, &packed)?,
                    extras: extras.as_deref().map(Extras::decode).transpose()?,
                })
            })
            .collect()
    }
}

/// Who polls one shared source and how far each follower is behind: `onduty sources`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollState {
    /// The source's fingerprint (`NAME:HASH`).
    pub fingerprint: String,
    /// Whose onduty holds the lease, and whether it has run out.
    pub polled_by: String,
    /// Whether the lease is still in force.
    pub is_held: bool,
    /// The holder's last good poll.
    pub polled_at: Option<DateTime<Utc>>,
    /// The newest frame.
    pub seq: i64,
    /// Each follower: who, the last frame applied, when.
    pub followers: Vec<(String, i64, DateTime<Utc>)>,
}

impl Journal {
    /// Says that `holder` (`who`'s dashboard) applied frame `seq` of `fingerprint`.
    pub async fn applied(
        &self,
        fingerprint: &str,
        holder: &str,
        who: &str,
        seq: i64,
    ) -> Result<(), JournalError> {
        let now = self.now_ms_sql();
        sqlx::query(&format!(
            "INSERT INTO poll_followers (fingerprint, holder, who, seq, applied_at) \
             VALUES ($1, $2, $3, $4, {now}) ON CONFLICT (fingerprint, holder) DO UPDATE \
             SET who = excluded.who, seq = excluded.seq, applied_at = excluded.applied_at"
        ))
        .bind(fingerprint)
        .bind(holder)
        .bind(who)
        .bind(seq)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Every shared source: who polls it, how fresh, and each follower's lag (followers
    /// not heard of for `gone` are left out: quit or killed).
    pub async fn poll_states(&self, gone: Duration) -> Result<Vec<PollState>, JournalError> {
        let now = self.now_ms_sql();
        let gone_ms = i64::try_from(gone.as_millis()).unwrap_or(i64::MAX / 2);
        let leases = sqlx::query(&format!(
            "SELECT fingerprint, holder, who, polled_at, until_ms >= {now} AS held, \
             (SELECT COALESCE(MAX(seq), 0) FROM poll_frames f \
               WHERE f.fingerprint = poll_leases.fingerprint) AS seq \
             FROM poll_leases ORDER BY fingerprint"
        ))
        .fetch_all(&self.pool)
        .await?;
        let followers = sqlx::query(&format!(
            "SELECT fingerprint, holder, who, seq, applied_at FROM poll_followers \
             WHERE applied_at >= {now} - $1 ORDER BY who"
        ))
        .bind(gone_ms)
        .fetch_all(&self.pool)
        .await?;
        let clean = |s: String| crate::model::sanitize::line(&s, 64);
        leases
            .iter()
            .map(|l| {
                let fingerprint: String = l.try_get("fingerprint")?;
                let holder: String = l.try_get("holder")?;
                let polled_at: i64 = l.try_get("polled_at")?;
                let mut state = PollState {
                    fingerprint: clean(fingerprint.clone()),
                    polled_by: clean(l.try_get("who")?),
                    is_held: l.try_get::<bool, _>("held")?,
                    polled_at: (polled_at > 0).then(|| from_millis(polled_at)),
                    seq: l.try_get("seq")?,
                    followers: Vec::new(),
                };
                for f in &followers {
                    let of: String = f.try_get("fingerprint")?;
                    let by: String = f.try_get("holder")?;
                    if of == fingerprint && by != holder {
                        state.followers.push((
                            clean(f.try_get("who")?),
                            f.try_get("seq")?,
                            from_millis(f.try_get("applied_at")?),
                        ));
                    }
                }
                Ok(state)
            })
            .collect()
    }
}

/// `d` in milliseconds, for SQL.
fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;
    use crate::model::Status;

    fn sorted(mut alerts: Vec<Alert>) -> Vec<Alert> {
        alerts.sort_by(|a, b| a.key.0.cmp(&b.key.0));
        alerts
    }

    #[test]
    fn a_delta_applied_to_the_picture_before_gives_the_picture_after() {
        let before = crate::testing::estate_alerts(1000, 1).remove(0);
        let mut after = before.clone();
        // 1% changed, 5 resolved, 5 new (keys of another source's alerts, renamed).
        for a in after.iter_mut().step_by(100) {
            a.status = Status::Acked;
        }
        after.retain(|a| !a.key.0.ends_with('7') || a.key.0.len() % 2 == 0);
        let gone = before.len() - after.len();
        let mut fresh = crate::testing::estate_alerts(5, 2).remove(1);
        for (i, a) in fresh.iter_mut().enumerate() {
            a.key = AlertKey(format!("{}-new-{i}", before[0].key.0));
            a.source = before[0].source.clone();
        }
        after.extend(fresh);
        let delta = Frame::between(&before, &after);
        let Frame::Delta {
            changed,
            gone: went,
        } = &delta
        else {
            panic!("a delta")
        };
        assert_eq!(went.len(), gone);
        assert!(changed.len() < after.len() / 10, "{}", changed.len());
        let mut applied = before.clone();
        let displaced = delta
            .apply(&mut applied)
            .expect("a delta tells what it displaced");
        assert_eq!(sorted(applied.clone()), sorted(after.clone()));
        // What it displaced: the changed alerts as they were, and the gone — nothing else.
        let was: std::collections::HashMap<_, _> = before.iter().map(|a| (&a.key, a)).collect();
        let now: std::collections::HashMap<_, _> = after.iter().map(|a| (&a.key, a)).collect();
        let expected = before
            .iter()
            .filter(|a| now.get(&a.key).is_none_or(|n| *n != *a))
            .count();
        assert_eq!(displaced.len(), expected);
        assert!(displaced.iter().all(|d| was[&d.key] == d));
        let keys: std::collections::HashSet<_> = applied.iter().map(|a| &a.key).collect();
        assert_eq!(keys.len(), applied.len(), "no key twice");
        // Nothing changed: an empty delta.
        assert!(Frame::between(&after, &after).is_empty());
    }

    #[test]
    fn a_delta_survives_its_encoding_and_hostile_keys_arrive_clean() {
        let alerts = crate::testing::estate_alerts(50, 1).remove(0);
        let source = alerts[0].source.clone();
        let frame = Frame::Delta {
            changed: alerts[..3].to_vec(),
            gone: vec![AlertKey("am-0:x\u{1b}]52;c;ZXZpbA==\u{7}".into())],
        };
        let (is_full, bytes) = frame.encode().unwrap();
        assert!(!is_full);
        let Frame::Delta { changed, gone } = Frame::decode(&source, false, &bytes).unwrap() else {
            panic!("a delta")
        };
        assert_eq!(changed, alerts[..3].to_vec());
        assert!(!gone[0].0.contains('\u{1b}') && !gone[0].0.contains('\u{7}'));
        assert!(Frame::decode(&source, false, &bytes[..bytes.len() / 2]).is_err());
    }
}

#[cfg(test)]
mod extras_tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, reason = "test code")]

    use super::*;

    #[test]
    fn extras_come_back_as_they_were_with_regexes_working_and_hostile_text_cleaned() {
        let app = crate::testing::demo_app(100, 80, 24);
        let demo = &app.sources[0];
        let alert = demo.alerts[0].clone();
        let name = alert
            .labels
            .get("alertname")
            .unwrap_or_default()
            .to_string();
        let mut silence = crate::model::Silence {
            id: "s1".into(),
            source: demo.info.id.clone(),
            matchers: vec![
                crate::model::Matcher::new("alertname", &format!("{}|Other", name), true, true)
                    .unwrap(),
            ],
            starts_at: app.now,
            ends_at: app.now,
            created_by: "ana".into(),
            comment: "deploy\nwindow".into(),
            state: crate::model::SilenceState::Active,
        };
        let extras = Extras {
            escalation: demo.escalation.to_vec(),
            silences: vec![silence.clone()],
            tickets: Vec::new(),
            rules: Vec::new(),
            incidents: Vec::new(),
        };
        assert!(!extras.escalation.is_empty(), "the demo has policies");
        let back = Extras::decode(&extras.encode().unwrap()).unwrap();
        assert_eq!(back, extras);
        assert!(
            back.silences[0].catches(&alert),
            "the regex was compiled again"
        );
        // Hostile text written into a shared journal arrives clean.
        silence.created_by = "mallory\u{1b}[2J\u{202e}".into();
        silence.comment = "a\u{1b}]52;c;ZXZpbA==\u{7}\nb".into();
        let hostile = Extras {
            silences: vec![silence],
            ..Extras::default()
        };
        let back = Extras::decode(&hostile.encode().unwrap()).unwrap();
        let s = &back.silences[0];
        assert!(!s.created_by.contains('\u{1b}') && !s.created_by.contains('\u{202e}'));
        assert!(!s.comment.contains('\u{1b}') && !s.comment.contains('\u{7}'));
        assert!(s.comment.contains('\n'), "a comment keeps its lines");
        assert!(Extras::decode(b"{not json").is_err());
    }
}
