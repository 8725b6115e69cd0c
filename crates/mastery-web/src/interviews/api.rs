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
use mastery_study::interview::SessionError;
use mastery_study::interview::session::MAX_ANSWER_CHARS;
use mastery_study::interview::{Answer, Custom, PRESETS, Request, Step};
use serde::Deserialize;
use serde_json::json;
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::Learner;
use crate::error::{ErrorBody, WebError};
use crate::guides::lookup::find_guide;
use crate::interviews::report::markdown_response;
use crate::interviews::shared::{app_error, check_id, new_id_and_seed, normalise_answer};
use crate::openapi::{one_of_body, op, schemas};
use crate::state::{AppState, now};
use crate::whole;

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
    #[schema(schema_with = schemas::levels)]
    levels: Vec<String>,
    /// Section ids to ask; empty or absent for every section (an unknown one: 404).
    #[serde(default)]
    #[schema(schema_with = schemas::section_ids)]
    sections: Vec<String>,
    /// Number of main questions, 1 to 50.
    #[schema(minimum = 1, maximum = 50)]
    #[serde(deserialize_with = "crate::whole::de")]
    questions: usize,
    /// Minutes per question, 1 to 30.
    #[schema(minimum = 1, maximum = 30)]
    #[serde(deserialize_with = "crate::whole::de")]
    minutes_per_question: u32,
}

/// What to start: a guide and either a preset or a custom interview.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StartBody {
    /// The guide's id.
    #[schema(pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64)]
    guide: String,
    /// A preset id from `GET /api/v1/interviews/presets`.
    #[serde(default)]
    #[schema(schema_with = schemas::preset)]
    preset: Option<String>,
    /// A custom interview (instead of `preset`).
    #[serde(default)]
    custom: Option<CustomBody>,
}

one_of_body! {
    /// The documented body of `POST /api/v1/interviews`: [`StartBody`] with the rule
    /// [`start`] enforces, exactly one of `preset` and `custom`.
    StartRequest = StartBody,
    json!([
        {"required": ["preset"], "properties": {
            "preset": {"type": "string", "enum": schemas::preset_ids()},
            "custom": {"type": "null"}}},
        {"required": ["custom"], "properties": {
            "custom": {"$ref": "#/components/schemas/CustomBody"},
            "preset": {"type": "null"}}},
    ])
}

fn guide_of(state: &AppState, loaded: &Loaded) -> Result<std::sync::Arc<Guide>, WebError> {
    find_guide(&state.library(), &loaded.interview.guide)
}

/// The ready-made interviews.
#[utoipa::path(get, path = "/api/v1/interviews/presets", tag = "interviews", operation_id = op::PRESETS,
    responses((status = 200, body = Vec<PresetDto>, description = "Every preset")))]
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
#[utoipa::path(post, path = "/api/v1/interviews", tag = "interviews", operation_id = op::START,
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = StartRequest,
    responses(
        (status = 201, body = InterviewDto, description = "Started; `Location` is its API address",
            headers(("Location" = String, description = "The interview's API address")),
            links(
                ("state" = (operation_id = op::STATE, parameters(("path.id" = "$response.body#/id")))),
                ("answer" = (operation_id = op::ANSWER, parameters(("path.id" = "$response.body#/id")))),
                ("answerCurrent" = (operation_id = op::ANSWER, parameters(("path.id" = "$response.body#/id")),
                    request_body = json!({"item": "$response.body#/current/item"}))),
                ("next" = (operation_id = op::NEXT, parameters(("path.id" = "$response.body#/id")))),
                ("finish" = (operation_id = op::FINISH, parameters(("path.id" = "$response.body#/id")))),
                ("report" = (operation_id = op::REPORT, parameters(("path.id" = "$response.body#/id")))),
            )),
        (status = 400, body = ErrorBody, description = "Malformed request, neither or both of `preset` and `custom`, or a value out of range"),
        (status = 404, body = ErrorBody, description = "No such guide, or no such section in it"),
        (status = 409, body = ErrorBody, description = "No question of the guide matches the levels and sections")))]
