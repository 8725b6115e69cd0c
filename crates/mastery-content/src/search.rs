//! Full-text search over loaded guides, built once at load.
//!
//! Every question and insight is indexed by the words of its title, tags, key points,
//! answer prose and code, each field with its own weight. A query matches the entries that
//! contain every query word (the last word also as a prefix, so results follow the reader
//! as they type); results are ranked by the weights of the fields that matched. Matched
//! words are highlighted with `<mark>` in the title and in a snippet of the answer.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

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

/// Field weights: a word in the title says more than a word in the code.
const TITLE: u32 = 12;
const TAG: u32 = 8;
const KEY_POINT: u32 = 4;
const ANSWER: u32 = 2;
const CODE: u32 = 1;

/// The search index of a set of guides.
#[derive(Debug, Default)]
pub struct SearchIndex {
    guides: Vec<Arc<Guide>>,
    entries: Vec<EntryRef>,
    /// term -> (entry number, best field weight), sorted by entry number.
    postings: BTreeMap<String, Vec<(u32, u32)>>,
}

/// What to search for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Query {
    /// Free text.
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
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    /// Where the entry is.
    pub at: EntryRef,
    /// Sum of the weights of the fields that matched.
    pub score: u32,
    /// The title with matched words in `<mark>` (escaped HTML).
    pub title_html: String,
    /// A snippet of the answer with matched words in `<mark>` (escaped HTML).
    pub snippet_html: String,
}

/// Splits text into lowercase words; `_` is part of a word (`select_related`).
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

impl SearchIndex {
    /// Builds the index of `guides`.
    pub fn build(guides: &[Arc<Guide>]) -> Self {
        let mut index = Self {
            guides: guides.to_vec(),
            ..Self::default()
        };
        let mut postings: HashMap<String, HashMap<u32, u32>> = HashMap::new();
        for (g, guide) in guides.iter().enumerate() {
            for (s, section) in guide.sections.iter().enumerate() {
                for (e, entry) in section.entries.iter().enumerate() {
                    let n = u32::try_from(index.entries.len()).unwrap_or(u32::MAX);
                    index.entries.push(EntryRef {
                        guide: g,
                        section: s,
                        entry: e,
                    });
                    let mut add = |text: &str, weight: u32| {
                        for word in words(text) {
                            let best = postings.entry(word).or_default().entry(n).or_insert(0);
                            *best = (*best).max(weight);
                        }
                    };
                    add(&entry.title_text, TITLE);
                    for tag in &entry.tags {
                        add(tag.as_str(), TAG);
                        add(&tag.as_str().replace('-', " "), TAG);
                    }
                    for kp in &entry.key_points {
                        add(&kp.text, KEY_POINT);
                    }
                    add(&entry.answer_text, ANSWER);
                    for example in &entry.examples {
                        add(&example.code, CODE);
                    }
                }
            }
        }
        index.postings = postings
            .into_iter()
            .map(|(term, docs)| {
                let mut docs: Vec<(u32, u32)> = docs.into_iter().collect();
                docs.sort_unstable();
                (term, docs)
            })
            .collect();
        index
    }

    /// The guides this index was built from.
    pub fn guides(&self) -> &[Arc<Guide>] {
        &self.guides
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

    /// Entries matching `query`, best first. An empty text matches every entry that
    /// passes the filters, in guide order.
    pub fn search(&self, query: &Query) -> Vec<Hit> {
        let terms: Vec<String> = words(&query.text).take(12).collect();
        let mut scores: HashMap<u32, u32> = HashMap::new();
        if terms.is_empty() {
            for n in 0..self.entries.len() {
                scores.insert(u32::try_from(n).unwrap_or(u32::MAX), 0);
            }
        } else {
            for (i, term) in terms.iter().enumerate() {
                let last = i + 1 == terms.len();
                let mut matched: HashMap<u32, u32> = HashMap::new();
                let mut collect = |docs: &Vec<(u32, u32)>, exact: bool| {
                    for &(doc, weight) in docs {
                        // A prefix match counts a little less than the whole word.
                        let w = if exact { weight * 2 } else { weight };
                        let best = matched.entry(doc).or_insert(0);
                        *best = (*best).max(w);
                    }
                };
                if last {
                    for (t, docs) in self.postings.range(term.clone()..) {
                        if !t.starts_with(term.as_str()) {
                            break;
                        }
                        collect(docs, t == term);
                    }
                } else if let Some(docs) = self.postings.get(term) {
                    collect(docs, true);
                }
                if i == 0 {
                    scores = matched;
                } else {
                    scores.retain(|doc, score| match matched.get(doc) {
                        Some(w) => {
                            *score += w;
                            true
                        }
                        None => false,
                    });
                }
                if scores.is_empty() {
                    break;
                }
            }
        }
        let mut hits: Vec<Hit> = scores
            .into_iter()
            .filter_map(|(doc, score)| {
                let at = *self.entries.get(usize::try_from(doc).ok()?)?;
                let guide = self.guides.get(at.guide)?;
                let section = guide.sections.get(at.section)?;
                let entry = section.entries.get(at.entry)?;
                let keep = query
                    .guide
                    .as_deref()
                    .is_none_or(|g| guide.id.as_str() == g)
                    && query
                        .section
                        .as_deref()
                        .is_none_or(|s| section.id.as_str() == s)
                    && query.level.is_none_or(|l| entry.level() == Some(l))
                    && query
                        .tag
                        .as_deref()
                        .is_none_or(|t| entry.tags.iter().any(|x| x.as_str() == t));
                keep.then(|| Hit {
                    at,
                    score,
                    title_html: mark(&entry.title_text, &terms),
                    snippet_html: snippet(&entry.answer_text, &terms),
                })
            })
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.at.cmp(&b.at)));
        hits
    }
}

