-- Multi-user mode's suggested improvements to the guides' questions, the votes on them,
-- and the notifications members read in the app.
--
-- Same conventions as 0001 to 0010 (INTEGER milliseconds, STRICT tables, value rules in
-- Rust). Suggestions are kept by guide and question ids, like threads. A suggestion keeps
-- the question's Markdown it was written against (`base_text`): when the guide's text
-- moves on, the suggestion is stale until a moderator rebases it. Deleting an account
-- keeps its suggestions without an author (ON DELETE SET NULL) unless the member asks to
-- remove them (mastery-app deletes them first); its votes stay counted in `score`.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    author_id INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    -- What the change does and why, in the author's words.
    summary TEXT NOT NULL,
    base_text TEXT NOT NULL,
    proposed_text TEXT NOT NULL,
    -- 'open', 'accepted', 'rejected' or 'withdrawn' (checked in Rust).
    state TEXT NOT NULL,
    -- Votes up minus votes down, kept with each vote.
    score INTEGER NOT NULL DEFAULT 0,
    moderator_id INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    -- The moderator's name as it was, and their comment ('' when none).
    moderator_name TEXT NOT NULL DEFAULT '',
    decision_comment TEXT NOT NULL DEFAULT '',
    decided_at INTEGER,
    -- Who last changed its text when it was not its author (a moderator's rebase): that
    -- moderator does not decide on it.
    reviser_id INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    -- When `mastery suggestions export` wrote it into a patch.
    exported_at INTEGER,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
) STRICT;

-- A question's suggestions, the open ones for moderators, a member's own.
CREATE INDEX suggestions_by_question ON suggestions (guide_id, question_id, created_at);
CREATE INDEX suggestions_by_state ON suggestions (state, created_at);
CREATE INDEX suggestions_by_author ON suggestions (author_id, created_at);

-- One vote per member and suggestion: +1 or -1.
CREATE TABLE suggestion_votes (
    suggestion_id INTEGER NOT NULL REFERENCES suggestions (id) ON DELETE CASCADE,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    value INTEGER NOT NULL,
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (suggestion_id, learner_id)
) STRICT, WITHOUT ROWID;

-- What a member is told in the app: replies to their threads, decisions on their
-- suggestions and flags, moderators' actions about them. `link` is a path of the site.
CREATE TABLE notifications (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    text TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    read_at INTEGER
) STRICT;

CREATE INDEX notifications_by_learner ON notifications (learner_id, id);
CREATE INDEX notifications_unread ON notifications (learner_id) WHERE read_at IS NULL;

-- Who shows something to everyone (a public profile, a place on the leaderboard): the
-- members with a setting of a given value.
CREATE INDEX learner_settings_by_name ON learner_settings (name, value);
