//! Passwords: the rules a new password must meet (NIST SP 800-63B, OWASP ASVS 5.0 V6.2) and
//! their hashing with argon2id.
//!
//! The rules: at least [`PasswordRules::min_chars`] characters (15 by default, 8 at the
//! least), counted as Unicode code points; up to [`MAX_PASSWORD_CHARS`] accepted and never
//! truncated; no composition rules; refused when it is on the list of common passwords
//! shipped in the binary (`common-passwords.txt`, 30,000 entries, source and licence in its
//! header), when it is the account's username or e-mail address, or when it is one short
//! pattern repeated. Each refusal says why.
//!
//! Hashing: argon2id, version 0x13, 19 MiB of memory, 2 passes, 1 lane (the first of
//! OWASP's recommended configurations), a 16-byte random salt, stored as a PHC string, so
//! the parameters travel with each hash and can be raised later.

use std::collections::HashSet;
use std::sync::LazyLock;

use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

/// The most characters a password may have: far above what NIST asks (64) and low enough
/// that hashing a huge body costs nothing extra (argon2 reads the password once).
pub const MAX_PASSWORD_CHARS: usize = 1024;

/// The fewest characters an operator may require (NIST's floor when a password is used
/// with a second factor).
pub const MIN_PASSWORD_FLOOR: usize = 8;

/// The default minimum: NIST's floor for a password that is the only factor.
pub const DEFAULT_MIN_PASSWORD_CHARS: usize = 15;

/// argon2id's memory cost, in KiB.
pub const ARGON2_MEMORY_KIB: u32 = 19 * 1024;
/// argon2id's passes over memory.
pub const ARGON2_PASSES: u32 = 2;
/// argon2id's lanes.
pub const ARGON2_LANES: u32 = 1;

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("common-passwords.txt")
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// How many passwords the shipped list holds.
#[must_use]
pub fn common_password_count() -> usize {
    COMMON.len()
}

/// The rules of new passwords.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordRules {
    /// The fewest characters (code points) accepted.
    pub min_chars: usize,
}

impl Default for PasswordRules {
    fn default() -> Self {
        Self {
            min_chars: DEFAULT_MIN_PASSWORD_CHARS,
        }
    }
}

impl PasswordRules {
    /// Rules with `min_chars` characters at least.
    ///
    /// # Errors
    ///
    /// A message when `min_chars` is below [`MIN_PASSWORD_FLOOR`] or above
    /// [`MAX_PASSWORD_CHARS`].
    pub fn with_min(min_chars: usize) -> Result<Self, String> {
        if (MIN_PASSWORD_FLOOR..=MAX_PASSWORD_CHARS).contains(&min_chars) {
            Ok(Self { min_chars })
        } else {
            Err(format!(
                "the minimum password length must be between {MIN_PASSWORD_FLOOR} and \
                 {MAX_PASSWORD_CHARS} characters, not {min_chars}"
            ))
        }
    }

    /// Checks a new password for the account named `username` (and `email`, if it has
    /// one). Returns why it is refused, in words for the person choosing it.
    ///
    /// # Errors
    ///
    /// The reason, when the password breaks a rule.
    pub fn check(&self, password: &str, username: &str, email: Option<&str>) -> Result<(), String> {
        let chars = password.chars().count();
        if chars < self.min_chars {
            return Err(format!(
                "Use at least {} characters (this one has {chars}). A few unrelated words \
                 make a long password that is easy to remember.",
                self.min_chars
            ));
        }
        if chars > MAX_PASSWORD_CHARS {
            return Err(format!(
                "Use at most {MAX_PASSWORD_CHARS} characters (this one has {chars})."
            ));
        }
        let folded = password.to_lowercase();
        if COMMON.contains(folded.as_str()) {
            return Err(
                "This password is on a list of commonly used passwords, which attackers try \
                 first. Choose another."
                    .into(),
            );
        }
        if folded == username.to_lowercase()
            || email.is_some_and(|e| folded == e.trim().to_lowercase())
        {
            return Err("Don't use your username or e-mail address as your password.".into());
        }
        if repeats_a_short_pattern(password) {
            return Err(
                "This password repeats a short pattern (like \"abcabcabc\"), which is easy \
                 to guess. Choose another."
                    .into(),
            );
        }
        Ok(())
    }
}

/// Whether the password is a pattern of at most 3 characters repeated.
fn repeats_a_short_pattern(password: &str) -> bool {
    let chars: Vec<char> = password.chars().collect();
    (1..=3).any(|len| {
        chars.len() >= 2 * len && chars.iter().enumerate().all(|(i, c)| *c == chars[i % len])
    })
}

