//! The statements every sqlx backend runs the same way, written once over any sqlx
//! [`Database`] whose types cover the schema (SQLite and PostgreSQL): their SQL is the
//! common dialect of both (`$N` parameters, `ON CONFLICT`, `RETURNING`, `LIMIT`), and
//! their results are decoded by name through [`Columns`].
//!
//! What differs between backends stays in the backends: how a write transaction is begun
//! and what it locks (SQLite's single writer with `BEGIN IMMEDIATE`; PostgreSQL's row lock
//! on the learner), and the errors. Each function here is one or a few statements run on
//! the executor it is given: a pool for reads, the backend's open transaction for writes.

use std::marker::PhantomData;
use std::sync::LazyLock;

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{
    ACCOUNT_FIELDS, CARD_COLUMNS, Columns, Decoder, INTERVIEW_COLUMNS, INVITE_COLUMNS,
    SESSION_COLUMNS, account_columns, card_columns, review_columns,
};
use crate::dump::{ACCOUNT_SECURITY_TABLES, Cell, ColumnKind, DumpTable};
use crate::{
    ACCOUNT_KIND, Account, Admission, Dump, DumpLearner, DumpReview, DumpSecret, DumpSetting,
    DumpSiteSetting, FoundSession, Invite, LearnerId, LearnerRestore, Mark, Millis, NewAccount,
    Note, Owned, QuestionKey, Result, ReviewDay, ReviewRecord, Role, Setting, StorageError,
    StoredCard, StoredInterview, StoredSession, Taken, check_text,
};

/// The statements of this module for the database `DB` (`Queries::<Sqlite>::marks(...)`).
/// Every bound of `DB` is stated once, here; the concrete backends meet them all.
#[derive(Debug)]
pub struct Queries<DB>(PhantomData<DB>);

type Query<'q, DB> = sqlx::query::Query<'q, DB, <DB as Database>::Arguments<'q>>;

static REVIEW_SELECT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM reviews", review_columns()));

/// Appends a review with the sequence number given as `$1`.
static REVIEW_INSERT: LazyLock<String> = LazyLock::new(|| review_insert(true));

/// Appends a review numbered by the database (an explicit NULL would be refused by
/// PostgreSQL's identity column).
static REVIEW_APPEND: LazyLock<String> = LazyLock::new(|| review_insert(false));

fn review_insert(with_seq: bool) -> String {
    let columns = if with_seq { 26 } else { 25 };
    multi_row(&review_head(with_seq), columns, 1, Marks::Numbered)
}

/// `INSERT INTO reviews (…)` with every column, `seq` first when `with_seq`.
fn review_head(with_seq: bool) -> String {
    let columns = format!(
        "learner_id, review_id, guide_id, question_id, rating, reviewed_at, elapsed_days, \
         scheduled_days, time_spent_ms, {}, {}",
        card_columns("before_"),
        card_columns("after_")
    );
    if with_seq {
        format!("INSERT INTO reviews (seq, {columns})")
    } else {
        format!("INSERT INTO reviews ({columns})")
    }
}

/// Rows per statement when an import writes reviews and cards: 500 rows a statement cut
/// PostgreSQL's round trips, and the hand-offs to SQLite's worker thread, by as much
/// (within the parameters either binds in one statement: 26 columns × 500 rows = 13,000;
/// SQLite takes 32,766, PostgreSQL 65,535).
const IMPORT_BATCH: usize = 500;

/// How a statement of [`multi_row`] marks its parameters: numbered (`$1`) on PostgreSQL,
/// plain `?` on SQLite, which finds a numbered or named parameter's name by walking the
/// list of those before it each time one is bound (a statement of 13,000 `$N` or `?N`
/// made an import twelve times slower than one row at a time: 28 s to 331 s for 776,711
/// reviews); plain `?` are bound in order.
#[derive(Debug, Clone, Copy)]
enum Marks {
    Numbered,
    InOrder,
}

fn parameter_marks<DB: Database>() -> Marks {
    if DB::NAME == "SQLite" {
        Marks::InOrder
    } else {
        Marks::Numbered
    }
}

/// `head VALUES ($1, …, $columns), (…)` for `rows` rows.
fn multi_row(head: &str, columns: usize, rows: usize, marks: Marks) -> String {
    let mut sql = format!("{head} VALUES ");
    for row in 0..rows {
        if row > 0 {
            sql.push_str(", ");
        }
        sql.push('(');
        for column in 0..columns {
            if column > 0 {
                sql.push_str(", ");
            }
            match marks {
                Marks::Numbered => {
                    sql.push('$');
                    sql.push_str(&(row * columns + column + 1).to_string());
                }
                Marks::InOrder => sql.push('?'),
            }
        }
        sql.push(')');
    }
    sql
}

static CARD_UPSERT: LazyLock<String> = LazyLock::new(|| {
    let updates: Vec<String> = CARD_COLUMNS
        .split(", ")
        .map(|c| format!("{c} = excluded.{c}"))
        .collect();
    format!(
        "INSERT INTO cards (learner_id, guide_id, question_id, {CARD_COLUMNS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
         ON CONFLICT (learner_id, guide_id, question_id) DO UPDATE SET {}",
        updates.join(", ")
    )
});

static CARD_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT learner_id, guide_id, question_id, {CARD_COLUMNS} FROM cards")
});

static INTERVIEW_SELECT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {INTERVIEW_COLUMNS} FROM interviews"));

static ACCOUNT_SELECT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {} FROM accounts a", account_columns()));

static ACCOUNT_INSERT: LazyLock<String> = LazyLock::new(|| {
    let params: Vec<String> = (1..=ACCOUNT_FIELDS.len())
        .map(|n| format!("${n}"))
        .collect();
    format!(
        "INSERT INTO accounts ({}) VALUES ({})",
        ACCOUNT_FIELDS.join(", "),
        params.join(", ")
    )
});

/// A learner's reviews (`$1`) from a time on (`$2`): a plain lower bound lets the database
/// range-scan its time index.
const LEARNER_REVIEWS_FROM: &str = "WHERE learner_id = $1 AND reviewed_at >= $2";

/// [`LEARNER_REVIEWS_FROM`] summed per day shifted by `$3` milliseconds
/// ([`crate::Storage::review_days`]). The day is ⌊(reviewed_at + $3) / DAY⌋ reckoned as
/// q + ⌊(r + $3) / DAY⌋ with reviewed_at = q·DAY + r, 0 ≤ r < DAY (so no instant overflows;
/// `r + $3 + 2·DAY` is never negative for a shift of at most two days, so integer division
/// is the floor), as `DayClock::day_index` reckons it.
static REVIEW_DAYS: LazyLock<String> = LazyLock::new(|| {
    let day = crate::DAY_MS;
    let negative = format!("CASE WHEN reviewed_at % {day} < 0 THEN 1 ELSE 0 END");
    format!(
        "SELECT day, COUNT(*) AS reviews, \
         CAST(SUM(CASE WHEN time_spent_ms < 0 THEN 0 WHEN time_spent_ms > {day} THEN {day} \
         ELSE time_spent_ms END) AS BIGINT) \
         AS time_ms, \
         CAST(SUM(CASE WHEN before_phase = 'review' THEN 1 ELSE 0 END) AS BIGINT) AS matured, \
         CAST(SUM(CASE WHEN before_phase = 'review' AND rating <> 1 THEN 1 ELSE 0 END) AS BIGINT) \
         AS passed \
         FROM (SELECT reviewed_at / {day} - {negative} \
         + (reviewed_at % {day} + {day} * {negative} + $3 + {two_days}) / {day} - 2 AS day, \
         time_spent_ms, before_phase, rating FROM reviews {LEARNER_REVIEWS_FROM}) AS r \
         GROUP BY day ORDER BY day",
        two_days = 2 * day,
    )
});

