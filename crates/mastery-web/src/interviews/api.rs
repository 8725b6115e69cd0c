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
use mastery_storage::Millis;
use mastery_study::interview::matching::PointStatus;
use mastery_study::interview::{
    Answer, Custom, Grading, Interview, Item, PRESETS, Report, Request, Step,
};
use serde::{Deserialize, Serialize};
use utoipa::{OpenApi, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::{ErrorBody, WebError};
use crate::guides::lookup::find_guide;
use crate::interviews::pages::{
    app_error, check_id, labels, locate, markdown_response, new_id_and_seed, next_step,
    normalise_answer, question_url,
};
use crate::state::{AppState, now};

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

// ---- DTOs --------------------------------------------------------------------------------

/// A ready-made interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct PresetDto {
    /// Send it as `preset` to start this interview.
    id: String,
    title: String,
    description: String,
    /// `junior`, `confirmed`, `senior`.
    levels: Vec<String>,
    /// Total time of the main questions.
    minutes: u32,
    /// Number of main questions.
    questions: usize,
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

/// An answer as given.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerDto {
    /// `typed` or `aloud`.
    kind: String,
    /// The typed text (empty for a question that timed out unanswered); absent when aloud.
    text: Option<String>,
}

impl AnswerDto {
    fn of(answer: &Answer) -> Self {
        match answer {
            Answer::Typed { text } => Self {
                kind: "typed".into(),
                text: Some(text.clone()),
            },
            Answer::Aloud => Self {
                kind: "aloud".into(),
                text: None,
            },
        }
    }
}

/// One key point of an asked question with its tick.
#[derive(Debug, Serialize, ToSchema)]
pub struct TickDto {
    /// The statement, as Markdown.
    text: String,
    /// The final tick (after corrections).
    ticked: bool,
    /// The automatic tick.
    auto: bool,
    /// The learner's correction, if any.
    corrected: Option<bool>,
}

/// One question asked in the interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDto {
    /// Its index in the interview (for corrections).
    item: usize,
    /// `1`, `2`… for main questions, `1.1`, `1.2`… for the follow-ups of question 1.
    label: String,
    /// The question's id.
    question: String,
    /// Its title; absent when the guide no longer has it.
    title: Option<String>,
    section: Option<String>,
    level: Option<String>,
    /// 0 for a main question, 1 and more for follow-ups.
    depth: u32,
    /// The item it follows up.
    parent: Option<usize>,
    /// Milliseconds since the Unix epoch.
    asked_at: i64,
    /// When its time runs out (milliseconds since the Unix epoch).
    deadline: i64,
    budget_ms: i64,
    answer: Option<AnswerDto>,
    submitted_at: Option<i64>,
    used_ms: Option<i64>,
    /// Answered after the deadline, or expired unanswered.
    timed_out: bool,
    key_points: Vec<TickDto>,
    /// Ticked key points over all, after corrections; absent before an answer.
    score: Option<f64>,
    /// The typed answer read as a keyword list.
    list_like: bool,
    /// The typed answer was too short for all the points it named.
    too_short: bool,
    /// The question's page.
    url: Option<String>,
}

/// The question being asked now.
#[derive(Debug, Serialize, ToSchema)]
pub struct CurrentDto {
    item: usize,
    question: String,
    title: Option<String>,
    section: Option<String>,
    level: Option<String>,
    depth: u32,
    /// When its time runs out (milliseconds since the Unix epoch).
    deadline: i64,
    /// Time left now, in milliseconds (0 once the deadline has passed).
    remaining_ms: i64,
    /// `true` once answered: `next` moves on.
    answered: bool,
}

/// An interview's state.
#[derive(Debug, Serialize, ToSchema)]
pub struct InterviewDto {
    id: String,
    /// The stored revision (one more per change).
    revision: i64,
    guide: String,
    title: String,
    started_at: i64,
    finished_at: Option<i64>,
    finished: bool,
    /// Main questions planned.
    planned_questions: usize,
    /// The time of each question, main or follow-up.
    per_question_ms: i64,
    /// The question being asked; absent once finished.
    current: Option<CurrentDto>,
    /// Once the current question is answered, what `next` does: `follow_up`, `next` or
    /// `finish`.
    next: Option<String>,
    /// Every question asked so far, in order.
    items: Vec<ItemDto>,
    /// The page of this interview.
    url: String,
    report_url: String,
}

fn level_name(level: Option<Level>) -> Option<String> {
    level.map(|l| l.as_str().to_owned())
}

