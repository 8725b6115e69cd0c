//! Full-text search over loaded guides, built once at load.
//!
//! - **Ranking**: BM25F over the title, the question's id, tags, key points, the answer and
//!   code, each field with its weight (a title match beats a body match), plus boosts for
//!   the query's words next to each other (in the title most), and a query that names a
//!   question's subject — its id, or its title through one of the guide's synonyms
//!   (`guide.toml`'s `[synonyms]`: `gil = ["global interpreter lock"]`) — ranks that question
//!   first.
//! - **While typing, with typos**: the last word also matches as a prefix; a word of 5
//!   letters may have one typo, of 9 two (a typo match counts less); identifiers are found
//!   whole and by their parts (`select_related`, `related`).
//! - **Query language** (`query.rs`): `"a phrase"`, `-word`, `tag:`, `level:`, `section:`,
//!   `guide:`, `is:` (decided by the caller).
//! - **Speed**: each (word, entry) pair's score is computed at build time; a query adds
//!   them in a dense array and formats only the results it returns.

mod query;
mod tokens;
mod typo;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

pub use query::{Is, Parsed, parse};
pub use tokens::words;

use crate::html::escape;
use crate::model::{Entry, Guide, Level};

/// Where in the guides an entry is: (guide, section, entry) indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntryRef {
    /// Index of the guide in the list the index was built from.
    pub guide: usize,
    /// Index of the section in the guide.
    pub section: usize,
    /// Index of the entry in the section.
    pub entry: usize,
}

/// A field of an entry and its weight in BM25F.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Field {
    Title,
    Id,
    Tags,
    KeyPoints,
    Answer,
    Code,
}

impl Field {
    const ALL: [Field; 6] = [
        Field::Title,
        Field::Id,
        Field::Tags,
        Field::KeyPoints,
        Field::Answer,
        Field::Code,
    ];

    fn weight(self) -> f32 {
        match self {
            Field::Title => 4.0,
            Field::Id => 3.0,
            Field::Tags => 2.0,
            Field::KeyPoints => 1.5,
            Field::Answer => 1.0,
            Field::Code => 0.5,
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

const K1: f32 = 1.2;
const B: f32 = 0.75;
/// How much a prefix match or a typo match counts against the whole word.
const PREFIX: f32 = 0.8;
const ONE_TYPO: f32 = 0.5;
const TWO_TYPOS: f32 = 0.3;
/// At most this many words complete a prefix (the most common first).
const MAX_PREFIX_TERMS: usize = 64;
/// Separates fields in an entry's word sequence (phrases never cross it).
const GAP: u32 = u32::MAX;

/// One posting: an entry and the word's BM25F score in it.
#[derive(Debug, Clone, Copy)]
struct Posting {
    doc: u32,
    score: f32,
}

/// The search index of a set of guides.
#[derive(Debug, Default)]
pub struct SearchIndex {
    guides: Vec<Arc<Guide>>,
    entries: Vec<EntryRef>,
    /// Every word, sorted: its number is its position.
    terms: BTreeMap<String, u32>,
    /// By word number: the entries that have it, by entry number.
    postings: Vec<Vec<Posting>>,
    /// By word number: its characters (typo search) and length.
    chars: Vec<Vec<char>>,
    /// By entry: the words of its title, then of the rest, as word numbers (phrases,
    /// proximity), fields separated by [`GAP`].
    title_seq: Vec<Vec<u32>>,
    body_seq: Vec<Vec<u32>>,
    /// By entry: its question id as typed (`select-vs-prefetch-related`).
    ids: Vec<String>,
    /// By entry: the synonyms of its title (the words a query that names the subject
    /// may use), as sorted word lists.
    subjects: Vec<Vec<Vec<String>>>,
}

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Free text, in the query language of [`parse`].
    pub text: String,
    /// Only this guide id.
    pub guide: Option<String>,
    /// Only this section id.
    pub section: Option<String>,
    /// Only this level.
    pub level: Option<Level>,
    /// Only entries with this tag.
    pub tag: Option<String>,
}

/// One result.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    /// Where the entry is.
    pub at: EntryRef,
    /// Its score (higher first).
    pub score: f32,
    /// The title with matched words in `<mark>` (escaped HTML).
    pub title_html: String,
    /// A snippet of the best-matching field with matched words in `<mark>` (escaped HTML).
    pub snippet_html: String,
}

/// The results of a search.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Results {
    /// The best results, best first (at most the limit asked for).
    pub hits: Vec<Hit>,
    /// How many entries matched in all.
    pub total: usize,
    /// When nothing matched: the query with its words corrected, if that finds something.
    pub did_you_mean: Option<String>,
    /// The parsed query (its `is:` filters, and what was not understood).
    pub parsed: Parsed,
}

