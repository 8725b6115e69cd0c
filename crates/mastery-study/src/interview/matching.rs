//! Transparent key-point matching: which key points a typed answer covers, and why.
//!
//! Every key point of a question lists *groups* of words (`Words: a | b, c`): a point is
//! covered when each of its groups is found in the answer, and a group is found when any one
//! of its synonyms is. The result says, for every group, where in the answer each synonym was
//! found (byte spans of the original text), so the page can highlight exactly what earned a
//! tick.
//!
//! # How words are compared
//!
//! - The answer and the synonyms are cut into *words*: runs of letters, digits and `_`. So
//!   `select_related` and `__init__` stay one word, while everything else (spaces,
//!   punctuation, `.`, `-`, `/`) separates words.
//! - Case is ignored (Unicode lower case).
//! - English word forms are ignored: plain-letter words are reduced to their stem with the
//!   Snowball English stemmer, so "releases", "released", "releasing" and "release" are the
//!   same word, as are "queries"/"query" and "locks"/"locking". Words with digits or `_`
//!   (identifiers such as `select_related`, `3.14t`) and words in other scripts are compared
//!   as written, only lower-cased.
//! - A synonym of several words (a phrase) is found when its words appear one after the
//!   other in the same sentence, whatever the punctuation between them. Dotted names are
//!   phrases too: `asyncio.gather` is the words `asyncio` `gather`, found in
//!   "asyncio.gather()" and in "asyncio gather"; `one-to-one` is found in "one to one";
//!   `I/O` in "i/o" and "I/O-bound".
//! - A synonym with no letter or digit at all (`+=`, `[:]`) is looked for as written.
//!
//! # Explain, don't list: the rules that keep keyword lists from scoring
//!
//! Listing the right words is not the same as explaining them, so matches only count inside
//! sentences that read as prose, and a short answer cannot collect many points:
//!
//! 1. **Sentences.** The answer is cut into sentences at `.`, `!`, `?`, `;` and `:` followed
//!    by a space or the end of the text, at blank lines and before list items (lines
//!    starting with `-`, `*`, `+`, `•` or `1.`). A single line break inside a paragraph does
//!    not end a sentence. Dots inside names (`asyncio.gather`, `3.14`) do not either.
//! 2. **A sentence counts when it reads as prose**: it has at least
//!    [`MIN_SENTENCE_WORDS`] words, and at most three in five of its *terms* are this
//!    question's key words ([`MAX_KEY_SHARE_NUM`]/[`MAX_KEY_SHARE_DEN`]). Terms are the
//!    sentence's words, except that a key phrase found in it (a synonym of several words,
//!    such as "defence in depth", or overlapping synonyms such as "only one" and "one
//!    thread") counts as a single term. So at least two terms in five must be your own
//!    words. Key words found in a sentence that does not count are still shown, but earn
//!    nothing.
//! 3. A key point is ticked when each of its groups is found in sentences that count (not
//!    necessarily the same sentence).
//! 4. **Length.** An answer earns at most one key point per [`WORDS_PER_POINT`] words of
//!    sentences that count (four points need at least 24 words). When more points are found,
//!    the ones completed first in the answer are ticked and the rest are marked as found but
//!    not ticked.
//!
//! When rule 2 leaves a point unticked that would otherwise have been ticked, the result is
//! flagged [`Grading::list_like`] ("this reads like a list of keywords: explain them in
//! sentences"); when rule 4 does, [`Grading::too_short`]. The learner can still correct every
//! tick by hand: matching proposes, the learner decides.

use std::collections::HashMap;

use mastery_content::KeyPoint;
use rust_stemmers::{Algorithm, Stemmer};
use serde::{Deserialize, Serialize};

/// A sentence needs at least this many words to count.
pub const MIN_SENTENCE_WORDS: usize = 3;
/// Numerator of the largest share of key terms a counting sentence may have (three fifths).
pub const MAX_KEY_SHARE_NUM: usize = 3;
/// Denominator of the largest share of key terms a counting sentence may have.
pub const MAX_KEY_SHARE_DEN: usize = 5;
/// An answer earns at most one key point per this many words of counting sentences.
pub const WORDS_PER_POINT: usize = 6;

/// One word of a text: where it is and what it is compared as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Byte offset of its first byte in the text.
    pub start: usize,
    /// Byte offset just past its last byte.
    pub end: usize,
    /// The word as compared: lower-cased, and stemmed when it is plain ASCII letters.
    pub term: String,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn term(stemmer: &Stemmer, raw: &str) -> String {
    let lower = raw.to_lowercase();
    if lower.bytes().all(|b| b.is_ascii_lowercase()) {
        stemmer.stem(&lower).into_owned()
    } else {
        lower
    }
}

