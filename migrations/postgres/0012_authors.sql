-- Who wrote each row, as the database knows them (issue 32): the session's PostgreSQL user,
-- stamped by the database itself. Rows from before this migration say NULL ("written before
-- the database kept it"). With `onduty journal setup --roles` a trigger also makes the
-- author shown the name mapped to that user in journal_people, so a responder cannot write
-- as someone else.
ALTER TABLE timeline ADD COLUMN db_user TEXT;
ALTER TABLE timeline ALTER COLUMN db_user SET DEFAULT session_user;
ALTER TABLE outbox ADD COLUMN db_user TEXT;
ALTER TABLE outbox ALTER COLUMN db_user SET DEFAULT session_user;
ALTER TABLE drafts ADD COLUMN db_user TEXT;
ALTER TABLE drafts ALTER COLUMN db_user SET DEFAULT session_user;
ALTER TABLE checklist_steps ADD COLUMN db_user TEXT;
ALTER TABLE checklist_steps ALTER COLUMN db_user SET DEFAULT session_user;
ALTER TABLE ticket_links ADD COLUMN db_user TEXT;
ALTER TABLE ticket_links ALTER COLUMN db_user SET DEFAULT session_user;
ALTER TABLE problems ADD COLUMN db_user TEXT;
ALTER TABLE problems ALTER COLUMN db_user SET DEFAULT session_user;

-- The name shown for a database user (its owner keeps it; unmapped users show as
-- themselves). Unique: two users cannot look alike.
CREATE TABLE journal_people (
    db_user TEXT PRIMARY KEY,
    name    TEXT NOT NULL UNIQUE
);

-- The timeline is the record: a row changed (beyond its star) or deleted is logged here
-- with what it was, whoever did it (the owner's maintenance; responders may do neither).
CREATE TABLE timeline_rewrites (
    id       BIGSERIAL PRIMARY KEY,
    at       BIGINT NOT NULL,
    db_user  TEXT   NOT NULL,
    op       TEXT   NOT NULL,
    entry_id BIGINT NOT NULL,
    was      TEXT   NOT NULL
);

CREATE FUNCTION onduty_log_rewrite() RETURNS trigger AS $$
BEGIN
    INSERT INTO timeline_rewrites (at, db_user, op, entry_id, was)
    VALUES ((extract(epoch FROM clock_timestamp()) * 1000)::BIGINT, session_user, TG_OP,
            OLD.id, row_to_json(OLD)::TEXT);
    RETURN NULL;
END;
$$ LANGUAGE plpgsql SECURITY DEFINER SET search_path = public;

CREATE TRIGGER timeline_deleted AFTER DELETE ON timeline
    FOR EACH ROW EXECUTE FUNCTION onduty_log_rewrite();
CREATE TRIGGER timeline_rewritten AFTER UPDATE ON timeline
    FOR EACH ROW
    WHEN ((OLD.subject, OLD.at, OLD.author, OLD.kind, OLD.body, OLD.corrects, OLD.db_user)
          IS DISTINCT FROM
          (NEW.subject, NEW.at, NEW.author, NEW.kind, NEW.body, NEW.corrects, NEW.db_user))
    EXECUTE FUNCTION onduty_log_rewrite();
