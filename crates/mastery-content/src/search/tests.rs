use super::*;
use crate::{GuideFiles, SourceFile, load_guide};

fn index() -> SearchIndex {
    let toml = "id = \"g\"\ntitle = \"G\"\ndescription = \"d\"\nversion = \"1\"\nlicence = \"MIT\"\nauthors = [\"a\"]\n\n[synonyms]\ngil = [\"global interpreter lock\"]\n";
    let section = "---\nid: s\ntitle: S\n---\n\n\
## What is the Global Interpreter Lock?\n\nid: gil\nlevel: senior\ntags: threads\n\nA mutex in CPython that serialises bytecode.\n\n\
### Key points\n\n- One thread runs bytecode.\n  Words: thread\n\n### References\n\n- [T](https://docs.python.org/)\n\n\
## When does CPython release the GIL?\n\nid: gil-release\nlevel: senior\n\nAround blocking I/O the GIL is released.\n\n\
### References\n\n- [T](https://docs.python.org/)\n\n\
## select_related or prefetch?\n\nid: orm\nlevel: junior\n\nUse `select_related` for foreign keys; the GIL is irrelevant here.\n\n\
```python\nprint(\"zebra\")\n```\n\n```output\nzebra\n```\n\n### References\n\n- [T](https://docs.djangoproject.com/)\n\n\
## How do decorators work?\n\nid: decorators\nlevel: confirmed\n\nA decorator wraps a function and returns another one.\n\n\
### References\n\n- [T](https://docs.python.org/)\n";
    index_of(toml, section)
}

