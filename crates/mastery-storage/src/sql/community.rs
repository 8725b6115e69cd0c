//! The community's statements (migration 0005), shared by the sqlx backends like the rest
//! of [`Queries`]. Writes of several statements take the backend's open transaction
//! (`conn`); `lock` is what the backend appends to a `SELECT` that must keep a row for the
//! transaction (PostgreSQL's `FOR UPDATE`; nothing on SQLite, whose single writer already
//! serialises writes).

use std::sync::LazyLock;

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Columns, Decoder, Queries, learner_error};
use crate::{
    DiscussionHit, DumpCommunity, DumpThread, DumpVote, Flag, LearnerId, Millis, Moderation,
    ModerationEntry, NewPost, NewThread, Post, PostState, Result, Revision, StorageError,
    Suspension, Thread, ThreadOrder, ThreadQuery,
};

/// The threads with their opening post's figures.
static THREAD_SELECT: LazyLock<String> = LazyLock::new(|| {
    "SELECT t.id AS id, t.guide_id AS guide_id, t.question_id AS question_id, \
     t.title AS title, t.opening_post_id AS opening_post_id, t.created_at AS created_at, \
     t.last_post_at AS last_post_at, t.locked_at AS locked_at, p.author_id AS author_id, \
     a.username AS author_name, p.state AS state, p.score AS score, \
     (SELECT COUNT(*) FROM posts v WHERE v.thread_id = t.id AND v.state = 'visible') \
     AS visible_posts, (SELECT COUNT(*) FROM posts w WHERE w.thread_id = t.id) AS all_posts, \
     p.approved_at AS opening_approved_at \
     FROM threads t JOIN posts p ON p.id = t.opening_post_id \
     LEFT JOIN accounts a ON a.learner_id = p.author_id"
        .to_string()
});

/// A thread everyone sees: its opening post visible or hidden, or deleted with replies
/// still visible.
const PUBLIC_THREAD: &str = "(p.state IN ('visible', 'hidden') OR (p.state = 'deleted' AND \
     p.approved_at IS NOT NULL AND \
     EXISTS (SELECT 1 FROM posts r WHERE r.thread_id = t.id AND r.state = 'visible')))";

const POST_SELECT: &str = "SELECT p.id AS id, p.thread_id AS thread_id, p.author_id AS author_id, \
     a.username AS author_name, p.body AS body, p.html AS html, p.state AS state, \
     p.reason AS reason, p.score AS score, p.created_at AS created_at, \
     p.edited_at AS edited_at, p.approved_at AS approved_at \
     FROM posts p LEFT JOIN accounts a ON a.learner_id = p.author_id";

const FLAG_SELECT: &str = "SELECT f.id AS id, f.post_id AS post_id, f.learner_id AS learner_id, \
     a.username AS flagger_name, f.rule AS rule, f.detail AS detail, \
     f.created_at AS created_at, f.resolved_at AS resolved_at \
     FROM flags f LEFT JOIN accounts a ON a.learner_id = f.learner_id";

const LOG_COLUMNS: &str = "id, at, moderator_id, moderator_name, action, thread_id, post_id, \
     member_id, member_name, reason, until_at";

/// What a vote is on: the items' table, the votes' table and its column naming the item,
/// and the item's name for messages (see [`Queries::running_vote`]).
pub(crate) struct VoteTarget {
    pub(crate) items: &'static str,
    pub(crate) votes: &'static str,
    pub(crate) column: &'static str,
    pub(crate) what: &'static str,
}

