//! Account security of multi-user mode: the limits every instance shares
//! ([`SecurityStorage::take_rates`], a generic cell rate algorithm kept in `rate_limits`),
//! two-factor sign-in ([`StoredTotp`] and recovery codes), personal access tokens
//! ([`ApiToken`]) and the security events an account is shown ([`SecurityEvent`]).
//!
//! As everywhere in this crate, secrets arrive as digests: recovery codes and access tokens
//! as SHA-256 (hex). The TOTP secret is the exception: checking a code needs it.

use crate::{Account, LearnerId, Millis, Result, StorageError, check_account_text};

/// One limit to take from: `burst` requests at once under `key`, then one more every
/// `interval_ms`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit<'a> {
    /// What is limited, for whom (`"sign-in-ip:203.0.113.7"`).
    pub key: &'a str,
    /// One more request every this many milliseconds.
    pub interval_ms: i64,
    /// Requests allowed at once.
    pub burst: i64,
}

/// An account's authenticator (TOTP, RFC 6238: SHA-1, 6 digits, 30-second steps).
#[derive(Clone, PartialEq, Eq)]
pub struct StoredTotp {
    /// Whose it is.
    pub learner: LearnerId,
    /// The shared secret, base32 (RFC 4648, no padding).
    pub secret: String,
    /// When enrolment began.
    pub created_at: Millis,
    /// When the owner confirmed it with a code; `None` while enrolling.
    pub enabled_at: Option<Millis>,
    /// The last step whose code was accepted (codes of this step and earlier are refused).
    pub last_step: i64,
}

impl std::fmt::Debug for StoredTotp {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredTotp")
            .field("learner", &self.learner)
            .field("enabled_at", &self.enabled_at)
            .field("last_step", &self.last_step)
            .finish_non_exhaustive()
    }
}

/// What a personal access token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    /// Reads only (GET).
    Read,
    /// Reads and writes.
    Write,
}

impl TokenScope {
    /// Its stored (and command-line) name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    /// The scope of a stored name.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<TokenScope> {
        match name {
            "read" => Ok(TokenScope::Read),
            "write" => Ok(TokenScope::Write),
            other => Err(StorageError::Invalid(format!(
                "a token's scope is read or write, not {other:?}"
            ))),
        }
    }
}

/// A personal access token's record (the token itself is shown once and never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    /// Its number, for listing and revoking.
    pub id: i64,
    /// Whose it is.
    pub learner: LearnerId,
    /// The SHA-256 digest (hex) of the token.
    pub token_hash: String,
    /// A label its owner chose ("backup script").
    pub label: String,
    /// What it may do.
    pub scope: TokenScope,
    /// When it was created.
    pub created_at: Millis,
    /// After this it is refused; `None`: never expires.
    pub expires_at: Option<Millis>,
    /// When it was last used (updated at most once a minute).
    pub last_used_at: Option<Millis>,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Millis>,
}

impl ApiToken {
    /// Whether it is accepted at `now`.
    #[must_use]
    pub fn usable(&self, now: Millis) -> bool {
        self.revoked_at.is_none() && self.expires_at.is_none_or(|e| now < e)
    }

    /// Its state at `now` in a word: `revoked`, `expired` or `active`.
    #[must_use]
    pub fn status(&self, now: Millis) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.is_some_and(|e| now >= e) {
            "expired"
        } else {
            "active"
        }
    }

    /// Checks its digest and label with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("a token digest", &self.token_hash)?;
        check_account_text("a token label", &self.label)
    }
}

/// Something that happened to an account's security.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityEvent {
    /// Its number (ignored when recording).
    pub id: i64,
    /// Whose account.
    pub learner: LearnerId,
    /// When.
    pub at: Millis,
    /// What (`sign-in`, `sign-in-failed`, ...; the words live in `mastery-app`).
    pub kind: String,
    /// The client's address (IPv6 by its /64), or empty.
    pub client: String,
    /// The browser and system, or a token's label, or empty.
    pub device: String,
}

impl SecurityEvent {
    /// Checks its text fields with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("an event kind", &self.kind)?;
        check_account_text("an event's client", &self.client)?;
        check_account_text("an event's device", &self.device)
    }
}

/// What a link sent by e-mail is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkPurpose {
    /// Proves that the account's owner reads this address.
    Verify,
    /// Sets a new password for someone who forgot theirs.
    Reset,
}

impl LinkPurpose {
    /// As stored.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            LinkPurpose::Verify => "verify",
            LinkPurpose::Reset => "reset",
        }
    }
}

