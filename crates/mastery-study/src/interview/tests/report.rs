//! The report: numbers, ratings, Markdown, trend.

use super::fixture::*;
use crate::interview::lineup::{Lineup, Request};
use crate::interview::report::{
    Report, key_points, labels, report, suggest_rating, to_markdown, trend,
};
use crate::interview::session::{Answer, GRACE_MS, Interview, Step};
use crate::scheduler::{DAY_MS, MINUTE_MS, Millis, Rating};

const T0: Millis = 1_750_000_000_000;
const BUDGET: Millis = 5 * MINUTE_MS;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-9
}

/// `gil` (complete, 3 min) → follow-up `gil-release` (aloud, 2 of 5 ticked, 2 min) →
/// `select-vs-prefetch-related` (partial, 1 min) → `csrf-xss-spa` (timed out).
fn interview() -> (Interview, Report) {
    let guide = guide();
    let lineup = Lineup {
        source: Request::Preset { id: "t".into() },
        title: "Test interview".into(),
        levels: vec![],
        sections: vec![],
        seed: 1,
        questions: vec![
            "gil".into(),
            "select-vs-prefetch-related".into(),
            "csrf-xss-spa".into(),
        ],
        per_question_ms: BUDGET,
    };
    let mut iv = Interview::start(&guide, lineup, T0).unwrap();
    let typed = |t: &str| Answer::Typed { text: t.into() };
    iv.submit(&guide, typed(GIL_COMPLETE), T0 + 3 * MINUTE_MS)
        .unwrap();
    iv.next(&guide, T0 + 3 * MINUTE_MS).unwrap();
    iv.submit(&guide, Answer::Aloud, T0 + 5 * MINUTE_MS)
        .unwrap();
    iv.correct(1, 0, true).unwrap();
    iv.correct(1, 4, true).unwrap();
    iv.next(&guide, T0 + 5 * MINUTE_MS).unwrap();
    iv.submit(&guide, typed(SELECT_PARTIAL), T0 + 6 * MINUTE_MS)
        .unwrap();
    iv.correct(2, 0, false).unwrap();
    iv.correct(2, 0, true).unwrap();
    iv.next(&guide, T0 + 6 * MINUTE_MS).unwrap();
    let end = T0 + 6 * MINUTE_MS + BUDGET + GRACE_MS + 1;
    assert_eq!(iv.next(&guide, end).unwrap(), Step::Finished);
    let r = report(&iv, &guide);
    (iv, r)
}

