//! Key-point matching on a table of real answers, the keyword-list guard, word forms and
//! properties.

use mastery_content::{Guide, KeyPoint};
use proptest::prelude::*;

use super::fixture::*;
use crate::interview::matching::{
    Grading, GroupResult, Hit, Mark, Matcher, PointResult, PointStatus, grade, sentences, terms,
    tokenize,
};

fn key_points<'g>(guide: &'g Guide, id: &str) -> &'g [KeyPoint] {
    &guide.entry(id).unwrap().key_points
}

fn covered(grading: &Grading) -> Vec<usize> {
    (0..grading.points.len())
        .filter(|&i| grading.points[i].covered())
        .collect()
}

#[test]
fn word_forms_share_a_term() {
    for forms in [
        &["release", "releases", "released", "releasing"][..],
        &["query", "queries"],
        &["lock", "locks", "locking", "locked"],
        &["cancel", "cancels", "cancelled", "cancelling"],
        &["thread", "threads", "threaded", "threading"],
        &["escape", "escapes", "escaped", "escaping"],
    ] {
        let want = terms(forms[0]);
        for form in forms {
            assert_eq!(terms(form), want, "{form} vs {}", forms[0]);
        }
    }
}

#[test]
fn case_punctuation_and_names() {
    let cases: [(&str, &[&str]); 8] = [
        ("SELECT_RELATED", &["select_related"]),
        ("asyncio.gather()", &["asyncio", "gather"]),
        ("I/O-bound", &["i", "o", "bound"]),
        ("one-to-one", &["one", "to", "one"]),
        ("sys._is_gil_enabled()", &["sys", "_is_gil_enabled"]),
        ("X-CSRFToken", &["x", "csrftoken"]),
        ("3.14t, __init__!", &["3", "14t", "__init__"]),
        ("Ärger café", &["ärger", "café"]),
    ];
    for (text, want) in cases {
        assert_eq!(terms(text), want.to_vec(), "{text:?}");
    }
    // Spans point into the original text, whatever lower-casing does to lengths.
    let text = "İstanbul Released";
    let tokens = tokenize(text);
    assert_eq!(&text[tokens[0].start..tokens[0].end], "İstanbul");
    assert_eq!(&text[tokens[1].start..tokens[1].end], "Released");
    assert_eq!(tokens[1].term, terms("release")[0]);
}

#[test]
fn sentences_split_on_punctuation_blank_lines_and_list_items() {
    let text = "Use asyncio.gather in 3.14. It works\nin the same sentence\n\nNew one: yes\n- item\n2. other. Last";
    let parts: Vec<&str> = sentences(text)
        .into_iter()
        .map(|(s, e)| text[s..e].trim())
        .collect();
    assert_eq!(
        parts,
        [
            "Use asyncio.gather in 3.14.",
            "It works\nin the same sentence",
            "New one:",
            "yes",
            "- item",
            "2. other.",
            "Last"
        ]
    );
}

/// (question, answer, key points expected covered, list-like expected).
#[test]
fn real_answers_table() {
    let guide = guide();
    let cases: [(&str, &str, &[usize], bool); 13] = [
        ("gil", GIL_COMPLETE, &[0, 1, 2, 3, 4, 5], false),
        ("gil", GIL_PARTIAL, &[0, 1], false),
        ("gil", GIL_WRONG, &[], false),
        ("gil", OFF_TOPIC, &[], false),
        ("gil", GIL_STUFFED, &[], true),
        ("gil", GIL_BULLETS, &[], true),
        ("gil-release", GIL_RELEASE_COMPLETE, &[0, 1, 2, 3, 4], false),
        (
            "free-threading",
            FREE_THREADING_COMPLETE,
            &[0, 1, 2, 3, 4, 5],
            false,
        ),
        (
            "select-vs-prefetch-related",
            SELECT_COMPLETE,
            &[0, 1, 2, 3, 4, 5],
            false,
        ),
        ("select-vs-prefetch-related", SELECT_PARTIAL, &[0, 1], false),
        ("select-vs-prefetch-related", SELECT_WRONG, &[], false),
        (
            "csrf-xss-spa",
            CSRF_COMPLETE,
            &[0, 1, 2, 3, 4, 5, 6, 7],
            false,
        ),
        ("csrf-xss-spa", CSRF_PARTIAL, &[1], false),
    ];
    for (question, answer, want, list_like) in cases {
        let g = grade(key_points(&guide, question), answer);
        assert_eq!(
            covered(&g),
            want.to_vec(),
            "{question}: {answer:?}\n{:#?}",
            g.points.iter().map(|p| p.status).collect::<Vec<_>>()
        );
        assert_eq!(g.list_like, list_like, "{question}: {answer:?}");
    }
    let g = grade(key_points(&guide, "asyncio-gather"), GATHER_COMPLETE);
    assert_eq!(covered(&g), [0, 1, 2, 3, 4, 5]);
    let g = grade(key_points(&guide, "asyncio-gather"), OFF_TOPIC);
    assert!(g.points.iter().all(|p| p.status == PointStatus::Missing));
}