/// A link sent by e-mail (the token itself is sent once and never stored).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailLink {
    /// The SHA-256 digest (hex) of the token.
    pub token_hash: String,
    /// Whose account it is for.
    pub learner: LearnerId,
    /// What it does.
    pub purpose: LinkPurpose,
    /// The folded address it was sent to.
    pub email_key: String,
    /// When it was sent.
    pub created_at: Millis,
    /// After this it is refused.
    pub expires_at: Millis,
}

/// The limits, second factors, tokens and events of accounts: the part of
/// [`crate::Storage`] that keeps accounts safe. Every method is one transaction.
#[async_trait::async_trait]
pub trait SecurityStorage: Send + Sync {
    /// Takes one request from every limit of `limits` at once, shared by every instance
    /// (a generic cell rate algorithm per key): either all allow it and each is taken, or
    /// nothing is taken and the answer names the limit that refuses longest (its index in
    /// `limits`) and how many milliseconds to wait. None when allowed.
    async fn take_rates(
        &self,
        limits: &[RateLimit<'_>],
        now: Millis,
    ) -> Result<Option<(usize, i64)>>;

    /// Takes one request from the limit named `key` (see [`Self::take_rates`]): `burst`
    /// requests at once and one more every `interval_ms`. None when allowed; else how
    /// many milliseconds to wait.
    async fn take_rate(
        &self,
        key: &str,
        now: Millis,
        interval_ms: i64,
        burst: i64,
    ) -> Result<Option<i64>> {
        self.take_rates(
            &[RateLimit {
                key,
                interval_ms,
                burst,
            }],
            now,
        )
        .await
        .map(|refused| refused.map(|(_, wait)| wait))
    }

    /// Forgets these limits (full again at once): a right password clears the failures
    /// counted against an account.
    async fn clear_rates(&self, keys: &[&str]) -> Result<()>;

    /// Forgets the limits that are full again at `now`; how many.
    async fn sweep_rates(&self, now: Millis) -> Result<u64>;

    /// The account's authenticator, enabled or being enrolled.
    async fn totp(&self, learner: LearnerId) -> Result<Option<StoredTotp>>;

    /// Starts (or starts again) enrolling an authenticator with this secret. Refused with
    /// [`StorageError::Invalid`] when one is enabled already.
    async fn begin_totp(&self, learner: LearnerId, secret: &str, at: Millis) -> Result<()>;

    /// Enables the authenticator being enrolled (its code of `step` was typed) and replaces
    /// the recovery codes with these digests. Whether one was being enrolled.
    async fn enable_totp(
        &self,
        learner: LearnerId,
        step: i64,
        recovery_hashes: &[String],
        at: Millis,
    ) -> Result<bool>;

    /// Accepts the code of `step` once: true when the authenticator is enabled and no code
    /// of this step or a later one was accepted before (then this step is recorded).
    async fn use_totp_step(&self, learner: LearnerId, step: i64) -> Result<bool>;

    /// Uses a recovery code once: true when it was the account's and unused.
    async fn use_recovery_code(
        &self,
        learner: LearnerId,
        code_hash: &str,
        at: Millis,
    ) -> Result<bool>;

    /// How many of the account's recovery codes are unused.
    async fn recovery_codes_left(&self, learner: LearnerId) -> Result<i64>;

    /// Removes the authenticator and the recovery codes. Whether there was one.
    async fn disable_totp(&self, learner: LearnerId) -> Result<bool>;

    /// Stores a new access token (its `id` is ignored) and returns its number.
    async fn create_api_token(&self, token: &ApiToken) -> Result<i64>;

    /// The account's access tokens, newest first.
    async fn api_tokens(&self, learner: LearnerId) -> Result<Vec<ApiToken>>;

    /// The access token with this digest, with its account.
    async fn api_token(&self, token_hash: &str) -> Result<Option<(ApiToken, Account)>>;

    /// Records that a token was used at `at`.
    async fn touch_api_token(&self, id: i64, at: Millis) -> Result<()>;

    /// Revokes one of the account's tokens. Whether it existed, was theirs and was not
    /// revoked yet.
    async fn revoke_api_token(&self, learner: LearnerId, id: i64, at: Millis) -> Result<bool>;

    /// Records a security event (its `id` is ignored), and keeps only the account's
    /// `keep` most recent events.
    async fn record_security_event(&self, event: &SecurityEvent, keep: i64) -> Result<()>;

    /// The account's most recent security events, newest first, at most `limit`.
    async fn security_events(&self, learner: LearnerId, limit: i64) -> Result<Vec<SecurityEvent>>;

    /// Stores a link sent by e-mail.
    async fn create_email_link(&self, link: &EmailLink) -> Result<()>;

    /// The link with this digest and purpose, when it is unused and has not expired at
    /// `at` (it stays unused).
    async fn email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>>;

    /// Uses the link with this digest and purpose once: the link, when it existed, was
    /// unused and had not expired at `at`. Every other unused link of the same account and
    /// purpose is used up with it (the newest link sent is not the only one that works,
    /// but once one worked, none does).
    async fn use_email_link(
        &self,
        token_hash: &str,
        purpose: LinkPurpose,
        at: Millis,
    ) -> Result<Option<EmailLink>>;

    /// Records that the account's owner proved they read the address with this folded key.
    async fn set_email_verified(
        &self,
        learner: LearnerId,
        email_key: &str,
        at: Millis,
    ) -> Result<()>;

    /// The folded key of the address the account verified last, if any.
    async fn verified_email(&self, learner: LearnerId) -> Result<Option<String>>;
}

/// The GCRA step of [`SecurityStorage::take_rates`], shared by the backends: from the
/// stored theoretical arrival time (if any), the new one, or how long to wait.
#[must_use]
pub fn gcra(stored: Option<Millis>, now: Millis, interval_ms: i64, burst: i64) -> GcraStep {
    let interval = interval_ms.max(1);
    let tolerance = interval.saturating_mul(burst.max(1) - 1);
    let tat = stored.map_or(now, |t| t.max(now));
    let ahead = tat - now;
    if ahead > tolerance {
        GcraStep::Wait(ahead - tolerance)
    } else {
        GcraStep::Allow(tat.saturating_add(interval))
    }
}

/// What [`gcra`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GcraStep {
    /// Allowed: store this arrival time.
    Allow(Millis),
    /// Refused: wait this many milliseconds.
    Wait(i64),
}