async fn start(
    State(state): State<AppState>,
    Learner(learner): Learner,
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
    let loaded = app::start(state.store(), learner, &library.guides, &new, now)
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
    responses((status = 200, body = HistoryDto, description = "The interviews and the trend")))]
async fn history(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Json<HistoryDto>, WebError> {
    let (summaries, trend) = app::history(state.store(), learner)
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
#[utoipa::path(get, path = "/api/v1/interviews/{id}", tag = "interviews", operation_id = op::STATE,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$")),
    responses((status = 200, body = InterviewDto, description = "The interview's state"),
        (status = 404, body = ErrorBody, description = "No such interview"),
        (status = 409, body = ErrorBody, description = "The interview changed meanwhile (recording a time-out)")))]
async fn state(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
) -> Result<Json<InterviewDto>, WebError> {
    check_id(&id)?;
    let now = now();
    let library = state.library();
    let loaded = app::show(state.store(), learner, &library.guides, &id, now)
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
    #[serde(default, deserialize_with = "crate::whole::opt")]
    #[schema(maximum = 9007199254740991_u64)]
    item: Option<usize>,
    /// The typed answer (at most 10,000 characters, as sent).
    #[serde(default)]
    #[schema(max_length = 10000)]
    text: Option<String>,
    /// `true` when the learner answered aloud (nothing is graded; tick with corrections).
    #[serde(default)]
    aloud: bool,
}

one_of_body! {
    /// The documented body of `POST /api/v1/interviews/{id}/answer`: [`AnswerBody`] with the
    /// rule [`answer`] enforces, `text` or `"aloud": true` but not both.
    AnswerRequest = AnswerBody,
    json!([
        {"required": ["text"], "properties": {
            "text": {"type": "string"}, "aloud": {"const": false}}},
        {"required": ["aloud"], "properties": {
            "aloud": {"const": true}, "text": {"type": "null"}}},
    ])
}

/// Answers the current question. A typed answer is graded against the key points (the
/// result shows where each key word was found); an answer after the deadline is kept but
/// recorded as timed out.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/answer", tag = "interviews", operation_id = op::ANSWER,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = AnswerRequest,
    responses(
        (status = 200, body = AnswerResultDto, description = "Recorded (and graded, when typed)",
            links(
                ("next" = (operation_id = op::NEXT, parameters(("path.id" = "$request.path.id"), ("query.item" = "$response.body#/item")))),
                ("correct" = (operation_id = op::CORRECTIONS, parameters(("path.id" = "$request.path.id")),
                    request_body = json!({"item": "$response.body#/item", "key_point": 0}))),
                ("finish" = (operation_id = op::FINISH, parameters(("path.id" = "$request.path.id")))),
            )),
        (status = 400, body = ErrorBody, description = "Malformed request, neither or both of `text` and `aloud`, or an answer over 10,000 characters"),
        (status = 404, body = ErrorBody, description = "No such interview"),
        (status = 409, body = ErrorBody, description = "The interview is finished, the question already answered, `item` no longer current, or the interview full")))]
async fn answer(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Json(body): Json<AnswerBody>,
) -> Result<Json<AnswerResultDto>, WebError> {
    check_id(&id)?;
    // Counted as sent (before line endings are normalised), as the document says.
    let len = body.text.as_deref().map_or(0, |text| text.chars().count());
    if len > MAX_ANSWER_CHARS {
        let max = MAX_ANSWER_CHARS;
        return Err(app_error(SessionError::AnswerTooLong { len, max }.into()));
    }
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
        learner,
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
    #[serde(deserialize_with = "crate::whole::de")]
    #[schema(maximum = 9007199254740991_u64)]
    item: usize,
    /// The key point's index in the question.
    #[serde(deserialize_with = "crate::whole::de")]
    #[schema(maximum = 9007199254740991_u64)]
    key_point: usize,
    /// The tick it should have.
    ticked: bool,
}

/// Corrects one tick of an answered question (also after the interview is finished).
/// Setting a tick back to its automatic value removes the correction.
#[utoipa::path(post, path = "/api/v1/interviews/{id}/corrections", tag = "interviews", operation_id = op::CORRECTIONS,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = CorrectionBody,
    responses((status = 200, body = InterviewDto, description = "Corrected"),
        (status = 404, body = ErrorBody, description = "No such interview, item or key point"),
        (status = 409, body = ErrorBody, description = "The item has not been answered yet, or the interview changed meanwhile")))]
