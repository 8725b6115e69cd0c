//! Ticking a question as mastered: the guide page's form (`POST .../mark`) and the API
//! (`PUT /api/v1/guides/{guide}/questions/{question}/mark`).

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Learner;
use crate::error::{ErrorBody, WebError};
use crate::guides::api::ProgressDto;
use crate::openapi::op;
use crate::security::redirect_back;
use crate::state::{AppState, now};
use mastery_app::marks;

#[derive(Debug, Deserialize)]
pub struct MarkForm {
    mastered: bool,
    back: Option<String>,
}

/// `POST /guides/{guide}/{question}/mark`: tick or untick, then back to the page (`back`,
/// or the question's card on the guide page, whose forms leave `back` out).
pub async fn mark(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<MarkForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    marks::set_mark(
        state.store(),
        learner,
        &library.guides,
        &guide,
        &question,
        form.mastered,
        now(),
    )
    .await?;
    let card = format!("/guides/{guide}#{question}");
    Ok(redirect_back(Some(form.back.as_deref().unwrap_or(&card))))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkBody {
    /// `true` to tick the question as mastered, `false` to untick it.
    mastered: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkResult {
    mastered: bool,
    section: String,
    section_progress: ProgressDto,
    guide_progress: ProgressDto,
}

/// Ticks or unticks a question; answers with the new progress of its section and guide.
#[utoipa::path(put, path = "/api/v1/guides/{guide}/questions/{question}/mark", tag = "learner", operation_id = op::PUT_MARK,
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = MarkBody,
    responses((status = 200, body = MarkResult, description = "Saved; the new progress of the question's section and guide"),
        (status = 404, body = ErrorBody, description = "No such guide or question"),
        (status = 409, body = ErrorBody, description = "The question is an insight: it cannot be marked")))]
pub(crate) async fn put_mark(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path((guide_id, question_id)): Path<(String, String)>,
    Json(body): Json<MarkBody>,
) -> Result<Json<MarkResult>, WebError> {
    let library = state.library();
    let marked = marks::set_mark(
        state.store(),
        learner,
        &library.guides,
        &guide_id,
        &question_id,
        body.mastered,
        now(),
    )
    .await?;
    Ok(Json(MarkResult {
        mastered: body.mastered,
        section_progress: marked.progress.section(&marked.section).into(),
        section: marked.section,
        guide_progress: marked.progress.guide.into(),
    }))
}
