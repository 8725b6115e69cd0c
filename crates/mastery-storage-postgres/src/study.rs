//! The writes that read before they write, each in one transaction that first locks the
//! learner's row (see the crate docs), and the whole-database export and import.

use mastery_storage::{
    Dump, LearnerId, LearnerRestore, QuestionKey, Recorded, Result, ReviewRecord, StorageError,
    StoredInterview,
};
use sqlx::{Postgres, Transaction};

use crate::{PostgresStore, Sql};

impl PostgresStore {
    /// Begins a transaction and locks the learner's row (`FOR NO KEY UPDATE`): until it
    /// ends, no other transaction of this kind for the learner runs, on any instance.
    /// `None` when the learner does not exist (nothing is locked then).
    async fn lock_learner(
        &self,
        learner: LearnerId,
    ) -> Result<Option<Transaction<'static, Postgres>>> {
        let mut tx = self.begin().await?;
        let found: Option<i64> =
            sqlx::query_scalar("SELECT id FROM learners WHERE id = $1 FOR NO KEY UPDATE")
                .bind(learner.0)
                .fetch_optional(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
        Ok(found.map(|_| tx))
    }

    pub(crate) async fn record_review_locked(
        &self,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<Recorded> {
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Err(no_learner(learner));
        };
        let recorded = Sql::record_review(&mut tx, self.decoder(), learner, review).await?;
        if recorded == Recorded::New {
            tx.commit().await.map_err(|e| self.error(e))?;
        }
        Ok(recorded)
    }

    pub(crate) async fn undo_last_review_locked(
        &self,
        learner: LearnerId,
    ) -> Result<Option<ReviewRecord>> {
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Ok(None);
        };
        let undone = Sql::undo_last_review(&mut tx, self.decoder(), learner).await?;
        if undone.is_some() {
            tx.commit().await.map_err(|e| self.error(e))?;
        }
        Ok(undone)
    }

    /// Ticks or unticks with the learner's row held first, as every write of the learner's
    /// marks and cards does: the trigger that moves the data revision (migration 0012)
    /// updates that row after the mark's own, and a restore holding the learner's row and
    /// writing the same mark would otherwise wait on it in the other order (a deadlock).
    pub(crate) async fn set_mark_locked(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
        mastered: bool,
        at: mastery_storage::Millis,
    ) -> Result<bool> {
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Err(no_learner(learner));
        };
        let changed = Sql::set_mark(&mut *tx, learner, key, mastered, at)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(changed)
    }

    pub(crate) async fn forget_locked(&self, learner: LearnerId, key: &QuestionKey) -> Result<()> {
        // A learner that does not exist has nothing to forget.
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Ok(());
        };
        Sql::forget(&mut tx, learner, key)
            .await
            .map_err(|e| self.error(e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    pub(crate) async fn save_interview_locked(
        &self,
        learner: LearnerId,
        interview: &StoredInterview,
    ) -> Result<()> {
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Err(no_learner(learner));
        };
        Sql::save_interview(&mut tx, self.decoder(), learner, interview).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    pub(crate) async fn restore_learner_locked(
        &self,
        learner: LearnerId,
        restore: &LearnerRestore,
    ) -> Result<()> {
        restore.check()?;
        let Some(mut tx) = self.lock_learner(learner).await? else {
            return Err(no_learner(learner));
        };
        Sql::restore_learner(&mut tx, self.decoder(), learner, restore).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// One REPEATABLE READ, READ ONLY transaction: every table is read from one snapshot
    /// while the instances go on writing.
    pub(crate) async fn export(&self) -> Result<Dump> {
        let mut tx = self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            .await
            .map_err(|e| self.error(e))?;
        let dump = Sql::export(&mut tx, self.decoder()).await?;
        tx.rollback().await.map_err(|e| self.error(e))?;
        Ok(dump)
    }

    /// One transaction that first locks `learners`, `secrets`, `invites` and
    /// `site_settings` against writes (so that no instance creates a learner or an
    /// invitation between the emptiness check and the commit), then moves the identity
    /// sequences past the imported ids.
    pub(crate) async fn import(&self, dump: &Dump) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "LOCK TABLE learners, secrets, invites, site_settings IN SHARE ROW EXCLUSIVE MODE",
        )
        .execute(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        Sql::import_into_empty(&mut tx, self.decoder(), dump).await?;
        for (table, column) in [
            ("learners", "id"),
            ("reviews", "seq"),
            ("invites", "id"),
            ("threads", "id"),
            ("posts", "id"),
            ("flags", "id"),
            ("moderation_log", "id"),
            ("api_tokens", "id"),
            ("security_events", "id"),
            ("teams", "id"),
            ("team_invites", "id"),
            ("team_assignments", "id"),
            ("suggestions", "id"),
            ("notifications", "id"),
        ] {
            // setval is strict: on an empty table (MAX is NULL) it leaves the sequence be.
            sqlx::query(&format!(
                "SELECT setval(pg_get_serial_sequence('{table}', '{column}'), \
                 (SELECT MAX({column}) FROM {table}))"
            ))
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        }
        tx.commit().await.map_err(|e| self.error(e))
    }
}

fn no_learner(learner: LearnerId) -> StorageError {
    StorageError::Invalid(format!("there is no learner {learner}"))
}
