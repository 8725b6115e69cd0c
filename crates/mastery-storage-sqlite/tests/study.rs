//! Spaced-repetition storage of the SQLite backend through the `Storage` trait: cards, the
//! review log with idempotent recording, conflicts and undo, and learner settings.

// Tests state their expectations with unwrap/expect/panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{execute_raw, fresh, key};

use std::collections::HashMap;
use std::sync::Arc;

use mastery_storage::{
    CardPhase, LearnerId, MAX_SETTING_VALUE_BYTES, Mark, Millis, QuestionKey, Recorded,
    ReviewRecord, Storage, StorageError, StoredCard,
};
use mastery_storage_sqlite::SqliteStore;

/// A card in review with `reps` reviews, due at `due`.
fn card(key: &QuestionKey, reps: u32, due: Millis) -> StoredCard {
    StoredCard {
        key: key.clone(),
        phase: CardPhase::Review,
        step: 0,
        stability: Some(2.5 + f64::from(reps)),
        difficulty: Some(4.75),
        due,
        last_review: Some(due - 86_400_000),
        reps,
        lapses: 0,
    }
}

/// A review of `key` at `at` from `before` to `after`.
fn review(
    id: &str,
    key: &QuestionKey,
    at: Millis,
    before: Option<StoredCard>,
    after: StoredCard,
) -> ReviewRecord {
    ReviewRecord {
        id: id.to_string(),
        key: key.clone(),
        rating: 3,
        reviewed_at: at,
        elapsed_days: 1.0,
        scheduled_days: 1.0,
        time_spent_ms: 4_200,
        before,
        after,
    }
}

/// The first review of a new card.
fn first(id: &str, key: &QuestionKey, at: Millis) -> ReviewRecord {
    review(id, key, at, None, card(key, 1, at + 86_400_000))
}

/// The review that follows `previous` on the same card.
fn next(id: &str, previous: &ReviewRecord, at: Millis) -> ReviewRecord {
    let before = previous.after.clone();
    let after = card(&previous.key, before.reps + 1, at + 3 * 86_400_000);
    review(id, &previous.key, at, Some(before), after)
}

fn is_invalid<T: std::fmt::Debug>(result: Result<T, StorageError>) -> bool {
    matches!(result, Err(StorageError::Invalid(_)))
}

#[tokio::test]
async fn a_review_round_trips_every_field_exactly() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    // Awkward doubles: not representable in decimal, tiny, subnormal, huge, integral.
    let before = StoredCard {
        key: gil.clone(),
        phase: CardPhase::Relearning,
        step: 2,
        stability: Some(0.1 + 0.2),
        difficulty: Some(1.0 / 3.0),
        due: 1_700_000_000_123,
        last_review: Some(1_699_999_999_999),
        reps: 7,
        lapses: 2,
    };
    let after = StoredCard {
        key: gil.clone(),
        phase: CardPhase::Review,
        step: u32::MAX,
        stability: Some(5e-324),
        difficulty: Some(f64::MAX),
        due: i64::MAX,
        last_review: Some(i64::MIN),
        reps: u32::MAX,
        lapses: u32::MAX,
    };
    let learning = StoredCard {
        key: key("python", "async"),
        phase: CardPhase::Learning,
        step: 0,
        stability: None,
        difficulty: Some(-0.0),
        due: -5,
        last_review: None,
        reps: 0,
        lapses: 0,
    };
    let first_review = ReviewRecord {
        id: "first-review_0001".into(),
        key: gil.clone(),
        rating: 1,
        reviewed_at: 1_600_000_000_000,
        elapsed_days: 0.0,
        scheduled_days: 0.0,
        time_spent_ms: 0,
        before: None,
        after: before.clone(),
    };
    let second_review = ReviewRecord {
        id: "Z".repeat(64),
        key: gil.clone(),
        rating: 4,
        reviewed_at: 1_700_000_000_456,
        elapsed_days: f64::MIN_POSITIVE,
        scheduled_days: 123_456.789_012_345_67,
        time_spent_ms: i64::MAX,
        before: Some(before.clone()),
        after: after.clone(),
    };
    let other = ReviewRecord {
        id: "abcdefgh".into(),
        key: learning.key.clone(),
        rating: 2,
        reviewed_at: 1_700_000_000_456,
        elapsed_days: 1e300,
        scheduled_days: -0.5,
        time_spent_ms: 1,
        before: None,
        after: learning.clone(),
    };
    for r in [&first_review, &second_review, &other] {
        assert_eq!(store.record_review(me, r).await.unwrap(), Recorded::New);
    }
    assert_eq!(store.card(me, &gil).await.unwrap(), Some(after.clone()));
    assert_eq!(store.card(me, &key("python", "nope")).await.unwrap(), None);
    assert_eq!(store.cards(me).await.unwrap(), vec![learning, after]);
    let stored = store.reviews(me, None).await.unwrap();
    assert_eq!(stored, vec![first_review, second_review, other]);
    // Bit for bit, not just ==.
    assert_eq!(
        stored[0].after.stability.unwrap().to_bits(),
        (0.1f64 + 0.2).to_bits()
    );
    assert_eq!(stored[1].after.stability.unwrap().to_bits(), 1);
    // The one value that does not keep its bits: SQLite stores a REAL with an integral
    // value as an integer, so -0.0 comes back as 0.0 (equal under ==, which is what the
    // conflict check uses).
    let negative_zero = stored[2].after.difficulty.unwrap();
    assert_eq!((negative_zero, negative_zero.to_bits()), (0.0, 0));
}

