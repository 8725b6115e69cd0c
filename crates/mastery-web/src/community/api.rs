//! The community in the JSON API: threads of a question, a thread with its posts, posting,
//! editing, deleting, votes, flags, a post's history, and moderation (the queue, actions,
//! the log). Every rule is `mastery_app::community`'s, as for the pages. On a personal
//! server every route answers 404.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mastery_app::community::discussion::{self, PostView};
use mastery_app::community::moderation::{self, PostAction};
use mastery_app::community::rules::CommunitySettings;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::access::Account;
use crate::community::pages::{order_of, reader};
use crate::error::{ErrorBody, WebError};
use crate::session::Session;
use crate::state::{AppState, now};
use axum::Extension;

/// `?sort=&page=` of a list.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// `votes` (the opening post's score, the default) or `newest`.
    #[param(pattern = "^(votes|newest)$")]
    sort: Option<String>,
    /// The page, from 1.
    #[param(minimum = 1)]
    page: Option<i64>,
}

/// `?page=`.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    /// The page, from 1.
    #[param(minimum = 1)]
    page: Option<i64>,
}

/// A thread in a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadDto {
    id: i64,
    /// The title, or what stands for it when the reader may not see it.
    title: String,
    /// The username of who opened it, or "deleted member".
    author: String,
    /// `visible`, `pending`, `hidden`, `deleted` or `rejected`.
    state: String,
    /// The opening post's score.
    score: i64,
    /// Visible replies.
    replies: i64,
    /// ms since the Unix epoch.
    created_at: i64,
    /// The last visible post (ms since the Unix epoch).
    last_post_at: i64,
    locked: bool,
}

/// A page of a question's threads.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadListDto {
    threads: Vec<ThreadDto>,
    total: i64,
    page: i64,
    pages: i64,
}

/// A post as the reader may see it.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostDto {
    id: i64,
    /// Whether it opens its thread.
    opening: bool,
    author: String,
    /// The sanitised HTML, when the reader may see the text.
    html: Option<String>,
    /// The Markdown, for its author.
    body: Option<String>,
    state: String,
    /// What the reader is told about its state.
    notice: Option<String>,
    score: i64,
    /// The reader's vote: 1, -1 or 0.
    my_vote: i64,
    created_at: i64,
    edited_at: Option<i64>,
    mine: bool,
    can_edit: bool,
    can_vote: bool,
    can_flag: bool,
}

impl From<&PostView> for PostDto {
    fn from(p: &PostView) -> Self {
        Self {
            id: p.id,
            opening: p.opening,
            author: p.author.clone(),
            html: p.html.clone(),
            body: p.body.clone(),
            state: p.state.as_str().to_owned(),
            notice: p.notice.clone(),
            score: p.score,
            my_vote: p.my_vote,
            created_at: p.created_at,
            edited_at: p.edited_at,
            mine: p.mine,
            can_edit: p.can_edit,
            can_vote: p.can_vote,
            can_flag: p.can_flag,
        }
    }
}

/// A thread with a page of its posts.
#[derive(Debug, Serialize, ToSchema)]
pub struct ThreadViewDto {
    id: i64,
    guide: String,
    question: String,
    title: String,
    state: String,
    locked: bool,
    posts: Vec<PostDto>,
    page: i64,
    pages: i64,
    can_reply: bool,
    /// Why the reader may not reply, when signed in.
    reply_notice: Option<String>,
}

/// A post just written.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostedDto {
    thread: i64,
    post: i64,
    /// `visible`, or `pending` until a moderator approves it.
    state: String,
}

/// A new thread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewThreadBody {
    /// 1 to 150 characters.
    #[schema(min_length = 1, max_length = 150)]
    title: String,
    /// Markdown, 1 to 20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    body: String,
}

/// A post's text.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostBody {
    /// Markdown, 1 to 20,000 characters.
    #[schema(min_length = 1, max_length = 20000)]
    body: String,
}

/// A vote.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VoteBody {
    /// 1 (up), -1 (down) or 0 (take the vote back).
    #[schema(minimum = -1, maximum = 1)]
    pub(crate) value: i64,
}

