//! Presets, custom interviews and the choice of questions.

use std::collections::BTreeSet;
use std::path::Path;

use mastery_content::{Guide, GuideFiles, Level, load_guide};

use super::fixture;
use crate::interview::lineup::{
    Custom, LineupError, MAX_QUESTIONS, PRESETS, Request, lineup, preset, select,
};
use crate::scheduler::MINUTE_MS;
use crate::test_guide;

fn real_guide() -> Guide {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    let files = GuideFiles::from_dir(&dir).unwrap();
    load_guide(&files).guide.unwrap()
}

fn custom(levels: &[Level], sections: &[&str], questions: usize, minutes: u32) -> Custom {
    Custom {
        levels: levels.to_vec(),
        sections: sections.iter().map(|s| (*s).to_owned()).collect(),
        questions,
        minutes_per_question: minutes,
    }
}

fn section_of<'g>(guide: &'g Guide, id: &str) -> &'g str {
    guide
        .sections
        .iter()
        .find(|s| s.entries.iter().any(|e| e.id.as_str() == id))
        .map(|s| s.id.as_str())
        .unwrap()
}

fn level_of(guide: &Guide, id: &str) -> Level {
    guide.entry(id).unwrap().level().unwrap()
}

/// (preset id, expected sections (empty: any), levels, questions, minutes per question).
type PresetCase = (
    &'static str,
    &'static [&'static str],
    &'static [Level],
    usize,
    i64,
);

#[test]
fn presets_on_the_python_django_guide() {
    let guide = real_guide();
    let cases: [PresetCase; 3] = [
        (
            "recruiter-screen",
            &[],
            &[Level::Junior, Level::Confirmed],
            5,
            3,
        ),
        (
            "senior-python-internals",
            &["core-python", "modern-python"],
            &[Level::Senior],
            9,
            5,
        ),
        (
            "django-architecture-scaling",
            &["django", "security-scaling"],
            &[Level::Confirmed, Level::Senior],
            6,
            5,
        ),
    ];
    for (id, sections, levels, count, minutes) in cases {
        let p = preset(id).unwrap();
        for seed in 0..20 {
            let lineup = p.lineup(&guide, seed).unwrap();
            assert_eq!(lineup.questions.len(), count, "{id}");
            assert_eq!(lineup.per_question_ms, minutes * MINUTE_MS, "{id}");
            assert_eq!(lineup.total_ms(), i64::from(p.minutes) * MINUTE_MS);
            if !sections.is_empty() {
                assert_eq!(lineup.sections, sections.to_vec(), "{id}");
            }
            let unique: BTreeSet<&String> = lineup.questions.iter().collect();
            assert_eq!(unique.len(), count, "no repeats");
            for q in &lineup.questions {
                assert!(levels.contains(&level_of(&guide, q)), "{id}: {q}");
                if !sections.is_empty() {
                    assert!(sections.contains(&section_of(&guide, q)), "{id}: {q}");
                }
            }
            // Spread: more than one section whenever the preset has several.
            let used: BTreeSet<&str> = lineup
                .questions
                .iter()
                .map(|q| section_of(&guide, q))
                .collect();
            assert!(used.len() > 1, "{id} seed {seed}: {:?}", lineup.questions);
        }
    }
    assert_eq!(PRESETS.len(), 3);
    assert!(preset("nope").is_none());
}

#[test]
fn presets_fall_back_to_every_section() {
    // A guide whose sections match no preset hint, with junior questions only.
    let guide = test_guide::guide(&[
        (
            "one",
            test_guide::question("a") + &test_guide::question("b"),
        ),
        ("two", test_guide::question("c")),
    ]);
    let p = preset("django-architecture-scaling").unwrap();
    assert_eq!(p.section_ids(&guide), ["one", "two"]);
    // No senior or confirmed question: nothing to ask.
    assert_eq!(p.lineup(&guide, 1), Err(LineupError::NoMatchingQuestion));
    let lineup = preset("recruiter-screen")
        .unwrap()
        .lineup(&guide, 1)
        .unwrap();
    assert_eq!(
        lineup.questions,
        ["a", "b", "c"],
        "fewer candidates than asked: all of them"
    );
    // The fixture guide has `core-python`, so the internals preset keeps to it.
    let fixture = fixture::guide();
    let lineup = preset("senior-python-internals")
        .unwrap()
        .lineup(&fixture, 3)
        .unwrap();
    assert_eq!(lineup.sections, ["core-python"]);
}

