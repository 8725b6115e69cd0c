//! Single sign-on with an OpenID provider: what happens once the web layer has checked the
//! provider's ID token (signature, issuer, audience, expiry, nonce) and hands over its
//! [`Claims`].
//!
//! - An identity (issuer, subject) linked to an account signs in to it ([`SsoOutcome::Known`]).
//! - Otherwise, when an account has the identity's e-mail address and the provider says the
//!   address is verified (`email_verified: true`), nothing is linked yet: the owner must
//!   confirm with that account's password ([`SsoOutcome::ConfirmLink`], then
//!   [`Accounts::link_single_sign_on`]). An unverified address never links anything.
//! - Otherwise a new account is created with the identity linked, in one transaction
//!   ([`SsoOutcome::Created`]), when the site's registration is open or the operator lets
//!   the provider admit new people ([`SsoRules::allow_sign_ups`]); else it is refused and
//!   nothing is written.
//!
//! An account created here gets a random password nobody knows (an admin's reset gives it
//! one). When the operator maps the provider's groups to roles ([`SsoRules::maps_roles`]),
//! each sign-in sets the role from the groups, never leaving the site without an admin.

use mastery_storage::{
    Account, Admission, NewAccount, Role, SsoIdentity, Storage, StorageError, Taken,
};

use super::{Accounts, Registration, Site, names, tokens};
use crate::AppError;

/// What the provider's verified ID token says about the person.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Claims {
    /// The issuer URL.
    pub issuer: String,
    /// The provider's stable identifier of the person (`sub`).
    pub subject: String,
    /// `email`, if given.
    pub email: Option<String>,
    /// `email_verified` is `true`.
    pub email_verified: bool,
    /// `preferred_username`, if given.
    pub preferred_username: Option<String>,
    /// `name`, if given.
    pub name: Option<String>,
    /// The groups claim (its name is the operator's choice), if given.
    pub groups: Vec<String>,
}

/// The operator's rules of single sign-on.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SsoRules {
    /// The provider may create accounts even when the site's registration is by
    /// invitation or closed.
    pub allow_sign_ups: bool,
    /// Whether the groups decide the role at each sign-in.
    pub maps_roles: bool,
    /// Members of any of these groups are admins.
    pub admin_groups: Vec<String>,
    /// Members of any of these groups (and of no admin group) are moderators.
    pub moderator_groups: Vec<String>,
}

impl SsoRules {
    /// The role the groups give, when roles are mapped.
    #[must_use]
    pub fn role_of(&self, groups: &[String]) -> Option<Role> {
        if !self.maps_roles {
            return None;
        }
        let member = |of: &[String]| groups.iter().any(|g| of.contains(g));
        Some(if member(&self.admin_groups) {
            Role::Admin
        } else if member(&self.moderator_groups) {
            Role::Moderator
        } else {
            Role::Learner
        })
    }
}

/// What a sign-in with the provider leads to.
#[derive(Debug, Clone)]
pub enum SsoOutcome {
    /// The identity is linked to this account: sign it in.
    Known(Account),
    /// A new account was created with the identity linked: sign it in.
    Created(Account),
    /// This account has the identity's verified e-mail address: its owner must confirm
    /// with the account's password before the identity is linked.
    ConfirmLink(Account),
}

/// The refusal when the provider may not create accounts.
pub const SIGN_UPS_CLOSED: &str = "Signing in with this provider would create a new account, \
     and this site does not admit new accounts that way. Ask an admin for an invitation or an \
     account; once you have one, sign in with its password and the provider is linked the \
     next time.";

fn disabled() -> AppError {
    AppError::Forbidden("This account is disabled. Ask an admin of this site.".into())
}

/// A username made of what the provider says (preferred username, e-mail address, name),
/// kept to what usernames allow.
fn base_name(claims: &Claims) -> String {
    let local = claims
        .email
        .as_deref()
        .and_then(|e| e.split('@').next())
        .map(str::to_owned);
    let source = claims
        .preferred_username
        .clone()
        .or(local)
        .or_else(|| claims.name.clone())
        .unwrap_or_default();
    let cleaned: String = source
        .chars()
        .filter_map(|c| match c {
            c if c.is_alphanumeric() || matches!(c, '_' | '-' | '.') => Some(c),
            ' ' => Some('_'),
            _ => None,
        })
        .skip_while(|c| !c.is_alphanumeric())
        .take(names::MAX_USERNAME_CHARS - 7)
        .collect();
    if cleaned.chars().count() < names::MIN_USERNAME_CHARS {
        "member".to_owned()
    } else {
        cleaned
    }
}

