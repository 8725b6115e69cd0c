//! The statements of suggestions and notifications (the tables of migration 0011), shared by
//! the sqlx backends like the rest of [`Queries`]. Writes of several statements take the
//! backend's open transaction (`conn`).

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::community::VoteTarget;
use super::{Columns, Decoder, Queries};
use crate::{
    LearnerId, Millis, NewNotification, NewSuggestion, Notification, Result, StorageError,
    Suggestion, SuggestionDecision, SuggestionFilter, SuggestionRevision, SuggestionState,
};

const SUGGESTION_SELECT: &str = "SELECT s.id AS id, s.guide_id AS guide_id, \
     s.question_id AS question_id, s.author_id AS author_id, a.username AS author_name, \
     s.summary AS summary, s.base_text AS base_text, s.proposed_text AS proposed_text, \
     s.state AS state, s.score AS score, s.reviser_id AS reviser_id, \
     s.moderator_name AS moderator_name, \
     s.decision_comment AS decision_comment, s.decided_at AS decided_at, \
     s.exported_at AS exported_at, s.created_at AS created_at, s.updated_at AS updated_at \
     FROM suggestions s LEFT JOIN accounts a ON a.learner_id = s.author_id";

/// The conditions of a [`SuggestionFilter`]: parameters that are NULL (or empty, or 0)
/// match everything; the states are one spaced list.
const FILTER: &str = "($1 IS NULL OR s.guide_id = $1) AND ($2 IS NULL OR s.question_id = $2) \
     AND ($3 = '' OR $3 LIKE '% ' || s.state || ' %') AND ($4 IS NULL OR s.author_id = $4) \
     AND ($5 = 0 OR (s.state = 'accepted' AND s.exported_at IS NULL))";

fn states_list(states: &[SuggestionState]) -> String {
    states.iter().map(|s| format!(" {} ", s.as_str())).collect()
}

const SUGGESTION_VOTES: VoteTarget = VoteTarget {
    items: "suggestions",
    votes: "suggestion_votes",
    column: "suggestion_id",
    what: "suggestion",
};

const NOTIFICATION_COLUMNS: &str = "id, learner_id, kind, text, link, created_at, read_at";

fn suggestion(d: Decoder<'_>, row: &impl Columns) -> Result<Suggestion> {
    let state = d.text(row, "state")?;
    Ok(Suggestion {
        id: d.int(row, "id")?,
        guide: d.text(row, "guide_id")?,
        question: d.text(row, "question_id")?,
        author: d.sql(row.int_or_null("author_id"))?.map(LearnerId),
        author_name: d.sql(row.text_or_null("author_name"))?,
        summary: d.text(row, "summary")?,
        base_text: d.text(row, "base_text")?,
        proposed_text: d.text(row, "proposed_text")?,
        state: SuggestionState::parse(&state)
            .map_err(|_| d.corrupt(&format!("a suggestion in the state {state:?}")))?,
        score: d.int(row, "score")?,
        reviser: d.sql(row.int_or_null("reviser_id"))?.map(LearnerId),
        moderator_name: Some(d.text(row, "moderator_name")?).filter(|t| !t.is_empty()),
        decision_comment: Some(d.text(row, "decision_comment")?).filter(|t| !t.is_empty()),
        decided_at: d.sql(row.int_or_null("decided_at"))?,
        exported_at: d.sql(row.int_or_null("exported_at"))?,
        created_at: d.int(row, "created_at")?,
        updated_at: d.int(row, "updated_at")?,
    })
}

