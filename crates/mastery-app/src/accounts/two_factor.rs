//! Two-factor sign-in with an authenticator app (TOTP, RFC 6238: SHA-1, 6 digits, 30-second
//! steps, the settings every authenticator understands), and ten single-use recovery codes.
//!
//! - **Enrolment**: a fresh 160-bit secret is kept as pending; the page shows it as a QR
//!   code drawn on the server (SVG) and as text, good for an hour; the password and a typed
//!   code from the app turn it on and give the recovery codes (about 119 random bits
//!   each), shown once and stored as SHA-256 digests.
//! - **Codes are accepted once**: the code of the step before, the current step or the
//!   next one is accepted (clocks drift), and the step accepted is stored, so the same code
//!   (or an older one) is refused afterwards, on every instance.
//! - **Turning it off** needs the password and a code (or a recovery code).
//!
//! The time is passed in, so tests compute codes from the secret at fixed times.

use mastery_storage::{Account, LearnerId, Millis, Storage, StorageError, StoredTotp};
use qrcode::QrCode;
use qrcode::render::svg;
use totp_rs::{Algorithm, Secret, TOTP};

use super::{Accounts, tokens};
use crate::AppError;

/// Seconds per code.
pub const STEP_SECS: i64 = 30;
/// How many recovery codes an enrolment gives.
pub const RECOVERY_CODES: usize = 10;
/// The letters of recovery codes: no 0/o, 1/l/i to misread.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";

/// What the enrolment page shows: the secret as text, the `otpauth://` link and its QR code.
#[derive(Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing into an app by hand.
    pub secret: String,
    /// The `otpauth://totp/...` link the QR code holds.
    pub uri: String,
    /// The QR code as an `<svg>` element (no XML declaration), safe to put in a page.
    pub qr_svg: String,
}

impl std::fmt::Debug for Enrolment {
    /// Never prints the secret.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Enrolment").finish_non_exhaustive()
    }
}

/// How long a secret shown for enrolment stays good (an hour): a page left open, or a
/// secret seen over a shoulder, does not stay usable for ever.
pub const ENROLMENT_FOR: Millis = 60 * 60 * 1000;

fn expired(pending: &StoredTotp, now: Millis) -> bool {
    pending.enabled_at.is_none() && now.saturating_sub(pending.created_at) > ENROLMENT_FOR
}

/// What was typed at the second step.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Passed {
    /// A code from the app.
    Code,
    /// A recovery code (now used up).
    RecoveryCode,
}

/// The step of a time.
#[must_use]
pub fn step_of(now: Millis) -> i64 {
    now.div_euclid(1000).div_euclid(STEP_SECS)
}

fn totp_of(secret: &str) -> Result<TOTP, AppError> {
    let bytes = Secret::Encoded(secret.to_owned())
        .to_bytes()
        .map_err(|_| corrupt_secret())?;
    TOTP::new(Algorithm::SHA1, 6, 1, 30, bytes).map_err(|_| corrupt_secret())
}

fn corrupt_secret() -> AppError {
    AppError::Storage(StorageError::Corrupt(
        "an account's authenticator secret is not valid base32 of at least 128 bits".into(),
    ))
}

/// The code of `secret` (base32) at the time step `step` (what an authenticator shows).
///
/// # Errors
///
/// When the secret is not valid base32 of at least 128 bits.
pub fn code_at(secret: &str, step: i64) -> Result<String, AppError> {
    let seconds = u64::try_from(step.max(0).saturating_mul(STEP_SECS)).unwrap_or(0);
    Ok(totp_of(secret)?.generate(seconds))
}

/// The step of `step - 1 ..= step + 1` whose code `typed` is, if any (compared in constant
/// time).
fn matching_step(secret: &str, typed: &str, now: Millis) -> Result<Option<i64>, AppError> {
    let totp = totp_of(secret)?;
    let step = step_of(now);
    let mut found = None;
    for candidate in [step - 1, step, step + 1] {
        let seconds = u64::try_from(candidate.max(0).saturating_mul(STEP_SECS)).unwrap_or(0);
        if tokens::constant_time_eq(&totp.generate(seconds), typed) {
            found = Some(candidate);
        }
    }
    Ok(found)
}

/// A code as typed, without spaces or dashes, lowercase.
fn normalise(typed: &str) -> String {
    typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .flat_map(char::to_lowercase)
        .take(64)
        .collect()
}

fn is_totp_code(code: &str) -> bool {
    code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())
}

