//! E-mail of multi-user mode, when the server is given an SMTP server: verifying an
//! address, resetting a forgotten password by a link, and telling people when their
//! password, e-mail address or two-factor sign-in changed.
//!
//! - **Links** carry a fresh 256-bit token; only its SHA-256 digest is stored. A link works
//!   once: using one uses up the account's other links of the same purpose. A verification
//!   link is good for [`VERIFY_FOR`] and only for the address it was sent to; a reset link
//!   for [`RESET_FOR`], and not after the password changed since it was sent.
//! - **A reset** is sent only to a verified address (an address typed wrong must not
//!   receive the keys to the account), answers the same whether an account matched or
//!   not, and is sent in the background, so neither the page nor its timing tells who has
//!   an account. Using it sets the password and ends every session of the account; the
//!   second factor, when on, is still asked at the next sign-in.
//! - **Notices** go to the verified address (and, when the address changed, to the old
//!   one): they tell the owner of a change they may not have made.
//!
//! Messages are plain text, in our words, with the site's address from
//! [`Mailer::base_url`]. Sending happens through lettre's SMTP client on tokio (TLS by
//! rustls), set up from an `smtp://` or `smtps://` URL.

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use mastery_storage::{Account, EmailLink, LearnerId, LinkPurpose, Millis, Storage};

use super::{Accounts, names, tokens};
use crate::AppError;

/// How long a verification link works (two days).
pub const VERIFY_FOR: Millis = 48 * 60 * 60 * 1000;
/// How long a password-reset link works (an hour).
pub const RESET_FOR: Millis = 60 * 60 * 1000;

/// Why sending failed (logged; the person is told the message could not be sent).
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    /// The SMTP URL or the sender's address is not usable.
    #[error("the e-mail settings are not usable: {0}")]
    Settings(String),
    /// The message could not be built (an address the SMTP server would refuse).
    #[error("the message could not be written: {0}")]
    Message(String),
    /// The SMTP server could not be reached or refused the message.
    #[error("the SMTP server did not take the message: {0}")]
    Transport(String),
}

/// Sends the site's e-mail.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    base_url: String,
}

impl std::fmt::Debug for Mailer {
    /// Never prints the SMTP URL (it may hold a password).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.from.to_string())
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

/// A message, before it is sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The plain-text body.
    pub body: String,
}

impl Mailer {
    /// A mailer for `smtp_url` (`smtp://user:password@host:587` with STARTTLS required,
    /// `smtps://…:465` with TLS from the start, `smtp://host:25?tls=none` only for a
    /// server on this machine), sending from `from` (`Mastery <noreply@example.org>`),
    /// with links to `base_url` (`https://mastery.example.org`).
    ///
    /// # Errors
    ///
    /// [`MailError::Settings`] naming what is wrong.
    pub fn new(smtp_url: &str, from: &str, base_url: &str) -> Result<Self, MailError> {
        let smtp_url = secure_by_default(smtp_url)?;
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&smtp_url)
            .map_err(|e| MailError::Settings(format!("smtp_url: {e}")))?
            .timeout(Some(std::time::Duration::from_secs(20)))
            .build();
        let from: Mailbox = from.parse().map_err(|e| {
            MailError::Settings(format!(
                "mail_from {from:?} is not an address like \"Mastery <noreply@example.org>\": {e}"
            ))
        })?;
        let base_url = base_url.trim().trim_end_matches('/').to_owned();
        if !(base_url.starts_with("https://") || base_url.starts_with("http://"))
            || base_url.contains(char::is_whitespace)
        {
            return Err(MailError::Settings(format!(
                "public_url {base_url:?} must be the site's address, like https://mastery.example.org"
            )));
        }
        Ok(Self {
            transport,
            from,
            base_url,
        })
    }

    /// The site's address, without a trailing slash.
    #[must_use]
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Sends one message.
    ///
    /// # Errors
    ///
    /// [`MailError::Message`] or [`MailError::Transport`].
    pub async fn send(&self, mail: &Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|e| MailError::Message(format!("the address {:?}: {e}", mail.to)))?;
        let message = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject.clone())
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body.clone())
            .map_err(|e| MailError::Message(e.to_string()))?;
        self.transport
            .send(message)
            .await
            .map_err(|e| MailError::Transport(e.to_string()))?;
        Ok(())
    }

    /// Sends in the background: the request does not wait, and a failure is logged.
    pub fn send_later(&self, mail: Mail) {
        let mailer = self.clone();
        tokio::spawn(async move {
            if let Err(error) = mailer.send(&mail).await {
                tracing::warn!(%error, "an e-mail could not be sent");
            }
        });
    }
}