fn english() -> Stemmer {
    Stemmer::create(Algorithm::English)
}

fn tokenize_with(stemmer: &Stemmer, text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                tokens.push(Token {
                    start: s,
                    end: i,
                    term: term(stemmer, &text[s..i]),
                });
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        tokens.push(Token {
            start: s,
            end: text.len(),
            term: term(stemmer, &text[s..]),
        });
    }
    tokens
}

/// The words of `text`, normalised as described in the module docs.
pub fn tokenize(text: &str) -> Vec<Token> {
    tokenize_with(&english(), text)
}

/// The normalised words of `text`, without positions (what a synonym is compared as).
pub fn terms(text: &str) -> Vec<String> {
    tokenize(text).into_iter().map(|t| t.term).collect()
}

/// `true` when the line starting at `rest` (just after a line break) ends the sentence
/// before it: a blank line, the end of the text, or a list item.
fn line_starts_new_sentence(rest: &str) -> bool {
    let line = rest.trim_start_matches([' ', '\t', '\r']);
    let mut chars = line.chars();
    let Some(first) = chars.next() else {
        return true;
    };
    let followed_by_space = |mut it: std::str::Chars<'_>| it.next().is_none_or(char::is_whitespace);
    match first {
        '\n' => true,
        '-' | '*' | '+' | '•' | '·' | '–' | '—' => followed_by_space(chars),
        '0'..='9' => {
            let after_digits = line.trim_start_matches(|c: char| c.is_ascii_digit());
            let mut it = after_digits.chars();
            matches!(it.next(), Some('.' | ')')) && followed_by_space(it)
        }
        _ => false,
    }
}

/// `true` when `before` (the text before a `.`) ends with a line holding only a number: the
/// dot of a numbered list item (`2. `), not the end of a sentence.
fn is_list_number(before: &str) -> bool {
    let line = before.rsplit('\n').next().unwrap_or(before).trim_start();
    !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit())
}

/// Byte ranges of the sentences of `text` (see the module docs, rule 1). They cover the
/// whole text, in order.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let end = i + c.len_utf8();
        let next = iter.peek().map(|&(_, n)| n);
        let boundary = match c {
            '.' | '!' | '?' | ';' | ':' | '…' => {
                next.is_none_or(char::is_whitespace) && !(c == '.' && is_list_number(&text[..i]))
            }
            '\n' => line_starts_new_sentence(&text[end..]),
            _ => false,
        };
        if boundary {
            out.push((start, end));
            start = end;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// Where one synonym of a group was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hit {
    /// Index of the synonym in its group.
    pub synonym: usize,
    /// The synonym, as written in the guide.
    pub word: String,
    /// Byte offset of the match in the answer.
    pub start: usize,
    /// Byte offset just past the match.
    pub end: usize,
    /// `true` when the match is in a sentence that counts (see the module docs).
    pub counted: bool,
}

/// What was found for one group of a key point.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GroupResult {
    /// Every match of any synonym of the group, in answer order.
    pub hits: Vec<Hit>,
}

impl GroupResult {
    /// `true` when a synonym was found in a sentence that counts.
    pub fn matched(&self) -> bool {
        self.hits.iter().any(|h| h.counted)
    }

    /// `true` when a synonym was found anywhere, counting or not.
    pub fn found(&self) -> bool {
        !self.hits.is_empty()
    }
}

/// Whether a key point is ticked, and if not, how close it came.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PointStatus {
    /// Every group was found in sentences that count: ticked.
    Covered,
    /// Every group was found, but some only in sentences that read as a keyword list.
    ListedOnly,
    /// Covered, but the answer is too short for this many points (rule 4).
    TooShort,
    /// Some groups were found, not all.
    Partial,
    /// Nothing was found.
    Missing,
}

/// What matching found for one key point.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PointResult {
    /// The verdict.
    pub status: PointStatus,
    /// One result per group of the key point, in order.
    pub groups: Vec<GroupResult>,
}

impl PointResult {
    /// `true` when the point is ticked automatically.
    pub fn covered(&self) -> bool {
        self.status == PointStatus::Covered
    }
}

/// One sentence of the answer, and whether it counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// Byte offset of its start in the answer.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Its words.
    pub words: usize,
    /// Its words that belong to a key word or phrase of the question.
    pub key_words: usize,
    /// The key words and phrases found in it, each phrase counted once (overlapping
    /// matches count as one).
    pub key_terms: usize,
    /// `true` when it reads as prose, so its matches count (rule 2).
    pub counted: bool,
}