fn item_dto(guide: &Guide, item: &Item, index: usize, label: String) -> ItemDto {
    let found = locate(guide, &item.question);
    let entry = found.map(|(_, e)| e);
    ItemDto {
        item: index,
        label,
        question: item.question.clone(),
        title: entry.map(|e| e.title_text.clone()),
        section: found.map(|(s, _)| s.id.to_string()),
        level: level_name(entry.and_then(mastery_content::Entry::level)),
        depth: item.depth,
        parent: item.parent,
        asked_at: item.asked_at,
        deadline: item.deadline,
        budget_ms: item.budget_ms(),
        answer: item.answer.as_ref().map(AnswerDto::of),
        submitted_at: item.submitted_at,
        used_ms: item.used_ms(),
        timed_out: item.timed_out,
        key_points: (0..item.auto.len())
            .map(|k| TickDto {
                text: entry
                    .and_then(|e| e.key_points.get(k))
                    .map(|p| p.text.clone())
                    .unwrap_or_default(),
                ticked: item.ticked(k).unwrap_or(false),
                auto: item.auto.get(k).copied().unwrap_or(false),
                corrected: item.corrections.get(k).copied().flatten(),
            })
            .collect(),
        score: item.score(),
        list_like: item.list_like,
        too_short: item.too_short,
        url: question_url(guide, &item.question),
    }
}

fn interview_dto(loaded: &Loaded, guide: &Guide, now: Millis) -> InterviewDto {
    let interview: &Interview = &loaded.interview;
    let labels = labels(&interview.items);
    let current = interview.current_index().and_then(|i| {
        let item = interview.items.get(i)?;
        let found = locate(guide, &item.question);
        Some(CurrentDto {
            item: i,
            question: item.question.clone(),
            title: found.map(|(_, e)| e.title_text.clone()),
            section: found.map(|(s, _)| s.id.to_string()),
            level: level_name(found.and_then(|(_, e)| e.level())),
            depth: item.depth,
            deadline: item.deadline,
            remaining_ms: if item.is_answered() {
                0
            } else {
                item.remaining_ms(now)
            },
            answered: item.is_answered(),
        })
    });
    InterviewDto {
        id: loaded.id.clone(),
        revision: loaded.revision,
        guide: interview.guide.clone(),
        title: interview.lineup.title.clone(),
        started_at: interview.started_at,
        finished_at: interview.finished_at,
        finished: interview.is_finished(),
        planned_questions: interview.lineup.questions.len(),
        per_question_ms: interview.lineup.per_question_ms,
        current,
        next: next_step(interview, guide).map(|s| s.as_str().to_owned()),
        items: interview
            .items
            .iter()
            .enumerate()
            .map(|(i, item)| item_dto(guide, item, i, labels.get(i).cloned().unwrap_or_default()))
            .collect(),
        url: format!("/interviews/{}", loaded.id),
        report_url: format!("/interviews/{}/report", loaded.id),
    }
}

fn guide_of(state: &AppState, loaded: &Loaded) -> Result<std::sync::Arc<Guide>, WebError> {
    find_guide(&state.library(), &loaded.interview.guide)
}

// ---- Presets, start, history -----------------------------------------------------------

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

/// One interview in the history.
#[derive(Debug, Serialize, ToSchema)]
pub struct SummaryDto {
    id: String,
    guide: String,
    title: String,
    started_at: i64,
    finished_at: Option<i64>,
    /// The overall score from 0 to 1, once finished.
    score: Option<f64>,
    /// Questions asked.
    questions: usize,
    /// Its page: the report once finished, else the question to resume.
    url: String,
}

/// One finished interview on the trend.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendPointDto {
    /// When it finished (milliseconds since the Unix epoch).
    at: i64,
    score: f64,
    /// The mean of this score and up to two before it.
    average: f64,
}

/// The trend of finished interviews.
#[derive(Debug, Serialize, ToSchema)]
pub struct TrendDto {
    /// Oldest first.
    points: Vec<TrendPointDto>,
    best: Option<f64>,
    latest: Option<f64>,
    /// Latest minus the one before.
    change: Option<f64>,
    /// Least-squares slope of the score, per week.
    per_week: Option<f64>,
}