/// A post's or a suggestion's score after a vote.
#[derive(Debug, Serialize, ToSchema)]
pub struct ScoreDto {
    pub(crate) score: i64,
}

/// A flag.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlagBody {
    /// One of the community's rules (`GET /api/v1/community/rules`).
    #[schema(min_length = 1, max_length = 100)]
    reason: String,
    /// Up to 500 characters; required for "Something else".
    #[serde(default)]
    #[schema(max_length = 500)]
    detail: String,
}

/// One rule of the community.
#[derive(Debug, Serialize, ToSchema)]
pub struct RuleDto {
    name: String,
    text: String,
}

/// The community's rules.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesDto {
    rules: Vec<RuleDto>,
    /// What a flag's `reason` may be.
    flag_reasons: Vec<String>,
}

/// An earlier version of a post.
#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionDto {
    number: i64,
    body: String,
    written_at: i64,
}

/// A post's edit history.
#[derive(Debug, Serialize, ToSchema)]
pub struct PostHistoryDto {
    thread: i64,
    post: PostDto,
    /// Earlier versions, oldest first.
    revisions: Vec<RevisionDto>,
}

/// A post in the moderation queue.
#[derive(Debug, Serialize, ToSchema)]
pub struct QueueItemDto {
    post: i64,
    thread: i64,
    thread_title: String,
    author: String,
    state: String,
    body: String,
    html: String,
    /// Open flags per rule.
    reasons: Vec<FlagCountDto>,
    /// What the flaggers added.
    details: Vec<String>,
}

/// How many open flags name a rule.
#[derive(Debug, Serialize, ToSchema)]
pub struct FlagCountDto {
    reason: String,
    count: usize,
}

/// A moderator's action on a post.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostActionBody {
    /// `hide`, `restore`, `approve`, `reject` or `dismiss` (the flags).
    #[schema(pattern = "^(hide|restore|approve|reject|dismiss)$")]
    action: String,
    /// Why: shown in the public log. 1 to 500 characters.
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// Locking or unlocking a thread.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LockBody {
    locked: bool,
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// Suspending a member, or lifting a suspension.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SuspensionBody {
    /// 1 to 365 days; null lifts the suspension.
    #[schema(minimum = 1, maximum = 365)]
    days: Option<u32>,
    #[schema(min_length = 1, max_length = 500)]
    reason: String,
}

/// A line of the moderation log.
#[derive(Debug, Serialize, ToSchema)]
pub struct LogEntryDto {
    id: i64,
    at: i64,
    /// The moderator's name, or "a moderator" when the admin hides names.
    moderator: String,
    action: String,
    thread: Option<i64>,
    post: Option<i64>,
    member: Option<String>,
    reason: String,
    until: Option<i64>,
}

fn account_of(
    user: Option<&std::sync::Arc<mastery_app::accounts::SignedIn>>,
) -> Option<&mastery_storage::Account> {
    user.map(|u| &u.account)
}

