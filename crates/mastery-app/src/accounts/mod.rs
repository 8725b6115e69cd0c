//! Accounts of multi-user mode: signing up and in, sessions, passwords, roles, invitations,
//! the site's registration rules, and a learner's own data.
//!
//! [`Accounts`] holds the rules ([`AccountPolicy`]) and the password hasher; each operation
//! takes the store and the time. Hashing (argon2id, tens of milliseconds and 19 MiB each)
//! runs on tokio's blocking threads, at most [`HASHING_AT_ONCE`] at a time, so a burst of
//! sign-ins neither stalls the web server nor exhausts memory.
//!
//! - [`names`]: usernames, e-mail addresses and their folded keys;
//! - [`password`]: the password rules and hashing;
//! - [`tokens`]: session, invitation and setup tokens and their digests;
//! - [`site`]: registration mode and the private-site switch;
//! - [`your_data`]: everything about a learner, as a versioned JSON document;
//! - [`limits`]: attempt limits shared by every instance (sign-in, sign-up, invitations,
//!   second factor, access tokens);
//! - [`two_factor`]: two-factor sign-in (TOTP) and recovery codes;
//! - [`access_tokens`]: personal access tokens for the JSON API;
//! - [`events`]: the security events each account is shown;
//! - [`email`]: verifying addresses, password-reset links and notices, when the server
//!   has an SMTP server.
//! - [`single_sign_on`]: signing in with an OpenID provider, linking and creating accounts.

pub mod access_tokens;
pub mod email;
pub mod events;
pub mod limits;
pub mod names;
pub mod password;
pub mod single_sign_on;
pub mod site;
pub mod tokens;
pub mod two_factor;
pub mod your_data;

use std::sync::Arc;

use mastery_storage::{
    Account, Admission, Invite, LearnerId, Millis, NewAccount, Role, Storage, StorageError,
    StoredSession, Taken,
};
use tokio::sync::{OnceCell, Semaphore};

use crate::AppError;
use password::{Hasher, PasswordRules};
pub use site::{Registration, Site};

/// How many passwords are hashed at once, at most (each takes 19 MiB).
pub const HASHING_AT_ONCE: usize = 4;

/// A session's `last_seen_at` is written at most this often (a minute), so browsing costs
/// one read a request, not a write.
pub const TOUCH_EVERY: Millis = 60_000;

/// Revokes every usable access token of the account.
async fn revoke_tokens(
    store: &dyn Storage,
    learner: LearnerId,
    now: Millis,
) -> Result<(), AppError> {
    for token in store.api_tokens(learner).await? {
        if token.usable(now) {
            store.revoke_api_token(learner, token.id, now).await?;
        }
    }
    Ok(())
}

/// The name of the setup token in the secrets table.
const SETUP_SECRET: &str = "setup-token";

const DAY: Millis = 24 * 60 * 60 * 1000;

/// The longest sign-in name looked up, in bytes (an e-mail address has at most 254).
pub const MAX_LOGIN_BYTES: usize = 320;
/// The longest password verified, in bytes (1024 characters of at most 4 bytes).
pub const MAX_PASSWORD_BYTES: usize = 4 * password::MAX_PASSWORD_CHARS;

/// How long a sign-in waits for a free hashing slot before the server says it is busy.
pub const HASHING_WAIT: std::time::Duration = std::time::Duration::from_secs(5);

/// The one answer to a failed sign-in, whether or not the account exists.
pub const SIGN_IN_FAILED: &str = "Wrong username or password.";

/// The rules of accounts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountPolicy {
    /// What a new password must meet.
    pub passwords: PasswordRules,
    /// A session unused this long ends (the idle timeout).
    pub session_idle: Millis,
    /// A session ends this long after sign-in, used or not (the absolute lifetime).
    pub session_lifetime: Millis,
}

impl Default for AccountPolicy {
    fn default() -> Self {
        Self {
            passwords: PasswordRules::default(),
            session_idle: 3 * DAY,
            session_lifetime: 30 * DAY,
        }
    }
}