#[test]
fn report_numbers() {
    let (_, r) = interview();
    let scores: Vec<f64> = r.questions.iter().map(|q| q.score.unwrap()).collect();
    let want = [1.0, 0.4, 2.0 / 6.0, 0.0];
    assert!(
        scores.iter().zip(want).all(|(a, b)| close(*a, b)),
        "{scores:?}"
    );
    let ids: Vec<&str> = r.questions.iter().map(|q| q.question.as_str()).collect();
    assert_eq!(
        ids,
        [
            "gil",
            "gil-release",
            "select-vs-prefetch-related",
            "csrf-xss-spa"
        ]
    );
    assert_eq!(r.questions[1].depth, 1);
    assert_eq!(r.questions[1].parent, Some(0));
    assert_eq!(r.questions[0].section.as_deref(), Some("core-python"));
    assert_eq!(r.questions[0].level, Some(mastery_content::Level::Senior));

    let sections: Vec<(&str, usize, f64)> = r
        .sections
        .iter()
        .map(|s| (s.section.as_str(), s.questions, s.score.unwrap()))
        .collect();
    assert_eq!(sections.len(), 3);
    assert_eq!((sections[0].0, sections[0].1), ("core-python", 2));
    assert!(close(sections[0].2, 0.7));
    assert_eq!(sections[1].0, "django");
    assert!(close(sections[1].2, 2.0 / 6.0));
    assert_eq!(sections[2].0, "security-scaling");
    assert!(close(sections[2].2, 0.0));
    assert!(close(r.score.unwrap(), (1.0 + 0.4 + 2.0 / 6.0) / 4.0));

    let used: Vec<Millis> = r.questions.iter().map(|q| q.used_ms.unwrap()).collect();
    assert_eq!(used, [3 * MINUTE_MS, 2 * MINUTE_MS, MINUTE_MS, BUDGET]);
    assert_eq!(r.used_ms, 11 * MINUTE_MS);
    assert_eq!(r.planned_ms, 15 * MINUTE_MS);
    assert!(r.questions.iter().all(|q| q.budget_ms == BUDGET));

    let ladders: Vec<(&str, u32, u32)> = r
        .ladders
        .iter()
        .map(|l| (l.question.as_str(), l.depth, l.max_depth))
        .collect();
    assert_eq!(
        ladders,
        [
            ("gil", 1, 2),
            ("select-vs-prefetch-related", 0, 1),
            ("csrf-xss-spa", 0, 0),
        ]
    );
    assert_eq!(r.timed_out, [3]);
    assert!(r.questions[3].timed_out);
    assert!(r.missing.is_empty());

    let missed_per_item: Vec<usize> = (0..4)
        .map(|i| r.missed.iter().filter(|m| m.item == i).count())
        .collect();
    assert_eq!(missed_per_item, [0, 3, 4, 8]);
    let first = &r.missed[0];
    assert_eq!(
        (first.question.as_str(), first.key_point),
        ("gil-release", 1)
    );
    assert!(first.text.starts_with("C extensions"));

    let ratings: Vec<(usize, Rating, u32)> = r
        .ratings
        .iter()
        .map(|s| (s.item, s.rating, s.depth))
        .collect();
    assert_eq!(
        ratings,
        [
            (0, Rating::Easy, 0),
            (1, Rating::Hard, 1),
            (2, Rating::Again, 0),
            (3, Rating::Again, 0),
        ]
    );
    // Corrections show next to the automatic ticks.
    let p = &r.questions[1].points[0];
    assert!(!p.auto && p.ticked && p.corrected == Some(true));
    let p = &r.questions[2].points[0];
    assert!(
        p.auto && p.ticked && p.corrected.is_none(),
        "set back to auto"
    );
    // The report serialises for the API.
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(json["questions"][0]["level"], "senior");
    assert_eq!(json["ratings"][1]["rating"], 2);
}

#[test]
fn labels_number_main_questions_and_their_follow_ups() {
    let (iv, r) = interview();
    assert_eq!(labels(&iv.items), ["1", "1.1", "2", "3"]);
    assert_eq!(r.labels(), labels(&iv.items));
    assert!(labels(&[]).is_empty());
}

#[test]
fn key_points_carry_the_ticks_and_corrections() {
    let (iv, r) = interview();
    let guide = guide();
    let aloud = &iv.items[1];
    let points = key_points(aloud, guide.entry(&aloud.question));
    assert_eq!(points, r.questions[1].points);
    let ticked: Vec<bool> = points.iter().map(|p| p.ticked).collect();
    assert_eq!(ticked, [true, false, false, false, true]);
    assert_eq!(points[0].corrected, Some(true));
    assert!(
        !points[0].auto,
        "answered aloud: nothing ticked automatically"
    );
    // A question the guide no longer has keeps its ticks, with a placeholder statement.
    let gone = key_points(aloud, None);
    assert_eq!(gone.len(), 5);
    assert!(gone.iter().all(|p| p.text == "(no longer in the guide)"));
    assert!(gone[4].ticked);
}

#[test]
fn unanswered_questions_score_zero_without_rating() {
    let guide = guide();
    let lineup = crate::interview::lineup::preset("senior-python-internals")
        .unwrap()
        .lineup(&guide, 3)
        .unwrap();
    let mut iv = Interview::start(&guide, lineup, T0).unwrap();
    iv.finish(T0 + MINUTE_MS).unwrap();
    let r = report(&iv, &guide);
    assert_eq!(r.questions[0].score, Some(0.0));
    assert_eq!(r.score, Some(0.0));
    assert!(r.ratings.is_empty());
    assert_eq!(r.used_ms, MINUTE_MS);
    assert_eq!(r.questions[0].used_ms, None);
    assert!(to_markdown(&r, "2026-11-23").contains("not answered"));
}

