//! Accounts of multi-user mode: who may sign in ([`Account`]), their server-side sessions
//! ([`StoredSession`]), the invitations that admit new accounts ([`Invite`]) and the
//! site-wide settings an admin changes ([`AccountStorage::site_setting`]).
//!
//! An account is a learner of kind [`ACCOUNT_KIND`] with a row in `accounts`; everything
//! the learner owns (marks, notes, cards, reviews, settings, interviews) hangs off the
//! learner id as in personal mode, and so do their sessions: deleting the learner deletes
//! all of it. Secrets never reach this crate in the clear: passwords arrive as argon2id
//! PHC strings, session ids and invitation tokens as SHA-256 digests (hex), so a copy of
//! the database signs nobody in.
//!
//! The rules on values (username length, what a key is) live in `mastery-app`; this crate
//! enforces what keeps the database sound: unique keys, no NUL, bounded lengths.

use std::fmt;

use crate::{LearnerId, Millis, Result, StorageError, check_text};

/// The learner kind of an account.
pub const ACCOUNT_KIND: &str = "account";

/// The longest text of an account field accepted by storage, in bytes (a username is far
/// shorter: `mastery-app` allows 32 characters).
pub const MAX_ACCOUNT_TEXT_BYTES: usize = 512;

/// What an account may do on the whole site. Teams add a coach role inside a team.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Role {
    /// Studies: reads the guides and owns their own data.
    Learner,
    /// A learner who also moderates the community.
    Moderator,
    /// Runs the site: accounts, invitations, registration.
    Admin,
}

impl Role {
    /// Every role, least powerful first.
    pub const ALL: [Role; 3] = [Role::Learner, Role::Moderator, Role::Admin];

    /// Its stored (and command-line) name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Learner => "learner",
            Role::Moderator => "moderator",
            Role::Admin => "admin",
        }
    }

    /// The role of a stored name.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for any other name.
    pub fn parse(name: &str) -> Result<Role> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == name)
            .ok_or_else(|| {
                StorageError::Invalid(format!(
                    "a role is learner, moderator or admin, not {name:?}"
                ))
            })
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An account.
#[derive(Clone, PartialEq, Eq)]
pub struct Account {
    /// The learner this account signs in as.
    pub learner: LearnerId,
    /// The public handle, as its owner typed it.
    pub username: String,
    /// The handle folded for comparison (case and confusables): unique.
    pub username_key: String,
    /// The private e-mail address, as typed.
    pub email: Option<String>,
    /// The address folded for comparison: unique when present.
    pub email_key: Option<String>,
    /// The argon2id hash of the password, as a PHC string.
    pub password_hash: String,
    /// What the account may do.
    pub role: Role,
    /// When it was created.
    pub created_at: Millis,
    /// When the password was last set.
    pub password_changed_at: Millis,
    /// When an admin disabled it; a disabled account cannot sign in.
    pub disabled_at: Option<Millis>,
}

impl fmt::Debug for Account {
    /// Never prints the password hash or the e-mail address.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Account")
            .field("learner", &self.learner)
            .field("username", &self.username)
            .field("role", &self.role)
            .field("disabled_at", &self.disabled_at)
            .finish_non_exhaustive()
    }
}

/// How a new account is admitted, checked in the same transaction that creates it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Admission<'a> {
    /// By an operator (`mastery user add`) or open registration: no check.
    Direct,
    /// With an invitation: its token's digest must name an invitation that is neither
    /// revoked, expired nor used up at the account's creation time, and one use is taken.
    Invite {
        /// The SHA-256 digest (hex) of the invitation token.
        token_hash: &'a str,
    },
    /// The first admin, through the setup link: refused once any admin exists.
    FirstAdmin,
    /// With a team's invitation link, on a site whose registration is by invitation: its
    /// token's digest must name a link that is neither revoked nor expired, of a team whose
    /// admin lets its links create accounts; one use is taken, and the new account is invited
    /// to the team (joining, it chooses whether to share).
    TeamInvite {
        /// The SHA-256 digest (hex) of the team link's token.
        token_hash: &'a str,
    },
}

/// A new account.
#[derive(Clone)]
pub struct NewAccount<'a> {
    /// See [`Account::username`].
    pub username: &'a str,
    /// See [`Account::username_key`].
    pub username_key: &'a str,
    /// See [`Account::email`].
    pub email: Option<&'a str>,
    /// See [`Account::email_key`].
    pub email_key: Option<&'a str>,
    /// See [`Account::password_hash`].
    pub password_hash: &'a str,
    /// See [`Account::role`].
    pub role: Role,
    /// How it is admitted.
    pub admission: Admission<'a>,
    /// Now.
    pub at: Millis,
}

/// A signed-in browser or client, stored so that every instance knows it and it can be
/// ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// The SHA-256 digest (hex) of the session id in the cookie.
    pub id_hash: String,
    /// Whose session it is.
    pub learner: LearnerId,
    /// When it began (sign-in).
    pub created_at: Millis,
    /// The last request seen (updated at most once a minute).
    pub last_seen_at: Millis,
    /// A short description of the device (browser and system), for "my sessions".
    pub device: String,
}