#[tokio::test]
async fn a_repeated_review_id_is_recorded_once() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let original = first("retry-me-1", &gil, 1_000);
    assert_eq!(
        store.record_review(me, &original).await.unwrap(),
        Recorded::New
    );
    let card_after = store.card(me, &gil).await.unwrap();

    // The same request again: its `before` (None) no longer matches, yet it is a
    // duplicate, not a conflict.
    assert_eq!(
        store.record_review(me, &original).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    // The same id with other content, even another question: the first one stands.
    let mut different = next("retry-me-1", &original, 9_000);
    different.rating = 4;
    assert_eq!(
        store.record_review(me, &different).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    let elsewhere = first("retry-me-1", &key("sql", "joins"), 9_000);
    assert_eq!(
        store.record_review(me, &elsewhere).await.unwrap(),
        Recorded::Duplicate(original.clone())
    );
    assert_eq!(store.card(me, &gil).await.unwrap(), card_after);
    assert_eq!(store.cards(me).await.unwrap().len(), 1);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![original]);
}

#[tokio::test]
async fn a_stale_before_is_a_conflict_and_changes_nothing() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("review-0001", &gil, 1_000);
    store.record_review(me, &r1).await.unwrap();
    let r2 = next("review-0002", &r1, 2_000);

    // Another tab showed the card while it was new.
    let stale_new = first("review-0003", &gil, 2_000);
    // A card is expected where none is stored.
    let phantom = next(
        "review-0004",
        &first("x-unused", &key("sql", "joins"), 1),
        2_000,
    );
    // Fewer reps, another due date, another stability.
    let mut fewer_reps = r2.clone();
    fewer_reps.id = "review-0005".into();
    fewer_reps.before.as_mut().unwrap().reps -= 1;
    let mut other_due = r2.clone();
    other_due.id = "review-0006".into();
    other_due.before.as_mut().unwrap().due += 1;
    let mut other_stability = r2.clone();
    other_stability.id = "review-0007".into();
    other_stability.before.as_mut().unwrap().stability = Some(99.0);

    for stale in [
        &stale_new,
        &phantom,
        &fewer_reps,
        &other_due,
        &other_stability,
    ] {
        let err = store.record_review(me, stale).await.unwrap_err();
        assert!(
            matches!(err, StorageError::Conflict),
            "{}: {err:?}",
            stale.id
        );
        assert_eq!(
            err.to_string(),
            "the card changed since it was shown; reload"
        );
    }
    assert_eq!(store.cards(me).await.unwrap(), vec![r1.after.clone()]);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r1.clone()]);

    // The review based on what is stored goes through; a conflicting id was not taken.
    assert_eq!(store.record_review(me, &r2).await.unwrap(), Recorded::New);
    let mut retry_of_stale = next("review-0003", &r2, 3_000);
    retry_of_stale.rating = 1;
    assert_eq!(
        store.record_review(me, &retry_of_stale).await.unwrap(),
        Recorded::New
    );
}

