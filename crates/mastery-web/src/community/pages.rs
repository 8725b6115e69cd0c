//! The discussion pages: a question's threads (on its page), a thread, its forms, a post's
//! edit form and history.

use std::sync::Arc;

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::SignedIn;
use mastery_app::community::discussion::{self, ThreadList};
use mastery_app::community::is_moderator;
use mastery_app::community::rules::CommunitySettings;
use mastery_storage::{Account as StoredAccount, ThreadOrder};
use serde::Deserialize;

use crate::access::{Account, personal_mode};
use crate::community::question_url;
use crate::community::views::{
    DiscussionBlock, EditPage, FlagPage, HistoryPage, PostRow, ThreadPage, ThreadRow, VersionRow,
};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Choice, Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

/// The signed-in reader of a community page, if any; a 404 on a personal server.
pub(crate) fn reader(
    state: &AppState,
    session: &Session,
) -> Result<Option<Arc<SignedIn>>, WebError> {
    if state.multi_user() {
        Ok(session.user.clone())
    } else {
        Err(personal_mode())
    }
}

fn account_of(user: Option<&Arc<SignedIn>>) -> Option<&StoredAccount> {
    user.map(|u| &u.account)
}

/// A redirect to a post in its thread (after a form about it).
pub(crate) async fn back_to_post(state: &AppState, id: i64) -> Result<Response, WebError> {
    let thread = state.store().post(id).await?.map_or(0, |p| p.thread);
    Ok(redirect_back(Some(&format!("/threads/{thread}#post-{id}"))))
}

/// `?sort=votes|newest&page=N` on a question page.
#[derive(Debug, Default, Deserialize)]
pub struct DiscussionQuery {
    sort: Option<String>,
    page: Option<i64>,
}

pub(crate) fn order_of(sort: Option<&str>) -> Result<ThreadOrder, WebError> {
    match sort {
        None | Some("votes") => Ok(ThreadOrder::Votes),
        Some("newest") => Ok(ThreadOrder::Newest),
        Some(other) => Err(WebError::BadRequest(format!(
            "sort is votes or newest, not {other:?}"
        ))),
    }
}

/// A question's discussion for its page: None on a personal server.
pub(crate) async fn discussion_block(
    state: &AppState,
    session: &Session,
    guide: &str,
    question: &str,
    query: &DiscussionQuery,
    form: Option<(String, String, String)>,
) -> Result<Option<DiscussionBlock>, WebError> {
    let library = state.library();
    let is_question = mastery_app::guides::find_guide(&library.guides, guide)
        .and_then(|g| mastery_app::guides::find_question(g, question))
        .is_ok();
    if !state.multi_user() || !is_question {
        return Ok(None);
    }
    let order = order_of(query.sort.as_deref())?;
    let reader = session.user.as_ref().map(|u| &u.account);
    // Four independent reads at once: under load each waits for a pooled connection, and
    // waiting four times in a row made this the slowest page.
    let (list, notice, settings, open_suggestions): (ThreadList, _, _, _) = tokio::try_join!(
        async {
            discussion::threads(
                state.store(),
                reader,
                guide,
                question,
                order,
                query.page.unwrap_or(1),
            )
            .await
            .map_err(WebError::from)
        },
        async {
            Ok::<_, WebError>(match reader {
                Some(account) => {
                    mastery_app::community::check_not_suspended(state.store(), account, now())
                        .await
                        .err()
                        .map(|e| e.to_string())
                }
                None => None,
            })
        },
        async {
            CommunitySettings::load(state.store())
                .await
                .map_err(WebError::from)
        },
        async {
            mastery_app::community::suggestions::open_count(state.store(), Some((guide, question)))
                .await
                .map_err(WebError::from)
        },
    )?;
    let here = question_url(guide, question);
    let (title, body, error) = form.unwrap_or_default();
    Ok(Some(DiscussionBlock {
        action: format!("{here}/threads"),
        sign_in_next: here.clone(),
        here,
        threads: list.threads.iter().map(ThreadRow::of).collect(),
        total: list.total,
        page: list.page,
        pages: list.pages,
        order: match order {
            ThreadOrder::Votes => "votes".into(),
            ThreadOrder::Newest => "newest".into(),
        },
        can_post: reader.is_some() && notice.is_none(),
        notice,
        signed_out: reader.is_none(),
        title,
        body,
        error: (!error.is_empty()).then_some(error),
        rules: settings
            .flag_reasons()
            .into_iter()
            .filter(|r| r != mastery_app::community::rules::OTHER_REASON)
            .collect(),
        suggestions_url: format!(
            "/suggestions?state=all&guide={}&question={}",
            crate::search::api::encode_query(guide),
            crate::search::api::encode_query(question)
        ),
        open_suggestions,
    }))
}