/// What someone fills in to create an account.
#[derive(Clone, Copy)]
pub struct SignUp<'a> {
    /// The username as typed.
    pub username: &'a str,
    /// The e-mail address as typed (empty: none).
    pub email: &'a str,
    /// The password.
    pub password: &'a str,
}

impl std::fmt::Debug for SignUp<'_> {
    /// Never prints the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SignUp")
            .field("username", &self.username)
            .finish_non_exhaustive()
    }
}

/// A signed-in session: its stored record and its account.
#[derive(Debug, Clone)]
pub struct SignedIn {
    /// The session.
    pub session: StoredSession,
    /// Its account.
    pub account: Account,
    /// The learner's data revision when the session was read (the key of the pages kept
    /// for this learner; [`Storage::data_revision`]); `None` when it was not read with the
    /// session (an access token).
    pub data_revision: Option<i64>,
}

/// An invitation just created, with its token (shown once: only its digest is stored).
#[derive(Clone)]
pub struct NewInvite {
    /// The stored record.
    pub invite: Invite,
    /// The token for the link.
    pub token: String,
}

impl std::fmt::Debug for NewInvite {
    /// Never prints the token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewInvite")
            .field("invite", &self.invite)
            .finish_non_exhaustive()
    }
}

/// The account service: rules and hasher.
#[derive(Debug, Clone)]
pub struct Accounts {
    policy: AccountPolicy,
    hasher: Hasher,
    gate: Arc<Semaphore>,
    /// The hash verified when a sign-in names no account, so that it takes as long.
    decoy: Arc<OnceCell<String>>,
}

impl Accounts {
    /// The service with these rules and the documented argon2id parameters.
    #[must_use]
    pub fn new(policy: AccountPolicy) -> Self {
        Self::with_hasher(policy, Hasher::default())
    }

    /// The service with another hasher (tests use cheap parameters).
    #[must_use]
    pub fn with_hasher(policy: AccountPolicy, hasher: Hasher) -> Self {
        Self {
            policy,
            hasher,
            gate: Arc::new(Semaphore::new(HASHING_AT_ONCE)),
            decoy: Arc::new(OnceCell::new()),
        }
    }

    /// The rules.
    #[must_use]
    pub fn policy(&self) -> &AccountPolicy {
        &self.policy
    }

