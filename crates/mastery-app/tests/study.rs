//! The study service on a real SQLite database.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::sync::Arc;

use mastery_app::study::{Answer, Answered, Filter, answer, queue, undo};
use mastery_content::{Guide, GuideFiles};
use mastery_storage::{QuestionKey, Storage};
use mastery_storage_sqlite::SqliteStore;
use mastery_study::scheduler::{DAY_MS, Rating};

fn guides() -> Vec<Arc<Guide>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
    vec![Arc::new(
        mastery_content::load_guide(&GuideFiles::from_dir(&dir).unwrap())
            .guide
            .unwrap(),
    )]
}

const NOW: i64 = 1_800_000_000_000;

fn review(question: &str, rating: Rating, id: &str) -> Answer {
    Answer {
        key: QuestionKey::new("python-django", question),
        rating,
        review_id: id.to_owned(),
        time_spent_ms: 1000,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_answers_to_one_card_are_both_recorded_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let store = Arc::new(
        SqliteStore::open(&format!("sqlite://{}", dir.path().join("m.db").display()))
            .await
            .unwrap(),
    );
    let me = store.personal_learner().await.unwrap();
    let guides = Arc::new(guides());
    let mut tasks = Vec::new();
    for i in 0..8 {
        let (store, guides) = (Arc::clone(&store), Arc::clone(&guides));
        tasks.push(tokio::spawn(async move {
            answer(
                store.as_ref(),
                me,
                &guides,
                &review("gil", Rating::Good, &format!("race-{i:04}")),
                NOW + i,
            )
            .await
        }));
    }
    for t in tasks {
        assert!(matches!(
            t.await.unwrap().unwrap(),
            Answered::Recorded { .. }
        ));
    }
    let card = store
        .card(me, &QuestionKey::new("python-django", "gil"))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        card.reps, 8,
        "every answer applied to the state the previous one left"
    );
    assert_eq!(store.reviews(me, None).await.unwrap().len(), 8);
}

#[tokio::test]
async fn the_queue_moves_on_and_undo_restores() {
    let store = SqliteStore::open("sqlite::memory:").await.unwrap();
    let me = store.personal_learner().await.unwrap();
    let guides = guides();
    let q = queue(&store, me, &guides, &Filter::default(), NOW)
        .await
        .unwrap();
    let first = q.current.as_ref().unwrap().key.clone();
    assert_eq!(
        (q.new, q.review, q.learning),
        (20, 0, 0),
        "20 new a day by default"
    );
    let again = answer(
        &store,
        me,
        &guides,
        &review(&first.question, Rating::Again, "review-0001"),
        NOW,
    )
    .await
    .unwrap();
    let Answered::Recorded { label, .. } = again else {
        panic!("recorded")
    };
    assert_eq!(label, "1m", "Again on a new card: the first learning step");
    // A retry of the same review id changes nothing.
    let retry = answer(
        &store,
        me,
        &guides,
        &review(&first.question, Rating::Again, "review-0001"),
        NOW,
    )
    .await
    .unwrap();
    assert_eq!(retry, Answered::Duplicate);
    let q = queue(&store, me, &guides, &Filter::default(), NOW)
        .await
        .unwrap();
    assert_ne!(
        q.current.as_ref().unwrap().key,
        first,
        "the card waits for its step"
    );
    assert_eq!(q.new, 19);
    // After its step the card comes back first, as learning.
    let later = queue(&store, me, &guides, &Filter::default(), NOW + 2 * 60_000)
        .await
        .unwrap();
    assert_eq!(later.current.as_ref().unwrap().key, first);
    assert_eq!(undo(&store, me).await.unwrap(), Some(first.clone()));
    assert!(
        store.card(me, &first).await.unwrap().is_none(),
        "undo of a first review forgets the card"
    );
    // Good twice graduates the card to days.
    answer(
        &store,
        me,
        &guides,
        &review(&first.question, Rating::Good, "review-0002"),
        NOW,
    )
    .await
    .unwrap();
    let Answered::Recorded { after, .. } = answer(
        &store,
        me,
        &guides,
        &review(&first.question, Rating::Good, "review-0003"),
        NOW + 11 * 60_000,
    )
    .await
    .unwrap() else {
        panic!("recorded")
    };
    assert!(after.due >= NOW + DAY_MS, "graduated to a day or more");
}
