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
//!   them in a dense array, counts every match but keeps only the best `limit` in a
//!   bounded heap (skipping an entry whose upper bound, its words' scores times the
//!   largest boost plus its bonus, cannot enter them), finds phrases and words next to
//!   each other in lists of word pairs built at load, and formats only the results it
//!   returns.

mod query;
mod tokens;
mod typo;

use std::collections::{BTreeMap, BinaryHeap, HashMap, HashSet};
use std::sync::Arc;

pub use query::{Is, Parsed, parse};
pub use tokens::words;

use crate::html::escape_into;
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
    /// By length in characters: the words of that length, by word number. A typo search
    /// reads only the lengths within its typos.
    by_len: Vec<Vec<u32>>,
    /// By word number: its [`typo::letters`].
    letters: Vec<u64>,
    /// By entry: the words of its title, then of the rest, as word numbers (phrases,
    /// proximity), fields separated by [`GAP`].
    title_seq: Vec<Vec<u32>>,
    body_seq: Vec<Vec<u32>>,
    /// Two words next to each other (see [`pair`]): the entries with them in the title,
    /// and in the rest. Phrases and the proximity boost read these lists, not every
    /// entry's words.
    title_pairs: HashMap<u64, Vec<u32>>,
    body_pairs: HashMap<u64, Vec<u32>>,
    /// The entries a query names by their question id, its words separated by spaces
    /// (`select vs prefetch related`).
    named_by_id: HashMap<String, Vec<u32>>,
    /// The entries a query names through a synonym of their title's subject, by the
    /// query's words sorted.
    named_by_subject: HashMap<Vec<String>, Vec<u32>>,
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
                    index
                        .named_by_id
                        .entry(entry.id.as_str().replace('-', " "))
                        .or_default()
                        .push(doc);
                    let title_words: Vec<String> = words(&entry.title_text).collect();
                    for subject in synonyms.subjects(&title_words) {
                        let docs = index.named_by_subject.entry(subject).or_default();
                        if !docs.contains(&doc) {
                            docs.push(doc);
                        }
                    }
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
            let chars: Vec<char> = word.chars().collect();
            if self.by_len.len() <= chars.len() {
                self.by_len.resize(chars.len() + 1, Vec::new());
            }
            if let Some(bucket) = self.by_len.get_mut(chars.len()) {
                bucket.push(new);
            }
            self.letters.push(typo::letters(&chars));
            self.chars.push(chars);
        }
        self.postings = vec![Vec::new(); b.counts.len()];
        for (old, counts) in b.counts.iter().enumerate() {
            // By entry, then field: the same sums in the same order at every build, so
            // that equal entries tie the same way every time.
            let mut cells: Vec<(u32, Field, f32)> = counts
                .iter()
                .map(|(&(doc, field), &tf)| (doc, field, tf))
                .collect();
            cells.sort_by_key(|&(doc, field, _)| (doc, field.index()));
            let mut per_doc: Vec<(u32, f32)> = Vec::new();
            for (doc, field, tf) in cells {
                let len = b
                    .lengths
                    .get(doc as usize)
                    .map_or(1.0, |l| l[field.index()]);
                let norm = 1.0 - B + B * len / avg[field.index()];
                let weighted = field.weight() * tf / norm;
                match per_doc.last_mut() {
                    Some((last, sum)) if *last == doc => *sum += weighted,
                    _ => per_doc.push((doc, weighted)),
                }
            }
            let df = per_doc.len() as f32;
            let idf = (1.0 + (n - df + 0.5) / (df + 0.5)).ln();
            let list: Vec<Posting> = per_doc
                .into_iter()
                .map(|(doc, tf)| Posting {
                    doc,
                    score: idf * tf * (K1 + 1.0) / (tf + K1),
                })
                .collect();
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
        for (pairs, seqs) in [
            (&mut self.title_pairs, &self.title_seq),
            (&mut self.body_pairs, &self.body_seq),
        ] {
            for (doc, seq) in seqs.iter().enumerate() {
                let doc = u32::try_from(doc).unwrap_or(u32::MAX);
                for w in seq.windows(2) {
                    if let [a, b] = *w
                        && a != GAP
                        && b != GAP
                    {
                        let docs = pairs.entry(pair(a, b)).or_default();
                        if docs.last() != Some(&doc) {
                            docs.push(doc);
                        }
                    }
                }
            }
            for docs in pairs.values_mut() {
                docs.shrink_to_fit();
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
    /// Only the entries returned are formatted (title and snippet marked).
    pub fn search_with(
        &self,
        query: &Query,
        limit: usize,
        keep: impl Fn(EntryRef, &Entry) -> bool,
    ) -> Results {
        self.search_by(query, limit, keep, Ranking::Pruned)
    }

    fn search_by(
        &self,
        query: &Query,
        limit: usize,
        keep: impl Fn(EntryRef, &Entry) -> bool,
        ranking: Ranking,
    ) -> Results {
        let mut parsed = parse(&query.text);
        parsed.guide = parsed.guide.take().or_else(|| query.guide.clone());
        parsed.section = parsed.section.take().or_else(|| query.section.clone());
        parsed.level = parsed.level.or(query.level);
        parsed.tag = parsed.tag.take().or_else(|| query.tag.clone());
        let filtered = parsed.guide.is_some()
            || parsed.section.is_some()
            || parsed.level.is_some()
            || parsed.tag.is_some();
        let accept = |doc: u32| {
            (!filtered || self.passes(doc, &parsed))
                && self
                    .entries
                    .get(doc as usize)
                    .and_then(|&at| Some((at, self.entry(at)?)))
                    .is_some_and(|(at, e)| keep(at, e))
        };
        let found = self.top(&parsed, limit, accept, ranking);
        let marks = Marks::new(found.marks);
        let hits = found
            .best
            .iter()
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
        let total = found.total;
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
            for (t, d) in self.words_within(&chars, max) {
                if d > 0 {
                    out.push((t, if d == 1 { ONE_TYPO } else { TWO_TYPOS }));
                }
            }
        }
        out
    }

    /// The words at most `max` edits from `chars`, with their distance: only the lengths
    /// within `max` are read, and only the words that pass [`typo::may_be_within`] are
    /// compared in full.
    fn words_within(&self, chars: &[char], max: usize) -> Vec<(u32, usize)> {
        let mut band = typo::Band::default();
        let letters = typo::letters(chars);
        let mut out = Vec::new();
        for &t in self.lengths_around(chars.len(), max) {
            let (Some(other), Some(&l)) =
                (self.chars.get(t as usize), self.letters.get(t as usize))
            else {
                continue;
            };
            if typo::may_be_within(letters, l, max)
                && let Some(d) = band.within(chars, other, max)
            {
                out.push((t, d));
            }
        }
        out
    }

    /// The words whose length is within `max` of `len`, by length then word number.
    fn lengths_around(&self, len: usize, max: usize) -> impl Iterator<Item = &u32> {
        self.by_len
            .iter()
            .skip(len.saturating_sub(max))
            .take(len + max + 1 - len.saturating_sub(max))
            .flatten()
    }

    /// The `limit` best entries with all words and phrases and none of the excluded ones
    /// that `accept` takes, best first (score, then guide order), and how many it took in
    /// all.
    ///
    /// Every match is counted, but only an entry that may enter the best `limit` is scored
    /// in full: its words' scores (summed in one pass over the postings) times the largest
    /// proximity boost, plus its bonus for naming the query, bound its final score, and an
    /// entry whose bound cannot beat the worst of the best so far is not looked at further.
    /// Phrases and the proximity boost come from the lists of word pairs, not from reading
    /// each entry. [`Ranking::Exhaustive`] scores every entry and reads every entry's
    /// words: the tests check that both give the same results.
    fn top(
        &self,
        parsed: &Parsed,
        limit: usize,
        mut accept: impl FnMut(u32) -> bool,
        ranking: Ranking,
    ) -> Found {
        let n = self.entries.len();
        let mut marks: HashSet<String> = HashSet::new();
        let mut best = Best::new(limit);
        if !parsed.has_text() {
            let mut total = 0;
            for doc in (0..n).filter_map(|d| u32::try_from(d).ok()) {
                if accept(doc) {
                    total += 1;
                    best.offer(doc, 0.0);
                }
            }
            return Found {
                best: best.into_sorted(),
                total,
                marks,
            };
        }
        let mut words: Vec<(&str, bool)> = parsed
            .words
            .iter()
            .enumerate()
            .map(|(i, w)| {
                (
                    w.as_str(),
                    parsed.last_is_prefix && i + 1 == parsed.words.len(),
                )
            })
            .collect();
        for phrase in &parsed.phrases {
            words.extend(phrase.iter().map(|w| (w.as_str(), false)));
        }
        // Per entry: the sum of each word's best expansion, and how many words it has.
        let mut score = vec![0f32; n];
        let mut hits = vec![0u8; n];
        let mut word_best = vec![0f32; n];
        let mut touched: Vec<usize> = Vec::new();
        let mut exact: Vec<u32> = Vec::with_capacity(words.len());
        for (i, &(word, prefix)) in words.iter().enumerate() {
            let expansions = self.expand(word, prefix);
            exact.push(
                expansions
                    .iter()
                    .find(|(_, m)| *m >= 1.0)
                    .map_or(GAP, |(t, _)| *t),
            );
            touched.clear();
            for &(t, multiplier) in &expansions {
                if let Some(word) = self.word(t) {
                    marks.insert(word);
                }
                for p in self.postings.get(t as usize).into_iter().flatten() {
                    let d = p.doc as usize;
                    let s = p.score * multiplier;
                    if let Some(slot) = word_best.get_mut(d) {
                        if *slot == 0.0 {
                            touched.push(d);
                        }
                        *slot = slot.max(s);
                    }
                }
            }
            let round = u8::try_from(i).unwrap_or(u8::MAX);
            for &d in &touched {
                if let (Some(h), Some(sc), Some(wb)) =
                    (hits.get_mut(d), score.get_mut(d), word_best.get_mut(d))
                {
                    if *h == round {
                        *h += 1;
                        *sc += *wb;
                    }
                    *wb = 0.0;
                }
            }
        }
        let needed = u8::try_from(words.len()).unwrap_or(u8::MAX);
        // Entries with an excluded word (as a word, a part or a synonym) are out.
        for t in parsed.without.iter().filter_map(|w| self.terms.get(w)) {
            for p in self.postings.get(*t as usize).into_iter().flatten() {
                if let Some(h) = hits.get_mut(p.doc as usize) {
                    *h = u8::MAX;
                }
            }
        }
        // Where the phrases are, and the query's exact words next to each other (for
        // the proximity boost: in the title most).
        let sequence = |words: &[u32]| match ranking {
            Ranking::Pruned => self.sequence_by_pairs(words),
            Ranking::Exhaustive => self.sequence_by_reading(words),
        };
        let phrases: Vec<Vec<u8>> = parsed
            .phrases
            .iter()
            .map(|p| {
                let words: Vec<u32> = p
                    .iter()
                    .map(|w| self.terms.get(w).copied().unwrap_or(GAP))
                    .collect();
                sequence(&words)
            })
            .collect();
        let proximity = exact.len() > 1 && !exact.contains(&GAP);
        let near = if proximity {
            sequence(&exact)
        } else {
            Vec::new()
        };
        let boost_bound = if proximity { 1.5 } else { 1.0 };
        // A query that names a question: its id, or a synonym of its title's subject.
        let query_text = parsed.words.join(" ");
        let mut query_sorted = parsed.words.clone();
        query_sorted.sort();
        let named: &[u32] = if query_text.is_empty() {
            &[]
        } else {
            self.named_by_id.get(&query_text).map_or(&[], Vec::as_slice)
        };
        let subject: &[u32] = self
            .named_by_subject
            .get(&query_sorted)
            .map_or(&[], Vec::as_slice);
        let bonus = |doc: u32| {
            if named.contains(&doc) {
                2_000.0
            } else if subject.contains(&doc) {
                1_000.0
            } else {
                0.0
            }
        };
        let mut total = 0;
        for (d, (&h, &base)) in hits.iter().zip(&score).enumerate() {
            if h != needed {
                continue;
            }
            let doc = u32::try_from(d).unwrap_or(u32::MAX);
            if !phrases.iter().all(|p| p.get(d).is_some_and(|&at| at != 0)) || !accept(doc) {
                continue;
            }
            total += 1;
            let bonus = bonus(doc);
            if ranking == Ranking::Pruned && !best.may_enter(doc, base * boost_bound + bonus) {
                continue;
            }
            let mut s = base;
            match near.get(d) {
                Some(at) if at & IN_TITLE != 0 => s *= 1.5,
                Some(at) if at & IN_BODY != 0 => s *= 1.2,
                _ => {}
            }
            best.offer(doc, s + bonus);
        }
        Found {
            best: best.into_sorted(),
            total,
            marks,
        }
    }

    /// By entry: whether `words` follow each other in its title ([`IN_TITLE`]) and in
    /// the rest ([`IN_BODY`]), from the lists of pairs: the entries with every pair of
    /// the sequence, and for a sequence longer than two words, those whose words have
    /// it.
    fn sequence_by_pairs(&self, words: &[u32]) -> Vec<u8> {
        if words.len() < 2 {
            return self.sequence_by_reading(words);
        }
        let mut found = vec![0u8; self.entries.len()];
        if words.contains(&GAP) {
            return found;
        }
        for (bit, pairs, seqs) in [
            (IN_TITLE, &self.title_pairs, &self.title_seq),
            (IN_BODY, &self.body_pairs, &self.body_seq),
        ] {
            let lists: Option<Vec<&Vec<u32>>> = words
                .windows(2)
                .map(|w| pairs.get(&pair(w[0], w[1])))
                .collect();
            let Some(mut lists) = lists else {
                continue;
            };
            lists.sort_by_key(|l| l.len());
            let Some((shortest, others)) = lists.split_first() else {
                continue;
            };
            for &doc in shortest.iter() {
                let d = doc as usize;
                if others.iter().all(|l| l.binary_search(&doc).is_ok())
                    && (words.len() == 2 || seqs.get(d).is_some_and(|s| has_sequence(s, words)))
                    && let Some(at) = found.get_mut(d)
                {
                    *at |= bit;
                }
            }
        }
        found
    }

    /// As [`SearchIndex::sequence_by_pairs`], reading every entry's words.
    fn sequence_by_reading(&self, words: &[u32]) -> Vec<u8> {
        self.title_seq
            .iter()
            .zip(&self.body_seq)
            .map(|(title, body)| {
                let mut at = 0;
                if has_sequence(title, words) {
                    at |= IN_TITLE;
                }
                if has_sequence(body, words) {
                    at |= IN_BODY;
                }
                at
            })
            .collect()
    }

    /// A word by its number.
    fn word(&self, t: u32) -> Option<String> {
        self.chars.get(t as usize).map(|c| c.iter().collect())
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
            // The closest word, then the most frequent, then the first in sorted order.
            let mut best: Option<(usize, usize, u32)> = None;
            for (t, d) in self.words_within(&chars, max) {
                let df = self.postings.get(t as usize).map_or(0, Vec::len);
                let better = best.is_none_or(|(bd, bdf, bt)| {
                    d < bd || d == bd && (df > bdf || df == bdf && t < bt)
                });
                if better {
                    best = Some((d, df, t));
                }
            }
            let best = best.and_then(|(d, df, t)| Some((d, df, self.word(t)?)));
            match best {
                Some((_, _, w)) => {
                    changed = true;
                    out.push(w);
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
        let found = self.top(&again, 0, |_| true, Ranking::Pruned);
        (found.total > 0).then_some(suggestion)
    }
}

/// How [`SearchIndex::top`] ranks: skipping the entries that cannot enter the best, or
/// scoring every one (the reference the tests compare with).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ranking {
    Pruned,
    #[cfg_attr(not(test), allow(dead_code))]
    Exhaustive,
}

/// The best matching entries (best first) with their scores, how many matched in all,
/// and the words to highlight.
struct Found {
    best: Vec<(u32, f32)>,
    total: usize,
    marks: HashSet<String>,
}

/// An entry and its score, ordered worst first: a higher score is better, then an earlier
/// entry (guide order).
#[derive(Debug, Clone, Copy)]
struct Ranked {
    doc: u32,
    score: f32,
}

impl Ord for Ranked {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other
            .score
            .total_cmp(&self.score)
            .then(self.doc.cmp(&other.doc))
    }
}

impl PartialOrd for Ranked {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Ranked {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other).is_eq()
    }
}

