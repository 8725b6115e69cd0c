//! Words as search sees them: lowercase runs of letters, digits and `_`, so that
//! identifiers stay whole (`select_related`, `__init__`); an identifier is also indexed by
//! its parts (`select`, `related`, `init`), so either finds it.

/// Splits text into lowercase words; `_` is part of a word (`select_related`).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The parts of an identifier (`select_related` → `select`, `related`; `__init__` →
/// `init`): nothing for a plain word.
pub fn parts(word: &str) -> impl Iterator<Item = &str> {
    let has_parts = word.contains('_') && word.trim_matches('_').len() < word.len()
        || word.trim_matches('_').contains('_');
    word.split('_')
        .filter(move |p| has_parts && !p.is_empty() && *p != word)
}

/// Whether a character is part of a word.
pub fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_stay_whole_and_have_parts() {
        let w: Vec<String> = words("Use select_related(), not __init__; asyncio.gather!").collect();
        assert_eq!(
            w,
            [
                "use",
                "select_related",
                "not",
                "__init__",
                "asyncio",
                "gather"
            ]
        );
        assert_eq!(
            parts("select_related").collect::<Vec<_>>(),
            ["select", "related"]
        );
        assert_eq!(parts("__init__").collect::<Vec<_>>(), ["init"]);
        assert!(parts("plain").next().is_none());
    }
}