/// The index of a guide of one section.
fn index_of(toml: &str, section: &str) -> SearchIndex {
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
    let report = load_guide(&files);
    let guide = report
        .guide
        .unwrap_or_else(|| panic!("{:?}", report.diagnostics));
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
fn the_question_a_query_names_comes_first() {
    let i = index();
    // Its id, and its title through a synonym: the GIL question, not the one that mentions it.
    assert_eq!(ids(&i, &text("GIL "))[0], "gil");
    assert_eq!(ids(&i, &text("global interpreter lock "))[0], "gil");
    assert_eq!(ids(&i, &text("gil release "))[0], "gil-release");
}

#[test]
fn every_word_must_match_and_a_title_beats_a_body() {
    let i = index();
    assert_eq!(ids(&i, &text("foreign gil")), ["orm"]);
    assert!(ids(&i, &text("gil nothingatall")).is_empty());
    let found = ids(&i, &text("released "));
    assert_eq!(found, ["gil-release"]);
}

#[test]
fn typos_prefixes_and_identifiers() {
    let i = index();
    assert_eq!(
        ids(&i, &text("decoratr ")),
        ["decorators"],
        "one typo from 5 letters"
    );
    assert_eq!(
        ids(&i, &text("select_relatd ")),
        ["orm"],
        "an identifier with a typo"
    );
    assert_eq!(
        ids(&i, &text("select_rel")),
        ["orm"],
        "the last word as a prefix"
    );
    assert_eq!(
        ids(&i, &text("related ")),
        ["orm"],
        "a part of an identifier"
    );
    assert_eq!(ids(&i, &text("zeb")), ["orm"], "code is searched");
    assert!(ids(&i, &text("gli ")).is_empty(), "no typo below 5 letters");
}

#[test]
fn phrases_exclusions_and_filters() {
    let i = index();
    assert_eq!(ids(&i, &text("\"release the gil\"")), ["gil-release"]);
    assert_eq!(ids(&i, &text("gil -mutex -irrelevant ")), ["gil-release"]);
    assert_eq!(ids(&i, &text("gil level:junior")), ["orm"]);
    assert_eq!(ids(&i, &text("tag:threads")), ["gil"]);
    let q = Query {
        guide: Some("other".into()),
        ..text("gil")
    };
    assert!(ids(&i, &q).is_empty());
}

#[test]
fn nothing_found_suggests_a_correction() {
    let i = index();
    let r = i.search_with(&text("decoratorz wrapps"), 10, |_, _| true);
    assert_eq!(r.total, 1, "a typo in each word");
    assert_eq!(r.did_you_mean, None);
    let r = i.search_with(&text("mutx"), 10, |_, _| true);
    assert_eq!(r.total, 0);
    assert_eq!(r.did_you_mean.as_deref(), Some("mutex"));
}

#[test]
fn a_limit_keeps_the_count_and_a_filter_applies_before_it() {
    let i = index();
    let all = i.search_with(&text("gil"), 1, |_, _| true);
    assert_eq!((all.hits.len(), all.total), (1, 3));
    let kept = i.search_with(&text("gil"), 10, |_, e| e.id.as_str() != "gil");
    assert_eq!(kept.total, 2);
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
    let marks = Marks::new(["gil".to_owned()].into_iter().collect());
    assert_eq!(mark("a <b> gil", &marks), "a &lt;b&gt; <mark>gil</mark>");
    assert_eq!(
        mark("The GIL, Gil_lock and GILT", &marks),
        "The <mark>GIL</mark>, <mark>Gil_lock</mark> and GILT",
        "any case, and a part of an identifier"
    );
    let zebra = i.search(&text("zebra"));
    assert!(
        zebra[0].snippet_html.contains("<mark>zebra</mark>"),
        "the code's snippet: {}",
        zebra[0].snippet_html
    );
}

proptest::proptest! {
    #[test]
    fn any_query_is_answered(q in "\\PC{0,80}") {
        let i = index();
        let r = i.search_with(&text(&q), 5, |_, _| true);
        proptest::prop_assert!(r.hits.len() <= 5);
        proptest::prop_assert!(r.hits.len() <= r.total);
    }
}

/// A guide of `entries` (title words, answer words, tag), with a synonym group, in the
/// format a guide is written in.
fn random_index(entries: &[(Vec<&str>, Vec<&str>, &str)]) -> SearchIndex {
    use std::fmt::Write as _;
    let toml = "id = \"r\"\ntitle = \"R\"\ndescription = \"d\"\nversion = \"1\"\nlicence = \"MIT\"\nauthors = [\"a\"]\n\n[synonyms]\nlk = [\"alpha lock\"]\n";
    let mut section = String::from("---\nid: s\ntitle: S\n---\n\n");
    let mut seen = HashSet::new();
    for (n, (title, answer, tag)) in entries.iter().enumerate() {
        // Ids made of title words, so that a query may name a question by its id.
        let mut id = title.iter().take(2).copied().collect::<Vec<_>>().join("-");
        if !seen.insert(id.clone()) {
            id = format!("{id}-{n}");
            seen.insert(id.clone());
        }
        let _ = write!(
            section,
            "## {} here?\n\nid: {id}\nlevel: junior\ntags: {tag}\n\n{}.\n\n### References\n\n- [T](https://docs.python.org/)\n\n",
            title.join(" "),
            answer.join(" ")
        );
    }
    index_of(toml, &section)
}

const VOCABULARY: &[&str] = &[
    "alpha", "lock", "beta", "gamma", "delta", "thread", "threads", "locking", "alphas",
];

fn some_words(
    min: usize,
    max: usize,
) -> impl proptest::strategy::Strategy<Value = Vec<&'static str>> {
    proptest::collection::vec(proptest::sample::select(VOCABULARY), min..=max)
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    /// Skipping the entries that cannot enter the best never changes them: the same
    /// entries, scores and order as scoring every match, and the same count.
    #[test]
    fn the_pruned_best_are_the_exhaustive_best(
        entries in proptest::collection::vec(
            (some_words(1, 4), some_words(0, 12), proptest::sample::select(&["a", "b"][..])),
            1..40,
        ),
        words in some_words(0, 3),
        prefix in proptest::bool::ANY,
        phrase in proptest::bool::ANY,
        without in proptest::option::of(proptest::sample::select(VOCABULARY)),
        tag in proptest::option::of(proptest::sample::select(&["a", "b"][..])),
        limit in 0usize..6,
    ) {
        let index = random_index(&entries);
        let mut text = if phrase && words.len() > 1 {
            format!("\"{}\"", words.join(" "))
        } else {
            words.join(" ")
        };
        if let Some(w) = without {
            text = format!("-{w} {text}");
        }
        if !prefix {
            text.push(' ');
        }
        let query = Query { text, tag: tag.map(str::to_owned), ..Query::default() };
        let keep = |_: EntryRef, e: &Entry| !e.id.as_str().ends_with('7');
        let pruned = index.search_by(&query, limit, keep, Ranking::Pruned);
        let exhaustive = index.search_by(&query, limit, keep, Ranking::Exhaustive);
        let best = |r: &Results| r.hits.iter().map(|h| (h.at, h.score)).collect::<Vec<_>>();
        proptest::prop_assert_eq!(best(&pruned), best(&exhaustive), "{:?}", query);
        proptest::prop_assert_eq!(pruned.total, exhaustive.total);
        let all = index.search_by(&query, usize::MAX, keep, Ranking::Exhaustive);
        proptest::prop_assert_eq!(all.total, all.hits.len());
        proptest::prop_assert_eq!(&best(&all)[..limit.min(all.hits.len())], &best(&pruned)[..]);
    }
}

