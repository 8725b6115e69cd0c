//! Suggested improvements in the JSON API: list, read, preview, suggest, change or rebase,
//! vote, decide, withdraw. Every rule is `mastery_app::community::suggestions`', as for the
//! pages. On a personal server every route answers 404.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use mastery_app::community::suggestions::{self, ListQuery, SuggestionView};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Account;
use crate::community::api::{ScoreDto, VoteBody};
use crate::community::pages::reader;
use crate::error::{ErrorBody, WebError};
use crate::session::Session;
use crate::state::{AppState, now};
use crate::suggestions::pages::{source_of, state_filter, verdict_of};

/// `?state=&guide=&question=&mine=&page=` of the list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// `open` (the default), `accepted`, `rejected`, `withdrawn` or `all`.
    #[param(pattern = "^(open|accepted|rejected|withdrawn|all)$")]
    state: Option<String>,
    /// Only this guide's.
    #[param(max_length = 64)]
    guide: Option<String>,
    /// Only this question's (with `guide`).
    #[param(max_length = 64)]
    question: Option<String>,
    /// `true`: only the reader's own (signed in).
    mine: Option<bool>,
    /// The page, from 1 (50 per page).
    #[param(minimum = 1)]
    page: Option<i64>,
}

/// One line of a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct DiffLineDto {
    /// `" "` kept, `"-"` removed, `"+"` added.
    tag: String,
    text: String,
}

fn diff_dto(lines: &[mastery_content::suggest::DiffLine]) -> Vec<DiffLineDto> {
    lines
        .iter()
        .map(|l| DiffLineDto {
            tag: l.tag.to_string(),
            text: l.text.clone(),
        })
        .collect()
}

/// A suggestion: what a list shows, its texts and change, the decision and what the reader
/// may do.
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    #[serde(flatten)]
    listed: SuggestionSummaryDto,
    /// The question's Markdown the suggestion was written against.
    base_text: String,
    /// The Markdown it proposes.
    proposed_text: String,
    /// The change, line by line.
    diff: Vec<DiffLineDto>,
    /// The moderator who decided.
    moderator: Option<String>,
    /// Their comment.
    comment: Option<String>,
    /// ms since the Unix epoch.
    decided_at: Option<i64>,
    /// The reader's vote: 1, -1 or 0.
    my_vote: i64,
    can_vote: bool,
    can_revise: bool,
    can_decide: bool,
    can_rebase: bool,
}

impl From<&SuggestionView> for SuggestionDto {
    fn from(v: &SuggestionView) -> Self {
        let s = &v.suggestion;
        Self {
            listed: SuggestionSummaryDto::from(v),
            base_text: s.base_text.clone(),
            proposed_text: s.proposed_text.clone(),
            diff: diff_dto(&v.diff),
            moderator: s.moderator_name.clone(),
            comment: s.decision_comment.clone(),
            decided_at: s.decided_at,
            my_vote: v.my_vote,
            can_vote: v.can_vote,
            can_revise: v.can_revise,
            can_decide: v.can_decide,
            can_rebase: v.can_rebase,
        }
    }
}

/// A suggestion in a list (its texts and change: `GET /api/v1/suggestions/{suggestion}`).
#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionSummaryDto {
    id: i64,
    guide: String,
    question: String,
    question_title: String,
    /// The author's username, or "deleted member".
    author: String,
    summary: String,
    /// `open`, `accepted`, `rejected` or `withdrawn`.
    state: String,
    /// Votes up minus votes down.
    score: i64,
    /// The question changed since it was written: a moderator rebases it before it is
    /// accepted or exported.
    stale: bool,
    /// When it was written into a patch (ms since the Unix epoch).
    exported_at: Option<i64>,
    /// ms since the Unix epoch.
    created_at: i64,
    /// Send it back as `seen` to change or decide on it.
    updated_at: i64,
}

impl From<&SuggestionView> for SuggestionSummaryDto {
    fn from(v: &SuggestionView) -> Self {
        let s = &v.suggestion;
        Self {
            id: s.id,
            guide: s.guide.clone(),
            question: s.question.clone(),
            question_title: v.question_title.clone(),
            author: v.author.clone(),
            summary: s.summary.clone(),
            state: s.state.as_str().to_owned(),
            score: s.score,
            stale: v.stale,
            exported_at: s.exported_at,
            created_at: s.created_at,
            updated_at: s.updated_at,
        }
    }
}