/// The SMTP URL as lettre reads it, never in the clear by accident: `smtp://` without a
/// `tls` parameter means STARTTLS required (lettre would send in the clear), and
/// `tls=none` (sent as plain `smtp://`) or `tls=opportunistic` (which an attacker on the
/// path can strip) are accepted only for a server on this machine. Checked on the URL as
/// parsed (scheme and host as lettre sees them), not on its text.
fn secure_by_default(text: &str) -> Result<String, MailError> {
    let bad = |why: String| MailError::Settings(format!("smtp_url: {why}"));
    let mut url = url::Url::parse(text.trim()).map_err(|e| bad(format!("not a URL ({e})")))?;
    if url.fragment().is_some() {
        return Err(bad("a URL with a # fragment is not an SMTP server".into()));
    }
    let local = match url.host() {
        // smtp:// is not a scheme the URL standard knows, so an IPv4 address stays a name.
        Some(url::Host::Domain(name)) => {
            name.eq_ignore_ascii_case("localhost")
                || name
                    .parse::<std::net::IpAddr>()
                    .is_ok_and(|ip| ip.is_loopback())
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => return Err(bad("it names no host".into())),
    };
    let tls = url
        .query_pairs()
        .find(|(k, _)| k == "tls")
        .map(|(_, v)| v.into_owned());
    match (url.scheme(), tls.as_deref()) {
        ("smtps", _) | ("smtp", Some("required")) => {}
        ("smtp", None) => {
            url.query_pairs_mut().append_pair("tls", "required");
        }
        ("smtp", Some("none" | "opportunistic")) if local => {
            if tls.as_deref() == Some("none") {
                let kept: Vec<(String, String)> = url
                    .query_pairs()
                    .filter(|(k, _)| k != "tls")
                    .map(|(k, v)| (k.into_owned(), v.into_owned()))
                    .collect();
                url.set_query(None);
                if !kept.is_empty() {
                    url.query_pairs_mut().extend_pairs(kept);
                }
            }
        }
        ("smtp", Some("none" | "opportunistic")) => {
            return Err(bad(format!(
                "tls={} can send passwords and mail in the clear, so it is only for a \
                 relay on this machine, not {:?}; use STARTTLS (smtp://…:587) or TLS \
                 (smtps://…:465)",
                tls.unwrap_or_default(),
                url.host_str().unwrap_or_default()
            )));
        }
        ("smtp", Some(other)) => {
            return Err(bad(format!(
                "tls={other} is not one of required, opportunistic or none"
            )));
        }
        (scheme, _) => {
            return Err(bad(format!(
                "the scheme is {scheme}://, not smtp:// or smtps://"
            )));
        }
    }
    Ok(url.to_string())
}

/// What changed, for a notice to the account's owner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// The password was changed (by its owner, by a reset link, or by an admin).
    Password,
    /// Two-factor sign-in was turned on.
    TwoFactorOn,
    /// Two-factor sign-in was turned off.
    TwoFactorOff,
    /// The e-mail address was changed or removed (sent to the old address).
    Email,
}