/// Builds the index, field by field.
#[derive(Default)]
struct Builder {
    terms: HashMap<String, u32>,
    /// By word: (entry, field) → count.
    counts: Vec<HashMap<(u32, Field), f32>>,
    /// By entry and field: the number of words.
    lengths: Vec<[f32; 6]>,
}

impl Builder {
    fn term(&mut self, word: &str) -> u32 {
        if let Some(&t) = self.terms.get(word) {
            return t;
        }
        let t = u32::try_from(self.counts.len()).unwrap_or(u32::MAX);
        self.terms.insert(word.to_owned(), t);
        self.counts.push(HashMap::new());
        t
    }

    /// Adds `text` to a field of entry `doc`; returns its word numbers in order.
    fn add(&mut self, doc: u32, field: Field, text: &str, synonyms: &Synonyms) -> Vec<u32> {
        let words: Vec<String> = words(text).collect();
        let mut seq = Vec::with_capacity(words.len());
        for word in &words {
            let t = self.term(word);
            self.count(doc, field, t, 1.0);
            seq.push(t);
            for part in tokens::parts(word) {
                let p = self.term(part);
                self.count(doc, field, p, 0.5);
            }
        }
        // A phrase of a synonym group brings the group's other words, at half weight.
        for tokens in synonyms.found_in(&words) {
            for word in tokens {
                let t = self.term(word);
                self.count(doc, field, t, 0.5);
            }
        }
        if let Some(len) = self.lengths.get_mut(doc as usize) {
            len[field.index()] += words.len() as f32;
        }
        seq
    }

    fn count(&mut self, doc: u32, field: Field, term: u32, by: f32) {
        if let Some(counts) = self.counts.get_mut(term as usize) {
            *counts.entry((doc, field)).or_insert(0.0) += by;
        }
    }
}

/// A guide's synonym groups, as word lists.
#[derive(Debug, Default)]
struct Synonyms {
    groups: Vec<Vec<Vec<String>>>,
}

impl Synonyms {
    fn of(guide: &Guide) -> Self {
        Self {
            groups: guide
                .synonyms
                .iter()
                .map(|group| {
                    group
                        .iter()
                        .map(|phrase| words(phrase).collect::<Vec<_>>())
                        .filter(|w| !w.is_empty())
                        .collect::<Vec<_>>()
                })
                .filter(|g| g.len() > 1)
                .collect(),
        }
    }

    /// The groups with a phrase found in `words`, and the words of their other phrases.
    fn found_in<'a>(&'a self, words: &'a [String]) -> impl Iterator<Item = Vec<&'a str>> + 'a {
        self.groups.iter().filter_map(move |group| {
            let found: Vec<usize> = group
                .iter()
                .enumerate()
                .filter(|(_, phrase)| contains_phrase(words, phrase))
                .map(|(i, _)| i)
                .collect();
            if found.is_empty() {
                return None;
            }
            let others: Vec<&str> = group
                .iter()
                .enumerate()
                .filter(|(i, _)| !found.contains(i))
                .flat_map(|(_, phrase)| phrase.iter().map(String::as_str))
                .collect();
            Some(others)
        })
    }

    /// Every phrase (its words sorted) of the groups whose long form — a phrase of several
    /// words — is in `words` (a title): the title spells out the subject the group names.
    fn subjects(&self, words: &[String]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        for group in &self.groups {
            if group
                .iter()
                .any(|phrase| phrase.len() > 1 && contains_phrase(words, phrase))
            {
                for phrase in group {
                    let mut sorted = phrase.clone();
                    sorted.sort();
                    out.push(sorted);
                }
            }
        }
        out
    }
}

fn contains_phrase(words: &[String], phrase: &[String]) -> bool {
    !phrase.is_empty() && words.windows(phrase.len()).any(|w| w == phrase)
}

