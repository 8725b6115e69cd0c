//! Mastery's PostgreSQL storage backend: [`PostgresStore`], every learner's marks, notes,
//! spaced-repetition cards, review log, settings and interviews, and the secrets shared by
//! every instance, behind [`mastery_storage::Storage`], so that several stateless
//! `mastery serve` instances can run on one database.
//!
//! The schema mirrors the SQLite backend's (`migrations/`, same numbers); the statements
//! both backends run the same way are shared (`mastery_storage::sql::Queries`). What is
//! PostgreSQL's own is below: how writes are kept correct when several instances write at
//! once, and how the pool behaves when the server goes away.
//!
//! # Concurrency: one row lock per learner
//!
//! Transactions run at PostgreSQL's default isolation, READ COMMITTED. Every write that
//! reads before it writes (recording a review, undoing one, forgetting a question, saving
//! an interview) first locks **the learner's row** with `SELECT ... FOR NO KEY UPDATE`, then
//! reads and writes in the same transaction. So for one learner these writes run one at a
//! time across every instance, and each reads what the one before it committed:
//!
//! - **Idempotent reviews.** The lookup of the review id happens under the lock, so two
//!   instances handling a retried request cannot both miss it; the `UNIQUE (learner_id,
//!   review_id)` constraint stays as the last guard.
//! - **No lost or forked reviews.** The comparison of the stored card with the review's
//!   `before` happens under the lock. Locking the *card* row would not do: a card that was
//!   never reviewed has no row to lock, so two first reviews of the same card would both
//!   see "no card" and both write. The learner row always exists, so exactly one of them
//!   wins and the other gets [`StorageError::Conflict`].
//! - **Undo** picks the latest review and restores its card under the same lock, so two
//!   undos never remove the same review, and an undo never interleaves with a review.
//! - **Interviews**: the revision check and the write happen under the lock.
//!
//! `FOR NO KEY UPDATE` rather than `FOR UPDATE`: inserting a mark or a note checks its
//! foreign key with a `FOR KEY SHARE` lock on the same learner row, which `FOR NO KEY
//! UPDATE` does not block. Each transaction locks a single learner row, first, so these
//! locks cannot deadlock. Learners never wait for each other, and one learner does not
//! review fast enough for the lock to matter. Serializable isolation with retries would
//! work too, but would turn every conflict into a retry loop; the lock makes the common
//! case (no contention) one round trip cheaper and the rare case simply wait.
//!
//! Writes that do not read first are single statements: ticks and notes (`INSERT ... ON
//! CONFLICT`), settings (an upsert), secrets and the personal learner (`INSERT ... ON
//! CONFLICT DO NOTHING`, then `SELECT`: in READ COMMITTED the second statement sees the row
//! of whichever instance won, so every caller gets the same value).
//!
//! # Durability
//!
//! A method returns `Ok` after `COMMIT` returned, which with PostgreSQL's default
//! `synchronous_commit = on` means the commit is flushed to the write-ahead log.
//!
//! # Failing fast, recovering by itself
//!
//! The pool waits at most [`PostgresOptions::acquire_timeout`] (2 s) for a connection: when
//! the server is down, requests fail with [`StorageError::Unavailable`] after that instead
//! of hanging, and the web layer answers 503. Connections are tested before they are
//! handed out (`test_before_acquire`), so those that died with the server are replaced by
//! new ones as soon as it is back: no restart is needed. A statement waits at most
//! [`PostgresOptions::lock_timeout`] for a row lock.
//!
//! # Start-up
//!
//! [`PostgresStore::connect`] migrates the database under a PostgreSQL advisory lock, so
//! instances starting together migrate once; it refuses a database migrated by a newer
//! Mastery ([`StorageError::NewerSchema`]) before changing anything. See
//! `migrations/README.md`.
//!
//! # Tests
//!
//! The crate's tests run the contract suite every backend runs
//! (`mastery_storage::testkit`) on a fresh database per test, created on the server named by
//! `MASTERY_TEST_POSTGRES_URL` (default `postgres://postgres@127.0.0.1:5432/postgres`) and
//! dropped afterwards. Without a reachable server they are skipped with a message, except
//! with `CI=true`, where they fail (feature `testkit`, module `testing`).

mod accounts;
mod community;
mod connect;
mod errors;
mod migrations;
mod security;
mod single_sign_on;
mod study;
mod teams;
#[cfg(feature = "testkit")]
pub mod testing;

use mastery_storage::sql::{Decoder, Queries};
use mastery_storage::{
    Dump, LearnerId, Mark, Millis, Note, QuestionKey, Recorded, Result, ReviewDay, ReviewRecord,
    Storage, StorageError, StoredCard, StoredInterview, check_interview_id, check_key,
    check_learner_kind, check_note, check_setting, check_setting_name, check_text,
};
use sqlx::postgres::PgPool;
use sqlx::{Postgres, Transaction};