/// Letters in a recovery code: 24 of 31, about 119 bits, so that a plain SHA-256 digest
/// is a safe way to keep them (OWASP ASVS 5.0 V6.6: a lookup secret with at least 112
/// bits of entropy). Codes of 10 letters given before are still accepted.
const RECOVERY_LETTERS: usize = 24;
/// Letters per group in a code as shown ("abcdef-ghjkmn-pqrstu-vwxyz2").
const RECOVERY_GROUP: usize = 6;
/// The length of the recovery codes given before (about 49 bits), still accepted.
const OLD_RECOVERY_LETTERS: usize = 10;

/// Ten fresh recovery codes, as shown: four groups of six letters.
fn fresh_recovery_codes() -> Result<Vec<String>, AppError> {
    // 256 is not a multiple of 31: bytes of the last, partial cycle are drawn again, so
    // every letter is as likely.
    let cycle =
        u8::try_from(256 / RECOVERY_ALPHABET.len() * RECOVERY_ALPHABET.len()).unwrap_or(u8::MAX);
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    while codes.len() < RECOVERY_CODES {
        let mut letters = String::with_capacity(RECOVERY_LETTERS + 3);
        let mut drawn = 0;
        while drawn < RECOVERY_LETTERS {
            let mut bytes = [0u8; 32];
            getrandom::fill(&mut bytes)
                .map_err(|e| AppError::Invalid(format!("the system has no randomness: {e}")))?;
            for b in bytes.into_iter().filter(|b| *b < cycle) {
                if drawn < RECOVERY_LETTERS {
                    if drawn > 0 && drawn % RECOVERY_GROUP == 0 {
                        letters.push('-');
                    }
                    letters.push(char::from(
                        RECOVERY_ALPHABET[usize::from(b) % RECOVERY_ALPHABET.len()],
                    ));
                    drawn += 1;
                }
            }
        }
        if !codes.contains(&letters) {
            codes.push(letters);
        }
    }
    Ok(codes)
}

/// The digest stored for a recovery code as typed.
fn recovery_digest(typed: &str) -> String {
    tokens::digest(&normalise(typed))
}

fn qr_svg(uri: &str) -> Result<String, AppError> {
    let code = QrCode::new(uri.as_bytes())
        .map_err(|e| AppError::Invalid(format!("cannot draw the QR code: {e}")))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    // Inline in the page: without the XML declaration, with a title for screen readers.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR code of the authenticator secret\" ",
        1,
    ))
}

/// Percent-encodes a label part of an `otpauth://` link.
fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// What the enrolment page shows for a stored (pending) authenticator.
///
/// # Errors
///
/// When the QR code cannot be drawn (never for a stored secret and a username).
pub fn enrolment(
    totp: &StoredTotp,
    account: &Account,
    issuer: &str,
) -> Result<Enrolment, AppError> {
    let uri = format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        encode(issuer),
        encode(&account.username),
        totp.secret,
        encode(issuer)
    );
    Ok(Enrolment {
        secret: totp.secret.clone(),
        qr_svg: qr_svg(&uri)?,
        uri,
    })
}

/// Whether the account has two-factor sign-in turned on.
///
/// # Errors
///
/// Storage errors.
pub async fn is_on(store: &dyn Storage, learner: LearnerId) -> Result<bool, AppError> {
    Ok(store
        .totp(learner)
        .await?
        .is_some_and(|t| t.enabled_at.is_some()))
}

fn wrong_code() -> AppError {
    AppError::Field {
        field: "code",
        message: "This code is not right. Type the 6 digits your app shows now, or one of \
                  your recovery codes."
            .into(),
    }
}

impl Accounts {
    /// The pending authenticator of the account, made on first call: its enrolment.
    ///
    /// # Errors
    ///
    /// [`AppError::Forbidden`] when two-factor sign-in is on already; storage errors.
    pub async fn begin_two_factor(
        &self,
        store: &dyn Storage,
        account: &Account,
        issuer: &str,
        now: Millis,
    ) -> Result<Enrolment, AppError> {
        let stored = match store.totp(account.learner).await? {
            Some(t) if t.enabled_at.is_some() => {
                return Err(AppError::Forbidden(
                    "Two-factor sign-in is on already.".into(),
                ));
            }
            Some(pending) if !expired(&pending, now) => pending,
            Some(_) | None => {
                let mut bytes = [0u8; 20];
                getrandom::fill(&mut bytes)
                    .map_err(|e| AppError::Invalid(format!("the system has no randomness: {e}")))?;
                let secret = match Secret::Raw(bytes.to_vec()).to_encoded() {
                    Secret::Encoded(text) => text,
                    Secret::Raw(_) => return Err(corrupt_secret()),
                };
                store.begin_totp(account.learner, &secret, now).await?;
                store
                    .totp(account.learner)
                    .await?
                    .ok_or_else(corrupt_secret)?
            }
        };
        enrolment(&stored, account, issuer)
    }