impl Eq for Ranked {}

/// The best `limit` entries offered so far: a heap whose top is the worst of them.
struct Best {
    limit: usize,
    heap: BinaryHeap<Ranked>,
}

impl Best {
    fn new(limit: usize) -> Self {
        Self {
            limit,
            heap: BinaryHeap::with_capacity(limit.min(1_024)),
        }
    }

    /// Whether an entry scoring `score` would enter the best (entries are offered in
    /// guide order, so a tie with the worst does not).
    fn may_enter(&self, doc: u32, score: f32) -> bool {
        self.heap.len() < self.limit
            || self
                .heap
                .peek()
                .is_some_and(|worst| Ranked { doc, score } < *worst)
    }

    fn offer(&mut self, doc: u32, score: f32) {
        if self.limit == 0 {
            return;
        }
        let ranked = Ranked { doc, score };
        if self.heap.len() < self.limit {
            self.heap.push(ranked);
        } else if let Some(mut worst) = self.heap.peek_mut()
            && ranked < *worst
        {
            *worst = ranked;
        }
    }

    /// Best first.
    fn into_sorted(self) -> Vec<(u32, f32)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|r| (r.doc, r.score))
            .collect()
    }
}

/// Two words next to each other, as a key of the lists of pairs.
fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// A sequence of words is in an entry's title, in the rest.
const IN_TITLE: u8 = 1;
const IN_BODY: u8 = 2;