impl Accounts {
    /// The account an identity the provider vouched for signs in to, creates, or may be
    /// linked to (see the module's documentation). Roles follow the groups when mapped.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when the account is disabled, or when a new account is
    /// needed and the site does not admit one this way ([`SIGN_UPS_CLOSED`]); storage
    /// errors.
    pub async fn single_sign_on(
        &self,
        store: &dyn Storage,
        claims: &Claims,
        rules: &SsoRules,
        now: mastery_storage::Millis,
    ) -> Result<SsoOutcome, AppError> {
        if let Some(identity) = store.sso_identity(&claims.issuer, &claims.subject).await? {
            let account = store
                .account(identity.learner)
                .await?
                .ok_or_else(|| AppError::NotFound("the linked account is gone".into()))?;
            if account.disabled_at.is_some() {
                return Err(disabled());
            }
            store
                .touch_sso_identity(&claims.issuer, &claims.subject, now)
                .await?;
            let account = self.follow_groups(store, account, claims, rules).await?;
            return Ok(SsoOutcome::Known(account));
        }
        let verified_email = claims
            .email
            .as_deref()
            .filter(|_| claims.email_verified)
            .and_then(|e| names::email(e).ok());
        // The account holding this address, if any. Only an address that account confirmed
        // offers linking: anyone can type someone else's address into their own account,
        // and must not stand in the way of its owner's sign-in (they get an account of
        // their own, without the address).
        let holder = match &verified_email {
            Some((_, key)) => store
                .account_by_key(key)
                .await?
                .filter(|a| a.email_key.as_deref() == Some(key.as_str())),
            None => None,
        };
        if let Some(account) = &holder
            && super::email::verified_address(store, account)
                .await?
                .is_some()
        {
            if account.disabled_at.is_some() {
                return Err(disabled());
            }
            return Ok(SsoOutcome::ConfirmLink(account.clone()));
        }
        let verified_email = if holder.is_some() {
            None
        } else {
            verified_email
        };
        let site = Site::load(store).await?;
        if site.registration != Registration::Open && !rules.allow_sign_ups {
            return Err(AppError::Forbidden(SIGN_UPS_CLOSED.into()));
        }
        let account = self
            .create_for_identity(store, claims, verified_email, rules, now)
            .await?;
        Ok(SsoOutcome::Created(account))
    }

    async fn create_for_identity(
        &self,
        store: &dyn Storage,
        claims: &Claims,
        mut email: Option<(String, String)>,
        rules: &SsoRules,
        now: mastery_storage::Millis,
    ) -> Result<Account, AppError> {
        // Nobody knows this password: the account signs in through the provider.
        let hash = self.hash(&tokens::fresh_token()?).await?;
        let role = rules.role_of(&claims.groups).unwrap_or(Role::Learner);
        let identity = SsoIdentity {
            issuer: claims.issuer.clone(),
            subject: claims.subject.clone(),
            learner: mastery_storage::LearnerId(0),
            created_at: now,
            last_used_at: now,
        };
        let base = base_name(claims);
        let mut attempt = 1;
        while attempt <= 12 {
            let candidate = match attempt {
                1 => base.clone(),
                2..=9 => format!("{base}{attempt}"),
                _ => format!("{base}-{}", &tokens::fresh_token()?[..6]),
            };
            let Ok((username, username_key)) = names::username(&candidate) else {
                attempt += 1;
                continue;
            };
            let new = NewAccount {
                username: &username,
                username_key: &username_key,
                email: email.as_ref().map(|(e, _)| e.as_str()),
                email_key: email.as_ref().map(|(_, k)| k.as_str()),
                password_hash: &hash,
                role,
                admission: Admission::Direct,
                at: now,
            };
            match store.create_sso_account(&new, &identity).await {
                Ok(learner) => {
                    tracing::info!(learner = learner.0, role = %role, "account created by single sign-on");
                    return store
                        .account(learner)
                        .await?
                        .ok_or_else(|| AppError::NotFound("the new account is gone".into()));
                }
                Err(StorageError::Taken(Taken::Username)) => attempt += 1,
                // Another account took the address meanwhile: this one goes without.
                Err(StorageError::Taken(Taken::Email)) => email = None,
                Err(StorageError::Invalid(reason)) => {
                    // Another first sign-in of the same person may have won the race.
                    let Some(identity) =
                        store.sso_identity(&claims.issuer, &claims.subject).await?
                    else {
                        return Err(StorageError::Invalid(reason).into());
                    };
                    return store
                        .account(identity.learner)
                        .await?
                        .ok_or_else(|| AppError::NotFound("the linked account is gone".into()));
                }
                Err(other) => return Err(other.into()),
            }
        }
        Err(AppError::Invalid(
            "no free username could be made from what the provider says".into(),
        ))
    }

