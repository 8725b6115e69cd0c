-- Multi-user mode's teams and cohorts: a team studies some guides (or some of their
-- sections) for an interview date; coaches see the progress of the members who share it.
--
-- Same conventions as 0004 (INTEGER milliseconds, STRICT tables, value rules in Rust).
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    -- Guide ids, separated by spaces.
    guides TEXT NOT NULL,
    -- `guide/section` ids, separated by spaces; empty for every section of the guides.
    sections TEXT NOT NULL,
    -- `YYYY-MM-DD`, or empty when the team has no date.
    interview_date TEXT NOT NULL,
    -- 1 when the team's links may create accounts on an invitation-only site.
    open_invites INTEGER NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

-- Who is in a team: 'coach' or 'member' (checked in Rust). `joined_at` is NULL while a
-- person invited by name has not accepted; `sharing` is 1 while a member lets the coaches
-- see their progress (never their notes).
CREATE TABLE team_members (
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    role TEXT NOT NULL,
    sharing INTEGER NOT NULL,
    invited_at INTEGER NOT NULL,
    joined_at INTEGER,
    PRIMARY KEY (team_id, learner_id)
) STRICT, WITHOUT ROWID;

-- "My teams".
CREATE INDEX team_members_by_learner ON team_members (learner_id);

-- A team's invitation links, by the SHA-256 digest (hex) of their token. Never deleted
-- but with their team, only revoked, so a number is never given again.
CREATE TABLE team_invites (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    created_by INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- How many people may use it (a sign-up with it or a join counts once each).
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE INDEX team_invites_by_team ON team_invites (team_id, created_at);

-- Mock interviews a coach assigns to the team: a preset or a custom setup (the request as
-- mastery-study writes it, JSON) on one of the team's guides.
CREATE TABLE team_assignments (
    id INTEGER PRIMARY KEY,
    team_id INTEGER NOT NULL REFERENCES teams (id) ON DELETE CASCADE,
    guide_id TEXT NOT NULL,
    title TEXT NOT NULL,
    request TEXT NOT NULL,
    created_by INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE INDEX team_assignments_by_team ON team_assignments (team_id, created_at);

-- Which interview a member started for an assignment: the coach sees who took it and the
-- score (of members who share).
CREATE TABLE interview_assignments (
    learner_id INTEGER NOT NULL,
    interview_id TEXT NOT NULL,
    assignment_id INTEGER NOT NULL REFERENCES team_assignments (id) ON DELETE CASCADE,
    PRIMARY KEY (learner_id, interview_id),
    FOREIGN KEY (learner_id, interview_id) REFERENCES interviews (learner_id, interview_id)
        ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX interview_assignments_by_assignment ON interview_assignments (assignment_id);

-- The key points each finished mock interview missed, beside its document, so that they can
-- be queried (the coach's view counts them per team); written again with every save of a
-- finished interview (a correction after the end changes them). `missed_recorded` says an
-- interview's rows are written: one finished before this migration has none yet, and its
-- document is read instead until it is saved again.
CREATE TABLE interview_missed (
    learner_id INTEGER NOT NULL,
    interview_id TEXT NOT NULL,
    item INTEGER NOT NULL,
    key_point INTEGER NOT NULL,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    text TEXT NOT NULL,
    PRIMARY KEY (learner_id, interview_id, item, key_point),
    FOREIGN KEY (learner_id, interview_id) REFERENCES interviews (learner_id, interview_id)
        ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

ALTER TABLE interviews ADD COLUMN missed_recorded INTEGER NOT NULL DEFAULT 0;