impl SearchIndex {
    /// Builds the index of `guides`.
    pub fn build(guides: &[Arc<Guide>]) -> Self {
        let mut index = Self {
            guides: guides.to_vec(),
            ..Self::default()
        };
        let mut b = Builder::default();
        for (g, guide) in guides.iter().enumerate() {
            let synonyms = Synonyms::of(guide);
            for (s, section) in guide.sections.iter().enumerate() {
                for (e, entry) in section.entries.iter().enumerate() {
                    let doc = u32::try_from(index.entries.len()).unwrap_or(u32::MAX);
                    index.entries.push(EntryRef {
                        guide: g,
                        section: s,
                        entry: e,
                    });
                    b.lengths.push([0.0; 6]);
                    let title = b.add(doc, Field::Title, &entry.title_text, &synonyms);
                    b.add(
                        doc,
                        Field::Id,
                        &entry.id.as_str().replace('-', " "),
                        &synonyms,
                    );
                    let mut body = Vec::new();
                    for tag in &entry.tags {
                        body.extend(b.add(
                            doc,
                            Field::Tags,
                            &tag.as_str().replace('-', " "),
                            &synonyms,
                        ));
                        body.push(GAP);
                    }
                    for kp in &entry.key_points {
                        body.extend(b.add(doc, Field::KeyPoints, &kp.text, &synonyms));
                        body.push(GAP);
                    }
                    body.extend(b.add(doc, Field::Answer, &entry.answer_text, &synonyms));
                    for example in &entry.examples {
                        body.push(GAP);
                        body.extend(b.add(doc, Field::Code, &example.code, &synonyms));
                    }
                    index.title_seq.push(title);
                    index.body_seq.push(body);
                    index.ids.push(entry.id.as_str().to_owned());
                    let title_words: Vec<String> = words(&entry.title_text).collect();
                    index.subjects.push(synonyms.subjects(&title_words));
                }
            }
        }
        index.finish(b);
        index
    }

    /// Turns the counts into BM25F scores per (word, entry).
    fn finish(&mut self, b: Builder) {
        let n = self.entries.len().max(1) as f32;
        let mut avg = [0f32; 6];
        for lens in &b.lengths {
            for f in Field::ALL {
                avg[f.index()] += lens[f.index()];
            }
        }
        for a in &mut avg {
            *a = (*a / n).max(1.0);
        }
        // Word numbers follow the sorted order, for prefix ranges.
        let mut sorted: Vec<(&String, &u32)> = b.terms.iter().collect();
        sorted.sort();
        let mut renumber = vec![0u32; b.counts.len()];
        for (new, (word, old)) in sorted.iter().enumerate() {
            let new = u32::try_from(new).unwrap_or(u32::MAX);
            if let Some(slot) = renumber.get_mut(**old as usize) {
                *slot = new;
            }
            self.terms.insert((*word).clone(), new);
            self.chars.push(word.chars().collect());
        }
        self.postings = vec![Vec::new(); b.counts.len()];
        for (old, counts) in b.counts.iter().enumerate() {
            let mut per_doc: HashMap<u32, f32> = HashMap::new();
            for (&(doc, field), &tf) in counts {
                let len = b
                    .lengths
                    .get(doc as usize)
                    .map_or(1.0, |l| l[field.index()]);
                let norm = 1.0 - B + B * len / avg[field.index()];
                *per_doc.entry(doc).or_insert(0.0) += field.weight() * tf / norm;
            }
            let df = per_doc.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let mut list: Vec<Posting> = per_doc
                .into_iter()
                .map(|(doc, tf)| Posting {
                    doc,
                    score: idf * tf * (K1 + 1.0) / (tf + K1),
                })
                .collect();
            list.sort_by_key(|p| p.doc);
            if let Some(slot) = renumber
                .get(old)
                .and_then(|&new| self.postings.get_mut(new as usize))
            {
                *slot = list;
            }
        }
        for seq in self.title_seq.iter_mut().chain(self.body_seq.iter_mut()) {
            for t in seq.iter_mut() {
                if *t != GAP {
                    *t = renumber.get(*t as usize).copied().unwrap_or(GAP);
                }
            }
        }
    }

    /// The guides this index was built from.
    pub fn guides(&self) -> &[Arc<Guide>] {
        &self.guides
    }

    /// How many distinct words the index holds.
    pub fn vocabulary(&self) -> usize {
        self.terms.len()
    }

    /// The entry an [`EntryRef`] points at.
    pub fn entry(&self, at: EntryRef) -> Option<&Entry> {
        self.guides
            .get(at.guide)?
            .sections
            .get(at.section)?
            .entries
            .get(at.entry)
    }