/// A session as a request finds it: the session, its account and the learner's data
/// revision, read in one query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSession {
    /// The session.
    pub session: StoredSession,
    /// Its account.
    pub account: Account,
    /// The learner's data revision ([`crate::Storage::data_revision`]) when the session
    /// was read.
    pub data_revision: i64,
}

/// An invitation link's record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invite {
    /// Its number, for listing and revoking.
    pub id: i64,
    /// The SHA-256 digest (hex) of its token.
    pub token_hash: String,
    /// A label the admin chose ("cohort 12").
    pub label: String,
    /// The admin who created it (`None` for the command line or once they are deleted).
    pub created_by: Option<LearnerId>,
    /// When it was created.
    pub created_at: Millis,
    /// After this it admits nobody.
    pub expires_at: Millis,
    /// How many accounts it may admit.
    pub max_uses: i64,
    /// How many it has admitted.
    pub uses: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<Millis>,
}

impl Invite {
    /// Whether it admits a new account at `now`.
    #[must_use]
    pub fn usable(&self, now: Millis) -> bool {
        self.revoked_at.is_none() && now < self.expires_at && self.uses < self.max_uses
    }

    /// Its state at `now` in a word, as listings show it: `revoked`, `expired`, `used up`
    /// or `open`.
    #[must_use]
    pub fn status(&self, now: Millis) -> &'static str {
        if self.revoked_at.is_some() {
            "revoked"
        } else if now >= self.expires_at {
            "expired"
        } else if self.uses >= self.max_uses {
            "used up"
        } else {
            "open"
        }
    }
}

/// Which unique value is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Taken {
    /// Another account has this username (or one that looks the same).
    Username,
    /// Another account has this e-mail address.
    Email,
}

/// Checks the text fields of a new account or a change: no NUL, at most
/// [`MAX_ACCOUNT_TEXT_BYTES`] each.
///
/// # Errors
///
/// [`StorageError::Invalid`] naming the field.
pub fn check_account_text(what: &str, text: &str) -> Result<()> {
    if text.len() > MAX_ACCOUNT_TEXT_BYTES {
        return Err(StorageError::Invalid(format!(
            "{what} may be at most {MAX_ACCOUNT_TEXT_BYTES} bytes"
        )));
    }
    check_text(what, text)
}

impl fmt::Debug for NewAccount<'_> {
    /// Never prints the password hash or the e-mail address (as [`Account`]'s).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("NewAccount")
            .field("username", &self.username)
            .field("role", &self.role)
            .field("admission", &self.admission)
            .field("at", &self.at)
            .finish_non_exhaustive()
    }
}

impl NewAccount<'_> {
    /// Checks its text fields with [`check_account_text`] (the invitation's token digest
    /// too): what storage refuses before anything is written.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the first field that breaks the rule.
    pub fn check(&self) -> Result<()> {
        check_account_text("a username", self.username)?;
        check_account_text("a username key", self.username_key)?;
        if let Some(email) = self.email {
            check_account_text("an e-mail address", email)?;
        }
        if let Some(key) = self.email_key {
            check_account_text("an e-mail key", key)?;
        }
        check_account_text("a password hash", self.password_hash)?;
        if let Admission::Invite { token_hash } | Admission::TeamInvite { token_hash } =
            self.admission
        {
            check_account_text("an invitation token digest", token_hash)?;
        }
        Ok(())
    }
}

impl Account {
    /// Checks its text fields as [`NewAccount::check`] does (for an imported account).
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the first field that breaks the rule.
    pub fn check(&self) -> Result<()> {
        NewAccount {
            username: &self.username,
            username_key: &self.username_key,
            email: self.email.as_deref(),
            email_key: self.email_key.as_deref(),
            password_hash: &self.password_hash,
            role: self.role,
            admission: Admission::Direct,
            at: self.created_at,
        }
        .check()
    }
}

impl StoredSession {
    /// Checks its id digest and device with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("a session id digest", &self.id_hash)?;
        check_account_text("a device description", &self.device)
    }
}

impl Invite {
    /// Checks its token digest and label with [`check_account_text`].
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] naming the field.
    pub fn check(&self) -> Result<()> {
        check_account_text("an invitation token digest", &self.token_hash)?;
        check_account_text("an invitation label", &self.label)
    }
}

