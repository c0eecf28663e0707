-- Runbook checklists: which steps of which runbook are done, per incident (or per alert
-- outside an incident). The latest tick or untick of a step wins; each one also writes a
-- timeline entry (kind "step"), which is how other processes on the journal hear of it.

CREATE TABLE checklist_steps (
    subject    TEXT   NOT NULL,   -- incident:N, or an alert key
    runbook    TEXT   NOT NULL,   -- the runbook's path or URL
    step       TEXT   NOT NULL,   -- the step's text
    done       BIGINT NOT NULL,   -- 1 ticked, 0 unticked
    author     TEXT   NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (subject, runbook, step)
);
CREATE INDEX checklist_steps_updated ON checklist_steps (updated_at);