    /// Entries matching `query`, best first, every one formatted (for small guides and
    /// tests; pages use [`SearchIndex::search_with`]).
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        self.search_with(query, usize::MAX, |_, _| true).hits
    }

    /// The `limit` best entries matching `query` that `keep` accepts, and how many matched
    /// in all. An empty text matches every entry that passes the filters, in guide order.
    pub fn search_with(
        &self,
        query: &Query,
        limit: usize,
        keep: impl Fn(EntryRef, &Entry) -> bool,
    ) -> Results {
        let mut parsed = parse(&query.text);
        parsed.guide = parsed.guide.take().or_else(|| query.guide.clone());
        parsed.section = parsed.section.take().or_else(|| query.section.clone());
        parsed.level = parsed.level.or(query.level);
        parsed.tag = parsed.tag.take().or_else(|| query.tag.clone());
        let mut found = self.matches(&parsed);
        found.scored.retain(|&(doc, _)| {
            self.passes(doc, &parsed)
                && self
                    .entries
                    .get(doc as usize)
                    .and_then(|&at| Some((at, self.entry(at)?)))
                    .is_some_and(|(at, e)| keep(at, e))
        });
        found
            .scored
            .sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let total = found.scored.len();
        let marks = found.marks;
        let hits = found
            .scored
            .iter()
            .take(limit)
            .filter_map(|&(doc, score)| {
                let at = *self.entries.get(doc as usize)?;
                let entry = self.entry(at)?;
                Some(Hit {
                    at,
                    score,
                    title_html: mark(&entry.title_text, &marks),
                    snippet_html: best_snippet(entry, &marks),
                })
            })
            .collect();
        let did_you_mean = if total == 0 && parsed.has_text() {
            self.did_you_mean(&parsed)
        } else {
            None
        };
        Results {
            hits,
            total,
            did_you_mean,
            parsed,
        }
    }

    /// Whether entry `doc` passes the filters of `parsed`.
    fn passes(&self, doc: u32, parsed: &Parsed) -> bool {
        let Some(&at) = self.entries.get(doc as usize) else {
            return false;
        };
        let Some(guide) = self.guides.get(at.guide) else {
            return false;
        };
        let Some(section) = guide.sections.get(at.section) else {
            return false;
        };
        let Some(entry) = section.entries.get(at.entry) else {
            return false;
        };
        parsed
            .guide
            .as_deref()
            .is_none_or(|g| guide.id.as_str() == g)
            && parsed
                .section
                .as_deref()
                .is_none_or(|s| section.id.as_str() == s)
            && parsed.level.is_none_or(|l| entry.level() == Some(l))
            && parsed
                .tag
                .as_deref()
                .is_none_or(|t| entry.tags.iter().any(|x| x.as_str() == t))
    }

    /// The words a query word may match: itself, its completions (the last word) and the
    /// words within the typos it allows, each with how much it counts.
    fn expand(&self, word: &str, prefix: bool) -> Vec<(u32, f32)> {
        let mut out: Vec<(u32, f32)> = Vec::new();
        if let Some(&t) = self.terms.get(word) {
            out.push((t, 1.0));
        }
        if prefix {
            let mut completions: Vec<(usize, u32)> = self
                .terms
                .range(word.to_owned()..)
                .take_while(|(w, _)| w.starts_with(word))
                .filter(|(w, _)| w.as_str() != word)
                .take(5_000)
                .map(|(_, &t)| (self.postings.get(t as usize).map_or(0, Vec::len), t))
                .collect();
            completions.sort_by_key(|c| std::cmp::Reverse(c.0));
            out.extend(
                completions
                    .into_iter()
                    .take(MAX_PREFIX_TERMS)
                    .map(|(_, t)| (t, PREFIX)),
            );
        }
        let chars: Vec<char> = word.chars().collect();
        let max = typo::allowed(chars.len());
        if max > 0 {
            for (t, other) in self.chars.iter().enumerate() {
                if other.len().abs_diff(chars.len()) > max {
                    continue;
                }
                if let Some(d) = typo::within(&chars, other, max)
                    && d > 0
                {
                    let t = u32::try_from(t).unwrap_or(u32::MAX);
                    out.push((t, if d == 1 { ONE_TYPO } else { TWO_TYPOS }));
                }
            }
        }
        out
    }

    /// Every entry with all words and phrases and none of the excluded ones, scored.
    fn matches(&self, parsed: &Parsed) -> Found {
        let n = self.entries.len();
        let mut marks: HashSet<String> = HashSet::new();
        if !parsed.has_text() {
            let scored = (0..n)
                .filter_map(|d| Some((u32::try_from(d).ok()?, 0.0)))
                .collect();
            return Found { scored, marks };
        }
        let mut words: Vec<(String, bool)> = parsed
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                (
                    w.clone(),
                    parsed.last_is_prefix && i + 1 == parsed.words.len(),
                )
            })
            .collect();
        for phrase in &parsed.phrases {
            words.extend(phrase.iter().map(|w| (w.clone(), false)));
        }
        let mut score = vec![0f32; n];
        let mut hits = vec![0u8; n];
        let mut best = vec![0f32; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut exact_words: Vec<Option<u32>> = Vec::new();
        for (i, (word, prefix)) in words.iter().enumerate() {
            let expansions = self.expand(word, *prefix);
            exact_words.push(expansions.iter().find(|(_, m)| *m >= 1.0).map(|(t, _)| *t));
            // The best expansion per entry: a dense array, touched entries listed.
            best.iter_mut().for_each(|b| *b = 0.0);
            touched.clear();
            for &(t, multiplier) in &expansions {
                if let Some(word) = self.word(t) {
                    marks.insert(word);
                }
                for p in self.postings.get(t as usize).into_iter().flatten() {
                    let d = p.doc as usize;
                    let s = p.score * multiplier;
                    if let Some(slot) = best.get_mut(d) {
                        if *slot == 0.0 {
                            touched.push(d);
                        }
                        *slot = slot.max(s);
                    }
                }
            }
            let round = u8::try_from(i).unwrap_or(u8::MAX);
            for &d in &touched {
                if let (Some(h), Some(sc)) = (hits.get_mut(d), score.get_mut(d))
                    && *h == round
                {
                    *h += 1;
                    *sc += best[d];
                }
            }
        }
        let needed = u8::try_from(words.len()).unwrap_or(u8::MAX);
        let without: Vec<u32> = parsed
            .without
            .iter()
            .filter_map(|w| self.terms.get(w).copied())
            .collect();
        let phrases: Vec<Vec<u32>> = parsed
            .phrases
            .iter()
            .map(|p| {
                p.iter()
                    .map(|w| self.terms.get(w).copied().unwrap_or(GAP))
                    .collect()
            })
            .collect();
        let query_text = parsed.words.join(" ");
        let query_sorted = {
            let mut w = parsed.words.clone();
            w.sort();
            w
        };
        let mut scored = Vec::new();
        for d in 0..n {
            if hits[d] != needed {
                continue;
            }
            let doc = u32::try_from(d).unwrap_or(u32::MAX);
            let (title, body) = (&self.title_seq[d], &self.body_seq[d]);
            if without
                .iter()
                .any(|t| title.contains(t) || body.contains(t) || self.has_word(*t, doc))
            {
                continue;
            }
            if !phrases
                .iter()
                .all(|p| has_sequence(title, p) || has_sequence(body, p))
            {
                continue;
            }
            let mut s = score[d];
            // The query's exact words next to each other: in the title most.
            let exact: Vec<u32> = exact_words.iter().map(|t| t.unwrap_or(GAP)).collect();
            if exact.len() > 1 && !exact.contains(&GAP) {
                if has_sequence(title, &exact) {
                    s *= 1.5;
                } else if has_sequence(body, &exact) {
                    s *= 1.2;
                }
            }
            // A query that names the question: its id, or a synonym of its title's subject.
            let id = &self.ids[d];
            if !query_text.is_empty() && id.replace('-', " ") == query_text {
                s += 2_000.0;
            } else if self.subjects[d].contains(&query_sorted) {
                s += 1_000.0;
            }
            scored.push((doc, s));
        }
        Found { scored, marks }
    }

    /// A word by its number.
    fn word(&self, t: u32) -> Option<String> {
        self.chars.get(t as usize).map(|c| c.iter().collect())
    }

    /// Whether entry `doc` has word `t` (through a part or a synonym too).
    fn has_word(&self, t: u32, doc: u32) -> bool {
        self.postings
            .get(t as usize)
            .is_some_and(|list| list.binary_search_by_key(&doc, |p| p.doc).is_ok())
    }

    /// The query with each word replaced by the closest known word, if that finds
    /// something.
    fn did_you_mean(&self, parsed: &Parsed) -> Option<String> {
        let mut changed = false;
        let mut out = Vec::new();
        for word in &parsed.words {
            if self.terms.contains_key(word) {
                out.push(word.clone());
                continue;
            }
            let chars: Vec<char> = word.chars().collect();
            let max = (chars.len() / 3).clamp(1, 3);
            let mut best: Option<(usize, usize, &str)> = None;
            for (w, &t) in &self.terms {
                let other = self.chars.get(t as usize)?;
                if let Some(d) = typo::within(&chars, other, max) {
                    let df = self.postings.get(t as usize).map_or(0, Vec::len);
                    let better = best.is_none_or(|(bd, bdf, _)| d < bd || d == bd && df > bdf);
                    if better {
                        best = Some((d, df, w.as_str()));
                    }
                }
            }
            match best {
                Some((_, _, w)) => {
                    changed = true;
                    out.push(w.to_owned());
                }
                None => out.push(word.clone()),
            }
        }
        if !changed {
            return None;
        }
        let suggestion = out.join(" ");
        let again = Parsed {
            words: out,
            last_is_prefix: false,
            ..Parsed::default()
        };
        (!self.matches(&again).scored.is_empty()).then_some(suggestion)
    }
}