const POST_VOTES: VoteTarget = VoteTarget {
    items: "posts",
    votes: "votes",
    column: "post_id",
    what: "post",
};

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
    // ------------------------------------------------------------------- threads, posts

    /// As [`crate::CommunityStorage::create_thread`], in the caller's transaction.
    pub async fn create_thread(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        new: &NewThread<'_>,
    ) -> Result<(i64, i64)> {
        let row = sqlx::query(
            "INSERT INTO threads (guide_id, question_id, title, created_at, last_post_at) \
             VALUES ($1, $2, $3, $4, $4) RETURNING id",
        )
        .bind(new.guide)
        .bind(new.question)
        .bind(new.title)
        .bind(new.post.at)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let thread = d.int(&row, "id")?;
        let post = Self::insert_post(&mut *conn, d, thread, &new.post).await?;
        sqlx::query("UPDATE threads SET opening_post_id = $1 WHERE id = $2")
            .bind(post)
            .bind(thread)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Ok((thread, post))
    }

    /// As [`crate::CommunityStorage::add_post`], in the caller's transaction.
    pub async fn add_post(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        new: &NewPost<'_>,
        lock: &str,
    ) -> Result<i64> {
        let found = sqlx::query(&format!("SELECT id FROM threads WHERE id = $1{lock}"))
            .bind(new.thread)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        if found.is_none() {
            return Err(StorageError::Invalid(format!(
                "there is no thread {}",
                new.thread
            )));
        }
        let post = Self::insert_post(&mut *conn, d, new.thread, new).await?;
        if new.state == PostState::Visible {
            Self::touch_thread(&mut *conn, d, new.thread, new.at).await?;
        }
        Ok(post)
    }

    async fn insert_post(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        thread: i64,
        new: &NewPost<'_>,
    ) -> Result<i64> {
        let approved = (new.state == PostState::Visible).then_some(new.at);
        let row = sqlx::query(
            "INSERT INTO posts (thread_id, author_id, body, html, state, created_at, \
             approved_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(thread)
        .bind(new.author.0)
        .bind(new.body)
        .bind(new.html)
        .bind(new.state.as_str())
        .bind(new.at)
        .bind(approved)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| learner_error(new.author, e, |e| d.error(e)))?;
        d.int(&row, "id")
    }

    /// Moves a thread's last activity forward to `at`.
    async fn touch_thread(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        thread: i64,
        at: Millis,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE threads SET last_post_at = CASE WHEN last_post_at < $2 THEN $2 \
             ELSE last_post_at END WHERE id = $1",
        )
        .bind(thread)
        .bind(at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(())
    }

    /// A thread by number.
    pub async fn thread<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
    ) -> Result<Option<Thread>> {
        let sql = format!("{} WHERE t.id = $1", *THREAD_SELECT);
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| thread_of(d, &row)).transpose()
    }

    /// A page of a question's threads as a reader sees them (see
    /// [`crate::CommunityStorage::threads`]); runs two statements on the pool.
    pub async fn threads<'e, E>(
        e: E,
        d: Decoder<'_>,
        q: &ThreadQuery<'_>,
    ) -> Result<(Vec<Thread>, i64)>
    where
        E: Executor<'e, Database = DB> + Copy,
    {
        let filter = format!(
            "t.guide_id = $1 AND t.question_id = $2 AND ({PUBLIC_THREAD} OR $3 = 1 OR \
             p.author_id = $4)"
        );
        let order = match q.order {
            ThreadOrder::Votes => "p.score DESC, t.id DESC",
            ThreadOrder::Newest => "t.id DESC",
        };
        let sql = format!(
            "{} WHERE {filter} ORDER BY {order} LIMIT $5 OFFSET $6",
            *THREAD_SELECT
        );
        let moderator = i64::from(q.moderator);
        let viewer = q.viewer.map(|l| l.0);
        let rows = sqlx::query(&sql)
            .bind(q.guide)
            .bind(q.question)
            .bind(moderator)
            .bind(viewer)
            .bind(q.limit)
            .bind(q.offset)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        let threads = rows
            .iter()
            .map(|row| thread_of(d, row))
            .collect::<Result<Vec<_>>>()?;
        let total = sqlx::query(&format!(
            "SELECT COUNT(*) AS n FROM threads t JOIN posts p ON p.id = t.opening_post_id \
             WHERE {filter}"
        ))
        .bind(q.guide)
        .bind(q.question)
        .bind(moderator)
        .bind(viewer)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        Ok((threads, d.int(&total, "n")?))
    }

    /// How many threads everyone sees, per question of a guide.
    pub async fn thread_counts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        guide: &str,
    ) -> Result<Vec<(String, i64)>> {
        let sql = format!(
            "SELECT t.question_id AS question_id, COUNT(*) AS n FROM threads t \
             JOIN posts p ON p.id = t.opening_post_id \
             WHERE t.guide_id = $1 AND {PUBLIC_THREAD} GROUP BY t.question_id \
             ORDER BY t.question_id"
        );
        let rows = sqlx::query(&sql)
            .bind(guide)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok((d.text(row, "question_id")?, d.int(row, "n")?)))
            .collect()
    }

    /// Every discussed (guide, question) and its number of threads.
    pub async fn discussed_questions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<(String, String, i64)>> {
        let rows = sqlx::query(
            "SELECT guide_id, question_id, COUNT(*) AS n FROM threads \
             GROUP BY guide_id, question_id ORDER BY guide_id, question_id",
        )
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| {
                Ok((
                    d.text(row, "guide_id")?,
                    d.text(row, "question_id")?,
                    d.int(row, "n")?,
                ))
            })
            .collect()
    }

    /// A page of a thread's posts, oldest first.
    pub async fn posts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        thread: i64,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<Post>> {
        let sql = format!("{POST_SELECT} WHERE p.thread_id = $1 ORDER BY p.id LIMIT $2 OFFSET $3");
        let rows = sqlx::query(&sql)
            .bind(thread)
            .bind(limit)
            .bind(offset)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| post_of(d, row)).collect()
    }

    /// A post by number.
    pub async fn post<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        id: i64,
    ) -> Result<Option<Post>> {
        let sql = format!("{POST_SELECT} WHERE p.id = $1");
        let row = sqlx::query(&sql)
            .bind(id)
            .fetch_optional(e)
            .await
            .map_err(|e| d.error(e))?;
        row.map(|row| post_of(d, &row)).transpose()
    }

    /// Every pending post, oldest first.
    pub async fn pending_posts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<Post>> {
        let sql = format!("{POST_SELECT} WHERE p.state = 'pending' ORDER BY p.id");
        let rows = sqlx::query(&sql)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| post_of(d, row)).collect()
    }

    /// As [`crate::CommunityStorage::edit_post`], in the caller's transaction.
    pub async fn edit_post(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        id: i64,
        body: &str,
        html: &str,
        at: Millis,
        lock: &str,
    ) -> Result<bool> {
        let row = sqlx::query(&format!(
            "SELECT body, created_at, edited_at FROM posts \
             WHERE id = $1 AND state IN ('visible', 'pending'){lock}"
        ))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let Some(row) = row else {
            return Ok(false);
        };
        let old = d.text(&row, "body")?;
        let written_at = match d.sql(row.int_or_null("edited_at"))? {
            Some(at) => at,
            None => d.int(&row, "created_at")?,
        };
        let next = sqlx::query(
            "SELECT COALESCE(MAX(number), 0) + 1 AS n FROM post_revisions WHERE post_id = $1",
        )
        .bind(id)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        sqlx::query(
            "INSERT INTO post_revisions (post_id, number, body, written_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(d.int(&next, "n")?)
        .bind(old.as_str())
        .bind(written_at)
        .execute(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        sqlx::query("DELETE FROM post_revisions WHERE post_id = $1 AND number <= $2")
            .bind(id)
            .bind(d.int(&next, "n")? - crate::community::MAX_REVISIONS)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        sqlx::query("UPDATE posts SET body = $2, html = $3, edited_at = $4 WHERE id = $1")
            .bind(id)
            .bind(body)
            .bind(html)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Ok(true)
    }

    /// As [`crate::CommunityStorage::delete_post`], in the caller's transaction.
    pub async fn delete_post(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        id: i64,
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "UPDATE posts SET body = '', html = '', state = 'deleted', edited_at = $2 \
             WHERE id = $1 AND state <> 'deleted' RETURNING id",
        )
        .bind(id)
        .bind(at)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        if rows.is_empty() {
            return Ok(false);
        }
        sqlx::query("DELETE FROM post_revisions WHERE post_id = $1")
            .bind(id)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Self::resolve_flags(&mut *conn, d, id, at).await?;
        Ok(true)
    }

    /// A post's earlier versions, oldest first.
    pub async fn revisions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        post: i64,
    ) -> Result<Vec<Revision>> {
        let rows = sqlx::query(
            "SELECT post_id, number, body, written_at FROM post_revisions \
             WHERE post_id = $1 ORDER BY number",
        )
        .bind(post)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter().map(|row| revision_of(d, row)).collect()
    }

    // ------------------------------------------------------------------- votes, flags

    /// As [`crate::CommunityStorage::vote`], in the caller's transaction.
    pub async fn vote(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        post: i64,
        voter: LearnerId,
        value: i64,
        at: Millis,
        lock: &str,
    ) -> Result<i64> {
        Self::running_vote(conn, d, &POST_VOTES, post, voter, value, at, lock).await
    }

    /// Sets (`value` ±1) or removes (0) `voter`'s vote on item `id` of `target`, and moves
    /// the item's score by the difference, in the caller's transaction; the new score. The
    /// item's row is read first with the backend's `lock`, so votes on one item wait for
    /// each other; the score is a running total, so a vote stays counted after its voter's
    /// account (and vote row) is deleted.
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn running_vote(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        target: &VoteTarget,
        id: i64,
        voter: LearnerId,
        value: i64,
        at: Millis,
        lock: &str,
    ) -> Result<i64> {
        let VoteTarget {
            items,
            votes,
            column,
            what,
        } = target;
        let found = sqlx::query(&format!("SELECT score FROM {items} WHERE id = $1{lock}"))
            .bind(id)
            .fetch_optional(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        let Some(found) = found else {
            return Err(StorageError::Invalid(format!("there is no {what} {id}")));
        };
        let score = d.int(&found, "score")?;
        let old = sqlx::query(&format!(
            "SELECT value FROM {votes} WHERE {column} = $1 AND learner_id = $2"
        ))
        .bind(id)
        .bind(voter.0)
        .fetch_optional(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        let old = match old {
            Some(row) => d.int(&row, "value")?,
            None => 0,
        };
        let value = value.signum();
        if value == 0 {
            sqlx::query(&format!(
                "DELETE FROM {votes} WHERE {column} = $1 AND learner_id = $2"
            ))
            .bind(id)
            .bind(voter.0)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        } else {
            sqlx::query(&format!(
                "INSERT INTO {votes} ({column}, learner_id, value, voted_at) \
                 VALUES ($1, $2, $3, $4) ON CONFLICT ({column}, learner_id) \
                 DO UPDATE SET value = excluded.value, voted_at = excluded.voted_at"
            ))
            .bind(id)
            .bind(voter.0)
            .bind(value)
            .bind(at)
            .execute(&mut *conn)
            .await
            .map_err(|e| learner_error(voter, e, |e| d.error(e)))?;
        }
        let score = score - old + value;
        sqlx::query(&format!("UPDATE {items} SET score = $2 WHERE id = $1"))
            .bind(id)
            .bind(score)
            .execute(&mut *conn)
            .await
            .map_err(|e| d.error(e))?;
        Ok(score)
    }

    /// A member's votes on a thread's posts.
    pub async fn votes_in_thread<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        voter: LearnerId,
        thread: i64,
    ) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT v.post_id AS post_id, v.value AS value FROM votes v \
             JOIN posts p ON p.id = v.post_id WHERE v.learner_id = $1 AND p.thread_id = $2 \
             ORDER BY v.post_id",
        )
        .bind(voter.0)
        .bind(thread)
        .fetch_all(e)
        .await
        .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| Ok((d.int(row, "post_id")?, d.int(row, "value")?)))
            .collect()
    }

    /// As [`crate::CommunityStorage::flag`].
    pub async fn flag<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        post: i64,
        flagger: LearnerId,
        rule: &str,
        detail: &str,
        at: Millis,
    ) -> Result<bool> {
        let rows = sqlx::query(
            "INSERT INTO flags (post_id, learner_id, rule, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (post_id, learner_id) WHERE resolved_at IS NULL DO NOTHING \
             RETURNING id",
        )
        .bind(post)
        .bind(flagger.0)
        .bind(rule)
        .bind(detail)
        .bind(at)
        .fetch_all(e)
        .await
        .map_err(|e| {
            if super::is_foreign_key_violation(&e) {
                StorageError::Invalid(format!("there is no post {post} or learner {flagger}"))
            } else {
                d.error(e)
            }
        })?;
        Ok(!rows.is_empty())
    }

    /// Every open flag, oldest first.
    pub async fn open_flags<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
    ) -> Result<Vec<Flag>> {
        let sql = format!("{FLAG_SELECT} WHERE f.resolved_at IS NULL ORDER BY f.id");
        let rows = sqlx::query(&sql)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| flag_of(d, row)).collect()
    }

    // -------------------------------------------------------------------- moderation

    /// As [`crate::CommunityStorage::moderate`], in the caller's transaction.
    pub async fn moderate(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        entry: &ModerationEntry,
        change: Moderation,
    ) -> Result<Option<i64>> {
        let at = entry.at;
        let applied = match change {
            Moderation::PostState { post, from, state } => {
                let reason = matches!(state, PostState::Hidden | PostState::Rejected)
                    .then_some(entry.reason.as_str());
                let visible_at = (state == PostState::Visible).then_some(at);
                let rows = sqlx::query(
                    "UPDATE posts SET state = $2, reason = $3, \
                     approved_at = COALESCE(approved_at, $4) \
                     WHERE id = $1 AND state = $5 RETURNING thread_id",
                )
                .bind(post)
                .bind(state.as_str())
                .bind(reason)
                .bind(visible_at)
                .bind(from.as_str())
                .fetch_all(&mut *conn)
                .await
                .map_err(|e| d.error(e))?;
                match rows.first() {
                    Some(row) => {
                        let thread = d.int(row, "thread_id")?;
                        if state == PostState::Visible {
                            Self::touch_thread(&mut *conn, d, thread, at).await?;
                        }
                        Self::resolve_flags(&mut *conn, d, post, at).await?;
                        true
                    }
                    None => false,
                }
            }
            Moderation::DismissFlags { post } => {
                Self::resolve_flags(&mut *conn, d, post, at).await? > 0
            }
            Moderation::Lock { thread, locked } => {
                let rows =
                    sqlx::query("UPDATE threads SET locked_at = $2 WHERE id = $1 RETURNING id")
                        .bind(thread)
                        .bind(locked.then_some(at))
                        .fetch_all(&mut *conn)
                        .await
                        .map_err(|e| d.error(e))?;
                !rows.is_empty()
            }
            Moderation::Suspend { member, until, by } => match until {
                Some(until) => {
                    sqlx::query(
                        "INSERT INTO suspensions (learner_id, until_at, reason, by_role) \
                         VALUES ($1, $2, $3, $4) ON CONFLICT (learner_id) DO UPDATE SET \
                         until_at = excluded.until_at, reason = excluded.reason, \
                         by_role = excluded.by_role",
                    )
                    .bind(member.0)
                    .bind(until)
                    .bind(entry.reason.as_str())
                    .bind(by.as_str())
                    .execute(&mut *conn)
                    .await
                    .map_err(|e| learner_error(member, e, |e| d.error(e)))?;
                    true
                }
                None => {
                    let rows = sqlx::query(
                        "DELETE FROM suspensions WHERE learner_id = $1 RETURNING learner_id",
                    )
                    .bind(member.0)
                    .fetch_all(&mut *conn)
                    .await
                    .map_err(|e| d.error(e))?;
                    !rows.is_empty()
                }
            },
        };
        if !applied {
            return Ok(None);
        }
        let row = sqlx::query(
            "INSERT INTO moderation_log (at, moderator_id, moderator_name, action, thread_id, \
             post_id, member_id, member_name, reason, until_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(at)
        .bind(entry.moderator.map(|l| l.0))
        .bind(entry.moderator_name.as_str())
        .bind(entry.action.as_str())
        .bind(entry.thread)
        .bind(entry.post)
        .bind(entry.member.map(|l| l.0))
        .bind(entry.member_name.as_deref())
        .bind(entry.reason.as_str())
        .bind(entry.until)
        .fetch_one(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(Some(d.int(&row, "id")?))
    }

    async fn resolve_flags(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
        post: i64,
        at: Millis,
    ) -> Result<usize> {
        let rows = sqlx::query(
            "UPDATE flags SET resolved_at = $2 WHERE post_id = $1 AND resolved_at IS NULL \
             RETURNING id",
        )
        .bind(post)
        .bind(at)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))?;
        Ok(rows.len())
    }

    /// A page of the moderation log, newest first.
    pub async fn moderation_log<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<ModerationEntry>> {
        let sql =
            format!("SELECT {LOG_COLUMNS} FROM moderation_log ORDER BY id DESC LIMIT $1 OFFSET $2");
        let rows = sqlx::query(&sql)
            .bind(limit)
            .bind(offset)
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter().map(|row| log_entry_of(d, row)).collect()
    }

    /// A member's suspension, if any.
    pub async fn suspension<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        member: LearnerId,
    ) -> Result<Option<Suspension>> {
        let row =
            sqlx::query("SELECT until_at, reason, by_role FROM suspensions WHERE learner_id = $1")
                .bind(member.0)
                .fetch_optional(e)
                .await
                .map_err(|e| d.error(e))?;
        row.map(|row| {
            Ok(Suspension {
                member,
                until: d.int(&row, "until_at")?,
                reason: d.text(&row, "reason")?,
                by: role_of(d, &row)?,
            })
        })
        .transpose()
    }

    /// How many of a member's posts were ever shown to everyone.
    pub async fn approved_posts<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        member: LearnerId,
    ) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM posts WHERE author_id = $1 AND approved_at IS NOT NULL",
        )
        .bind(member.0)
        .fetch_one(e)
        .await
        .map_err(|e| d.error(e))?;
        d.int(&row, "n")
    }

    // ------------------------------------------------------------------- copies

    /// Every community row, for [`crate::Storage::export_all`].
    pub async fn export_community(
        conn: &mut DB::Connection,
        d: Decoder<'_>,
    ) -> Result<DumpCommunity> {
        let mut out = DumpCommunity::default();
        let rows = fetch(
            &mut *conn,
            d,
            "SELECT id, guide_id, question_id, title, \
             opening_post_id, created_at, last_post_at, locked_at FROM threads",
        )
        .await?;
        for row in &rows {
            out.threads.push(DumpThread {
                id: d.int(row, "id")?,
                guide: d.text(row, "guide_id")?,
                question: d.text(row, "question_id")?,
                title: d.text(row, "title")?,
                opening_post: d
                    .sql(row.int_or_null("opening_post_id"))?
                    .ok_or_else(|| d.corrupt("a thread without its opening post"))?,
                created_at: d.int(row, "created_at")?,
                last_post_at: d.int(row, "last_post_at")?,
                locked_at: d.sql(row.int_or_null("locked_at"))?,
            });
        }
        for row in &fetch(&mut *conn, d, POST_SELECT).await? {
            out.posts.push(post_of(d, row)?);
        }
        let sql = "SELECT post_id, number, body, written_at FROM post_revisions";
        for row in &fetch(&mut *conn, d, sql).await? {
            out.revisions.push(revision_of(d, row)?);
        }
        for row in &fetch(
            &mut *conn,
            d,
            "SELECT post_id, learner_id, value, voted_at FROM votes",
        )
        .await?
        {
            out.votes.push(DumpVote {
                post: d.int(row, "post_id")?,
                learner: LearnerId(d.int(row, "learner_id")?),
                value: d.int(row, "value")?,
                voted_at: d.int(row, "voted_at")?,
            });
        }
        for row in &fetch(&mut *conn, d, FLAG_SELECT).await? {
            out.flags.push(flag_of(d, row)?);
        }
        let sql = format!("SELECT {LOG_COLUMNS} FROM moderation_log");
        for row in &fetch(&mut *conn, d, &sql).await? {
            out.moderation_log.push(log_entry_of(d, row)?);
        }
        let sql = "SELECT learner_id, until_at, reason, by_role FROM suspensions";
        for row in &fetch(&mut *conn, d, sql).await? {
            out.suspensions.push(Suspension {
                member: LearnerId(d.int(row, "learner_id")?),
                until: d.int(row, "until_at")?,
                reason: d.text(row, "reason")?,
                by: role_of(d, row)?,
            });
        }
        Ok(out)
    }

    /// Writes a checked dump's community rows, keeping every number, inside the caller's
    /// transaction (after the learners).
    pub async fn import_community(
        conn: &mut DB::Connection,
        c: &DumpCommunity,
    ) -> std::result::Result<(), sqlx::Error> {
        for t in &c.threads {
            sqlx::query(
                "INSERT INTO threads (id, guide_id, question_id, title, opening_post_id, \
                 created_at, last_post_at, locked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(t.id)
            .bind(t.guide.as_str())
            .bind(t.question.as_str())
            .bind(t.title.as_str())
            .bind(t.opening_post)
            .bind(t.created_at)
            .bind(t.last_post_at)
            .bind(t.locked_at)
            .execute(&mut *conn)
            .await?;
        }
        for p in &c.posts {
            sqlx::query(
                "INSERT INTO posts (id, thread_id, author_id, body, html, state, reason, score, \
                 created_at, edited_at, approved_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(p.id)
            .bind(p.thread)
            .bind(p.author.map(|l| l.0))
            .bind(p.body.as_str())
            .bind(p.html.as_str())
            .bind(p.state.as_str())
            .bind(p.reason.as_deref())
            .bind(p.score)
            .bind(p.created_at)
            .bind(p.edited_at)
            .bind(p.approved_at)
            .execute(&mut *conn)
            .await?;
        }
        for r in &c.revisions {
            sqlx::query(
                "INSERT INTO post_revisions (post_id, number, body, written_at) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(r.post)
            .bind(r.number)
            .bind(r.body.as_str())
            .bind(r.written_at)
            .execute(&mut *conn)
            .await?;
        }
        for v in &c.votes {
            sqlx::query(
                "INSERT INTO votes (post_id, learner_id, value, voted_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(v.post)
            .bind(v.learner.0)
            .bind(v.value)
            .bind(v.voted_at)
            .execute(&mut *conn)
            .await?;
        }
        for f in &c.flags {
            sqlx::query(
                "INSERT INTO flags (id, post_id, learner_id, rule, detail, created_at, \
                 resolved_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(f.id)
            .bind(f.post)
            .bind(f.flagger.map(|l| l.0))
            .bind(f.rule.as_str())
            .bind(f.detail.as_str())
            .bind(f.created_at)
            .bind(f.resolved_at)
            .execute(&mut *conn)
            .await?;
        }
        for e in &c.moderation_log {
            sqlx::query(&format!(
                "INSERT INTO moderation_log ({LOG_COLUMNS}) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
            ))
            .bind(e.id)
            .bind(e.at)
            .bind(e.moderator.map(|l| l.0))
            .bind(e.moderator_name.as_str())
            .bind(e.action.as_str())
            .bind(e.thread)
            .bind(e.post)
            .bind(e.member.map(|l| l.0))
            .bind(e.member_name.as_deref())
            .bind(e.reason.as_str())
            .bind(e.until)
            .execute(&mut *conn)
            .await?;
        }
        for s in &c.suspensions {
            sqlx::query(
                "INSERT INTO suspensions (learner_id, until_at, reason, by_role) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(s.member.0)
            .bind(s.until)
            .bind(s.reason.as_str())
            .bind(s.by.as_str())
            .execute(&mut *conn)
            .await?;
        }
        Ok(())
    }

    // ------------------------------------------------------------------------- search

    /// As [`crate::CommunityStorage::search_discussions`]. `hits` is the backend's
    /// full-text part: a `SELECT thread_id, post_id, rank` of matching visible posts and
    /// thread titles (lower rank is better) for the query text bound as `$1`.
    pub async fn search_discussions<'e>(
        e: impl Executor<'e, Database = DB>,
        d: Decoder<'_>,
        hits: &str,
        query: &str,
        limit: i64,
    ) -> Result<Vec<DiscussionHit>> {
        let sql = format!(
            "WITH hits AS ({hits}), \
             ranked AS (SELECT thread_id, post_id, rank, \
               ROW_NUMBER() OVER (PARTITION BY thread_id ORDER BY rank, post_id) AS nth, \
               COUNT(*) OVER (PARTITION BY thread_id) AS matches FROM hits) \
             SELECT t.id AS id, t.guide_id AS guide_id, t.question_id AS question_id, \
               t.title AS title, b.id AS post_id, b.body AS body, r.matches AS matches \
             FROM ranked r JOIN threads t ON t.id = r.thread_id \
             JOIN posts o ON o.id = t.opening_post_id \
             JOIN posts b ON b.id = r.post_id \
             WHERE r.nth = 1 AND o.state = 'visible' \
             ORDER BY r.rank, t.id DESC LIMIT $2"
        );
        let rows = sqlx::query(&sql)
            .bind(query)
            .bind(limit.clamp(0, 1000))
            .fetch_all(e)
            .await
            .map_err(|e| d.error(e))?;
        rows.iter()
            .map(|row| {
                Ok(DiscussionHit {
                    thread: d.int(row, "id")?,
                    guide: d.text(row, "guide_id")?,
                    question: d.text(row, "question_id")?,
                    title: d.text(row, "title")?,
                    post: d.int(row, "post_id")?,
                    body: d.text(row, "body")?,
                    matches: d.int(row, "matches")?,
                })
            })
            .collect()
    }
}

async fn fetch<DB: Database>(
    conn: &mut DB::Connection,
    d: Decoder<'_>,
    sql: &str,
) -> Result<Vec<DB::Row>>
where
    for<'q> <DB as Database>::Arguments<'q>: IntoArguments<'q, DB>,
    for<'c> &'c mut <DB as Database>::Connection: Executor<'c, Database = DB>,
{
    sqlx::query(sql)
        .fetch_all(&mut *conn)
        .await
        .map_err(|e| d.error(e))
}

fn thread_of(d: Decoder<'_>, row: &impl Columns) -> Result<Thread> {
    Ok(Thread {
        id: d.int(row, "id")?,
        guide: d.text(row, "guide_id")?,
        question: d.text(row, "question_id")?,
        title: d.text(row, "title")?,
        opening_post: d.int(row, "opening_post_id")?,
        author: d.sql(row.int_or_null("author_id"))?.map(LearnerId),
        author_name: d.sql(row.text_or_null("author_name"))?,
        state: state_of(d, row)?,
        score: d.int(row, "score")?,
        visible_posts: d.int(row, "visible_posts")?,
        all_posts: d.int(row, "all_posts")?,
        approved: d.sql(row.int_or_null("opening_approved_at"))?.is_some(),
        created_at: d.int(row, "created_at")?,
        last_post_at: d.int(row, "last_post_at")?,
        locked_at: d.sql(row.int_or_null("locked_at"))?,
    })
}

fn role_of(d: Decoder<'_>, row: &impl Columns) -> Result<crate::Role> {
    let role = d.text(row, "by_role")?;
    crate::Role::parse(&role).map_err(|_| d.corrupt(&format!("a suspension set by {role:?}")))
}

fn state_of(d: Decoder<'_>, row: &impl Columns) -> Result<PostState> {
    let state = d.text(row, "state")?;
    PostState::parse(&state).map_err(|_| d.corrupt(&format!("a post in the state {state:?}")))
}

fn post_of(d: Decoder<'_>, row: &impl Columns) -> Result<Post> {
    Ok(Post {
        id: d.int(row, "id")?,
        thread: d.int(row, "thread_id")?,
        author: d.sql(row.int_or_null("author_id"))?.map(LearnerId),
        author_name: d.sql(row.text_or_null("author_name"))?,
        body: d.text(row, "body")?,
        html: d.text(row, "html")?,
        state: state_of(d, row)?,
        reason: d.sql(row.text_or_null("reason"))?,
        score: d.int(row, "score")?,
        created_at: d.int(row, "created_at")?,
        edited_at: d.sql(row.int_or_null("edited_at"))?,
        approved_at: d.sql(row.int_or_null("approved_at"))?,
    })
}

fn revision_of(d: Decoder<'_>, row: &impl Columns) -> Result<Revision> {
    Ok(Revision {
        post: d.int(row, "post_id")?,
        number: d.int(row, "number")?,
        body: d.text(row, "body")?,
        written_at: d.int(row, "written_at")?,
    })
}

fn flag_of(d: Decoder<'_>, row: &impl Columns) -> Result<Flag> {
    Ok(Flag {
        id: d.int(row, "id")?,
        post: d.int(row, "post_id")?,
        flagger: d.sql(row.int_or_null("learner_id"))?.map(LearnerId),
        flagger_name: d.sql(row.text_or_null("flagger_name"))?,
        rule: d.text(row, "rule")?,
        detail: d.text(row, "detail")?,
        created_at: d.int(row, "created_at")?,
        resolved_at: d.sql(row.int_or_null("resolved_at"))?,
    })
}

fn log_entry_of(d: Decoder<'_>, row: &impl Columns) -> Result<ModerationEntry> {
    Ok(ModerationEntry {
        id: d.int(row, "id")?,
        at: d.int(row, "at")?,
        moderator: d.sql(row.int_or_null("moderator_id"))?.map(LearnerId),
        moderator_name: d.text(row, "moderator_name")?,
        action: d.text(row, "action")?,
        thread: d.sql(row.int_or_null("thread_id"))?,
        post: d.sql(row.int_or_null("post_id"))?,
        member: d.sql(row.int_or_null("member_id"))?.map(LearnerId),
        member_name: d.sql(row.text_or_null("member_name"))?,
        reason: d.text(row, "reason")?,
        until: d.sql(row.int_or_null("until_at"))?,
    })
}
