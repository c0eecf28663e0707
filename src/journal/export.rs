//! The journal as versioned JSON lines, for backups and moves (issue 32, begun): every table
//! a responder's record lives in — incidents and their alerts, the timeline (notes, actions,
//! what was seen), drafts, checklist ticks, ticket links, problems and their links, the
//! outbox — one row a line, in a fixed order, keys sorted, then an end line with the count
//! (a file cut at a line boundary is told from a whole one). Caches (last known pictures,
//! snapshots) and leases are not exported: a journal rebuilds them.
//!
//! An import checks every line before it writes anything, then writes in one transaction,
//! each row only when its key is new: a second import adds nothing, a bad file changes
//! nothing and names its line.

use sqlx::Row;
use sqlx::any::AnyRow;

use super::{Journal, JournalError, Location};

/// The format's version, on every line. Version 2 added `db_user` (the database user who
/// wrote the row); a version 1 file is still read, without it.
pub const VERSION: u64 = 2;

/// The columns version 1 did not have.
const NEW_IN_2: &[&str] = &["db_user"];

/// A column's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An integer.
    Int,
    /// An integer or null.
    OptInt,
    /// Text.
    Text,
    /// Text or null.
    OptText,
}

/// A table exported: its name, its columns, its key (what an import checks for "already
/// there") and whether its id comes from a sequence (PostgreSQL's is moved past it).
struct Table {
    name: &'static str,
    columns: &'static [(&'static str, Kind)],
    key: &'static [&'static str],
    has_sequence: bool,
    /// The column that says when a row was written or last changed (`--since`).
    changed: &'static str,
}

use Kind::{Int, OptInt, OptText, Text};

/// Every exported table, in the order they are written and read.
const TABLES: &[Table] = &[
    Table {
        name: "incidents",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("severity", Text),
            ("status", Text),
            ("commander", OptText),
            ("scribe", OptText),
            ("comms", OptText),
            ("opened_at", Int),
            ("updated_at", Int),
            ("resolved_at", OptInt),
        ],
        key: &["id"],
        has_sequence: true,
        changed: "updated_at",
    },
    Table {
        name: "incident_alerts",
        columns: &[("incident_id", Int), ("alert_key", Text), ("added_at", Int)],
        key: &["incident_id", "alert_key"],
        has_sequence: false,
        changed: "added_at",
    },
    Table {
        name: "timeline",
        columns: &[
            ("id", Int),
            ("subject", Text),
            ("at", Int),
            ("author", Text),
            ("kind", Text),
            ("body", Text),
            ("starred", Int),
            ("corrects", OptInt),
            ("client_id", OptInt),
            ("db_user", OptText),
        ],
        key: &["id"],
        has_sequence: true,
        changed: "at",
    },
    Table {
        name: "drafts",
        columns: &[
            ("subject", Text),
            ("author", Text),
            ("body", Text),
            ("updated_at", Int),
            ("db_user", OptText),
        ],
        key: &["subject", "author"],
        has_sequence: false,
        changed: "updated_at",
    },
    Table {
        name: "checklist_steps",
        columns: &[
            ("subject", Text),
            ("runbook", Text),
            ("step", Text),
            ("done", Int),
            ("author", Text),
            ("updated_at", Int),
            ("db_user", OptText),
        ],
        key: &["subject", "runbook", "step"],
        has_sequence: false,
        changed: "updated_at",
    },
    Table {
        name: "ticket_links",
        columns: &[
            ("subject", Text),
            ("reference", Text),
            ("author", Text),
            ("created_at", Int),
            ("db_user", OptText),
        ],
        key: &["subject", "reference"],
        has_sequence: false,
        changed: "created_at",
    },
    Table {
        name: "problems",
        columns: &[
            ("id", Int),
            ("title", Text),
            ("status", Text),
            ("cause", Text),
            ("workaround", Text),
            ("owner", Text),
            ("ticket", Text),
            ("author", Text),
            ("created_at", Int),
            ("updated_at", Int),
            ("db_user", OptText),
        ],
        key: &["id"],
        has_sequence: true,
        changed: "updated_at",
    },
    Table {
        name: "problem_links",
        columns: &[
            ("problem_id", Int),
            ("kind", Text),
            ("value", Text),
            ("added_at", Int),
        ],
        key: &["problem_id", "kind", "value"],
        has_sequence: false,
        changed: "added_at",
    },
    Table {
        name: "outbox",
        columns: &[
            ("id", Int),
            ("created_at", Int),
            ("updated_at", Int),
            ("author", Text),
            ("source", Text),
            ("alert_key", Text),
            ("operation", Text),
            ("state", Text),
            ("attempts", Int),
            ("next_attempt_at", Int),
            ("lease_until", Int),
            ("last_error", OptText),
            ("db_user", OptText),
        ],
        key: &["id"],
        has_sequence: false,
        changed: "updated_at",
    },
];

fn value(row: &AnyRow, i: usize, kind: Kind) -> Result<serde_json::Value, JournalError> {
    Ok(match kind {
        Int => row.try_get::<i64, _>(i)?.into(),
        OptInt => row.try_get::<Option<i64>, _>(i)?.into(),
        Text => row.try_get::<String, _>(i)?.into(),
        OptText => row.try_get::<Option<String>, _>(i)?.into(),
    })
}

/// One row read from a file, checked against its table.
struct Line {
    table: &'static Table,
    values: Vec<serde_json::Value>,
}

