-- Multi-user mode's e-mail, when the server is given an SMTP server: which address of an
-- account was verified, and the single-use links sent by e-mail (verify an address, reset
-- a forgotten password).
--
-- Same conventions as 0004 (INTEGER milliseconds, STRICT tables, value rules in Rust).
-- Everything here belongs to an account's learner and goes with it (ON DELETE CASCADE).
-- Links are stored as SHA-256 digests (hex) of their 256-bit random token only.
-- Append-only: never edit this file once released; see README.md beside it.

-- The address verified last, by its folded key: the account's address is verified while
-- its key is this one (changing the address makes it unverified again).
CREATE TABLE email_verifications (
    learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    email_key TEXT NOT NULL,
    verified_at INTEGER NOT NULL
) STRICT;

-- Links sent by e-mail: each works once, until it expires.
CREATE TABLE email_links (
    token_hash TEXT PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    -- 'verify' or 'reset' (checked in Rust).
    purpose TEXT NOT NULL,
    -- The folded address the link was sent to.
    email_key TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT, WITHOUT ROWID;

CREATE INDEX email_links_by_learner ON email_links (learner_id, purpose);
