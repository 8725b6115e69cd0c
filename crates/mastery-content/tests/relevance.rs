//! Search relevance on the built-in guide: for each query a person would type, the
//! question they expect is first (where the query names it) or in the top three. Every
//! miss is listed, with what came first instead.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use mastery_content::search::{Query, SearchIndex};
use mastery_content::{GuideFiles, load_guide};

fn index() -> SearchIndex {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    let files = GuideFiles::from_dir(&dir).unwrap();
    let guide = load_guide(&files).guide.expect("the built-in guide loads");
    SearchIndex::build(&[Arc::new(guide)])
}

/// (query, expected question, must be first).
const CASES: &[(&str, &str, bool)] = &[
    ("GIL", "gil", true),
    ("global interpreter lock", "gil", true),
    ("release the GIL", "gil-release", false),
    ("free threading", "free-threading", true),
    ("reference counting", "refcount-basics", false),
    ("garbage collector", "refcount-gc", false),
    ("decorator", "decorators", false),
    ("generator vs iterator", "generators-vs-iterators", false),
    ("yield from", "generator-send-yield-from", false),
    ("__slots__", "slots", true),
    ("descriptor", "descriptors", true),
    ("context manager", "context-managers", false),
    ("late binding closure", "closures-late-binding", false),
    (
        "mutable default argument",
        "mutable-default-arguments",
        true,
    ),
    ("event loop", "asyncio-event-loop", false),
    ("asyncio.gather", "asyncio-gather", true),
    ("TaskGroup", "asyncio-taskgroup", true),
    ("semaphore", "asyncio-semaphore-limit", false),
    ("N+1", "n-plus-one", true),
    ("select_related", "select-vs-prefetch-related", true),
    ("prefetch_related", "select-vs-prefetch-related", false),
    ("middleware order", "middleware-order", true),
    ("select_for_update", "select-for-update", false),
    ("MRO", "mro-c3", true),
    ("C3 linearisation", "mro-c3", true),
    ("metaclass", "metaclasses", true),
    ("walrus", "walrus-operator", true),
    ("pattern matching", "pattern-matching", true),
    ("list vs tuple", "list-vs-tuple", true),
    ("shallow copy deep copy", "shallow-vs-deep-copy", true),
    ("*args **kwargs", "args-kwargs", true),
    ("CORS", "cors-vs-csrf", true),
    ("password hashing", "password-hashing", true),
    ("sql injection", "sql-injection-orm", true),
    ("rate limiting", "rate-limiting", false),
    ("sharding", "partitioning-vs-sharding", true),
    ("read replica", "read-replicas-routers", true),
    ("cursor pagination", "api-pagination-cursor", true),
    ("decoratr", "decorators", false),
    ("select_relatd", "select-vs-prefetch-related", false),
    ("tracemalloc", "tracemalloc-leaks", true),
    ("clickjacking", "clickjacking-frame-ancestors", true),
    ("MVCC", "postgres-mvcc-vacuum", true),
    ("explain analyze", "reading-explain-analyze", true),
    ("circular import", "circular-imports", true),
    ("t-strings", "template-strings", false),
    ("ParamSpec", "paramspec-decorators", true),
    ("mock patch", "mock-patch-where", false),
    ("websockets channels", "django-channels-websockets", true),
    ("GeneratedField", "generated-field", true),
];

/// Queries still being typed: the last word is a prefix.
const TYPING: &[(&str, &str)] = &[
    ("select_rel", "select-vs-prefetch-related"),
    ("metacl", "metaclasses"),
    ("tracemal", "tracemalloc-leaks"),
    ("asyncio.gat", "asyncio-gather"),
];

#[test]
fn results_follow_the_typing() {
    let index = index();
    for &(query, expected) in TYPING {
        let hits = index.search(&Query {
            text: query.into(),
            ..Query::default()
        });
        let ids: Vec<String> = hits
            .iter()
            .take(3)
            .filter_map(|h| index.entry(h.at).map(|e| e.id.to_string()))
            .collect();
        assert!(ids.iter().any(|id| id == expected), "{query:?}: {ids:?}");
    }
}

#[test]
fn people_find_the_question_they_mean() {
    let index = index();
    assert!(CASES.len() >= 30);
    let mut misses = Vec::new();
    for &(query, expected, first) in CASES {
        // As typed and finished (a trailing space: the last word is whole).
        let hits = index.search(&Query {
            text: format!("{query} "),
            ..Query::default()
        });
        let ids: Vec<String> = hits
            .iter()
            .take(3)
            .filter_map(|h| index.entry(h.at).map(|e| e.id.to_string()))
            .collect();
        let ok = if first {
            ids.first().map(String::as_str) == Some(expected)
        } else {
            ids.iter().any(|id| id == expected)
        };
        if !ok {
            misses.push(format!(
                "{query:?}: expected {expected}{}, got {ids:?}",
                if first { " first" } else { " in the top 3" }
            ));
        }
    }
    assert!(
        misses.is_empty(),
        "{} misses:\n{}",
        misses.len(),
        misses.join("\n")
    );
}
