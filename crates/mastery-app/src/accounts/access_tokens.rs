//! Personal access tokens for the JSON API (`Authorization: Bearer …`): created by their
//! owner (account page or `mastery token create`), read-only or read-write, optionally
//! expiring, shown once and stored as SHA-256 digests (256 random bits: nothing to guess,
//! so a fast hash is right), revoked at any time, their last use recorded.
//!
//! A token is a way in to the API only: the web layer never lets one change the password,
//! two-factor sign-in or tokens (those are pages that need a signed-in browser session).

use mastery_storage::{Account, ApiToken, LearnerId, Millis, Storage, TokenScope};

use super::tokens;
use crate::AppError;

/// What a token starts with, so that people (and secret scanners) recognise one.
pub const PREFIX: &str = "mastery_pat_";

/// The last use is written at most this often (a minute).
pub const TOUCH_EVERY: Millis = 60_000;

/// How many live tokens an account may have.
pub const MOST_TOKENS: usize = 50;

/// A token just created, with its secret (shown once).
#[derive(Clone)]
pub struct NewToken {
    /// The stored record.
    pub token: ApiToken,
    /// The bearer token to give the client.
    pub secret: String,
}

impl std::fmt::Debug for NewToken {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewToken")
            .field("token", &self.token)
            .finish_non_exhaustive()
    }
}

/// Creates a token for the account.
///
/// # Errors
///
/// [`AppError::Invalid`] for an empty or long label, an expiry in the past, or too many
/// tokens.
pub async fn create(
    store: &dyn Storage,
    learner: LearnerId,
    label: &str,
    scope: TokenScope,
    expires_at: Option<Millis>,
    now: Millis,
) -> Result<NewToken, AppError> {
    let label = label.trim();
    if label.is_empty() || label.chars().count() > 100 {
        return Err(AppError::Field {
            field: "label",
            message: "Name the token (1 to 100 characters), for example what will use it.".into(),
        });
    }
    if expires_at.is_some_and(|e| e <= now) {
        return Err(AppError::Field {
            field: "expires",
            message: "A token must expire in the future.".into(),
        });
    }
    let live = store
        .api_tokens(learner)
        .await?
        .iter()
        .filter(|t| t.usable(now))
        .count();
    if live >= MOST_TOKENS {
        return Err(AppError::Field {
            field: "label",
            message: format!("You have {MOST_TOKENS} tokens: revoke one first."),
        });
    }
    let secret = format!("{PREFIX}{}", tokens::fresh_token()?);
    let mut token = ApiToken {
        id: 0,
        learner,
        token_hash: tokens::digest(&secret),
        label: label.to_owned(),
        scope,
        created_at: now,
        expires_at,
        last_used_at: None,
        revoked_at: None,
    };
    token.id = store.create_api_token(&token).await?;
    tracing::info!(
        learner = learner.0,
        token = token.id,
        "access token created"
    );
    Ok(NewToken { token, secret })
}

/// Whether `text` looks like a token [`create`] made (anything else is refused without a
/// lookup).
#[must_use]
pub fn looks_like_token(text: &str) -> bool {
    text.strip_prefix(PREFIX).is_some_and(tokens::is_token)
}

/// The token a bearer names and its account, if it is accepted at `now`: known, not
/// revoked or expired, its account enabled. Its last use is moved when older than
/// [`TOUCH_EVERY`]; the answer says whether that happened after a long pause (an hour),
/// which is worth a security event.
///
/// # Errors
///
/// Storage errors.
pub async fn authenticate(
    store: &dyn Storage,
    bearer: &str,
    now: Millis,
) -> Result<Option<(ApiToken, Account, bool)>, AppError> {
    if !looks_like_token(bearer) {
        return Ok(None);
    }
    let Some((token, account)) = store.api_token(&tokens::digest(bearer)).await? else {
        return Ok(None);
    };
    if !token.usable(now) || account.disabled_at.is_some() {
        return Ok(None);
    }
    let since = token.last_used_at.map(|at| now.saturating_sub(at));
    if since.is_none_or(|s| s >= TOUCH_EVERY) {
        store.touch_api_token(token.id, now).await?;
    }
    let worth_noting = since.is_none_or(|s| s >= 60 * TOUCH_EVERY);
    Ok(Some((token, account, worth_noting)))
}

/// Revokes one of the account's tokens.
///
/// # Errors
///
/// [`AppError::NotFound`] when the account has no such live token.
pub async fn revoke(
    store: &dyn Storage,
    learner: LearnerId,
    id: i64,
    now: Millis,
) -> Result<(), AppError> {
    if store.revoke_api_token(learner, id, now).await? {
        tracing::info!(learner = learner.0, token = id, "access token revoked");
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "you have no token numbered {id} that is not revoked"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_recognised_by_their_shape() {
        let t = format!("{PREFIX}{}", "a".repeat(64));
        assert!(looks_like_token(&t));
        assert!(!looks_like_token(&"a".repeat(64)));
        assert!(!looks_like_token(&format!("{PREFIX}xyz")));
    }
}