#[derive(Debug, Deserialize)]
pub struct NewThreadForm {
    title: String,
    body: String,
}

/// `POST /guides/{guide}/{question}/threads`: opens a thread; its page next.
pub async fn start_thread(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path((guide, question)): Path<(String, String)>,
    Form(form): Form<NewThreadForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    let posted = discussion::start_thread(
        state.store(),
        &library.guides,
        &user.account,
        &guide,
        &question,
        &form.title,
        &form.body,
        now(),
    )
    .await;
    match posted {
        Ok(p) => Ok(redirect_back(Some(&format!(
            "/threads/{}#post-{}",
            p.thread, p.post
        )))),
        Err(AppError::Field { message, .. }) => {
            // The question page again, with the form as typed and the mistake.
            let query = DiscussionQuery::default();
            let block = discussion_block(
                &state,
                &session,
                &guide,
                &question,
                &query,
                Some((form.title, form.body, message)),
            );
            let page =
                crate::guides::pages::question_page(&state, &session, &guide, &question, block)
                    .await?;
            Ok(form_with_errors(page))
        }
        Err(e) => Err(e.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct PageQuery {
    page: Option<i64>,
}

async fn thread_page(
    state: &AppState,
    session: &Session,
    id: i64,
    page: i64,
    body: String,
    error: Option<String>,
) -> Result<ThreadPage, WebError> {
    let user = reader(state, session)?;
    let account = account_of(user.as_ref());
    let view = discussion::view(state.store(), account, id, page, now()).await?;
    let library = state.library();
    let question_title = library
        .guides
        .iter()
        .find(|g| g.id.as_str() == view.thread.guide)
        .and_then(|g| g.entry(&view.thread.question))
        .map_or_else(
            || format!("{} (no longer in the guide)", view.thread.question),
            |e| e.title_text.clone(),
        );
    Ok(ThreadPage {
        layout: Layout::new(
            state,
            Some(session),
            view.title.clone(),
            format!("/threads/{id}"),
        ),
        id,
        question_url: question_url(&view.thread.guide, &view.thread.question),
        question_title,
        locked: view.thread.locked_at.is_some(),
        posts: view.posts.iter().map(PostRow::of).collect(),
        page: view.page,
        pages: view.pages,
        can_reply: view.can_reply,
        reply_notice: view.reply_notice.clone(),
        signed_out: account.is_none(),
        moderator: account.is_some_and(is_moderator),
        title: view.title,
        body,
        error,
    })
}

/// `GET /threads/{id}`.
pub async fn thread(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<i64>,
    Query(query): Query<PageQuery>,
) -> Result<Response, WebError> {
    let page = thread_page(
        &state,
        &session,
        id,
        query.page.unwrap_or(1),
        String::new(),
        None,
    )
    .await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct BodyForm {
    body: String,
}

/// `POST /threads/{id}/posts`: a reply; back to it.
pub async fn reply(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<BodyForm>,
) -> Result<Response, WebError> {
    match discussion::reply(state.store(), &user.account, id, &form.body, now()).await {
        Ok(p) => Ok(redirect_back(Some(&format!(
            "/threads/{id}#post-{}",
            p.post
        )))),
        Err(AppError::Field { message, .. }) => {
            let page = thread_page(&state, &session, id, 1, form.body, Some(message)).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn edit_page(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    id: i64,
    body: Option<String>,
    error: Option<String>,
) -> Result<EditPage, WebError> {
    let history = discussion::history(state.store(), Some(&user.account), id).await?;
    if !history.post.can_edit {
        return Err(WebError::Forbidden(
            "you can only edit your own posts, while they are visible or waiting for approval \
             and their thread is not locked"
                .into(),
        ));
    }
    Ok(EditPage {
        layout: Layout::new(
            state,
            Some(session),
            "Edit your post",
            format!("/posts/{id}/edit"),
        ),
        id,
        thread_url: format!("/threads/{}#post-{id}", history.thread),
        body: body.unwrap_or_else(|| history.post.body.clone().unwrap_or_default()),
        error,
    })
}

/// `GET /posts/{id}/edit`.
pub async fn edit_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(render(
        &edit_page(&state, &session, &user, id, None, None).await?,
    ))
}

/// `POST /posts/{id}/edit`.
pub async fn edit(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<BodyForm>,
) -> Result<Response, WebError> {
    match discussion::edit(state.store(), &user.account, id, &form.body, now()).await {
        Ok(()) => back_to_post(&state, id).await,
        Err(AppError::Field { message, .. }) => {
            let page =
                edit_page(&state, &session, &user, id, Some(form.body), Some(message)).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(e) => Err(e.into()),
    }
}

/// `POST /posts/{id}/delete`.
pub async fn delete(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    discussion::delete(state.store(), &user.account, id, now()).await?;
    // The post keeps its place (as deleted): back to it.
    back_to_post(&state, id).await
}

/// `GET /posts/{id}/history`.
pub async fn history(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let user = reader(&state, &session)?;
    let history = discussion::history(state.store(), account_of(user.as_ref()), id).await?;
    let post = state
        .store()
        .post(id)
        .await?
        .ok_or_else(|| WebError::NotFound(format!("there is no post {id}")))?;
    let count = history.revisions.len();
    let mut versions: Vec<VersionRow> = history
        .revisions
        .iter()
        .map(|r| VersionRow {
            label: format!("Version {} of {}", r.number, count + 1),
            when: crate::accounts::own::utc(r.written_at),
            body: r.body.clone(),
        })
        .collect();
    versions.push(VersionRow {
        label: format!("Version {} of {} (now)", count + 1, count + 1),
        when: crate::accounts::own::utc(post.edited_at.unwrap_or(post.created_at)),
        body: post.body,
    });
    versions.reverse();
    Ok(render(&HistoryPage {
        layout: Layout::new(
            &state,
            Some(&session),
            format!("History of post {id}"),
            format!("/posts/{id}/history"),
        ),
        id,
        thread_url: format!("/threads/{}#post-{id}", history.thread),
        versions,
    }))
}

#[derive(Debug, Deserialize)]
pub struct VoteForm {
    value: i64,
}

/// `POST /posts/{id}/vote`.
pub async fn vote(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<VoteForm>,
) -> Result<Response, WebError> {
    discussion::vote(state.store(), &user.account, id, form.value, now()).await?;
    back_to_post(&state, id).await
}

#[derive(Debug, Deserialize)]
pub struct FlagForm {
    reason: String,
    #[serde(default)]
    detail: String,
}

async fn flag_page(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    id: i64,
    form: Option<&FlagForm>,
    error: Option<String>,
) -> Result<FlagPage, WebError> {
    let history = discussion::history(state.store(), Some(&user.account), id).await?;
    if history.post.mine || history.post.state != mastery_storage::PostState::Visible {
        return Err(WebError::Forbidden(
            "you can flag visible posts of other members".into(),
        ));
    }
    let settings = CommunitySettings::load(state.store()).await?;
    let chosen = form.map(|f| f.reason.as_str());
    let reasons = settings
        .flag_reasons()
        .into_iter()
        .enumerate()
        .map(|(n, r)| Choice {
            selected: chosen.map_or(n == 0, |c| c == r),
            value: r.clone(),
            label: r,
        })
        .collect();
    Ok(FlagPage {
        layout: Layout::new(
            state,
            Some(session),
            "Flag a post",
            format!("/posts/{id}/flag"),
        ),
        id,
        thread_url: format!("/threads/{}#post-{id}", history.thread),
        author: history.post.author.clone(),
        html: history.post.html.clone(),
        reasons,
        detail: form.map(|f| f.detail.clone()).unwrap_or_default(),
        error,
    })
}

/// `GET /posts/{id}/flag`: the flag form.
pub async fn flag_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    Ok(render(
        &flag_page(&state, &session, &user, id, None, None).await?,
    ))
}

/// `POST /posts/{id}/flag`.
pub async fn flag(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<FlagForm>,
) -> Result<Response, WebError> {
    match discussion::flag(
        state.store(),
        &user.account,
        id,
        &form.reason,
        &form.detail,
        now(),
    )
    .await
    {
        Ok(()) => back_to_post(&state, id).await,
        Err(AppError::Field { message, .. }) => {
            let page = flag_page(&state, &session, &user, id, Some(&form), Some(message)).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(e) => Err(e.into()),
    }
}
