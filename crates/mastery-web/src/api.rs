//! The JSON API under `/api/v1`: everything the pages do, described by the OpenAPI
//! document at `/api/v1/openapi.json`. Routes and their documentation are registered
//! together (utoipa-axum), so the document cannot drift from the real routes.
//!
//! State-changing requests need the `X-CSRF-Token` header: `GET /api/v1/session` returns
//! the token for the session cookie it sets.

use std::collections::HashSet;

use axum::Extension;
use axum::Json;
use axum::extract::{Path, Query, State};
use mastery_content::{Level, question_path};
use mastery_storage::{MAX_NOTE_BYTES, Note, QuestionKey};
use mastery_study::GuideProgress;
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::WebError;
use crate::pages::{SearchParams, find_guide, mastered_in, question_key, run_search};
use crate::security::Session;
use crate::{AppState, now};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mastery API",
        version = "1",
        description = "Everything the Mastery pages do, as JSON. State-changing requests (PUT) must send the `X-CSRF-Token` header with the token from `GET /api/v1/session`, and the session cookie that request set. Errors are `{\"error\": {\"status\", \"code\", \"message\"}}`."
    ),
    tags((name = "guides", description = "Guides and questions"), (name = "learner", description = "Marks and notes"), (name = "session", description = "CSRF token"), (name = "study", description = "Spaced repetition"))
)]
struct ApiDoc;

/// The API routes with their OpenAPI description.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(session))
        .routes(routes!(list_guides))
        .routes(routes!(get_guide))
        .routes(routes!(get_question))
        .routes(routes!(put_mark))
        .routes(routes!(get_note, put_note))
        .routes(routes!(search))
        .routes(routes!(study_queue))
        .routes(routes!(post_review, export_reviews))
        .routes(routes!(post_undo))
        .routes(routes!(get_study_settings, put_study_settings))
        .routes(routes!(crate::stats::study_stats))
        .merge(crate::mock_api::router())
}

/// The error body of every API error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
struct ErrorDetail {
    status: u16,
    code: String,
    message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Send this as `X-CSRF-Token` on PUT requests, with the session cookie.
    csrf_token: String,
}

/// The CSRF token of this session (the response sets the session cookie if needed).
#[utoipa::path(get, path = "/api/v1/session", tag = "session", responses((status = 200, body = SessionInfo)))]
async fn session(Extension(session): Extension<Session>) -> Json<SessionInfo> {
    Json(SessionInfo {
        csrf_token: session.csrf,
    })
}

/// Mastered out of total.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    mastered: usize,
    total: usize,
    percent: usize,
}

