//! The loaded guide: immutable values that pages and the study engine read.
//!
//! Everything here is rendered once at load; nothing is re-parsed per request.

use std::fmt;
use std::time::Duration;

/// A validated id: lowercase ASCII letters, digits and single hyphens, starting with a
/// letter, ending with a letter or digit, at most 64 characters.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Id(pub(crate) String);

/// Why a string is not an [`Id`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    /// Nothing at all.
    #[error("an id cannot be empty")]
    Empty,
    /// Longer than 64 characters.
    #[error("an id is at most 64 characters long (this one has {0})")]
    TooLong(usize),
    /// A character outside `a-z`, `0-9` and `-`.
    #[error("an id may only use lowercase letters, digits and hyphens, not `{0}`")]
    BadChar(char),
    /// Starts with a digit or hyphen.
    #[error("an id must start with a letter")]
    BadStart,
    /// Ends with a hyphen.
    #[error("an id must end with a letter or digit")]
    BadEnd,
    /// Two hyphens in a row.
    #[error("an id cannot contain two hyphens in a row")]
    DoubleHyphen,
}

impl Id {
    /// The longest id allowed.
    pub const MAX_LEN: usize = 64;

    /// Validates `raw` as an id.
    pub fn parse(raw: &str) -> Result<Self, IdError> {
        let Some(first) = raw.chars().next() else {
            return Err(IdError::Empty);
        };
        let len = raw.chars().count();
        if len > Self::MAX_LEN {
            return Err(IdError::TooLong(len));
        }
        if let Some(bad) = raw
            .chars()
            .find(|c| !matches!(c, 'a'..='z' | '0'..='9' | '-'))
        {
            return Err(IdError::BadChar(bad));
        }
        if !first.is_ascii_lowercase() {
            return Err(IdError::BadStart);
        }
        if raw.ends_with('-') {
            return Err(IdError::BadEnd);
        }
        if raw.contains("--") {
            return Err(IdError::DoubleHyphen);
        }
        Ok(Self(raw.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Makes an id-shaped slug from free text, for hints ("add `id: what-is-the-gil`").
    pub fn suggest(text: &str) -> String {
        let mut out = String::new();
        for word in text
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            if out.len() + word.len() + 1 > 40 {
                break;
            }
            if !out.is_empty() {
                out.push('-');
            }
            out.push_str(&word.to_ascii_lowercase());
        }
        if out.is_empty() || !out.starts_with(|c: char| c.is_ascii_lowercase()) {
            out.insert_str(0, "q-");
        }
        out.trim_end_matches('-').to_owned()
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Id {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// How senior a question is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    /// Junior: the basics.
    Junior,
    /// Confirmed: mid-level.
    Confirmed,
    /// Senior.
    Senior,
}

impl Level {
    /// Every level, from junior to senior.
    pub const ALL: [Level; 3] = [Level::Junior, Level::Confirmed, Level::Senior];

    /// The name used in guides and URLs.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Junior => "junior",
            Level::Confirmed => "confirmed",
            Level::Senior => "senior",
        }
    }

    /// Parses a level name.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == raw)
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where something is in a guide's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Location {
    /// The display path of the file.
    pub file: String,
    /// 1-based line.
    pub line: usize,
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.file, self.line)
    }
}

/// A loaded guide.
#[derive(Debug, Clone)]
pub struct Guide {
    /// Stable id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// The kicker line above the title.
    pub subtitle: Option<String>,
    /// One paragraph.
    pub description: String,
    /// The guide's version.
    pub version: String,
    /// Licence of the text.
    pub licence: Option<String>,
    /// Authors.
    pub authors: Vec<String>,
    /// Search synonym groups (`guide.toml`'s `[synonyms]`): each phrase of a group finds
    /// the others.
    pub synonyms: Vec<Vec<String>>,
    /// The introduction (`README.md`), rendered.
    pub intro_html: Option<String>,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// Where the guide was loaded from (a folder, or `embedded:...`).
    pub origin: String,
}