#[test]
fn stuffed_answers_find_every_point_but_tick_none() {
    let guide = guide();
    let points = key_points(&guide, "gil");
    for answer in [GIL_STUFFED, GIL_BULLETS] {
        let g = grade(points, answer);
        assert!(g.list_like);
        assert_eq!(g.covered(), 0, "{answer:?}");
        // Every point was found: the page can say why none is ticked.
        assert!(
            g.points
                .iter()
                .all(|p| matches!(p.status, PointStatus::ListedOnly | PointStatus::TooShort)),
            "{:?}",
            g.points.iter().map(|p| p.status).collect::<Vec<_>>()
        );
        assert!(g.sentences.iter().any(|s| !s.counted));
    }
    // The stuffed list appended to a real answer does not take away what the prose earned.
    let both = format!("{GIL_PARTIAL}\n\n{GIL_STUFFED}");
    let g = grade(points, &both);
    assert_eq!(covered(&g), [0, 1]);
    assert!(g.list_like);
}

#[test]
fn short_answers_earn_one_point_per_six_words() {
    let guide = guide();
    // 9 words, 5 of them key words: a sentence, but too short for three points.
    let g = grade(
        key_points(&guide, "gil"),
        "It is one thread, bytecode, refcount and a race.",
    );
    assert_eq!(g.counted_words, 9);
    assert_eq!(covered(&g), [0]);
    assert!(g.too_short);
    assert!(!g.list_like);
    assert_eq!(g.points[1].status, PointStatus::TooShort);
    assert_eq!(g.points[3].status, PointStatus::TooShort);
}

#[test]
fn hits_show_where_and_which_synonym() {
    let guide = guide();
    let answer = "Blocking calls like socket reads RELEASED the GIL, so threads overlap their waiting time nicely.";
    let g = grade(key_points(&guide, "gil-release"), answer);
    let point = &g.points[0];
    assert!(point.covered());
    let words: Vec<(&str, &str)> = point
        .groups
        .iter()
        .flat_map(|grp| &grp.hits)
        .map(|h| (h.word.as_str(), &answer[h.start..h.end]))
        .collect();
    assert_eq!(
        words,
        [
            ("blocking", "Blocking"),
            ("socket", "socket"),
            ("release", "RELEASED"),
            ("released", "RELEASED"),
        ]
    );
    assert!(point.groups.iter().flat_map(|g| &g.hits).all(|h| h.counted));
    // "release" is synonym 0 of group 1.
    assert_eq!(point.groups[1].hits[0].synonym, 0);
}

