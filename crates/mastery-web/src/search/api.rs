//! The search API (`GET /api/v1/search`).

use axum::Json;
use axum::extract::{Query, State};
use mastery_content::{Level, question_path};
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Viewer;
use crate::error::{ErrorBody, WebError};
use crate::search::query::{SearchParams, run_search};
use crate::state::AppState;

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    guide: String,
    question: String,
    section: String,
    level: Option<String>,
    /// The title with matched words in `<mark>` (escaped HTML).
    title_html: String,
    /// A snippet of the answer with matched words in `<mark>` (escaped HTML).
    snippet_html: String,
    mastered: bool,
    url: String,
}

/// Full-text search over titles, answers, code and tags, with filters.
#[utoipa::path(get, path = "/api/v1/search", tag = "guides", params(SearchParams),
    responses((status = 200, body = Vec<SearchHit>, description = "At most 100 hits, best first"),
        (status = 400, body = ErrorBody, description = "An unknown `level` or `status`, or a query string that does not parse")))]
pub(crate) async fn search(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, WebError> {
    let found = run_search(&state, learner, &params).await?;
    Ok(Json(
        found
            .into_iter()
            .filter_map(|f| {
                let section = f.guide.sections.get(f.section)?;
                let entry = section.entries.get(f.entry)?;
                Some(SearchHit {
                    guide: f.guide.id.to_string(),
                    question: entry.id.to_string(),
                    section: section.id.to_string(),
                    level: entry.level().map(|l: Level| l.as_str().to_owned()),
                    title_html: f.title_html,
                    snippet_html: f.snippet_html,
                    mastered: f.mastered,
                    url: question_path(&f.guide.id, &entry.id),
                })
            })
            .collect(),
    ))
}
