//! The contract every backend meets (`mastery_storage::testkit`), run on SQLite files.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::sync::Arc;

use mastery_storage::Storage;
use mastery_storage::testkit;
use mastery_storage_sqlite::SqliteStore;

mastery_storage::storage_suite!(common::fixture());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_round_trips() {
    let (from, to) = (
        common::fixture().await.unwrap(),
        common::fixture().await.unwrap(),
    );
    testkit::dump_round_trips(&from, &to).await;
}

/// Two stores on one file stand for two processes sharing it (`mastery serve` and
/// `mastery study`): SQLite's write lock keeps every review exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exactly_once_across_instances() {
    let (_dir, path, first) = common::fresh().await;
    let second = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    let stores: Vec<Arc<dyn Storage>> = vec![Arc::new(first), Arc::new(second)];
    testkit::exactly_once_across_instances(&stores).await;
}