/// A question's threads, as the reader may see them.
#[utoipa::path(get, path = "/api/v1/guides/{guide}/questions/{question}/threads", tag = "community",
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ListQuery),
    responses((status = 200, body = ThreadListDto, description = "A page of threads"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such guide or question")))]
pub(crate) async fn list_threads(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path((guide, question)): Path<(String, String)>,
    Query(query): Query<ListQuery>,
) -> Result<Json<ThreadListDto>, WebError> {
    let user = reader(&state, &session)?;
    let library = state.library();
    let found = mastery_app::guides::find_guide(&library.guides, &guide)?;
    mastery_app::guides::find_question(found, &question)?;
    let order = order_of(query.sort.as_deref())?;
    let list = discussion::threads(
        state.store(),
        account_of(user.as_ref()),
        &guide,
        &question,
        order,
        query.page.unwrap_or(1),
    )
    .await?;
    Ok(Json(ThreadListDto {
        threads: list
            .threads
            .iter()
            .map(|t| ThreadDto {
                id: t.id,
                title: t.title.clone(),
                author: t.author.clone(),
                state: t.state.as_str().to_owned(),
                score: t.score,
                replies: t.replies,
                created_at: t.created_at,
                last_post_at: t.last_post_at,
                locked: t.locked,
            })
            .collect(),
        total: list.total,
        page: list.page,
        pages: list.pages,
    }))
}

fn posted(p: discussion::Posted) -> Response {
    (
        StatusCode::CREATED,
        Json(PostedDto {
            thread: p.thread,
            post: p.post,
            state: p.state.as_str().to_owned(),
        }),
    )
        .into_response()
}

/// Opens a thread on a question (a new member's first posts wait for a moderator).
#[utoipa::path(post, path = "/api/v1/guides/{guide}/questions/{question}/threads", tag = "community",
    params(("guide" = String, Path, description = "Guide id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("question" = String, Path, description = "Question id", pattern = "^[a-z](?:-?[a-z0-9])*$", max_length = 64),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = NewThreadBody,
    responses((status = 201, body = PostedDto, description = "Posted (visible, or pending approval)"),
        (status = 403, body = ErrorBody, description = "Suspended, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such guide or question"),
        (status = 429, body = ErrorBody, description = "The limit of posts is reached: see Retry-After")))]
pub(crate) async fn create_thread(
    State(state): State<AppState>,
    Account(user): Account,
    Path((guide, question)): Path<(String, String)>,
    Json(body): Json<NewThreadBody>,
) -> Result<Response, WebError> {
    let library = state.library();
    let p = discussion::start_thread(
        state.store(),
        &library.guides,
        &user.account,
        &guide,
        &question,
        &body.title,
        &body.body,
        now(),
    )
    .await?;
    Ok(posted(p))
}

/// A thread with a page of its posts, as the reader may see them.
#[utoipa::path(get, path = "/api/v1/threads/{thread}", tag = "community",
    params(("thread" = i64, Path, description = "Thread number", minimum = 1), PageQuery),
    responses((status = 200, body = ThreadViewDto, description = "The thread"),
        (status = 404, body = ErrorBody, description = "A personal server, or no thread the reader may see")))]