impl Guide {
    /// Every entry (questions and insights) in reading order.
    pub fn entries(&self) -> impl Iterator<Item = &Entry> {
        self.sections.iter().flat_map(|s| s.entries.iter())
    }

    /// Every question (not insights) in reading order.
    pub fn questions(&self) -> impl Iterator<Item = &Entry> {
        self.entries().filter(|e| e.level().is_some())
    }

    /// Finds an entry by id.
    pub fn entry(&self, id: &str) -> Option<&Entry> {
        self.entries().find(|e| e.id.as_str() == id)
    }

    /// Finds the question `id` (not an insight) with the section it is in.
    pub fn question(&self, id: &str) -> Option<(&Section, &Entry)> {
        self.sections.iter().find_map(|section| {
            section
                .questions()
                .find(|e| e.id.as_str() == id)
                .map(|e| (section, e))
        })
    }
}

/// A section of a guide.
#[derive(Debug, Clone)]
pub struct Section {
    /// Stable id.
    pub id: Id,
    /// Title.
    pub title: String,
    /// The introduction before the first question, rendered.
    pub intro_html: Option<String>,
    /// Questions and insights in order.
    pub entries: Vec<Entry>,
    /// The file it came from.
    pub file: String,
}

impl Section {
    /// The questions (not insights) of this section.
    pub fn questions(&self) -> impl Iterator<Item = &Entry> {
        self.entries.iter().filter(|e| e.level().is_some())
    }
}

/// What kind of entry this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A question at a level.
    Question(Level),
    /// An insight: prose and a verified example outside any question.
    Insight,
}

/// A question or an insight.
#[derive(Debug, Clone)]
pub struct Entry {
    /// Stable id.
    pub id: Id,
    /// Question or insight.
    pub kind: EntryKind,
    /// The heading text, as written (Markdown source).
    pub title: String,
    /// The heading rendered as inline HTML.
    pub title_html: String,
    /// The heading as plain text (for search and accessible names).
    pub title_text: String,
    /// Tags.
    pub tags: Vec<Id>,
    /// Deeper questions, in order.
    pub follow_ups: Vec<Id>,
    /// The answer rendered to HTML.
    pub answer_html: String,
    /// The answer as plain text (prose and code), for search.
    pub answer_text: String,
    /// Key points for grading typed answers.
    pub key_points: Vec<KeyPoint>,
    /// Links to authoritative sources.
    pub references: Vec<Reference>,
    /// Code examples in the answer, in order.
    pub examples: Vec<CodeExample>,
    /// Where the heading is.
    pub location: Location,
}

impl Entry {
    /// The level, or `None` for an insight.
    pub fn level(&self) -> Option<Level> {
        match self.kind {
            EntryKind::Question(level) => Some(level),
            EntryKind::Insight => None,
        }
    }
}

/// A statement a good answer must make, with the words that show it did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyPoint {
    /// The statement, as Markdown source.
    pub text: String,
    /// The statement rendered as inline HTML.
    pub html: String,
    /// Groups of synonyms: every group must match for the point to be covered.
    pub groups: Vec<Vec<String>>,
}

/// A link to an authoritative source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// The link text.
    pub title: String,
    /// The URL (`https://` or `http://`).
    pub url: String,
}

/// A fenced code block in an answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeExample {
    /// The language tag (`python`, `sql`, …); empty when none was given.
    pub language: String,
    /// The code.
    pub code: String,
    /// The recorded output (standard output and error), when there is an `output` block.
    pub expected_output: Option<String>,
    /// A "predict the output" exercise.
    pub predict: bool,
    /// Shown but never run.
    pub norun: bool,
    /// Why it is not run, when the guide says (`norun="needs Python 3.14"`).
    pub norun_reason: Option<String>,
    /// pip requirements.
    pub requires: Vec<String>,
    /// Time limit.
    pub timeout: Duration,
    /// The exit status the run must end with.
    pub exit_code: i32,
    /// Where the opening fence is.
    pub location: Location,
}

