//! The numbers and strings Anki identifies things by, made deterministically from what
//! they stand for, so exporting the same guide again gives the same note GUIDs, note type
//! and deck ids, and Anki updates what it has instead of adding copies.

use sha1::Digest as _;

/// The characters of our GUIDs: those of Anki's own (printable ASCII without space, quotes
/// and backslash) but `#`, which would make a text file's row that starts with the GUID
/// read as a comment line.
const GUID_CHARS: &[u8] =
    b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!$%&()*+,-./:;<=>?@[]^_`{|}~";

/// The first eight bytes of the SHA-256 of `parts` (joined by a byte no part holds).
fn hash64(parts: &[&str]) -> u64 {
    let mut hasher = sha2::Sha256::new();
    for part in parts {
        sha2::Digest::update(&mut hasher, part.as_bytes());
        sha2::Digest::update(&mut hasher, [0x1f]);
    }
    let digest = sha2::Digest::finalize(hasher);
    let mut bytes = [0_u8; 8];
    bytes.copy_from_slice(&digest[..8]);
    u64::from_be_bytes(bytes)
}

/// A note's GUID for question `question` of guide `guide`: the same on every export.
pub fn note_guid(guide: &str, question: &str) -> String {
    let mut n = hash64(&["mastery-note", guide, question]);
    let base = GUID_CHARS.len() as u64;
    let mut out = String::new();
    while n > 0 {
        out.push(char::from(GUID_CHARS[(n % base) as usize]));
        n /= base;
    }
    if out.is_empty() {
        out.push('a');
    }
    out
}

/// An id in the range Anki's own ids take (milliseconds since 1970, between 2001 and
/// 2033), made from `parts`: stable across exports, and far from ids Anki makes today.
pub fn stable_id(parts: &[&str]) -> i64 {
    const LOW: u64 = 1_000_000_000_000;
    let n = LOW + hash64(parts) % LOW;
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Anki's checksum of a note's sort field: the first 32 bits of the SHA-1 of its text with
/// the HTML removed.
pub fn field_checksum(text: &str) -> i64 {
    let digest = sha1::Sha1::digest(text.as_bytes());
    let mut bytes = [0_u8; 4];
    bytes.copy_from_slice(&digest[..4]);
    i64::from(u32::from_be_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guids_are_stable_distinct_and_printable() {
        let a = note_guid("python-django", "gil");
        assert_eq!(a, note_guid("python-django", "gil"));
        assert_ne!(a, note_guid("python-django", "gi"));
        assert_ne!(a, note_guid("python-djang", "ogil"));
        assert!(a.bytes().all(|b| GUID_CHARS.contains(&b)), "{a}");
        assert!((8..=11).contains(&a.len()), "{a}");
    }

    #[test]
    fn ids_look_like_anki_ids() {
        let id = stable_id(&["deck", "x"]);
        assert!((1_000_000_000_000..2_000_000_000_000).contains(&id));
        assert_eq!(id, stable_id(&["deck", "x"]));
    }

    #[test]
    fn checksum_is_the_first_bytes_of_sha1() {
        // sha1("") = da39a3ee...
        assert_eq!(field_checksum(""), 0xda39_a3ee);
    }
}
