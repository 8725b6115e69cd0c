//! The search API (`GET /api/v1/search`).

use axum::Json;
use axum::extract::{Query, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
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

/// Full-text search over titles, answers, key points, code and tags, with filters and the
/// query language of the search page. The headers say how many matched in all
/// (`X-Total-Count`) and, when nothing did, a corrected query (`X-Did-You-Mean`,
/// percent-encoded). `limit` (1 to 100, default 100) says how many results to return:
/// only those are formatted, so search as you type asks for the few it shows.
#[utoipa::path(get, path = "/api/v1/search", tag = "guides", params(SearchParams),
    responses((status = 200, body = Vec<SearchHit>, description = "At most `limit` hits (default 100), best first",
        headers(("X-Total-Count" = u64, description = "How many entries matched in all"),
                ("X-Did-You-Mean" = String, description = "When nothing matched: a corrected query, percent-encoded"))),
        (status = 400, body = ErrorBody, description = "An unknown `level` or `status`, a `limit` outside 1 to 100, or a query string that does not parse")))]
pub(crate) async fn search(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let outcome = run_search(&state, learner, &params).await?;
    let mut response = Json(
        outcome
            .found
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
            .collect::<Vec<_>>(),
    )
    .into_response();
    let headers = response.headers_mut();
    headers.insert("x-total-count", HeaderValue::from(outcome.total));
    if let Some(suggestion) = outcome.did_you_mean
        && let Ok(value) = HeaderValue::from_str(&percent_encode(&suggestion))
    {
        headers.insert("x-did-you-mean", value);
    }
    Ok(response)
}

/// A query for a URL's query string.
pub(crate) fn encode_query(text: &str) -> String {
    percent_encode(text)
}

/// Percent-encodes everything but ASCII letters, digits and `-_.~`.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
