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
    uses INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

CREATE INDEX team_invites_by_team ON team_invites (team_id, created_at);