/// The notice of a change.
#[must_use]
pub fn notice(change: Change, username: &str, to: &str, base_url: &str) -> Mail {
    let (subject, what) = match change {
        Change::Password => ("Your password was changed", "the password of your account"),
        Change::TwoFactorOn => (
            "Two-factor sign-in was turned on",
            "two-factor sign-in of your account was turned on, and",
        ),
        Change::TwoFactorOff => (
            "Two-factor sign-in was turned off",
            "two-factor sign-in of your account was turned off, and",
        ),
        Change::Email => (
            "Your e-mail address was changed",
            "the e-mail address of your account was changed from this one to another (or removed), and",
        ),
    };
    let what = match change {
        Change::Password => format!("{what} was changed."),
        _ => format!("{what} this address hears about it."),
    };
    Mail {
        to: to.to_owned(),
        subject: format!("Mastery: {subject}"),
        body: format!(
            "Hello {username},\n\n\
             On {base_url}, {what}\n\n\
             If you did this, there is nothing more to do.\n\
             If you did not, sign in and change your password now, then look at \
             {base_url}/account/security to see the sign-ins and changes of your account; \
             if you cannot sign in, ask an admin of the site.\n"
        ),
    }
}

/// The message with a link to verify an address.
#[must_use]
pub fn verification(username: &str, to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Mastery: confirm your e-mail address".into(),
        body: format!(
            "Hello {username},\n\n\
             To confirm that this address is yours, open this link within two days:\n\n\
             {link}\n\n\
             With a confirmed address you can reset your password if you forget it, and \
             you are told when your password or sign-in settings change.\n\
             If you did not ask for this, ignore this message: nothing changes.\n"
        ),
    }
}

/// The message with a link to reset a forgotten password.
#[must_use]
pub fn reset(username: &str, to: &str, link: &str) -> Mail {
    Mail {
        to: to.to_owned(),
        subject: "Mastery: reset your password".into(),
        body: format!(
            "Hello {username},\n\n\
             Someone (we hope you) asked to reset the password of your account. To choose a \
             new password, open this link within an hour:\n\n\
             {link}\n\n\
             The link works once. Setting a new password signs your account out everywhere.\n\
             If you did not ask for this, ignore this message: your password stays as it is.\n"
        ),
    }
}

/// The account's address, when it is the one it verified.
///
/// # Errors
///
/// Storage errors.
pub async fn verified_address(
    store: &dyn Storage,
    account: &Account,
) -> Result<Option<String>, AppError> {
    let (Some(email), Some(key)) = (&account.email, &account.email_key) else {
        return Ok(None);
    };
    let verified = store.verified_email(account.learner).await?;
    Ok((verified.as_deref() == Some(key.as_str())).then(|| email.clone()))
}

/// Tells the account's owner of a change, at their verified address (in the background);
/// nothing when they have none.
///
/// # Errors
///
/// Storage errors.
pub async fn notify(
    store: &dyn Storage,
    mailer: &Mailer,
    account: &Account,
    change: Change,
) -> Result<(), AppError> {
    if let Some(to) = verified_address(store, account).await? {
        mailer.send_later(notice(change, &account.username, &to, mailer.base_url()));
    }
    Ok(())
}

/// Whether a reset link is good at `now`, without using it (the page that asks for the
/// new password says so at once).
///
/// # Errors
///
/// Storage errors.
pub async fn reset_link_works(
    store: &dyn Storage,
    token: &str,
    now: Millis,
) -> Result<bool, AppError> {
    if !tokens::is_token(token) {
        return Ok(false);
    }
    Ok(store
        .email_link(&tokens::digest(token), LinkPurpose::Reset, now)
        .await?
        .is_some())
}

/// Stores a fresh link and returns its token.
async fn new_link(
    store: &dyn Storage,
    learner: LearnerId,
    purpose: LinkPurpose,
    email_key: &str,
    now: Millis,
) -> Result<String, AppError> {
    let token = tokens::fresh_token()?;
    let valid_for = match purpose {
        LinkPurpose::Verify => VERIFY_FOR,
        LinkPurpose::Reset => RESET_FOR,
    };
    store
        .create_email_link(&EmailLink {
            token_hash: tokens::digest(&token),
            learner,
            purpose,
            email_key: email_key.to_owned(),
            created_at: now,
            expires_at: now.saturating_add(valid_for),
        })
        .await?;
    Ok(token)
}

fn link_gone() -> AppError {
    AppError::Forbidden(
        "This link has expired, was used already, or a newer one was used: ask for a new one."
            .into(),
    )
}