    /// A hashing slot, or [`AppError::Busy`] after [`HASHING_WAIT`].
    async fn slot(&self) -> Result<tokio::sync::SemaphorePermit<'_>, AppError> {
        match tokio::time::timeout(HASHING_WAIT, self.gate.acquire()).await {
            Ok(permit) => permit.map_err(internal),
            Err(_) => Err(AppError::Busy),
        }
    }

    async fn hash(&self, password: &str) -> Result<String, AppError> {
        let _permit = self.slot().await?;
        let hasher = self.hasher.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hasher.hash(&password))
            .await
            .map_err(internal)?
            .map_err(internal)
    }

    async fn verify(&self, password: &str, hash: &str) -> Result<bool, AppError> {
        let _permit = self.slot().await?;
        let hasher = self.hasher.clone();
        let (password, hash) = (password.to_owned(), hash.to_owned());
        tokio::task::spawn_blocking(move || hasher.verify(&password, &hash))
            .await
            .map_err(internal)
    }

    /// Checks the account's password typed again (to change something that needs it).
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `field` when it is not the password.
    pub async fn confirm_password(
        &self,
        account: &Account,
        typed: &str,
        field: &'static str,
    ) -> Result<(), AppError> {
        if self.verify(typed, &account.password_hash).await? {
            return Ok(());
        }
        Err(AppError::Field {
            field,
            message: if field == "current" {
                "This is not your current password.".into()
            } else {
                "This is not your password.".into()
            },
        })
    }

    async fn decoy_hash(&self) -> Result<String, AppError> {
        self.decoy
            .get_or_try_init(|| async { self.hash(&tokens::fresh_token()?).await })
            .await
            .cloned()
    }

    /// Checks a sign-up form and hashes its password: the username and its key, the
    /// e-mail and its key, the hash. Errors name the field.
    async fn prepare(&self, form: &SignUp<'_>) -> Result<Prepared, AppError> {
        let (username, username_key) =
            names::username(form.username).map_err(|message| AppError::Field {
                field: "username",
                message,
            })?;
        let email = match form.email.trim() {
            "" => None,
            typed => Some(names::email(typed).map_err(|message| AppError::Field {
                field: "email",
                message,
            })?),
        };
        self.policy
            .passwords
            .check(
                form.password,
                &username,
                email.as_ref().map(|(e, _)| e.as_str()),
            )
            .map_err(|message| AppError::Field {
                field: "password",
                message,
            })?;
        let hash = self.hash(form.password).await?;
        Ok(Prepared {
            username,
            username_key,
            email,
            hash,
        })
    }

    async fn create(
        &self,
        store: &dyn Storage,
        form: &SignUp<'_>,
        role: Role,
        admission: Admission<'_>,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        let prepared = self.prepare(form).await?;
        let new = NewAccount {
            username: &prepared.username,
            username_key: &prepared.username_key,
            email: prepared.email.as_ref().map(|(e, _)| e.as_str()),
            email_key: prepared.email.as_ref().map(|(_, k)| k.as_str()),
            password_hash: &prepared.hash,
            role,
            admission,
            at: now,
        };
        let learner = store.create_account(&new).await.map_err(taken_field)?;
        tracing::info!(learner = learner.0, role = %role, "account created");
        Ok(learner)
    }

    /// Signs someone up from the sign-up page, as the site's registration mode allows:
    /// open (an invitation is optional), by invitation (`invite` must be a usable
    /// invitation token) or closed.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when registration is closed or needs an invitation that is
    /// missing; [`AppError::Field`] naming the field that is wrong or taken.
    pub async fn sign_up(
        &self,
        store: &dyn Storage,
        form: &SignUp<'_>,
        invite: Option<&str>,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        let site = Site::load(store).await?;
        let digest = invite.filter(|t| tokens::is_token(t)).map(tokens::digest);
        let admission = match (site.registration, &digest) {
            (Registration::Closed, _) => {
                return Err(AppError::Forbidden(
                    "Registration is closed on this site: ask an admin for an account.".into(),
                ));
            }
            (_, Some(digest)) => Admission::Invite { token_hash: digest },
            (Registration::Open, None) => Admission::Direct,
            (Registration::Invitation, None) => {
                return Err(AppError::Forbidden(
                    "This site admits new accounts by invitation: open the invitation link \
                     you were given."
                        .into(),
                ));
            }
        };
        // An unusable invitation is refused before anything else: no hashing, and no "this
        // username is taken" for someone without an invitation.
        if let Some(token) = invite
            && self.usable_invite(store, token, now).await?.is_none()
        {
            return Err(invite_unusable());
        }
        self.create(store, form, Role::Learner, admission, now)
            .await
            .map_err(|e| match e {
                AppError::Storage(StorageError::Invalid(_)) if digest.is_some() => {
                    invite_unusable()
                }
                other => other,
            })
    }

    /// Signs someone up with a team's invitation link (`team_token`): on an open site as
    /// anyone signs up; on a site whose registration is by invitation only when the team's
    /// admin lets its links create accounts. The new account is not in the team yet: it
    /// joins on the join page, where it chooses whether to share.
    ///
    /// # Errors
    ///
    /// As [`Accounts::sign_up`]; [`AppError::NotFound`] for a link that cannot be used.
    pub async fn sign_up_for_team(
        &self,
        store: &dyn Storage,
        form: &SignUp<'_>,
        team_token: &str,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        let site = Site::load(store).await?;
        let team = crate::teams::link_team(store, team_token, now).await?;
        let digest = tokens::digest(team_token);
        let admission = match site.registration {
            _ if !site.registration.admits_team_sign_ups(team.open_invites) => {
                return Err(AppError::Forbidden(
                    "This team's link does not create accounts on this site: sign in, or ask \
                     an admin for an account."
                        .into(),
                ));
            }
            Registration::Open => Admission::Direct,
            _ => Admission::TeamInvite {
                token_hash: &digest,
            },
        };
        self.create(store, form, Role::Learner, admission, now)
            .await
            .map_err(|e| match e {
                AppError::Storage(StorageError::Invalid(m)) => AppError::NotFound(m),
                other => other,
            })
    }

    /// Creates an account from the command line (`mastery user add`).
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] naming the field that is wrong or taken.
    pub async fn add(
        &self,
        store: &dyn Storage,
        form: &SignUp<'_>,
        role: Role,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        self.create(store, form, role, Admission::Direct, now).await
    }

    /// The setup token of a server without an admin, created on first call (every
    /// instance gets the same one); `None` once an admin exists.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn setup_token(&self, store: &dyn Storage) -> Result<Option<String>, AppError> {
        if store.admin_count().await? > 0 {
            return Ok(None);
        }
        let fresh = tokens::fresh_token()?;
        let stored = store.secret(SETUP_SECRET, fresh.as_bytes()).await?;
        Ok(String::from_utf8(stored).ok())
    }

    /// Creates the first admin through the setup link.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when the token is wrong or an admin exists already;
    /// [`AppError::Field`] as for sign-up.
    pub async fn set_up_first_admin(
        &self,
        store: &dyn Storage,
        token: &str,
        form: &SignUp<'_>,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        let valid = match self.setup_token(store).await? {
            Some(expected) => tokens::constant_time_eq(&expected, token),
            None => false,
        };
        if !valid {
            return Err(setup_used());
        }
        self.create(store, form, Role::Admin, Admission::FirstAdmin, now)
            .await
            .map_err(|e| match e {
                AppError::Storage(StorageError::Invalid(_)) => setup_used(),
                other => other,
            })
    }

    /// Checks a username (or e-mail address) and password. The answer, and about the
    /// time it takes, are the same whether or not the account exists.
    ///
    /// # Errors
    ///
    /// [`AppError::SignIn`] with [`SIGN_IN_FAILED`]; [`AppError::Forbidden`] when the
    /// password is right but an admin disabled the account.
    pub async fn check_credentials(
        &self,
        store: &dyn Storage,
        login: &str,
        password: &str,
    ) -> Result<Account, AppError> {
        // Anything longer than a username, an e-mail address or a password can be names no
        // account: no folding or lookup of up to 640 KiB of form (the decoy still runs).
        let plausible = !login.trim().is_empty()
            && login.len() <= MAX_LOGIN_BYTES
            && password.len() <= MAX_PASSWORD_BYTES;
        let found = if plausible {
            store.account_by_key(&names::login_key(login)).await?
        } else {
            None
        };
        let Some(account) = found else {
            let decoy = self.decoy_hash().await?;
            let cut = password
                .get(..MAX_PASSWORD_BYTES.min(password.len()))
                .unwrap_or("");
            let _ = self.verify(cut, &decoy).await?;
            return Err(AppError::SignIn(SIGN_IN_FAILED.into()));
        };
        if !self.verify(password, &account.password_hash).await? {
            return Err(AppError::SignIn(SIGN_IN_FAILED.into()));
        }
        if account.disabled_at.is_some() {
            return Err(AppError::Forbidden(
                "This account is disabled. Ask an admin of this site.".into(),
            ));
        }
        Ok(account)
    }

    /// Starts a session for `account` as [`Self::check_credentials`] returned it, ending
    /// the one `replacing` names (the anonymous or older session of this browser). Returns
    /// the new session's token, for the cookie.
    ///
    /// The account is read again once the session is stored: when its password changed or
    /// an admin disabled it since the credentials were checked (a reset racing the
    /// sign-in, whose "end every session" ran before this one existed), the new session is
    /// ended at once and the sign-in fails.
    ///
    /// # Errors
    ///
    /// [`AppError::SignIn`] in that race; storage errors.
    pub async fn start_session(
        &self,
        store: &dyn Storage,
        account: &Account,
        user_agent: Option<&str>,
        replacing: Option<&str>,
        now: Millis,
    ) -> Result<String, AppError> {
        let token = tokens::fresh_token()?;
        let session = StoredSession {
            id_hash: tokens::digest(&token),
            learner: account.learner,
            created_at: now,
            last_seen_at: now,
            device: tokens::device(user_agent),
        };
        let replacing = replacing
            .filter(|t| tokens::is_token(t))
            .map(tokens::digest);
        store.create_session(&session, replacing.as_deref()).await?;
        let unchanged = store
            .account(account.learner)
            .await?
            .is_some_and(|current| {
                current.disabled_at.is_none()
                    && current.password_changed_at == account.password_changed_at
            });
        if !unchanged {
            store.end_session(account.learner, &session.id_hash).await?;
            return Err(AppError::SignIn(SIGN_IN_FAILED.into()));
        }
        Ok(token)
    }

    /// The signed-in session a cookie's token names, if it is alive at `now`: not past the
    /// idle timeout or the absolute lifetime, its account not disabled. A dead session is
    /// ended; a live one has its `last_seen_at` moved when older than [`TOUCH_EVERY`].
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn session(
        &self,
        store: &dyn Storage,
        token: &str,
        now: Millis,
    ) -> Result<Option<SignedIn>, AppError> {
        if !tokens::is_token(token) {
            return Ok(None);
        }
        let digest = tokens::digest(token);
        let Some(mastery_storage::FoundSession {
            session,
            account,
            data_revision,
        }) = store.session(&digest).await?
        else {
            return Ok(None);
        };
        let idle = now.saturating_sub(session.last_seen_at) >= self.policy.session_idle;
        let old = now.saturating_sub(session.created_at) >= self.policy.session_lifetime;
        if idle || old || account.disabled_at.is_some() {
            store.end_session(session.learner, &digest).await?;
            return Ok(None);
        }
        let mut session = session;
        if now.saturating_sub(session.last_seen_at) >= TOUCH_EVERY {
            store.touch_session(&digest, now).await?;
            session.last_seen_at = now;
        }
        Ok(Some(SignedIn {
            session,
            account,
            data_revision: Some(data_revision),
        }))
    }

    /// Ends the session of this token (sign-out).
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn sign_out(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        token: &str,
    ) -> Result<(), AppError> {
        store.end_session(learner, &tokens::digest(token)).await?;
        Ok(())
    }

    /// Ends every session past the idle timeout or the absolute lifetime (run now and then).
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn end_expired_sessions(
        &self,
        store: &dyn Storage,
        now: Millis,
    ) -> Result<u64, AppError> {
        Ok(store
            .end_expired_sessions(
                now.saturating_sub(self.policy.session_idle),
                now.saturating_sub(self.policy.session_lifetime),
            )
            .await?)
    }

    /// Changes a password after checking the current one; when `end_others`, ends every
    /// other session of the learner (all but the one `keep` names). Returns how many
    /// sessions were ended.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `current` when it is wrong, on `password` when the new one
    /// breaks a rule.
    pub async fn change_password(
        &self,
        store: &dyn Storage,
        account: &Account,
        current: &str,
        new: &str,
        end_others: Option<&str>,
        now: Millis,
    ) -> Result<u64, AppError> {
        self.confirm_password(account, current, "current").await?;
        self.set_new_password(store, account, new, now).await?;
        match end_others {
            Some(keep) => Ok(store
                .end_sessions(account.learner, Some(&tokens::digest(keep)))
                .await?),
            None => Ok(0),
        }
    }

    /// Checks a new password against the rules.
    fn check_new_password(&self, account: &Account, new: &str) -> Result<(), AppError> {
        self.policy
            .passwords
            .check(new, &account.username, account.email.as_deref())
            .map_err(|message| AppError::Field {
                field: "password",
                message,
            })
    }

    async fn set_new_password(
        &self,
        store: &dyn Storage,
        account: &Account,
        new: &str,
        now: Millis,
    ) -> Result<(), AppError> {
        self.check_new_password(account, new)?;
        let hash = self.hash(new).await?;
        if !store.set_password(account.learner, &hash, now).await? {
            return Err(no_account());
        }
        Ok(())
    }

    /// An admin's reset: sets `new` as the password, ends every session of the account and
    /// revokes its access tokens (whoever knew the old password is shut out).
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; [`AppError::Field`] when the
    /// password breaks a rule.
    pub async fn reset_password(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        new: &str,
        now: Millis,
    ) -> Result<(), AppError> {
        let account = store.account(learner).await?.ok_or_else(no_account)?;
        self.set_new_password(store, &account, new, now).await?;
        store.end_sessions(learner, None).await?;
        // A reset answers a lost or stolen password: nothing made with it stays usable.
        revoke_tokens(store, learner, now).await?;
        tracing::info!(learner = learner.0, "password reset by an admin");
        Ok(())
    }

    /// Changes (or removes, with an empty string) the account's e-mail address, after
    /// checking the current password (the address is a sign-in name).
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `current` when the password is wrong, on `email` when the
    /// address is malformed or taken.
    pub async fn set_email(
        &self,
        store: &dyn Storage,
        account: &Account,
        current: &str,
        typed: &str,
    ) -> Result<(), AppError> {
        self.confirm_password(account, current, "current").await?;
        let learner = account.learner;
        let email = match typed.trim() {
            "" => None,
            typed => Some(names::email(typed).map_err(|message| AppError::Field {
                field: "email",
                message,
            })?),
        };
        let pair = email.as_ref().map(|(e, k)| (e.as_str(), k.as_str()));
        if !store.set_email(learner, pair).await.map_err(taken_field)? {
            return Err(no_account());
        }
        Ok(())
    }

    /// Deletes one's own account after checking the password: every piece of data goes,
    /// every session ends. The log keeps only the learner number. The member's posts and
    /// suggestions stay under "deleted member" unless `remove_contributions` (then their
    /// text goes first); their votes and flags stay counted either way.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `password` when it is wrong.
    pub async fn delete_own_account(
        &self,
        store: &dyn Storage,
        account: &Account,
        password: &str,
        remove_contributions: bool,
        now: Millis,
    ) -> Result<(), AppError> {
        self.confirm_password(account, password, "password").await?;
        let kept = store
            .account(account.learner)
            .await?
            .ok_or_else(no_account)?;
        self.keep_an_admin(store, &kept, None).await?;
        if remove_contributions {
            let (posts, suggestions) = store.erase_contributions(account.learner, now).await?;
            tracing::info!(
                learner = account.learner.0,
                posts,
                suggestions,
                "contributions removed before the account's deletion"
            );
        }
        self.delete(store, account.learner).await
    }

    /// Deletes an account and everything it owns (an admin's or an operator's decision).
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; [`AppError::Forbidden`] when
    /// it is the last admin.
    pub async fn delete(&self, store: &dyn Storage, learner: LearnerId) -> Result<(), AppError> {
        let account = store.account(learner).await?.ok_or_else(no_account)?;
        self.keep_an_admin(store, &account, None).await?;
        if !store.delete_account(learner).await? {
            return Err(no_account());
        }
        tracing::info!(learner = learner.0, "account deleted with all its data");
        Ok(())
    }

    /// Changes an account's role.
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; [`AppError::Forbidden`] when
    /// it would leave the site without an admin.
    pub async fn set_role(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        role: Role,
    ) -> Result<(), AppError> {
        let account = store.account(learner).await?.ok_or_else(no_account)?;
        self.keep_an_admin(store, &account, Some(role)).await?;
        store.set_role(learner, role).await?;
        tracing::info!(learner = learner.0, role = %role, "role changed");
        Ok(())
    }

    /// Disables an account (ending all its sessions) or enables it again.
    ///
    /// # Errors
    ///
    /// [`AppError::NotFound`] when there is no such account; [`AppError::Forbidden`] when
    /// disabling the last admin.
    pub async fn set_disabled(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        disabled: bool,
        now: Millis,
    ) -> Result<(), AppError> {
        let account = store.account(learner).await?.ok_or_else(no_account)?;
        if disabled {
            self.keep_an_admin(store, &account, None).await?;
        }
        store.set_disabled(learner, disabled.then_some(now)).await?;
        tracing::info!(learner = learner.0, disabled, "account disabled or enabled");
        Ok(())
    }

    /// Refuses a change that would leave no enabled admin (`to`: the new role; `None`:
    /// the account goes away or is disabled).
    async fn keep_an_admin(
        &self,
        store: &dyn Storage,
        account: &Account,
        to: Option<Role>,
    ) -> Result<(), AppError> {
        if account.role != Role::Admin || to == Some(Role::Admin) || account.disabled_at.is_some() {
            return Ok(());
        }
        let others = store
            .accounts()
            .await?
            .iter()
            .filter(|a| {
                a.role == Role::Admin && a.disabled_at.is_none() && a.learner != account.learner
            })
            .count();
        if others == 0 {
            return Err(AppError::Forbidden(
                "This is the last admin: make another account an admin first.".into(),
            ));
        }
        Ok(())
    }

    /// Creates an invitation that admits up to `max_uses` accounts until `expires_at`.
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] when the numbers make no sense or the label is too long.
    pub async fn create_invite(
        &self,
        store: &dyn Storage,
        by: Option<LearnerId>,
        label: &str,
        expires_at: Millis,
        max_uses: i64,
        now: Millis,
    ) -> Result<NewInvite, AppError> {
        if expires_at <= now {
            return Err(AppError::Invalid(
                "an invitation must expire in the future".into(),
            ));
        }
        if !(1..=10_000).contains(&max_uses) {
            return Err(AppError::Invalid(
                "an invitation admits 1 to 10000 accounts".into(),
            ));
        }
        let label = label.trim();
        if label.chars().count() > 100 {
            return Err(AppError::Invalid(
                "an invitation's label has at most 100 characters".into(),
            ));
        }
        let token = tokens::fresh_token()?;
        let mut invite = Invite {
            id: 0,
            token_hash: tokens::digest(&token),
            label: label.to_owned(),
            created_by: by,
            created_at: now,
            expires_at,
            max_uses,
            uses: 0,
            revoked_at: None,
        };
        invite.id = store.create_invite(&invite).await?;
        Ok(NewInvite { invite, token })
    }

    /// The invitation an invitation token names, if it still admits someone at `now`.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn usable_invite(
        &self,
        store: &dyn Storage,
        token: &str,
        now: Millis,
    ) -> Result<Option<Invite>, AppError> {
        if !tokens::is_token(token) {
            return Ok(None);
        }
        Ok(store
            .invite_by_token(&tokens::digest(token))
            .await?
            .filter(|i| i.usable(now)))
    }
}

struct Prepared {
    username: String,
    username_key: String,
    email: Option<(String, String)>,
    hash: String,
}

fn taken_field(error: StorageError) -> AppError {
    match error {
        StorageError::Taken(Taken::Username) => AppError::Field {
            field: "username",
            message: "This username is taken (or looks the same as one that is). Choose \
                      another."
                .into(),
        },
        StorageError::Taken(Taken::Email) => AppError::Field {
            field: "email",
            message: "Another account uses this e-mail address.".into(),
        },
        other => AppError::Storage(other),
    }
}

fn invite_unusable() -> AppError {
    AppError::Forbidden(
        "This invitation link has expired, was revoked or has been used up: ask for a new one."
            .into(),
    )
}

fn setup_used() -> AppError {
    AppError::Forbidden(
        "This setup link is not valid: the first admin exists already. Sign in instead.".into(),
    )
}

fn no_account() -> AppError {
    AppError::NotFound("there is no such account".into())
}

fn internal(error: impl std::fmt::Display) -> AppError {
    AppError::Storage(StorageError::Database(error.to_string()))
}
