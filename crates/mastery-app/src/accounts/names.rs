//! Usernames and e-mail addresses: what is accepted, and the folded keys that make them
//! unique.
//!
//! A username is the public handle: 3 to 32 characters (code points, after NFC
//! normalisation) of letters, digits, `_`, `-` and `.`, starting with a letter or a digit.
//! Its key folds case and Unicode confusables (the UTS #39 skeleton of its NFKC lowercase
//! form), so `Alice`, `ALICE` and `аlice` (with a Cyrillic а) are the same name and only
//! the first to register gets it. An e-mail address is private and optional; its key is its
//! lowercase form.

use unicode_normalization::UnicodeNormalization;
use unicode_security::confusable_detection::skeleton;

/// The fewest characters of a username.
pub const MIN_USERNAME_CHARS: usize = 3;
/// The most characters of a username.
pub const MAX_USERNAME_CHARS: usize = 32;
/// The longest e-mail address accepted, in bytes (RFC 5321's path limit).
pub const MAX_EMAIL_BYTES: usize = 254;

/// A username as it will be shown (NFC), with its key; or why it is refused.
///
/// # Errors
///
/// The reason, in words for the person choosing it.
pub fn username(typed: &str) -> Result<(String, String), String> {
    let name: String = typed.trim().nfc().collect();
    let chars = name.chars().count();
    if !(MIN_USERNAME_CHARS..=MAX_USERNAME_CHARS).contains(&chars) {
        return Err(format!(
            "A username has {MIN_USERNAME_CHARS} to {MAX_USERNAME_CHARS} characters (this one \
             has {chars})."
        ));
    }
    if let Some(bad) = name
        .chars()
        .find(|c| !(c.is_alphanumeric() || matches!(c, '_' | '-' | '.')))
    {
        return Err(format!(
            "A username may hold letters, digits, '_', '-' and '.'; {bad:?} is not allowed."
        ));
    }
    if !name.chars().next().is_some_and(char::is_alphanumeric) {
        return Err("A username starts with a letter or a digit.".into());
    }
    let key = username_key(&name);
    Ok((name, key))
}

/// The key of a username, or of whatever someone types to sign in: case and confusables
/// folded.
#[must_use]
pub fn username_key(name: &str) -> String {
    let folded: String = name.trim().nfkc().collect::<String>().to_lowercase();
    skeleton(&folded).collect::<String>().to_lowercase()
}

/// An e-mail address as typed (trimmed) with its key; or why it is refused. The check is
/// deliberately loose (one `@`, something on each side, no spaces): the only proof that an
/// address works is a message reaching it.
///
/// # Errors
///
/// The reason.
pub fn email(typed: &str) -> Result<(String, String), String> {
    let address = typed.trim();
    if address.len() > MAX_EMAIL_BYTES {
        return Err(format!(
            "An e-mail address has at most {MAX_EMAIL_BYTES} characters."
        ));
    }
    let valid = match address.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && !domain.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !address.chars().any(|c| c.is_whitespace() || c.is_control())
        }
        None => false,
    };
    if valid {
        Ok((address.to_owned(), email_key(address)))
    } else {
        Err(format!(
            "{address:?} is not an e-mail address (name@example.org)."
        ))
    }
}

/// The key of an e-mail address.
#[must_use]
pub fn email_key(address: &str) -> String {
    address.trim().to_lowercase()
}

/// The key to look an account up by, from what someone typed in the sign-in form: an
/// e-mail key when it has an `@`, a username key otherwise.
#[must_use]
pub fn login_key(typed: &str) -> String {
    if typed.contains('@') {
        email_key(typed)
    } else {
        username_key(typed)
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn case_and_confusables_fold_to_one_key() {
        let (_, alice) = username("Alice").unwrap();
        assert_eq!(username("ALICE").unwrap().1, alice);
        // Cyrillic а (U+0430) looks like Latin a.
        assert_eq!(username("\u{430}lice").unwrap().1, alice);
        // Fullwidth letters fold under NFKC.
        assert_eq!(username("ａｌｉｃｅ").unwrap().1, alice);
        assert_ne!(username("alicia").unwrap().1, alice);
        // The digit one and the letter l are confusable.
        assert_eq!(username("pay1").unwrap().1, username("payl").unwrap().1);
    }

    #[test]
    fn usernames_are_shown_as_typed_in_nfc() {
        let (shown, _) = username("  Zoë_1  ").unwrap();
        assert_eq!(shown, "Zoë_1");
        let decomposed = "Zoe\u{308}";
        assert_eq!(username(decomposed).unwrap().0, "Zoë");
    }

    #[test]
    fn bad_usernames_say_why() {
        assert!(username("ab").unwrap_err().contains("3 to 32"));
        assert!(username(&"a".repeat(33)).unwrap_err().contains("has 33"));
        assert!(username("ada lovelace").unwrap_err().contains("' '"));
        assert!(username("ada<script>").unwrap_err().contains("'<'"));
        assert!(username("_ada").unwrap_err().contains("starts with"));
        assert!(username("李小龍").is_ok());
    }

    #[test]
    fn emails_are_loosely_checked_and_folded() {
        let (shown, key) = email(" Ada@Example.ORG ").unwrap();
        assert_eq!(shown, "Ada@Example.ORG");
        assert_eq!(key, "ada@example.org");
        for bad in [
            "ada",
            "ada@",
            "@example.org",
            "a b@example.org",
            "a@b@c.org",
            "a@local",
        ] {
            assert!(email(bad).is_err(), "{bad}");
        }
        assert_eq!(login_key("ADA@example.org"), "ada@example.org");
        assert_eq!(login_key("ADA"), username_key("ada"));
    }

    proptest! {
        #[test]
        fn keys_ignore_case_and_accepted_names_stay_accepted(name in "[a-zA-Z0-9][a-zA-Z0-9_.-]{2,31}") {
            let (shown, key) = username(&name).unwrap();
            prop_assert_eq!(&shown, &name);
            prop_assert_eq!(username(&name.to_uppercase()).unwrap().1, key.clone());
            prop_assert_eq!(username_key(&shown), key);
        }

        #[test]
        fn any_text_gets_an_answer_and_never_panics(text in any::<String>()) {
            let _ = username(&text);
            let _ = email(&text);
            let _ = login_key(&text);
        }
    }
}