impl Accounts {
    /// Sends a link to verify the account's address (in the background).
    ///
    /// # Errors
    ///
    /// [`AppError::Invalid`] when the account has no address or it is verified already;
    /// storage errors.
    pub async fn send_verification(
        &self,
        store: &dyn Storage,
        mailer: &Mailer,
        account: &Account,
        now: Millis,
    ) -> Result<(), AppError> {
        let (Some(email), Some(key)) = (&account.email, &account.email_key) else {
            return Err(AppError::Invalid(
                "Add an e-mail address to your account first.".into(),
            ));
        };
        if verified_address(store, account).await?.is_some() {
            return Err(AppError::Invalid(
                "This address is confirmed already.".into(),
            ));
        }
        let token = new_link(store, account.learner, LinkPurpose::Verify, key, now).await?;
        let link = format!("{}/account/email/verify/{token}", mailer.base_url());
        mailer.send_later(verification(&account.username, email, &link));
        Ok(())
    }

    /// Verifies the address a link was sent to: the account it belongs to.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when the link is unknown, used or expired, or the account's
    /// address changed since; storage errors.
    pub async fn verify_email(
        &self,
        store: &dyn Storage,
        token: &str,
        now: Millis,
    ) -> Result<LearnerId, AppError> {
        if !tokens::is_token(token) {
            return Err(link_gone());
        }
        let link = store
            .use_email_link(&tokens::digest(token), LinkPurpose::Verify, now)
            .await?
            .ok_or_else(link_gone)?;
        let account = store.account(link.learner).await?.ok_or_else(link_gone)?;
        if account.email_key.as_deref() != Some(link.email_key.as_str()) {
            return Err(AppError::Forbidden(
                "This link was sent to an address your account no longer has.".into(),
            ));
        }
        store
            .set_email_verified(account.learner, &link.email_key, now)
            .await?;
        tracing::info!(learner = account.learner.0, "e-mail address verified");
        Ok(account.learner)
    }