pub use connect::PostgresOptions;

/// The shared statements, for PostgreSQL.
type Sql = Queries<Postgres>;

/// Learner state in a PostgreSQL database. See the crate docs for the locking choices.
/// Cloning is cheap and shares the pool.
#[derive(Debug, Clone)]
pub struct PostgresStore {
    pool: PgPool,
    /// The URL without its password, for messages.
    location: String,
    /// The highest migration compiled into this build.
    known_version: i64,
}

impl PostgresStore {
    /// Connects with the default [`PostgresOptions`]; see [`PostgresStore::connect_with`].
    ///
    /// # Errors
    ///
    /// As [`PostgresStore::connect_with`].
    pub async fn connect(url: &str) -> Result<PostgresStore> {
        Self::connect_with(url, &PostgresOptions::default()).await
    }

    /// Connects to the database at `url` (`postgres://` or `postgresql://`, with sqlx's URL
    /// parameters), brings its schema up to date under an advisory lock, and makes the
    /// pool. No TLS: reach the server on a private network or through a local proxy.
    ///
    /// # Errors
    ///
    /// - [`StorageError::Unavailable`] when the URL cannot be used or the server cannot be
    ///   reached, refuses the login, or has no such database;
    /// - [`StorageError::NewerSchema`] when a newer Mastery migrated the database;
    /// - [`StorageError::Database`] or [`StorageError::Corrupt`] when a migration fails.
    pub async fn connect_with(url: &str, options: &PostgresOptions) -> Result<PostgresStore> {
        connect::connect(url, options).await
    }

    /// The database URL without its password.
    pub fn location(&self) -> &str {
        &self.location
    }

    /// Creates a learner of the given kind, created at `at`.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] when the kind breaks the rule of
    /// [`mastery_storage::check_learner_kind`], or when it is `personal` and the personal
    /// learner exists already.
    pub async fn create_learner(&self, kind: &str, at: Millis) -> Result<LearnerId> {
        check_learner_kind(kind)?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO learners (kind, created_at) VALUES ($1, $2) RETURNING id",
        )
        .bind(kind)
        .bind(at)
        .fetch_one(&self.pool)
        .await
        .map_err(|e| {
            if mastery_storage::sql::is_unique_violation(&e) {
                StorageError::Invalid(format!("there is already a {kind} learner"))
            } else {
                self.error(e)
            }
        })?;
        Ok(LearnerId(id))
    }

    /// Closes every connection, waiting for queries in flight. Calls after this fail with
    /// [`StorageError::Unavailable`].
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begins a transaction (READ COMMITTED).
    async fn begin(&self) -> Result<Transaction<'static, Postgres>> {
        self.pool.begin().await.map_err(|e| self.error(e))
    }

    fn error(&self, error: sqlx::Error) -> StorageError {
        errors::map(&self.location, error)
    }

    fn learner_error(&self, learner: LearnerId, error: sqlx::Error) -> StorageError {
        mastery_storage::sql::learner_error(learner, error, |e| self.error(e))
    }

    fn decoder(&self) -> Decoder<'_> {
        Decoder {
            location: &self.location,
            map: errors::map,
        }
    }
}

// Suggestions and notifications (migration 0011): the shared delegation.
mastery_storage::impl_suggestion_storage!(PostgresStore, Sql, begin, pool, " FOR UPDATE");

