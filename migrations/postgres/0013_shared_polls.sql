-- Shared polling (issue 33): one onduty at a time polls each source (dashboards whose
-- source configs are identical, by a fingerprint that never includes a token) and writes
-- what it fetched as frames — a full picture, then deltas (alerts that appeared, changed,
-- resolved) — which every other dashboard on the journal applies.
--
-- The lease is a row with a deadline on the database's clock, not an advisory lock: a
-- lock lives as long as its session, and a session half-open behind a partition or a
-- suspended laptop holds it until TCP gives up (hours by default); a deadline runs out by
-- itself, needs no connection pinned in a pool, and one clock judges it.
CREATE TABLE poll_leases (
    fingerprint TEXT   PRIMARY KEY,
    holder      TEXT   NOT NULL,   -- host:pid:n of the polling process
    who         TEXT   NOT NULL,   -- whose onduty it is ("ana")
    until_ms    BIGINT NOT NULL,   -- the database's clock
    polled_at   BIGINT NOT NULL    -- its last good poll (0: none yet)
);

-- Where each following dashboard stands (`onduty sources` says how far behind).
CREATE TABLE poll_followers (
    fingerprint TEXT   NOT NULL,
    holder      TEXT   NOT NULL,
    who         TEXT   NOT NULL,
    seq         BIGINT NOT NULL,   -- the last frame it applied
    applied_at  BIGINT NOT NULL,   -- when (the database's clock)
    PRIMARY KEY (fingerprint, holder)
);

-- A cache, not the record: pruned by the poller up to its newest full frame.
CREATE TABLE poll_frames (
    fingerprint TEXT   NOT NULL,
    seq         BIGINT NOT NULL,
    at          BIGINT NOT NULL,   -- when the poll it holds was made
    is_full     BIGINT NOT NULL,   -- 1: the whole picture; 0: a delta on seq - 1
    packed      BYTEA  NOT NULL,   -- the alerts (all, or the delta)
    extras      BYTEA,             -- policies, silences, tickets, rules, incidents: with a
                                   -- full frame, and with a delta when they changed
    PRIMARY KEY (fingerprint, seq)
);
