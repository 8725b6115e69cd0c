//! Mastery's SQLite storage backend: [`SqliteStore`], one file holding every learner's
//! marks, notes, spaced-repetition cards, review log and settings, and the instance's
//! secrets, behind [`mastery_storage::Storage`].
//!
//! # Durability: WAL with `synchronous=FULL`
//!
//! The trait promises that a method which returned `Ok` has made its write durable. The
//! database runs in write-ahead-log mode with `synchronous=FULL`: every commit appends to
//! the `-wal` file and fsyncs it before the commit returns, so a tick or a note survives a
//! crash or a power cut the moment the learner sees it saved. (`NORMAL`, the usual WAL
//! setting, skips that fsync and may lose the last commits on power loss; for a handful of
//! small writes a minute the fsync costs nothing a person would notice.) `fullfsync` is on
//! as well, which only matters on macOS, where plain `fsync` does not flush the drive's
//! cache. WAL also lets readers run beside the writer without blocking it.
//!
//! # Write serialisation
//!
//! SQLite allows one writer at a time. Rather than let connections race for the lock and
//! answer `SQLITE_BUSY`, the store keeps two pools over the same file:
//!
//! - a **writer** pool of exactly one connection: writes from every task queue for it
//!   inside this process, and each write runs in a `BEGIN IMMEDIATE` transaction, which
//!   takes SQLite's write lock at the start (waiting up to `busy_timeout`, 5 s) so that
//!   another process sharing the file can never make a half-done transaction fail;
//! - a **reader** pool of a few connections with `query_only` on, for the `SELECT`s: in WAL
//!   mode they read the last committed state without waiting for the writer.
//!
//! An in-memory database (`sqlite::memory:`, for tests) exists only inside one connection,
//! so there a single connection serves both reads and writes.
//!
//! # Start-up safety
//!
//! [`SqliteStore::open`] never destroys or half-upgrades a file it does not understand: it
//! refuses a file that is not SQLite (checking the header before SQLite touches it), runs
//! `PRAGMA quick_check` on an existing database, refuses one whose schema is newer than
//! this build ([`StorageError::NewerSchema`], checked before any migration), names the path
//! when the folder is missing or unusable, and only ever creates a database where no file
//! exists. Migrations (see `migrations/README.md`) then run in the same `BEGIN IMMEDIATE`
//! transaction as those checks.
//!
//! # Reviews
//!
//! Recording a review reads the stored card, compares it with the card the review says was
//! shown, appends to the review log and updates the card, all in one `BEGIN IMMEDIATE`
//! transaction on the writer; so a retried request (same review id) is recorded once, and
//! two tabs rating the same card cannot both win ([`StorageError::Conflict`]). The tables
//! are in `migrations/0002_study.sql`, the code in the `study` module.

mod accounts;
mod community;
mod dump;
mod errors;
mod group;
mod interviews;
mod migrations;
mod open;
mod security;
mod single_sign_on;
mod study;
mod teams;

use mastery_storage::{
    Dump, LearnerId, Mark, Millis, Note, QuestionKey, Recorded, Result, ReviewDay, ReviewRecord,
    Storage, StorageError, StoredCard, StoredInterview, check_key, check_learner_kind, check_note,
    check_text,
};
use sqlx::sqlite::SqlitePool;
use std::sync::atomic::{AtomicU64, Ordering};

use sqlx::{Sqlite, Transaction};

/// The statements every backend shares, for SQLite.
pub(crate) type Sql = mastery_storage::sql::Queries<Sqlite>;

/// Learner state in one SQLite file (or in memory, for tests). See the crate docs for the
/// durability and locking choices. Cloning is cheap and shares the pools.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// The single connection every write goes through.
    writer: SqlitePool,
    /// `query_only` connections for reads (the writer pool itself for `:memory:`).
    readers: SqlitePool,
    /// The path (or `:memory:`), for error messages.
    location: String,
    /// The highest migration compiled into this build.
    known_version: i64,
    /// Reviews waiting to be committed together (see `group.rs`).
    group: std::sync::Arc<group::GroupCommit>,
    /// Moves after every commit on the writer ([`Storage::local_write_generation`]).
    generation: std::sync::Arc<AtomicU64>,
}

impl SqliteStore {
    /// Opens (or creates) the database and brings its schema up to date.
    ///
    /// `url_or_path` is `sqlite://PATH`, `sqlite:PATH`, a plain path, or `sqlite::memory:`
    /// for a private in-memory database. URL query parameters are not accepted: the
    /// settings are fixed (see the crate docs). A database is created only where no file
    /// exists (an existing empty file, which has nothing to lose, is used as a new
    /// database). An existing database is checked with `PRAGMA quick_check`, which reads
    /// the whole file: cheap at the size learner state reaches.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Corrupt`] when the file is not a SQLite database or fails
    ///   `PRAGMA quick_check` (the file is left untouched);
    /// - [`StorageError::NewerSchema`] when a newer Mastery wrote the database;
    /// - [`StorageError::Unavailable`] when the folder is missing, is not a folder, or the
    ///   file cannot be opened or written;
    /// - [`StorageError::Database`] when a migration fails.
    pub async fn open(url_or_path: &str) -> Result<SqliteStore> {
        open::open(url_or_path).await
    }

