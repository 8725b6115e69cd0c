-- Multi-user mode's single sign-on with OpenID Connect: the provider identities linked to
-- accounts, and the sign-ins under way between the redirect to the provider and its
-- answer. The mirror of the SQLite backend's 0009_single_sign_on.sql.
--
-- Same conventions as 0004 (BIGINT milliseconds, COLLATE "C" keys, value rules in Rust).
-- Append-only: never edit this file once released; see README.md beside it.

-- An identity at a provider (its issuer URL and the subject it gives the person) that
-- signs in to an account. One identity has one account; an account may have several.
CREATE TABLE sso_identities (
    issuer TEXT COLLATE "C" NOT NULL,
    subject TEXT COLLATE "C" NOT NULL,
    learner_id BIGINT NOT NULL REFERENCES learners (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    last_used_at BIGINT NOT NULL,
    PRIMARY KEY (issuer, subject)
);

CREATE INDEX sso_identities_by_learner ON sso_identities (learner_id);

-- A sign-in sent to the provider and not back yet: found by the SHA-256 digest (hex) of
-- its `state`, taken (deleted) when the browser comes back, refused after `expires_at`.
-- `browser_hash` is the digest of the browser's session id: another browser cannot finish
-- it. The nonce and the PKCE verifier live only here, for minutes.
CREATE TABLE sso_pending (
    state_hash TEXT COLLATE "C" PRIMARY KEY,
    browser_hash TEXT COLLATE "C" NOT NULL,
    nonce TEXT NOT NULL,
    verifier TEXT NOT NULL,
    redirect_url TEXT NOT NULL,
    next TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sso_pending_by_expiry ON sso_pending (expires_at);
