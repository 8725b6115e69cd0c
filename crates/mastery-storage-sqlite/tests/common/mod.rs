//! Helpers shared by the storage tests.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};
use std::sync::Arc;

use mastery_storage::testkit::Fixture;
use mastery_storage::{LearnerId, Millis, QuestionKey, Storage};
use mastery_storage_sqlite::SqliteStore;
use sqlx::ConnectOptions;
use sqlx::sqlite::SqliteConnectOptions;
use tempfile::TempDir;

pub fn key(guide: &str, question: &str) -> QuestionKey {
    QuestionKey::new(guide, question)
}

/// A fresh database file in its own temporary folder.
pub async fn fresh() -> (TempDir, PathBuf, SqliteStore) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("mastery.db");
    let store = SqliteStore::open(path.to_str().unwrap()).await.unwrap();
    (dir, path, store)
}

/// Runs SQL (one statement or several) on the file with a plain connection, behind the
/// store's back.
pub async fn execute_raw(path: &Path, sql: &str) {
    let mut conn = SqliteConnectOptions::new()
        .filename(path)
        .connect()
        .await
        .unwrap();
    sqlx::raw_sql(sql).execute(&mut conn).await.unwrap();
    sqlx::Connection::close(conn).await.unwrap();
}

/// A fresh database file for the shared contract suite (`mastery_storage::testkit`).
#[derive(Debug)]
pub struct SqliteFixture {
    pub dir: TempDir,
    pub path: PathBuf,
    pub store: Arc<SqliteStore>,
}

/// A fresh fixture; never skipped (SQLite needs no server).
pub async fn fixture() -> Option<SqliteFixture> {
    let (dir, path, store) = fresh().await;
    Some(SqliteFixture {
        dir,
        path,
        store: Arc::new(store),
    })
}

#[async_trait::async_trait]
impl Fixture for SqliteFixture {
    fn store(&self) -> Arc<dyn Storage> {
        self.store.clone()
    }

    async fn create_learner(&self, kind: &str, at: Millis) -> mastery_storage::Result<LearnerId> {
        self.store.create_learner(kind, at).await
    }

    async fn execute(&self, sql: &str) {
        let (path, sql) = (self.path.clone(), sql.to_owned());
        mastery_storage::testkit::on_own_runtime(move || async move {
            execute_raw(&path, &sql).await;
        })
        .await;
    }
}
