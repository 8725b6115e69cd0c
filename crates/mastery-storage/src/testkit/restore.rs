//! The contract of [`Storage::restore_learner`]: one transaction, reviews merged by id,
//! every replaced row checked against the one the caller read.

use super::{card, first, interview, is_invalid, key, next};
use crate::{LearnerId, LearnerRestore, Mark, Note, Replace, Setting, Storage, StorageError};

fn note(guide: &str, question: &str, body: &str, at: i64) -> Note {
    Note {
        key: key(guide, question),
        body: body.into(),
        updated_at: at,
    }
}

fn setting(name: &str, value: &str) -> Setting {
    Setting {
        name: name.into(),
        value: value.into(),
    }
}

/// Everything a learner has, for comparing before and after.
async fn state_of(
    store: &dyn Storage,
    learner: LearnerId,
) -> (
    Vec<Mark>,
    Vec<Note>,
    Vec<crate::StoredCard>,
    Vec<crate::ReviewRecord>,
    std::collections::BTreeMap<String, String>,
    Vec<crate::StoredInterview>,
) {
    (
        store.marks(learner).await.unwrap(),
        store.notes(learner).await.unwrap(),
        store.cards(learner).await.unwrap(),
        store.reviews(learner, None).await.unwrap(),
        store.learner_settings(learner).await.unwrap(),
        store.interviews(learner, u32::MAX).await.unwrap(),
    )
}

pub async fn a_restore_writes_every_kind_of_row_and_merges_reviews_by_id(fx: &dyn super::Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("review-0001", &gil, 1_000);
    store.record_review(me, &r1).await.unwrap();
    store.set_mark(me, &gil, true, 500).await.unwrap();

    // A backup made elsewhere: r1 again (with other content: ours stands), then r2.
    let mut r1_elsewhere = r1.clone();
    r1_elsewhere.rating = 1;
    let r2 = next("review-0002", &r1, 90_000_000);
    let joins = key("sql", "joins");
    let restore = LearnerRestore {
        marks: vec![
            Mark {
                key: gil.clone(),
                at: 9,
            },
            Mark {
                key: joins.clone(),
                at: 700,
            },
        ],
        notes: vec![Replace {
            expected: None,
            value: note("sql", "joins", "Inner **and** outer — ünïcode", 800),
        }],
        cards: vec![Replace {
            expected: Some(r1.after.clone()),
            value: r2.after.clone(),
        }],
        reviews: vec![r1_elsewhere, r2.clone()],
        settings: vec![Replace {
            expected: None,
            value: setting("utc_offset_minutes", "60"),
        }],
        interviews: vec![Replace {
            expected: None,
            value: interview("iv-1", 5_000),
        }],
    };
    store.restore_learner(me, &restore).await.unwrap();
    let (marks, notes, cards, reviews, settings, interviews) = state_of(&*store, me).await;
    assert_eq!(
        marks,
        vec![
            Mark {
                key: gil.clone(),
                at: 500
            },
            Mark {
                key: joins,
                at: 700
            }
        ],
        "a mark already there keeps its first time"
    );
    assert_eq!(notes, vec![restore.notes[0].value.clone()]);
    assert_eq!(cards, vec![r2.after.clone()]);
    assert_eq!(reviews, vec![r1.clone(), r2.clone()], "merged by review id");
    assert_eq!(
        settings.get("utc_offset_minutes").map(String::as_str),
        Some("60")
    );
    assert_eq!(interviews, vec![interview("iv-1", 5_000)]);

    // The same reviews again add nothing; undo still takes the latest one.
    let again = LearnerRestore {
        reviews: vec![r1.clone(), r2.clone()],
        ..LearnerRestore::default()
    };
    store.restore_learner(me, &again).await.unwrap();
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r1, r2.clone()]);
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(r2));
}

