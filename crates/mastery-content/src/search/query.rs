//! The query language of the search box: words, `"a phrase"`, `-word` (without),
//! `tag:NAME`, `level:LEVEL`, `section:ID`, `guide:ID`, and `is:mastered`, `is:todo`,
//! `is:due` (which the caller decides, since they depend on the learner). Anything else is
//! a word; a filter with an unknown name or value is kept as words, and reported.

use super::tokens::words;
use crate::model::Level;

/// A filter on the learner's state, decided by the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Is {
    /// Questions the learner has mastered.
    Mastered,
    /// Questions the learner has not mastered.
    Todo,
    /// Questions due for review now.
    Due,
}

/// A parsed query.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Parsed {
    /// Words every result must contain (the last one also as a prefix when
    /// `last_is_prefix`).
    pub words: Vec<String>,
    /// Whether the text ends inside its last word (results appear while typing).
    pub last_is_prefix: bool,
    /// Phrases every result must contain, word for word.
    pub phrases: Vec<Vec<String>>,
    /// Words no result may contain.
    pub without: Vec<String>,
    /// `tag:`.
    pub tag: Option<String>,
    /// `level:`.
    pub level: Option<Level>,
    /// `section:`.
    pub section: Option<String>,
    /// `guide:`.
    pub guide: Option<String>,
    /// `is:`.
    pub is: Vec<Is>,
    /// What was not understood, for the page to say ("unknown level `expert`").
    pub problems: Vec<String>,
}

impl Parsed {
    /// Whether the query asks for anything (words or phrases).
    #[must_use]
    pub fn has_text(&self) -> bool {
        !self.words.is_empty() || !self.phrases.is_empty()
    }
}

/// Parses the text of the search box (at most 24 words are used).
#[must_use]
pub fn parse(text: &str) -> Parsed {
    let mut out = Parsed::default();
    let mut rest = text;
    let ends_in_word = text.chars().last().is_some_and(super::tokens::is_word_char);
    while !rest.is_empty() {
        rest = rest.trim_start();
        if rest.is_empty() {
            break;
        }
        if let Some(after) = rest.strip_prefix('"') {
            let (phrase, next) = match after.find('"') {
                Some(end) => (&after[..end], &after[end + 1..]),
                None => (after, ""),
            };
            let phrase: Vec<String> = words(phrase).collect();
            match phrase.len() {
                0 => {}
                1 => out.words.extend(phrase),
                _ => out.phrases.push(phrase),
            }
            rest = next;
            continue;
        }
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        let token = &rest[..end];
        rest = &rest[end..];
        if let Some(word) = token.strip_prefix('-') {
            out.without.extend(words(word));
            continue;
        }
        if let Some((name, value)) = token.split_once(':')
            && !value.is_empty()
            && filter(&mut out, &name.to_lowercase(), value)
        {
            continue;
        }
        out.words.extend(words(token));
    }
    out.words.truncate(24);
    out.last_is_prefix = ends_in_word && !out.words.is_empty();
    out
}

/// Applies `name:value`; false when it is no filter (then it is searched as words).
fn filter(out: &mut Parsed, name: &str, value: &str) -> bool {
    let value_lower = value.to_lowercase();
    match name {
        "tag" => out.tag = Some(value_lower),
        "section" => out.section = Some(value_lower),
        "guide" => out.guide = Some(value_lower),
        "level" => match Level::parse(&value_lower) {
            Some(level) => out.level = Some(level),
            None => out.problems.push(format!(
                "unknown level `{value}`: use junior, confirmed or senior"
            )),
        },
        "is" => match value_lower.as_str() {
            "mastered" => out.is.push(Is::Mastered),
            "todo" => out.is.push(Is::Todo),
            "due" => out.is.push(Is::Due),
            _ => out.problems.push(format!(
                "unknown `is:{value}`: use is:mastered, is:todo or is:due"
            )),
        },
        _ => return false,
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_phrases_exclusions_and_filters() {
        let p =
            parse(r#"gil "free threading" -asyncio tag:threads level:senior is:due select_rel"#);
        assert_eq!(p.words, ["gil", "select_rel"]);
        assert!(p.last_is_prefix);
        assert_eq!(
            p.phrases,
            [vec!["free".to_string(), "threading".to_string()]]
        );
        assert_eq!(p.without, ["asyncio"]);
        assert_eq!(p.tag.as_deref(), Some("threads"));
        assert_eq!(p.level, Some(Level::Senior));
        assert_eq!(p.is, [Is::Due]);
        assert!(p.problems.is_empty());
    }

    #[test]
    fn a_finished_word_is_not_a_prefix_and_unknown_filters_are_words() {
        let p = parse("decorators ");
        assert!(!p.last_is_prefix);
        let p = parse("asyncio.gather http://x level:expert");
        assert_eq!(p.words, ["asyncio", "gather", "http", "x"]);
        assert_eq!(p.problems.len(), 1);
        let p = parse("\"unclosed phrase here");
        assert_eq!(p.phrases.len(), 1);
        assert!(!parse("").has_text());
    }

    proptest::proptest! {
        #[test]
        fn any_text_parses(text in "\\PC{0,200}") {
            let p = parse(&text);
            proptest::prop_assert!(p.words.len() <= 24);
        }
    }
}
