//! The mock interview API under `/api/v1/interviews`: presets, start, state, answer,
//! corrections, next, finish, report (JSON or Markdown) and history with the trend. The
//! same application layer as the pages (`mastery_app::mock`), so a revision conflict is a
//! 409 here too.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::LOCATION;
use axum::response::{IntoResponse, Response};
use mastery_app::interview::{self as app, Loaded, NewInterview};
use mastery_content::{Guide, Level};
use mastery_study::interview::{Answer, Custom, PRESETS, Request, Step};
use serde::Deserialize;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ErrorBody, WebError};
use crate::guides::lookup::find_guide;
use crate::interviews::report::markdown_response;
use crate::interviews::shared::{app_error, check_id, new_id_and_seed, normalise_answer};
use crate::state::{AppState, now};

use crate::interviews::dto::*;

#[derive(OpenApi)]
#[openapi(tags((name = "interviews", description = "Mock interviews: timed questions, typed answers graded against key points, follow-up ladders, reports")))]
struct InterviewsDoc;

/// The mock interview routes with their OpenAPI description.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(InterviewsDoc::openapi())
        .routes(routes!(presets))
        .routes(routes!(history, start))
        .routes(routes!(state))
        .routes(routes!(answer))
        .routes(routes!(corrections))
        .routes(routes!(next))
        .routes(routes!(finish))
        .routes(routes!(report))
}

/// A custom interview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CustomBody {
    /// Levels to ask (`junior`, `confirmed`, `senior`); empty or absent for every level.
    #[serde(default)]
    levels: Vec<String>,
    /// Section ids to ask; empty or absent for every section.
    #[serde(default)]
    sections: Vec<String>,
    /// Number of main questions, 1 to 50.
    questions: usize,
    /// Minutes per question, 1 to 30.
    minutes_per_question: u32,
}

/// What to start: a guide and either a preset or a custom interview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// The guide's id.
    guide: String,
    /// A preset id from `GET /api/v1/interviews/presets`.
    #[serde(default)]
    preset: Option<String>,
    /// A custom interview (instead of `preset`).
    #[serde(default)]
    custom: Option<CustomBody>,
}

fn guide_of(state: &AppState, loaded: &Loaded) -> Result<std::sync::Arc<Guide>, WebError> {
    find_guide(&state.library(), &loaded.interview.guide)
}

/// The ready-made interviews.
#[utoipa::path(get, path = "/api/v1/interviews/presets", tag = "interviews",
    responses((status = 200, body = Vec<PresetDto>)))]
async fn presets() -> Json<Vec<PresetDto>> {
    Json(
        PRESETS
            .iter()
            .map(|p| PresetDto {
                id: p.id.to_owned(),
                title: p.title.to_owned(),
                description: p.description.to_owned(),
                levels: p.levels.iter().map(|l| l.as_str().to_owned()).collect(),
                minutes: p.minutes,
                questions: p.questions,
            })
            .collect(),
    )
}

/// Starts an interview (a preset or a custom one) and asks its first question. The
/// questions are drawn at random from the guide.
#[utoipa::path(post, path = "/api/v1/interviews", tag = "interviews",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = StartBody,
    responses((status = 201, body = InterviewDto, description = "Started; `Location` is its API address"),
        (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn start(
    State(state): State<AppState>,
    Json(body): Json<StartBody>,
) -> Result<Response, WebError> {
    let request = match (body.preset, body.custom) {
        (Some(id), None) => Request::Preset { id },
        (None, Some(c)) => {
            let levels = c
                .levels
                .iter()
                .map(|name| {
                    Level::parse(name).ok_or_else(|| {
                        WebError::BadRequest(format!(
                            "unknown level `{name}`: use junior, confirmed or senior"
                        ))
                    })
                })
                .collect::<Result<Vec<Level>, WebError>>()?;
            Request::Custom(Custom {
                levels,
                sections: c.sections,
                questions: c.questions,
                minutes_per_question: c.minutes_per_question,
            })
        }
        _ => {
            return Err(WebError::BadRequest(
                "send either `preset` (an id from GET /api/v1/interviews/presets) or `custom`"
                    .into(),
            ));
        }
    };
    let library = state.library();
    let guide = find_guide(&library, &body.guide)?;
    let (id, seed) = new_id_and_seed()?;
    let now = now();
    let new = NewInterview {
        guide: &body.guide,
        request: &request,
        id: &id,
        seed,
    };
    let loaded = app::start(state.store(), state.learner(), &library.guides, &new, now)
        .await
        .map_err(app_error)?;
    let location = format!("/api/v1/interviews/{}", loaded.id);
    Ok((
        StatusCode::CREATED,
        [(LOCATION, location)],
        Json(interview_dto(&loaded, &guide, now)),
    )
        .into_response())
}

/// The learner's interviews, newest first, with the trend of the finished ones' scores.
#[utoipa::path(get, path = "/api/v1/interviews", tag = "interviews",
    responses((status = 200, body = HistoryDto)))]