/// A random password for an operator or an admin to hand over (a reset, an account made
/// for someone): 6 groups of 4 characters from a 32-letter alphabet without look-alikes
/// (`0`/`o`, `1`/`l`/`i`), 120 bits in all, joined by dashes.
///
/// # Errors
///
/// [`HashError`] when the system has no randomness.
pub fn generate() -> Result<String, HashError> {
    const ALPHABET: &[u8; 32] = b"abcdefghjkmnpqrstuvwxyz23456789_";
    let mut bytes = [0u8; 24];
    getrandom::fill(&mut bytes).map_err(|e| HashError(format!("no randomness: {e}")))?;
    let chars: Vec<char> = bytes
        .iter()
        .map(|b| char::from(ALPHABET[usize::from(b % 32)]))
        .collect();
    Ok(chars
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-"))
}

/// Hashes and verifies passwords with argon2id.
#[derive(Debug, Clone)]
pub struct Hasher {
    argon2: Argon2<'static>,
}

/// Hashing failed (the parameters are out of range, or there is no randomness).
#[derive(Debug, thiserror::Error)]
#[error("cannot hash the password: {0}")]
pub struct HashError(String);

impl Default for Hasher {
    fn default() -> Self {
        Self::with_params(ARGON2_MEMORY_KIB, ARGON2_PASSES, ARGON2_LANES).unwrap_or_else(|_| Self {
            argon2: Argon2::default(),
        })
    }
}

impl Hasher {
    /// A hasher with these argon2id parameters (tests use small ones).
    ///
    /// # Errors
    ///
    /// [`HashError`] when argon2 refuses them.
    pub fn with_params(memory_kib: u32, passes: u32, lanes: u32) -> Result<Self, HashError> {
        let params =
            Params::new(memory_kib, passes, lanes, None).map_err(|e| HashError(e.to_string()))?;
        Ok(Self {
            argon2: Argon2::new(Algorithm::Argon2id, Version::V0x13, params),
        })
    }

    /// The PHC string of `password` under a fresh random salt.
    ///
    /// # Errors
    ///
    /// [`HashError`] when there is no randomness.
    pub fn hash(&self, password: &str) -> Result<String, HashError> {
        let mut salt = [0u8; 16];
        getrandom::fill(&mut salt).map_err(|e| HashError(format!("no randomness: {e}")))?;
        let salt = SaltString::encode_b64(&salt).map_err(|e| HashError(e.to_string()))?;
        self.argon2
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(|e| HashError(e.to_string()))
    }

    /// Whether `password` matches the PHC string `hash` (whatever parameters it was made
    /// with). A malformed hash matches nothing.
    #[must_use]
    pub fn verify(&self, password: &str, hash: &str) -> bool {
        PasswordHash::new(hash).is_ok_and(|parsed| {
            self.argon2
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> PasswordRules {
        PasswordRules::default()
    }

    #[test]
    fn length_counts_code_points_not_bytes() {
        // 15 characters of 2-4 bytes each: accepted at the default minimum of 15.
        let accented = "éàüöçñøåßœæðþłž";
        assert_eq!(accented.chars().count(), 15);
        assert!(rules().check(accented, "someone", None).is_ok());
        let short = "correct horse";
        let reason = rules().check(short, "someone", None).unwrap_err();
        assert!(
            reason.contains("at least 15") && reason.contains("has 13"),
            "{reason}"
        );
    }

    #[test]
    fn long_passwords_are_accepted_whole() {
        let long = "a quiet river bends ".repeat(3) + "under old stone bridges at dawn";
        assert!(long.chars().count() > 64);
        assert!(rules().check(&long, "someone", None).is_ok());
        let too_long = "x1y2".repeat(300);
        assert!(
            rules()
                .check(&too_long, "someone", None)
                .unwrap_err()
                .contains("at most")
        );
        // Never truncated: two passwords differing after 72 bytes hash differently.
        let hasher = Hasher::with_params(64, 1, 1).unwrap();
        let a = "p".repeat(100) + "a";
        let hash = hasher.hash(&a).unwrap();
        assert!(hasher.verify(&a, &hash));
        assert!(!hasher.verify(&("p".repeat(100) + "b"), &hash));
    }

    #[test]
    fn common_passwords_are_refused_with_the_reason() {
        assert!(common_password_count() >= 10_000);
        let rules = PasswordRules::with_min(8).unwrap();
        for common in [
            "password",
            "Password1",
            "QWERTYUIOP",
            "iloveyou",
            "1q2w3e4r5t",
        ] {
            let reason = rules.check(common, "someone", None).unwrap_err();
            assert!(reason.contains("commonly used"), "{common}: {reason}");
        }
        assert!(rules.check("tangerine-osprey", "someone", None).is_ok());
    }

    #[test]
    fn the_username_email_and_repeats_are_refused() {
        let rules = PasswordRules::with_min(8).unwrap();
        assert!(
            rules
                .check("Grace.Hopper1906", "grace.hopper1906", None)
                .is_err()
        );
        assert!(
            rules
                .check("ada@example.org", "ada", Some("Ada@Example.org"))
                .is_err()
        );
        assert!(
            rules
                .check("zzzzzzzzzzzzzzzz", "ada", None)
                .unwrap_err()
                .contains("repeats")
        );
        assert!(rules.check("xyzxyzxyzxyzxyz", "ada", None).is_err());
        assert!(rules.check("xyzwxyzwxyzwxyzw", "ada", None).is_ok());
    }

    #[test]
    fn the_minimum_can_be_lowered_to_eight_and_no_further() {
        assert!(PasswordRules::with_min(8).is_ok());
        assert!(PasswordRules::with_min(7).is_err());
        assert!(PasswordRules::with_min(2000).is_err());
    }

    #[test]
    fn generated_passwords_pass_the_rules_and_differ() {
        let a = generate().unwrap();
        let b = generate().unwrap();
        assert_ne!(a, b);
        assert_eq!(a.chars().count(), 29);
        assert!(PasswordRules::default().check(&a, "someone", None).is_ok());
    }

    #[test]
    fn hashes_are_salted_argon2id_phc_strings() {
        let hasher = Hasher::with_params(64, 1, 1).unwrap();
        let a = hasher.hash("same words here").unwrap();
        let b = hasher.hash("same words here").unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=64,t=1,p=1$"), "{a}");
        assert_ne!(a, b);
        assert!(hasher.verify("same words here", &b));
        assert!(!hasher.verify("same words hera", &b));
        assert!(!hasher.verify("same words here", "not a hash"));
        // The default parameters are the documented ones.
        let real = Hasher::default().hash("x").unwrap();
        assert!(
            real.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{real}"
        );
    }
}
