//! Single sign-on of multi-user mode (OpenID Connect): the identities at a provider that
//! sign in to accounts ([`SsoIdentity`]) and the sign-ins sent to the provider and not back
//! yet ([`SsoPending`]).
//!
//! The `state` of a pending sign-in arrives as its SHA-256 digest (hex), like every token in
//! this crate; the browser's session id too.

use crate::{LearnerId, Millis, NewAccount, Result, check_account_text};

/// An identity at an OpenID provider, linked to an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoIdentity {
    /// The provider's issuer URL, as its ID tokens name it.
    pub issuer: String,
    /// The provider's stable identifier of the person (`sub`).
    pub subject: String,
    /// The account it signs in to.
    pub learner: LearnerId,
    /// When it was linked.
    pub created_at: Millis,
    /// When it last signed in.
    pub last_used_at: Millis,
}

impl SsoIdentity {
    /// Checks its text fields with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`crate::StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("an issuer", &self.issuer)?;
        check_account_text("a subject", &self.subject)
    }
}

/// A sign-in sent to the provider: what the answer must match.
#[derive(Clone, PartialEq, Eq)]
pub struct SsoPending {
    /// The SHA-256 digest (hex) of the `state` sent to the provider.
    pub state_hash: String,
    /// The SHA-256 digest (hex) of the browser's session id: only it may finish.
    pub browser_hash: String,
    /// The nonce the ID token must carry.
    pub nonce: String,
    /// The PKCE code verifier (RFC 7636) to send with the code.
    pub verifier: String,
    /// The redirect URL sent to the provider (sent again with the code).
    pub redirect_url: String,
    /// Where to go once signed in (a local path).
    pub next: String,
    /// After this it is refused.
    pub expires_at: Millis,
}

impl std::fmt::Debug for SsoPending {
    /// Never prints the nonce or the verifier.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SsoPending")
            .field("redirect_url", &self.redirect_url)
            .field("next", &self.next)
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

impl SsoPending {
    /// Checks its text fields with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`crate::StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("a state digest", &self.state_hash)?;
        check_account_text("a browser digest", &self.browser_hash)?;
        check_account_text("a nonce", &self.nonce)?;
        check_account_text("a code verifier", &self.verifier)?;
        check_account_text("a redirect URL", &self.redirect_url)?;
        check_account_text("a next page", &self.next)
    }
}

/// The single sign-on part of [`crate::Storage`]. Every method is one transaction.
#[async_trait::async_trait]
pub trait SingleSignOnStorage: Send + Sync {
    /// Stores a sign-in sent to the provider; forgets those expired at `now` in the same
    /// transaction.
    async fn save_sso_pending(&self, pending: &SsoPending, now: Millis) -> Result<()>;

    /// Takes (deletes) the pending sign-in of this state digest: a state is used once.
    /// `None` when there is none or it expired at `now`.
    async fn take_sso_pending(&self, state_hash: &str, now: Millis) -> Result<Option<SsoPending>>;

    /// The identity of a subject at an issuer, if it is linked to an account.
    async fn sso_identity(&self, issuer: &str, subject: &str) -> Result<Option<SsoIdentity>>;

    /// Links an identity to its account. Returns `false` (and changes nothing) when that
    /// identity is linked already, to this account or another.
    async fn link_sso_identity(&self, identity: &SsoIdentity) -> Result<bool>;

    /// Creates an account and links an identity to it, in one transaction: either both
    /// exist afterwards or neither. Errors as
    /// [`crate::AccountStorage::create_account`]; [`crate::StorageError::Invalid`] when the
    /// identity is linked already (another first sign-in won the race).
    async fn create_sso_account(
        &self,
        new: &NewAccount<'_>,
        identity: &SsoIdentity,
    ) -> Result<LearnerId>;

    /// Notes a sign-in with the identity.
    async fn touch_sso_identity(&self, issuer: &str, subject: &str, at: Millis) -> Result<()>;

    /// The identities linked to an account, oldest first.
    async fn sso_identities(&self, learner: LearnerId) -> Result<Vec<SsoIdentity>>;
}
