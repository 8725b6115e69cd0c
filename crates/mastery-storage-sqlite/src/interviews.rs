//! Mock interviews: the `interviews` table of migration 0003, behind the interview methods
//! of [`mastery_storage::Storage`]. The session document is stored as text and never parsed.
//! Also the restore of a learner's backup, which writes interviews among the rest.

use mastery_storage::{LearnerId, LearnerRestore, Result, StoredInterview, check_interview_id};

use crate::Sql;
use crate::SqliteStore;

impl SqliteStore {
    /// The revision check and the write run in one `BEGIN IMMEDIATE` transaction, so two
    /// saves of the same revision cannot both pass the check.
    pub(crate) async fn save_interview_tx(
        &self,
        learner: LearnerId,
        interview: &StoredInterview,
    ) -> Result<()> {
        interview.check()?;
        let mut tx = self.write().await?;
        Sql::save_interview(&mut tx, self.decoder(), learner, interview).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// A restore: the comparisons and the writes in one `BEGIN IMMEDIATE` transaction.
    pub(crate) async fn restore_learner_tx(
        &self,
        learner: LearnerId,
        restore: &LearnerRestore,
    ) -> Result<()> {
        restore.check()?;
        let mut tx = self.write().await?;
        Sql::restore_learner(&mut tx, self.decoder(), learner, restore).await?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    pub(crate) async fn interview_of(
        &self,
        learner: LearnerId,
        id: &str,
    ) -> Result<Option<StoredInterview>> {
        check_interview_id(id)?;
        Sql::interview(&self.readers, self.decoder(), learner, id).await
    }

    pub(crate) async fn interviews_of(
        &self,
        learner: LearnerId,
        limit: u32,
    ) -> Result<Vec<StoredInterview>> {
        Sql::interviews(&self.readers, self.decoder(), learner, limit).await
    }
}