/// Why a file cannot be imported: the line (from 1) and what is wrong.
fn bad(line: usize, what: impl std::fmt::Display) -> JournalError {
    JournalError::Io(format!("line {line}: {what}; nothing was imported"))
}

/// Reads and checks every line of `text`: the rows, in order.
fn check(text: &str) -> Result<Vec<Line>, JournalError> {
    let mut rows = Vec::new();
    let mut ended = None;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        if ended.is_some() {
            return Err(bad(n, "a line after the end line"));
        }
        let v: serde_json::Value =
            serde_json::from_str(raw).map_err(|e| bad(n, format!("not JSON ({e})")))?;
        let version = v.get("v").and_then(serde_json::Value::as_u64);
        if !matches!(version, Some(1..=VERSION)) {
            return Err(bad(n, format!("not version 1 to {VERSION} of the export")));
        }
        let is_old = version == Some(1);
        let absent = |column: &str| is_old && NEW_IN_2.contains(&column);
        if let Some(end) = v.get("end") {
            let count = end.get("rows").and_then(serde_json::Value::as_u64);
            if count != Some(rows.len() as u64) {
                return Err(bad(
                    n,
                    format!(
                        "the end line counts {count:?} rows, the file holds {}",
                        rows.len()
                    ),
                ));
            }
            ended = Some(n);
            continue;
        }
        let name = v
            .get("table")
            .and_then(serde_json::Value::as_str)
            .unwrap_or("");
        let table = TABLES
            .iter()
            .find(|t| t.name == name)
            .ok_or_else(|| bad(n, format!("no table '{name}'")))?;
        let row = v
            .get("row")
            .and_then(serde_json::Value::as_object)
            .ok_or_else(|| bad(n, "no row"))?;
        let expected = table.columns.iter().filter(|(c, _)| !absent(c)).count();
        if row.len() != expected {
            return Err(bad(n, format!("{} holds other columns", table.name)));
        }
        let mut values = Vec::with_capacity(table.columns.len());
        for (column, kind) in table.columns {
            if absent(column) {
                values.push(serde_json::Value::Null);
                continue;
            }
            let cell = row
                .get(*column)
                .ok_or_else(|| bad(n, format!("{}.{column} is missing", table.name)))?;
            let fits = match kind {
                Int => cell.is_i64(),
                OptInt => cell.is_i64() || cell.is_null(),
                Text => cell.is_string(),
                OptText => cell.is_string() || cell.is_null(),
            };
            if !fits {
                return Err(bad(n, format!("{}.{column} is not a {kind:?}", table.name)));
            }
            values.push(cell.clone());
        }
        rows.push(Line { table, values });
    }
    if ended.is_none() {
        return Err(bad(
            text.lines().count() + 1,
            "no end line: the file was cut short",
        ));
    }
    Ok(rows)
}

impl Journal {
    /// The journal as JSON lines (see the module): every row, or with `since` only the rows
    /// written or changed since then (an import adds those whose key is new).
    pub async fn export(
        &self,
        since: Option<chrono::DateTime<chrono::Utc>>,
    ) -> Result<String, JournalError> {
        let mut out = String::new();
        let mut count = 0u64;
        for table in TABLES {
            let columns: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
            let sql = format!(
                "SELECT {} FROM {} WHERE {} >= $1 ORDER BY {}",
                columns.join(", "),
                table.name,
                table.changed,
                table.key.join(", ")
            );
            let from = since.map_or(i64::MIN, super::to_millis);
            for row in sqlx::query(&sql).bind(from).fetch_all(&self.pool).await? {
                let mut fields = serde_json::Map::new();
                for (i, (column, kind)) in table.columns.iter().enumerate() {
                    fields.insert((*column).to_string(), value(&row, i, *kind)?);
                }
                let line = serde_json::json!({"v": VERSION, "table": table.name, "row": fields});
                out.push_str(&line.to_string());
                out.push('\n');
                count += 1;
            }
        }
        out.push_str(&serde_json::json!({"v": VERSION, "end": {"rows": count}}).to_string());
        out.push('\n');
        Ok(out)
    }

    /// Imports an export: every line checked first, then each row written unless its key
    /// is there already, in one transaction. Returns how many rows were new.
    pub async fn import(&self, text: &str) -> Result<u64, JournalError> {
        let rows = check(text)?;
        let mut tx = self.pool.begin().await?;
        let mut added = 0;
        for line in &rows {
            let t = line.table;
            let columns: Vec<&str> = t.columns.iter().map(|(c, _)| *c).collect();
            let marks: Vec<String> = (1..=columns.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({}) ON CONFLICT ({}) DO NOTHING",
                t.name,
                columns.join(", "),
                marks.join(", "),
                t.key.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (cell, (_, kind)) in line.values.iter().zip(t.columns) {
                q = match kind {
                    Int | OptInt => q.bind(cell.as_i64()),
                    Text | OptText => q.bind(cell.as_str().map(str::to_string)),
                };
            }
            added += q.execute(&mut *tx).await?.rows_affected();
        }
        if matches!(self.location, Location::Postgres(_)) {
            // Ids came from the file: the sequences move past them.
            for t in TABLES.iter().filter(|t| t.has_sequence) {
                let sql = format!(
                    "SELECT setval(pg_get_serial_sequence('{0}', 'id'), \
                     GREATEST((SELECT COALESCE(MAX(id), 0) FROM {0}), 1))",
                    t.name
                );
                sqlx::query(&sql).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
        Ok(added)
    }
}