#[tokio::test]
async fn undo_restores_the_previous_card_one_review_at_a_time() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    assert_eq!(store.undo_last_review(me).await.unwrap(), None);

    let (gil, joins) = (key("python", "gil"), key("sql", "joins"));
    let g1 = first("g1-review", &gil, 1_000);
    let j1 = first("j1-review", &joins, 2_000);
    let g2 = next("g2-review", &g1, 3_000);
    for r in [&g1, &j1, &g2] {
        store.record_review(me, r).await.unwrap();
    }

    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(g2.clone()));
    assert_eq!(store.card(me, &gil).await.unwrap(), Some(g1.after.clone()));
    assert_eq!(
        store.card(me, &joins).await.unwrap(),
        Some(j1.after.clone())
    );
    // Twice in a row: the one before goes too, and the new card is gone again.
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(j1.clone()));
    assert_eq!(store.card(me, &joins).await.unwrap(), None);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![g1.clone()]);

    // The undone review can be rated again (same id: it is no longer recorded).
    assert_eq!(store.record_review(me, &j1).await.unwrap(), Recorded::New);
    for expected in [j1, g1] {
        assert_eq!(store.undo_last_review(me).await.unwrap(), Some(expected));
    }
    assert_eq!(store.undo_last_review(me).await.unwrap(), None);
    assert!(store.cards(me).await.unwrap().is_empty());
    assert!(store.reviews(me, None).await.unwrap().is_empty());
}

#[tokio::test]
async fn undo_takes_the_latest_time_then_the_latest_recorded() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let late = first("late-review", &key("g", "late"), 5_000);
    let early = first("early-review", &key("g", "early"), 1_000);
    let tie_a = first("tie-review-a", &key("g", "tie-a"), 3_000);
    let tie_b = first("tie-review-b", &key("g", "tie-b"), 3_000);
    for r in [&late, &early, &tie_a, &tie_b] {
        store.record_review(me, r).await.unwrap();
    }
    for expected in [late, tie_b, tie_a, early] {
        assert_eq!(store.undo_last_review(me).await.unwrap(), Some(expected));
    }
}

#[tokio::test]
async fn undo_refuses_to_overwrite_a_card_changed_since() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("review-0001", &gil, 1_000);
    store.record_review(me, &r1).await.unwrap();
    execute_raw(&path, "UPDATE cards SET due = due + 1").await;
    let changed = store.card(me, &gil).await.unwrap();
    let err = store.undo_last_review(me).await.unwrap_err();
    assert!(matches!(err, StorageError::Conflict), "{err:?}");
    assert_eq!(store.card(me, &gil).await.unwrap(), changed);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r1]);
}

#[tokio::test]
async fn reviews_are_chronological_and_filtered_by_since() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    // Recorded out of time order (an import, or clocks of two instances).
    let times = [(30, "c"), (10, "a"), (20, "b1"), (40, "d"), (20, "b2")];
    for (at, q) in times {
        store
            .record_review(me, &first(&format!("review-{q}0000"), &key("g", q), at))
            .await
            .unwrap();
    }
    let questions = |reviews: Vec<ReviewRecord>| -> Vec<String> {
        reviews.into_iter().map(|r| r.key.question).collect()
    };
    assert_eq!(
        questions(store.reviews(me, None).await.unwrap()),
        ["a", "b1", "b2", "c", "d"]
    );
    assert_eq!(
        questions(store.reviews(me, Some(20)).await.unwrap()),
        ["b1", "b2", "c", "d"],
        "since is inclusive"
    );
    assert_eq!(
        questions(store.reviews(me, Some(21)).await.unwrap()),
        ["c", "d"]
    );
    assert!(store.reviews(me, Some(41)).await.unwrap().is_empty());
    assert_eq!(store.reviews(me, Some(i64::MIN)).await.unwrap().len(), 5);
}

#[tokio::test]
async fn invalid_reviews_are_refused_and_write_nothing() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let good = first("good-review", &gil, 1_000);
    type Spoil = fn(&mut ReviewRecord);
    let bad: &[(&str, Spoil)] = &[
        ("rating 0", |r| r.rating = 0),
        ("rating 5", |r| r.rating = 5),
        ("id too short", |r| r.id = "1234567".into()),
        ("id too long", |r| r.id = "x".repeat(65)),
        ("id with a space", |r| r.id = "abcd efgh".into()),
        ("id with a slash", |r| r.id = "abcd/efgh".into()),
        ("id not ASCII", |r| r.id = "abcdéfgh".into()),
        ("negative time", |r| r.time_spent_ms = -1),
        ("NaN elapsed", |r| r.elapsed_days = f64::NAN),
        ("infinite scheduled", |r| r.scheduled_days = f64::INFINITY),
        ("NaN stability", |r| r.after.stability = Some(f64::NAN)),
        ("after of another question", |r| {
            r.after.key = QuestionKey::new("python", "other");
        }),
    ];
    for (what, spoil) in bad {
        let mut r = good.clone();
        spoil(&mut r);
        assert!(is_invalid(store.record_review(me, &r).await), "{what}");
    }
    assert!(store.cards(me).await.unwrap().is_empty());
    assert!(store.reviews(me, None).await.unwrap().is_empty());

    // An unknown learner is invalid too.
    assert!(is_invalid(
        store.record_review(LearnerId(4242), &good).await
    ));
    assert!(
        store
            .reviews(LearnerId(4242), None)
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(store.record_review(me, &good).await.unwrap(), Recorded::New);
}