/// Whether `words` (no [`GAP`] among them) follow each other in `seq`.
fn has_sequence(seq: &[u32], words: &[u32]) -> bool {
    let Some((&first, rest)) = words.split_first() else {
        return false;
    };
    if first == GAP || rest.contains(&GAP) {
        return false;
    }
    seq.iter()
        .enumerate()
        .any(|(i, &t)| t == first && seq.get(i + 1..i + 1 + rest.len()) == Some(rest))
}

/// The words to mark, with a quick test that turns down most other words without
/// hashing them: the lengths and first bytes of the marked words.
struct Marks {
    words: HashSet<String>,
    /// Bit `n`: a marked word has `n` bytes (bit 63: 63 or more).
    lengths: u64,
    /// Bit `b`: a marked word starts with byte `b`.
    firsts: [u64; 4],
}

impl Marks {
    fn new(words: HashSet<String>) -> Self {
        let mut lengths = 0;
        let mut firsts = [0; 4];
        for w in &words {
            lengths |= 1u64 << w.len().min(63);
            if let Some(&b) = w.as_bytes().first() {
                firsts[usize::from(b >> 6)] |= 1u64 << (b & 63);
            }
        }
        Self {
            words,
            lengths,
            firsts,
        }
    }

    /// Whether a word of `len` bytes starting with byte `first` may be marked.
    fn may_have(&self, len: usize, first: u8) -> bool {
        self.lengths & (1u64 << len.min(63)) != 0
            && self.firsts[usize::from(first >> 6)] & (1u64 << (first & 63)) != 0
    }

