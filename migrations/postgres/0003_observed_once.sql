-- A change seen at a source is recorded once, however many onduty processes on one shared
-- journal saw it: its time comes from the alert itself.
CREATE UNIQUE INDEX timeline_observed_once ON timeline (subject, kind, body, at)
    WHERE kind = 'observed';