/// Accounts, sessions, invitations and site settings: the part of [`crate::Storage`] that
/// multi-user mode uses. Every method is one transaction.
#[async_trait::async_trait]
pub trait AccountStorage: Send + Sync {
    /// Creates an account, checking its [`Admission`] in the same transaction.
    ///
    /// When the new account is an admin and the database has a personal learner (it was
    /// used in personal mode), the account takes over that learner, with all its marks,
    /// notes, reviews, interviews and settings, instead of starting empty.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Taken`] when the username key or e-mail key is taken;
    /// - [`StorageError::Invalid`] when a field breaks [`check_account_text`], the
    ///   invitation is not usable, or (for [`Admission::FirstAdmin`]) an admin exists.
    ///
    /// Nothing is written on error.
    async fn create_account(&self, new: &NewAccount<'_>) -> Result<LearnerId>;

    /// The account of a learner.
    async fn account(&self, learner: LearnerId) -> Result<Option<Account>>;

    /// The account whose username key or e-mail key is `key` (sign-in accepts either).
    async fn account_by_key(&self, key: &str) -> Result<Option<Account>>;

    /// Every account, by username key.
    async fn accounts(&self) -> Result<Vec<Account>>;

    /// How many accounts exist, and how many of them are admins (start-up and the
    /// command line: it counts every account).
    async fn account_counts(&self) -> Result<(u64, u64)>;

    /// How many admins exist (read through the index on `role`: the setup page asks it).
    async fn admin_count(&self) -> Result<u64>;

    /// Replaces the password hash. Returns whether the account exists.
    async fn set_password(&self, learner: LearnerId, hash: &str, at: Millis) -> Result<bool>;

    /// Sets the e-mail address (both as typed and folded), or removes it.
    ///
    /// # Errors
    ///
    /// [`StorageError::Taken`] when another account has the key.
    async fn set_email(&self, learner: LearnerId, email: Option<(&str, &str)>) -> Result<bool>;

    /// Changes the role. Returns whether the account exists.
    async fn set_role(&self, learner: LearnerId, role: Role) -> Result<bool>;

    /// Disables (`Some(at)`) or enables (`None`) the account. Disabling ends all its
    /// sessions in the same transaction. Returns whether the account exists.
    async fn set_disabled(&self, learner: LearnerId, at: Option<Millis>) -> Result<bool>;

    /// Deletes the account and its learner with everything they own (marks, notes, cards,
    /// reviews, settings, interviews, sessions). Invitations the account created stay,
    /// without a creator. Returns whether it existed.
    async fn delete_account(&self, learner: LearnerId) -> Result<bool>;

    /// Stores a new session; when `replacing` names a session (its id hash), that one is
    /// ended in the same transaction (a new id at sign-in, the old one gone).
    async fn create_session(&self, session: &StoredSession, replacing: Option<&str>) -> Result<()>;

    /// A session with its account and its learner's data revision, by the digest of its
    /// id, in one query.
    async fn session(&self, id_hash: &str) -> Result<Option<FoundSession>>;

    /// Moves a session's `last_seen_at` forward.
    async fn touch_session(&self, id_hash: &str, at: Millis) -> Result<()>;

    /// The learner's sessions, most recently seen first.
    async fn sessions(&self, learner: LearnerId) -> Result<Vec<StoredSession>>;

    /// Ends one of the learner's sessions. Returns whether it existed (and was theirs).
    async fn end_session(&self, learner: LearnerId, id_hash: &str) -> Result<bool>;

    /// Ends every session of the learner except `keep`. Returns how many ended.
    async fn end_sessions(&self, learner: LearnerId, keep: Option<&str>) -> Result<u64>;

    /// Ends every session last seen before `idle_before` or created before
    /// `created_before` (the idle timeout and the absolute lifetime). Returns how many.
    async fn end_expired_sessions(
        &self,
        idle_before: Millis,
        created_before: Millis,
    ) -> Result<u64>;

    /// Stores a new invitation (its `id` is ignored) and returns its number.
    async fn create_invite(&self, invite: &Invite) -> Result<i64>;

    /// Every invitation, newest first.
    async fn invites(&self) -> Result<Vec<Invite>>;

    /// The invitation whose token has this digest.
    async fn invite_by_token(&self, token_hash: &str) -> Result<Option<Invite>>;

    /// Revokes an invitation. Returns whether it existed and was not already revoked.
    async fn revoke_invite(&self, id: i64, at: Millis) -> Result<bool>;

    /// A site-wide setting (registration mode, private site), if set.
    async fn site_setting(&self, name: &str) -> Result<Option<String>>;

    /// Every site setting whose name starts with `prefix` (`community.`), by name, in one
    /// read.
    async fn site_settings_under(&self, prefix: &str) -> Result<Vec<(String, String)>>;

    /// Sets a site-wide setting (same rules as learner settings: [`crate::check_setting`]).
    async fn set_site_setting(&self, name: &str, value: &str) -> Result<()>;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_round_trip_through_their_names() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()).unwrap(), role);
        }
        assert!(Role::parse("root").is_err());
        assert!(Role::Learner < Role::Moderator && Role::Moderator < Role::Admin);
    }

    #[test]
    fn an_invite_is_usable_until_expired_revoked_or_used_up() {
        let mut invite = Invite {
            id: 1,
            token_hash: "h".into(),
            label: String::new(),
            created_by: None,
            created_at: 0,
            expires_at: 100,
            max_uses: 2,
            uses: 1,
            revoked_at: None,
        };
        assert!(invite.usable(99));
        assert!(!invite.usable(100));
        invite.uses = 2;
        assert!(!invite.usable(0));
        invite.uses = 0;
        invite.revoked_at = Some(5);
        assert!(!invite.usable(0));
    }
}
