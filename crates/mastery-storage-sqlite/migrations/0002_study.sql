-- Spaced repetition: each learner's card states, the review log, and learner settings.
--
-- Same conventions as 0001 (keys by (learner_id, guide_id, question_id), INTEGER
-- milliseconds, STRICT tables, value rules in Rust). A card is stored as explicit columns,
-- also inside the review log (before_* and after_*), so that SQL exports and the PostgreSQL
-- mirror need no JSON. REAL is an 8-byte IEEE double (DOUBLE PRECISION in PostgreSQL):
-- f64 values round-trip exactly, except that -0.0 reads back as 0.0 (SQLite stores an
-- integral REAL as an integer); NaN and infinities are refused in Rust.
-- Append-only: never edit this file once released; see README.md beside it.

-- The scheduling state of each question a learner has reviewed (no row: new).
CREATE TABLE cards (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    -- 'new', 'learning', 'review' or 'relearning' (checked in Rust).
    phase TEXT NOT NULL,
    step INTEGER NOT NULL,
    stability REAL,
    difficulty REAL,
    due INTEGER NOT NULL,
    last_review INTEGER,
    reps INTEGER NOT NULL,
    lapses INTEGER NOT NULL,
    PRIMARY KEY (learner_id, guide_id, question_id)
) STRICT, WITHOUT ROWID;

-- "What is due now" for one learner.
CREATE INDEX cards_by_due ON cards (learner_id, due);

-- Every review, append-only except for undo (which deletes the latest) and forget.
CREATE TABLE reviews (
    -- Alias of the rowid: each new row gets the highest + 1, so it orders reviews recorded
    -- at the same time (the number of an undone latest review may be given again).
    seq INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    -- Chosen by the client so that a retried request is recorded once.
    review_id TEXT NOT NULL,
    guide_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    -- 1 again, 2 hard, 3 good, 4 easy.
    rating INTEGER NOT NULL,
    reviewed_at INTEGER NOT NULL,
    elapsed_days REAL NOT NULL,
    scheduled_days REAL NOT NULL,
    time_spent_ms INTEGER NOT NULL,
    -- The card as it was shown; all NULL when it was new.
    before_phase TEXT,
    before_step INTEGER,
    before_stability REAL,
    before_difficulty REAL,
    before_due INTEGER,
    before_last_review INTEGER,
    before_reps INTEGER,
    before_lapses INTEGER,
    -- The card after the rating.
    after_phase TEXT NOT NULL,
    after_step INTEGER NOT NULL,
    after_stability REAL,
    after_difficulty REAL,
    after_due INTEGER NOT NULL,
    after_last_review INTEGER,
    after_reps INTEGER NOT NULL,
    after_lapses INTEGER NOT NULL,
    UNIQUE (learner_id, review_id),
    -- A shape rule, not a value rule: the before card is there entirely or not at all.
    CHECK (
        (before_phase IS NULL AND before_step IS NULL AND before_stability IS NULL
            AND before_difficulty IS NULL AND before_due IS NULL
            AND before_last_review IS NULL AND before_reps IS NULL AND before_lapses IS NULL)
        OR (before_phase IS NOT NULL AND before_step IS NOT NULL AND before_due IS NOT NULL
            AND before_reps IS NOT NULL AND before_lapses IS NOT NULL)
    )
) STRICT;

-- Chronological reads and "the latest review" (the rowid, seq, breaks ties in the index).
CREATE INDEX reviews_by_time ON reviews (learner_id, reviewed_at);

-- Small named values per learner (desired retention, daily limits, interview date, personal
-- FSRS parameters as JSON): names of 1..=64 of [a-z0-9_.-], values up to 16 KiB (Rust).
-- A rowid table: values can be kilobytes, which WITHOUT ROWID stores poorly.
CREATE TABLE learner_settings (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (learner_id, name)
) STRICT;
