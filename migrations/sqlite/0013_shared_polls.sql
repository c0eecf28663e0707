-- Shared polling (issue 33) happens on a shared PostgreSQL journal only; the tables are
-- here too so that both schemas stay one.
CREATE TABLE poll_leases (
    fingerprint TEXT    PRIMARY KEY,
    holder      TEXT    NOT NULL,
    who         TEXT    NOT NULL,
    until_ms    INTEGER NOT NULL,
    polled_at   INTEGER NOT NULL
);

CREATE TABLE poll_followers (
    fingerprint TEXT    NOT NULL,
    holder      TEXT    NOT NULL,
    who         TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    applied_at  INTEGER NOT NULL,
    PRIMARY KEY (fingerprint, holder)
);

CREATE TABLE poll_frames (
    fingerprint TEXT    NOT NULL,
    seq         INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    is_full     INTEGER NOT NULL,
    packed      BLOB    NOT NULL,
    extras      BLOB,
    PRIMARY KEY (fingerprint, seq)
);
