//! Search in the discussions: the threads everyone may read that mention what the search
//! box asked for, shown beside the guide's results in multi-user mode.
//!
//! Only what every reader may see is searched (threads whose opening post is visible, and
//! their visible posts), so one list serves every reader; the full-text indexes are the
//! database's own (migration 0006), shared by every instance.

use mastery_content::search::{Parsed, mark_query, snippet_for_query};
use mastery_content::user_markdown::user_markdown_text;
use mastery_storage::{DiscussionSearch, Storage};

use crate::AppError;

/// The most threads a search lists.
pub const MAX_DISCUSSION_RESULTS: i64 = 10;

/// A thread that mentions what was searched for, ready to show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscussionResult {
    /// The thread's number.
    pub thread: i64,
    /// The post to link to: the best match.
    pub post: i64,
    /// The guide of the question it discusses.
    pub guide: String,
    /// The question it discusses.
    pub question: String,
    /// Its title, escaped, the query's words marked.
    pub title_html: String,
    /// About 200 characters of the best-matching post, escaped, the words marked.
    pub snippet_html: String,
    /// How many of its posts (and its title) match.
    pub matches: i64,
}

/// The threads that mention the query's words and phrases, best first (at most
/// [`MAX_DISCUSSION_RESULTS`]). A query without words (only filters) finds none.
///
/// # Errors
///
/// Storage errors.
pub async fn search(
    store: &dyn Storage,
    parsed: &Parsed,
) -> Result<Vec<DiscussionResult>, AppError> {
    let query = DiscussionSearch {
        words: &parsed.words,
        last_is_prefix: parsed.last_is_prefix,
        phrases: &parsed.phrases,
        limit: MAX_DISCUSSION_RESULTS,
    };
    if query.is_empty() {
        return Ok(Vec::new());
    }
    let hits = store.search_discussions(&query).await?;
    Ok(hits
        .into_iter()
        .map(|h| DiscussionResult {
            thread: h.thread,
            post: h.post,
            title_html: mark_query(&h.title, parsed),
            snippet_html: snippet_for_query(&user_markdown_text(&h.body), parsed),
            guide: h.guide,
            question: h.question,
            matches: h.matches,
        })
        .collect())
}