static SESSION_SELECT: LazyLock<String> = LazyLock::new(|| {
    format!("SELECT {SESSION_COLUMNS}, s.learner_id AS learner_id FROM sessions s")
});

/// A session, its account and its learner's data revision by the session's id digest
/// (`$1`): one query.
static SESSION_WITH_ACCOUNT: LazyLock<String> = LazyLock::new(|| {
    format!(
        "SELECT {SESSION_COLUMNS}, {}, l.data_revision AS data_revision FROM sessions s \
         JOIN accounts a ON a.learner_id = s.learner_id \
         JOIN learners l ON l.id = s.learner_id WHERE s.id_hash = $1",
        account_columns()
    )
});

static INVITE_SELECT: LazyLock<String> =
    LazyLock::new(|| format!("SELECT {INVITE_COLUMNS} FROM invites"));

/// Stores an invitation numbered by the database (an explicit NULL would be refused by
/// PostgreSQL's identity column).
static INVITE_INSERT: LazyLock<String> = LazyLock::new(|| invite_insert(false));

/// Stores an invitation with the number given as `$1` (an import).
static INVITE_INSERT_WITH_ID: LazyLock<String> = LazyLock::new(|| invite_insert(true));

fn invite_insert(with_id: bool) -> String {
    let columns =
        "token_hash, label, created_by, created_at, expires_at, max_uses, uses, revoked_at";
    let (columns, count) = if with_id {
        (format!("id, {columns}"), 9)
    } else {
        (columns.to_owned(), 8)
    };
    let params: Vec<String> = (1..=count).map(|n| format!("${n}")).collect();
    format!(
        "INSERT INTO invites ({columns}) VALUES ({}) RETURNING id",
        params.join(", ")
    )
}

/// A key with a NUL character cannot be stored (see [`crate::check_text`]): reads naming one
/// find nothing without asking the database (PostgreSQL would refuse the parameter).
fn storable(key: &QuestionKey) -> bool {
    crate::check_key(key).is_ok()
}