fn marks_of(words: &[&str]) -> Marks {
    Marks::new(words.iter().map(|w| (*w).to_owned()).collect())
}

/// The text without marks or escapes, for comparing with the plain text.
fn unmarked(html: &str) -> String {
    html.replace("<mark>", "")
        .replace("</mark>", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[test]
fn snippets_show_the_first_match_with_some_text_before() {
    let text = format!(
        "{} the  needle\n\nis here {}",
        "word ".repeat(40),
        "tail ".repeat(60)
    );
    let s = snippet(&text, &marks_of(&["needle"]));
    assert!(s.starts_with('…') && s.ends_with('…'), "{s}");
    assert!(s.contains("the <mark>needle</mark> is here"), "{s}");
    let plain = unmarked(s.trim_matches('…'));
    assert!(plain.len() <= SNIPPET_BYTES, "{}", plain.len());
    // Before the match: about 60 bytes, starting at a word.
    let before = plain.split("needle").next().unwrap_or("");
    assert!(
        (40..=70).contains(&before.len()) && before.starts_with("word"),
        "{before:?}"
    );
    // A short text is whole; no match: its beginning.
    assert_eq!(
        snippet("a needle", &marks_of(&["needle"])),
        "a <mark>needle</mark>"
    );
    assert_eq!(
        snippet("nothing  here", &marks_of(&["needle"])),
        "nothing here"
    );
}

proptest::proptest! {
    /// A snippet is a piece of the text with its whitespace compacted, at most
    /// SNIPPET_BYTES long, and shows the first matched word when there is one.
    #[test]
    fn snippets_are_pieces_of_the_text(
        words in proptest::collection::vec("[a-zé<&]{1,12}|\\s{1,3}|needle", 0..200)
    ) {
        let text: String = words.concat();
        let compact = text.split_whitespace().collect::<Vec<_>>().join(" ");
        let s = snippet(&text, &marks_of(&["needle"]));
        let plain = unmarked(s.trim_start_matches('…').trim_end_matches('…'));
        proptest::prop_assert!(plain.len() <= SNIPPET_BYTES);
        proptest::prop_assert!(compact.contains(&plain), "{:?} not in {:?}", plain, compact);
        if first_marked(&text, &marks_of(&["needle"])).is_some() {
            proptest::prop_assert!(s.contains("<mark>needle</mark>"), "{}", s);
        }
    }
}