/// Suggestions, newest first: open ones unless `state` says otherwise.
#[utoipa::path(get, path = "/api/v1/suggestions", operation_id = "list_suggestions", tag = "community", params(ListParams),
    responses((status = 200, body = Vec<SuggestionSummaryDto>, description = "At most 50"),
        (status = 403, body = ErrorBody, description = "`mine` without signing in"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<ListParams>,
) -> Result<Json<Vec<SuggestionSummaryDto>>, WebError> {
    let user = reader(&state, &session)?;
    let account = user.as_ref().map(|u| &u.account);
    let library = state.library();
    let views = suggestions::list(
        state.store(),
        &library.sources,
        account,
        &ListQuery {
            guide: params.guide,
            question: params.question,
            state: state_filter(params.state.as_deref())?,
            mine: params.mine.unwrap_or(false),
            page: params.page.unwrap_or(1),
        },
    )
    .await?;
    Ok(Json(views.iter().map(SuggestionSummaryDto::from).collect()))
}

/// One suggestion.
#[utoipa::path(get, path = "/api/v1/suggestions/{suggestion}", operation_id = "get_suggestion", tag = "community",
    params(("suggestion" = i64, Path, description = "Suggestion number", minimum = 1)),
    responses((status = 200, body = SuggestionDto, description = "The suggestion"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such suggestion")))]
pub(crate) async fn get_one(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<i64>,
) -> Result<Json<SuggestionDto>, WebError> {
    let user = reader(&state, &session)?;
    let library = state.library();
    let view = suggestions::view(
        state.store(),
        &library.sources,
        user.as_ref().map(|u| &u.account),
        id,
    )
    .await?;
    Ok(Json(SuggestionDto::from(&view)))
}

/// A new suggestion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewSuggestionBody {
    #[schema(max_length = 64)]
    guide: String,
    #[schema(max_length = 64)]
    question: String,
    /// What the change does and why (at most 300 characters).
    #[schema(max_length = 300)]
    summary: String,
    /// The question's whole new Markdown, from its `## ` heading.
    #[schema(max_length = 60000)]
    text: String,
}

/// The number of what was created.
#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedDto {
    id: i64,
}

/// Suggests new Markdown for a question. The text is checked by the guide's rules with it
/// in place; a text that would break the guide is refused with each problem (400).
#[utoipa::path(post, path = "/api/v1/suggestions", operation_id = "create_suggestion", tag = "community",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = NewSuggestionBody,
    responses((status = 201, body = CreatedDto, description = "Suggested (open)"),
        (status = 403, body = ErrorBody, description = "Suspended, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such guide or question"),
        (status = 429, body = ErrorBody, description = "The limit of suggestions is reached: see Retry-After")))]
pub(crate) async fn create(
    State(state): State<AppState>,
    Account(user): Account,
    Json(body): Json<NewSuggestionBody>,
) -> Result<Response, WebError> {
    let library = state.library();
    let source = source_of(&library.sources, &body.guide)?;
    let id = suggestions::suggest(
        state.store(),
        &source,
        &user.account,
        &body.question,
        &body.summary,
        &body.text,
        now(),
    )
    .await?;
    Ok((StatusCode::CREATED, Json(CreatedDto { id })).into_response())
}

/// A text to preview.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PreviewBody {
    #[schema(max_length = 64)]
    guide: String,
    #[schema(max_length = 64)]
    question: String,
    #[schema(max_length = 60000)]
    text: String,
}

/// What a text would change, and what the guide's checks say of it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewDto {
    /// The question's Markdown now.
    current_text: String,
    diff: Vec<DiffLineDto>,
    /// Each problem, with its line in the text; empty when it could be sent.
    problems: Vec<String>,
}

/// Previews a suggestion: the change and the guide's checks, nothing saved.
#[utoipa::path(post, path = "/api/v1/suggestions/preview", operation_id = "preview_suggestion", tag = "community",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = PreviewBody,
    responses((status = 200, body = PreviewDto, description = "The change and any problems"),
        (status = 403, body = ErrorBody, description = "A CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such guide or question"),
        (status = 429, body = ErrorBody, description = "The limit of previews is reached: see Retry-After")))]