    /// Turns two-factor sign-in on with the password and a code typed from the app; the
    /// recovery codes, to show once. (The password too: whoever finds a signed-in browser
    /// must not be able to bind their own authenticator to the account.)
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `current` when the password is wrong, on `code` when the
    /// code is; [`AppError::Forbidden`] when no enrolment is pending or it expired.
    pub async fn confirm_two_factor(
        &self,
        store: &dyn Storage,
        account: &Account,
        password: &str,
        typed: &str,
        now: Millis,
    ) -> Result<Vec<String>, AppError> {
        self.confirm_password(account, password, "current").await?;
        let Some(pending) = store
            .totp(account.learner)
            .await?
            .filter(|t| t.enabled_at.is_none() && !expired(t, now))
        else {
            return Err(AppError::Forbidden(
                "There is no enrolment to confirm: start again from your account page.".into(),
            ));
        };
        let code = normalise(typed);
        let step = if is_totp_code(&code) {
            matching_step(&pending.secret, &code, now)?
        } else {
            None
        };
        let Some(step) = step else {
            return Err(AppError::Field {
                field: "code",
                message: "This code is not right. Type the 6 digits your app shows now (check \
                          that the phone's clock is right)."
                    .into(),
            });
        };
        let codes = fresh_recovery_codes()?;
        let digests: Vec<String> = codes.iter().map(|c| recovery_digest(c)).collect();
        if !store
            .enable_totp(account.learner, step, &digests, now)
            .await?
        {
            return Err(AppError::Conflict(
                "Two-factor sign-in was turned on meanwhile.".into(),
            ));
        }
        tracing::info!(learner = account.learner.0, "two-factor sign-in turned on");
        Ok(codes)
    }

    /// Checks a second-factor code at sign-in: a code from the app (accepted once) or an
    /// unused recovery code (then used up).
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `code` when it is wrong or was used already.
    pub async fn check_second_factor(
        &self,
        store: &dyn Storage,
        learner: LearnerId,
        typed: &str,
        now: Millis,
    ) -> Result<Passed, AppError> {
        let Some(totp) = store
            .totp(learner)
            .await?
            .filter(|t| t.enabled_at.is_some())
        else {
            return Err(wrong_code());
        };
        let code = normalise(typed);
        if is_totp_code(&code) {
            return match matching_step(&totp.secret, &code, now)? {
                Some(step) if store.use_totp_step(learner, step).await? => Ok(Passed::Code),
                Some(_) => Err(AppError::Field {
                    field: "code",
                    message: "This code was used already: wait for the next one your app shows."
                        .into(),
                }),
                None => Err(wrong_code()),
            };
        }
        if (code.len() == RECOVERY_LETTERS || code.len() == OLD_RECOVERY_LETTERS)
            && store
                .use_recovery_code(learner, &recovery_digest(&code), now)
                .await?
        {
            tracing::info!(learner = learner.0, "a recovery code was used");
            return Ok(Passed::RecoveryCode);
        }
        Err(wrong_code())
    }

    /// Turns two-factor sign-in off, after the password and a code (or a recovery code).
    ///
    /// # Errors
    ///
    /// [`AppError::Field`] on `current` when the password is wrong, on `code` when the
    /// code is.
    pub async fn disable_two_factor(
        &self,
        store: &dyn Storage,
        account: &Account,
        password: &str,
        typed: &str,
        now: Millis,
    ) -> Result<(), AppError> {
        self.confirm_password(account, password, "current").await?;
        self.check_second_factor(store, account.learner, typed, now)
            .await?;
        store.disable_totp(account.learner).await?;
        tracing::info!(learner = account.learner.0, "two-factor sign-in turned off");
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::accounts::{AccountPolicy, SignUp, password::Hasher};
    use mastery_storage::{AccountStorage as _, SecurityStorage as _};
    use mastery_storage_sqlite::SqliteStore;

    /// A fresh database with one account, and the service with cheap hashing.
    async fn fresh() -> (tempfile::TempDir, SqliteStore, Accounts, Account) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        let accounts = Accounts::with_hasher(
            AccountPolicy::default(),
            Hasher::with_params(64, 1, 1).unwrap(),
        );
        let form = SignUp {
            username: "ada",
            email: "",
            password: "correct horse battery staple",
        };
        let learner = accounts
            .add(&store, &form, mastery_storage::Role::Learner, 0)
            .await
            .unwrap();
        let account = store.account(learner).await.unwrap().unwrap();
        (dir, store, accounts, account)
    }