async fn history(State(state): State<AppState>) -> Result<Json<HistoryDto>, WebError> {
    let (summaries, trend) = app::history(state.store(), state.learner())
        .await
        .map_err(app_error)?;
    Ok(Json(HistoryDto {
        interviews: summaries
            .into_iter()
            .map(|s| SummaryDto {
                url: if s.finished_at.is_some() {
                    format!("/interviews/{}/report", s.id)
                } else {
                    format!("/interviews/{}", s.id)
                },
                id: s.id,
                guide: s.guide,
                title: s.title,
                started_at: s.started_at,
                finished_at: s.finished_at,
                score: s.score,
                questions: s.asked,
            })
            .collect(),
        trend: TrendDto {
            points: trend
                .points
                .iter()
                .map(|p| TrendPointDto {
                    at: p.at,
                    score: p.score,
                    average: p.average,
                })
                .collect(),
            best: trend.best,
            latest: trend.latest,
            change: trend.change,
            per_week: trend.per_week,
        },
    }))
}

/// An interview's state: the current question with the time left, and every question asked
/// with its ticks. A current question whose time ran out is recorded as timed out first.
#[utoipa::path(get, path = "/api/v1/interviews/{id}", tag = "interviews",
    params(("id" = String, Path, description = "Interview id")),
    responses((status = 200, body = InterviewDto), (status = 404, body = ErrorBody)))]
async fn state(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<InterviewDto>, WebError> {
    check_id(&id)?;
    let now = now();
    let library = state.library();
    let loaded = app::show(state.store(), state.learner(), &library.guides, &id, now)
        .await
        .map_err(app_error)?;
    let guide = guide_of(&state, &loaded)?;
    Ok(Json(interview_dto(&loaded, &guide, now)))
}

/// The answer to the current question: `{"text": "..."}` or `{"aloud": true}`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    /// The index of the question being answered, as `current.item` of
    /// `GET /api/v1/interviews/{id}` gave it; when it is no longer current the answer is
    /// refused with 409 (recommended: without it the answer goes to whatever is current).
    #[serde(default)]
    item: Option<usize>,
    /// The typed answer (at most 10,000 characters).
    #[serde(default)]
    text: Option<String>,
    /// `true` when the learner answered aloud (nothing is graded; tick with corrections).
    #[serde(default)]
    aloud: bool,
}

