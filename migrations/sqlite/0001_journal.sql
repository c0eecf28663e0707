-- The journal: the outbox of actions, the timeline (notes included) and the last known
-- snapshot of each source. Times are Unix milliseconds (one type on SQLite and PostgreSQL).

CREATE TABLE outbox (
    id              BIGINT PRIMARY KEY,          -- the command id (random, unique across processes)
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    author          TEXT   NOT NULL,
    source          TEXT   NOT NULL,
    alert_key       TEXT   NOT NULL,
    operation       TEXT   NOT NULL,             -- JSON of the operation
    state           TEXT   NOT NULL,             -- pending | sent | confirmed | failed
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,   -- a sender holds it until then
    last_error      TEXT
);
CREATE INDEX outbox_open ON outbox (state, next_attempt_at);

CREATE TABLE timeline (
    id       INTEGER PRIMARY KEY AUTOINCREMENT,
    subject  TEXT   NOT NULL,                    -- an alert key, or incident:N
    at       BIGINT NOT NULL,
    author   TEXT   NOT NULL,
    kind     TEXT   NOT NULL,                    -- action | note | observed | correction | star
    body     TEXT   NOT NULL,
    starred  BIGINT NOT NULL DEFAULT 0,
    corrects BIGINT                              -- the entry a correction amends
);
CREATE INDEX timeline_subject ON timeline (subject, id);

CREATE TABLE snapshots (
    source     TEXT PRIMARY KEY,
    fetched_at BIGINT NOT NULL,
    alerts     TEXT   NOT NULL                   -- JSON
);
