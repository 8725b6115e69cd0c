//! The contract every backend meets (`mastery_storage::testkit`), run on PostgreSQL: a fresh
//! database per test (see `mastery_storage_postgres::testing` for the server and the
//! skip/fail policy).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use mastery_storage::testkit;
use mastery_storage_postgres::testing;

mastery_storage::storage_suite!(testing::fixture());

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dump_round_trips() {
    let Some(from) = testing::fixture().await else {
        return;
    };
    let to = testing::fixture().await.unwrap();
    testkit::dump_round_trips(&from, &to).await;
}
