-- Incidents: declared from alerts, with a severity, a status, roles, and the alerts they
-- group. Their timeline lives in `timeline` under the subject incident:ID.

CREATE TABLE incidents (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    title       TEXT   NOT NULL,
    severity    TEXT   NOT NULL,                 -- SEV1 .. SEV4
    status      TEXT   NOT NULL,                 -- investigating | identified | monitoring | resolved
    commander   TEXT,
    scribe      TEXT,
    comms       TEXT,
    opened_at   BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    resolved_at BIGINT
);

CREATE TABLE incident_alerts (
    incident_id BIGINT NOT NULL,
    alert_key   TEXT   NOT NULL,
    added_at    BIGINT NOT NULL,
    PRIMARY KEY (incident_id, alert_key)
);
