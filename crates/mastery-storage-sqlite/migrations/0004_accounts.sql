-- Multi-user mode: accounts, their server-side sessions, the invitations that admit new
-- accounts, and the settings of the whole site.
--
-- Same conventions as 0001 to 0003 (INTEGER milliseconds, STRICT tables, value rules in
-- Rust). An account is a learner (kind 'account') with a row in `accounts`: everything the
-- learner owns, sessions included, goes with the learner (ON DELETE CASCADE). Secrets are
-- never stored in the clear: passwords as argon2id PHC strings, session ids and invitation
-- tokens as SHA-256 digests (hex), so a copy of the database signs nobody in.
-- Append-only: never edit this file once released; see README.md beside it.

-- Who may sign in. The learner id is the account's id: one account per learner.
CREATE TABLE accounts (
    learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    -- The public handle as typed, and folded for comparison (case, confusables) by
    -- mastery-app: the folded key is what must be unique.
    username TEXT NOT NULL,
    username_key TEXT NOT NULL,
    -- The private e-mail address as typed, and folded; both NULL when there is none.
    email TEXT,
    email_key TEXT,
    password_hash TEXT NOT NULL,
    -- 'learner', 'moderator' or 'admin' (checked in Rust: roles may be added).
    role TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    password_changed_at INTEGER NOT NULL,
    -- Set by an admin; a disabled account cannot sign in.
    disabled_at INTEGER
) STRICT;

-- Sign-in by username or e-mail address; the index names tell storage which value is
-- taken when an insert or update breaks one (NULL e-mail keys never collide).
CREATE UNIQUE INDEX accounts_username_key ON accounts (username_key);
CREATE UNIQUE INDEX accounts_email_key ON accounts (email_key);

-- Signed-in browsers and clients, by the digest of the id in their cookie.
CREATE TABLE sessions (
    id_hash TEXT NOT NULL PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    -- The last request seen (moved at most once a minute): the idle timeout.
    last_seen_at INTEGER NOT NULL,
    -- A short description (browser and system), for "my sessions".
    device TEXT NOT NULL
) STRICT, WITHOUT ROWID;

-- "My sessions", most recently seen first; ending a learner's sessions.
CREATE INDEX sessions_by_learner ON sessions (learner_id, last_seen_at);
-- Ending the sessions idle for too long.
CREATE INDEX sessions_by_last_seen ON sessions (last_seen_at);

-- Invitation links. Never deleted, only revoked, so their numbers are never given again.
CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    -- Chosen by the admin ("cohort 12").
    label TEXT NOT NULL,
    -- The admin who created it; NULL from the command line, or once that admin is deleted.
    created_by INTEGER REFERENCES learners (id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- How many accounts it may admit, and how many it has (one use is taken in the
    -- transaction that creates the account).
    max_uses INTEGER NOT NULL,
    uses INTEGER NOT NULL,
    revoked_at INTEGER
) STRICT;

-- Named values of the whole site, changed by an admin (registration mode, private site):
-- names of 1..=64 of [a-z0-9_.-], values up to 16 KiB (Rust), as learner settings.
CREATE TABLE site_settings (
    name TEXT NOT NULL PRIMARY KEY,
    value TEXT NOT NULL
) STRICT;