/// The automatic grading of one answer against a question's key points.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grading {
    /// One result per key point, in the question's order.
    pub points: Vec<PointResult>,
    /// The sentences of the answer.
    pub sentences: Vec<Sentence>,
    /// Words in the answer.
    pub words: usize,
    /// Words in sentences that count.
    pub counted_words: usize,
    /// Some point was found only in sentences that read as a keyword list (rule 2).
    pub list_like: bool,
    /// Some point was found but the answer is too short to earn it (rule 4).
    pub too_short: bool,
}

impl Grading {
    /// The automatic tick of every key point.
    pub fn ticks(&self) -> Vec<bool> {
        self.points.iter().map(PointResult::covered).collect()
    }

    /// How many key points are ticked.
    pub fn covered(&self) -> usize {
        self.points.iter().filter(|p| p.covered()).count()
    }

    /// Ticked points over all points, or `None` for a question without key points.
    pub fn score(&self) -> Option<f64> {
        (!self.points.is_empty()).then(|| self.covered() as f64 / self.points.len() as f64)
    }

    /// Where the answer matched a key word, to highlight: every hit of every point, in
    /// answer order, overlapping ones merged into one mark (counted when any part counted).
    pub fn marks(&self) -> Vec<Mark> {
        let mut all: Vec<Mark> = self
            .points
            .iter()
            .flat_map(|p| &p.groups)
            .flat_map(|g| &g.hits)
            .map(|h| Mark {
                start: h.start,
                end: h.end,
                counted: h.counted,
            })
            .collect();
        all.sort_by_key(|m| (m.start, m.end));
        let mut merged: Vec<Mark> = Vec::new();
        for m in all {
            match merged.last_mut() {
                Some(last) if m.start < last.end => {
                    last.end = last.end.max(m.end);
                    last.counted |= m.counted;
                }
                _ => merged.push(m),
            }
        }
        merged
    }
}

/// A stretch of the answer that matched a key word (see [`Grading::marks`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Mark {
    /// Byte offset of its start in the answer.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Found in a sentence that counts (else only in a keyword list).
    pub counted: bool,
}

/// A synonym ready to match: its words, or the literal text for one without words.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Pattern {
    Words(Vec<String>),
    Literal(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Synonym {
    word: String,
    pattern: Pattern,
}

/// A question's key points compiled for matching; build once, grade many answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matcher {
    /// points → groups → synonyms.
    points: Vec<Vec<Vec<Synonym>>>,
}

/// A match before sentence verdicts: synonym index, byte span, sentence index.
struct Found {
    synonym: usize,
    start: usize,
    end: usize,
    sentence: usize,
}

impl Matcher {
    /// Compiles the synonyms of `key_points`.
    pub fn new(key_points: &[KeyPoint]) -> Self {
        let stemmer = english();
        let points = key_points
            .iter()
            .map(|point| {
                point
                    .groups
                    .iter()
                    .map(|group| {
                        group
                            .iter()
                            .map(|word| {
                                let terms: Vec<String> = tokenize_with(&stemmer, word)
                                    .into_iter()
                                    .map(|t| t.term)
                                    .collect();
                                let trimmed = word.trim();
                                let pattern = if !terms.is_empty() {
                                    Pattern::Words(terms)
                                } else {
                                    Pattern::Literal(trimmed.to_owned())
                                };
                                Synonym {
                                    word: word.clone(),
                                    pattern,
                                }
                            })
                            .collect()
                    })
                    .collect()
            })
            .collect();
        Self { points }
    }

    /// Grades `answer` (see the module docs for the rules).
    pub fn grade(&self, answer: &str) -> Grading {
        let tokens = tokenize(answer);
        let ranges = sentences(answer);
        // The sentence of each token (tokens never straddle a sentence boundary, since
        // boundaries are punctuation or line breaks).
        let mut token_sentence = Vec::with_capacity(tokens.len());
        let mut s = 0;
        for t in &tokens {
            while s + 1 < ranges.len() && ranges[s].1 <= t.start {
                s += 1;
            }
            token_sentence.push(s);
        }
        let sentence_of_byte = |byte: usize| ranges.partition_point(|&(_, end)| end <= byte);
        let mut by_first: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, t) in tokens.iter().enumerate() {
            by_first.entry(t.term.as_str()).or_default().push(i);
        }