#[tokio::test]
async fn settings_round_trip_within_their_limits() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    assert_eq!(
        store
            .learner_setting(me, "desired_retention")
            .await
            .unwrap(),
        None
    );
    store
        .set_learner_setting(me, "desired_retention", "0.9")
        .await
        .unwrap();
    store
        .set_learner_setting(me, "desired_retention", "0.85")
        .await
        .unwrap();
    let params = r#"{"w":[0.212,1.2931,2.3065],"note":"日本語 🦀"}"#;
    store
        .set_learner_setting(me, "fsrs.params-v6", params)
        .await
        .unwrap();
    store.set_learner_setting(me, "empty", "").await.unwrap();
    let at_limit = "é".repeat(MAX_SETTING_VALUE_BYTES / 2);
    let longest_name = "n".repeat(64);
    store
        .set_learner_setting(me, &longest_name, &at_limit)
        .await
        .unwrap();
    for (name, value) in [
        ("desired_retention", "0.85"),
        ("fsrs.params-v6", params),
        ("empty", ""),
        (longest_name.as_str(), at_limit.as_str()),
    ] {
        assert_eq!(
            store.learner_setting(me, name).await.unwrap().as_deref(),
            Some(value),
            "{name}"
        );
    }

    let over = format!("{at_limit}x");
    assert!(is_invalid(
        store.set_learner_setting(me, "big", &over).await
    ));
    assert!(is_invalid(
        store.set_learner_setting(me, &longest_name, &over).await
    ));
    for name in ["", "Retention", "with space", "a/b", "ü", &"n".repeat(65)] {
        assert!(
            is_invalid(store.set_learner_setting(me, name, "1").await),
            "{name:?}"
        );
        assert!(
            is_invalid(store.learner_setting(me, name).await),
            "{name:?}"
        );
    }
    assert_eq!(store.learner_setting(me, "big").await.unwrap(), None);
    assert_eq!(
        store.learner_setting(me, &longest_name).await.unwrap(),
        Some(at_limit)
    );
    assert!(is_invalid(
        store.set_learner_setting(LearnerId(4242), "x", "1").await
    ));
}

#[tokio::test]
async fn learners_never_see_each_others_study_state() {
    let (_dir, _path, store) = fresh().await;
    let a = store.personal_learner().await.unwrap();
    let b = store.create_learner("user", 5).await.unwrap();
    let gil = key("python", "gil");
    let a1 = first("shared-id-1", &gil, 1_000);
    store.record_review(a, &a1).await.unwrap();
    store.set_learner_setting(a, "limit", "20").await.unwrap();

    assert!(store.cards(b).await.unwrap().is_empty());
    assert_eq!(store.card(b, &gil).await.unwrap(), None);
    assert!(store.reviews(b, None).await.unwrap().is_empty());
    assert_eq!(store.undo_last_review(b).await.unwrap(), None);
    assert_eq!(store.learner_setting(b, "limit").await.unwrap(), None);

    // B may use the same review id and question; A's state is untouched by all B does.
    let mut b1 = first("shared-id-1", &gil, 2_000);
    b1.rating = 2;
    assert_eq!(store.record_review(b, &b1).await.unwrap(), Recorded::New);
    store.set_learner_setting(b, "limit", "5").await.unwrap();
    assert_eq!(store.undo_last_review(b).await.unwrap(), Some(b1.clone()));
    store.record_review(b, &b1).await.unwrap();
    store.forget(b, &gil).await.unwrap();

    assert_eq!(store.cards(a).await.unwrap(), vec![a1.after.clone()]);
    assert_eq!(store.reviews(a, None).await.unwrap(), vec![a1]);
    assert_eq!(
        store.learner_setting(a, "limit").await.unwrap().as_deref(),
        Some("20")
    );
    assert_eq!(
        store.learner_setting(b, "limit").await.unwrap().as_deref(),
        Some("5")
    );
}

