//! Incidents: declared from alerts, with a severity (SEV1..SEV4), a status (investigating,
//! identified, monitoring, resolved), roles (incident commander, scribe, comms) and the
//! alerts they group. Every change is also a timeline entry under `incident:ID`, so the
//! incident's story is complete for the post-mortem.

use chrono::{DateTime, Utc};
use sqlx::Row;
use sqlx::any::AnyRow;

use super::timeline::NewEntry;
use super::{EntryKind, Journal, JournalError, from_millis, to_millis};
use crate::model::AlertKey;
pub use crate::model::incident::{Declaration, Incident, IncidentStatus, Role, subject};

impl Journal {
    /// Declares an incident; its declarer is its commander.
    pub async fn declare(
        &self,
        d: &Declaration,
        now: DateTime<Utc>,
    ) -> Result<Incident, JournalError> {
        let severity = d.severity.clamp(1, 4);
        let row = sqlx::query(
            "INSERT INTO incidents (title, severity, status, commander, opened_at, updated_at) \
             VALUES ($1, $2, 'investigating', $3, $4, $4) RETURNING id",
        )
        .bind(&d.title)
        .bind(format!("SEV{severity}"))
        .bind(&d.author)
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        let id: i64 = row.try_get("id")?;
        let body = format!(
            "declared SEV{severity}: {} (incident commander {})",
            d.title, d.author
        );
        self.incident_entry(id, &d.author, &body, now).await?;
        self.attach(id, &d.alerts, &d.author, now).await?;
        self.incident(id)
            .await?
            .ok_or_else(|| JournalError::Io(format!("incident {id} vanished")))
    }

    /// Adds alerts to incident `id` (those already in it are left alone).
    pub async fn attach(
        &self,
        id: i64,
        keys: &[AlertKey],
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let mut added = Vec::new();
        for key in keys {
            let done = sqlx::query(
                "INSERT INTO incident_alerts (incident_id, alert_key, added_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (incident_id, alert_key) DO NOTHING",
            )
            .bind(id)
            .bind(&key.0)
            .bind(to_millis(now))
            .execute(&self.pool)
            .await?;
            if done.rows_affected() == 1 {
                added.push(key.0.as_str());
            }
        }
        if !added.is_empty() {
            self.touch(id, now).await?;
            let body = format!("attached {}", added.join(", "));
            self.incident_entry(id, author, &body, now).await?;
        }
        for key in added {
            self.carry_steps(id, key, author, now).await?;
        }
        Ok(())
    }

    /// The runbook steps ticked on alert `key` before it joined incident `id` are the
    /// incident's too (a step the incident already has keeps its own state). Said on the
    /// incident's timeline as a step entry, which is how every dashboard hears of it.
    async fn carry_steps(
        &self,
        id: i64,
        key: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let subject = format!("incident:{id}");
        let carried = sqlx::query(
            "INSERT INTO checklist_steps (subject, runbook, step, done, author, updated_at) \
             SELECT $1, runbook, step, done, author, updated_at FROM checklist_steps \
             WHERE subject = $2 AND done = 1 \
             ON CONFLICT (subject, runbook, step) DO NOTHING",
        )
        .bind(&subject)
        .bind(key)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if carried > 0 {
            self.append(NewEntry {
                subject: &subject,
                at: now,
                author,
                kind: EntryKind::Step,
                body: &format!("{carried} runbook step(s) done on {key} carried over"),
                corrects: None,
            })
            .await?;
        }
        Ok(())
    }