pub(crate) async fn get_thread(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(thread): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Json<ThreadViewDto>, WebError> {
    let user = reader(&state, &session)?;
    let view = discussion::view(
        state.store(),
        account_of(user.as_ref()),
        thread,
        query.page.unwrap_or(1),
        now(),
    )
    .await?;
    Ok(Json(ThreadViewDto {
        id: view.thread.id,
        guide: view.thread.guide.clone(),
        question: view.thread.question.clone(),
        title: view.title.clone(),
        state: view.thread.state.as_str().to_owned(),
        locked: view.thread.locked_at.is_some(),
        posts: view.posts.iter().map(PostDto::from).collect(),
        page: view.page,
        pages: view.pages,
        can_reply: view.can_reply,
        reply_notice: view.reply_notice,
    }))
}

/// Replies to a thread.
#[utoipa::path(post, path = "/api/v1/threads/{thread}/posts", tag = "community",
    params(("thread" = i64, Path, description = "Thread number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = PostBody,
    responses((status = 201, body = PostedDto, description = "Posted (visible, or pending approval)"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such thread"),
        (status = 409, body = ErrorBody, description = "The thread is locked"),
        (status = 429, body = ErrorBody, description = "The limit of posts is reached: see Retry-After")))]
pub(crate) async fn reply(
    State(state): State<AppState>,
    Account(user): Account,
    Path(thread): Path<i64>,
    Json(body): Json<PostBody>,
) -> Result<Response, WebError> {
    let p = discussion::reply(state.store(), &user.account, thread, &body.body, now()).await?;
    Ok(posted(p))
}

/// Replaces the text of one's own post (the old text is kept in its history).
#[utoipa::path(put, path = "/api/v1/posts/{post}", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = PostBody,
    responses((status = 204, description = "Saved"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such post"),
        (status = 409, body = ErrorBody, description = "Hidden, rejected, or in a locked thread")))]
pub(crate) async fn edit_post(
    State(state): State<AppState>,
    Account(user): Account,
    Path(post): Path<i64>,
    Json(body): Json<PostBody>,
) -> Result<StatusCode, WebError> {
    discussion::edit(state.store(), &user.account, post, &body.body, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Deletes one's own post: its text and history go, its place stays.
#[utoipa::path(delete, path = "/api/v1/posts/{post}", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    responses((status = 204, description = "Deleted"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such post")))]
pub(crate) async fn delete_post(
    State(state): State<AppState>,
    Account(user): Account,
    Path(post): Path<i64>,
) -> Result<StatusCode, WebError> {
    discussion::delete(state.store(), &user.account, post, now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A post's earlier versions.
#[utoipa::path(get, path = "/api/v1/posts/{post}/history", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1)),
    responses((status = 200, body = PostHistoryDto, description = "The post and its earlier versions"),
        (status = 404, body = ErrorBody, description = "A personal server, or no post whose text the reader may see")))]
pub(crate) async fn post_history(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(post): Path<i64>,
) -> Result<Json<PostHistoryDto>, WebError> {
    let user = reader(&state, &session)?;
    let history = discussion::history(state.store(), account_of(user.as_ref()), post).await?;
    Ok(Json(PostHistoryDto {
        thread: history.thread,
        post: PostDto::from(&history.post),
        revisions: history
            .revisions
            .iter()
            .map(|r| RevisionDto {
                number: r.number,
                body: r.body.clone(),
                written_at: r.written_at,
            })
            .collect(),
    }))
}

/// Sets one's vote on someone else's visible post.
#[utoipa::path(put, path = "/api/v1/posts/{post}/vote", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = VoteBody,
    responses((status = 200, body = ScoreDto, description = "The post's score"),
        (status = 403, body = ErrorBody, description = "One's own post, suspended, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no visible post"),
        (status = 429, body = ErrorBody, description = "The limit of votes is reached: see Retry-After")))]
pub(crate) async fn vote(
    State(state): State<AppState>,
    Account(user): Account,
    Path(post): Path<i64>,
    Json(body): Json<VoteBody>,
) -> Result<Json<ScoreDto>, WebError> {
    let score = discussion::vote(state.store(), &user.account, post, body.value, now()).await?;
    Ok(Json(ScoreDto { score }))
}

/// Flags someone else's visible post as breaking a rule.
#[utoipa::path(post, path = "/api/v1/posts/{post}/flags", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = FlagBody,
    responses((status = 204, description = "Flagged"),
        (status = 403, body = ErrorBody, description = "One's own post, suspended, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no visible post"),
        (status = 409, body = ErrorBody, description = "Already flagged by this member"),
        (status = 429, body = ErrorBody, description = "The limit of flags is reached: see Retry-After")))]