#[tokio::test]
async fn forget_deletes_everything_of_one_question_only() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let (gone, kept) = (key("python", "removed"), key("python", "gil"));
    let kept1 = first("kept-0001", &kept, 1_000);
    let gone1 = first("gone-0001", &gone, 2_000);
    let gone2 = next("gone-0002", &gone1, 3_000);
    for r in [&kept1, &gone1, &gone2] {
        store.record_review(me, r).await.unwrap();
    }
    for k in [&gone, &kept] {
        store.set_mark(me, k, true, 1).await.unwrap();
        store.save_note(me, k, "note", 1).await.unwrap();
    }
    store.set_learner_setting(me, "limit", "20").await.unwrap();

    store.forget(me, &gone).await.unwrap();

    assert_eq!(store.card(me, &gone).await.unwrap(), None);
    assert_eq!(store.cards(me).await.unwrap(), vec![kept1.after.clone()]);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![kept1.clone()]);
    assert_eq!(
        store.marks(me).await.unwrap(),
        vec![Mark {
            key: kept.clone(),
            at: 1
        }]
    );
    assert_eq!(store.note(me, &gone).await.unwrap(), None);
    assert!(store.note(me, &kept).await.unwrap().is_some());
    assert_eq!(
        store.learner_setting(me, "limit").await.unwrap().as_deref(),
        Some("20")
    );
    // Undo goes on with the remaining reviews; the forgotten question starts afresh.
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(kept1));
    assert_eq!(
        store.record_review(me, &gone1).await.unwrap(),
        Recorded::New
    );
}

#[tokio::test]
async fn study_state_persists_across_close_and_reopen() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let gil = key("python", "gil");
    let r1 = first("durable-01", &gil, 1_000);
    let r2 = next("durable-02", &r1, 2_000);
    for r in [&r1, &r2] {
        store.record_review(me, r).await.unwrap();
    }
    store
        .set_learner_setting(me, "desired_retention", "0.9")
        .await
        .unwrap();
    store.close().await;
    assert!(matches!(
        store.cards(me).await,
        Err(StorageError::Unavailable(_))
    ));

    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.cards(me).await.unwrap(), vec![r2.after.clone()]);
    assert_eq!(
        store.reviews(me, None).await.unwrap(),
        vec![r1.clone(), r2.clone()]
    );
    assert_eq!(
        store
            .learner_setting(me, "desired_retention")
            .await
            .unwrap()
            .as_deref(),
        Some("0.9")
    );
    // Idempotency survives the restart too.
    assert_eq!(
        store.record_review(me, &r2).await.unwrap(),
        Recorded::Duplicate(r2.clone())
    );
    assert_eq!(store.undo_last_review(me).await.unwrap(), Some(r2));
    store.close().await;
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(store.cards(me).await.unwrap(), vec![r1.after]);
}

#[tokio::test]
async fn a_database_at_schema_one_is_upgraded_keeping_its_data() {
    let (_dir, path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    store
        .set_mark(me, &key("python", "gil"), true, 10)
        .await
        .unwrap();
    store.close().await;
    // Turn it back into what the release that knew only migration 0001 left behind.
    execute_raw(
        &path,
        "DROP TABLE learner_settings; DROP TABLE reviews; DROP TABLE cards; \
         DELETE FROM _sqlx_migrations WHERE version = 2;",
    )
    .await;

    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.personal_learner().await.unwrap(), me);
    assert_eq!(store.marks(me).await.unwrap().len(), 1);
    let r = first("after-upgrade", &key("python", "gil"), 20);
    assert_eq!(store.record_review(me, &r).await.unwrap(), Recorded::New);
    assert_eq!(store.reviews(me, None).await.unwrap(), vec![r]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sixty_four_concurrent_reviews_all_land() {
    let (_dir, _path, store) = fresh().await;
    let store = Arc::new(store);
    let me = store.personal_learner().await.unwrap();
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let store = Arc::clone(&store);
            tokio::spawn(async move {
                let r = first(
                    &format!("concurrent-{i:02}"),
                    &key("g", &format!("q{i:02}")),
                    i,
                );
                let recorded = store.record_review(me, &r).await?;
                // Reads run beside the writes.
                store.cards(me).await?;
                Ok::<_, StorageError>((recorded, r))
            })
        })
        .collect();
    let mut sent = Vec::new();
    for task in tasks {
        let (recorded, r) = task.await.unwrap().unwrap();
        assert_eq!(recorded, Recorded::New);
        sent.push(r);
    }
    let cards = store.cards(me).await.unwrap();
    assert_eq!(
        cards,
        sent.iter().map(|r| r.after.clone()).collect::<Vec<_>>()
    );
    assert_eq!(store.reviews(me, None).await.unwrap(), sent);
}

