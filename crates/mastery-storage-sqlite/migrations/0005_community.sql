-- Multi-user mode's community: discussion threads on the guides' questions, their posts
-- with edit history, votes, flags, moderation, and the limits per action that every
-- instance shares.
--
-- Same conventions as 0001 to 0004 (INTEGER milliseconds, STRICT tables, value rules in
-- Rust). Threads are kept by guide and question ids, not by a reference to a loaded guide,
-- so a question that a guide drops keeps its discussion. Deleting an account keeps its
-- posts without an author (ON DELETE SET NULL); its votes go with it.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE threads (
    id INTEGER PRIMARY KEY,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    title TEXT NOT NULL,
    -- Set in the transaction that creates the thread and its first post.
    opening_post_id INTEGER,
    created_at INTEGER NOT NULL,
    -- The last visible post: "last activity".
    last_post_at INTEGER NOT NULL,
    locked_at INTEGER
) STRICT;

-- A question's threads, newest first.
CREATE INDEX threads_by_question ON threads (guide_id, question_id, created_at);

CREATE TABLE posts (
    id INTEGER PRIMARY KEY,
    thread_id INTEGER NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
    author_id INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    -- The Markdown as typed, and the sanitised HTML made of it by mastery-app.
    body TEXT NOT NULL,
    html TEXT NOT NULL,
    -- 'pending', 'visible', 'hidden', 'deleted' or 'rejected' (checked in Rust).
    state TEXT NOT NULL,
    -- Why a moderator hid or rejected it.
    reason TEXT,
    -- Votes up minus votes down, kept with each vote.
    score INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    edited_at INTEGER,
    -- When it was first shown to everyone: a new member's approved posts.
    approved_at INTEGER
) STRICT;

CREATE INDEX posts_by_thread ON posts (thread_id, id);
CREATE INDEX posts_by_author ON posts (author_id, approved_at);
-- The moderation queue's pending posts.
CREATE INDEX posts_pending ON posts (state) WHERE state = 'pending';

-- Earlier versions of edited posts.
CREATE TABLE post_revisions (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    number INTEGER NOT NULL,
    body TEXT NOT NULL,
    written_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, number)
) STRICT, WITHOUT ROWID;

-- One vote per member and post: +1 or -1.
CREATE TABLE votes (
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    value INTEGER NOT NULL,
    voted_at INTEGER NOT NULL,
    PRIMARY KEY (post_id, learner_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX votes_by_learner ON votes (learner_id);

CREATE TABLE flags (
    id INTEGER PRIMARY KEY,
    post_id INTEGER NOT NULL REFERENCES posts (id) ON DELETE CASCADE,
    learner_id INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    -- The community rule broken, as the rules named it when the flag was raised.
    rule TEXT NOT NULL,
    detail TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    resolved_at INTEGER
) STRICT;

-- One open flag per member and post; the queue of open flags.
CREATE UNIQUE INDEX flags_open_once ON flags (post_id, learner_id) WHERE resolved_at IS NULL;
CREATE INDEX flags_open ON flags (resolved_at, created_at);

-- Every moderator action. No references: the log outlives the posts, threads and
-- accounts it names, and keeps their names as they were.
CREATE TABLE moderation_log (
    id INTEGER PRIMARY KEY,
    at INTEGER NOT NULL,
    moderator_id INTEGER,
    moderator_name TEXT NOT NULL,
    action TEXT NOT NULL,
    thread_id INTEGER,
    post_id INTEGER,
    member_id INTEGER,
    member_name TEXT,
    reason TEXT NOT NULL,
    until_at INTEGER
) STRICT;

-- A suspended member reads and writes nothing until `until_at`.
CREATE TABLE suspensions (
    learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    until_at INTEGER NOT NULL,
    reason TEXT NOT NULL,
    -- The role of who set it: a moderator cannot change an admin's suspension.
    by_role TEXT NOT NULL
) STRICT;

-- Limits per action shared by every instance: the theoretical arrival time of the
-- generic cell rate algorithm, per key ("post:42", "vote:42"…).
CREATE TABLE rate_limits (
    key TEXT NOT NULL PRIMARY KEY,
    tat INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
