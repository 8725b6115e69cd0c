//! The interview state machine: ladder, time-outs, corrections, errors, storage.

use mastery_content::Guide;

use super::fixture::*;
use crate::interview::lineup::{Lineup, Request};
use crate::interview::session::{
    Answer, GRACE_MS, Interview, LADDER_THRESHOLD, MAX_ANSWER_CHARS, MAX_DEPTH, SessionError, Step,
    VERSION,
};
use crate::scheduler::{MINUTE_MS, Millis, SECOND_MS};
use crate::test_guide;

const T0: Millis = 1_750_000_000_000;
const BUDGET: Millis = 5 * MINUTE_MS;

fn plan_of(questions: &[&str]) -> Lineup {
    Lineup {
        source: Request::Preset { id: "test".into() },
        title: "Test interview".into(),
        levels: vec![],
        sections: vec![],
        seed: 7,
        questions: questions.iter().map(|q| (*q).to_owned()).collect(),
        per_question_ms: BUDGET,
    }
}

fn typed(text: &str) -> Answer {
    Answer::Typed { text: text.into() }
}

fn asked(interview: &Interview) -> Vec<(String, u32, Option<usize>)> {
    interview
        .items
        .iter()
        .map(|i| (i.question.clone(), i.depth, i.parent))
        .collect()
}

fn start(guide: &Guide, questions: &[&str]) -> Interview {
    Interview::start(guide, plan_of(questions), T0).unwrap()
}

#[test]
fn strong_answers_climb_the_ladder() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    assert_eq!(iv.current().unwrap().question, "gil");
    assert_eq!(iv.current().unwrap().deadline, T0 + BUDGET);
    let mut now = T0;
    for (answer, next) in [
        (
            GIL_COMPLETE,
            Step::Asked {
                item: 1,
                follow_up: true,
            },
        ),
        (
            GIL_RELEASE_COMPLETE,
            Step::Asked {
                item: 2,
                follow_up: true,
            },
        ),
        // `free-threading` has no follow-up: back to the plan.
        (
            FREE_THREADING_COMPLETE,
            Step::Asked {
                item: 3,
                follow_up: false,
            },
        ),
        (
            SELECT_COMPLETE,
            Step::Asked {
                item: 4,
                follow_up: true,
            },
        ),
    ] {
        now += 2 * MINUTE_MS;
        let sub = iv.submit(&guide, typed(answer), now).unwrap();
        assert!(!sub.timed_out);
        assert_eq!(sub.grading.as_ref().unwrap().score(), Some(1.0));
        assert_eq!(iv.items[sub.item].score(), Some(1.0));
        now += 10 * SECOND_MS;
        assert_eq!(iv.next(&guide, now).unwrap(), next);
    }
    // A weak answer on the last follow-up, and no main question left: finished.
    now += MINUTE_MS;
    iv.submit(&guide, typed(OFF_TOPIC), now).unwrap();
    assert_eq!(iv.items[4].score(), Some(0.0));
    assert_eq!(iv.next(&guide, now).unwrap(), Step::Finished);
    assert_eq!(
        asked(&iv),
        [
            ("gil".into(), 0, None),
            ("gil-release".into(), 1, Some(0)),
            ("free-threading".into(), 2, Some(1)),
            ("select-vs-prefetch-related".into(), 0, None),
            ("only-defer-values".into(), 1, Some(3)),
        ]
    );
    assert!(iv.is_finished());
    assert_eq!(iv.finished_at, Some(now));
    assert_eq!(iv.current(), None);
}

#[test]
fn a_weak_answer_stops_the_ladder() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    iv.submit(&guide, typed(GIL_PARTIAL), T0 + MINUTE_MS)
        .unwrap();
    assert_eq!(iv.items[0].score(), Some(2.0 / 6.0));
    assert!(!iv.items[0].covers_basics());
    assert_eq!(
        iv.next(&guide, T0 + 2 * MINUTE_MS).unwrap(),
        Step::Asked {
            item: 1,
            follow_up: false
        }
    );
    assert_eq!(iv.items[1].question, "select-vs-prefetch-related");
    // Strong on the follow-up, then weak: the ladder goes one level and stops.
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    iv.submit(&guide, typed(GIL_COMPLETE), T0 + MINUTE_MS)
        .unwrap();
    iv.next(&guide, T0 + MINUTE_MS).unwrap();
    iv.submit(&guide, typed(OFF_TOPIC), T0 + 2 * MINUTE_MS)
        .unwrap();
    iv.next(&guide, T0 + 2 * MINUTE_MS).unwrap();
    assert_eq!(
        asked(&iv),
        [
            ("gil".into(), 0, None),
            ("gil-release".into(), 1, Some(0)),
            ("select-vs-prefetch-related".into(), 0, None),
        ]
    );
}

