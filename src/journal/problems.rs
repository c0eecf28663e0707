//! Problems in the journal: opened with the alerts (by name) and incidents they link, changed
//! field by field; every change is a timeline entry under `problem:ID` (and a link is one
//! under the incident too), which is how other processes on a shared journal hear of it.

use chrono::{DateTime, Utc};
use sqlx::Row;

use super::{Journal, JournalError, from_millis, to_millis};
pub use crate::model::problem::{AlertName, Problem, ProblemChange, ProblemStatus, subject};

/// A problem to open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewProblem {
    /// What it is.
    pub title: String,
    /// Who opens it.
    pub author: String,
    /// The alerts it covers, by name.
    pub alerts: Vec<AlertName>,
    /// The incidents it links (`incident:N`).
    pub incidents: Vec<String>,
}

impl Journal {
    /// Opens a problem (investigating) with its links; returns it.
    pub async fn open_problem(
        &self,
        p: &NewProblem,
        now: DateTime<Utc>,
    ) -> Result<Problem, JournalError> {
        let row = sqlx::query(
            "INSERT INTO problems (title, status, author, created_at, updated_at) \
             VALUES ($1, 'investigating', $2, $3, $3) RETURNING id",
        )
        .bind(&p.title)
        .bind(&p.author)
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?;
        let id: i64 = row.try_get("id")?;
        self.problem_entry(id, &p.author, &format!("opened: {}", p.title), now)
            .await?;
        for a in &p.alerts {
            self.change_problem(id, &ProblemChange::LinkAlert(a.clone()), &p.author, now)
                .await?;
        }
        for i in &p.incidents {
            self.change_problem(id, &ProblemChange::LinkIncident(i.clone()), &p.author, now)
                .await?;
        }
        self.problem(id)
            .await?
            .ok_or_else(|| JournalError::Io(format!("problem {id} was not kept")))
    }

    /// Changes problem `id`; a link already there changes nothing and says nothing.
    pub async fn change_problem(
        &self,
        id: i64,
        change: &ProblemChange,
        author: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        let link = match change {
            ProblemChange::LinkAlert(a) => Some(("alert", a.stored())),
            ProblemChange::LinkIncident(i) => Some(("incident", i.clone())),
            _ => None,
        };
        let changed = match (&link, change) {
            (Some((kind, value)), _) => {
                sqlx::query(
                    "INSERT INTO problem_links (problem_id, kind, value, added_at) \
                     VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
                )
                .bind(id)
                .bind(*kind)
                .bind(value)
                .bind(to_millis(now))
                .execute(&self.pool)
                .await?
            }
            (None, ProblemChange::Status(s)) => self.set_field(id, "status", s.name(), now).await?,
            (None, ProblemChange::Cause(v)) => self.set_field(id, "cause", v, now).await?,
            (None, ProblemChange::Workaround(v)) => {
                self.set_field(id, "workaround", v, now).await?
            }
            (None, ProblemChange::Owner(v)) => self.set_field(id, "owner", v, now).await?,
            (None, ProblemChange::Ticket(v)) => self.set_field(id, "ticket", v, now).await?,
            (None, ProblemChange::LinkAlert(_) | ProblemChange::LinkIncident(_)) => return Ok(()),
        };
        if changed.rows_affected() == 0 {
            return Ok(());
        }
        self.problem_entry(id, author, &change.said(), now).await?;
        if let ProblemChange::LinkIncident(incident) = change {
            let title: Option<String> = sqlx::query("SELECT title FROM problems WHERE id = $1")
                .bind(id)
                .fetch_optional(&self.pool)
                .await?
                .map(|r| r.try_get("title"))
                .transpose()?;
            let body = format!("linked to problem #{id}: {}", title.unwrap_or_default());
            self.action_entry(incident, author, &body, now).await?;
        }
        Ok(())
    }

    async fn set_field(
        &self,
        id: i64,
        field: &'static str,
        value: &str,
        now: DateTime<Utc>,
    ) -> Result<sqlx::any::AnyQueryResult, JournalError> {
        // `field` is one of five names written above, never input.
        let sql = format!("UPDATE problems SET {field} = $1, updated_at = $2 WHERE id = $3");
        Ok(sqlx::query(&sql)
            .bind(value)
            .bind(to_millis(now))
            .bind(id)
            .execute(&self.pool)
            .await?)
    }

