-- Note drafts: what a responder has typed and not yet saved, one per (subject, author),
-- written as it is typed so that a dropped SSH session or a crash loses nothing.

CREATE TABLE drafts (
    subject    TEXT   NOT NULL,   -- alert key or incident:N
    author     TEXT   NOT NULL,
    body       TEXT   NOT NULL,   -- as typed
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (subject, author)
);
