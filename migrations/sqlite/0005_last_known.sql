-- The last known picture moves to a compact binary form (a string table and rows of
-- indices, postcard-encoded): a third of the JSON's size, and read without parsing text.
-- The old table was a cache: a run after this migration shows its first poll instead.

DROP TABLE snapshots;

CREATE TABLE last_known (
    source     TEXT PRIMARY KEY,
    fetched_at BIGINT NOT NULL,
    packed     BLOB   NOT NULL
);
