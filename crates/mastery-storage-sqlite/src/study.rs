//! Spaced-repetition state: the `cards`, `reviews` and `learner_settings` tables of
//! migration 0002, behind the study methods of [`mastery_storage::Storage`].
//!
//! The statements are the ones every backend shares (`mastery_storage::sql::Queries`);
//! what is SQLite's own is where they run. Writes follow the crate's rule: the single
//! writer connection, one `BEGIN IMMEDIATE` transaction per call, so "read the card,
//! compare, write" in [`SqliteStore::record_review_in`] cannot interleave with another
//! write, from this process or another one sharing the file.

use mastery_storage::sql::Decoder;
use mastery_storage::{
    LearnerId, Millis, QuestionKey, Recorded, Result, ReviewRecord, StoredCard, check_setting,
    check_setting_name,
};
use sqlx::SqliteConnection;

use crate::{Sql, SqliteStore};

impl SqliteStore {
    pub(crate) async fn cards_of(&self, learner: LearnerId) -> Result<Vec<StoredCard>> {
        Sql::cards(&self.readers, self.decoder(), learner).await
    }

    pub(crate) async fn card_of(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> Result<Option<StoredCard>> {
        Sql::card(&self.readers, self.decoder(), learner, key).await
    }

    /// Records one review inside the caller's write transaction (see `group.rs`).
    pub(crate) async fn record_review_in(
        &self,
        tx: &mut SqliteConnection,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<Recorded> {
        Sql::record_review(tx, self.decoder(), learner, review).await
    }

    pub(crate) async fn undo_last_review_tx(
        &self,
        learner: LearnerId,
    ) -> Result<Option<ReviewRecord>> {
        let mut tx = self.write().await?;
        let undone = Sql::undo_last_review(&mut tx, self.decoder(), learner).await?;
        if undone.is_some() {
            tx.commit().await.map_err(|e| self.error(e))?;
        }
        Ok(undone)
    }

    pub(crate) async fn reviews_of(
        &self,
        learner: LearnerId,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewRecord>> {
        Sql::reviews(&self.readers, self.decoder(), learner, since).await
    }

    pub(crate) async fn learner_setting_of(
        &self,
        learner: LearnerId,
        name: &str,
    ) -> Result<Option<String>> {
        check_setting_name(name)?;
        Sql::learner_setting(&self.readers, self.decoder(), learner, name).await
    }

    pub(crate) async fn set_learner_setting_tx(
        &self,
        learner: LearnerId,
        name: &str,
        value: &str,
    ) -> Result<()> {
        check_setting(name, value)?;
        let mut tx = self.write().await?;
        Sql::set_learner_setting(&mut *tx, learner, name, value)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// Decodes this database's rows (errors name the file).
    pub(crate) fn decoder(&self) -> Decoder<'_> {
        Decoder {
            location: &self.location,
            map: crate::errors::map,
        }
    }
}
