//! Spaced-repetition storage as only SQLite has it: state across a close and a reopen of the
//! file, an upgrade from an older schema, and how REAL keeps -0.0. (The contract every
//! backend meets is in `suite.rs`.)

// Tests state their expectations with unwrap/expect/panic: a failure is the test failing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{execute_raw, fresh, key};

use mastery_storage::testkit::{first, next};
use mastery_storage::{Recorded, Storage, StorageError};
use mastery_storage_sqlite::SqliteStore;

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

/// SQLite stores a REAL with an integral value as an integer, so -0.0 comes back as 0.0
/// (equal under ==, which is what the conflict check uses; the contract allows it).
#[tokio::test]
async fn negative_zero_reads_back_as_zero() {
    let (_dir, _path, store) = fresh().await;
    let me = store.personal_learner().await.unwrap();
    let k = key("python", "async");
    let mut review = first("negative-zero", &k, 1);
    review.after.difficulty = Some(-0.0);
    store.record_review(me, &review).await.unwrap();
    let stored = store
        .card(me, &k)
        .await
        .unwrap()
        .unwrap()
        .difficulty
        .unwrap();
    assert_eq!((stored, stored.to_bits()), (0.0, 0));
}
