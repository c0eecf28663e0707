-- A note saved while the journal was unreachable is sent again when it is back; the id its
-- dashboard gave it makes the second write find the first instead of doubling it.
ALTER TABLE timeline ADD COLUMN client_id BIGINT;
CREATE UNIQUE INDEX timeline_client_id ON timeline (client_id) WHERE client_id IS NOT NULL;