#[test]
fn corrections_are_kept_apart_and_drive_the_score_and_ladder() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    iv.submit(&guide, typed(GIL_PARTIAL), T0 + MINUTE_MS)
        .unwrap();
    let auto = iv.items[0].auto.clone();
    assert_eq!(auto, [true, true, false, false, false, false]);
    // The learner says they covered points 3 and 4 and not point 2.
    iv.correct(0, 2, true).unwrap();
    iv.correct(0, 3, true).unwrap();
    iv.correct(0, 1, false).unwrap();
    assert_eq!(iv.items[0].auto, auto, "automatic ticks unchanged");
    assert_eq!(
        iv.items[0].corrections,
        [None, Some(false), Some(true), Some(true), None, None]
    );
    assert_eq!(iv.items[0].ticks(), [true, false, true, true, false, false]);
    assert_eq!(iv.items[0].score(), Some(0.5));
    // Back to the automatic value: no correction stored.
    iv.correct(0, 1, true).unwrap();
    assert_eq!(iv.items[0].corrections[1], None);
    assert!(iv.items[0].score().unwrap() >= LADDER_THRESHOLD);
    assert_eq!(
        iv.next(&guide, T0 + 2 * MINUTE_MS).unwrap(),
        Step::Asked {
            item: 1,
            follow_up: true
        }
    );
}

#[test]
fn aloud_answers_start_unticked() {
    let guide = guide();
    let mut iv = start(&guide, &["gil"]);
    let sub = iv.submit(&guide, Answer::Aloud, T0 + MINUTE_MS).unwrap();
    assert!(sub.grading.is_none());
    assert_eq!(iv.items[0].auto, [false; 6]);
    assert_eq!(iv.items[0].score(), Some(0.0));
    for k in 0..4 {
        iv.correct(0, k, true).unwrap();
    }
    assert_eq!(iv.items[0].score(), Some(4.0 / 6.0));
    assert!(iv.items[0].covers_basics());
}

#[test]
fn keyword_lists_do_not_open_follow_ups_even_when_corrected() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    let sub = iv
        .submit(&guide, typed(GIL_STUFFED), T0 + MINUTE_MS)
        .unwrap();
    assert!(sub.grading.unwrap().list_like);
    assert!(iv.items[0].list_like);
    for k in 0..6 {
        iv.correct(0, k, true).unwrap();
    }
    assert_eq!(iv.items[0].score(), Some(1.0));
    assert_eq!(
        iv.next(&guide, T0 + 2 * MINUTE_MS).unwrap(),
        Step::Asked {
            item: 1,
            follow_up: false
        }
    );
}

#[test]
fn a_question_left_unanswered_times_out() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    // Within the grace period nothing happens.
    assert!(!iv.expire(T0 + BUDGET + GRACE_MS));
    assert!(iv.expire(T0 + BUDGET + GRACE_MS + 1));
    assert!(!iv.expire(T0 + BUDGET + GRACE_MS + 2), "only once");
    let item = &iv.items[0];
    assert!(item.timed_out);
    assert_eq!(item.answer, Some(typed("")));
    assert_eq!(item.submitted_at, Some(T0 + BUDGET));
    assert_eq!(item.used_ms(), Some(BUDGET));
    assert_eq!(item.score(), Some(0.0));
    assert_eq!(
        iv.submit(&guide, typed("late"), T0 + BUDGET + MINUTE_MS),
        Err(SessionError::AlreadyAnswered)
    );
    assert_eq!(
        iv.next(&guide, T0 + BUDGET + MINUTE_MS).unwrap(),
        Step::Asked {
            item: 1,
            follow_up: false
        }
    );
    // `next` expires a question whose time is up by itself.
    let asked_at = T0 + BUDGET + MINUTE_MS;
    assert_eq!(iv.items[1].deadline, asked_at + BUDGET);
    assert_eq!(
        iv.next(&guide, asked_at + BUDGET - 1),
        Err(SessionError::NotAnswered)
    );
    assert_eq!(
        iv.next(&guide, asked_at + 2 * BUDGET).unwrap(),
        Step::Finished
    );
    assert!(iv.items[1].timed_out);
}