/// A small deterministic generator (xorshift64*), so failures replay from the seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// Any finite double, from raw bits (subnormals, huge and negative values included).
    fn finite(&mut self) -> f64 {
        loop {
            let value = f64::from_bits(self.next());
            if value.is_finite() {
                return value;
            }
        }
    }

    fn card(&mut self, key: &QuestionKey) -> StoredCard {
        let phases = [
            CardPhase::New,
            CardPhase::Learning,
            CardPhase::Review,
            CardPhase::Relearning,
        ];
        StoredCard {
            key: key.clone(),
            phase: phases[self.below(4) as usize],
            step: self.below(4) as u32,
            stability: (self.below(4) > 0).then(|| self.finite()),
            difficulty: (self.below(4) > 0).then(|| self.finite()),
            due: self.next() as i64,
            last_review: (self.below(4) > 0).then(|| self.next() as i64),
            reps: self.next() as u32,
            lapses: self.below(10) as u32,
        }
    }
}

/// The position of the review undo takes: the latest time, then the latest recorded.
fn latest(log: &[ReviewRecord]) -> Option<usize> {
    (0..log.len()).max_by_key(|&i| (log[i].reviewed_at, i))
}

/// Random records (fresh, retried, stale) and undos, checked step by step against a model
/// kept in memory, then against the whole stored state.
#[tokio::test]
async fn random_records_and_undos_match_a_model() {
    let keys = [key("g", "a"), key("g", "b"), key("h", "a"), key("h", "c")];
    // How often each branch ran, over all seeds: [empty undo, refused undo, undo, retry,
    // stale, fresh].
    let mut seen = [0u32; 6];
    for seed in [1u64, 7, 42, 2024, 0x5eed] {
        let (_dir, _path, store) = fresh().await;
        let me = store.personal_learner().await.unwrap();
        let mut rng = Rng(seed);
        let mut cards: HashMap<QuestionKey, StoredCard> = HashMap::new();
        // The stored log, in recording order.
        let mut log: Vec<ReviewRecord> = Vec::new();
        let mut ids = 0u32;
        for step in 0..60 {
            let context = format!("seed {seed}, step {step}");
            match rng.below(10) {
                // Undo: takes the latest review, unless its card changed since.
                0..=2 => {
                    let result = store.undo_last_review(me).await;
                    match latest(&log) {
                        None => {
                            seen[0] += 1;
                            assert_eq!(result.unwrap(), None, "{context}");
                        }
                        Some(i) if cards.get(&log[i].key) != Some(&log[i].after) => {
                            seen[1] += 1;
                            assert!(
                                matches!(result, Err(StorageError::Conflict)),
                                "{context}: {result:?}"
                            );
                        }
                        Some(i) => {
                            seen[2] += 1;
                            let undone = log.remove(i);
                            match &undone.before {
                                Some(before) => cards.insert(undone.key.clone(), before.clone()),
                                None => cards.remove(&undone.key),
                            };
                            assert_eq!(result.unwrap(), Some(undone), "{context}");
                        }
                    }
                }
                // A retry of a recorded review, with new content: the stored one stands.
                3 if !log.is_empty() => {
                    seen[3] += 1;
                    let original = log[rng.below(log.len() as u64) as usize].clone();
                    let k = &keys[rng.below(4) as usize];
                    let mut retry = review(&original.id, k, 0, None, rng.card(k));
                    retry.before = cards.get(k).cloned();
                    assert_eq!(
                        store.record_review(me, &retry).await.unwrap(),
                        Recorded::Duplicate(original),
                        "{context}"
                    );
                }
                // A review from a stale page.
                4 => {
                    seen[4] += 1;
                    let k = &keys[rng.below(4) as usize];
                    let stale = match cards.get(k) {
                        Some(_) if rng.below(2) == 0 => None,
                        Some(current) => {
                            let mut changed = current.clone();
                            changed.reps = changed.reps.wrapping_add(1);
                            Some(changed)
                        }
                        None => Some(rng.card(k)),
                    };
                    ids += 1;
                    let r = review(&format!("stale-{ids:04}"), k, 0, stale, rng.card(k));
                    let result = store.record_review(me, &r).await;
                    assert!(
                        matches!(result, Err(StorageError::Conflict)),
                        "{context}: {result:?}"
                    );
                }
                // A fresh review of what is stored; times collide and go backwards.
                _ => {
                    seen[5] += 1;
                    let k = &keys[rng.below(4) as usize];
                    ids += 1;
                    let mut r = review(
                        &format!("fresh-{ids:04}"),
                        k,
                        rng.below(20) as i64,
                        cards.get(k).cloned(),
                        rng.card(k),
                    );
                    r.rating = 1 + rng.below(4) as u8;
                    r.elapsed_days = rng.finite();
                    r.scheduled_days = rng.finite();
                    r.time_spent_ms = (rng.next() >> 1) as i64;
                    assert_eq!(
                        store.record_review(me, &r).await.unwrap(),
                        Recorded::New,
                        "{context}"
                    );
                    cards.insert(k.clone(), r.after.clone());
                    log.push(r);
                }
            }
            for k in &keys {
                assert_eq!(
                    store.card(me, k).await.unwrap().as_ref(),
                    cards.get(k),
                    "{context}"
                );
            }
        }
        let mut expected_cards: Vec<StoredCard> = cards.into_values().collect();
        expected_cards.sort_by(|a, b| a.key.cmp(&b.key));
        assert_eq!(
            store.cards(me).await.unwrap(),
            expected_cards,
            "seed {seed}"
        );
        let mut chronological: Vec<(usize, ReviewRecord)> = log.into_iter().enumerate().collect();
        chronological.sort_by_key(|(i, r)| (r.reviewed_at, *i));
        let expected_log: Vec<ReviewRecord> = chronological.into_iter().map(|(_, r)| r).collect();
        assert_eq!(
            store.reviews(me, None).await.unwrap(),
            expected_log,
            "seed {seed}"
        );
    }
    assert!(seen.iter().all(|&n| n > 0), "a branch never ran: {seen:?}");
}