    #[tokio::test]
    async fn enrolment_then_codes_accepted_once_at_fixed_times() {
        let (_dir, store, accounts, ada) = fresh().await;
        // Noon on 6 December 2026, in the middle of a step.
        let noon = 1_796_558_415_000;
        let enrolment = accounts
            .begin_two_factor(&store, &ada, "Mastery", noon)
            .await
            .unwrap();
        let again = accounts
            .begin_two_factor(&store, &ada, "Mastery", noon + 1000)
            .await
            .unwrap();
        assert_eq!(enrolment.secret, again.secret, "a reload keeps the secret");
        assert!(!is_on(&store, ada.learner).await.unwrap());
        let secret = enrolment.secret;
        let step = step_of(noon);
        let password = "correct horse battery staple";
        let wrong = accounts
            .confirm_two_factor(&store, &ada, password, "000000", noon)
            .await;
        assert!(matches!(wrong, Err(AppError::Field { field: "code", .. })));
        // Someone at a signed-in browser, without the password, cannot bind their app.
        let stranger = accounts
            .confirm_two_factor(
                &store,
                &ada,
                "guess",
                &code_at(&secret, step).unwrap(),
                noon,
            )
            .await;
        assert!(matches!(
            stranger,
            Err(AppError::Field {
                field: "current",
                ..
            })
        ));
        let codes = accounts
            .confirm_two_factor(
                &store,
                &ada,
                password,
                &code_at(&secret, step).unwrap(),
                noon,
            )
            .await
            .unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        assert!(is_on(&store, ada.learner).await.unwrap());

        // The code used to enrol is spent; the next step's works once, typed with a space.
        let check = |typed: String, at| {
            let (store, accounts) = (&store, &accounts);
            async move {
                accounts
                    .check_second_factor(store, ada.learner, &typed, at)
                    .await
            }
        };
        assert!(check(code_at(&secret, step).unwrap(), noon).await.is_err());
        let next = code_at(&secret, step + 1).unwrap();
        let spaced = format!("{} {}", &next[..3], &next[3..]);
        assert_eq!(check(spaced, noon).await.unwrap(), Passed::Code);
        let replay = check(next.clone(), noon + 30_000).await;
        assert!(
            matches!(&replay, Err(AppError::Field { message, .. }) if message.contains("used already")),
            "{replay:?}"
        );
        // Two steps later the clock has moved on: a code from three steps back is stale.
        assert!(
            check(code_at(&secret, step + 1).unwrap(), noon + 120_000)
                .await
                .is_err()
        );
        assert_eq!(
            check(code_at(&secret, step + 4).unwrap(), noon + 120_000)
                .await
                .unwrap(),
            Passed::Code
        );
        // Recovery codes: once each.
        assert_eq!(
            check(codes[0].clone(), noon).await.unwrap(),
            Passed::RecoveryCode
        );
        assert!(check(codes[0].clone(), noon).await.is_err());
        assert_eq!(store.recovery_codes_left(ada.learner).await.unwrap(), 9);

        // Turning it off needs the password and a code.
        let later = noon + 600_000;
        let code = code_at(&secret, step_of(later)).unwrap();
        assert!(matches!(
            accounts
                .disable_two_factor(&store, &ada, "wrong", &code, later)
                .await,
            Err(AppError::Field {
                field: "current",
                ..
            })
        ));
        assert!(matches!(
            accounts
                .disable_two_factor(
                    &store,
                    &ada,
                    "correct horse battery staple",
                    "123456",
                    later
                )
                .await,
            Err(AppError::Field { field: "code", .. })
        ));
        accounts
            .disable_two_factor(&store, &ada, "correct horse battery staple", &code, later)
            .await
            .unwrap();
        assert!(!is_on(&store, ada.learner).await.unwrap());
    }