    /// Creates a learner of the given kind (`personal`, or the kinds of multi-user mode),
    /// created at `at`.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when `kind` is empty, longer than 32 bytes or not made of
    /// `a-z`, `0-9`, `-` and `_`, or when it is `personal` and the personal learner exists
    /// already (there is only ever one).
    pub async fn create_learner(&self, kind: &str, at: Millis) -> Result<LearnerId> {
        check_learner_kind(kind)?;
        let mut tx = self.write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO learners (kind, created_at) VALUES (?1, ?2) RETURNING id",
        )
        .bind(kind)
        .bind(at)
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| {
            if errors::is_unique_violation(&e) {
                StorageError::Invalid(format!("there is already a {kind} learner"))
            } else {
                self.error(e)
            }
        })?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(LearnerId(id))
    }

    /// Writes a consistent copy of the whole database to `target` while the server keeps
    /// running (`VACUUM INTO`: one read transaction, so the copy is a snapshot; the copy is
    /// compact and opens like any Mastery database). Refuses to overwrite an existing file.
    pub async fn backup_to(&self, target: &std::path::Path) -> Result<()> {
        if target.exists() {
            return Err(StorageError::Invalid(format!(
                "{} already exists; choose a new file name for the backup",
                target.display()
            )));
        }
        let path = target
            .to_str()
            .ok_or_else(|| StorageError::Invalid("the backup path must be valid UTF-8".into()))?;
        // On the writer connection (readers are query_only, which VACUUM INTO refuses);
        // writes wait for the copy, reads go on.
        sqlx::query("VACUUM INTO ?1")
            .bind(path)
            .execute(&self.writer)
            .await
            .map_err(|e| self.error(e))?;
        Ok(())
    }

    /// Closes every connection, waiting for queries in flight. The last connection to close
    /// checkpoints the write-ahead log into the database file. Calls after this fail with
    /// [`StorageError::Unavailable`].
    pub async fn close(&self) {
        self.readers.close().await;
        self.writer.close().await;
    }

    /// Starts a write: the single writer connection, in a `BEGIN IMMEDIATE` transaction.
    /// Dropping the transaction without committing rolls it back (also when the calling
    /// future is cancelled).
    async fn write(&self) -> Result<WriteTx> {
        let tx = self
            .writer
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| self.error(e))?;
        Ok(WriteTx {
            tx,
            generation: std::sync::Arc::clone(&self.generation),
        })
    }

    fn error(&self, error: sqlx::Error) -> StorageError {
        errors::map(&self.location, error)
    }

    /// Maps an error of a write on the learner's rows: a broken foreign key means the
    /// learner does not exist.
    fn learner_error(&self, learner: LearnerId, error: sqlx::Error) -> StorageError {
        mastery_storage::sql::learner_error(learner, error, |e| self.error(e))
    }
}

/// A write transaction on the writer connection. Committing it moves the store's write
/// generation, after the commit (so the number never runs ahead of what readers can see).
struct WriteTx {
    tx: Transaction<'static, Sqlite>,
    generation: std::sync::Arc<AtomicU64>,
}

impl WriteTx {
    /// Commits. The generation moves whatever the outcome: a failed commit may still have
    /// reached the file, and a needless move only costs a cache entry. Commit and move run
    /// in their own task, to the end even when the caller's future is dropped (a client
    /// that went away mid-request): once COMMIT is sent it happens, so must the move.
    async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        let WriteTx { tx, generation } = self;
        let task = tokio::spawn(async move {
            let outcome = tx.commit().await;
            generation.fetch_add(1, Ordering::AcqRel);
            outcome
        });
        task.await.unwrap_or_else(|e| {
            Err(sqlx::Error::Protocol(format!(
                "the commit task did not finish: {e}"
            )))
        })
    }
}

impl WriteTx {
    /// Rolls back: nothing was written, so the generation stays.
    async fn rollback(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.rollback().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

// Suggestions and notifications (migration 0011): the shared delegation.
mastery_storage::impl_suggestion_storage!(SqliteStore, Sql, write, readers, "");

#[async_trait::async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    fn local_write_generation(&self) -> Option<u64> {
        Some(self.generation.load(Ordering::Acquire))
    }