/// The learner's interviews and the trend of their scores.
#[derive(Debug, Serialize, ToSchema)]
pub struct HistoryDto {
    /// Newest first.
    interviews: Vec<SummaryDto>,
    trend: TrendDto,
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

// ---- One interview -----------------------------------------------------------------------

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

/// Where one synonym of a key point was found in the answer.
#[derive(Debug, Serialize, ToSchema)]
pub struct HitDto {
    /// The synonym, as the guide writes it.
    word: String,
    /// The text it matched.
    text: String,
    /// Byte offset of the match in the UTF-8 answer.
    start: usize,
    /// Byte offset just past the match.
    end: usize,
    /// `false` when it is in a sentence that reads as a keyword list (it earns nothing).
    counted: bool,
}

/// What matching found for one group of synonyms of a key point.
#[derive(Debug, Serialize, ToSchema)]
pub struct GroupDto {
    /// A synonym was found in a sentence that counts.
    matched: bool,
    hits: Vec<HitDto>,
}

/// The automatic verdict on one key point.
#[derive(Debug, Serialize, ToSchema)]
pub struct PointGradingDto {
    /// `covered`, `listed_only`, `too_short`, `partial` or `missing`.
    status: String,
    /// Ticked automatically.
    ticked: bool,
    /// One per group of synonyms: every group must match.
    groups: Vec<GroupDto>,
}

/// The automatic grading of a typed answer, with where each key word was found.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradingDto {
    /// One per key point, in order.
    points: Vec<PointGradingDto>,
    /// Key points ticked automatically.
    covered: usize,
    /// Words in the answer.
    words: usize,
    /// Words in sentences that read as prose.
    counted_words: usize,
    /// Some point was named only in a keyword list: explain it in a sentence.
    list_like: bool,
    /// Some point was named but the answer is too short to earn it.
    too_short: bool,
}

fn status_name(status: PointStatus) -> &'static str {
    match status {
        PointStatus::Covered => "covered",
        PointStatus::ListedOnly => "listed_only",
        PointStatus::TooShort => "too_short",
        PointStatus::Partial => "partial",
        PointStatus::Missing => "missing",
    }
}