/// Many reviews at once are committed in shared transactions (group commit): each is
/// answered on its own merits, a refused one does not undo the others, and everything
/// acknowledged is there after a reopen.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_reviews_are_committed_together_but_judged_alone() {
    let (_dir, path, store) = fresh().await;
    let store = Arc::new(store);
    let me = store.personal_learner().await.unwrap();
    let mut tasks = Vec::new();
    for i in 0..48u32 {
        let store = Arc::clone(&store);
        tasks.push(tokio::spawn(async move {
            let k = key("g", &format!("q{}", i % 40));
            // Questions 0..8 are answered twice as "first" reviews: one of each pair must
            // be refused as a conflict (the card is no longer new) without harming others.
            let r = first(&format!("group-{i:04}"), &k, 1_000 + i64::from(i));
            (i, store.record_review(me, &r).await)
        }));
    }
    let mut recorded = 0;
    let mut conflicts = 0;
    for t in tasks {
        match t.await.unwrap() {
            (_, Ok(Recorded::New)) => recorded += 1,
            (_, Err(StorageError::Conflict)) => conflicts += 1,
            (i, other) => panic!("review {i}: unexpected {other:?}"),
        }
    }
    assert_eq!((recorded, conflicts), (40, 8));
    // The same ids again, at once: all duplicates, nothing changes.
    let mut again = Vec::new();
    for i in 0..40u32 {
        let store = Arc::clone(&store);
        again.push(tokio::spawn(async move {
            let k = key("g", &format!("q{i}"));
            store
                .record_review(
                    me,
                    &first(&format!("group-{i:04}"), &k, 1_000 + i64::from(i)),
                )
                .await
        }));
    }
    for t in again {
        let r = t.await.unwrap();
        assert!(
            matches!(r, Ok(Recorded::Duplicate(_)) | Err(StorageError::Conflict)),
            "{r:?}"
        );
    }
    store.close().await;
    let reopened = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    assert_eq!(reopened.reviews(me, None).await.unwrap().len(), 40);
    assert_eq!(reopened.cards(me).await.unwrap().len(), 40);
}