    fn pool_stats(&self) -> Option<mastery_storage::PoolStats> {
        let stats = |pool: &SqlitePool| mastery_storage::PoolStats {
            size: pool.size(),
            idle: u32::try_from(pool.num_idle()).unwrap_or(u32::MAX),
            max: pool.options().get_max_connections(),
        };
        let writer = stats(&self.writer);
        // In memory, one connection serves reads and writes: the two pools are one.
        if self.location == ":memory:" {
            return Some(writer);
        }
        let readers = stats(&self.readers);
        Some(mastery_storage::PoolStats {
            size: writer.size + readers.size,
            idle: writer.idle + readers.idle,
            max: writer.max + readers.max,
        })
    }

    async fn personal_learner(&self) -> Result<LearnerId> {
        const FIND: &str = "SELECT id FROM learners WHERE kind = 'personal'";
        let found: Option<i64> = sqlx::query_scalar(FIND)
            .fetch_optional(&self.readers)
            .await
            .map_err(|e| self.error(e))?;
        if let Some(id) = found {
            return Ok(LearnerId(id));
        }
        // First use. The unique index `learners_one_personal` makes the insert a no-op for
        // whoever comes second (another task, or another process sharing the file). The
        // trait passes no time here, so this one timestamp comes from SQLite's clock; it is
        // informational and never returned.
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO learners (kind, created_at) \
             VALUES ('personal', CAST(unixepoch('subsec') * 1000 AS INTEGER)) \
             ON CONFLICT DO NOTHING",
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        let id: i64 = sqlx::query_scalar(FIND)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(LearnerId(id))
    }

    async fn marks(&self, learner: LearnerId) -> Result<Vec<Mark>> {
        Sql::marks(&self.readers, self.decoder(), learner).await
    }

    async fn data_revision(&self, learner: LearnerId) -> Result<Option<i64>> {
        Sql::data_revision(&self.readers, self.decoder(), learner).await
    }

    async fn set_mark(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        mastered: bool,
        at: Millis,
    ) -> Result<bool> {
        check_key(key)?;
        let mut tx = self.write().await?;
        // Ticking again keeps the first time.
        let changed = Sql::set_mark(&mut *tx, learner, key, mastered, at)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(changed)
    }