#[async_trait::async_trait]
impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    fn pool_stats(&self) -> Option<mastery_storage::PoolStats> {
        Some(mastery_storage::PoolStats {
            size: self.pool.size(),
            idle: u32::try_from(self.pool.num_idle()).unwrap_or(u32::MAX),
            max: self.pool.options().get_max_connections(),
        })
    }

    async fn personal_learner(&self) -> Result<LearnerId> {
        const FIND: &str = "SELECT id FROM learners WHERE kind = 'personal'";
        let found: Option<i64> = sqlx::query_scalar(FIND)
            .fetch_optional(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        if let Some(id) = found {
            return Ok(LearnerId(id));
        }
        // First use. The unique index `learners_one_personal` makes the insert a no-op for
        // whoever comes second (it waits for the first to commit); the SELECT, a statement
        // of its own, then sees the winner's row. The trait passes no time here, so this one
        // timestamp comes from the server's clock; it is informational and never returned.
        sqlx::query(
            "INSERT INTO learners (kind, created_at) \
             VALUES ('personal', (extract(epoch FROM clock_timestamp()) * 1000)::bigint) \
             ON CONFLICT DO NOTHING",
        )
        .execute(&self.pool)
        .await
        .map_err(|e| self.error(e))?;
        let id: i64 = sqlx::query_scalar(FIND)
            .fetch_one(&self.pool)
            .await
            .map_err(|e| self.error(e))?;
        Ok(LearnerId(id))
    }

    async fn marks(&self, learner: LearnerId) -> Result<Vec<Mark>> {
        Sql::marks(&self.pool, self.decoder(), learner).await
    }

    async fn data_revision(&self, learner: LearnerId) -> Result<Option<i64>> {
        Sql::data_revision(&self.pool, self.decoder(), learner).await
    }

    async fn set_mark(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        mastered: bool,
        at: Millis,
    ) -> Result<bool> {
        check_key(key)?;
        self.set_mark_locked(learner, key, mastered, at).await
    }

    async fn note(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<Note>> {
        Sql::note(&self.pool, self.decoder(), learner, key).await
    }

    async fn notes(&self, learner: LearnerId) -> Result<Vec<Note>> {
        Sql::notes(&self.pool, self.decoder(), learner).await
    }

    async fn save_note(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        body: &str,
        at: Millis,
    ) -> Result<()> {
        check_note(key, body)?;
        Sql::save_note(&self.pool, learner, key, body, at)
            .await
            .map_err(|e| self.learner_error(learner, e))
    }

    async fn forget(&self, learner: LearnerId, key: &QuestionKey) -> Result<()> {
        check_key(key)?;
        self.forget_locked(learner, key).await
    }

    async fn cards(&self, learner: LearnerId) -> Result<Vec<StoredCard>> {
        Sql::cards(&self.pool, self.decoder(), learner).await
    }

    async fn card(&self, learner: LearnerId, key: &QuestionKey) -> Result<Option<StoredCard>> {
        Sql::card(&self.pool, self.decoder(), learner, key).await
    }

    async fn record_review(&self, learner: LearnerId, review: &ReviewRecord) -> Result<Recorded> {
        review.check()?;
        self.record_review_locked(learner, review).await
    }

    async fn undo_last_review(&self, learner: LearnerId) -> Result<Option<ReviewRecord>> {
        self.undo_last_review_locked(learner).await
    }

    async fn reviews(
        &self,
        learner: LearnerId,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewRecord>> {
        Sql::reviews(&self.pool, self.decoder(), learner, since).await
    }

    async fn review_days(
        &self,
        learner: LearnerId,
        shift_ms: i64,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewDay>> {
        Sql::review_days(&self.pool, self.decoder(), learner, shift_ms, since).await
    }

    async fn learner_setting(&self, learner: LearnerId, name: &str) -> Result<Option<String>> {
        check_setting_name(name)?;
        Sql::learner_setting(&self.pool, self.decoder(), learner, name).await
    }

    async fn learners_with_setting(&self, name: &str, value: &str) -> Result<Vec<LearnerId>> {
        Sql::learners_with_setting(&self.pool, self.decoder(), name, value).await
    }

    async fn learner_settings(
        &self,
        learner: LearnerId,
    ) -> Result<std::collections::BTreeMap<String, String>> {
        Sql::learner_settings(&self.pool, self.decoder(), learner).await
    }

    async fn set_learner_setting(&self, learner: LearnerId, name: &str, value: &str) -> Result<()> {
        check_setting(name, value)?;
        Sql::set_learner_setting(&self.pool, learner, name, value)
            .await
            .map_err(|e| self.learner_error(learner, e))
    }

    async fn save_interview(&self, learner: LearnerId, interview: &StoredInterview) -> Result<()> {
        interview.check()?;
        self.save_interview_locked(learner, interview).await
    }

    async fn interview(&self, learner: LearnerId, id: &str) -> Result<Option<StoredInterview>> {
        check_interview_id(id)?;
        Sql::interview(&self.pool, self.decoder(), learner, id).await
    }

    async fn restore_learner(
        &self,
        learner: LearnerId,
        restore: &mastery_storage::LearnerRestore,
    ) -> Result<()> {
        self.restore_learner_locked(learner, restore).await
    }

    async fn interviews(&self, learner: LearnerId, limit: u32) -> Result<Vec<StoredInterview>> {
        Sql::interviews(&self.pool, self.decoder(), learner, limit).await
    }

    async fn secret(&self, name: &str, fresh: &[u8]) -> Result<Vec<u8>> {
        check_text("a secret's name", name)?;
        // Two statements, not one transaction: in READ COMMITTED the SELECT sees the value
        // of whichever instance inserted first (the INSERT waits for it to commit).
        Sql::insert_secret(&self.pool, name, fresh)
            .await
            .map_err(|e| self.error(e))?;
        Sql::read_secret(&self.pool, self.decoder(), name).await
    }

    async fn ping(&self) -> Result<()> {
        let (found, failed): (Option<i64>, i64) =
            sqlx::query_as(mastery_storage::sql::SCHEMA_STATUS_SQL)
                .fetch_one(&self.pool)
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
