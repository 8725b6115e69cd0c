//! Spaced-repetition state: the `cards`, `reviews` and `learner_settings` tables of
//! migration 0002, behind the study methods of [`mastery_storage::Storage`].
//!
//! A card is stored as explicit columns, in `cards` and twice in each `reviews` row
//! (`before_*`, `after_*`, all `before_*` NULL when the card was new). Writes follow the
//! crate's rule: the single writer connection, one `BEGIN IMMEDIATE` transaction per call,
//! so "read the card, compare, write" in [`SqliteStore::record_review_tx`] cannot
//! interleave with another write, from this process or another one sharing the file.

use mastery_storage::{
    CardPhase, LearnerId, Millis, QuestionKey, Recorded, Result, ReviewRecord, StorageError,
    StoredCard, check_setting, check_setting_name,
};
use sqlx::sqlite::SqliteRow;
use sqlx::{Row, SqliteConnection};

use crate::SqliteStore;

type Query<'q> = sqlx::query::Query<'q, sqlx::Sqlite, sqlx::sqlite::SqliteArguments<'q>>;

/// Binds a card's state columns, in the order every card statement uses (phase, step,
/// stability, difficulty, due, last_review, reps, lapses); `None` binds them all NULL (the
/// `before` of a first review).
fn bind_card<'q>(query: Query<'q>, card: Option<&'q StoredCard>) -> Query<'q> {
    query
        .bind(card.map(|c| c.phase.as_str()))
        .bind(card.map(|c| i64::from(c.step)))
        .bind(card.and_then(|c| c.stability))
        .bind(card.and_then(|c| c.difficulty))
        .bind(card.map(|c| c.due))
        .bind(card.and_then(|c| c.last_review))
        .bind(card.map(|c| i64::from(c.reps)))
        .bind(card.map(|c| i64::from(c.lapses)))
}

/// The columns of a card, in the order [`CARD_UPSERT`] and `REVIEW_INSERT` bind them
/// (`cards` names them plainly; `reviews` prefixes them with `before_` and `after_`).
macro_rules! card_columns {
    ($prefix:literal) => {
        concat!(
            $prefix,
            "phase, ",
            $prefix,
            "step, ",
            $prefix,
            "stability, ",
            $prefix,
            "difficulty, ",
            $prefix,
            "due, ",
            $prefix,
            "last_review, ",
            $prefix,
            "reps, ",
            $prefix,
            "lapses"
        )
    };
}

/// Every column of a review (read by name in [`SqliteStore::read_review`]).
macro_rules! review_columns {
    () => {
        concat!(
            "seq, review_id, guide_id, question_id, rating, reviewed_at, elapsed_days, \
             scheduled_days, time_spent_ms, ",
            card_columns!("before_"),
            ", ",
            card_columns!("after_")
        )
    };
}

const CARD_UPSERT: &str = concat!(
    "INSERT INTO cards (learner_id, guide_id, question_id, ",
    card_columns!(""),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11) \
     ON CONFLICT (learner_id, guide_id, question_id) DO UPDATE SET \
     phase = excluded.phase, step = excluded.step, stability = excluded.stability, \
     difficulty = excluded.difficulty, due = excluded.due, \
     last_review = excluded.last_review, reps = excluded.reps, lapses = excluded.lapses"
);

const CARD_SELECT: &str = concat!(
    "SELECT guide_id, question_id, ",
    card_columns!(""),
    " FROM cards WHERE learner_id = ?1 AND guide_id = ?2 AND question_id = ?3"
);

const REVIEW_INSERT: &str = concat!(
    "INSERT INTO reviews (learner_id, review_id, guide_id, question_id, rating, reviewed_at, \
     elapsed_days, scheduled_days, time_spent_ms, ",
    card_columns!("before_"),
    ", ",
    card_columns!("after_"),
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, \
     ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)"
);

impl SqliteStore {
    pub(crate) async fn cards_of(&self, learner: LearnerId) -> Result<Vec<StoredCard>> {
        let rows = sqlx::query(concat!(
            "SELECT guide_id, question_id, ",
            card_columns!(""),
            " FROM cards WHERE learner_id = ?1 ORDER BY guide_id, question_id"
        ))
        .bind(learner.0)
        .fetch_all(&self.readers)
        .await
        .map_err(|e| self.error(e))?;
        rows.iter().map(|row| self.read_card_row(row)).collect()
    }