        // Every match of every synonym, per point and group, and the token ranges of the
        // word matches.
        let mut spans: Vec<(usize, usize)> = Vec::new();
        let found: Vec<Vec<Vec<Found>>> = self
            .points
            .iter()
            .map(|groups| {
                groups
                    .iter()
                    .map(|synonyms| {
                        let mut hits = Vec::new();
                        for (n, syn) in synonyms.iter().enumerate() {
                            match &syn.pattern {
                                Pattern::Words(words) => {
                                    let Some(first) = words.first() else { continue };
                                    let starts = by_first.get(first.as_str());
                                    for &i in starts.into_iter().flatten() {
                                        let j = i + words.len();
                                        let Some(window) = tokens.get(i..j) else {
                                            continue;
                                        };
                                        let same =
                                            window.iter().zip(words).all(|(t, w)| t.term == *w)
                                                && token_sentence[i] == token_sentence[j - 1];
                                        if same {
                                            spans.push((i, j));
                                            hits.push(Found {
                                                synonym: n,
                                                start: window[0].start,
                                                end: window[words.len() - 1].end,
                                                sentence: token_sentence[i],
                                            });
                                        }
                                    }
                                }
                                Pattern::Literal(lit) if !lit.is_empty() => {
                                    for (at, m) in answer.match_indices(lit.as_str()) {
                                        hits.push(Found {
                                            synonym: n,
                                            start: at,
                                            end: at + m.len(),
                                            sentence: sentence_of_byte(at),
                                        });
                                    }
                                }
                                Pattern::Literal(_) => {}
                            }
                        }
                        hits.sort_by_key(|h| (h.start, h.end, h.synonym));
                        hits
                    })
                    .collect()
            })
            .collect();

        // Sentence verdicts (rule 2).
        let mut sentences: Vec<Sentence> = ranges
            .iter()
            .map(|&(start, end)| Sentence {
                start,
                end,
                words: 0,
                key_words: 0,
                key_terms: 0,
                counted: false,
            })
            .collect();
        for &s in &token_sentence {
            sentences[s].words += 1;
        }
        // Key terms: overlapping word matches merged (a match never spans two sentences).
        spans.sort_unstable();
        let mut merged: Vec<(usize, usize)> = Vec::new();
        for (i, j) in spans {
            match merged.last_mut() {
                Some(last) if i < last.1 => last.1 = last.1.max(j),
                _ => merged.push((i, j)),
            }
        }
        for (i, j) in merged {
            let s = &mut sentences[token_sentence[i]];
            s.key_terms += 1;
            s.key_words += j - i;
        }
        for s in &mut sentences {
            let terms = s.words.saturating_sub(s.key_words) + s.key_terms;
            s.counted = s.words >= MIN_SENTENCE_WORDS
                && s.key_terms * MAX_KEY_SHARE_DEN <= terms * MAX_KEY_SHARE_NUM;
        }
        let counted_words: usize = sentences
            .iter()
            .filter(|s| s.counted)
            .map(|s| s.words)
            .sum();

        // Point verdicts (rules 3 and 4).
        let mut points = Vec::with_capacity(found.len());
        // (completion position, point index) of the points covered by rule 3.
        let mut covered: Vec<(usize, usize)> = Vec::new();
        for (p, groups) in found.into_iter().enumerate() {
            let mut results = Vec::with_capacity(groups.len());
            let mut completion = Some(0usize);
            for (g, hits) in groups.into_iter().enumerate() {
                let synonyms = &self.points[p][g];
                let first_counted = hits
                    .iter()
                    .filter(|h| sentences[h.sentence].counted)
                    .map(|h| h.end)
                    .min();
                completion = match (completion, first_counted) {
                    (Some(c), Some(f)) => Some(c.max(f)),
                    _ => None,
                };
                results.push(GroupResult {
                    hits: hits
                        .into_iter()
                        .map(|h| Hit {
                            synonym: h.synonym,
                            word: synonyms[h.synonym].word.clone(),
                            start: h.start,
                            end: h.end,
                            counted: sentences[h.sentence].counted,
                        })
                        .collect(),
                });
            }
            let status = if results.is_empty() {
                PointStatus::Missing
            } else if let Some(at) = completion {
                covered.push((at, p));
                PointStatus::Covered
            } else if results.iter().all(GroupResult::found) {
                PointStatus::ListedOnly
            } else if results.iter().any(GroupResult::found) {
                PointStatus::Partial
            } else {
                PointStatus::Missing
            };
            points.push(PointResult {
                status,
                groups: results,
            });
        }
        let cap = counted_words / WORDS_PER_POINT;
        covered.sort_unstable();
        for &(_, p) in covered.iter().skip(cap) {
            points[p].status = PointStatus::TooShort;
        }
        let list_like = points.iter().any(|p| p.status == PointStatus::ListedOnly);
        let too_short = points.iter().any(|p| p.status == PointStatus::TooShort);
        Grading {
            points,
            sentences,
            words: tokens.len(),
            counted_words,
            list_like,
            too_short,
        }
    }
}

/// Grades `answer` against `key_points` (a [`Matcher`] built and used once).
pub fn grade(key_points: &[KeyPoint], answer: &str) -> Grading {
    Matcher::new(key_points).grade(answer)
}