impl<DB> Queries<DB>
where
    DB: Database,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
    <DB as Database>::Row: Columns,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> f64: Encode<'q, DB> + Type<DB>,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> &'q [u8]: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
    for<'q> Option<f64>: Encode<'q, DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
{
    // ------------------------------------------------------------------ marks, notes

    /// The learner's data revision (`None` for an unknown learner).
    pub async fn data_revision<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<i64>> {
        let row = sqlx::query("SELECT data_revision FROM learners WHERE id = $1")
            .bind(learner.0)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.int(&row, "data_revision")).transpose()
    }

    /// Every mark of the learner, by key.
    pub async fn marks<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<Mark>> {
        let rows = sqlx::query(
            "SELECT guide_id, question_id, marked_at FROM marks WHERE learner_id = $1 \
             ORDER BY guide_id, question_id",
        )
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| {
                Ok(Mark {
                    key: d.key(row)?,
                    at: d.int(row, "marked_at")?,
                })
            })
            .collect()
    }

    /// Ticks (insert, keeping an existing time) or unticks; whether a row changed.
    pub async fn set_mark<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        key: &QuestionKey,
        mastered: bool,
        at: Millis,
    ) -> std::result::Result<bool, sqlx::Error> {
        // `RETURNING` tells whether a row changed in both dialects (the affected-row count
        // is not part of sqlx's generic interface).
        let changed = if mastered {
            let query = sqlx::query(
                "INSERT INTO marks (learner_id, guide_id, question_id, marked_at) \
                 VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (learner_id, guide_id, question_id) DO NOTHING RETURNING learner_id",
            );
            bind_key(query, learner, key).bind(at).fetch_all(e).await?
        } else {
            let query = sqlx::query(
                "DELETE FROM marks WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3 \
                 RETURNING learner_id",
            );
            bind_key(query, learner, key).fetch_all(e).await?
        };
        Ok(!changed.is_empty())
    }

    /// The learner's note on a question.
    pub async fn note<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> Result<Option<Note>> {
        if !storable(key) {
            return Ok(None);
        }
        let query = sqlx::query(
            "SELECT guide_id, question_id, body, updated_at FROM notes \
             WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3",
        );
        let row = bind_key(query, learner, key)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.note(&row)).transpose()
    }

    /// Every note of the learner, by key.
    pub async fn notes<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<Note>> {
        let rows = sqlx::query(
            "SELECT guide_id, question_id, body, updated_at FROM notes WHERE learner_id = $1 \
             ORDER BY guide_id, question_id",
        )
        .bind(learner.0)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.note(row)).collect()
    }

    /// Saves a note (checked by the caller); a blank body deletes it.
    pub async fn save_note<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        key: &QuestionKey,
        body: &str,
        at: Millis,
    ) -> std::result::Result<(), sqlx::Error> {
        if body.trim().is_empty() {
            let query = sqlx::query(
                "DELETE FROM notes WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3",
            );
            bind_key(query, learner, key).execute(e).await?;
        } else {
            let query = sqlx::query(
                "INSERT INTO notes (learner_id, guide_id, question_id, body, updated_at) \
                 VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (learner_id, guide_id, question_id) \
                 DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at",
            );
            bind_key(query, learner, key)
                .bind(body)
                .bind(at)
                .execute(e)
                .await?;
        }
        Ok(())
    }

    /// Deletes the learner's mark, note, card and reviews of one question.
    pub async fn forget(
        conn: &mut DB::Connection,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> std::result::Result<(), sqlx::Error> {
        for table in ["marks", "notes", "cards", "reviews"] {
            let sql = format!(
                "DELETE FROM {table} WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3"
            );
            bind_key(sqlx::query(&sql), learner, key)
                .execute(&mut *conn)
                .await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------- cards, reviews

    /// Every card of the learner, by key.
    pub async fn cards<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<StoredCard>> {
        let sql = format!(
            "{} WHERE learner_id = $1 ORDER BY guide_id, question_id",
            *CARD_SELECT
        );
        let rows = sqlx::query(&sql)
            .bind(learner.0)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.card(row)).collect()
    }

    /// The learner's card for one question.
    pub async fn card<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> Result<Option<StoredCard>> {
        if !storable(key) {
            return Ok(None);
        }
        let sql = format!(
            "{} WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3",
            *CARD_SELECT
        );
        let row = bind_key(sqlx::query(&sql), learner, key)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.card(&row)).transpose()
    }

    /// Inserts or replaces the learner's card for `card.key`.
    pub async fn put_card<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        card: &StoredCard,
    ) -> std::result::Result<(), sqlx::Error> {
        let query = bind_key(sqlx::query(&CARD_UPSERT), learner, &card.key);
        bind_card(query, Some(card)).execute(e).await?;
        Ok(())
    }

    /// Deletes the learner's card of one question.
    pub async fn delete_card<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        key: &QuestionKey,
    ) -> std::result::Result<(), sqlx::Error> {
        let query = sqlx::query(
            "DELETE FROM cards WHERE learner_id = $1 AND guide_id = $2 AND question_id = $3",
        );
        bind_key(query, learner, key).execute(e).await?;
        Ok(())
    }

    /// The learner's review with this id, if recorded.
    pub async fn review_by_id<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        id: &str,
    ) -> Result<Option<ReviewRecord>> {
        let sql = format!(
            "{} WHERE learner_id = $1 AND review_id = $2",
            *REVIEW_SELECT
        );
        let row = sqlx::query(&sql)
            .bind(learner.0)
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        Ok(row
            .map(|row| d.review(&row))
            .transpose()?
            .map(|(_, _, r)| r))
    }

    /// The review undo takes (latest `reviewed_at`, then the highest `seq`), with its seq.
    pub async fn latest_review<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<(i64, ReviewRecord)>> {
        let sql = format!(
            "{} WHERE learner_id = $1 ORDER BY reviewed_at DESC, seq DESC LIMIT 1",
            *REVIEW_SELECT
        );
        let row = sqlx::query(&sql)
            .bind(learner.0)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        Ok(row
            .map(|row| d.review(&row))
            .transpose()?
            .map(|(seq, _, r)| (seq, r)))
    }

    /// The learner's reviews by time, then recording order, from `since` on.
    pub async fn reviews<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewRecord>> {
        let sql = format!(
            "{} {LEARNER_REVIEWS_FROM} ORDER BY reviewed_at, seq",
            *REVIEW_SELECT
        );
        let rows = sqlx::query(&sql)
            .bind(learner.0)
            // A plain lower bound lets the database range-scan its time index.
            .bind(since.unwrap_or(Millis::MIN))
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| d.review(row).map(|(_, _, review)| review))
            .collect()
    }

    /// The learner's reviews summed per day ([`crate::Storage::review_days`]).
    pub async fn review_days<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        shift_ms: i64,
        since: Option<Millis>,
    ) -> Result<Vec<ReviewDay>> {
        if shift_ms.unsigned_abs() > crate::MAX_DAY_SHIFT_MS.unsigned_abs() {
            return Err(StorageError::Invalid(format!(
                "a day starts at most two days from UTC midnight, not {shift_ms} ms"
            )));
        }
        let rows = sqlx::query(&REVIEW_DAYS)
            .bind(learner.0)
            .bind(since.unwrap_or(Millis::MIN))
            .bind(shift_ms)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.review_day(row)).collect()
    }

    /// Appends a review to the log; `seq` `None` lets the database number it.
    pub async fn insert_review<'e>(
        e: impl Executor<'e, Database = DB>,
        seq: Option<i64>,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> std::result::Result<(), sqlx::Error> {
        let query = match seq {
            Some(seq) => sqlx::query(&REVIEW_INSERT).bind(seq),
            None => sqlx::query(&REVIEW_APPEND),
        };
        bind_review(query, learner, review).execute(e).await?;
        Ok(())
    }

    /// Deletes one review of the log by its sequence number.
    pub async fn delete_review<'e>(
        e: impl Executor<'e, Database = DB>,
        seq: i64,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM reviews WHERE seq = $1")
            .bind(seq)
            .execute(e)
            .await?;
        Ok(())
    }

    /// Records a review inside the caller's write transaction, which must keep every other
    /// writer of the learner's cards out until it ends (SQLite's write lock, PostgreSQL's
    /// learner row lock): the duplicate check, the conflict check, the review and the card.
    ///
    /// # Errors
    ///
    /// As [`crate::Storage::record_review`] (the review itself is checked by the caller).
    pub async fn record_review(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        review: &ReviewRecord,
    ) -> Result<crate::Recorded> {
        if let Some(stored) = Self::review_by_id(&mut *conn, d, learner, &review.id).await? {
            // A retry (or a reused id): the first one stands.
            return Ok(crate::Recorded::Duplicate(stored));
        }
        let current = Self::card(&mut *conn, d, learner, &review.key).await?;
        if current != review.before {
            return Err(StorageError::Conflict);
        }
        let learner_error = |e| super::learner_error(learner, e, |e| d.error(e));
        Self::insert_review(&mut *conn, None, learner, review)
            .await
            .map_err(learner_error)?;
        Self::put_card(&mut *conn, learner, &review.after)
            .await
            .map_err(learner_error)?;
        Ok(crate::Recorded::New)
    }

    /// Undoes the learner's latest review inside the caller's write transaction (locked as
    /// for [`Queries::record_review`]).
    ///
    /// # Errors
    ///
    /// As [`crate::Storage::undo_last_review`].
    pub async fn undo_last_review(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<ReviewRecord>> {
        let Some((seq, review)) = Self::latest_review(&mut *conn, d, learner).await? else {
            return Ok(None);
        };
        // Only undo onto the state this review produced: anything else would silently
        // throw away a later change of the card.
        let current = Self::card(&mut *conn, d, learner, &review.key).await?;
        if current.as_ref() != Some(&review.after) {
            return Err(StorageError::Conflict);
        }
        Self::delete_review(&mut *conn, seq)
            .await
            .map_err(|e| d.error(e))?;
        match &review.before {
            Some(before) => Self::put_card(&mut *conn, learner, before).await,
            None => Self::delete_card(&mut *conn, learner, &review.key).await,
        }
        .map_err(|e| d.error(e))?;
        Ok(Some(review))
    }

    // ---------------------------------------------------------------- settings, secrets

    /// One of the learner's settings (the name checked by the caller).
    pub async fn learner_setting<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        name: &str,
    ) -> Result<Option<String>> {
        let row =
            sqlx::query("SELECT value FROM learner_settings WHERE learner_id = $1 AND name = $2")
                .bind(learner.0)
                .bind(name)
                .fetch_optional(e)
                .await
                .map_err(|e| d.error(e))?;
        row.map(|row| d.text(&row, "value")).transpose()
    }

    /// Every setting of the learner, by name.
    pub async fn learner_settings<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<std::collections::BTreeMap<String, String>> {
        let rows = sqlx::query("SELECT name, value FROM learner_settings WHERE learner_id = $1")
            .bind(learner.0)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok((d.text(row, "name")?, d.text(row, "value")?)))
            .collect()
    }

    /// As [`crate::Storage::learners_with_setting`].
    pub async fn learners_with_setting<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        name: &str,
        value: &str,
    ) -> Result<Vec<LearnerId>> {
        let rows = sqlx::query(
            "SELECT learner_id FROM learner_settings WHERE name = $1 AND value = $2 \
             ORDER BY learner_id",
        )
        .bind(name)
        .bind(value)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok(LearnerId(d.int(row, "learner_id")?)))
            .collect()
    }

    /// Sets one of the learner's settings (checked by the caller).
    pub async fn set_learner_setting<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        name: &str,
        value: &str,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO learner_settings (learner_id, name, value) VALUES ($1, $2, $3) \
             ON CONFLICT (learner_id, name) DO UPDATE SET value = excluded.value",
        )
        .bind(learner.0)
        .bind(name)
        .bind(value)
        .execute(e)
        .await?;
        Ok(())
    }

    /// Stores `fresh` under `name` unless a value is there (one statement of the two that
    /// [`crate::Storage::secret`] runs in a transaction).
    pub async fn insert_secret<'e>(
        e: impl Executor<'e, Database = DB>,
        name: &str,
        fresh: &[u8],
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(fresh)
        .execute(e)
        .await?;
        Ok(())
    }

    /// The value stored under `name`.
    pub async fn read_secret<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        name: &str,
    ) -> Result<Vec<u8>> {
        let row = sqlx::query("SELECT value FROM secrets WHERE name = $1")
            .bind(name)
            .fetch_one(e)
            .await
            .map_err(|e| d.error(e))?;
        d.sql(row.bytes("value"))
    }

    // ----------------------------------------------------------------------- interviews

    /// One of the learner's interviews (the id checked by the caller).
    pub async fn interview<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        id: &str,
    ) -> Result<Option<StoredInterview>> {
        let sql = format!(
            "{} WHERE learner_id = $1 AND interview_id = $2",
            *INTERVIEW_SELECT
        );
        let row = sqlx::query(&sql)
            .bind(learner.0)
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.interview(&row)).transpose()
    }

    /// The learner's interviews, newest first.
    pub async fn interviews<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        limit: u32,
    ) -> Result<Vec<StoredInterview>> {
        let sql = format!(
            "{} WHERE learner_id = $1 ORDER BY started_at DESC, interview_id DESC LIMIT $2",
            *INTERVIEW_SELECT
        );
        let rows = sqlx::query(&sql)
            .bind(learner.0)
            .bind(i64::from(limit))
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.interview(row)).collect()
    }

    /// Inserts or replaces an interview (the revision rule is the caller's).
    pub async fn put_interview<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        interview: &StoredInterview,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO interviews (learner_id, interview_id, guide_id, revision, started_at, \
             finished_at, score, state) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (learner_id, interview_id) DO UPDATE SET guide_id = excluded.guide_id, \
             revision = excluded.revision, started_at = excluded.started_at, \
             finished_at = excluded.finished_at, score = excluded.score, state = excluded.state, \
             missed_recorded = 0",
        )
        .bind(learner.0)
        .bind(interview.id.as_str())
        .bind(interview.guide.as_str())
        .bind(interview.revision)
        .bind(interview.started_at)
        .bind(interview.finished_at)
        .bind(interview.score)
        .bind(interview.state.as_str())
        .execute(e)
        .await?;
        Ok(())
    }

    /// Saves an interview inside the caller's write transaction (locked as for
    /// [`Queries::record_review`]) when the stored revision is the one it replaces.
    ///
    /// # Errors
    ///
    /// As [`crate::Storage::save_interview`] (the interview is checked by the caller).
    pub async fn save_interview(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        interview: &StoredInterview,
    ) -> Result<()> {
        let stored = Self::interview(&mut *conn, d, learner, &interview.id).await?;
        let expected = (interview.revision > 1).then(|| interview.revision - 1);
        if stored.map(|s| s.revision) != expected {
            return Err(StorageError::Conflict);
        }
        Self::put_interview(&mut *conn, learner, interview)
            .await
            .map_err(|e| super::learner_error(learner, e, |e| d.error(e)))
    }

    // -------------------------------------------------------------------------- restore

    /// Writes a restore inside the caller's write transaction (locked as for
    /// [`Queries::record_review`]): first compares every row to replace with what is
    /// stored, then writes. The restore is checked by the caller.
    ///
    /// # Errors
    ///
    /// As [`crate::Storage::restore_learner`]. Writes may have happened on `conn` when it
    /// fails: the caller rolls back (drops the transaction).
    pub async fn restore_learner(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        restore: &LearnerRestore,
    ) -> Result<()> {
        for note in &restore.notes {
            let stored = Self::note(&mut *conn, d, learner, &note.value.key).await?;
            if stored != note.expected {
                return Err(StorageError::Conflict);
            }
        }
        for card in &restore.cards {
            let stored = Self::card(&mut *conn, d, learner, &card.value.key).await?;
            if stored != card.expected {
                return Err(StorageError::Conflict);
            }
        }
        for setting in &restore.settings {
            let name = setting.value.name.as_str();
            let stored = Self::learner_setting(&mut *conn, d, learner, name).await?;
            if stored.as_deref() != setting.expected.as_ref().map(|s| s.value.as_str()) {
                return Err(StorageError::Conflict);
            }
        }
        for interview in &restore.interviews {
            let stored = Self::interview(&mut *conn, d, learner, &interview.value.id).await?;
            if stored != interview.expected {
                return Err(StorageError::Conflict);
            }
        }
        let learner_error = |e| super::learner_error(learner, e, |e| d.error(e));
        for mark in &restore.marks {
            Self::set_mark(&mut *conn, learner, &mark.key, true, mark.at)
                .await
                .map_err(learner_error)?;
        }
        for note in &restore.notes {
            let Note {
                key,
                body,
                updated_at,
            } = &note.value;
            Self::save_note(&mut *conn, learner, key, body, *updated_at)
                .await
                .map_err(learner_error)?;
        }
        for card in &restore.cards {
            Self::put_card(&mut *conn, learner, &card.value)
                .await
                .map_err(learner_error)?;
        }
        for review in &restore.reviews {
            if Self::review_by_id(&mut *conn, d, learner, &review.id)
                .await?
                .is_none()
            {
                Self::insert_review(&mut *conn, None, learner, review)
                    .await
                    .map_err(learner_error)?;
            }
        }
        for setting in &restore.settings {
            let Setting { name, value } = &setting.value;
            Self::set_learner_setting(&mut *conn, learner, name, value)
                .await
                .map_err(learner_error)?;
        }
        for interview in &restore.interviews {
            Self::put_interview(&mut *conn, learner, &interview.value)
                .await
                .map_err(learner_error)?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------- accounts

    /// Creates an account inside the caller's write transaction (see
    /// [`crate::AccountStorage::create_account`]; the fields are checked by the caller with
    /// [`NewAccount::check`]). The caller's transaction must keep other creations of a
    /// first admin out until it ends (SQLite's write lock; on PostgreSQL a lock on
    /// `accounts` for [`Admission::FirstAdmin`]); the invitation and the personal learner
    /// are claimed by single statements that are safe under READ COMMITTED.
    ///
    /// # Errors
    ///
    /// As [`crate::AccountStorage::create_account`]. Writes may have happened on `conn`
    /// when it fails: the caller rolls back (drops the transaction).
    pub async fn create_account(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        new: &NewAccount<'_>,
    ) -> Result<LearnerId> {
        // Asked first so that the answer does not depend on the order in which the
        // database checks its indexes; the unique indexes stay the guard (a concurrent
        // creation on PostgreSQL), mapped to the same errors by the backend.
        let row = sqlx::query(
            "SELECT COUNT(CASE WHEN username_key = $1 THEN 1 END) AS usernames, \
             COUNT(CASE WHEN email_key = $2 THEN 1 END) AS emails \
             FROM accounts WHERE username_key = $1 OR email_key = $2",
        )
        .bind(new.username_key)
        .bind(new.email_key)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if d.int(&row, "usernames")? > 0 {
            return Err(StorageError::Taken(Taken::Username));
        }
        if d.int(&row, "emails")? > 0 {
            return Err(StorageError::Taken(Taken::Email));
        }

        let mut team_invited = None;
        match new.admission {
            Admission::Direct => {}
            Admission::Invite { token_hash } => {
                // One statement checks and takes a use: two sign-ups racing for the last
                // use cannot both get it (the second re-reads the row after the first).
                let used = sqlx::query(
                    "UPDATE invites SET uses = uses + 1 WHERE token_hash = $1 \
                     AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses \
                     RETURNING id",
                )
                .bind(token_hash)
                .bind(new.at)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
                if used.is_none() {
                    return Err(StorageError::Invalid(
                        "this invitation link has expired, was revoked or has been used up".into(),
                    ));
                }
            }
            Admission::TeamInvite { token_hash } => {
                // One statement checks and takes a use, as for site invitations; the new
                // account is then invited to the team (it chooses whether to share).
                let open = sqlx::query(
                    "UPDATE team_invites SET uses = uses + 1 WHERE token_hash = $1 \
                     AND revoked_at IS NULL AND expires_at > $2 AND uses < max_uses \
                     AND team_id IN (SELECT id FROM teams WHERE open_invites = 1) \
                     RETURNING team_id",
                )
                .bind(token_hash)
                .bind(new.at)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
                match open {
                    Some(row) => team_invited = Some(d.int(&row, "team_id")?),
                    None => {
                        return Err(StorageError::Invalid(
                            "this team link has expired, was revoked, has been used up or \
                             cannot create accounts"
                                .into(),
                        ));
                    }
                }
            }
            Admission::FirstAdmin => {
                let row = sqlx::query("SELECT COUNT(*) AS admins FROM accounts WHERE role = $1")
                    .bind(Role::Admin.as_str())
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| d.error(e))?;
                if d.int(&row, "admins")? > 0 {
                    return Err(StorageError::Invalid(
                        "an admin account exists already: the setup link only creates the \
                         first one"
                            .into(),
                    ));
                }
            }
        }

        // An admin takes over the learner of personal mode, if there is one, with all it
        // owns. The UPDATE claims it atomically: of two admins created at once, the second
        // finds no personal learner left and starts empty.
        let adopted = if new.role == Role::Admin {
            sqlx::query("UPDATE learners SET kind = $1 WHERE kind = 'personal' RETURNING id")
                .bind(ACCOUNT_KIND)
                .fetch_optional(&mut *conn)
                .await
                .map_err(|e| d.error(e))?
        } else {
            None
        };
        let row = match adopted {
            Some(row) => row,
            None => {
                sqlx::query("INSERT INTO learners (kind, created_at) VALUES ($1, $2) RETURNING id")
                    .bind(ACCOUNT_KIND)
                    .bind(new.at)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(|e| d.error(e))?
            }
        };
        let learner = LearnerId(d.int(&row, "id")?);
        let account = Account {
            learner,
            username: new.username.to_owned(),
            username_key: new.username_key.to_owned(),
            email: new.email.map(str::to_owned),
            email_key: new.email_key.map(str::to_owned),
            password_hash: new.password_hash.to_owned(),
            role: new.role,
            created_at: new.at,
            password_changed_at: new.at,
            disabled_at: None,
        };
        Self::insert_account(&mut *conn, &account)
            .await
            .map_err(|e| d.error(e))?;
        if let Some(team) = team_invited {
            sqlx::query(
                "INSERT INTO team_members (team_id, learner_id, role, sharing, invited_at, \
                 joined_at) VALUES ($1, $2, 'member', 0, $3, NULL)",
            )
            .bind(team)
            .bind(learner.0)
            .bind(new.at)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        }
        Ok(learner)
    }

    /// Inserts an account row as it is (its learner exists).
    async fn insert_account<'e>(
        e: impl Executor<'e, Database = DB>,
        account: &Account,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(&ACCOUNT_INSERT)
            .bind(account.learner.0)
            .bind(account.username.as_str())
            .bind(account.username_key.as_str())
            .bind(account.email.as_deref())
            .bind(account.email_key.as_deref())
            .bind(account.password_hash.as_str())
            .bind(account.role.as_str())
            .bind(account.created_at)
            .bind(account.password_changed_at)
            .bind(account.disabled_at)
            .execute(e)
            .await?;
        Ok(())
    }

    /// The account of a learner.
    pub async fn account<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Option<Account>> {
        let sql = format!("{} WHERE a.learner_id = $1", *ACCOUNT_SELECT);
        let row = sqlx::query(&sql)
            .bind(learner.0)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.account(&row)).transpose()
    }

    /// The account whose username key or e-mail key is `key` (the username first, should
    /// one account's username key be another's e-mail key).
    pub async fn account_by_key<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        key: &str,
    ) -> Result<Option<Account>> {
        if check_text("a key", key).is_err() {
            return Ok(None);
        }
        let sql = format!(
            "{} WHERE a.username_key = $1 OR a.email_key = $1 \
             ORDER BY CASE WHEN a.username_key = $1 THEN 0 ELSE 1 END LIMIT 1",
            *ACCOUNT_SELECT
        );
        let row = sqlx::query(&sql)
            .bind(key)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.account(&row)).transpose()
    }

    /// Every account, by username key.
    pub async fn accounts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<Account>> {
        let sql = format!("{} ORDER BY a.username_key", *ACCOUNT_SELECT);
        let rows = sqlx::query(&sql)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.account(row)).collect()
    }

    /// How many accounts, and how many admins.
    pub async fn account_counts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<(u64, u64)> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS accounts, COUNT(CASE WHEN role = $1 THEN 1 END) AS admins \
             FROM accounts",
        )
        .bind(Role::Admin.as_str())
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        let count = |column: &str| -> Result<u64> {
            let n = d.int(&row, column)?;
            u64::try_from(n).map_err(|_| d.corrupt(&format!("a count of {n} {column}")))
        };
        Ok((count("accounts")?, count("admins")?))
    }

    /// How many admins exist: `role` as a literal, so that the planner reads the index on
    /// it (few admins among many accounts).
    pub async fn admin_count<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<u64> {
        let sql = format!(
            "SELECT COUNT(*) AS admins FROM accounts WHERE role = '{}'",
            Role::Admin.as_str()
        );
        let row = sqlx::query(&sql)
            .fetch_one(e)
            .await
            .map_err(|e| d.error(e))?;
        let n = d.int(&row, "admins")?;
        u64::try_from(n).map_err(|_| d.corrupt(&format!("a count of {n} admins")))
    }

    /// Replaces the password hash (checked by the caller); whether the account exists.
    pub async fn set_password<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        hash: &str,
        at: Millis,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "UPDATE accounts SET password_hash = $2, password_changed_at = $3 \
             WHERE learner_id = $1 RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(hash)
        .bind(at)
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    /// Sets or removes the e-mail address (checked by the caller); whether the account
    /// exists. A key taken by another account breaks the unique index.
    pub async fn set_email<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        email: Option<(&str, &str)>,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "UPDATE accounts SET email = $2, email_key = $3 WHERE learner_id = $1 \
             RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(email.map(|(typed, _)| typed))
        .bind(email.map(|(_, key)| key))
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    /// Changes the role; whether the account exists.
    pub async fn set_role<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        role: Role,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows =
            sqlx::query("UPDATE accounts SET role = $2 WHERE learner_id = $1 RETURNING learner_id")
                .bind(learner.0)
                .bind(role.as_str())
                .fetch_all(e)
                .await?;
        Ok(!rows.is_empty())
    }

    /// Disables or enables the account inside the caller's transaction; disabling deletes
    /// the learner's sessions too. Whether the account exists.
    pub async fn set_disabled(
        conn: &mut DB::Connection,
        learner: LearnerId,
        at: Option<Millis>,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "UPDATE accounts SET disabled_at = $2 WHERE learner_id = $1 RETURNING learner_id",
        )
        .bind(learner.0)
        .bind(at)
        .fetch_all(&mut *conn)
        .await?;
        if rows.is_empty() {
            return Ok(false);
        }
        if at.is_some() {
            sqlx::query("DELETE FROM sessions WHERE learner_id = $1")
                .bind(learner.0)
                .execute(&mut *conn)
                .await?;
        }
        Ok(true)
    }

    /// Deletes the learner of an account, and with it (`ON DELETE CASCADE`) the account and
    /// everything the learner owns; invitations it created lose their creator (`ON DELETE
    /// SET NULL`). A learner without an account is left alone. Whether it existed.
    pub async fn delete_account<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "DELETE FROM learners \
             WHERE id IN (SELECT learner_id FROM accounts WHERE learner_id = $1) RETURNING id",
        )
        .bind(learner.0)
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    // ------------------------------------------------------------------------- sessions

    /// Stores a session (checked by the caller) inside the caller's transaction, after
    /// ending the one it replaces, if any.
    pub async fn create_session(
        conn: &mut DB::Connection,
        session: &StoredSession,
        replacing: Option<&str>,
    ) -> std::result::Result<(), sqlx::Error> {
        if let Some(old) = replacing {
            sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
                .bind(old)
                .execute(&mut *conn)
                .await?;
        }
        Self::insert_session(&mut *conn, session).await
    }

    /// Inserts a session row as it is.
    async fn insert_session<'e>(
        e: impl Executor<'e, Database = DB>,
        session: &StoredSession,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO sessions (id_hash, learner_id, created_at, last_seen_at, device) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(session.id_hash.as_str())
        .bind(session.learner.0)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.device.as_str())
        .execute(e)
        .await?;
        Ok(())
    }

    /// A session with its account and its learner's data revision, in one query.
    pub async fn session<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id_hash: &str,
    ) -> Result<Option<FoundSession>> {
        if check_text("a session id digest", id_hash).is_err() {
            return Ok(None);
        }
        let row = sqlx::query(&SESSION_WITH_ACCOUNT)
            .bind(id_hash)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| {
            Ok(FoundSession {
                session: d.session(&row)?,
                account: d.account(&row)?,
                data_revision: d.int(&row, "data_revision")?,
            })
        })
        .transpose()
    }

    /// Moves a session's `last_seen_at` forward (never back).
    pub async fn touch_session<'e>(
        e: impl Executor<'e, Database = DB>,
        id_hash: &str,
        at: Millis,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1 AND last_seen_at < $2",
        )
        .bind(id_hash)
        .bind(at)
        .execute(e)
        .await?;
        Ok(())
    }

    /// The learner's sessions, most recently seen first (then by id digest).
    pub async fn sessions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<Vec<StoredSession>> {
        let sql = format!(
            "{} WHERE s.learner_id = $1 ORDER BY s.last_seen_at DESC, s.id_hash",
            *SESSION_SELECT
        );
        let rows = sqlx::query(&sql)
            .bind(learner.0)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.session(row)).collect()
    }

    /// Ends one of the learner's sessions; whether it existed and was theirs.
    pub async fn end_session<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        id_hash: &str,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "DELETE FROM sessions WHERE id_hash = $1 AND learner_id = $2 RETURNING id_hash",
        )
        .bind(id_hash)
        .bind(learner.0)
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    /// Ends every session of the learner but `keep`; how many.
    pub async fn end_sessions<'e>(
        e: impl Executor<'e, Database = DB>,
        learner: LearnerId,
        keep: Option<&str>,
    ) -> std::result::Result<u64, sqlx::Error> {
        let rows = sqlx::query(
            "DELETE FROM sessions WHERE learner_id = $1 AND ($2 IS NULL OR id_hash <> $2) \
             RETURNING id_hash",
        )
        .bind(learner.0)
        .bind(keep)
        .fetch_all(e)
        .await?;
        Ok(count(rows.len()))
    }

    /// Ends every session idle since before `idle_before` or created before
    /// `created_before`; how many.
    pub async fn end_expired_sessions<'e>(
        e: impl Executor<'e, Database = DB>,
        idle_before: Millis,
        created_before: Millis,
    ) -> std::result::Result<u64, sqlx::Error> {
        let rows = sqlx::query(
            "DELETE FROM sessions WHERE last_seen_at < $1 OR created_at < $2 RETURNING id_hash",
        )
        .bind(idle_before)
        .bind(created_before)
        .fetch_all(e)
        .await?;
        Ok(count(rows.len()))
    }

    // -------------------------------------------------------------------------- invites

    /// Stores an invitation (checked by the caller), numbered by the database (its `id`
    /// ignored) or, with `keep_id`, keeping its `id` (an import); returns the number. A
    /// creator that is not a learner is [`StorageError::Invalid`].
    pub async fn insert_invite<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        invite: &Invite,
        keep_id: bool,
    ) -> Result<i64> {
        let query = if keep_id {
            sqlx::query(&INVITE_INSERT_WITH_ID).bind(invite.id)
        } else {
            sqlx::query(&INVITE_INSERT)
        };
        let row = query
            .bind(invite.token_hash.as_str())
            .bind(invite.label.as_str())
            .bind(invite.created_by.map(|l| l.0))
            .bind(invite.created_at)
            .bind(invite.expires_at)
            .bind(invite.max_uses)
            .bind(invite.uses)
            .bind(invite.revoked_at)
            .fetch_one(e)
            .await
            .map_err(|e| match invite.created_by {
                Some(learner) => super::learner_error(learner, e, |e| d.error(e)),
                None => d.error(e),
            })?;
        d.int(&row, "id")
    }

    /// Every invitation, newest first (then the highest number first).
    pub async fn invites<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<Invite>> {
        let sql = format!("{} ORDER BY created_at DESC, id DESC", *INVITE_SELECT);
        let rows = sqlx::query(&sql)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| d.invite(row)).collect()
    }

    /// The invitation whose token has this digest.
    pub async fn invite_by_token<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        token_hash: &str,
    ) -> Result<Option<Invite>> {
        if check_text("an invitation token digest", token_hash).is_err() {
            return Ok(None);
        }
        let sql = format!("{} WHERE token_hash = $1", *INVITE_SELECT);
        let row = sqlx::query(&sql)
            .bind(token_hash)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.invite(&row)).transpose()
    }

    /// Revokes an invitation; whether it existed and was not revoked yet.
    pub async fn revoke_invite<'e>(
        e: impl Executor<'e, Database = DB>,
        id: i64,
        at: Millis,
    ) -> std::result::Result<bool, sqlx::Error> {
        let rows = sqlx::query(
            "UPDATE invites SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL \
             RETURNING id",
        )
        .bind(id)
        .bind(at)
        .fetch_all(e)
        .await?;
        Ok(!rows.is_empty())
    }

    // -------------------------------------------------------------------- site settings

    /// A site setting (the name checked by the caller).
    pub async fn site_setting<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        name: &str,
    ) -> Result<Option<String>> {
        let row = sqlx::query("SELECT value FROM site_settings WHERE name = $1")
            .bind(name)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| d.text(&row, "value")).transpose()
    }

    /// The site settings whose names start with `prefix`, by name (compared as they are,
    /// whatever the database's collation; the table holds a few rows).
    pub async fn site_settings_under<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        prefix: &str,
    ) -> Result<Vec<(String, String)>> {
        let chars = i64::try_from(prefix.chars().count())
            .map_err(|_| StorageError::Invalid("a setting prefix that long".into()))?;
        let rows = sqlx::query(
            "SELECT name, value FROM site_settings \
             WHERE substr(name, 1, CAST($2 AS INTEGER)) = $1 ORDER BY name",
        )
        .bind(prefix)
        .bind(chars)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok((d.text(row, "name")?, d.text(row, "value")?)))
            .collect()
    }

    /// Sets a site setting (checked by the caller).
    pub async fn set_site_setting<'e>(
        e: impl Executor<'e, Database = DB>,
        name: &str,
        value: &str,
    ) -> std::result::Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO site_settings (name, value) VALUES ($1, $2) \
             ON CONFLICT (name) DO UPDATE SET value = excluded.value",
        )
        .bind(name)
        .bind(value)
        .execute(e)
        .await?;
        Ok(())
    }

    // -------------------------------------------------------------------- export, import

    /// Reads the whole database on `conn`, which the caller has put in a transaction that
    /// reads one snapshot.
    pub async fn export(conn: &mut DB::Connection, d: Decoder<'_>) -> Result<Dump> {
        let mut dump = Dump::default();
        for row in all(conn, d, "SELECT id, kind, created_at FROM learners").await? {
            dump.learners.push(DumpLearner {
                id: LearnerId(d.int(&row, "id")?),
                kind: d.text(&row, "kind")?,
                created_at: d.int(&row, "created_at")?,
            });
        }
        let sql = "SELECT learner_id, guide_id, question_id, marked_at FROM marks";
        for row in all(conn, d, sql).await? {
            let value = Mark {
                key: d.key(&row)?,
                at: d.int(&row, "marked_at")?,
            };
            dump.marks.push(owned(d, &row, value)?);
        }
        let sql = "SELECT learner_id, guide_id, question_id, body, updated_at FROM notes";
        for row in all(conn, d, sql).await? {
            let value = d.note(&row)?;
            dump.notes.push(owned(d, &row, value)?);
        }
        for row in all(conn, d, &CARD_SELECT).await? {
            let value = d.card(&row)?;
            dump.cards.push(owned(d, &row, value)?);
        }
        for row in all(conn, d, &REVIEW_SELECT).await? {
            let (seq, learner, review) = d.review(&row)?;
            dump.reviews.push(DumpReview {
                seq,
                learner,
                review,
            });
        }
        for row in all(
            conn,
            d,
            "SELECT learner_id, name, value FROM learner_settings",
        )
        .await?
        {
            dump.settings.push(DumpSetting {
                learner: LearnerId(d.int(&row, "learner_id")?),
                name: d.text(&row, "name")?,
                value: d.text(&row, "value")?,
            });
        }
        for row in all(conn, d, &INTERVIEW_SELECT).await? {
            let value = d.interview(&row)?;
            dump.interviews.push(owned(d, &row, value)?);
        }
        for row in all(conn, d, "SELECT name, value FROM secrets").await? {
            dump.secrets.push(DumpSecret {
                name: d.text(&row, "name")?,
                value: d.sql(row.bytes("value"))?,
            });
        }
        for row in all(conn, d, &ACCOUNT_SELECT).await? {
            dump.accounts.push(d.account(&row)?);
        }
        for row in all(conn, d, &SESSION_SELECT).await? {
            dump.sessions.push(d.session(&row)?);
        }
        for row in all(conn, d, &INVITE_SELECT).await? {
            dump.invites.push(d.invite(&row)?);
        }
        for row in all(conn, d, "SELECT name, value FROM site_settings").await? {
            dump.site_settings.push(DumpSiteSetting {
                name: d.text(&row, "name")?,
                value: d.text(&row, "value")?,
            });
        }
        dump.community = Self::export_community(&mut *conn, d).await?;
        for (table, columns) in ACCOUNT_SECURITY_TABLES {
            let names: Vec<&str> = columns.iter().map(|(name, _)| *name).collect();
            let sql = format!("SELECT {} FROM {table}", names.join(", "));
            let mut rows = Vec::new();
            for row in all(conn, d, &sql).await? {
                let cells = columns
                    .iter()
                    .map(|(name, kind)| {
                        Ok(match kind {
                            ColumnKind::Int => Cell::Int(Some(d.int(&row, name)?)),
                            ColumnKind::NullInt => Cell::Int(d.sql(row.int_or_null(name))?),
                            ColumnKind::Text => Cell::Text(d.text(&row, name)?),
                        })
                    })
                    .collect::<Result<Vec<Cell>>>()?;
                rows.push(cells);
            }
            dump.account_security.push(DumpTable {
                table: (*table).to_owned(),
                rows,
            });
        }
        Ok(dump.canonical())
    }

    /// Checks `dump` ([`Dump::check`]), checks that the database holds no learner, secret,
    /// invitation or site setting (accounts and sessions have learners), then writes every
    /// row on `conn`, keeping learner ids, review numbers and invitation numbers; all inside
    /// the caller's write transaction.
    ///
    /// # Errors
    ///
    /// [`StorageError::Invalid`] for a dump that breaks a rule or a database that is
    /// not empty; the backend's mapped errors otherwise.
    pub async fn import_into_empty(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        dump: &Dump,
    ) -> Result<()> {
        dump.check()?;
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM learners) AS learners, \
             (SELECT COUNT(*) FROM secrets) AS secrets, \
             (SELECT COUNT(*) FROM invites) AS invites, \
             (SELECT COUNT(*) FROM site_settings) AS site_settings, \
             (SELECT COUNT(*) FROM threads) + (SELECT COUNT(*) FROM moderation_log) \
             AS community",
        )
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let (learners, secrets) = (d.int(&row, "learners")?, d.int(&row, "secrets")?);
        let (invites, site) = (d.int(&row, "invites")?, d.int(&row, "site_settings")?);
        let community = d.int(&row, "community")?;
        if learners > 0 || secrets > 0 || invites > 0 || site > 0 || community > 0 {
            return Err(StorageError::Invalid(format!(
                "the database {} is not empty (it holds {learners} learners, {secrets} \
                 secrets, {invites} invitations, {site} site settings and {community} \
                 threads and moderation log entries); Mastery copies \
                 only into an empty database: create a new one",
                d.location
            )));
        }
        Self::import(conn, dump).await.map_err(|e| d.error(e))?;
        for invite in &dump.invites {
            Self::insert_invite(&mut *conn, d, invite, true).await?;
        }
        Ok(())
    }

    /// `head VALUES (…), (…) tail` for [`IMPORT_BATCH`] rows at a time, each row's
    /// `columns` parameters bound by `bind`.
    async fn insert_batched<T>(
        conn: &mut DB::Connection,
        head: &str,
        tail: &str,
        columns: usize,
        rows: &[T],
        bind: impl for<'q> Fn(Query<'q, DB>, &'q T) -> Query<'q, DB>,
    ) -> std::result::Result<(), sqlx::Error> {
        for batch in rows.chunks(IMPORT_BATCH) {
            let mut sql = multi_row(head, columns, batch.len(), parameter_marks::<DB>());
            sql.push_str(tail);
            let mut query = sqlx::query(&sql);
            for row in batch {
                query = bind(query, row);
            }
            query.execute(&mut *conn).await?;
        }
        Ok(())
    }

    /// Writes every row of a checked dump on `conn` but its invitations, inside the
    /// caller's transaction, keeping learner ids and review numbers.
    async fn import(
        conn: &mut DB::Connection,
        dump: &Dump,
    ) -> std::result::Result<(), sqlx::Error> {
        for learner in &dump.learners {
            sqlx::query("INSERT INTO learners (id, kind, created_at) VALUES ($1, $2, $3)")
                .bind(learner.id.0)
                .bind(learner.kind.as_str())
                .bind(learner.created_at)
                .execute(&mut *conn)
                .await?;
        }
        // Duplicates (a dump written by hand) count once, as setting a mark twice does.
        Self::insert_batched(
            &mut *conn,
            "INSERT INTO marks (learner_id, guide_id, question_id, marked_at)",
            " ON CONFLICT (learner_id, guide_id, question_id) DO NOTHING",
            4,
            &dump.marks,
            |query, mark| bind_key(query, mark.learner, &mark.value.key).bind(mark.value.at),
        )
        .await?;
        for note in &dump.notes {
            let Owned { learner, value } = note;
            Self::save_note(
                &mut *conn,
                *learner,
                &value.key,
                &value.body,
                value.updated_at,
            )
            .await?;
        }
        Self::insert_batched(
            &mut *conn,
            &format!("INSERT INTO cards (learner_id, guide_id, question_id, {CARD_COLUMNS})"),
            "",
            11,
            &dump.cards,
            |query, card| {
                bind_card(
                    bind_key(query, card.learner, &card.value.key),
                    Some(&card.value),
                )
            },
        )
        .await?;
        Self::insert_batched(
            &mut *conn,
            &review_head(true),
            "",
            26,
            &dump.reviews,
            |query, logged| bind_review(query.bind(logged.seq), logged.learner, &logged.review),
        )
        .await?;
        for setting in &dump.settings {
            Self::set_learner_setting(&mut *conn, setting.learner, &setting.name, &setting.value)
                .await?;
        }
        for interview in &dump.interviews {
            Self::put_interview(&mut *conn, interview.learner, &interview.value).await?;
        }
        for secret in &dump.secrets {
            Self::insert_secret(&mut *conn, &secret.name, &secret.value).await?;
        }
        for account in &dump.accounts {
            Self::insert_account(&mut *conn, account).await?;
        }
        for session in &dump.sessions {
            Self::insert_session(&mut *conn, session).await?;
        }
        for setting in &dump.site_settings {
            Self::set_site_setting(&mut *conn, &setting.name, &setting.value).await?;
        }
        Self::import_community(&mut *conn, &dump.community).await?;
        for table in &dump.account_security {
            let Some((name, columns)) = ACCOUNT_SECURITY_TABLES
                .iter()
                .find(|(name, _)| *name == table.table)
            else {
                continue;
            };
            let names: Vec<&str> = columns.iter().map(|(column, _)| *column).collect();
            let params: Vec<String> = (1..=columns.len()).map(|n| format!("${n}")).collect();
            let sql = format!(
                "INSERT INTO {name} ({}) VALUES ({})",
                names.join(", "),
                params.join(", ")
            );
            for row in &table.rows {
                let mut query = sqlx::query(&sql);
                for cell in row {
                    query = match cell {
                        Cell::Int(value) => query.bind(*value),
                        Cell::Text(text) => query.bind(text.as_str()),
                    };
                }
                query.execute(&mut *conn).await?;
            }
        }
        Ok(())
    }
}