/// Answers the current question. A typed answer is graded against the key points (the
/// result shows where each key word was found); an answer after the deadline is kept but
/// recorded as timed out.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/answer", tag = "interviews",
    params(("id" = String, Path, description = "Interview id"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = AnswerBody,
    responses((status = 200, body = AnswerResultDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn answer(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> Result<Json<AnswerResultDto>, WebError> {
    check_id(&id)?;
    let answer = match (body.text, body.aloud) {
        (Some(text), false) => Answer::Typed {
            text: normalise_answer(&text),
        },
        (None, true) => Answer::Aloud,
        _ => {
            return Err(WebError::BadRequest(
                "send either `text` (the typed answer) or `\"aloud\": true`".into(),
            ));
        }
    };
    let typed = match &answer {
        Answer::Typed { text } => Some(text.clone()),
        Answer::Aloud => None,
    };
    let now = now();
    let library = state.library();
    let (loaded, submitted) = app::submit(
        state.store(),
        state.learner(),
        &library.guides,
        &id,
        body.item,
        answer,
        now,
    )
    .await
    .map_err(app_error)?;
    let guide = guide_of(&state, &loaded)?;
    Ok(Json(AnswerResultDto {
        item: submitted.item,
        timed_out: submitted.timed_out,
        missing: submitted.missing,
        grading: submitted
            .grading
            .as_ref()
            .map(|g| grading_dto(typed.as_deref().unwrap_or_default(), g)),
        interview: interview_dto(&loaded, &guide, now),
    }))
}

/// A correction of one tick.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CorrectionBody {
    /// The item's index (`items[].item`).
    item: usize,
    /// The key point's index in the question.
    key_point: usize,
    /// The tick it should have.
    ticked: bool,
}

/// Corrects one tick of an answered question (also after the interview is finished).
/// Setting a tick back to its automatic value removes the correction.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/corrections", tag = "interviews",
    params(("id" = String, Path, description = "Interview id"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = CorrectionBody,
    responses((status = 200, body = InterviewDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn corrections(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Json(body): Json<CorrectionBody>,
) -> Result<Json<InterviewDto>, WebError> {
    check_id(&id)?;
    let library = state.library();
    let loaded = app::correct(
        state.store(),
        state.learner(),
        &library.guides,
        &id,
        body.item,
        body.key_point,
        body.ticked,
    )
    .await
    .map_err(app_error)?;
    let guide = guide_of(&state, &loaded)?;
    Ok(Json(interview_dto(&loaded, &guide, now())))
}

/// Query parameters of `POST /api/v1/interviews/{id}/next`.
#[derive(Debug, Deserialize)]
pub struct NextParams {
    /// The index of the answered question the client shows; when it is no longer current
    /// the request is refused with 409.
    item: Option<usize>,
}

/// Moves on: the next follow-up when the answer covered the basics, else the next planned
/// question; finishes the interview (and feeds the scheduler) when none is left.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/next", tag = "interviews",
    params(("id" = String, Path, description = "Interview id"),
           ("item" = Option<usize>, Query, description = "The answered question's index as the client shows it; 409 when it is no longer current"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 200, body = NextDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn next(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<NextParams>,
) -> Result<Json<NextDto>, WebError> {
    check_id(&id)?;
    let now = now();
    let library = state.library();
    let (loaded, step) = app::next(
        state.store(),
        state.learner(),
        &library.guides,
        &id,
        params.item,
        now,
    )
    .await
    .map_err(app_error)?;
    state.metrics().count_fed(&loaded);
    let guide = guide_of(&state, &loaded)?;
    let (step, item, follow_up) = match step {
        Step::Asked { item, follow_up } => ("asked", Some(item), follow_up),
        Step::Finished => ("finished", None, false),
    };
    Ok(Json(NextDto {
        step: step.to_owned(),
        item,
        follow_up,
        interview: interview_dto(&loaded, &guide, now),
    }))
}

/// Finishes the interview now (questions not reached are left out) and feeds the scheduler
/// one rating per answered question; answers with the report. Finishing twice is harmless.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/finish", tag = "interviews",
    params(("id" = String, Path, description = "Interview id"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 200, body = ReportDto), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn finish(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Json<ReportDto>, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, report) = app::finish(state.store(), state.learner(), &library.guides, &id, now())
        .await
        .map_err(app_error)?;
    state.metrics().count_fed(&loaded);
    let guide = guide_of(&state, &loaded)?;
    Ok(Json(report_dto(&loaded, &report, &guide)))
}

/// The report's query (documented as a parameter of [`report`]).
#[derive(Debug, Deserialize)]
pub struct ReportParams {
    /// `json` (default) or `markdown`.
    format: Option<String>,
}

/// The report: scores per question and section, time, ladder depth, missed key points,
/// time-outs and the ratings fed to the scheduler. `?format=markdown` answers with the
/// Markdown export (`text/markdown`, as a download).
#[utoipa::path(get, path = "/api/v1/interviews/{id}/report", tag = "interviews",
    params(("id" = String, Path, description = "Interview id"),
           ("format" = Option<String>, Query, description = "`json` (default) or `markdown`")),
    responses((status = 200, body = ReportDto, description = "The report (JSON), or Markdown with `?format=markdown`"),
        (status = 400, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(params): Query<ReportParams>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let format = params.format.as_deref().unwrap_or("json");
    if !matches!(format, "json" | "markdown" | "md") {
        return Err(WebError::BadRequest(format!(
            "unknown format `{format}`: use json or markdown"
        )));
    }
    let library = state.library();
    let (loaded, report) = app::report(state.store(), state.learner(), &library.guides, &id)
        .await
        .map_err(app_error)?;
    if format == "json" {
        let guide = guide_of(&state, &loaded)?;
        Ok(Json(report_dto(&loaded, &report, &guide)).into_response())
    } else {
        markdown_response(&state, &report).await
    }
}