    async fn note(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<Note>> {
        Sql::note(&self.readers, self.decoder(), learner, key).await
    }

    async fn notes(&self, learner: LearnerId) -> Result<Vec<Note>> {
        Sql::notes(&self.readers, self.decoder(), learner).await
    }

    async fn save_note(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        body: &str,
        at: Millis,
    ) -> Result<()> {
        check_note(key, body)?;
        let mut tx = self.write().await?;
        Sql::save_note(&mut *tx, learner, key, body, at)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn forget(&self, learner: LearnerId, key: &QuestionKey) -> Result<()> {
        check_key(key)?;
        let mut tx = self.write().await?;
        Sql::forget(&mut tx, learner, key)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    async fn cards(&self, learner: LearnerId) -> Result<Vec<StoredCard>> {
        self.cards_of(learner).await
    }

    async fn card(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<StoredCard>> {
        self.card_of(learner, key).await
    }

    async fn record_review(&self, learner: LearnerId, review: &ReviewRecord) -> Result<Recorded> {
        self.record_review_tx(learner, review).await
    }

    async fn undo_last_review(&self, learner: LearnerId) -> Result<Option<ReviewRecord>> {
        self.undo_last_review_tx(learner).await
    }

    async fn reviews(
        &self,
        learner: LearnerId,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewRecord>> {
        self.reviews_of(learner, since).await
    }

    async fn review_days(
        &self,
        learner: LearnerId,
        shift_ms: i64,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewDay>> {
        Sql::review_days(&self.readers, self.decoder(), learner, shift_ms, since).await
    }

    async fn learner_setting(&self, learner: LearnerId, name: &str) -> Result<Option<String>> {
        self.learner_setting_of(learner, name).await
    }

    async fn learners_with_setting(&self, name: &str, value: &str) -> Result<Vec<LearnerId>> {
        Sql::learners_with_setting(&self.readers, self.decoder(), name, value).await
    }

    async fn learner_settings(
        &self,
        learner: LearnerId,
    ) -> Result<std::collections::BTreeMap<String, String>> {
        Sql::learner_settings(&self.readers, self.decoder(), learner).await
    }

    async fn set_learner_setting(&self, learner: LearnerId, name: &str, value: &str) -> Result<()> {
        self.set_learner_setting_tx(learner, name, value).await
    }

    async fn save_interview(&self, learner: LearnerId, interview: &StoredInterview) -> Result<()> {
        self.save_interview_tx(learner, interview).await
    }

    async fn interview(&self, learner: LearnerId, id: &str) -> Result<Option<StoredInterview>> {
        self.interview_of(learner, id).await
    }

    async fn restore_learner(
        &self,
        learner: LearnerId,
        restore: &mastery_storage::LearnerRestore,
    ) -> Result<()> {
        self.restore_learner_tx(learner, restore).await
    }

    async fn interviews(&self, learner: LearnerId, limit: u32) -> Result<Vec<StoredInterview>> {
        self.interviews_of(learner, limit).await
    }

    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>> {
        check_text("a secret's name", name)?;
        let mut tx = self.write().await?;
        Sql::insert_secret(&mut *tx, name, fresh)
            .await
            .map_err(|e| self.error(e))?;
        let value = Sql::read_secret(&mut *tx, self.decoder(), name).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(value)
    }

    async fn ping(&self) -> Result<()> {
        let (found, failed): (Option<i64>, i64) =
            sqlx::query_as(mastery_storage::sql::SCHEMA_STATUS_SQL)
                .fetch_one(&self.readers)
                .await
                .map_err(|e| self.error(e))?;
        mastery_storage::sql::schema_status(&self.location, found, failed, self.known_version)
    }

    async fn export_all(&self) -> Result<Dump> {
        self.export().await
    }

    async fn import_all(&self, dump: &Dump) -> Result<()> {
        self.import(dump).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn pragma(pool: &SqlitePool, name: &str) -> String {
        use sqlx::Row;
        let row = sqlx::query(&format!("PRAGMA {name}"))
            .fetch_one(pool)
            .await
            .unwrap();
        row.try_get::<String, _>(0)
            .or_else(|_| row.try_get::<i64, _>(0).map(|v| v.to_string()))
            .unwrap()
    }

    /// The durability settings are really in effect on both pools.
    #[tokio::test]
    async fn wal_and_full_sync_are_in_effect() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        for pool in [&store.writer, &store.readers] {
            assert_eq!(pragma(pool, "journal_mode").await, "wal");
            assert_eq!(pragma(pool, "synchronous").await, "2", "2 is FULL");
            assert_eq!(pragma(pool, "foreign_keys").await, "1");
            assert_eq!(pragma(pool, "busy_timeout").await, "5000");
        }
        assert_eq!(pragma(&store.writer, "query_only").await, "0");
        assert_eq!(pragma(&store.readers, "query_only").await, "1");
        // The header says WAL too (bytes 18 and 19 are 2 in WAL mode), so every later
        // connection, from any program, uses it.
        store.close().await;
        let bytes = std::fs::read(dir.path().join("m.db")).unwrap();
        assert_eq!(&bytes[18..20], &[2, 2]);
    }

    /// The write generation moves after each committed write (marks, reviews through the
    /// group commit, settings), is shared by clones, and does not move on reads.
    #[tokio::test]
    async fn write_generation_moves_after_commits_only() {
        use mastery_storage::testkit;
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        let learner = store.personal_learner().await.unwrap();
        let key = QuestionKey::new("g", "q");
        let start = store.local_write_generation().unwrap();
        store.marks(learner).await.unwrap();
        store.cards(learner).await.unwrap();
        assert_eq!(
            store.local_write_generation(),
            Some(start),
            "reads move nothing"
        );
        store.set_mark(learner, &key, true, 1).await.unwrap();
        let after_mark = store.local_write_generation().unwrap();
        assert!(after_mark > start);
        let clone = store.clone();
        clone
            .record_review(learner, &testkit::first("review-0001", &key, 10))
            .await
            .unwrap();
        let after_review = store.local_write_generation().unwrap();
        assert!(after_review > after_mark, "a clone's write counts");
        // A write refused before commit (unknown learner) moves nothing.
        let err = store.set_mark(LearnerId(9_999), &key, true, 2).await;
        assert!(err.is_err());
        assert_eq!(store.local_write_generation(), Some(after_review));
    }

    /// Writes go through the one writer connection; a stray write on a reader is refused.
    #[tokio::test]
    async fn readers_cannot_write() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        let err = sqlx::query("INSERT INTO secrets (name, value) VALUES ('x', x'00')")
            .execute(&store.readers)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("readonly"), "{err}");
        assert_eq!(store.writer.options().get_max_connections(), 1);
    }

    /// The pool gauges of `/metrics`: both pools summed, the in-memory one counted once.
    #[tokio::test]
    async fn pool_stats_count_both_pools() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(dir.path().join("m.db").to_str().unwrap())
            .await
            .unwrap();
        store.ping().await.unwrap();
        let stats = store.pool_stats().unwrap();
        assert_eq!(stats.max, 5, "one writer and four readers");
        assert!(stats.size >= 1 && stats.size <= stats.max, "{stats:?}");
        assert_eq!(stats.in_use() + stats.idle, stats.size);
        let memory = SqliteStore::open("sqlite::memory:").await.unwrap();
        assert_eq!(memory.pool_stats().unwrap().max, 1);
    }
}