#[test]
fn markdown_export() {
    let (_, r) = interview();
    let md = to_markdown(&r, "2026-11-23");
    for want in [
        "# Mock interview: Test interview\n",
        "G · 2026-11-23 · score 43% · 11:00 used of 15:00 planned",
        "| # | Question | Depth | Score | Time |",
        "| 1 | What is the Global Interpreter Lock, and what do PEP 703 and PEP 779 change? | main | 100% | 3:00 |",
        "| 1.1 | When does CPython release the GIL, and why do I/O-bound threads still scale? | follow-up 1 | 40% | 2:00 |",
        "| 3 | How do you protect a Django + React single-page app against CSRF and XSS? | main | 0% | 5:00 (timed out) |",
        "| Core-python | 2 | 70% |",
        "## 1. What is the Global Interpreter Lock",
        "`gil` · senior · 3:00 of 5:00 · score 100%",
        "> The GIL is a mutex inside CPython",
        "- [x] The GIL lets only one thread at a time execute Python bytecode in an interpreter.\n",
        "## 1.1. When does CPython",
        "*Answered aloud.*",
        "- [x] Blocking I/O system calls release the GIL, so other threads run while one waits. *(corrected)*",
        "- [ ] C extensions can release the GIL",
        "Follow-up ladder: depth 1 of 2.",
        "Follow-up ladder: depth 0 of 1.",
        "· timed out",
        "*No answer.*",
        "## Missed key points",
        "- 2. Compare `select_related` and `prefetch_related`. When does each one help, and how can prefetching still go wrong? (`select-vs-prefetch-related`)\n  - ",
        "`javascript:` URLs and `|safe`/`mark_safe` are the holes.",
    ] {
        assert!(md.contains(want), "missing {want:?} in\n{md}");
    }
    // The table survives a `|` in a title.
    assert!(!md.contains("\n\n|\n"));
}

#[test]
fn rating_thresholds() {
    let cases = [
        (0.0, false, Rating::Again),
        (0.39, false, Rating::Again),
        (0.4, false, Rating::Hard),
        (0.69, false, Rating::Hard),
        (0.7, false, Rating::Good),
        (0.89, false, Rating::Good),
        (0.9, false, Rating::Easy),
        (1.0, false, Rating::Easy),
        (1.0, true, Rating::Again),
        (f64::NAN, false, Rating::Again),
    ];
    for (score, timed_out, want) in cases {
        assert_eq!(
            suggest_rating(score, timed_out),
            want,
            "{score} {timed_out}"
        );
    }
}

#[test]
fn trend_of_past_interviews() {
    let t = trend(&[
        (T0 + 2 * DAY_MS, 0.5),
        (T0, 0.2),
        (T0 + DAY_MS, f64::NAN),
        (T0 + 7 * DAY_MS, 1.5),
    ]);
    let points: Vec<(Millis, f64)> = t.points.iter().map(|p| (p.at, p.score)).collect();
    assert_eq!(
        points,
        [(T0, 0.2), (T0 + 2 * DAY_MS, 0.5), (T0 + 7 * DAY_MS, 1.0)]
    );
    let averages: Vec<f64> = t.points.iter().map(|p| p.average).collect();
    assert!(close(averages[0], 0.2) && close(averages[1], 0.35) && close(averages[2], 1.7 / 3.0));
    assert_eq!(t.best, Some(1.0));
    assert_eq!(t.latest, Some(1.0));
    assert!(close(t.change.unwrap(), 0.5));
    assert!(
        (t.per_week.unwrap() - 0.7808).abs() < 1e-3,
        "{:?}",
        t.per_week
    );
    let empty = trend(&[]);
    assert!(empty.points.is_empty() && empty.best.is_none() && empty.per_week.is_none());
    let same_time = trend(&[(T0, 0.1), (T0, 0.9)]);
    assert_eq!(same_time.per_week, None);
    let extreme = trend(&[(Millis::MIN, 0.1), (Millis::MAX, 0.9)]);
    assert!(extreme.per_week.is_some());
}
