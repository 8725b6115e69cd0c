//! Attempt limits of accounts, shared by every instance: they live in the database
//! ([`mastery_storage::SecurityStorage::take_rates`], the generic cell rate algorithm the
//! community's limits use too), so a site of several instances behind a load balancer
//! counts each address and each account once.
//!
//! | what | counted per | limit |
//! | --- | --- | --- |
//! | sign-in (and the setup link) | client address | `sign_ins_per_minute` at once, then that many a minute |
//! | sign-in | account (by username or e-mail alike), or the name typed when it is nobody's | 5 at once, then one a minute; after 10, one every 10 minutes; after 20, one an hour; a right password starts afresh |
//! | sign-in from a browser that signed in to that account before | that browser (its device cookie) | the same back-off, apart from the account's |
//! | the password typed again on one's own pages (e-mail, password, deletion, tokens) | account | the same back-off, apart from sign-in |
//! | second factor (code or recovery code) | account | the same growing back-off; a right code starts afresh |
//! | sign-up | client address | `sign_ups_per_hour` at once, then that many an hour |
//! | invitation links opened or used | client address | 20 at once, then 20 an hour |
//! | e-mail asked for (password reset, address confirmation) | client address; name typed | 10 at once then 10 an hour; 3 at once then one every 20 minutes |
//! | API requests with an access token | token | 300 at once, then 5 a second |
//!
//! Someone who guesses at an account slows down guesses at that account, not its owner:
//! the owner's browser, once it has signed in, carries a **device cookie** (OWASP's defence
//! against lock-outs by strangers) and counts apart; the pages where a signed-in owner
//! types their password again count apart too. A name that belongs to nobody is limited
//! exactly like one that does, under a digest of its folded form, so nothing tells the two
//! apart and no name is stored in the clear. IPv6 clients are grouped by /64, the block one
//! subscriber usually gets; IPv4 addresses mapped into IPv6 count as IPv4.

use std::net::{IpAddr, Ipv6Addr};

use mastery_storage::{LearnerId, Millis, RateLimit, Storage};
use sha2::{Digest, Sha256};

use crate::AppError;

const SECOND: i64 = 1000;
const MINUTE: i64 = 60 * SECOND;
const HOUR: i64 = 60 * MINUTE;

/// The growing back-off of guesses against one account: each step's burst and refill.
/// Every guess takes from all three; the tightest decides.
const BACK_OFF: [(i64, i64); 3] = [(5, MINUTE), (10, 10 * MINUTE), (20, HOUR)];

/// The limits a server applies (the figures an operator can change).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttemptLimits {
    /// Sign-in attempts per client address and minute.
    pub sign_ins_per_minute: u32,
    /// Sign-up attempts per client address and hour.
    pub sign_ups_per_hour: u32,
}

impl Default for AttemptLimits {
    fn default() -> Self {
        Self {
            sign_ins_per_minute: 6,
            sign_ups_per_hour: 10,
        }
    }
}

