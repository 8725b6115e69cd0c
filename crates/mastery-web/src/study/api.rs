//! The study API: the queue, reviews (recording one, exporting all), undo.

use axum::Json;
use axum::extract::{Query, State};
use mastery_storage::QuestionKey;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Learner;
use crate::error::{ErrorBody, WebError};
use crate::openapi::op;
use crate::state::{AppState, now};

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
#[utoipa::path(get, path = "/api/v1/study/queue", tag = "study", operation_id = op::STUDY_QUEUE,
    params(crate::study::params::StudyParams),
    responses((status = 200, body = QueueDto, description = "The counts and the card to study now",
        links(("review" = (operation_id = op::POST_REVIEW,
            request_body = json!({"guide": "$response.body#/current/guide", "question": "$response.body#/current/question"}))))),
        (status = 400, body = ErrorBody, description = "An unknown `level`, or a query string that does not parse")))]
pub(crate) async fn study_queue(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Query(params): Query<crate::study::params::StudyParams>,
) -> Result<Json<QueueDto>, WebError> {
    let library = state.library();
    let filter = params.filter()?;
    let q =
        mastery_app::study::queue(state.store(), learner, &library.guides, &filter, now()).await?;
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
    /// The guide's id.
    #[schema(pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)]
    guide: String,
    /// The question's id (a question, not an insight: 409).
    #[schema(pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)]
    question: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    #[schema(minimum = 1, maximum = 4)]
    #[serde(deserialize_with = "crate::whole::de")]
    rating: u8,
    /// Your id for this review (8 to 64 of A-Z a-z 0-9 _ -). Retrying with the same id never
    /// records twice.
    #[schema(pattern = "^[A-Za-z0-9_-]{8,64}$", min_length = 8, max_length = 64)]
    review_id: String,
    /// How long the learner took, in milliseconds (counted as at most an hour).
    #[schema(format = Int64, maximum = 4294967295_u64)]
    #[serde(default, deserialize_with = "crate::whole::de")]
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
#[utoipa::path(post, path = "/api/v1/study/reviews", tag = "study", operation_id = op::POST_REVIEW,
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = ReviewBody,
    responses((status = 200, body = ReviewResult, description = "Recorded (or a retry of a review already recorded)",
            links(
                ("undo" = (operation_id = op::POST_UNDO)),
                ("queue" = (operation_id = op::STUDY_QUEUE)),
            )),
        (status = 404, body = ErrorBody, description = "No such guide or question"),
        (status = 409, body = ErrorBody, description = "The question is an insight (it cannot be studied), or the card changed meanwhile")))]
pub(crate) async fn post_review(
    State(state): State<AppState>,
    Learner(learner): Learner,
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
    let answered =
        mastery_app::study::answer(state.store(), learner, &library.guides, &answer, now()).await?;
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
#[utoipa::path(post, path = "/api/v1/study/undo", tag = "study", operation_id = op::POST_UNDO,
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 200, body = UndoResult, description = "Undone (or nothing to undo)"),
        (status = 409, body = ErrorBody, description = "The review log changed meanwhile")))]
pub(crate) async fn post_undo(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Json<UndoResult>, WebError> {
    let key = mastery_app::study::undo(state.store(), learner).await?;
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
    #[param(value_type = Option<ExportFormat>, inline)]
    format: Option<String>,
}

/// The formats of the review log (what `export_reviews` matches on).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code, reason = "only documents the values")]
enum ExportFormat {
    Json,
    Csv,
}

/// The learner's review log, oldest first, as JSON or CSV in the FSRS optimizer's shape
/// (`card_id, review_time, review_rating, review_state, review_duration`).
#[utoipa::path(get, path = "/api/v1/study/reviews", tag = "study", params(ExportParams),
    responses((status = 200, description = "The review log: JSON, or CSV with `?format=csv` (as a download)",
            content((Vec<ReviewRow> = "application/json"), (String = "text/csv"))),
        (status = 400, body = ErrorBody, description = "An unknown `format`, or a query string that does not parse")))]
pub(crate) async fn export_reviews(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Query(params): Query<ExportParams>,
) -> Result<axum::response::Response, WebError> {
    use axum::response::IntoResponse as _;
    let rows: Vec<ReviewRow> = state
        .store()
        .reviews(learner, None)
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
