-- The shift hand-off and the notes and fires read at start select the timeline by time.
CREATE INDEX timeline_at ON timeline (at);
