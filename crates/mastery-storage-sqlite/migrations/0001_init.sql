-- Mastery's first schema: learners and what each one owns.
--
-- Conventions (mirrored by the PostgreSQL backend, which uses the same migration numbers):
--   * everything a learner owns is keyed by (learner_id, guide_id, question_id), never by a
--     question's position or title, so editing a guide never loses progress;
--   * times are INTEGER milliseconds since the Unix epoch, UTC (BIGINT in PostgreSQL);
--   * STRICT tables, so SQLite enforces column types the way PostgreSQL does;
--   * no CHECK constraints on values that may grow (learner kinds): SQLite cannot alter a
--     constraint without rebuilding the table, so such rules live in Rust.
-- Append-only: never edit this file once released; see README.md beside it.

CREATE TABLE learners (
    id INTEGER PRIMARY KEY,
    -- 'personal' for the single learner of personal mode; multi-user mode adds other kinds.
    kind TEXT NOT NULL DEFAULT 'personal',
    created_at INTEGER NOT NULL
) STRICT;

-- Personal mode has exactly one learner: the database itself refuses a second, which makes
-- "create it on first use" race-free (INSERT ... ON CONFLICT DO NOTHING, then SELECT).
CREATE UNIQUE INDEX learners_one_personal ON learners (kind) WHERE kind = 'personal';

-- Questions the learner ticked as mastered.
CREATE TABLE marks (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    marked_at INTEGER NOT NULL,
    PRIMARY KEY (learner_id, guide_id, question_id)
) STRICT, WITHOUT ROWID;

-- Private notes, Markdown as typed (at most 64 KiB, enforced in Rust).
CREATE TABLE notes (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    body TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (learner_id, guide_id, question_id)
) STRICT, WITHOUT ROWID;

-- Named secrets shared by every instance (the CSRF signing key, for example).
-- NOT NULL is spelled out: in a rowid table SQLite would otherwise accept a NULL key.
CREATE TABLE secrets (
    name TEXT NOT NULL PRIMARY KEY,
    value BLOB NOT NULL
) STRICT;