fn grading_dto(text: &str, grading: &Grading) -> GradingDto {
    GradingDto {
        points: grading
            .points
            .iter()
            .map(|p| PointGradingDto {
                status: status_name(p.status).to_owned(),
                ticked: p.covered(),
                groups: p
                    .groups
                    .iter()
                    .map(|g| GroupDto {
                        matched: g.matched(),
                        hits: g
                            .hits
                            .iter()
                            .map(|h| HitDto {
                                word: h.word.clone(),
                                text: text.get(h.start..h.end).unwrap_or_default().to_owned(),
                                start: h.start,
                                end: h.end,
                                counted: h.counted,
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect(),
        covered: grading.covered(),
        words: grading.words,
        counted_words: grading.counted_words,
        list_like: grading.list_like,
        too_short: grading.too_short,
    }
}

/// What an answer recorded.
#[derive(Debug, Serialize, ToSchema)]
pub struct AnswerResultDto {
    /// The answered item's index.
    item: usize,
    /// It came after the deadline (plus two seconds of grace).
    timed_out: bool,
    /// The question is no longer in the guide (nothing graded).
    missing: bool,
    /// The grading of a typed answer; absent when answered aloud.
    grading: Option<GradingDto>,
    interview: InterviewDto,
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

/// What `next` did.
#[derive(Debug, Serialize, ToSchema)]
pub struct NextDto {
    /// `asked` (a new question) or `finished` (none was left: the report is ready).
    step: String,
    /// The new item's index.
    item: Option<usize>,
    /// The new question is a follow-up on the ladder.
    follow_up: bool,
    interview: InterviewDto,
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

/// One question in the report.
#[derive(Debug, Serialize, ToSchema)]
pub struct QuestionReportDto {
    item: usize,
    label: String,
    question: String,
    title: Option<String>,
    section: Option<String>,
    level: Option<String>,
    depth: u32,
    parent: Option<usize>,
    answer: Option<AnswerDto>,
    key_points: Vec<TickDto>,
    score: Option<f64>,
    budget_ms: i64,
    used_ms: Option<i64>,
    timed_out: bool,
    list_like: bool,
    too_short: bool,
    url: Option<String>,
}

/// The score of one section.
#[derive(Debug, Serialize, ToSchema)]
pub struct SectionReportDto {
    section: String,
    title: String,
    questions: usize,
    score: Option<f64>,
}

/// How deep the learner went below one main question.
#[derive(Debug, Serialize, ToSchema)]
pub struct LadderDto {
    item: usize,
    question: String,
    /// The deepest follow-up asked (0: none).
    depth: u32,
    /// The deepest the guide offers (at most 3).
    max_depth: u32,
}

/// A key point the learner missed.
#[derive(Debug, Serialize, ToSchema)]
pub struct MissedDto {
    item: usize,
    question: String,
    key_point: usize,
    /// The statement, as Markdown.
    text: String,
    /// The question's page, to study it.
    url: Option<String>,
}

/// The rating fed to the scheduler for one answered question.
#[derive(Debug, Serialize, ToSchema)]
pub struct RatingDto {
    item: usize,
    question: String,
    /// 1 Again, 2 Hard, 3 Good, 4 Easy.
    rating: u8,
    name: String,
    score: f64,
}

/// The report of an interview.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    id: String,
    guide: String,
    guide_title: String,
    title: String,
    started_at: i64,
    finished_at: Option<i64>,
    /// Planned time of the main questions.
    planned_ms: i64,
    /// Time spent answering.
    used_ms: i64,
    /// The overall score, 0 to 1.
    score: Option<f64>,
    questions: Vec<QuestionReportDto>,
    sections: Vec<SectionReportDto>,
    ladders: Vec<LadderDto>,
    missed: Vec<MissedDto>,
    /// Item indices of the questions that timed out.
    timed_out: Vec<usize>,
    /// Question ids no longer in the guide.
    missing: Vec<String>,
    /// The ratings fed to the scheduler when the interview finished (empty before).
    ratings: Vec<RatingDto>,
    /// The report page (print-friendly).
    url: String,
    /// The report as Markdown.
    markdown_url: String,
}

fn report_dto(loaded: &Loaded, report: &Report, guide: &Guide) -> ReportDto {
    let labels = labels(&loaded.interview.items);
    let finished = loaded.interview.is_finished();
    ReportDto {
        id: loaded.id.clone(),
        guide: report.guide.clone(),
        guide_title: report.guide_title.clone(),
        title: report.title.clone(),
        started_at: report.started_at,
        finished_at: report.finished_at,
        planned_ms: report.planned_ms,
        used_ms: report.used_ms,
        score: report.score,
        questions: report
            .questions
            .iter()
            .map(|q| QuestionReportDto {
                item: q.item,
                label: labels.get(q.item).cloned().unwrap_or_default(),
                question: q.question.clone(),
                title: locate(guide, &q.question).map(|(_, e)| e.title_text.clone()),
                section: q.section.clone(),
                level: level_name(q.level),
                depth: q.depth,
                parent: q.parent,
                answer: q.answer.as_ref().map(AnswerDto::of),
                key_points: q
                    .points
                    .iter()
                    .map(|p| TickDto {
                        text: p.text.clone(),
                        ticked: p.ticked,
                        auto: p.auto,
                        corrected: p.corrected,
                    })
                    .collect(),
                score: q.score,
                budget_ms: q.budget_ms,
                used_ms: q.used_ms,
                timed_out: q.timed_out,
                list_like: q.list_like,
                too_short: q.too_short,
                url: question_url(guide, &q.question),
            })
            .collect(),
        sections: report
            .sections
            .iter()
            .map(|s| SectionReportDto {
                section: s.section.clone(),
                title: s.title.clone(),
                questions: s.questions,
                score: s.score,
            })
            .collect(),
        ladders: report
            .ladders
            .iter()
            .map(|l| LadderDto {
                item: l.item,
                question: l.question.clone(),
                depth: l.depth,
                max_depth: l.max_depth,
            })
            .collect(),
        missed: report
            .missed
            .iter()
            .map(|m| MissedDto {
                item: m.item,
                question: m.question.clone(),
                key_point: m.key_point,
                text: m.text.clone(),
                url: question_url(guide, &m.question),
            })
            .collect(),
        timed_out: report.timed_out.clone(),
        missing: report.missing.clone(),
        ratings: if finished {
            report
                .ratings
                .iter()
                .map(|r| RatingDto {
                    item: r.item,
                    question: report
                        .questions
                        .get(r.item)
                        .map(|q| q.question.clone())
                        .unwrap_or_default(),
                    rating: r.rating.as_u8(),
                    name: r.rating.name().to_owned(),
                    score: r.score,
                })
                .collect()
        } else {
            Vec::new()
        },
        url: format!("/interviews/{}/report", loaded.id),
        markdown_url: format!("/interviews/{}/report.md", loaded.id),
    }
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