impl CodeExample {
    /// The default time limit of an example.
    pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

    /// `true` when `mastery verify` runs this example.
    pub fn is_runnable(&self) -> bool {
        is_python(&self.language) && !self.norun
    }
}

/// `true` for the language tags that mean Python.
pub fn is_python(language: &str) -> bool {
    matches!(language, "python" | "py" | "python3")
}

/// The URL path of a question page: the one place that decides it, so rendered
/// cross-links and the web layer agree.
pub fn question_path(guide: &Id, question: &Id) -> String {
    format!("/guides/{guide}/{question}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_validated() {
        assert!(Id::parse("select-vs-prefetch-related").is_ok());
        assert!(Id::parse("pep-703").is_ok());
        assert_eq!(Id::parse(""), Err(IdError::Empty));
        assert_eq!(Id::parse("Gil"), Err(IdError::BadChar('G')));
        assert_eq!(Id::parse("7up"), Err(IdError::BadStart));
        assert_eq!(Id::parse("gil-"), Err(IdError::BadEnd));
        assert_eq!(Id::parse("a--b"), Err(IdError::DoubleHyphen));
        assert_eq!(Id::parse("a_b"), Err(IdError::BadChar('_')));
        assert!(matches!(
            Id::parse(&"a".repeat(65)),
            Err(IdError::TooLong(65))
        ));
    }

    #[test]
    fn suggested_ids_are_valid() {
        for text in [
            "What is the GIL?",
            "`is` versus `==`",
            "3 ways",
            "",
            "¿Qué?",
        ] {
            let s = Id::suggest(text);
            assert!(Id::parse(&s).is_ok(), "{text:?} -> {s:?}");
        }
        assert_eq!(Id::suggest("What is the GIL?"), "what-is-the-gil");
    }

    fn entry(id: &str, kind: EntryKind) -> Entry {
        Entry {
            id: Id(id.into()),
            kind,
            title: id.into(),
            title_html: id.into(),
            title_text: id.into(),
            tags: Vec::new(),
            follow_ups: Vec::new(),
            answer_html: String::new(),
            answer_text: String::new(),
            key_points: Vec::new(),
            references: Vec::new(),
            examples: Vec::new(),
            location: Location {
                file: "f.md".into(),
                line: 1,
            },
        }
    }

    fn section(id: &str, entries: Vec<Entry>) -> Section {
        Section {
            id: Id(id.into()),
            title: id.into(),
            intro_html: None,
            entries,
            file: format!("{id}.md"),
        }
    }

    #[test]
    fn a_question_is_found_with_its_section() {
        let guide = Guide {
            id: Id("demo".into()),
            title: "Demo".into(),
            subtitle: None,
            description: String::new(),
            version: "1".into(),
            licence: None,
            authors: Vec::new(),
            synonyms: Vec::new(),
            intro_html: None,
            sections: vec![
                section(
                    "basics",
                    vec![
                        entry("gil", EntryKind::Question(Level::Junior)),
                        entry("why-it-matters", EntryKind::Insight),
                    ],
                ),
                section(
                    "advanced",
                    vec![entry("free-threading", EntryKind::Question(Level::Senior))],
                ),
            ],
            origin: "test".into(),
        };
        let (s, e) = guide.question("free-threading").unwrap();
        assert_eq!(
            (s.id.as_str(), e.id.as_str()),
            ("advanced", "free-threading")
        );
        let (s, e) = guide.question("gil").unwrap();
        assert_eq!((s.id.as_str(), e.level()), ("basics", Some(Level::Junior)));
        assert!(guide.entry("why-it-matters").is_some());
        assert!(
            guide.question("why-it-matters").is_none(),
            "an insight is not a question"
        );
        assert!(guide.question("unknown").is_none());
        assert!(guide.question("").is_none());
    }
}