#[test]
fn selection_is_deterministic_and_ordered() {
    let guide = real_guide();
    let c = custom(&[], &[], 8, 4);
    let a = c.lineup(&guide, 42).unwrap();
    assert_eq!(a, c.lineup(&guide, 42).unwrap());
    let distinct: BTreeSet<Vec<String>> = (0..10)
        .map(|seed| c.lineup(&guide, seed).unwrap().questions)
        .collect();
    assert!(distinct.len() > 1, "the seed changes the choice");
    // Section order, then level, then guide order.
    let position = |id: &str| {
        let (si, s) = guide
            .sections
            .iter()
            .enumerate()
            .find(|(_, s)| s.entries.iter().any(|e| e.id.as_str() == id))
            .unwrap();
        let ei = s.entries.iter().position(|e| e.id.as_str() == id).unwrap();
        (si, level_of(&guide, id), ei)
    };
    let keys: Vec<_> = a.questions.iter().map(|q| position(q)).collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    assert_eq!(a.per_question_ms, 4 * MINUTE_MS);
    assert_eq!(a.title, "Custom interview");
    assert_eq!(a.levels, Level::ALL);
}

#[test]
fn ladder_starts_are_preferred() {
    // In `core-python` of the fixture, only `gil` is not a follow-up of another question.
    let guide = fixture::guide();
    for seed in 0..30 {
        let picked = select(
            &guide,
            &[Level::Senior],
            &["core-python".to_owned()],
            1,
            seed,
        );
        assert_eq!(picked, ["gil"], "seed {seed}");
    }
    let all = select(&guide, &Level::ALL, &["core-python".to_owned()], 10, 7);
    assert_eq!(all, ["gil", "gil-release", "free-threading"]);
}

#[test]
fn custom_validation() {
    let guide = fixture::guide();
    let cases: [(Custom, LineupError); 6] = [
        (custom(&[], &[], 0, 5), LineupError::NoQuestions),
        (
            custom(&[], &[], MAX_QUESTIONS + 1, 5),
            LineupError::TooManyQuestions {
                requested: MAX_QUESTIONS + 1,
                max: MAX_QUESTIONS,
            },
        ),
        (custom(&[], &[], 3, 0), LineupError::MinutesOutOfRange(0)),
        (custom(&[], &[], 3, 31), LineupError::MinutesOutOfRange(31)),
        (
            custom(&[], &["nowhere"], 3, 5),
            LineupError::UnknownSection("nowhere".into()),
        ),
        (
            custom(&[Level::Junior], &["django"], 3, 5),
            LineupError::NoMatchingQuestion,
        ),
    ];
    for (c, want) in cases {
        assert_eq!(c.lineup(&guide, 1), Err(want.clone()), "{c:?}");
        assert!(!want.to_string().is_empty());
    }
    for minutes in [1, 30] {
        assert!(custom(&[], &[], 1, minutes).lineup(&guide, 1).is_ok());
    }
    let p = custom(&[Level::Confirmed], &["asyncio", "django"], 5, 2)
        .lineup(&guide, 9)
        .unwrap();
    assert_eq!(p.questions, ["asyncio-gather"]);
    assert_eq!(p.sections, ["django", "asyncio"], "guide order");
    assert_eq!(
        lineup(&guide, &Request::Preset { id: "x".into() }, 1),
        Err(LineupError::UnknownPreset("x".into()))
    );
}

#[test]
fn plans_and_requests_round_trip_as_json() {
    let guide = fixture::guide();
    let request = Request::Custom(custom(&[Level::Senior, Level::Junior], &["django"], 2, 3));
    let json = serde_json::to_string(&request).unwrap();
    assert!(json.contains(r#""kind":"custom""#), "{json}");
    assert!(json.contains(r#""levels":["senior","junior"]"#), "{json}");
    assert_eq!(serde_json::from_str::<Request>(&json).unwrap(), request);
    let p = lineup(&guide, &request, 5).unwrap();
    let back: crate::interview::Lineup =
        serde_json::from_str(&serde_json::to_string(&p).unwrap()).unwrap();
    assert_eq!(back, p);
    let bad = json.replace("junior", "expert");
    let err = serde_json::from_str::<Request>(&bad).unwrap_err();
    assert!(err.to_string().contains("expert"), "{err}");
}
