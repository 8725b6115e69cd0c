//! Search in the community's discussions (multi-user mode): the threads everyone may read
//! that mention the query, on the search page below the guide's results and in
//! `GET /api/v1/search/discussions`.

use axum::Json;
use axum::extract::{Query, State};
use mastery_app::community::search::{DiscussionResult, search};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Viewer;
use crate::error::{ErrorBody, WebError};
use crate::state::AppState;

/// `?q=` of the discussion search.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DiscussionParams {
    /// Words and `"phrases"` to find in thread titles and posts (the rest of the query
    /// language is ignored here); the last word also matches as a prefix. Only the first
    /// 200 characters are used.
    #[serde(default)]
    q: String,
}

/// A thread that mentions what was searched for.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DiscussionHitDto {
    /// The thread's number.
    pub thread: i64,
    /// Its best-matching post.
    pub post: i64,
    /// The guide of the question it discusses.
    pub guide: String,
    /// The question it discusses.
    pub question: String,
    /// The question's title (its id when the guide no longer has it).
    pub question_title: String,
    /// The thread's title with matched words in `<mark>` (escaped HTML).
    pub title_html: String,
    /// A snippet of the best-matching post with matched words in `<mark>` (escaped HTML).
    pub snippet_html: String,
    /// How many of its posts (and its title) match.
    pub matches: i64,
    /// The page of the thread, at that post.
    pub url: String,
}

/// The threads everyone may read that mention the query's words, best first; nothing on a
/// personal server, or for a query without words.
pub(crate) async fn found(state: &AppState, text: &str) -> Result<Vec<DiscussionHitDto>, WebError> {
    if !state.multi_user() {
        return Ok(Vec::new());
    }
    let text: String = text.chars().take(200).collect();
    let parsed = mastery_content::search::parse(&text);
    let library = state.library();
    Ok(search(state.store(), &parsed)
        .await?
        .into_iter()
        .map(|r: DiscussionResult| {
            let question_title = library
                .guide(&r.guide)
                .and_then(|g| g.entry(&r.question))
                .map_or_else(|| r.question.clone(), |e| e.title_text.clone());
            DiscussionHitDto {
                url: format!("/threads/{}#post-{}", r.thread, r.post),
                thread: r.thread,
                post: r.post,
                guide: r.guide,
                question: r.question,
                question_title,
                title_html: r.title_html,
                snippet_html: r.snippet_html,
                matches: r.matches,
            }
        })
        .collect())
}

/// Full-text search in the community's discussions: the threads whose title or one of
/// whose visible posts contains every word, best first (at most 10). Only what every
/// reader may see is searched.
#[utoipa::path(get, path = "/api/v1/search/discussions", tag = "community",
    params(DiscussionParams),
    responses((status = 200, body = Vec<DiscussionHitDto>, description = "At most 10 threads, best first"),
        (status = 404, body = ErrorBody, description = "A personal server: there is no community")))]
pub(crate) async fn search_discussions(
    State(state): State<AppState>,
    _reader: Viewer,
    Query(params): Query<DiscussionParams>,
) -> Result<Json<Vec<DiscussionHitDto>>, WebError> {
    if !state.multi_user() {
        return Err(crate::access::personal_mode());
    }
    Ok(Json(found(&state, &params.q).await?))
}