impl From<mastery_study::Progress> for ProgressDto {
    fn from(p: mastery_study::Progress) -> Self {
        Self {
            mastered: p.mastered,
            total: p.total,
            percent: p.percent(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideSummary {
    id: String,
    title: String,
    subtitle: Option<String>,
    description: String,
    version: String,
    sections: usize,
    progress: ProgressDto,
}

/// Every loaded guide with the learner's progress.
#[utoipa::path(get, path = "/api/v1/guides", tag = "guides", responses((status = 200, body = Vec<GuideSummary>)))]
async fn list_guides(State(state): State<AppState>) -> Result<Json<Vec<GuideSummary>>, WebError> {
    let library = state.library();
    let mut out = Vec::new();
    for g in &library.guides {
        let ids = mastered_in(&state, g.id.as_str()).await?;
        let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
        out.push(GuideSummary {
            id: g.id.to_string(),
            title: g.title.clone(),
            subtitle: g.subtitle.clone(),
            description: g.description.clone(),
            version: g.version.clone(),
            sections: g.sections.len(),
            progress: GuideProgress::of(g, &set).guide.into(),
        });
    }
    Ok(Json(out))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionSummary {
    id: String,
    title: String,
    /// `junior`, `confirmed` or `senior`; absent for an insight.
    level: Option<String>,
    tags: Vec<String>,
    mastered: bool,
    url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SectionDto {
    id: String,
    title: String,
    progress: ProgressDto,
    questions: Vec<QuestionSummary>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GuideDetail {
    id: String,
    title: String,
    description: String,
    progress: ProgressDto,
    sections: Vec<SectionDto>,
}

/// A guide's sections and questions with the learner's marks.
#[utoipa::path(get, path = "/api/v1/guides/{guide}", tag = "guides",
    params(("guide" = String, Path, description = "Guide id")),
    responses((status = 200, body = GuideDetail), (status = 404, body = ErrorBody)))]
async fn get_guide(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<GuideDetail>, WebError> {
    let library = state.library();
    let g = find_guide(&library, &id)?;
    let ids = mastered_in(&state, &id).await?;
    let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let progress = GuideProgress::of(&g, &set);
    Ok(Json(GuideDetail {
        id: g.id.to_string(),
        title: g.title.clone(),
        description: g.description.clone(),
        progress: progress.guide.into(),
        sections: g
            .sections
            .iter()
            .map(|s| SectionDto {
                id: s.id.to_string(),
                title: s.title.clone(),
                progress: progress.section(s.id.as_str()).into(),
                questions: s
                    .entries
                    .iter()
                    .map(|e| QuestionSummary {
                        id: e.id.to_string(),
                        title: e.title_text.clone(),
                        level: e.level().map(|l| l.as_str().to_owned()),
                        tags: e.tags.iter().map(ToString::to_string).collect(),
                        mastered: set.contains(e.id.as_str()),
                        url: question_path(&g.id, &e.id),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct KeyPointDto {
    /// The statement, as Markdown.
    text: String,
    /// Groups of synonyms; a typed answer covers the point when every group matches.
    words: Vec<Vec<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReferenceDto {
    title: String,
    url: String,
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
    fn from_note(note: Option<Note>) -> Self {
        match note {
            Some(n) => Self {
                html: crate::notes::render(&n.body),
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

#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionDetail {
    id: String,
    guide: String,
    section: String,
    title: String,
    level: Option<String>,
    tags: Vec<String>,
    answer_html: String,
    key_points: Vec<KeyPointDto>,
    references: Vec<ReferenceDto>,
    follow_ups: Vec<String>,
    mastered: bool,
    note: NoteDto,
}

/// One question with its answer, key points, references, follow-ups, mark and note.
#[utoipa::path(get, path = "/api/v1/guides/{guide}/questions/{question}", tag = "guides",
    params(("guide" = String, Path, description = "Guide id"), ("question" = String, Path, description = "Question id")),
    responses((status = 200, body = QuestionDetail), (status = 404, body = ErrorBody)))]
async fn get_question(
    State(state): State<AppState>,
    Path((guide_id, question_id)): Path<(String, String)>,
) -> Result<Json<QuestionDetail>, WebError> {
    let library = state.library();
    let g = find_guide(&library, &guide_id)?;
    let (section, entry) = g
        .sections
        .iter()
        .find_map(|s| {
            s.entries
                .iter()
                .find(|e| e.id.as_str() == question_id)
                .map(|e| (s, e))
        })
        .ok_or_else(|| {
            WebError::NotFound(format!(
                "the guide `{guide_id}` has no question `{question_id}`"
            ))
        })?;
    let key = QuestionKey::new(guide_id.as_str(), question_id.as_str());
    let mastered = mastered_in(&state, &guide_id).await?.contains(&question_id);
    let note = state.store().note(state.learner(), &key).await?;
    Ok(Json(QuestionDetail {
        id: entry.id.to_string(),
        guide: g.id.to_string(),
        section: section.id.to_string(),
        title: entry.title_text.clone(),
        level: entry.level().map(|l| l.as_str().to_owned()),
        tags: entry.tags.iter().map(ToString::to_string).collect(),
        answer_html: entry.answer_html.clone(),
        key_points: entry
            .key_points
            .iter()
            .map(|k| KeyPointDto {
                text: k.text.clone(),
                words: k.groups.clone(),
            })
            .collect(),
        references: entry
            .references
            .iter()
            .map(|r| ReferenceDto {
                title: r.title.clone(),
                url: r.url.clone(),
            })
            .collect(),
        follow_ups: entry.follow_ups.iter().map(ToString::to_string).collect(),
        mastered,
        note: NoteDto::from_note(note),
    }))
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
#[utoipa::path(put, path = "/api/v1/guides/{guide}/questions/{question}/mark", tag = "learner",
    params(("guide" = String, Path, description = "Guide id"), ("question" = String, Path, description = "Question id"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = MarkBody,
    responses((status = 200, body = MarkResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn put_mark(
    State(state): State<AppState>,
    Path((guide_id, question_id)): Path<(String, String)>,
    Json(body): Json<MarkBody>,
) -> Result<Json<MarkResult>, WebError> {
    let library = state.library();
    let key = question_key(&library, &guide_id, &question_id)?;
    state
        .store()
        .set_mark(state.learner(), &key, body.mastered, now())
        .await?;
    let g = find_guide(&library, &guide_id)?;
    let ids = mastered_in(&state, &guide_id).await?;
    let set: HashSet<&str> = ids.iter().map(String::as_str).collect();
    let progress = GuideProgress::of(&g, &set);
    let section = g
        .sections
        .iter()
        .find(|s| s.entries.iter().any(|e| e.id.as_str() == question_id))
        .map(|s| s.id.to_string())
        .unwrap_or_default();
    Ok(Json(MarkResult {
        mastered: body.mastered,
        section_progress: progress.section(&section).into(),
        section,
        guide_progress: progress.guide.into(),
    }))
}

/// The learner's private note on a question (empty when there is none).
#[utoipa::path(get, path = "/api/v1/guides/{guide}/questions/{question}/note", tag = "learner",
    params(("guide" = String, Path, description = "Guide id"), ("question" = String, Path, description = "Question id")),
    responses((status = 200, body = NoteDto), (status = 404, body = ErrorBody)))]
async fn get_note(
    State(state): State<AppState>,
    Path((guide_id, question_id)): Path<(String, String)>,
) -> Result<Json<NoteDto>, WebError> {
    let key = entry_key(&state, &guide_id, &question_id)?;
    Ok(Json(NoteDto::from_note(
        state.store().note(state.learner(), &key).await?,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// Markdown; an empty body deletes the note. At most 64 KiB.
    body: String,
}

/// Saves the learner's note (an empty body deletes it).
#[utoipa::path(put, path = "/api/v1/guides/{guide}/questions/{question}/note", tag = "learner",
    params(("guide" = String, Path, description = "Guide id"), ("question" = String, Path, description = "Question id"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = NoteBody,
    responses((status = 200, body = NoteDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody)))]
async fn put_note(
    State(state): State<AppState>,
    Path((guide_id, question_id)): Path<(String, String)>,
    Json(body): Json<NoteBody>,
) -> Result<Json<NoteDto>, WebError> {
    let key = entry_key(&state, &guide_id, &question_id)?;
    if body.body.len() > MAX_NOTE_BYTES {
        return Err(WebError::PayloadTooLarge(MAX_NOTE_BYTES / 1024));
    }
    state
        .store()
        .save_note(state.learner(), &key, &body.body, now())
        .await?;
    Ok(Json(NoteDto::from_note(
        state.store().note(state.learner(), &key).await?,
    )))
}

fn entry_key(state: &AppState, guide: &str, question: &str) -> Result<QuestionKey, WebError> {
    let library = state.library();
    let g = find_guide(&library, guide)?;
    g.entry(question)
        .map(|_| QuestionKey::new(guide, question))
        .ok_or_else(|| {
            WebError::NotFound(format!("the guide `{guide}` has no question `{question}`"))
        })
}

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
    responses((status = 200, body = Vec<SearchHit>), (status = 400, body = ErrorBody)))]
async fn search(
    State(state): State<AppState>,
    Query(params): Query<SearchParams>,
) -> Result<Json<Vec<SearchHit>>, WebError> {
    let found = run_search(&state, &params).await?;
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

// ---- Study ----------------------------------------------------------------------------

/// One rating button of the current card.
#[derive(Debug, Serialize, ToSchema)]
pub struct ButtonDto {
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: u8,
    name: String,
    /// When the card comes back after this rating ("10m", "3d").
    interval: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StudyCardDto {
    guide: String,
    question: String,
    section: String,
    title: String,
    level: Option<String>,
    /// `learning`, `review` or `new`.
    kind: String,
    answer_html: String,
    buttons: Vec<ButtonDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct QueueDto {
    learning: usize,
    review: usize,
    new: usize,
    reviewed_today: usize,
    /// Milliseconds since the Unix epoch when the next learning step comes due.
    next_learning_due: Option<i64>,
    /// The card to study now; absent when nothing is due.
    current: Option<StudyCardDto>,
}

/// The study queue: counts and the card to study now, with the interval of each rating.
#[utoipa::path(get, path = "/api/v1/study/queue", tag = "study", params(crate::study::StudyParams),
    responses((status = 200, body = QueueDto), (status = 400, body = ErrorBody)))]
async fn study_queue(
    State(state): State<AppState>,
    Query(params): Query<crate::study::StudyParams>,
) -> Result<Json<QueueDto>, WebError> {
    let library = state.library();
    let filter = params.filter()?;
    let q = mastery_app::study::queue(
        state.store(),
        state.learner(),
        &library.guides,
        &filter,
        now(),
    )
    .await?;
    let current = q.current.as_ref().map(|c| StudyCardDto {
        guide: c.guide.id.to_string(),
        question: c.entry.id.to_string(),
        section: c.section.id.to_string(),
        title: c.entry.title_text.clone(),
        level: c.entry.level().map(|l| l.as_str().to_owned()),
        kind: match c.kind {
            mastery_study::scheduler::queue::QueueKind::Learning => "learning",
            mastery_study::scheduler::queue::QueueKind::Review => "review",
            mastery_study::scheduler::queue::QueueKind::New => "new",
        }
        .to_owned(),
        answer_html: c.entry.answer_html.clone(),
        buttons: c
            .next
            .iter()
            .map(|(r, n)| ButtonDto {
                rating: r.as_u8(),
                name: r.name().to_owned(),
                interval: n.label.clone(),
            })
            .collect(),
    });
    Ok(Json(QueueDto {
        learning: q.learning,
        review: q.review,
        new: q.new,
        reviewed_today: q.reviewed_today,
        next_learning_due: q.next_learning_due,
        current,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    guide: String,
    question: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: u8,
    /// Your id for this review (8 to 64 of A-Z a-z 0-9 _ -). Retrying with the same id never
    /// records twice.
    review_id: String,
    /// How long the learner took, in milliseconds.
    #[serde(default)]
    time_spent_ms: u32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewResult {
    /// `false` when this review id had already been recorded (a retry): nothing changed.
    recorded: bool,
    /// When the card comes back ("10m", "3d"); absent for a retry.
    interval: Option<String>,
    /// Milliseconds since the Unix epoch when the card is due again; absent for a retry.
    due: Option<i64>,
}

/// Records a review. Durable when it answers 200; idempotent by `review_id`.
#[utoipa::path(post, path = "/api/v1/study/reviews", tag = "study",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = ReviewBody,
    responses((status = 200, body = ReviewResult), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn post_review(
    State(state): State<AppState>,
    Json(body): Json<ReviewBody>,
) -> Result<Json<ReviewResult>, WebError> {
    let rating = mastery_study::scheduler::Rating::from_u8(body.rating)
        .map_err(|e| WebError::BadRequest(e.to_string()))?;
    let library = state.library();
    let answer = mastery_app::study::Answer {
        key: QuestionKey::new(body.guide, body.question),
        rating,
        review_id: body.review_id,
        time_spent_ms: body.time_spent_ms.min(3_600_000),
    };
    let answered = mastery_app::study::answer(
        state.store(),
        state.learner(),
        &library.guides,
        &answer,
        now(),
    )
    .await?;
    state.metrics().count_answer(&answered);
    Ok(Json(match answered {
        mastery_app::study::Answered::Recorded { after, label } => ReviewResult {
            recorded: true,
            interval: Some(label),
            due: Some(after.due),
        },
        mastery_app::study::Answered::Duplicate => ReviewResult {
            recorded: false,
            interval: None,
            due: None,
        },
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UndoResult {
    /// The question whose last review was undone; absent when there was nothing to undo.
    guide: Option<String>,
    question: Option<String>,
}

/// Undoes the learner's most recent review.
#[utoipa::path(post, path = "/api/v1/study/undo", tag = "study",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 200, body = UndoResult), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn post_undo(State(state): State<AppState>) -> Result<Json<UndoResult>, WebError> {
    let key = mastery_app::study::undo(state.store(), state.learner()).await?;
    Ok(Json(UndoResult {
        guide: key.as_ref().map(|k| k.guide.clone()),
        question: key.map(|k| k.question),
    }))
}

/// One review in the shape of the FSRS optimizer's input (one row per review).
#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewRow {
    /// `guide/question`: the card.
    card_id: String,
    review_id: String,
    /// Milliseconds since the Unix epoch.
    review_time: i64,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    review_rating: u8,
    /// 0 new, 1 learning, 2 review, 3 relearning (the state before the review).
    review_state: u8,
    /// Milliseconds the learner spent.
    review_duration: i64,
    elapsed_days: f64,
    scheduled_days: f64,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ExportParams {
    /// `json` (default) or `csv`.
    format: Option<String>,
}

/// The learner's review log, oldest first, as JSON or CSV in the FSRS optimizer's shape
/// (`card_id, review_time, review_rating, review_state, review_duration`).
#[utoipa::path(get, path = "/api/v1/study/reviews", tag = "study", params(ExportParams),
    responses((status = 200, body = Vec<ReviewRow>), (status = 400, body = ErrorBody)))]
async fn export_reviews(
    State(state): State<AppState>,
    Query(params): Query<ExportParams>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse as _;
    let rows: Vec<ReviewRow> = state
        .store()
        .reviews(state.learner(), None)
        .await?
        .into_iter()
        .map(|r| ReviewRow {
            card_id: format!("{}/{}", r.key.guide, r.key.question),
            review_id: r.id,
            review_time: r.reviewed_at,
            review_rating: r.rating,
            review_state: match r.before.as_ref().map(|b| b.phase) {
                None | Some(mastery_storage::CardPhase::New) => 0,
                Some(mastery_storage::CardPhase::Learning) => 1,
                Some(mastery_storage::CardPhase::Review) => 2,
                Some(mastery_storage::CardPhase::Relearning) => 3,
            },
            review_duration: r.time_spent_ms,
            elapsed_days: r.elapsed_days,
            scheduled_days: r.scheduled_days,
        })
        .collect();
    match params.format.as_deref().unwrap_or("json") {
        "json" => Ok(Json(rows).into_response()),
        "csv" => {
            let mut csv = String::from(
                "card_id,review_id,review_time,review_rating,review_state,review_duration,elapsed_days,scheduled_days\n",
            );
            for r in rows {
                // Ids are validated to [a-z0-9-] and review ids to [A-Za-z0-9_-]: no quoting needed.
                csv.push_str(&format!(
                    "{},{},{},{},{},{},{},{}\n",
                    r.card_id,
                    r.review_id,
                    r.review_time,
                    r.review_rating,
                    r.review_state,
                    r.review_duration,
                    r.elapsed_days,
                    r.scheduled_days
                ));
            }
            Ok((
                [
                    (axum::http::header::CONTENT_TYPE, "text/csv; charset=utf-8"),
                    (
                        axum::http::header::CONTENT_DISPOSITION,
                        "attachment; filename=\"mastery-reviews.csv\"",
                    ),
                ],
                csv,
            )
                .into_response())
        }
        other => Err(WebError::BadRequest(format!(
            "unknown format `{other}`: use json or csv"
        ))),
    }
}

/// A learner's study settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudySettingsDto {
    /// Predicted recall at which a question comes due (0.70 to 0.99).
    desired_retention: f32,
    /// New questions introduced per day.
    new_per_day: u32,
    /// Review cards shown per day.
    reviews_per_day: u32,
    /// Local hour at which a new study day starts (0 to 23).
    day_start_hour: u8,
    /// The learner's UTC offset in minutes (east positive).
    utc_offset_minutes: i32,
    /// The interview date (`YYYY-MM-DD`), or an empty string for none.
    interview_date: String,
    /// Whether personal FSRS parameters are in use (read-only; fit them with
    /// `mastery optimize` or the settings page).
    #[serde(default)]
    personal_parameters: bool,
}

async fn current_settings(state: &AppState) -> Result<StudySettingsDto, WebError> {
    let (s, offset) = mastery_app::study::load_settings(state.store(), state.learner()).await?;
    Ok(StudySettingsDto {
        desired_retention: s.desired_retention,
        new_per_day: s.new_per_day,
        reviews_per_day: s.reviews_per_day,
        day_start_hour: s.day_start_hour,
        utc_offset_minutes: offset,
        interview_date: mastery_app::date_plan::interview_date(state.store(), state.learner())
            .await?
            .unwrap_or_default(),
        personal_parameters: s.parameters.is_some(),
    })
}

/// The learner's study settings.
#[utoipa::path(get, path = "/api/v1/study/settings", tag = "study", responses((status = 200, body = StudySettingsDto)))]
async fn get_study_settings(
    State(state): State<AppState>,
) -> Result<Json<StudySettingsDto>, WebError> {
    Ok(Json(current_settings(&state).await?))
}

/// Saves the learner's study settings (all fields; `personal_parameters` is ignored).
#[utoipa::path(put, path = "/api/v1/study/settings", tag = "study",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = StudySettingsDto,
    responses((status = 200, body = StudySettingsDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
async fn put_study_settings(
    State(state): State<AppState>,
    Json(body): Json<StudySettingsDto>,
) -> Result<Json<StudySettingsDto>, WebError> {
    if !body.interview_date.trim().is_empty()
        && mastery_app::date_plan::days_from_civil(&body.interview_date).is_none()
    {
        return Err(WebError::BadRequest(format!(
            "`{}` is not a date: use YYYY-MM-DD",
            body.interview_date.trim()
        )));
    }
    let (mut settings, _) =
        mastery_app::study::load_settings(state.store(), state.learner()).await?;
    settings.desired_retention = body.desired_retention;
    settings.new_per_day = body.new_per_day;
    settings.reviews_per_day = body.reviews_per_day;
    settings.day_start_hour = body.day_start_hour;
    mastery_app::study::save_settings(
        state.store(),
        state.learner(),
        &settings,
        body.utc_offset_minutes,
    )
    .await?;
    mastery_app::date_plan::set_interview_date(
        state.store(),
        state.learner(),
        &body.interview_date,
    )
    .await?;
    Ok(Json(current_settings(&state).await?))
}
