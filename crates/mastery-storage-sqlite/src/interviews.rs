//! Mock interviews: the `interviews` table of migration 0003, behind the interview methods
//! of [`mastery_storage::Storage`]. The session document is stored as text and never parsed.

use mastery_storage::{LearnerId, Result, StorageError, StoredInterview, check_interview_id};
use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use crate::SqliteStore;

const SELECT: &str = "SELECT interview_id, guide_id, revision, started_at, finished_at, score, \
                      state FROM interviews";

impl SqliteStore {
    pub(crate) async fn save_interview_tx(
        &self,
        learner: LearnerId,
        interview: &StoredInterview,
    ) -> Result<()> {
        interview.check()?;
        let mut tx = self.write().await?;
        let stored: Option<i64> = sqlx::query_scalar(
            "SELECT revision FROM interviews WHERE learner_id = ?1 AND interview_id = ?2",
        )
        .bind(learner.0)
        .bind(&interview.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        let expected = (interview.revision > 1).then(|| interview.revision - 1);
        if stored != expected {
            return Err(StorageError::Conflict);
        }
        sqlx::query(
            "INSERT INTO interviews (learner_id, interview_id, guide_id, revision, started_at, \
             finished_at, score, state) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8) \
             ON CONFLICT (learner_id, interview_id) DO UPDATE SET guide_id = excluded.guide_id, \
             revision = excluded.revision, started_at = excluded.started_at, \
             finished_at = excluded.finished_at, score = excluded.score, state = excluded.state",
        )
        .bind(learner.0)
        .bind(&interview.id)
        .bind(&interview.guide)
        .bind(interview.revision)
        .bind(interview.started_at)
        .bind(interview.finished_at)
        .bind(interview.score)
        .bind(&interview.state)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    pub(crate) async fn interview_of(
        &self,
        learner: LearnerId,
        id: &str,
    ) -> Result<Option<StoredInterview>> {
        check_interview_id(id)?;
        let row = sqlx::query(&format!(
            "{SELECT} WHERE learner_id = ?1 AND interview_id = ?2"
        ))
        .bind(learner.0)
        .bind(id)
        .fetch_optional(&self.readers)
        .await
        .map_err(|e| self.error(e))?;
        row.map(|row| self.read_interview(&row)).transpose()
    }

    pub(crate) async fn interviews_of(
        &self,
        learner: LearnerId,
        limit: u32,
    ) -> Result<Vec<StoredInterview>> {
        let rows = sqlx::query(&format!(
            "{SELECT} WHERE learner_id = ?1 ORDER BY started_at DESC, interview_id DESC LIMIT ?2"
        ))
        .bind(learner.0)
        .bind(i64::from(limit))
        .fetch_all(&self.readers)
        .await
        .map_err(|e| self.error(e))?;
        rows.iter().map(|row| self.read_interview(row)).collect()
    }

    fn read_interview(&self, row: &SqliteRow) -> Result<StoredInterview> {
        let read = || -> std::result::Result<StoredInterview, sqlx::Error> {
            Ok(StoredInterview {
                id: row.try_get(0)?,
                guide: row.try_get(1)?,
                revision: row.try_get(2)?,
                started_at: row.try_get(3)?,
                finished_at: row.try_get(4)?,
                score: row.try_get(5)?,
                state: row.try_get(6)?,
            })
        };
        read().map_err(|e| self.error(e))
    }
}