async fn corrections(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Json(body): Json<CorrectionBody>,
) -> Result<Json<InterviewDto>, WebError> {
    check_id(&id)?;
    let library = state.library();
    let loaded = app::correct(
        state.store(),
        learner,
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
#[utoipa::path(post, path = "/api/v1/interviews/{id}/next", tag = "interviews", operation_id = op::NEXT,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$"),
           ("item" = Option<usize>, Query, maximum = 9007199254740991_u64, description = "The answered question's index as the client shows it; 409 when it is no longer current"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses(
        (status = 200, body = NextDto, description = "The next question, or the interview finished",
            links(
                ("answer" = (operation_id = op::ANSWER, parameters(("path.id" = "$request.path.id")),
                    request_body = json!({"item": "$response.body#/item"}))),
                ("report" = (operation_id = op::REPORT, parameters(("path.id" = "$request.path.id")))),
            )),
        (status = 404, body = ErrorBody, description = "No such interview"),
        (status = 409, body = ErrorBody, description = "The current question is not answered and its time is not up, `item` is no longer current, or the interview changed meanwhile")))]
async fn next(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Query(params): Query<NextParams>,
) -> Result<Json<NextDto>, WebError> {
    check_id(&id)?;
    if params.item.is_some_and(|item| !whole::is_safe(item)) {
        return Err(WebError::BadRequest(format!(
            "`item` is at most {}",
            whole::MAX_SAFE_INTEGER
        )));
    }
    let now = now();
    let library = state.library();
    let (loaded, step) = app::next(
        state.store(),
        learner,
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
#[utoipa::path(post, path = "/api/v1/interviews/{id}/finish", tag = "interviews", operation_id = op::FINISH,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$"),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses(
        (status = 200, body = ReportDto, description = "Finished: the report",
            links(
                ("report" = (operation_id = op::REPORT, parameters(("path.id" = "$request.path.id")))),
                ("tickMissed" = (operation_id = op::CORRECTIONS, parameters(("path.id" = "$request.path.id")),
                    request_body = json!({"item": "$response.body#/missed/0/item", "key_point": "$response.body#/missed/0/key_point"}))),
            )),
        (status = 404, body = ErrorBody, description = "No such interview"),
        (status = 409, body = ErrorBody, description = "The interview changed meanwhile")))]
async fn finish(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
) -> Result<Json<ReportDto>, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, report) = app::finish(state.store(), learner, &library.guides, &id, now())
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

/// The formats of the report (what [`report`] matches on; `md` is `markdown`).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code, reason = "only documents the values")]
enum ReportFormat {
    Json,
    Markdown,
    Md,
}

/// The report: scores per question and section, time, ladder depth, missed key points,
/// time-outs and the ratings fed to the scheduler. `?format=markdown` answers with the
/// Markdown export (`text/markdown`, as a download).
#[utoipa::path(get, path = "/api/v1/interviews/{id}/report", tag = "interviews", operation_id = op::REPORT,
    params(("id" = String, Path, description = "Interview id", pattern = "^[A-Za-z0-9_-]{1,64}$"),
           ("format" = inline(Option<ReportFormat>), Query, description = "`json` (default) or `markdown` (also `md`)")),
    responses((status = 200, description = "The report: JSON, or Markdown with `?format=markdown` (as a download)",
            content((ReportDto = "application/json"), (String = "text/markdown"))),
        (status = 400, body = ErrorBody, description = "An unknown `format`, or a query string that does not parse"),
        (status = 404, body = ErrorBody, description = "No such interview")))]
async fn report(
    State(state): State<AppState>,
    Learner(learner): Learner,
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
    let (loaded, report) = app::report(state.store(), learner, &library.guides, &id)
        .await
        .map_err(app_error)?;
    if format == "json" {
        let guide = guide_of(&state, &loaded)?;
        Ok(Json(report_dto(&loaded, &report, &guide)).into_response())
    } else {
        markdown_response(&state, learner, &report).await
    }
}