/// Matching entries with their scores, and the words to highlight.
struct Found {
    scored: Vec<(u32, f32)>,
    marks: HashSet<String>,
}

fn has_sequence(seq: &[u32], words: &[u32]) -> bool {
    !words.is_empty() && !words.contains(&GAP) && seq.windows(words.len()).any(|w| w == words)
}

/// Escapes `text`, wrapping matched words (and identifiers with a matched part) in
/// `<mark>`.
fn mark(text: &str, marks: &HashSet<String>) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word_start: Option<usize> = None;
    let flush = |out: &mut String, word: &str| {
        let lower = word.to_lowercase();
        let hit = marks.contains(&lower) || tokens::parts(&lower).any(|p| marks.contains(p));
        if hit {
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(word));
        }
    };
    for (i, c) in text.char_indices() {
        let in_word = tokens::is_word_char(c);
        match (in_word, word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, &text[start..i]);
                word_start = None;
                out.push_str(&escape(&text[i..i + c.len_utf8()]));
            }
            (false, None) => out.push_str(&escape(&text[i..i + c.len_utf8()])),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// A snippet of the first field (answer, key points, code) with a matched word, or the
/// answer's beginning.
fn best_snippet(entry: &Entry, marks: &HashSet<String>) -> String {
    let has = |text: &str| {
        words(text).any(|w| marks.contains(&w) || tokens::parts(&w).any(|p| marks.contains(p)))
    };
    if has(&entry.answer_text) {
        return snippet(&entry.answer_text, marks);
    }
    if let Some(kp) = entry.key_points.iter().find(|k| has(&k.text)) {
        return snippet(&kp.text, marks);
    }
    if let Some(example) = entry.examples.iter().find(|e| has(&e.code)) {
        return snippet(&example.code, marks);
    }
    snippet(&entry.answer_text, marks)
}