/// The longest key of a limit, in bytes.
pub const MAX_RATE_KEY_BYTES: usize = 200;

/// Checks a limit's key: no NUL, at most [`MAX_RATE_KEY_BYTES`].
///
/// # Errors
///
/// [`StorageError::Invalid`].
pub fn check_rate_key(key: &str) -> Result<()> {
    if key.len() > MAX_RATE_KEY_BYTES {
        return Err(StorageError::Invalid(format!(
            "a limit's key may be at most {MAX_RATE_KEY_BYTES} bytes"
        )));
    }
    crate::check_text("a limit's key", key)
}

/// What [`SecurityStorage::begin_totp`] answers when `begun` is false (one is enabled).
///
/// # Errors
///
/// [`StorageError::Invalid`] when not `begun`.
pub fn enabled_already(begun: bool) -> Result<()> {
    if begun {
        Ok(())
    } else {
        Err(StorageError::Invalid(
            "two-factor sign-in is on already: turn it off first".into(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gcra_allows_a_burst_then_one_per_interval() {
        let mut tat = None;
        let now = 1_000_000;
        for _ in 0..3 {
            match gcra(tat, now, 1000, 3) {
                GcraStep::Allow(t) => tat = Some(t),
                GcraStep::Wait(w) => panic!("refused within the burst, wait {w}"),
            }
        }
        assert_eq!(gcra(tat, now, 1000, 3), GcraStep::Wait(1000));
        assert_eq!(gcra(tat, now + 400, 1000, 3), GcraStep::Wait(600));
        assert!(matches!(gcra(tat, now + 1000, 1000, 3), GcraStep::Allow(_)));
        // A long pause refills the whole burst, no more.
        let later = now + 1_000_000;
        let mut t = tat;
        for _ in 0..3 {
            match gcra(t, later, 1000, 3) {
                GcraStep::Allow(n) => t = Some(n),
                GcraStep::Wait(_) => panic!("the burst was not refilled"),
            }
        }
        assert!(matches!(gcra(t, later, 1000, 3), GcraStep::Wait(_)));
    }

    #[test]
    fn scopes_round_trip_and_tokens_expire() {
        for scope in [TokenScope::Read, TokenScope::Write] {
            assert_eq!(TokenScope::parse(scope.as_str()).unwrap(), scope);
        }
        assert!(TokenScope::parse("admin").is_err());
        let mut token = ApiToken {
            id: 1,
            learner: LearnerId(1),
            token_hash: "h".into(),
            label: String::new(),
            scope: TokenScope::Read,
            created_at: 0,
            expires_at: Some(100),
            last_used_at: None,
            revoked_at: None,
        };
        assert!(token.usable(99) && !token.usable(100));
        assert_eq!(token.status(100), "expired");
        token.revoked_at = Some(1);
        assert_eq!(token.status(0), "revoked");
    }
}