    /// Every problem with its links, the newest first.
    pub async fn problems(&self) -> Result<Vec<Problem>, JournalError> {
        let rows = sqlx::query("SELECT * FROM problems ORDER BY id DESC")
            .fetch_all(&self.pool)
            .await?;
        let links = sqlx::query(
            "SELECT problem_id, kind, value FROM problem_links ORDER BY problem_id, added_at",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for r in &rows {
            let mut p = Problem {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                status: ProblemStatus::parse(&r.try_get::<String, _>("status")?)
                    .unwrap_or(ProblemStatus::Investigating),
                cause: r.try_get("cause")?,
                workaround: r.try_get("workaround")?,
                owner: r.try_get("owner")?,
                ticket: r.try_get("ticket")?,
                author: r.try_get("author")?,
                created_at: from_millis(r.try_get("created_at")?),
                updated_at: from_millis(r.try_get("updated_at")?),
                alerts: Vec::new(),
                incidents: Vec::new(),
            };
            for l in &links {
                if l.try_get::<i64, _>("problem_id")? != p.id {
                    continue;
                }
                let value: String = l.try_get("value")?;
                match l.try_get::<String, _>("kind")?.as_str() {
                    "alert" => p.alerts.push(AlertName::parse(&value)),
                    _ => p.incidents.push(value),
                }
            }
            out.push(p.cleaned());
        }
        Ok(out)
    }

    /// What fixed each of `incidents` (those with anything to say): their post-mortem's
    /// root cause and resolution, and their notes marked as workarounds.
    pub async fn past_fixes(
        &self,
        incidents: &[String],
    ) -> Result<Vec<crate::model::problem::PastFix>, JournalError> {
        use crate::model::problem::{PastFix, is_workaround, section_lines};
        let mut out = Vec::new();
        for incident in incidents {
            let draft = self
                .draft(
                    &crate::postmortem::draft_subject(incident),
                    crate::postmortem::DRAFT_AUTHOR,
                )
                .await?;
            let markdown = draft.map(|d| d.body).unwrap_or_default();
            let workarounds = self
                .timeline(incident)
                .await?
                .into_iter()
                .filter(|e| e.kind == crate::model::EntryKind::Note && is_workaround(&e.body))
                .map(|e| crate::model::sanitize::line(&e.body, crate::model::sanitize::TITLE_CAP))
                .collect();
            let fix = PastFix {
                incident: incident.clone(),
                root_cause: section_lines(&markdown, "Root cause"),
                resolution: section_lines(&markdown, "Resolution"),
                workarounds,
            };
            out.push(fix);
        }
        Ok(out)
    }

    /// Problem `id`.
    pub async fn problem(&self, id: i64) -> Result<Option<Problem>, JournalError> {
        Ok(self.problems().await?.into_iter().find(|p| p.id == id))
    }

    async fn problem_entry(
        &self,
        id: i64,
        author: &str,
        body: &str,
        now: DateTime<Utc>,
    ) -> Result<(), JournalError> {
        self.action_entry(&subject(id), author, body, now).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::journal::Location;

    #[tokio::test]
    async fn a_problem_is_opened_changed_and_linked_once_with_its_story_on_the_timeline() {
        let dir = tempfile::tempdir().unwrap();
        let j = Journal::open(&Location::Sqlite(dir.path().join("j.sqlite3")))
            .await
            .unwrap();
        let now = Utc::now();
        let name = AlertName::parse("PoolExhausted · checkout");
        let p = j
            .open_problem(
                &NewProblem {
                    title: "Checkout pool runs dry".into(),
                    author: "ana".into(),
                    alerts: vec![name.clone()],
                    incidents: vec!["incident:3".into()],
                },
                now,
            )
            .await
            .unwrap();
        assert_eq!(p.status, ProblemStatus::Investigating);
        assert!(p.covers("PoolExhausted", "checkout"));
        for c in [
            ProblemChange::Workaround("restart the pool".into()),
            ProblemChange::Status(ProblemStatus::KnownError),
            ProblemChange::LinkAlert(name.clone()),
            ProblemChange::LinkIncident("incident:4".into()),
        ] {
            j.change_problem(p.id, &c, "bo", now).await.unwrap();
        }
        let p = j.problem(p.id).await.unwrap().unwrap();
        assert_eq!(p.workaround, "restart the pool");
        assert_eq!(p.status, ProblemStatus::KnownError);
        assert_eq!(p.alerts, vec![name], "a link made twice is one link");
        assert_eq!(p.incidents, ["incident:3", "incident:4"]);
        let story: Vec<String> = j
            .timeline(&p.subject())
            .await
            .unwrap()
            .into_iter()
            .map(|e| e.body)
            .collect();
        assert_eq!(
            story,
            [
                "opened: Checkout pool runs dry",
                "covers alert PoolExhausted · checkout",
                "links incident:3",
                "workaround: restart the pool",
                "status: known error",
                "links incident:4",
            ]
        );
        // What fixed incident 4: its post-mortem's lines and its workaround notes.
        j.save_draft(&crate::journal::drafts::Draft {
            subject: crate::postmortem::draft_subject("incident:4"),
            author: crate::postmortem::DRAFT_AUTHOR.into(),
            body: "# PM\n## Root cause\n_The underlying cause._\nA driver leak.\n## Resolution\nRestarted the pool.\n".into(),
            updated_at: now,
        })
        .await
        .unwrap();
        j.append(crate::journal::timeline::NewEntry {
            subject: "incident:4",
            at: now,
            author: "bo",
            kind: crate::model::EntryKind::Note,
            body: "Workaround: kill idle sessions",
            corrects: None,
        })
        .await
        .unwrap();
        let fixes = j.past_fixes(&["incident:4".into()]).await.unwrap();
        assert_eq!(fixes[0].root_cause, ["A driver leak."]);
        assert_eq!(fixes[0].resolution, ["Restarted the pool."]);
        assert_eq!(fixes[0].workarounds, ["Workaround: kill idle sessions"]);
        let on_incident = j.timeline("incident:4").await.unwrap();
        assert_eq!(
            on_incident[0].body,
            format!("linked to problem #{}: Checkout pool runs dry", p.id)
        );
    }
}