fn is_match(word: &str, terms: &[String]) -> bool {
    let lower = word.to_lowercase();
    terms.iter().enumerate().any(|(i, t)| {
        if i + 1 == terms.len() {
            lower.starts_with(t.as_str())
        } else {
            lower == *t
        }
    })
}

/// Escapes `text`, wrapping matched words in `<mark>`.
fn mark(text: &str, terms: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    let mut word_start: Option<usize> = None;
    let flush = |out: &mut String, word: &str| {
        if !terms.is_empty() && is_match(word, terms) {
            out.push_str("<mark>");
            out.push_str(&escape(word));
            out.push_str("</mark>");
        } else {
            out.push_str(&escape(word));
        }
    };
    for (i, c) in text.char_indices() {
        let in_word = c.is_alphanumeric() || c == '_';
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

/// About 200 characters of the answer around the first matched word.
fn snippet(text: &str, terms: &[String]) -> String {
    const BEFORE: usize = 60;
    const LEN: usize = 220;
    let compact: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut first = None;
    let mut pos = 0;
    for word in compact.split(|c: char| !(c.is_alphanumeric() || c == '_')) {
        if !word.is_empty() && !terms.is_empty() && is_match(word, terms) {
            first = Some(pos);
            break;
        }
        pos += word.len() + 1;
    }
    let start_byte = first.map_or(0, |p| p.saturating_sub(BEFORE));
    let start = (0..=start_byte)
        .rev()
        .find(|i| compact.is_char_boundary(*i))
        .unwrap_or(0);
    // Start on a word boundary.
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
    out.push_str(&mark(&compact[start..end], terms));
    if end < compact.len() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{GuideFiles, SourceFile, load_guide};

    fn index() -> SearchIndex {
        let toml = "id = \"g\"\ntitle = \"G\"\ndescription = \"d\"\nversion = \"1\"\nlicence = \"MIT\"\nauthors = [\"a\"]\n";
        let section = "---\nid: s\ntitle: S\n---\n\n\
## What is the GIL?\n\nid: gil\nlevel: senior\ntags: threads\n\nA mutex in CPython that serialises bytecode.\n\n\
### Key points\n\n- One thread runs bytecode.\n  Words: thread\n\n### References\n\n- [T](https://docs.python.org/)\n\n\
## select_related or prefetch?\n\nid: orm\nlevel: junior\n\nUse `select_related` for foreign keys; the GIL is irrelevant here.\n\n\
```python\nprint(\"zebra\")\n```\n\n```output\nzebra\n```\n\n### References\n\n- [T](https://docs.djangoproject.com/)\n";
        let files = GuideFiles {
            root: "g".into(),
            files: vec![
                SourceFile {
                    path: "guide.toml".into(),
                    bytes: toml.into(),
                },
                SourceFile {
                    path: "01.md".into(),
                    bytes: section.into(),
                },
            ],
        };
        let guide = load_guide(&files).guide.expect("valid");
        SearchIndex::build(&[Arc::new(guide)])
    }

    fn ids(index: &SearchIndex, q: &Query) -> Vec<String> {
        index
            .search(q)
            .iter()
            .map(|h| {
                index
                    .entry(h.at)
                    .map(|e| e.id.to_string())
                    .unwrap_or_default()
            })
            .collect()
    }

    fn text(t: &str) -> Query {
        Query {
            text: t.into(),
            ..Query::default()
        }
    }

    #[test]
    fn title_beats_answer_and_all_words_must_match() {
        let i = index();
        assert_eq!(ids(&i, &text("gil")), ["gil", "orm"]);
        assert_eq!(ids(&i, &text("gil foreign")), ["orm"]);
        assert_eq!(ids(&i, &text("gil nothing")), Vec::<String>::new());
    }

    #[test]
    fn prefix_of_the_last_word_and_code_and_tags() {
        let i = index();
        assert_eq!(ids(&i, &text("select_rel")), ["orm"]);
        assert_eq!(ids(&i, &text("zeb")), ["orm"], "code is searched");
        assert_eq!(ids(&i, &text("threads")), ["gil"], "tags are searched");
        assert_eq!(
            ids(&i, &text("mutex")),
            ["gil"],
            "a word only in the answer"
        );
    }

    #[test]
    fn filters_apply() {
        let i = index();
        let q = Query {
            level: Some(Level::Junior),
            ..text("gil")
        };
        assert_eq!(ids(&i, &q), ["orm"]);
        let q = Query {
            tag: Some("threads".into()),
            ..Query::default()
        };
        assert_eq!(ids(&i, &q), ["gil"]);
        let q = Query {
            guide: Some("other".into()),
            ..text("gil")
        };
        assert!(ids(&i, &q).is_empty());
    }

    #[test]
    fn matches_are_marked_and_escaped() {
        let i = index();
        let hits = i.search(&text("serialises"));
        assert!(
            hits[0].snippet_html.contains("<mark>serialises</mark>"),
            "{}",
            hits[0].snippet_html
        );
        assert_eq!(
            mark("a <b> gil", &["gil".to_owned()]),
            "a &lt;b&gt; <mark>gil</mark>"
        );
    }
}