/// The words of a query that results mark: its words and its phrases' words.
fn query_marks(parsed: &Parsed) -> HashSet<String> {
    parsed
        .words
        .iter()
        .chain(parsed.phrases.iter().flatten())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Escapes a text found by another search (a discussion's title) and marks the query's
/// words in it, as results of the guide are marked.
#[must_use]
pub fn mark_query(text: &str, parsed: &Parsed) -> String {
    mark(text, &query_marks(parsed))
}

/// About 200 characters of a text found by another search (a discussion post, as plain
/// text) around the query's first word, escaped, the words marked.
#[must_use]
pub fn snippet_for_query(text: &str, parsed: &Parsed) -> String {
    snippet(text, &query_marks(parsed))
}

/// About 200 characters around the first matched word.
fn snippet(text: &str, marks: &HashSet<String>) -> String {
    const BEFORE: usize = 60;
    const LEN: usize = 220;
    let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut first = None;
    let mut pos = 0;
    for word in compact.split(|c: char| !tokens::is_word_char(c)) {
        let lower = word.to_lowercase();
        if !word.is_empty()
            && (marks.contains(&lower) || tokens::parts(&lower).any(|p| marks.contains(p)))
        {
            first = Some(pos);
            break;
        }
        pos += word.len() + 1;
    }
    let start_byte = first.map_or(0, |p| p.saturating_sub(BEFORE));
    let start = (0..=start_byte.min(compact.len()))
        .rev()
        .find(|i| compact.is_char_boundary(*i))
        .unwrap_or(0);
    let start = if start == 0 {
        0
    } else {
        compact[start..].find(' ').map_or(start, |i| start + i + 1)
    };
    let mut end = (start + LEN).min(compact.len());
    while !compact.is_char_boundary(end) {
        end -= 1;
    }
    let mut out = String::new();
    if start > 0 {
        out.push('…');
    }
    out.push_str(&mark(&compact[start..end], marks));
    if end < compact.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests;
