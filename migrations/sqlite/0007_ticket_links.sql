-- Tickets linked to an incident or an alert by hand (L), or opened for it from onduty (the
-- reference is then the marker written in the ticket's description, found at the next
-- poll). Each link also writes a timeline entry, which is how other processes hear of it.

CREATE TABLE ticket_links (
    subject    TEXT   NOT NULL,   -- incident:N, or an alert key
    reference  TEXT   NOT NULL,   -- a ticket key, id or URL, or marker:od-...
    author     TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (subject, reference)
);
