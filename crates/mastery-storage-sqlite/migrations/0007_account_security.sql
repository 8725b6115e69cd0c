-- Multi-user mode's account security: two-factor sign-in (TOTP) with its recovery codes,
-- personal access tokens for the JSON API, and the security events each account sees.
--
-- Same conventions as 0004 (INTEGER milliseconds, STRICT tables, value rules in Rust).
-- Everything here belongs to an account's learner and goes with it (ON DELETE CASCADE).
-- Recovery codes and access tokens are stored as SHA-256 digests (hex) only. The TOTP
-- secret is stored as it is: checking a code needs it.
-- Append-only: never edit this file once released; see README.md beside it.

-- An account's authenticator: pending (enabled_at NULL) while the owner enrols.
CREATE TABLE totp (
    learner_id INTEGER PRIMARY KEY REFERENCES learners (id) ON DELETE CASCADE,
    -- The shared secret, base32 (RFC 4648, no padding).
    secret TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    enabled_at INTEGER,
    -- The last 30-second step whose code was accepted: a code is accepted once.
    last_step INTEGER NOT NULL
) STRICT;

-- Single-use recovery codes, by digest.
CREATE TABLE recovery_codes (
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    code_hash TEXT NOT NULL,
    used_at INTEGER,
    PRIMARY KEY (learner_id, code_hash)
) STRICT, WITHOUT ROWID;

-- Personal access tokens for the JSON API (`Authorization: Bearer`).
CREATE TABLE api_tokens (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    label TEXT NOT NULL,
    -- 'read' or 'write' (checked in Rust).
    scope TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER,
    last_used_at INTEGER,
    revoked_at INTEGER
) STRICT;

CREATE INDEX api_tokens_by_learner ON api_tokens (learner_id, created_at);

-- What happened to an account's security: sign-ins, failures, lock-outs, changes of the
-- password, the second factor and tokens. Never a secret.
CREATE TABLE security_events (
    id INTEGER PRIMARY KEY,
    learner_id INTEGER NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    at INTEGER NOT NULL,
    -- 'sign-in', 'sign-in-failed', 'locked-out', ... (checked in Rust).
    kind TEXT NOT NULL,
    -- The client's address (IPv6 by its /64), or empty.
    client TEXT NOT NULL,
    -- The browser and system, or the token's label, or empty.
    device TEXT NOT NULL
) STRICT;

CREATE INDEX security_events_by_learner ON security_events (learner_id, at);