#[test]
fn marks_merge_overlapping_hits_in_answer_order() {
    let hit = |start, end, counted| Hit {
        synonym: 0,
        word: String::new(),
        start,
        end,
        counted,
    };
    let point = |hits| PointResult {
        status: PointStatus::Partial,
        groups: vec![GroupResult { hits }],
    };
    let g = Grading {
        points: vec![
            point(vec![hit(20, 25, false), hit(0, 4, true)]),
            point(vec![
                hit(2, 8, false),
                hit(10, 12, false),
                hit(12, 14, true),
            ]),
        ],
        sentences: vec![],
        words: 0,
        counted_words: 0,
        list_like: false,
        too_short: false,
    };
    let mark = |start, end, counted| Mark {
        start,
        end,
        counted,
    };
    assert_eq!(
        g.marks(),
        [
            mark(0, 8, true),    // overlapping: merged, counted as one part counted
            mark(10, 12, false), // touching is not overlapping
            mark(12, 14, true),
            mark(20, 25, false),
        ]
    );

    // A real answer: "RELEASED" matched two synonyms, one mark.
    let guide = guide();
    let answer = "Blocking calls like socket reads RELEASED the GIL, so threads overlap their waiting time nicely.";
    let marks = grade(key_points(&guide, "gil-release"), answer).marks();
    let words: Vec<&str> = marks.iter().map(|m| &answer[m.start..m.end]).collect();
    assert_eq!(words, ["Blocking", "socket", "RELEASED"]);
    assert!(marks.iter().all(|m| m.counted));
}

#[test]
fn symbol_synonyms_match_as_written() {
    let points = vec![KeyPoint {
        text: "`+=` mutates in place.".into(),
        html: String::new(),
        groups: vec![vec!["+=".into()], vec!["in place".into()]],
    }];
    let g = grade(
        &points,
        "For a list, x += [1] extends it in place, unlike a tuple.",
    );
    assert!(g.points[0].covered());
    let hit = &g.points[0].groups[0].hits[0];
    assert_eq!((hit.start, hit.end), (14, 16));
}

#[test]
fn empty_and_degenerate_inputs() {
    let guide = guide();
    let m = Matcher::new(key_points(&guide, "gil"));
    for answer in ["", " ", "\n\n", ".", "- \n- ", "。", "\u{0301}"] {
        let g = m.grade(answer);
        assert_eq!(g.covered(), 0);
        assert_eq!(g.score(), Some(0.0));
    }
    let none = grade(&[], "anything at all here");
    assert_eq!(none.score(), None);
    assert!(none.points.is_empty());
}

fn answer_strategy() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("one thread".to_owned()),
        Just("bytecode".to_owned()),
        Just("I/O".to_owned()),
        Just("+=".to_owned()),
        Just(". ".to_owned()),
        Just(", ".to_owned()),
        Just("\n- ".to_owned()),
        Just("\n\n".to_owned()),
        Just("released ".to_owned()),
        any::<String>(),
        "\\PC{0,12}",
    ];
    prop::collection::vec(piece, 0..40).prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn matching_never_panics_and_spans_are_valid(answer in answer_strategy()) {
        let guide = guide();
        let mut points = key_points(&guide, "gil").to_vec();
        points.push(KeyPoint {
            text: "symbols".into(),
            html: String::new(),
            groups: vec![vec!["+=".into(), "é".into()], vec!["I/O".into()]],
        });
        let g = grade(&points, &answer);
        for p in &g.points {
            for h in p.groups.iter().flat_map(|g| &g.hits) {
                prop_assert!(h.start < h.end && h.end <= answer.len());
                prop_assert!(answer.is_char_boundary(h.start) && answer.is_char_boundary(h.end));
            }
        }
        let mut at = 0;
        for s in &g.sentences {
            prop_assert_eq!(s.start, at);
            prop_assert!(answer.is_char_boundary(s.end));
            prop_assert!(s.key_words <= s.words);
            at = s.end;
        }
        prop_assert_eq!(at, answer.len());
        prop_assert!(g.covered() <= g.counted_words / crate::interview::matching::WORDS_PER_POINT);
        let score = g.score().unwrap();
        prop_assert!((0.0..=1.0).contains(&score));
    }

    #[test]
    fn tokens_are_char_boundaries(text in any::<String>()) {
        for t in tokenize(&text) {
            prop_assert!(t.start < t.end);
            prop_assert!(text.is_char_boundary(t.start) && text.is_char_boundary(t.end));
        }
    }
}
