-- Mock interviews: summary columns for history lists and trend charts, and the whole session
-- as a JSON document written and read by mastery-study (never queried inside).
--
-- Same conventions as 0001 and 0002 (INTEGER milliseconds, STRICT tables, value rules in
-- Rust). `revision` makes saves optimistic: a save names the revision it replaces.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE interviews (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    interview_id TEXT NOT NULL,
    guide_id TEXT NOT NULL,
    revision INTEGER NOT NULL,
    started_at INTEGER NOT NULL,
    finished_at INTEGER,
    score REAL,
    state TEXT NOT NULL,
    PRIMARY KEY (learner_id, interview_id)
) STRICT, WITHOUT ROWID;

-- History, newest first.
CREATE INDEX interviews_by_start ON interviews (learner_id, started_at);