#[test]
fn a_late_answer_is_graded_but_timed_out() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    let on_time = iv.submit(&guide, typed(GIL_COMPLETE), T0 + BUDGET + GRACE_MS);
    assert!(!on_time.unwrap().timed_out);
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    let sub = iv
        .submit(&guide, typed(GIL_COMPLETE), T0 + BUDGET + GRACE_MS + 1)
        .unwrap();
    assert!(sub.timed_out);
    assert_eq!(iv.items[0].score(), Some(1.0));
    // A strong but late answer does not open the ladder.
    assert_eq!(
        iv.next(&guide, T0 + 2 * BUDGET).unwrap(),
        Step::Asked {
            item: 1,
            follow_up: false
        }
    );
}

#[test]
fn follow_ups_already_asked_are_skipped() {
    let guide = guide();
    // `gil-release` is planned before its parent's ladder reaches it.
    let mut iv = start(&guide, &["gil-release", "gil"]);
    iv.submit(&guide, typed(OFF_TOPIC), T0).unwrap();
    iv.next(&guide, T0).unwrap();
    assert_eq!(iv.items[1].question, "gil");
    iv.submit(&guide, typed(GIL_COMPLETE), T0).unwrap();
    iv.next(&guide, T0).unwrap();
    assert_eq!(
        (iv.items[2].question.as_str(), iv.items[2].depth),
        ("free-threading", 1)
    );
}

#[test]
fn the_ladder_stops_at_max_depth() {
    // A chain a -> b -> c -> d -> e of junior questions; every answer is aloud and ticked.
    let q = |id: &str, next: Option<&str>| {
        let mut text = test_guide::question(id);
        if let Some(n) = next {
            text = text.replace(
                "level: junior\n",
                &format!("level: junior\nfollow-ups: {n}\n"),
            );
        }
        text
    };
    let guide = test_guide::guide(&[(
        "one",
        q("a", Some("b"))
            + &q("b", Some("c"))
            + &q("c", Some("d"))
            + &q("d", Some("e"))
            + &q("e", None),
    )]);
    let mut iv = start(&guide, &["a"]);
    let mut now = T0;
    loop {
        iv.submit(&guide, Answer::Aloud, now).unwrap();
        let i = iv.current_index().unwrap();
        iv.correct(i, 0, true).unwrap();
        now += SECOND_MS;
        if iv.next(&guide, now).unwrap() == Step::Finished {
            break;
        }
    }
    let depths: Vec<u32> = iv.items.iter().map(|i| i.depth).collect();
    assert_eq!(depths, [0, 1, 2, 3]);
    assert_eq!(MAX_DEPTH, 3);
}