fn notification(d: Decoder<'_>, row: &impl Columns) -> Result<Notification> {
    Ok(Notification {
        id: d.int(row, "id")?,
        learner: LearnerId(d.int(row, "learner_id")?),
        kind: d.text(row, "kind")?,
        text: d.text(row, "text")?,
        link: d.text(row, "link")?,
        created_at: d.int(row, "created_at")?,
        read_at: d.sql(row.int_or_null("read_at"))?,
    })
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
    /// As [`crate::SuggestionStorage::create_suggestion`].
    pub async fn create_suggestion<'e>(
        e: impl Executor<'e, Database = DB>,
        new: &NewSuggestion<'_>,
    ) -> std::result::Result<i64, sqlx::Error> {
        let row = sqlx::query(
            "INSERT INTO suggestions (guide_id, question_id, author_id, summary, base_text, \
             proposed_text, state, score, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 'open', 0, $7, $7) RETURNING id",
        )
        .bind(new.guide)
        .bind(new.question)
        .bind(new.author.0)
        .bind(new.summary)
        .bind(new.base_text)
        .bind(new.proposed_text)
        .bind(new.at)
        .fetch_one(e)
        .await?;
        row.int("id")
    }

    /// As [`crate::SuggestionStorage::suggestion`].
    pub async fn suggestion<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
    ) -> Result<Option<Suggestion>> {
        let row = sqlx::query(&format!("{SUGGESTION_SELECT} WHERE s.id = $1"))
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| suggestion(d, &row)).transpose()
    }

    /// As [`crate::SuggestionStorage::suggestions`].
    pub async fn suggestions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        filter: &SuggestionFilter,
    ) -> Result<Vec<Suggestion>> {
        let order = if filter.unexported {
            "s.decided_at, s.id"
        } else {
            "s.created_at DESC, s.id DESC"
        };
        let states = states_list(&filter.states);
        let rows = sqlx::query(&format!(
            "{SUGGESTION_SELECT} WHERE {FILTER} ORDER BY {order} LIMIT $6 OFFSET $7"
        ))
        .bind(filter.guide.as_deref())
        .bind(filter.question.as_deref())
        .bind(states.as_str())
        .bind(filter.author.map(|a| a.0))
        .bind(i64::from(filter.unexported))
        .bind(filter.limit.max(0))
        .bind(filter.offset.max(0))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| suggestion(d, row)).collect()
    }

    /// As [`crate::SuggestionStorage::count_suggestions`].
    pub async fn count_suggestions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        filter: &SuggestionFilter,
    ) -> Result<i64> {
        let states = states_list(&filter.states);
        let row = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM suggestions s WHERE {FILTER}"
        ))
        .bind(filter.guide.as_deref())
        .bind(filter.question.as_deref())
        .bind(states.as_str())
        .bind(filter.author.map(|a| a.0))
        .bind(i64::from(filter.unexported))
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "n")
    }

    /// As [`crate::SuggestionStorage::vote_suggestion`], in the caller's transaction;
    /// `lock` is the backend's row lock (` FOR UPDATE` or nothing).
    pub async fn vote_suggestion(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        id: i64,
        voter: LearnerId,
        value: i64,
        at: Millis,
        lock: &str,
    ) -> Result<i64> {
        Self::running_vote(conn, d, &SUGGESTION_VOTES, id, voter, value, at, lock).await
    }

    /// As [`crate::SuggestionStorage::suggestion_vote`].
    pub async fn suggestion_vote<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
        voter: LearnerId,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT value FROM suggestion_votes WHERE suggestion_id = $1 AND learner_id = $2",
        )
        .bind(id)
        .bind(voter.0)
        .fetch_optional(e)
        .await
        .map_err(|e| d.error(e))?;
        row.map_or(Ok(0), |row| d.int(&row, "value"))
    }

    /// As [`crate::SuggestionStorage::decide_suggestion`], in the caller's transaction.
    pub async fn decide_suggestion(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        decision: &SuggestionDecision<'_>,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE suggestions SET state = $3, moderator_id = $4, moderator_name = $5, \
             decision_comment = $6, decided_at = $7 WHERE id = $1 AND state = $2 \
             AND ($8 IS NULL OR updated_at = $8) RETURNING id",
        )
        .bind(decision.id)
        .bind(decision.from.as_str())
        .bind(decision.to.as_str())
        .bind(decision.moderator.map(|(m, _)| m.0))
        .bind(decision.moderator.map_or("", |(_, name)| name))
        .bind(decision.comment.unwrap_or(""))
        .bind(decision.at)
        .bind(decision.seen)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if rows.is_empty() {
            return Ok(false);
        }
        if let Some(notice) = &decision.notice {
            Self::notify(&mut *conn, d, notice).await?;
        }
        Ok(true)
    }

    /// As [`crate::SuggestionStorage::revise_suggestion`], in the caller's transaction.
    pub async fn revise_suggestion(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        revision: &SuggestionRevision<'_>,
    ) -> Result<bool> {
        let states = states_list(revision.states);
        // A new text is a new proposal: open, undecided, without votes. A revision after
        // `updated_at` moves it on even when two land in the same millisecond.
        let rows = sqlx::query(
            "UPDATE suggestions SET base_text = $3, proposed_text = $4, summary = $5, \
             updated_at = CASE WHEN $6 > updated_at THEN $6 ELSE updated_at + 1 END, \
             state = 'open', score = 0, moderator_id = NULL, moderator_name = '', \
             decision_comment = '', decided_at = NULL, \
             reviser_id = CASE WHEN author_id = $8 THEN reviser_id ELSE $8 END \
             WHERE id = $1 AND updated_at = $2 AND exported_at IS NULL \
             AND $7 LIKE '% ' || state || ' %' RETURNING id",
        )
        .bind(revision.id)
        .bind(revision.seen)
        .bind(revision.base_text)
        .bind(revision.proposed_text)
        .bind(revision.summary)
        .bind(revision.at)
        .bind(states.as_str())
        .bind(revision.by.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if rows.is_empty() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM suggestion_votes WHERE suggestion_id = $1")
            .bind(revision.id)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Ok(true)
    }

    /// As [`crate::SuggestionStorage::mark_suggestions_exported`], one statement per
    /// suggestion in the caller's transaction.
    pub async fn mark_suggestions_exported(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        ids: &[(i64, Millis)],
        at: Millis,
    ) -> Result<u64> {
        let mut marked = 0;
        for (id, updated_at) in ids {
            let rows = sqlx::query(
                "UPDATE suggestions SET exported_at = $2 WHERE id = $1 AND state = 'accepted' \
                 AND exported_at IS NULL AND updated_at = $3 RETURNING id",
            )
            .bind(*id)
            .bind(at)
            .bind(*updated_at)
            .fetch_all(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
            marked += rows.len() as u64;
        }
        Ok(marked)
    }

    /// As [`crate::SuggestionStorage::erase_contributions`], in the caller's transaction:
    /// each post as its author's deletion does it ([`Queries::delete_post`]).
    pub async fn erase_contributions(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        learner: LearnerId,
        at: Millis,
    ) -> Result<(u64, u64)> {
        let posts = sqlx::query(
            "SELECT id FROM posts WHERE author_id = $1 AND state <> 'deleted' ORDER BY id",
        )
        .bind(learner.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let mut erased = 0;
        for row in &posts {
            let id = d.int(row, "id")?;
            erased += u64::from(Self::delete_post(&mut *conn, d, id, at).await?);
        }
        // Their threads' titles go with their opening posts.
        sqlx::query(
            "UPDATE threads SET title = '' WHERE opening_post_id IN \
             (SELECT id FROM posts WHERE author_id = $1)",
        )
        .bind(learner.0)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        // A change moderators accepted and not exported yet stays (without its author,
        // once the account goes): it belongs to the guide's next patch.
        let suggestions = sqlx::query(
            "DELETE FROM suggestions WHERE author_id = $1 \
             AND NOT (state = 'accepted' AND exported_at IS NULL) RETURNING id",
        )
        .bind(learner.0)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok((erased, suggestions.len() as u64))
    }

    /// As [`crate::SuggestionStorage::notify`], in the caller's transaction: the member's
    /// oldest notifications beyond [`crate::MAX_NOTIFICATIONS_KEPT`] go.
    pub async fn notify(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        notice: &NewNotification<'_>,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO notifications (learner_id, kind, text, link, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(notice.learner.0)
        .bind(notice.kind)
        .bind(notice.text)
        .bind(notice.link)
        .bind(notice.at)
        .execute(&mut *conn)
        .await
        .map_err(|e| {
            if super::is_foreign_key_violation(&e) {
                StorageError::Invalid(format!("there is no account {}", notice.learner))
            } else {
                d.error(e)
            }
        })?;
        sqlx::query(
            "DELETE FROM notifications WHERE learner_id = $1 AND id <= \
             (SELECT id FROM notifications WHERE learner_id = $1 ORDER BY id DESC \
             LIMIT 1 OFFSET $2)",
        )
        .bind(notice.learner.0)
        .bind(crate::MAX_NOTIFICATIONS_KEPT)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// As [`crate::SuggestionStorage::notifications`].
    pub async fn notifications<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        before: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Notification>> {
        let rows = sqlx::query(&format!(
            "SELECT {NOTIFICATION_COLUMNS} FROM notifications WHERE learner_id = $1 \
             AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
        ))
        .bind(learner.0)
        .bind(before)
        .bind(limit.max(0))
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| notification(d, row)).collect()
    }

    /// As [`crate::SuggestionStorage::unread_notifications`].
    pub async fn unread_notifications<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM notifications WHERE learner_id = $1 AND read_at IS NULL",
        )
        .bind(learner.0)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "n")
    }

    /// As [`crate::SuggestionStorage::read_notifications`].
    pub async fn read_notifications<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        learner: LearnerId,
        up_to: i64,
        at: Millis,
    ) -> Result<u64> {
        let rows = sqlx::query(
            "UPDATE notifications SET read_at = $3 WHERE learner_id = $1 AND id <= $2 \
             AND read_at IS NULL RETURNING id",
        )
        .bind(learner.0)
        .bind(up_to)
        .bind(at)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok(rows.len() as u64)
    }
}
