//! Helpers shared by the storage tests.

// Test helpers may panic: a panic is a test failure with its message.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::path::{Path, PathBuf};

use mastery_storage::QuestionKey;
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