pub(crate) async fn preview(
    State(state): State<AppState>,
    Account(user): Account,
    Json(body): Json<PreviewBody>,
) -> Result<Json<PreviewDto>, WebError> {
    let library = state.library();
    let source = source_of(&library.sources, &body.guide)?;
    let p = suggestions::preview_for(
        state.store(),
        &source,
        &user.account,
        &body.question,
        &body.text,
        now(),
    )
    .await?;
    Ok(Json(PreviewDto {
        current_text: p.current.text,
        diff: diff_dto(&p.diff),
        problems: p.problems,
    }))
}

/// New text for a suggestion.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReviseBody {
    #[schema(max_length = 300)]
    summary: String,
    #[schema(max_length = 60000)]
    text: String,
    /// Its `updated_at` as last read: a change made since is not overwritten (409).
    seen: i64,
}

/// Changes a suggestion: its author while it is open, or a moderator rebasing it onto the
/// question's text now (open, or accepted and not exported).
#[utoipa::path(put, path = "/api/v1/suggestions/{suggestion}", operation_id = "revise_suggestion", tag = "community",
    params(("suggestion" = i64, Path, description = "Suggestion number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = ReviseBody,
    responses((status = 204, description = "Saved"),
        (status = 403, body = ErrorBody, description = "Not its author or a moderator, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such suggestion"),
        (status = 409, body = ErrorBody, description = "Decided, exported, or changed since `seen`")))]
pub(crate) async fn revise(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Json(body): Json<ReviseBody>,
) -> Result<StatusCode, WebError> {
    let library = state.library();
    suggestions::revise(
        state.store(),
        &library.sources,
        &user.account,
        id,
        &body.summary,
        &body.text,
        body.seen,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Sets one's vote on someone else's open suggestion.
#[utoipa::path(put, path = "/api/v1/suggestions/{suggestion}/vote", operation_id = "vote_on_suggestion", tag = "community",
    params(("suggestion" = i64, Path, description = "Suggestion number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = VoteBody,
    responses((status = 200, body = ScoreDto, description = "The suggestion's score"),
        (status = 403, body = ErrorBody, description = "One's own suggestion, suspended, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such suggestion"),
        (status = 409, body = ErrorBody, description = "Already decided"),
        (status = 429, body = ErrorBody, description = "The limit of votes is reached: see Retry-After")))]
pub(crate) async fn vote(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Json(body): Json<VoteBody>,
) -> Result<Json<ScoreDto>, WebError> {
    let score = suggestions::vote(state.store(), &user.account, id, body.value, now()).await?;
    Ok(Json(ScoreDto { score }))
}

/// A moderator's decision.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DecisionBody {
    /// `accept` or `reject`.
    #[schema(pattern = "^(accept|reject)$")]
    verdict: String,
    /// Required to reject; shown to the author (at most 500 characters).
    #[serde(default)]
    #[schema(max_length = 500)]
    comment: String,
    /// The suggestion's `updated_at` as read: a text changed since is not decided on (409).
    seen: i64,
}

/// Accepts or rejects an open suggestion (moderators); its author is told.
#[utoipa::path(post, path = "/api/v1/suggestions/{suggestion}/decision", operation_id = "decide_suggestion", tag = "community",
    params(("suggestion" = i64, Path, description = "Suggestion number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = DecisionBody,
    responses((status = 204, description = "Decided"),
        (status = 403, body = ErrorBody, description = "Not a moderator, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such suggestion"),
        (status = 409, body = ErrorBody, description = "Not open, changed since `seen`, or stale (rebase it first)")))]
pub(crate) async fn decide(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Json(body): Json<DecisionBody>,
) -> Result<StatusCode, WebError> {
    let verdict = verdict_of(&body.verdict)?;
    let library = state.library();
    suggestions::decide(
        state.store(),
        &library.sources,
        &user.account,
        id,
        verdict,
        &body.comment,
        body.seen,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Withdraws one's own open suggestion.
#[utoipa::path(post, path = "/api/v1/suggestions/{suggestion}/withdraw", operation_id = "withdraw_suggestion", tag = "community",
    params(("suggestion" = i64, Path, description = "Suggestion number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 204, description = "Withdrawn"),
        (status = 403, body = ErrorBody, description = "Someone else's, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such suggestion"),
        (status = 409, body = ErrorBody, description = "Already decided or withdrawn")))]
pub(crate) async fn withdraw(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<StatusCode, WebError> {
    suggestions::withdraw(state.store(), &user.account, id, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
