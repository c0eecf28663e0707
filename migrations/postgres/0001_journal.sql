-- The journal: the outbox of actions, the timeline (notes included) and the last known
-- snapshot of each source. Times are Unix milliseconds (one type on SQLite and PostgreSQL).
-- Every timeline and outbox change is announced (NOTIFY) so other onduty processes on the
-- same journal see it at once.

CREATE TABLE outbox (
    id              BIGINT PRIMARY KEY,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    author          TEXT   NOT NULL,
    source          TEXT   NOT NULL,
    alert_key       TEXT   NOT NULL,
    operation       TEXT   NOT NULL,
    state           TEXT   NOT NULL,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    lease_until     BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT
);
CREATE INDEX outbox_open ON outbox (state, next_attempt_at);

CREATE TABLE timeline (
    id       BIGSERIAL PRIMARY KEY,
    subject  TEXT   NOT NULL,
    at       BIGINT NOT NULL,
    author   TEXT   NOT NULL,
    kind     TEXT   NOT NULL,
    body     TEXT   NOT NULL,
    starred  BIGINT NOT NULL DEFAULT 0,
    corrects BIGINT
);
CREATE INDEX timeline_subject ON timeline (subject, id);

CREATE TABLE snapshots (
    source     TEXT PRIMARY KEY,
    fetched_at BIGINT NOT NULL,
    alerts     TEXT   NOT NULL
);

CREATE FUNCTION onduty_announce() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('onduty_' || TG_TABLE_NAME, NEW.id::text);
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER timeline_announce AFTER INSERT OR UPDATE ON timeline
    FOR EACH ROW EXECUTE FUNCTION onduty_announce();
CREATE TRIGGER outbox_announce AFTER INSERT OR UPDATE ON outbox
    FOR EACH ROW EXECUTE FUNCTION onduty_announce();