pub async fn a_restore_based_on_a_stale_read_is_a_conflict_and_writes_nothing(
    fx: &dyn super::Fixture,
) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    store
        .save_note(me, &gil, "mine, written after the read", 2_000)
        .await
        .unwrap();
    store
        .set_learner_setting(me, "desired_retention", "0.9")
        .await
        .unwrap();
    let before = state_of(&*store, me).await;
    let fresh = first("review-0009", &key("sql", "joins"), 1_000);
    let stale_cases: Vec<(&str, LearnerRestore)> = vec![
        (
            "a note read as missing",
            LearnerRestore {
                notes: vec![Replace {
                    expected: None,
                    value: note("python", "gil", "from the file", 1_000),
                }],
                ..LearnerRestore::default()
            },
        ),
        (
            "a setting read with another value",
            LearnerRestore {
                settings: vec![Replace {
                    expected: Some(setting("desired_retention", "0.85")),
                    value: setting("desired_retention", "0.95"),
                }],
                ..LearnerRestore::default()
            },
        ),
        (
            "a card read as present",
            LearnerRestore {
                cards: vec![Replace {
                    expected: Some(card(&gil, 1, 5)),
                    value: card(&gil, 2, 9),
                }],
                ..LearnerRestore::default()
            },
        ),
        (
            "an interview read as present",
            LearnerRestore {
                interviews: vec![Replace {
                    expected: Some(interview("iv-2", 1)),
                    value: interview("iv-2", 1),
                }],
                ..LearnerRestore::default()
            },
        ),
    ];
    for (what, mut restore) in stale_cases {
        // Rows that would be fine on their own are not written either.
        restore.marks.push(Mark {
            key: key("sql", "joins"),
            at: 1,
        });
        restore.reviews.push(fresh.clone());
        assert!(
            matches!(
                store.restore_learner(me, &restore).await,
                Err(StorageError::Conflict)
            ),
            "{what}"
        );
        assert_eq!(state_of(&*store, me).await, before, "{what}");
    }
}

pub async fn an_invalid_restore_is_refused_and_writes_nothing(fx: &dyn super::Fixture) {
    let store = fx.store();
    let me = store.personal_learner().await.unwrap();
    let good = first("review-0001", &key("python", "gil"), 1_000);
    let mut bad_review = first("review-0002", &key("python", "orm"), 2_000);
    bad_review.rating = 9;
    let mut bad_card = card(&key("python", "gil"), 1, 5);
    bad_card.stability = Some(f64::NAN);
    let mut bad_interview = interview("iv-1", 10);
    bad_interview.revision = 0;
    let cases = [
        LearnerRestore {
            reviews: vec![good.clone(), bad_review],
            ..LearnerRestore::default()
        },
        LearnerRestore {
            cards: vec![Replace {
                expected: None,
                value: bad_card,
            }],
            ..LearnerRestore::default()
        },
        LearnerRestore {
            settings: vec![Replace {
                expected: None,
                value: setting("Not A Name", "x"),
            }],
            ..LearnerRestore::default()
        },
        LearnerRestore {
            notes: vec![Replace {
                expected: None,
                value: note("python", "g\0il", "x", 1),
            }],
            ..LearnerRestore::default()
        },
        LearnerRestore {
            interviews: vec![Replace {
                expected: None,
                value: bad_interview,
            }],
            ..LearnerRestore::default()
        },
    ];
    for restore in &cases {
        assert!(
            is_invalid(store.restore_learner(me, restore).await),
            "{restore:?}"
        );
    }
    assert!(store.reviews(me, None).await.unwrap().is_empty());
    assert!(store.cards(me).await.unwrap().is_empty());

    let nobody = LearnerId(me.0 + 1_000);
    let restore = LearnerRestore {
        marks: vec![Mark {
            key: key("python", "gil"),
            at: 1,
        }],
        reviews: vec![good],
        ..LearnerRestore::default()
    };
    assert!(is_invalid(store.restore_learner(nobody, &restore).await));
}