pub(crate) async fn flag(
    State(state): State<AppState>,
    Account(user): Account,
    Path(post): Path<i64>,
    Json(body): Json<FlagBody>,
) -> Result<StatusCode, WebError> {
    discussion::flag(
        state.store(),
        &user.account,
        post,
        &body.reason,
        &body.detail,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The community's rules, and the reasons a flag may give.
#[utoipa::path(get, path = "/api/v1/community/rules", tag = "community",
    responses((status = 200, body = RulesDto, description = "The rules"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn rules(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Json<RulesDto>, WebError> {
    reader(&state, &session)?;
    let settings = CommunitySettings::load(state.store()).await?;
    Ok(Json(RulesDto {
        rules: settings
            .rules()
            .into_iter()
            .map(|r| RuleDto {
                name: r.name,
                text: r.text,
            })
            .collect(),
        flag_reasons: settings.flag_reasons(),
    }))
}

/// Flagged posts (most flags first) and posts waiting for approval.
#[utoipa::path(get, path = "/api/v1/moderation/queue", tag = "community",
    responses((status = 200, body = Vec<QueueItemDto>, description = "The queue"),
        (status = 403, body = ErrorBody, description = "Not a moderator or admin"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn queue(
    State(state): State<AppState>,
    Account(user): Account,
) -> Result<Json<Vec<QueueItemDto>>, WebError> {
    let items = moderation::queue(state.store(), &user.account).await?;
    Ok(Json(
        items
            .iter()
            .map(|i| QueueItemDto {
                post: i.post.id,
                thread: i.thread.id,
                thread_title: i.thread.title.clone(),
                author: i
                    .post
                    .author_name
                    .clone()
                    .unwrap_or_else(|| discussion::DELETED_ACCOUNT.into()),
                state: i.post.state.as_str().to_owned(),
                body: i.post.body.clone(),
                html: i.post.html.clone(),
                reasons: i
                    .reasons
                    .iter()
                    .map(|(reason, count)| FlagCountDto {
                        reason: reason.clone(),
                        count: *count,
                    })
                    .collect(),
                details: i
                    .flags
                    .iter()
                    .filter(|f| !f.detail.is_empty())
                    .map(|f| f.detail.clone())
                    .collect(),
            })
            .collect(),
    ))
}

/// Hides, restores, approves or rejects a post, or dismisses its flags.
#[utoipa::path(post, path = "/api/v1/moderation/posts/{post}", tag = "community",
    params(("post" = i64, Path, description = "Post number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = PostActionBody,
    responses((status = 204, description = "Done, and logged"),
        (status = 403, body = ErrorBody, description = "Not a moderator or admin, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such post"),
        (status = 409, body = ErrorBody, description = "The post is not in the state the action starts from")))]
pub(crate) async fn act_on_post(
    State(state): State<AppState>,
    Account(user): Account,
    Path(post): Path<i64>,
    Json(body): Json<PostActionBody>,
) -> Result<StatusCode, WebError> {
    let action = PostAction::parse(&body.action)?;
    moderation::act_on_post(
        state.store(),
        &user.account,
        post,
        action,
        &body.reason,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Locks or unlocks a thread.
#[utoipa::path(put, path = "/api/v1/moderation/threads/{thread}/lock", tag = "community",
    params(("thread" = i64, Path, description = "Thread number", minimum = 1),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = LockBody,
    responses((status = 204, description = "Done, and logged"),
        (status = 403, body = ErrorBody, description = "Not a moderator or admin, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such thread"),
        (status = 409, body = ErrorBody, description = "Already locked or unlocked")))]
pub(crate) async fn lock(
    State(state): State<AppState>,
    Account(user): Account,
    Path(thread): Path<i64>,
    Json(body): Json<LockBody>,
) -> Result<StatusCode, WebError> {
    moderation::lock(
        state.store(),
        &user.account,
        thread,
        body.locked,
        &body.reason,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Suspends a member for some days, or lifts their suspension (`days`: null).
#[utoipa::path(put, path = "/api/v1/moderation/members/{username}/suspension", tag = "community",
    params(("username" = String, Path, description = "The member's username", max_length = 64),
           ("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = SuspensionBody,
    responses((status = 204, description = "Done, and logged"),
        (status = 403, body = ErrorBody, description = "Not allowed to suspend this member, or a CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server, or no such member"),
        (status = 409, body = ErrorBody, description = "Lifting a suspension that does not exist")))]
pub(crate) async fn suspend(
    State(state): State<AppState>,
    Account(user): Account,
    Path(username): Path<String>,
    Json(body): Json<SuspensionBody>,
) -> Result<StatusCode, WebError> {
    let key = mastery_app::accounts::names::username_key(&username);
    moderation::suspend(
        state.store(),
        &user.account,
        &key,
        body.days,
        &body.reason,
        now(),
    )
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Every moderator action with its reason, newest first (for signed-in members).
#[utoipa::path(get, path = "/api/v1/moderation/log", tag = "community",
    params(PageQuery),
    responses((status = 200, body = Vec<LogEntryDto>, description = "A page of the log (50 lines)"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn log(
    State(state): State<AppState>,
    Account(_user): Account,
    Query(query): Query<PageQuery>,
) -> Result<Json<Vec<LogEntryDto>>, WebError> {
    let lines = moderation::log(state.store(), query.page.unwrap_or(1)).await?;
    Ok(Json(
        lines
            .into_iter()
            .map(|l| LogEntryDto {
                id: l.entry.id,
                at: l.entry.at,
                moderator: l.moderator,
                action: l.entry.action,
                thread: l.entry.thread,
                post: l.entry.post,
                member: l.entry.member_name,
                reason: l.entry.reason,
                until: l.entry.until,
            })
            .collect(),
    ))
}
