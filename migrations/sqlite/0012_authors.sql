-- The database user behind each row (issue 32). An SQLite file has one user, its owner:
-- the column stays empty here and keeps the schema one with PostgreSQL's (and the export).
ALTER TABLE timeline ADD COLUMN db_user TEXT;
ALTER TABLE outbox ADD COLUMN db_user TEXT;
ALTER TABLE drafts ADD COLUMN db_user TEXT;
ALTER TABLE checklist_steps ADD COLUMN db_user TEXT;
ALTER TABLE ticket_links ADD COLUMN db_user TEXT;
ALTER TABLE problems ADD COLUMN db_user TEXT;