    /// Links the identity to `account` once its owner typed the account's password, then
    /// applies the groups' role.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `password` when it is wrong; [`AppError::Forbidden`] when the
    /// identity is linked to another account meanwhile or the account is disabled.
    pub async fn link_single_sign_on(
        &self,
        store: &dyn Storage,
        account: &Account,
        password: &str,
        claims: &Claims,
        rules: &SsoRules,
        now: mastery_storage::Millis,
    ) -> Result<Account, AppError> {
        if password.len() > super::MAX_PASSWORD_BYTES
            || !self.verify(password, &account.password_hash).await?
        {
            return Err(AppError::Field {
                field: "password",
                message: "This is not the password of this account.".into(),
            });
        }
        if account.disabled_at.is_some() {
            return Err(disabled());
        }
        let identity = SsoIdentity {
            issuer: claims.issuer.clone(),
            subject: claims.subject.clone(),
            learner: account.learner,
            created_at: now,
            last_used_at: now,
        };
        if !store.link_sso_identity(&identity).await? {
            let linked = store.sso_identity(&claims.issuer, &claims.subject).await?;
            if linked.is_none_or(|l| l.learner != account.learner) {
                return Err(AppError::Forbidden(
                    "This identity is linked to another account already.".into(),
                ));
            }
        }
        tracing::info!(learner = account.learner.0, "single sign-on linked");
        self.follow_groups(store, account.clone(), claims, rules)
            .await
    }

    /// Sets the role the groups give (when mapped); the last admin keeps the role.
    async fn follow_groups(
        &self,
        store: &dyn Storage,
        account: Account,
        claims: &Claims,
        rules: &SsoRules,
    ) -> Result<Account, AppError> {
        let Some(role) = rules.role_of(&claims.groups) else {
            return Ok(account);
        };
        if role == account.role {
            return Ok(account);
        }
        match self.set_role(store, account.learner, role).await {
            Ok(()) => Ok(Account { role, ..account }),
            Err(AppError::Forbidden(reason)) => {
                tracing::warn!(learner = account.learner.0, %reason, "the groups' role is not applied");
                Ok(account)
            }
            Err(other) => Err(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claims(preferred: Option<&str>, email: Option<&str>, name: Option<&str>) -> Claims {
        Claims {
            preferred_username: preferred.map(str::to_owned),
            email: email.map(str::to_owned),
            name: name.map(str::to_owned),
            ..Claims::default()
        }
    }

    #[test]
    fn usernames_come_from_what_the_provider_says() {
        assert_eq!(base_name(&claims(Some("ada"), None, None)), "ada");
        assert_eq!(
            base_name(&claims(None, Some("grace.hopper@example.org"), None)),
            "grace.hopper"
        );
        assert_eq!(
            base_name(&claims(None, None, Some("Ada Lovelace"))),
            "Ada_Lovelace"
        );
        assert_eq!(base_name(&claims(Some("__x!"), None, None)), "member");
        assert_eq!(base_name(&claims(None, None, None)), "member");
        assert!(names::username(&base_name(&claims(Some(&"a".repeat(80)), None, None))).is_ok());
    }

    #[test]
    fn groups_give_the_highest_role_when_mapped() {
        let rules = SsoRules {
            maps_roles: true,
            admin_groups: vec!["ops".into()],
            moderator_groups: vec!["mods".into()],
            ..SsoRules::default()
        };
        let groups = |g: &[&str]| g.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(rules.role_of(&groups(&["mods", "ops"])), Some(Role::Admin));
        assert_eq!(rules.role_of(&groups(&["mods"])), Some(Role::Moderator));
        assert_eq!(rules.role_of(&groups(&[])), Some(Role::Learner));
        assert_eq!(SsoRules::default().role_of(&groups(&["ops"])), None);
    }
}