    pub(crate) async fn card_of(
        &self,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> Result<Option<StoredCard>> {
        let row = sqlx::query(CARD_SELECT)
            .bind(learner.0)
            .bind(&key.guide)
            .bind(&key.question)
            .fetch_optional(&self.readers)
            .await
            .map_err(|e| self.error(e))?;
        row.map(|row| self.read_card_row(&row)).transpose()
    }

    /// Records one review inside the caller's write transaction (see `group.rs`): the
    /// duplicate check, the conflict check, the review row and the card.
    pub(crate) async fn record_review_in(
        &self,
        tx: &mut SqliteConnection,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<Recorded> {
        let stored = sqlx::query(concat!(
            "SELECT ",
            review_columns!(),
            " FROM reviews WHERE learner_id = ?1 AND review_id = ?2"
        ))
        .bind(learner.0)
        .bind(&review.id)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        if let Some(row) = stored {
            // A retry (or a reused id): the first one stands.
            return Ok(Recorded::Duplicate(self.read_review(&row)?.1));
        }
        let current = self.card_in(tx, learner, &review.key).await?;
        if current != review.before {
            return Err(StorageError::Conflict);
        }

        let before = review.before.as_ref();
        let after = &review.after;
        let query = sqlx::query(REVIEW_INSERT)
            .bind(learner.0)
            .bind(&review.id)
            .bind(&review.key.guide)
            .bind(&review.key.question)
            .bind(i64::from(review.rating))
            .bind(review.reviewed_at)
            .bind(review.elapsed_days)
            .bind(review.scheduled_days)
            .bind(review.time_spent_ms);
        let query = bind_card(bind_card(query, before), Some(after));
        query
            .execute(&mut *tx)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        self.put_card(tx, learner, after).await?;
        Ok(Recorded::New)
    }

    pub(crate) async fn undo_last_review_tx(
        &self,
        learner: LearnerId,
    ) -> Result<Option<ReviewRecord>> {
        let mut tx = self.write().await?;
        let latest = sqlx::query(concat!(
            "SELECT ",
            review_columns!(),
            " FROM reviews WHERE learner_id = ?1 ORDER BY reviewed_at DESC, seq DESC LIMIT 1"
        ))
        .bind(learner.0)
        .fetch_optional(&mut *tx)
        .await
        .map_err(|e| self.error(e))?;
        let Some(row) = latest else {
            return Ok(None);
        };
        let (seq, review) = self.read_review(&row)?;
        // Only undo onto the state this review produced: anything else would silently
        // throw away a later change of the card.
        let current = self.card_in(&mut tx, learner, &review.key).await?;
        if current.as_ref() != Some(&review.after) {
            return Err(StorageError::Conflict);
        }
        sqlx::query("DELETE FROM reviews WHERE seq = ?1")
            .bind(seq)
            .execute(&mut *tx)
            .await
            .map_err(|e| self.error(e))?;
        match &review.before {
            Some(before) => self.put_card(&mut tx, learner, before).await?,
            None => {
                sqlx::query(
                    "DELETE FROM cards \
                     WHERE learner_id = ?1 AND guide_id = ?2 AND question_id = ?3",
                )
                .bind(learner.0)
                .bind(&review.key.guide)
                .bind(&review.key.question)
                .execute(&mut *tx)
                .await
                .map_err(|e| self.error(e))?;
            }
        }
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(Some(review))
    }

    pub(crate) async fn reviews_of(
        &self,
        learner: LearnerId,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewRecord>> {
        let rows = sqlx::query(concat!(
            "SELECT ",
            review_columns!(),
            " FROM reviews WHERE learner_id = ?1 AND reviewed_at >= ?2 \
             ORDER BY reviewed_at, seq"
        ))
        .bind(learner.0)
        // A plain lower bound lets SQLite range-scan `reviews_by_time`.
        .bind(since.unwrap_or(Millis::MIN))
        .fetch_all(&self.readers)
        .await
        .map_err(|e| self.error(e))?;
        rows.iter()
            .map(|row| self.read_review(row).map(|(_, review)| review))
            .collect()
    }

    pub(crate) async fn learner_setting_of(
        &self,
        learner: LearnerId,
        name: &str,
    ) -> Result<Option<String>> {
        check_setting_name(name)?;
        sqlx::query_scalar("SELECT value FROM learner_settings WHERE learner_id = ?1 AND name = ?2")
            .bind(learner.0)
            .bind(name)
            .fetch_optional(&self.readers)
            .await
            .map_err(|e| self.error(e))
    }

    pub(crate) async fn set_learner_setting_tx(
        &self,
        learner: LearnerId,
        name: &str,
        value: &str,
    ) -> Result<()> {
        check_setting(name, value)?;
        let mut tx = self.write().await?;
        sqlx::query(
            "INSERT INTO learner_settings (learner_id, name, value) VALUES (?1, ?2, ?3) \
             ON CONFLICT (learner_id, name) DO UPDATE SET value = excluded.value",
        )
        .bind(learner.0)
        .bind(name)
        .bind(value)
        .execute(&mut *tx)
        .await
        .map_err(|e| self.learner_error(learner, e))?;
        tx.commit().await.map_err(|e| self.error(e))
    }

    /// The card stored now, read inside a write transaction.
    async fn card_in(
        &self,
        conn: &mut SqliteConnection,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> Result<Option<StoredCard>> {
        let row = sqlx::query(CARD_SELECT)
            .bind(learner.0)
            .bind(&key.guide)
            .bind(&key.question)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| self.error(e))?;
        row.map(|row| self.read_card_row(&row)).transpose()
    }

    /// Inserts or replaces the learner's card for `card.key`.
    async fn put_card(
        &self,
        conn: &mut SqliteConnection,
        learner: LearnerId,
        card: &StoredCard,
    ) -> Result<()> {
        let query = sqlx::query(CARD_UPSERT)
            .bind(learner.0)
            .bind(&card.key.guide)
            .bind(&card.key.question);
        bind_card(query, Some(card))
            .execute(&mut *conn)
            .await
            .map_err(|e| self.learner_error(learner, e))?;
        Ok(())
    }

    /// A row of `cards`: `guide_id, question_id`, then the card columns.
    fn read_card_row(&self, row: &SqliteRow) -> Result<StoredCard> {
        let key = QuestionKey {
            guide: self.get(row, "guide_id")?,
            question: self.get(row, "question_id")?,
        };
        self.read_card(row, "", key)?
            .ok_or_else(|| self.corrupt("a card without a phase"))
    }

    /// A row of `reviews`, with its `seq`.
    fn read_review(&self, row: &SqliteRow) -> Result<(i64, ReviewRecord)> {
        let key = QuestionKey {
            guide: self.get(row, "guide_id")?,
            question: self.get(row, "question_id")?,
        };
        let rating: i64 = self.get(row, "rating")?;
        let review = ReviewRecord {
            id: self.get(row, "review_id")?,
            rating: u8::try_from(rating)
                .map_err(|_| self.corrupt(&format!("a review rated {rating}")))?,
            reviewed_at: self.get(row, "reviewed_at")?,
            elapsed_days: self.get(row, "elapsed_days")?,
            scheduled_days: self.get(row, "scheduled_days")?,
            time_spent_ms: self.get(row, "time_spent_ms")?,
            before: self.read_card(row, "before_", key.clone())?,
            after: self
                .read_card(row, "after_", key.clone())?
                .ok_or_else(|| self.corrupt("a review without the card after it"))?,
            key,
        };
        Ok((self.get(row, "seq")?, review))
    }

    /// The card in the columns named `{prefix}phase`, ...; `None` when the phase is NULL.
    fn read_card(
        &self,
        row: &SqliteRow,
        prefix: &str,
        key: QuestionKey,
    ) -> Result<Option<StoredCard>> {
        let column = |name: &str| format!("{prefix}{name}");
        let Some(phase) = self.get::<Option<String>>(row, &column("phase"))? else {
            return Ok(None);
        };
        let phase: CardPhase = phase.parse().map_err(|e| self.corrupt(&format!("{e}")))?;
        let count = |name: &str| -> Result<u32> {
            let value: i64 = self.get(row, &column(name))?;
            u32::try_from(value).map_err(|_| self.corrupt(&format!("a card with {name} {value}")))
        };
        Ok(Some(StoredCard {
            key,
            phase,
            step: count("step")?,
            stability: self.get(row, &column("stability"))?,
            difficulty: self.get(row, &column("difficulty"))?,
            due: self.get(row, &column("due"))?,
            last_review: self.get(row, &column("last_review"))?,
            reps: count("reps")?,
            lapses: count("lapses")?,
        }))
    }

    /// One column of a row, by name.
    fn get<'r, T>(&self, row: &'r SqliteRow, column: &str) -> Result<T>
    where
        T: sqlx::Decode<'r, sqlx::Sqlite> + sqlx::Type<sqlx::Sqlite>,
    {
        row.try_get(column).map_err(|e| self.error(e))
    }

    /// Stored study state that breaks the data model (written by hand or damaged).
    fn corrupt(&self, what: &str) -> StorageError {
        StorageError::Corrupt(format!(
            "the database {} holds {what}, which Mastery does not understand",
            self.location
        ))
    }
}