/// Binds the learner and the key as `$1, $2, $3`.
fn bind_key<'q, DB>(query: Query<'q, DB>, learner: LearnerId, key: &'q QuestionKey) -> Query<'q, DB>
where
    DB: Database,
    i64: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
{
    query
        .bind(learner.0)
        .bind(key.guide.as_str())
        .bind(key.question.as_str())
}

/// Binds a review's columns after its sequence number, in [`review_insert`]'s order.
fn bind_review<'q, DB>(
    query: Query<'q, DB>,
    learner: LearnerId,
    review: &'q ReviewRecord,
) -> Query<'q, DB>
where
    DB: Database,
    i64: Encode<'q, DB> + Type<DB>,
    &'q str: Encode<'q, DB> + Type<DB>,
    Option<i64>: Encode<'q, DB>,
    Option<f64>: Encode<'q, DB>,
    Option<&'q str>: Encode<'q, DB>,
    f64: Encode<'q, DB> + Type<DB>,
{
    let query = query
        .bind(learner.0)
        .bind(review.id.as_str())
        .bind(review.key.guide.as_str())
        .bind(review.key.question.as_str())
        .bind(i64::from(review.rating))
        .bind(review.reviewed_at)
        .bind(review.elapsed_days)
        .bind(review.scheduled_days)
        .bind(review.time_spent_ms);
    bind_card(
        bind_card(query, review.before.as_ref()),
        Some(&review.after),
    )
}

/// Binds a card's state columns in [`CARD_COLUMNS`] order; `None` binds them all NULL (the
/// `before` of a first review).
fn bind_card<'q, DB>(query: Query<'q, DB>, card: Option<&'q StoredCard>) -> Query<'q, DB>
where
    DB: Database,
    Option<i64>: Encode<'q, DB>,
    Option<f64>: Encode<'q, DB>,
    Option<&'q str>: Encode<'q, DB>,
    i64: Type<DB>,
    f64: Type<DB>,
    &'q str: Type<DB>,
{
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

/// Every row of a parameterless query.
async fn all<DB>(conn: &mut DB::Connection, d: Decoder<'_>, sql: &str) -> Result<Vec<DB::Row>>
where
    DB: Database,
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
{
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))
}

fn owned<T>(d: Decoder<'_>, row: &impl Columns, value: T) -> Result<Owned<T>> {
    Ok(Owned {
        learner: LearnerId(d.int(row, "learner_id")?),
        value,
    })
}

/// A number of rows as the `u64` the trait returns.
fn count(rows: usize) -> u64 {
    u64::try_from(rows).unwrap_or(u64::MAX)
}
