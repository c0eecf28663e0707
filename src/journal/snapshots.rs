//! The last known picture: each source's last good alerts, kept so that startup shows them
//! at once, marked stale with their age, before the first poll returns. Stored as the raw
//! parts of each alert and rebuilt through `AlertDraft::build_interned` on load, so what
//! comes back from the journal (shared, on PostgreSQL, with other people's processes) is
//! sanitized and interned like anything a source sends.

use std::borrow::Cow;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sqlx::Row;

use super::{Journal, JournalError, from_millis, to_millis};
use crate::model::borrowed::{Pairs, Str};
use crate::model::{Alert, AlertDraft, Interner, Severity, SourceId, Status};

/// One alert as stored. Strings are borrowed from the stored text when they hold no
/// escapes, so loading allocates little more than the interned strings it keeps.
#[derive(Serialize, Deserialize)]
struct StoredAlert<'a> {
    #[serde(borrow)]
    id: Str<'a>,
    #[serde(borrow)]
    title: Str<'a>,
    severity: Severity,
    status: Status,
    #[serde(borrow)]
    labels: Pairs<'a>,
    #[serde(borrow)]
    annotations: Pairs<'a>,
    started_at: DateTime<Utc>,
    last_seen: DateTime<Utc>,
    #[serde(borrow)]
    acked_by: Option<Str<'a>>,
    acked_at: Option<DateTime<Utc>>,
    silenced_until: Option<DateTime<Utc>>,
    #[serde(borrow)]
    links: Pairs<'a>,
    #[serde(borrow)]
    fingerprint: Option<Str<'a>>,
    #[serde(borrow)]
    suppressed_by: Vec<Str<'a>>,
    #[serde(borrow)]
    receivers: Vec<Str<'a>>,
}

fn pairs(labels: &crate::model::Labels) -> Pairs<'_> {
    Pairs(
        labels
            .iter()
            .map(|(k, v)| (Cow::Borrowed(k), Cow::Borrowed(v)))
            .collect(),
    )
}

fn str_of(s: &str) -> Str<'_> {
    Str(Cow::Borrowed(s))
}

impl<'a> StoredAlert<'a> {
    fn of(a: &'a Alert) -> StoredAlert<'a> {
        let id = a
            .key
            .0
            .strip_prefix(&*a.source.0)
            .and_then(|rest| rest.strip_prefix(':'))
            .unwrap_or(&a.key.0);
        StoredAlert {
            id: str_of(id),
            title: str_of(&a.title),
            severity: a.severity,
            status: a.status,
            labels: pairs(&a.labels),
            annotations: pairs(&a.annotations),
            started_at: a.started_at,
            last_seen: a.last_seen,
            acked_by: a.acked_by.as_deref().map(str_of),
            acked_at: a.acked_at,
            silenced_until: a.silenced_until,
            links: Pairs(
                a.links
                    .iter()
                    .map(|l| (Cow::Borrowed(&*l.label), Cow::Borrowed(&*l.url)))
                    .collect(),
            ),
            fingerprint: a.fingerprint.as_deref().map(str_of),
            suppressed_by: a.suppressed_by.iter().map(|s| str_of(s)).collect(),
            receivers: a.receivers.iter().map(|r| str_of(r)).collect(),
        }
    }

    fn draft(self) -> AlertDraft<'a> {
        AlertDraft {
            id: self.id.0,
            title: self.title.0,
            severity: self.severity,
            status: self.status,
            labels: self.labels.0,
            annotations: self.annotations.0,
            started_at: self.started_at,
            last_seen: self.last_seen,
            acked_by: self.acked_by.map(|s| s.0),
            acked_at: self.acked_at,
            silenced_until: self.silenced_until,
            links: self.links.0,
            notes: Vec::new(),
            fingerprint: self.fingerprint.map(|s| s.0),
            suppressed_by: self.suppressed_by.into_iter().map(|s| s.0).collect(),
            receivers: self.receivers.into_iter().map(|s| s.0).collect(),
        }
    }
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
pub fn encode(alerts: &[Alert]) -> Result<String, JournalError> {
    let stored: Vec<StoredAlert<'_>> = alerts.iter().map(StoredAlert::of).collect();
    serde_json::to_string(&stored).map_err(|e| JournalError::Io(e.to_string()))
}

/// Rebuilds the alerts of `source` from `encode`'s text (CPU work: off the UI task).
pub fn decode(source: &SourceId, text: &str) -> Result<Vec<Alert>, JournalError> {
    let stored: Vec<StoredAlert<'_>> = serde_json::from_str(text)
        .map_err(|e| JournalError::Io(format!("a stored snapshot cannot be read: {e}")))?;
    let mut interner = Interner::for_alerts(stored.len());
    Ok(stored
        .into_iter()
        .map(|s| s.draft().build_interned(source, &mut interner))
        .collect())
}

impl Journal {
    /// Keeps `encoded` (see `encode`) as the last known alerts of `source`.
    pub async fn save_snapshot(
        &self,
        source: &SourceId,
        fetched_at: DateTime<Utc>,
        encoded: &str,
    ) -> Result<(), JournalError> {
        sqlx::query(
            "INSERT INTO snapshots (source, fetched_at, alerts) VALUES ($1, $2, $3) \
             ON CONFLICT (source) DO UPDATE SET fetched_at = excluded.fetched_at, \
             alerts = excluded.alerts WHERE snapshots.fetched_at <= excluded.fetched_at",
        )
        .bind(&*source.0)
        .bind(to_millis(fetched_at))
        .bind(encoded)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The stored text of `source`'s last known alerts and when they were fetched.
    pub async fn snapshot_text(
        &self,
        source: &SourceId,
    ) -> Result<Option<(DateTime<Utc>, String)>, JournalError> {
        let row = sqlx::query("SELECT fetched_at, alerts FROM snapshots WHERE source = $1")
            .bind(&*source.0)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| Ok((from_millis(r.try_get("fetched_at")?), r.try_get("alerts")?)))
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
            let Some((fetched_at, text)) = self.snapshot_text(source).await? else {
                continue;
            };
            let id = source.clone();
            let job = tokio::task::spawn_blocking(move || decode(&id, &text));
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
    fn alerts_come_back_as_they_were_and_hostile_text_comes_back_clean() {
        let alerts = crate::testing::estate_alerts(50, 1).remove(0);
        let source = alerts[0].source.clone();
        let back = decode(&source, &encode(&alerts).unwrap()).unwrap();
        assert_eq!(back, alerts);
        // A journal row written by someone else is not trusted.
        let hostile = encode(&alerts[..1])
            .unwrap()
            .replace("\"title\":\"", "\"title\":\"\\u001b]0;pwned\\u0007");
        let back = decode(&source, &hostile).unwrap();
        assert_eq!(
            back[0].title, alerts[0].title,
            "the injected escape sequence is removed whole"
        );
    }
}
