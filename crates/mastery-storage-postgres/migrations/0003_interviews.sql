-- Mock interviews: summary columns for history lists and trend charts, and the whole session
-- as a JSON document written and read by mastery-study (stored as TEXT, never queried
-- inside). The mirror of the SQLite backend's 0003_interviews.sql.
--
-- Same conventions as 0001 and 0002. `revision` makes saves optimistic: a save names the
-- revision it replaces.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE interviews (
    learner_id BIGINT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    interview_id TEXT COLLATE "C" NOT NULL,
    guide_id TEXT COLLATE "C" NOT NULL,
    revision BIGINT NOT NULL,
    started_at BIGINT NOT NULL,
    finished_at BIGINT,
    score DOUBLE PRECISION,
    state TEXT NOT NULL,
    PRIMARY KEY (learner_id, interview_id)
);

-- History, newest first.
CREATE INDEX interviews_by_start ON interviews (learner_id, started_at);