    #[tokio::test]
    async fn a_secret_shown_for_enrolment_is_good_for_an_hour() {
        let (_dir, store, accounts, ada) = fresh().await;
        let noon = 1_796_558_415_000;
        let first = accounts
            .begin_two_factor(&store, &ada, "Mastery", noon)
            .await
            .unwrap();
        let late = noon + ENROLMENT_FOR + 1000;
        let code = code_at(&first.secret, step_of(late)).unwrap();
        let refused = accounts
            .confirm_two_factor(&store, &ada, "correct horse battery staple", &code, late)
            .await;
        assert!(
            matches!(refused, Err(AppError::Forbidden(_))),
            "{refused:?}"
        );
        let second = accounts
            .begin_two_factor(&store, &ada, "Mastery", late)
            .await
            .unwrap();
        assert_ne!(first.secret, second.secret, "a stale secret is replaced");
        let code = code_at(&second.secret, step_of(late)).unwrap();
        accounts
            .confirm_two_factor(&store, &ada, "correct horse battery staple", &code, late)
            .await
            .unwrap();
    }

    #[tokio::test]
    async fn recovery_codes_given_before_still_work() {
        let (_dir, store, _accounts, ada) = fresh().await;
        let accounts = Accounts::with_hasher(
            AccountPolicy::default(),
            Hasher::with_params(64, 1, 1).unwrap(),
        );
        store.begin_totp(ada.learner, RFC_SECRET, 0).await.unwrap();
        let old = "abcde-fghjk";
        assert!(
            store
                .enable_totp(ada.learner, 0, &[recovery_digest(old)], 0)
                .await
                .unwrap()
        );
        assert_eq!(
            accounts
                .check_second_factor(&store, ada.learner, "ABCDE FGHJK", 1000)
                .await
                .unwrap(),
            Passed::RecoveryCode
        );
    }

    /// RFC 6238's SHA-1 test secret ("12345678901234567890"), in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    #[test]
    fn codes_match_the_rfc_6238_test_vectors() {
        // RFC 6238 appendix B gives 8 digits; the last 6 are the 6-digit code.
        assert_eq!(code_at(RFC_SECRET, 59 / 30).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109 / 30).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890 / 30).unwrap(), "005924");
    }

    #[test]
    fn a_code_of_the_steps_around_now_matches() {
        let now = 1_234_567_890_000;
        let step = step_of(now);
        for s in [step - 1, step, step + 1] {
            let code = code_at(RFC_SECRET, s).unwrap();
            assert_eq!(matching_step(RFC_SECRET, &code, now).unwrap(), Some(s));
        }
        let far = code_at(RFC_SECRET, step + 3).unwrap();
        assert_eq!(matching_step(RFC_SECRET, &far, now).unwrap(), None);
    }

    #[test]
    fn recovery_codes_are_distinct_readable_and_typed_loosely() {
        let codes = fresh_recovery_codes().unwrap();
        assert_eq!(codes.len(), RECOVERY_CODES);
        for code in &codes {
            assert_eq!(code.len(), RECOVERY_LETTERS + 3);
            assert_eq!(code.split('-').count(), 4);
            assert!(
                code.bytes()
                    .all(|b| b == b'-' || RECOVERY_ALPHABET.contains(&b))
            );
        }
        let first = &codes[0];
        assert_eq!(
            recovery_digest(first),
            recovery_digest(&format!(" {} ", first.to_uppercase().replace('-', " ")))
        );
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_and_the_link_names_the_account() {
        let totp = StoredTotp {
            learner: LearnerId(1),
            secret: RFC_SECRET.into(),
            created_at: 0,
            enabled_at: None,
            last_step: -1,
        };
        let account = Account {
            learner: LearnerId(1),
            username: "ada lovelace".into(),
            username_key: "ada".into(),
            email: None,
            email_key: None,
            password_hash: String::new(),
            role: mastery_storage::Role::Learner,
            created_at: 0,
            password_changed_at: 0,
            disabled_at: None,
        };
        let e = enrolment(&totp, &account, "Mastery").unwrap();
        assert!(
            e.qr_svg.starts_with("<svg role=\"img\""),
            "{}",
            &e.qr_svg[..40]
        );
        assert!(e.qr_svg.ends_with("</svg>"));
        assert!(
            e.uri
                .starts_with("otpauth://totp/Mastery:ada%20lovelace?secret=GEZDGNBV")
        );
        assert!(!format!("{e:?}").contains(RFC_SECRET));
    }
}