    fn contains(&self, word: &str) -> bool {
        match word.as_bytes().first() {
            Some(&b) if !self.may_have(word.len(), b) => false,
            _ => self.words.contains(word),
        }
    }
}

/// Whether a word of a text (any case) is marked, whole or by a part; copied to lowercase
/// only when it is not plain lowercase ASCII and may be marked.
fn is_marked(word: &str, marks: &Marks) -> bool {
    let bytes = word.as_bytes();
    if word.is_ascii() && !bytes.contains(&b'_') {
        // A plain ASCII word: no parts, and its lowercase has the same length.
        let Some(&first) = bytes.first() else {
            return marks.contains(word);
        };
        if !marks.may_have(bytes.len(), first.to_ascii_lowercase()) {
            return false;
        }
    }
    let lower: std::borrow::Cow<'_, str> = if bytes
        .iter()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        word.into()
    } else {
        word.to_lowercase().into()
    };
    marks.contains(lower.as_ref()) || tokens::parts(&lower).any(|p| marks.contains(p))
}

/// Escapes `text`, wrapping matched words (and identifiers with a matched part) in
/// `<mark>`.
fn mark(text: &str, marks: &Marks) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word_start: Option<usize> = None;
    let flush = |out: &mut String, word: &str| {
        if is_marked(word, marks) {
            out.push_str("<mark>");
            escape_into(out, word);
            out.push_str("</mark>");
        } else {
            escape_into(out, word);
        }
    };
    for (i, c) in text.char_indices() {
        let in_word = tokens::is_word_char(c);
        match (in_word, word_start) {
            (true, None) => word_start = Some(i),
            (false, Some(start)) => {
                flush(&mut out, &text[start..i]);
                word_start = None;
                escape_into(&mut out, &text[i..i + c.len_utf8()]);
            }
            (false, None) => escape_into(&mut out, &text[i..i + c.len_utf8()]),
            (true, Some(_)) => {}
        }
    }
    if let Some(start) = word_start {
        flush(&mut out, &text[start..]);
    }
    out
}

