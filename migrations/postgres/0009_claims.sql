-- Who holds an item while it is sent (host:pid), so `onduty outbox --flush` can take over
-- an item whose process died instead of waiting for its lease to run out.
ALTER TABLE outbox ADD COLUMN holder TEXT;

-- One sender at a time per effect: an item holds its scope (its alert, or the matchers of
-- its silence) while it is sent, so two processes acking one alert at once make one
-- silence. A claim lapses with the item's lease, and is dropped when the item settles.
CREATE TABLE action_claims (
    scope    TEXT   PRIMARY KEY,
    holder   BIGINT NOT NULL,
    until_ms BIGINT NOT NULL
);