    /// Moves incident `id` to `status`.
    pub async fn set_status(
        &self,
        id: i64,
        status: IncidentStatus,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let resolved = (status == IncidentStatus::Resolved).then(|| to_millis(now));
        sqlx::query(
            "UPDATE incidents SET status = $1, resolved_at = $2, updated_at = $3 WHERE id = $4",
        )
        .bind(status.name())
        .bind(resolved)
        .bind(to_millis(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.incident_entry(id, author, &format!("status: {}", status.name()), now)
            .await
    }

    /// Makes `change` to incident `id` (the dashboard's `:status`, `:severity`, `:role`,
    /// `:attach` and `onduty incident` alike).
    pub async fn change_incident(
        &self,
        id: i64,
        change: &crate::model::incident::IncidentChange,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        use crate::model::incident::IncidentChange;
        match change {
            IncidentChange::Status(status) => self.set_status(id, *status, author, now).await,
            IncidentChange::Severity(n) => self.set_severity(id, *n, author, now).await,
            IncidentChange::Role(role, who) => self.set_role(id, *role, who, author, now).await,
            IncidentChange::Attach(keys) => self.attach(id, keys, author, now).await,
        }
    }

    /// Gives incident `id` severity `severity` (SEV1..SEV4).
    pub async fn set_severity(
        &self,
        id: i64,
        severity: u8,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let severity = severity.clamp(1, 4);
        sqlx::query("UPDATE incidents SET severity = $1, updated_at = $2 WHERE id = $3")
            .bind(format!("SEV{severity}"))
            .bind(to_millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.incident_entry(id, author, &format!("severity: SEV{severity}"), now)
            .await
    }

    /// Gives `role` of incident `id` to `who`.
    pub async fn set_role(
        &self,
        id: i64,
        role: Role,
        who: &str,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        // One fixed statement per role: no column name is ever built from input.
        let sql = match role {
            Role::Commander => "UPDATE incidents SET commander = $1, updated_at = $2 WHERE id = $3",
            Role::Scribe => "UPDATE incidents SET scribe = $1, updated_at = $2 WHERE id = $3",
            Role::Comms => "UPDATE incidents SET comms = $1, updated_at = $2 WHERE id = $3",
        };
        sqlx::query(sql)
            .bind(who)
            .bind(to_millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        self.incident_entry(id, author, &format!("{}: {who}", role.name()), now)
            .await
    }

    /// Every incident, open ones first, newest first.
    pub async fn incidents(&self) -> Result<Vec<Incident>, JournalError> {
        let rows = sqlx::query(
            "SELECT * FROM incidents ORDER BY CASE WHEN status = 'resolved' THEN 1 ELSE 0 END, id DESC",
        )
        .fetch_all(&self.pool)
        .await?;
        let links =
            sqlx::query("SELECT incident_id, alert_key FROM incident_alerts ORDER BY added_at")
                .fetch_all(&self.pool)
                .await?;
        let mut incidents: Vec<Incident> = rows.iter().map(incident).collect::<Result<_, _>>()?;
        for l in links {
            let id: i64 = l.try_get("incident_id")?;
            if let Some(i) = incidents.iter_mut().find(|i| i.id == id) {
                i.alerts.push(AlertKey(l.try_get("alert_key")?));
            }
        }
        Ok(incidents.into_iter().map(Incident::cleaned).collect())
    }

    /// One incident (without reading every other one).
    pub async fn incident(&self, id: i64) -> Result<Option<Incident>, JournalError> {
        let Some(row) = sqlx::query("SELECT * FROM incidents WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
        else {
            return Ok(None);
        };
        let mut found = incident(&row)?;
        let links = sqlx::query(
            "SELECT alert_key FROM incident_alerts WHERE incident_id = $1 ORDER BY added_at",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        for l in links {
            found.alerts.push(AlertKey(l.try_get("alert_key")?));
        }
        Ok(Some(found.cleaned()))
    }

    async fn touch(&self, id: i64, now: DateTime<Utc>) -> Result<(), JournalError> {
        sqlx::query("UPDATE incidents SET updated_at = $1 WHERE id = $2")
            .bind(to_millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn incident_entry(
        &self,
        id: i64,
        author: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.action_entry(&subject(id), author, body, now).await
    }

    /// What was done to `subject` (an incident, a problem), on its timeline.
    pub(crate) async fn action_entry(
        &self,
        subject: &str,
        author: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.append(NewEntry {
            subject,
            at: now,
            author,
            kind: EntryKind::Action,
            body,
            corrects: None,
        })
        .await
        .map(drop)
    }
}

fn incident(row: &AnyRow) -> Result<Incident, JournalError> {
    let severity: String = row.try_get("severity")?;
    Ok(Incident {
        id: row.try_get("id")?,
        title: row.try_get("title")?,
        severity: severity.trim_start_matches("SEV").parse().unwrap_or(4),
        status: IncidentStatus::parse(&row.try_get::<String, _>("status")?)
            .unwrap_or(IncidentStatus::Investigating),
        commander: row.try_get("commander")?,
        scribe: row.try_get("scribe")?,
        comms: row.try_get("comms")?,
        alerts: Vec::new(),
        opened_at: from_millis(row.try_get("opened_at")?),
        resolved_at: row
            .try_get::<Option<i64>, _>("resolved_at")?
            .map(from_millis),
        origin: None,
    })
}