/// A snippet of the first field (answer, key points, code) with a matched word, or the
/// answer's beginning. Each field is read only up to its first matched word.
fn best_snippet(entry: &Entry, marks: &Marks) -> String {
    if let Some(at) = first_marked(&entry.answer_text, marks) {
        return snippet_at(&entry.answer_text, at, marks);
    }
    for text in entry
        .key_points
        .iter()
        .map(|k| k.text.as_str())
        .chain(entry.examples.iter().map(|e| e.code.as_str()))
    {
        if let Some(at) = first_marked(text, marks) {
            return snippet_at(text, at, marks);
        }
    }
    snippet_at(&entry.answer_text, 0, marks)
}

/// The byte offset of the first marked word of `text`, reading no further.
fn first_marked(text: &str, marks: &Marks) -> Option<usize> {
    let mut start = None;
    for (i, c) in text.char_indices() {
        if tokens::is_word_char(c) {
            start.get_or_insert(i);
        } else if let Some(s) = start.take()
            && is_marked(&text[s..i], marks)
        {
            return Some(s);
        }
    }
    start.filter(|&s| is_marked(&text[s..], marks))
}

/// The words of a query that results mark: its words and its phrases' words.
fn query_marks(parsed: &Parsed) -> Marks {
    Marks::new(
        parsed
            .words
            .iter()
            .chain(parsed.phrases.iter().flatten())
            .map(|w| w.to_lowercase())
            .collect(),
    )
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
fn snippet(text: &str, marks: &Marks) -> String {
    snippet_at(text, first_marked(text, marks).unwrap_or(0), marks)
}

/// At most [`SNIPPET_BYTES`] of `text` with its runs of whitespace as one space, from the
/// word start about [`SNIPPET_BEFORE`] bytes before byte `at`, escaped and marked; `…` where
/// text is left out. Reads only that part of the text.
fn snippet_at(text: &str, at: usize, marks: &Marks) -> String {
    let at = (0..=at.min(text.len()))
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0);
    // Back from `at` over SNIPPET_BEFORE bytes of compacted text (a run of whitespace
    // counts as one space).
    let mut from = at;
    let mut back = 0;
    let mut in_space = false;
    for (i, c) in text[..at].char_indices().rev() {
        if back >= SNIPPET_BEFORE {
            break;
        }
        if c.is_whitespace() {
            back += usize::from(!in_space);
            in_space = true;
        } else {
            back += c.len_utf8();
            in_space = false;
        }
        from = i;
    }
    // Something is left out before: start at the next word.
    let leading = !text[..from].trim().is_empty();
    if leading {
        if let Some(space) = text[from..at].find(char::is_whitespace) {
            from += space;
        } else if !text[..from].ends_with(char::is_whitespace) {
            from = at;
        }
    }
    let mut plain = String::with_capacity(SNIPPET_BYTES + 4);
    let mut pending_space = false;
    let mut cut = false;
    for c in text[from..].chars() {
        if c.is_whitespace() {
            pending_space = !plain.is_empty();
            continue;
        }
        if plain.len() + c.len_utf8() + usize::from(pending_space) > SNIPPET_BYTES {
            cut = true;
            break;
        }
        if pending_space {
            plain.push(' ');
            pending_space = false;
        }
        plain.push(c);
    }
    let mut out = String::with_capacity(plain.len() + 32);
    if leading {
        out.push('…');
    }
    out.push_str(&mark(&plain, marks));
    if cut {
        out.push('…');
    }
    out
}

/// How much of the text a snippet shows before its first matched word, in bytes.
const SNIPPET_BEFORE: usize = 60;
/// The longest snippet, in bytes (before escaping and marks).
const SNIPPET_BYTES: usize = 220;

#[cfg(test)]
mod tests;