#[test]
fn errors_are_typed() {
    let guide = guide();
    let mut iv = start(&guide, &["gil"]);
    assert_eq!(iv.next(&guide, T0), Err(SessionError::NotAnswered));
    assert_eq!(
        iv.correct(0, 0, true),
        Err(SessionError::ItemNotAnswered(0))
    );
    assert_eq!(iv.correct(5, 0, true), Err(SessionError::UnknownItem(5)));
    let long = "word ".repeat(MAX_ANSWER_CHARS / 5 + 1);
    assert_eq!(
        iv.submit(&guide, typed(&long), T0),
        Err(SessionError::AnswerTooLong {
            len: long.len(),
            max: MAX_ANSWER_CHARS
        })
    );
    // Characters are counted, not bytes: a full answer in Cyrillic is accepted.
    let mut other = start(&guide, &["gil"]);
    let cyrillic = "ж".repeat(MAX_ANSWER_CHARS);
    assert!(other.submit(&guide, typed(&cyrillic), T0).is_ok());
    assert!(iv.current().unwrap().answer.is_none(), "still open");
    iv.submit(&guide, typed(GIL_PARTIAL), T0).unwrap();
    assert_eq!(
        iv.submit(&guide, typed(GIL_PARTIAL), T0),
        Err(SessionError::AlreadyAnswered)
    );
    assert_eq!(
        iv.correct(0, 6, true),
        Err(SessionError::UnknownKeyPoint {
            item: 0,
            key_point: 6
        })
    );
    let other = test_guide::guide(&[("one", test_guide::question("gil"))]);
    // test_guide's id is "g", the fixture's too: make a guide with another id.
    let mut other = other;
    other.id = mastery_content::Id::parse("other").unwrap();
    assert!(matches!(
        iv.next(&other, T0),
        Err(SessionError::WrongGuide { .. })
    ));
    iv.finish(T0 + MINUTE_MS).unwrap();
    assert_eq!(iv.finish(T0 + MINUTE_MS), Err(SessionError::Finished));
    assert_eq!(
        iv.submit(&guide, Answer::Aloud, T0),
        Err(SessionError::Finished)
    );
    assert_eq!(iv.next(&guide, T0), Err(SessionError::Finished));
    assert!(!iv.expire(T0 + 10 * BUDGET));
    // Corrections stay allowed after the end.
    iv.correct(0, 5, true).unwrap();
    assert_eq!(
        Interview::start(&guide, plan_of(&["gone", "also-gone"]), T0),
        Err(SessionError::NoQuestion)
    );
    for e in [SessionError::Finished, SessionError::UnsupportedVersion(9)] {
        assert!(!e.to_string().is_empty());
    }
}

#[test]
fn finishing_early_leaves_the_current_question_unanswered() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    iv.finish(T0 + MINUTE_MS).unwrap();
    assert!(iv.items[0].answer.is_none());
    assert!(!iv.items[0].timed_out);
    assert_eq!(iv.items[0].score(), None);
    // After the deadline, finishing records the time-out.
    let mut iv = start(&guide, &["gil"]);
    iv.finish(T0 + 2 * BUDGET).unwrap();
    assert!(iv.items[0].timed_out);
}

#[test]
fn stale_interviews_do_not_panic() {
    let guide = guide();
    let mut iv = start(&guide, &["gone", "gil", "select-vs-prefetch-related"]);
    assert_eq!(iv.items[0].question, "gil", "missing questions are skipped");
    assert_eq!(iv.missing(&guide), ["gone"]);
    // The guide loses `gil` and `select-vs-prefetch-related` while the interview runs.
    let smaller = test_guide::guide(&[("one", test_guide::question("a"))]);
    let sub = iv.submit(&smaller, typed(GIL_COMPLETE), T0).unwrap();
    assert!(sub.missing);
    assert!(sub.grading.is_none());
    assert_eq!(iv.items[0].score(), None);
    assert_eq!(
        iv.correct(0, 0, true),
        Err(SessionError::UnknownKeyPoint {
            item: 0,
            key_point: 0
        })
    );
    assert_eq!(iv.next(&smaller, T0).unwrap(), Step::Finished);
    assert_eq!(
        iv.missing(&smaller),
        ["gil", "gone", "select-vs-prefetch-related"]
    );
    let report = crate::interview::report(&iv, &smaller);
    assert_eq!(report.questions[0].title, None);
    assert_eq!(report.score, None);
}

#[test]
fn interviews_round_trip_as_versioned_json() {
    let guide = guide();
    let mut iv = start(&guide, &["gil", "select-vs-prefetch-related"]);
    iv.submit(&guide, typed(GIL_COMPLETE), T0 + MINUTE_MS)
        .unwrap();
    iv.correct(0, 2, false).unwrap();
    iv.next(&guide, T0 + MINUTE_MS).unwrap();
    iv.submit(&guide, Answer::Aloud, T0 + 2 * MINUTE_MS)
        .unwrap();
    let json = serde_json::to_string(&iv).unwrap();
    assert!(
        json.starts_with(&format!(r#"{{"version":{VERSION},"#)),
        "{json}"
    );
    assert!(json.contains(r#""kind":"aloud""#), "{json}");
    let back: Interview = serde_json::from_str(&json).unwrap();
    assert_eq!(back, iv);
    back.check_version().unwrap();
    let mut future = back;
    future.version = VERSION + 1;
    assert_eq!(
        future.check_version(),
        Err(SessionError::UnsupportedVersion(VERSION + 1))
    );
    // Small: the grading details are not stored, only the ticks.
    assert!(json.len() < 2_500, "{} bytes", json.len());
}
