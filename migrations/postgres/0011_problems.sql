-- Problems (the ITIL known-error record): what links recurring incidents — the cause once
-- known, the workaround shown beside every linked alert, a status, an owner and a ticket.
-- Every change also writes a timeline entry under problem:ID. A problem is linked to
-- alerts by name (title and service: the same alert fires under new keys) and to incidents.

CREATE TABLE problems (
    id         BIGSERIAL PRIMARY KEY,
    title      TEXT   NOT NULL,
    status     TEXT   NOT NULL,   -- investigating, known error, resolved
    cause      TEXT   NOT NULL DEFAULT '',
    workaround TEXT   NOT NULL DEFAULT '',
    owner      TEXT   NOT NULL DEFAULT '',
    ticket     TEXT   NOT NULL DEFAULT '',
    author     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

CREATE TABLE problem_links (
    problem_id BIGINT NOT NULL,
    kind       TEXT   NOT NULL,   -- alert (value: "title · service") or incident (incident:N)
    value      TEXT   NOT NULL,
    added_at   BIGINT NOT NULL,
    PRIMARY KEY (problem_id, kind, value)
);
