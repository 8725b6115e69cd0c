//! Multi-user mode's community: the tables of migration 0005, behind
//! [`CommunityStorage`].
//!
//! The statements are the ones every backend shares (`mastery_storage::sql::Queries`);
//! every write runs in one `BEGIN IMMEDIATE`
//! transaction on the single writer, so a write that reads first (a vote recounting its
//! post, a limit reading its arrival time) sees no other write between its statements.

use mastery_storage::{
    CommunityStorage, DiscussionHit, DiscussionSearch, Flag, LearnerId, Millis, Moderation,
    ModerationEntry, NewPost, NewThread, Post, Result, Revision, Suspension, Thread, ThreadQuery,
    check_community_text, check_text,
};

use crate::{Sql, SqliteStore};

/// The full-text part of a discussion search: FTS5's `bm25` over post bodies and thread
/// titles (a title counts twice), lower is better. The FTS tables come from migration 0006.
const DISCUSSION_HITS: &str = "SELECT p.thread_id AS thread_id, p.id AS post_id, \
     bm25(posts_search) AS rank FROM posts_search JOIN posts p ON p.id = posts_search.rowid \
     WHERE posts_search MATCH $1 AND p.state = 'visible' \
     UNION ALL SELECT t.id, t.opening_post_id, 2.0 * bm25(threads_search) \
     FROM threads_search JOIN threads t ON t.id = threads_search.rowid \
     WHERE threads_search MATCH $1";

/// What a `SELECT` that keeps its row for the transaction appends.
const LOCK: &str = "";

#[async_trait::async_trait]
impl CommunityStorage for SqliteStore {
    async fn create_thread(&self, new: &NewThread<'_>) -> Result<(i64, i64)> {
        new.post.check()?;
        check_community_text("a thread title", new.title)?;
        check_text("a guide id", new.guide)?;
        check_text("a question id", new.question)?;
        let mut tx = self.write().await?;
        let ids = Sql::create_thread(&mut tx, self.decoder(), new).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(ids)
    }

    async fn add_post(&self, new: &NewPost<'_>) -> Result<i64> {
        new.check()?;
        let mut tx = self.write().await?;
        let id = Sql::add_post(&mut tx, self.decoder(), new, LOCK).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn thread(&self, id: i64) -> Result<Option<Thread>> {
        Sql::thread(&self.readers, self.decoder(), id).await
    }

    async fn threads(&self, query: &ThreadQuery<'_>) -> Result<(Vec<Thread>, i64)> {
        Sql::threads(&self.readers, self.decoder(), query).await
    }

    async fn thread_counts(&self, guide: &str) -> Result<Vec<(String, i64)>> {
        Sql::thread_counts(&self.readers, self.decoder(), guide).await
    }

    async fn discussed_questions(&self) -> Result<Vec<(String, String, i64)>> {
        Sql::discussed_questions(&self.readers, self.decoder()).await
    }

    async fn posts(&self, thread: i64, offset: i64, limit: i64) -> Result<Vec<Post>> {
        Sql::posts(&self.readers, self.decoder(), thread, offset, limit).await
    }

    async fn post(&self, id: i64) -> Result<Option<Post>> {
        Sql::post(&self.readers, self.decoder(), id).await
    }

    async fn edit_post(&self, id: i64, body: &str, html: &str, at: Millis) -> Result<bool> {
        mastery_storage::check_body(body, html)?;
        let mut tx = self.write().await?;
        let found = Sql::edit_post(&mut tx, self.decoder(), id, body, html, at, LOCK).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn delete_post(&self, id: i64, at: Millis) -> Result<bool> {
        let mut tx = self.write().await?;
        let found = Sql::delete_post(&mut tx, self.decoder(), id, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(found)
    }

    async fn revisions(&self, post: i64) -> Result<Vec<Revision>> {
        Sql::revisions(&self.readers, self.decoder(), post).await
    }

    async fn vote(&self, post: i64, voter: LearnerId, value: i64, at: Millis) -> Result<i64> {
        let mut tx = self.write().await?;
        let score = Sql::vote(&mut tx, self.decoder(), post, voter, value, at, LOCK).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(score)
    }

    async fn votes_in_thread(&self, voter: LearnerId, thread: i64) -> Result<Vec<(i64, i64)>> {
        Sql::votes_in_thread(&self.readers, self.decoder(), voter, thread).await
    }

    async fn flag(
        &self,
        post: i64,
        flagger: LearnerId,
        rule: &str,
        detail: &str,
        at: Millis,
    ) -> Result<bool> {
        check_community_text("a rule", rule)?;
        check_community_text("a flag's detail", detail)?;
        let mut tx = self.write().await?;
        let added = Sql::flag(&mut *tx, self.decoder(), post, flagger, rule, detail, at).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(added)
    }

    async fn open_flags(&self) -> Result<Vec<Flag>> {
        Sql::open_flags(&self.readers, self.decoder()).await
    }

    async fn pending_posts(&self) -> Result<Vec<Post>> {
        Sql::pending_posts(&self.readers, self.decoder()).await
    }

    async fn moderate(&self, entry: &ModerationEntry, change: Moderation) -> Result<Option<i64>> {
        check_community_text("a reason", &entry.reason)?;
        check_community_text("a moderator's name", &entry.moderator_name)?;
        check_community_text("an action", &entry.action)?;
        if let Some(name) = &entry.member_name {
            check_community_text("a member's name", name)?;
        }
        let mut tx = self.write().await?;
        let id = Sql::moderate(&mut tx, self.decoder(), entry, change).await?;
        tx.commit().await.map_err(|e| self.error(e))?;
        Ok(id)
    }

    async fn moderation_log(&self, offset: i64, limit: i64) -> Result<Vec<ModerationEntry>> {
        Sql::moderation_log(&self.readers, self.decoder(), offset, limit).await
    }

    async fn suspension(&self, member: LearnerId) -> Result<Option<Suspension>> {
        Sql::suspension(&self.readers, self.decoder(), member).await
    }

    async fn approved_posts(&self, member: LearnerId) -> Result<i64> {
        Sql::approved_posts(&self.readers, self.decoder(), member).await
    }

    async fn search_discussions(&self, query: &DiscussionSearch<'_>) -> Result<Vec<DiscussionHit>> {
        if query.is_empty() {
            return Ok(Vec::new());
        }
        let text = query.fts5();
        Sql::search_discussions(
            &self.readers,
            self.decoder(),
            DISCUSSION_HITS,
            &text,
            query.limit,
        )
        .await
    }
}
