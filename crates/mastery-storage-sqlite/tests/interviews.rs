//! Mock interviews round-trip, list newest first and refuse stale or invalid saves.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use mastery_storage::{Storage, StorageError, StoredInterview};

fn interview(id: &str, started_at: i64) -> StoredInterview {
    StoredInterview {
        id: id.into(),
        guide: "python-django".into(),
        revision: 1,
        started_at,
        finished_at: None,
        score: None,
        state: format!("{{\"version\":1,\"id\":\"{id}\"}}"),
    }
}

async fn check_interviews(store: &dyn Storage) {
    let learner = store.personal_learner().await.unwrap();
    assert_eq!(store.interview(learner, "a").await.unwrap(), None);

    let first = interview("a", 1_000);
    store.save_interview(learner, &first).await.unwrap();
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(first.clone())
    );

    // Saving revision 1 again is a conflict: it exists already.
    assert!(matches!(
        store.save_interview(learner, &first).await,
        Err(StorageError::Conflict)
    ));

    let mut second = first.clone();
    second.revision = 2;
    second.finished_at = Some(5_000);
    second.score = Some(0.75);
    second.state = "{\"version\":1,\"done\":true}".into();
    store.save_interview(learner, &second).await.unwrap();
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(second.clone())
    );

    // A save based on revision 1 again (another tab) is refused and changes nothing.
    assert!(matches!(
        store.save_interview(learner, &second).await,
        Err(StorageError::Conflict)
    ));
    let mut skipping = second.clone();
    skipping.revision = 5;
    assert!(matches!(
        store.save_interview(learner, &skipping).await,
        Err(StorageError::Conflict)
    ));
    assert_eq!(
        store.interview(learner, "a").await.unwrap(),
        Some(second.clone())
    );

    // Invalid values are refused before anything is written.
    let mut bad = interview("b", 2_000);
    bad.score = Some(2.0);
    assert!(matches!(
        store.save_interview(learner, &bad).await,
        Err(StorageError::Invalid(_))
    ));
    assert!(matches!(
        store.interview(learner, "not valid").await,
        Err(StorageError::Invalid(_))
    ));
    assert_eq!(store.interview(learner, "b").await.unwrap(), None);

    store
        .save_interview(learner, &interview("b", 3_000))
        .await
        .unwrap();
    store
        .save_interview(learner, &interview("c", 2_000))
        .await
        .unwrap();
    let ids: Vec<String> = store
        .interviews(learner, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|i| i.id)
        .collect();
    assert_eq!(ids, ["b", "c", "a"]);
    assert_eq!(store.interviews(learner, 1).await.unwrap().len(), 1);

    // An unknown learner cannot own an interview.
    assert!(matches!(
        store
            .save_interview(
                mastery_storage::LearnerId(learner.0 + 1000),
                &interview("z", 1)
            )
            .await,
        Err(StorageError::Invalid(_))
    ));
}

#[tokio::test]
async fn interviews_round_trip_and_refuse_stale_saves() {
    let (_dir, _path, store) = common::fresh().await;
    check_interviews(&store).await;
}