    /// Sends a reset link when `login` (a username or an address) names an enabled account
    /// with a verified address; does nothing otherwise. Answers the same either way, and
    /// sends in the background.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn request_reset(
        &self,
        store: &dyn Storage,
        mailer: &Mailer,
        login: &str,
        now: Millis,
    ) -> Result<(), AppError> {
        if login.trim().is_empty() || login.len() > super::MAX_LOGIN_BYTES {
            return Ok(());
        }
        let Some(account) = store.account_by_key(&names::login_key(login)).await? else {
            return Ok(());
        };
        if account.disabled_at.is_some() {
            return Ok(());
        }
        let Some(email) = verified_address(store, &account).await? else {
            return Ok(());
        };
        let key = names::email_key(&email);
        let token = new_link(store, account.learner, LinkPurpose::Reset, &key, now).await?;
        let link = format!("{}/reset-password/{token}", mailer.base_url());
        mailer.send_later(reset(&account.username, &email, &link));
        tracing::info!(learner = account.learner.0, "password reset link sent");
        Ok(())
    }

    /// Sets a new password with a reset link, and ends every session of the account: the
    /// account.
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `password` when it breaks a rule (the link still works);
    /// [`AppError::Forbidden`] when the link is unknown, used, expired, or older than the
    /// password; storage errors.
    pub async fn reset_with_link(
        &self,
        store: &dyn Storage,
        token: &str,
        new: &str,
        now: Millis,
    ) -> Result<Account, AppError> {
        if !tokens::is_token(token) {
            return Err(link_gone());
        }
        let digest = tokens::digest(token);
        // The rules first, so that a password they refuse does not use up the link: the
        // account is found through the link's digest without using it.
        let Some(account) = self.account_of_link(store, &digest, now).await? else {
            return Err(link_gone());
        };
        self.check_new_password(&account, new)?;
        let link = store
            .use_email_link(&digest, LinkPurpose::Reset, now)
            .await?
            .ok_or_else(link_gone)?;
        let account = store.account(link.learner).await?.ok_or_else(link_gone)?;
        if account.password_changed_at > link.created_at || account.disabled_at.is_some() {
            return Err(link_gone());
        }
        // Sent to the address the account still has, and still confirmed: a mailbox the
        // owner moved away from keeps no way in.
        let confirmed = verified_address(store, &account)
            .await?
            .map(|e| names::email_key(&e));
        if confirmed.as_deref() != Some(link.email_key.as_str()) {
            return Err(link_gone());
        }
        self.set_new_password(store, &account, new, now).await?;
        // A reset answers a lost or stolen password: nothing made with the old one stays.
        store.end_sessions(account.learner, None).await?;
        super::revoke_tokens(store, account.learner, now).await?;
        tracing::info!(
            learner = account.learner.0,
            "password reset with an e-mailed link"
        );
        store.account(account.learner).await?.ok_or_else(link_gone)
    }

    /// The account a reset link was made for, when the link is still good (without using
    /// it).
    async fn account_of_link(
        &self,
        store: &dyn Storage,
        digest: &str,
        now: Millis,
    ) -> Result<Option<Account>, AppError> {
        let Some(link) = store.email_link(digest, LinkPurpose::Reset, now).await? else {
            return Ok(None);
        };
        Ok(store.account(link.learner).await?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_are_checked_with_messages_that_name_the_setting() {
        assert!(
            Mailer::new(
                "smtp://127.0.0.1:2525?tls=none",
                "Mastery <noreply@example.org>",
                "http://127.0.0.1:8080/"
            )
            .is_ok()
        );
        let bad_url = Mailer::new("mailto:me", "noreply@example.org", "https://x.org").unwrap_err();
        assert!(bad_url.to_string().contains("smtp_url"), "{bad_url}");
        let bad_from = Mailer::new(
            "smtp://127.0.0.1:25?tls=none",
            "not an address",
            "https://x.org",
        )
        .unwrap_err();
        assert!(bad_from.to_string().contains("mail_from"), "{bad_from}");
        let bad_base = Mailer::new("smtp://127.0.0.1:25?tls=none", "a@b.org", "x.org").unwrap_err();
        assert!(bad_base.to_string().contains("public_url"), "{bad_base}");
        let clear = Mailer::new(
            "smtp://u:p@smtp.example.org:25?tls=none",
            "a@b.org",
            "https://x.org",
        )
        .unwrap_err();
        assert!(clear.to_string().contains("in the clear"), "{clear}");
        assert_eq!(
            secure_by_default("smtp://u:p@smtp.example.org:587").unwrap(),
            "smtp://u:p@smtp.example.org:587?tls=required"
        );
        assert_eq!(
            secure_by_default("smtp://[::1]:25?tls=none").unwrap(),
            "smtp://[::1]:25"
        );
        for sneaky in [
            "SMTP://u:p@smtp.example.org:25?tls=none",
            "smtp://smtp.example.org:25?tls=opportunistic",
            "smtp://evil.example#@localhost:25?tls=none",
            "smtp://evil.example:25?tls=none#@localhost",
        ] {
            assert!(secure_by_default(sneaky).is_err(), "{sneaky}");
        }
        assert_eq!(
            secure_by_default("smtps://u:p@smtp.example.org").unwrap(),
            "smtps://u:p@smtp.example.org"
        );
        let debug = format!(
            "{:?}",
            Mailer::new(
                "smtp://user:hunter2@127.0.0.1:25?tls=none",
                "a@b.org",
                "https://x.org"
            )
            .unwrap()
        );
        assert!(!debug.contains("hunter2"), "{debug}");
    }

    #[test]
    fn messages_carry_the_link_and_say_what_happened() {
        let m = reset(
            "ada",
            "ada@example.org",
            "https://m.example/reset-password/abc",
        );
        assert_eq!(m.to, "ada@example.org");
        assert!(m.body.contains("https://m.example/reset-password/abc"));
        assert!(m.body.contains("within an hour"));
        let n = notice(
            Change::TwoFactorOff,
            "ada",
            "ada@example.org",
            "https://m.example",
        );
        assert!(n.subject.contains("turned off"));
        assert!(n.body.contains("https://m.example/account/security"));
        let p = notice(
            Change::Password,
            "ada",
            "ada@example.org",
            "https://m.example",
        );
        assert!(
            p.body.contains("the password of your account was changed."),
            "{}",
            p.body
        );
    }
}
