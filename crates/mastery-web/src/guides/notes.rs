//! The learner's private note on a question: the question page's form and the API. Notes
//! are Markdown rendered to HTML and sanitised with ammonia, so a note can hold code and
//! links but never script.

use axum::Json;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use mastery_storage::Note;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Learner;
use crate::error::{ErrorBody, WebError};
use crate::openapi::op;
use crate::security::redirect_back;
use crate::state::{AppState, now};
use mastery_app::notes;

#[derive(Debug, Deserialize)]
pub struct NoteForm {
    body: String,
}

/// `POST /guides/{guide}/{question}/note`: save the note, then back to the question.
pub async fn note(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<NoteForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    notes::save_note(
        state.store(),
        learner,
        &library.guides,
        &guide,
        &question,
        &form.body,
        now(),
    )
    .await?;
    Ok(redirect_back(Some(&format!(
        "/guides/{guide}/{question}#note-title"
    ))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NoteDto {
    /// The Markdown source.
    body: String,
    /// The rendered, sanitised HTML.
    html: String,
    /// Milliseconds since the Unix epoch; absent when there is no note.
    updated_at: Option<i64>,
}

impl NoteDto {
    pub(crate) fn from_note(note: Option<Note>) -> Self {
        match note {
            Some(n) => Self {
                html: render_markdown(&n.body),
                body: n.body,
                updated_at: Some(n.updated_at),
            },
            None => Self {
                body: String::new(),
                html: String::new(),
                updated_at: None,
            },
        }
    }
}

/// The learner's private note on a question (empty when there is none).
#[utoipa::path(get, path = "/api/v1/guides/{guide}/questions/{question}/note", tag = "learner", operation_id = op::GET_NOTE,
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)),
    responses((status = 200, body = NoteDto, description = "The note (empty when there is none)"),
        (status = 404, body = ErrorBody, description = "No such guide or question")))]
pub(crate) async fn get_note(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path((guide_id, question_id)): Path<(String, String)>,
) -> Result<Json<NoteDto>, WebError> {
    let library = state.library();
    let note = notes::note(
        state.store(),
        learner,
        &library.guides,
        &guide_id,
        &question_id,
    )
    .await?;
    Ok(Json(NoteDto::from_note(note)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Markdown; an empty body deletes the note. At most 64 KiB of UTF-8 (65,536 characters
    /// of ASCII; a character outside ASCII takes 2 to 4 bytes: a longer note answers 413),
    /// without the NUL character.
    #[schema(max_length = 65536, pattern = "^[^\\x00]*$")]
    body: String,
}

/// Saves the learner's note (an empty body deletes it).
#[utoipa::path(put, path = "/api/v1/guides/{guide}/questions/{question}/note", tag = "learner", operation_id = op::PUT_NOTE,
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = NoteBody,
    responses((status = 200, body = NoteDto, description = "Saved (or deleted, for an empty body)"),
        (status = 400, body = ErrorBody, description = "Malformed request, or a note with the NUL character"),
        (status = 404, body = ErrorBody, description = "No such guide or question"),
        (status = 413, body = ErrorBody, description = "The note is over 64 KiB of UTF-8, or the body over 640 KiB")))]
pub(crate) async fn put_note(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path((guide_id, question_id)): Path<(String, String)>,
    Json(body): Json<NoteBody>,
) -> Result<Json<NoteDto>, WebError> {
    let library = state.library();
    let (store, learner, guides) = (state.store(), learner, &library.guides);
    notes::save_note(
        store,
        learner,
        guides,
        &guide_id,
        &question_id,
        &body.body,
        now(),
    )
    .await?;
    let note = notes::note(store, learner, guides, &guide_id, &question_id).await?;
    Ok(Json(NoteDto::from_note(note)))
}

/// Renders a note's Markdown to safe HTML, as posts are (`mastery_content::user_markdown`);
/// a note nested too deep for that is shown as its plain text.
pub(crate) fn render_markdown(markdown: &str) -> String {
    match mastery_content::user_markdown::render_user_markdown(markdown) {
        Ok(rendered) => rendered.html,
        Err(_) => format!("<pre>{}</pre>", mastery_content::html::escape(markdown)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_is_kept_and_script_is_removed() {
        let html = render_markdown(
            "**bold** `code`\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1)) <img src=x onerror=alert(1)>",
        );
        assert!(html.contains("<strong>bold</strong>"), "{html}");
        assert!(html.contains("<code>code</code>"));
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("javascript:"), "{html}");
        assert!(!html.contains("<img"), "{html}");
    }
}