/// An address as its limit's key: IPv4 as it is, IPv6 by its /64 (an IPv4 address mapped
/// into IPv6 counts as IPv4); no address at all shares one key.
#[must_use]
pub fn client_group(client: Option<IpAddr>) -> String {
    match client {
        None => "unknown".into(),
        Some(IpAddr::V4(v4)) => v4.to_string(),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => v4.to_string(),
            None => {
                let s = v6.segments();
                format!("{}/64", Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}

/// Who a sign-in attempt guesses at, besides the address it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Guessed<'a> {
    /// An account, whichever of its names (username or e-mail address) was typed.
    Account(LearnerId),
    /// An account, from a browser that signed in to it before: the device cookie's id.
    KnownDevice(&'a str),
    /// A name that belongs to nobody, as typed.
    Nobody(&'a str),
    /// No name at all (the setup link, an empty form): the address alone counts.
    Nothing,
}

/// The key of the guesses against a name that belongs to nobody: a short digest of its
/// folded form. Names longer than any account's share one key (folding them would cost
/// more than the attempt is worth).
fn name_key(login: &str) -> String {
    if login.len() > super::MAX_LOGIN_BYTES {
        return "too-long".into();
    }
    let folded = super::names::login_key(login);
    let digest = Sha256::digest(folded.as_bytes());
    super::tokens::hex(&digest[..12])
}

impl Guessed<'_> {
    /// The keys of its back-off, if it has one.
    fn keys(&self) -> Option<[String; 3]> {
        match self {
            Guessed::Account(learner) => {
                Some(back_off_keys("sign-in-account", &learner.0.to_string()))
            }
            Guessed::KnownDevice(id) => Some(back_off_keys("sign-in-device", id)),
            Guessed::Nobody(login) => Some(back_off_keys("sign-in-name", &name_key(login))),
            Guessed::Nothing => None,
        }
    }
}

fn back_off_keys(prefix: &str, who: &str) -> [String; 3] {
    [0, 1, 2].map(|i| format!("{prefix}{i}:{who}"))
}

fn back_off<'a>(keys: &'a [String; 3]) -> impl Iterator<Item = RateLimit<'a>> + 'a {
    keys.iter()
        .zip(BACK_OFF)
        .map(|(key, (burst, interval_ms))| RateLimit {
            key,
            interval_ms,
            burst,
        })
}

/// How long to wait, in words.
fn wait_words(secs: u64) -> String {
    match secs {
        0..=1 => "a second".into(),
        2..=89 => format!("{secs} seconds"),
        90..=5399 => format!("{} minutes", secs.div_ceil(60)),
        _ => format!("{} hours", secs.div_ceil(3600)),
    }
}

fn refused(what: &str, wait_ms: i64) -> AppError {
    let retry_after_secs = u64::try_from(wait_ms.saturating_add(999) / 1000)
        .unwrap_or(1)
        .max(1);
    AppError::TooMany {
        message: format!("{what}: try again in {}.", wait_words(retry_after_secs)),
        retry_after_secs,
    }
}

impl AttemptLimits {
    fn per_ip(&self, n: u32, period: i64) -> (i64, i64) {
        let n = i64::from(n.max(1));
        (n, (period / n).max(1))
    }

    /// Takes one sign-in attempt for the client address and what it guesses at. Refused
    /// when either is used up (nothing is taken then).
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn sign_in(
        &self,
        store: &dyn Storage,
        client: Option<IpAddr>,
        guessed: Guessed<'_>,
        now: Millis,
    ) -> Result<(), AppError> {
        let ip_key = format!("sign-in-ip:{}", client_group(client));
        let (burst, interval_ms) = self.per_ip(self.sign_ins_per_minute, MINUTE);
        let keys = guessed.keys();
        let mut limits = vec![RateLimit {
            key: &ip_key,
            interval_ms,
            burst,
        }];
        if let Some(keys) = &keys {
            limits.extend(back_off(keys));
        }
        match store.take_rates(&limits, now).await? {
            None => Ok(()),
            Some((0, wait)) => Err(refused("Too many sign-in attempts from your network", wait)),
            Some((_, wait)) => Err(refused("Too many failed sign-ins to this account", wait)),
        }
    }

    /// A right password: the failures counted against what was guessed at are forgotten.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn signed_in(
        &self,
        store: &dyn Storage,
        guessed: Guessed<'_>,
    ) -> Result<(), AppError> {
        if let Some(keys) = guessed.keys() {
            let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
            store.clear_rates(&keys).await?;
        }
        Ok(())
    }

    /// Takes one attempt at typing the password again on one's own pages (changing the
    /// e-mail address or the password, deleting the account, creating a token): counted
    /// per account, apart from sign-in, so that strangers guessing at the sign-in page do
    /// not lock the owner out of their settings (and the reverse).
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn password_again(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        now: Millis,
    ) -> Result<(), AppError> {
        let keys = back_off_keys("password-again", &learner.0.to_string());
        let limits: Vec<RateLimit<'_>> = back_off(&keys).collect();
        match store.take_rates(&limits, now).await? {
            None => Ok(()),
            Some((_, wait)) => Err(refused("Too many wrong passwords", wait)),
        }
    }

    /// The password was right on one's own page: its failures are forgotten.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn password_again_passed(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
    ) -> Result<(), AppError> {
        let keys = back_off_keys("password-again", &learner.0.to_string());
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        store.clear_rates(&keys).await?;
        Ok(())
    }

    /// Takes one attempt at the second factor of an account.
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn second_factor(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        now: Millis,
    ) -> Result<(), AppError> {
        let keys = back_off_keys("second-factor", &learner.0.to_string());
        let limits: Vec<RateLimit<'_>> = back_off(&keys).collect();
        match store.take_rates(&limits, now).await? {
            None => Ok(()),
            Some((_, wait)) => Err(refused("Too many wrong codes for this account", wait)),
        }
    }

    /// A right code: the account's failed codes are forgotten.
    ///
    /// # Errors
    ///
    /// Storage errors.
    pub async fn second_factor_passed(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
    ) -> Result<(), AppError> {
        let keys = back_off_keys("second-factor", &learner.0.to_string());
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        store.clear_rates(&keys).await?;
        Ok(())
    }

    /// Takes one sign-up attempt for the client address.
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn sign_up(
        &self,
        store: &dyn Storage,
        client: Option<IpAddr>,
        now: Millis,
    ) -> Result<(), AppError> {
        let (burst, interval_ms) = self.per_ip(self.sign_ups_per_hour, HOUR);
        let key = format!("sign-up-ip:{}", client_group(client));
        match store.take_rate(&key, now, interval_ms, burst).await? {
            None => Ok(()),
            Some(wait) => Err(refused("Too many sign-up attempts from your network", wait)),
        }
    }

    /// Takes one use of an invitation link (opened or submitted) for the client address:
    /// trying links is how one would look for a valid one.
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn invite(
        &self,
        store: &dyn Storage,
        client: Option<IpAddr>,
        now: Millis,
    ) -> Result<(), AppError> {
        let key = format!("invite-ip:{}", client_group(client));
        match store.take_rate(&key, now, 3 * MINUTE, 20).await? {
            None => Ok(()),
            Some(wait) => Err(refused(
                "Too many invitation links tried from your network",
                wait,
            )),
        }
    }

    /// Takes one e-mail asked for (a password-reset link, a verification link): per
    /// client address 10 at once then 10 an hour, and per name typed 3 at once then one
    /// every 20 minutes, so nobody fills someone's inbox.
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn reset_request(
        &self,
        store: &dyn Storage,
        client: Option<IpAddr>,
        login: &str,
        now: Millis,
    ) -> Result<(), AppError> {
        let ip_key = format!("mail-ip:{}", client_group(client));
        let name = format!("mail-name:{}", name_key(login));
        let limits = [
            RateLimit {
                key: &ip_key,
                interval_ms: 6 * MINUTE,
                burst: 10,
            },
            RateLimit {
                key: &name,
                interval_ms: 20 * MINUTE,
                burst: 3,
            },
        ];
        match store.take_rates(&limits, now).await? {
            None => Ok(()),
            Some((0, wait)) => Err(refused(
                "Too many e-mails asked for from your network",
                wait,
            )),
            Some((_, wait)) => Err(refused("Too many e-mails asked for this account", wait)),
        }
    }

    /// Takes one request made with the access token numbered `token`.
    ///
    /// # Errors
    ///
    /// [`AppError::TooMany`] with the wait; storage errors.
    pub async fn token(
        &self,
        store: &dyn Storage,
        token: i64,
        now: Millis,
    ) -> Result<(), AppError> {
        let key = format!("token:{token}");
        match store.take_rate(&key, now, 200, 300).await? {
            None => Ok(()),
            Some(wait) => Err(refused("Too many requests with this access token", wait)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use mastery_storage_sqlite::SqliteStore;

    async fn store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        (dir, store)
    }

    fn wait(result: Result<(), AppError>) -> u64 {
        match result {
            Err(AppError::TooMany {
                retry_after_secs, ..
            }) => retry_after_secs,
            other => panic!("not refused: {other:?}"),
        }
    }

    #[tokio::test]
    async fn guesses_against_one_account_back_off_more_and_more() {
        let (_dir, store) = store().await;
        let limits = AttemptLimits {
            sign_ins_per_minute: 1000,
            sign_ups_per_hour: 10,
        };
        let ip = |n: u8| Some(IpAddr::from([192, 0, 2, n]));
        let ada = Guessed::Account(LearnerId(7));
        let mut now = 1_000_000;
        for n in 0..5 {
            limits.sign_in(&store, ip(n), ada, now).await.unwrap();
        }
        assert_eq!(wait(limits.sign_in(&store, ip(9), ada, now).await), 60);
        // One a minute after the first five, until ten.
        for _ in 0..5 {
            now += MINUTE;
            limits.sign_in(&store, ip(1), ada, now).await.unwrap();
        }
        now += MINUTE;
        let longer = wait(limits.sign_in(&store, ip(1), ada, now).await);
        assert!(longer > 60 && longer <= 600, "{longer}");
        // Another account is not slowed, nor the owner's own browser, nor the owner's
        // settings pages; a right password starts afresh.
        let bob = Guessed::Account(LearnerId(8));
        limits.sign_in(&store, ip(1), bob, now).await.unwrap();
        let device = Guessed::KnownDevice("0123abcd");
        limits.sign_in(&store, ip(1), device, now).await.unwrap();
        limits
            .password_again(&store, LearnerId(7), now)
            .await
            .unwrap();
        limits.signed_in(&store, ada).await.unwrap();
        limits.sign_in(&store, ip(1), ada, now).await.unwrap();
    }

    #[tokio::test]
    async fn names_of_nobody_back_off_like_accounts_and_nothing_typed_counts_per_address() {
        let (_dir, store) = store().await;
        let limits = AttemptLimits {
            sign_ins_per_minute: 1000,
            sign_ups_per_hour: 10,
        };
        let ip = Some(IpAddr::from([192, 0, 2, 1]));
        for _ in 0..5 {
            limits
                .sign_in(&store, ip, Guessed::Nobody("Ghost"), 0)
                .await
                .unwrap();
        }
        // Folded like sign-in folds names.
        assert_eq!(
            wait(
                limits
                    .sign_in(&store, ip, Guessed::Nobody("GHOST"), 0)
                    .await
            ),
            60
        );
        // The setup link (no name) shares no bucket with anyone's name.
        for _ in 0..20 {
            limits
                .sign_in(&store, ip, Guessed::Nothing, 0)
                .await
                .unwrap();
        }
        // Names too long for any account share one key, and are not folded.
        let long = "x".repeat(super::super::MAX_LOGIN_BYTES + 1);
        assert_eq!(name_key(&long), name_key(&"y".repeat(100_000)));
        // The owner typing their password again backs off too, apart from sign-in.
        for _ in 0..5 {
            limits
                .password_again(&store, LearnerId(3), 0)
                .await
                .unwrap();
        }
        assert!(
            limits
                .password_again(&store, LearnerId(3), 0)
                .await
                .is_err()
        );
        limits
            .password_again_passed(&store, LearnerId(3))
            .await
            .unwrap();
        limits
            .password_again(&store, LearnerId(3), 0)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn an_address_is_limited_whatever_names_it_tries() {
        let (_dir, store) = store().await;
        let limits = AttemptLimits::default();
        let me: Option<IpAddr> = "2001:db8::1".parse().ok();
        let neighbour: Option<IpAddr> = "2001:db8::2".parse().ok();
        for n in 0..6 {
            let name = format!("name{n}");
            limits
                .sign_in(&store, me, Guessed::Nobody(&name), 0)
                .await
                .unwrap();
        }
        let refused = limits
            .sign_in(&store, neighbour, Guessed::Nobody("other"), 0)
            .await;
        assert!(
            matches!(&refused, Err(AppError::TooMany { message, .. }) if message.contains("network")),
            "{refused:?}"
        );
        assert_eq!(wait(refused), 10);
        limits
            .sign_in(
                &store,
                "198.51.100.1".parse().ok(),
                Guessed::Nobody("other"),
                0,
            )
            .await
            .unwrap();
        // Sign-ups and invitations count apart.
        limits.sign_up(&store, me, 0).await.unwrap();
        limits.invite(&store, me, 0).await.unwrap();
    }

    #[test]
    fn ipv6_is_grouped_by_its_64_bit_prefix() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_group(Some(one)), client_group(Some(same)));
        assert_ne!(client_group(Some(one)), client_group(Some(other)));
        assert_eq!(client_group(Some(one)), "2001:db8:1:2::/64");
        let mapped: IpAddr = "::ffff:192.0.2.1".parse().unwrap();
        assert_eq!(client_group(Some(mapped)), "192.0.2.1");
        assert_eq!(client_group(None), "unknown");
    }

    #[test]
    fn name_keys_fold_like_sign_in_and_hide_the_name() {
        assert_eq!(name_key("Ada"), name_key("ADA"));
        assert_ne!(name_key("ada"), name_key("bob"));
        assert!(!name_key("ada").contains("ada"));
        assert_eq!(name_key("ada").len(), 24);
    }

    #[test]
    fn waits_read_as_words() {
        assert_eq!(wait_words(1), "a second");
        assert_eq!(wait_words(30), "30 seconds");
        assert_eq!(wait_words(600), "10 minutes");
        assert_eq!(wait_words(7200), "2 hours");
        let AppError::TooMany {
            retry_after_secs, ..
        } = refused("x", 1)
        else {
            panic!("not TooMany")
        };
        assert_eq!(retry_after_secs, 1);
    }
}
