//! Moderators' pages (the queue, a member's suspension), the log members read, and the
//! admin's community settings.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::community::moderation::{self, PostAction};
use mastery_app::community::rules::CommunitySettings;
use mastery_app::community::{discussion, is_moderator};
use mastery_storage::{Account as StoredAccount, PostState};
use serde::Deserialize;

use crate::access::{Account, Admin};
use crate::community::views::{
    CommunitySettingsPage, LogPage, LogRow, MemberPage, OrphanRow, PostRow, QueuePage, QueueRow,
};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Choice, Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

/// A post of the queue as its moderator sees it.
fn queue_row(moderator: &StoredAccount, item: &moderation::QueueItem) -> QueueRow {
    let at = crate::interviews::time::when(item.post.created_at, 0);
    QueueRow {
        post: PostRow {
            id: item.post.id,
            opening: item.post.id == item.thread.opening_post,
            author: item
                .post
                .author_name
                .clone()
                .unwrap_or_else(|| discussion::DELETED_ACCOUNT.into()),
            html: Some(item.post.html.clone()),
            notice: None,
            badge: String::new(),
            score: item.post.score,
            up: false,
            down: false,
            when: format!("{}, {} UTC", at.date, at.time),
            iso: at.iso,
            edited: item.post.edited_at.is_some(),
            mine: item.post.author == Some(moderator.learner),
            can_edit: false,
            can_vote: false,
            can_flag: false,
        },
        thread_url: format!("/threads/{}", item.thread.id),
        thread_title: item.thread.title.clone(),
        pending: item.post.state == PostState::Pending,
        hidden: item.post.state == PostState::Hidden,
        flags: item.flags.len(),
        reasons: item.reasons.clone(),
        details: item
            .flags
            .iter()
            .filter(|f| !f.detail.is_empty())
            .map(|f| f.detail.clone())
            .collect(),
    }
}

/// `GET /moderation`: flagged and pending posts, and orphaned threads.
pub async fn queue(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let items = moderation::queue(state.store(), &user.account).await?;
    let library = state.library();
    let mut orphans = Vec::new();
    for (guide, question, _) in
        moderation::orphans(state.store(), &user.account, &library.guides).await?
    {
        let threads = moderation::orphan_threads(state.store(), &user.account, &guide, &question)
            .await?
            .into_iter()
            .map(|t| (format!("/threads/{}", t.id), t.title))
            .collect();
        orphans.push(OrphanRow {
            guide,
            question,
            threads,
        });
    }
    Ok(render(&QueuePage {
        layout: Layout::new(&state, Some(&session), "Moderation queue", "/moderation"),
        items: items.iter().map(|i| queue_row(&user.account, i)).collect(),
        orphans,
        open_suggestions: mastery_app::community::suggestions::open_count(state.store(), None)
            .await?,
    }))
}

#[derive(Debug, Deserialize)]
pub struct PostActionForm {
    action: String,
    reason: String,
}

/// `POST /moderation/posts/{id}`: hide, restore, approve, reject, dismiss.
pub async fn act_on_post(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<PostActionForm>,
) -> Result<Response, WebError> {
    let action = PostAction::parse(&form.action)?;
    moderation::act_on_post(
        state.store(),
        &user.account,
        id,
        action,
        &form.reason,
        now(),
    )
    .await?;
    crate::community::pages::back_to_post(&state, id).await
}

#[derive(Debug, Deserialize)]
pub struct LockForm {
    locked: bool,
    reason: String,
}

/// `POST /moderation/threads/{id}/lock`.
pub async fn lock(
    State(state): State<AppState>,
    Account(user): Account,
    Path(id): Path<i64>,
    Form(form): Form<LockForm>,
) -> Result<Response, WebError> {
    moderation::lock(
        state.store(),
        &user.account,
        id,
        form.locked,
        &form.reason,
        now(),
    )
    .await?;
    Ok(redirect_back(Some(&format!("/threads/{id}"))))
}

#[derive(Debug, Default, Deserialize)]
pub struct LogQuery {
    page: Option<i64>,
}

/// The log as rows of the page.
pub(crate) fn log_rows(lines: &[moderation::LogLine]) -> Vec<LogRow> {
    lines
        .iter()
        .map(|line| {
            let e = &line.entry;
            let at = crate::interviews::time::when(e.at, 0);
            let (target, target_url) = match (e.post, e.thread, &e.member_name) {
                (Some(post), Some(thread), member) => (
                    format!(
                        "post {post}{}",
                        member
                            .as_ref()
                            .map(|m| format!(" by {m}"))
                            .unwrap_or_default()
                    ),
                    Some(format!("/threads/{thread}#post-{post}")),
                ),
                (None, Some(thread), _) => (
                    format!("thread {thread}"),
                    Some(format!("/threads/{thread}")),
                ),
                (_, _, Some(member)) => (
                    match e.until {
                        Some(until) => {
                            format!("{member}, until {}", crate::accounts::own::utc(until))
                        }
                        None => member.clone(),
                    },
                    None,
                ),
                _ => (String::new(), None),
            };
            LogRow {
                when: format!("{}, {} UTC", at.date, at.time),
                iso: at.iso,
                moderator: line.moderator.clone(),
                action: e.action.clone(),
                target,
                target_url,
                reason: e.reason.clone(),
            }
        })
        .collect()
}

/// `GET /moderation/log`: every moderator action, for signed-in members.
pub async fn log(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Query(query): Query<LogQuery>,
) -> Result<Response, WebError> {
    let page = query.page.unwrap_or(1).max(1);
    let lines = moderation::log(state.store(), page).await?;
    Ok(render(&LogPage {
        layout: Layout::new(&state, Some(&session), "Moderation log", "/moderation/log"),
        more: i64::try_from(lines.len()).unwrap_or(0) == moderation::LOG_PER_PAGE,
        rows: log_rows(&lines),
        page,
        moderator: is_moderator(&user.account),
    }))
}

async fn member_page(
    state: &AppState,
    session: &Session,
    moderator: &StoredAccount,
    username: &str,
    error: Option<String>,
) -> Result<MemberPage, WebError> {
    if !is_moderator(moderator) {
        return Err(WebError::Forbidden(
            "only moderators and admins may do this".into(),
        ));
    }
    let key = mastery_app::accounts::names::username_key(username);
    // By username only: the key also finds e-mail addresses, which moderators never see.
    let member = state
        .store()
        .account_by_key(&key)
        .await?
        .filter(|a| a.username_key == key)
        .ok_or_else(|| WebError::NotFound("there is no member with this username".into()))?;
    let suspended = state
        .store()
        .suspension(member.learner)
        .await?
        .filter(|s| s.until > now())
        .map(|s| {
            format!(
                "{} (UTC): {}",
                mastery_app::community::utc(s.until),
                s.reason
            )
        });
    let days = [
        ("1", "1 day"),
        ("3", "3 days"),
        ("7", "a week"),
        ("30", "30 days"),
        ("365", "a year"),
        ("lift", "Lift the suspension"),
    ];
    Ok(MemberPage {
        layout: Layout::new(
            state,
            Some(session),
            member.username.clone(),
            format!("/moderation/members/{username}"),
        ),
        username: member.username,
        role: member.role.to_string(),
        suspended,
        error,
        days: days
            .iter()
            .map(|(value, label)| Choice {
                value: (*value).into(),
                label: (*label).into(),
                selected: *value == "7",
            })
            .collect(),
    })
}

/// `GET /moderation/members/{username}`: suspend or lift a suspension.
pub async fn member(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    Ok(render(
        &member_page(&state, &session, &user.account, &username, None).await?,
    ))
}

#[derive(Debug, Deserialize)]
pub struct SuspendForm {
    days: String,
    reason: String,
}

/// Parses the days of a suspension form (`lift` lifts it).
pub(crate) fn days_of(days: &str) -> Result<Option<u32>, WebError> {
    if days == "lift" {
        return Ok(None);
    }
    days.parse()
        .map(Some)
        .map_err(|_| WebError::BadRequest("days is a number of days or \"lift\"".into()))
}

/// `POST /moderation/members/{username}`.
pub async fn suspend(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Path(username): Path<String>,
    Form(form): Form<SuspendForm>,
) -> Result<Response, WebError> {
    let key = mastery_app::accounts::names::username_key(&username);
    let days = days_of(&form.days)?;
    match moderation::suspend(
        state.store(),
        &user.account,
        &key,
        days,
        &form.reason,
        now(),
    )
    .await
    {
        Ok(()) => Ok(redirect_back(Some("/moderation/log"))),
        Err(AppError::Field { message, .. }) => {
            let page =
                member_page(&state, &session, &user.account, &username, Some(message)).await?;
            Ok(form_with_errors(render(&page)))
        }
        Err(e) => Err(e.into()),
    }
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    settings: CommunitySettings,
    error: Option<String>,
    saved: bool,
) -> CommunitySettingsPage {
    CommunitySettingsPage {
        layout: Layout::new(state, Some(session), "Community", "/admin/community"),
        rules: settings.rules,
        approve_first: settings.approve_first.to_string(),
        new_member_days: settings.new_member_days.to_string(),
        show_moderators: settings.show_moderators,
        error,
        saved,
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct SavedQuery {
    saved: Option<String>,
}

/// `GET /admin/community`.
pub async fn settings(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(_): Admin,
    Query(query): Query<SavedQuery>,
) -> Result<Response, WebError> {
    let settings = CommunitySettings::load(state.store()).await?;
    Ok(render(
        &settings_page(&state, &session, settings, None, query.saved.is_some()).await,
    ))
}

#[derive(Debug, Deserialize)]
pub struct SettingsForm {
    rules: String,
    approve_first: u32,
    new_member_days: u32,
    #[serde(default)]
    show_moderators: Option<String>,
}

/// `POST /admin/community`.
pub async fn save_settings(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(_): Admin,
    Form(form): Form<SettingsForm>,
) -> Result<Response, WebError> {
    let settings = CommunitySettings {
        rules: form.rules,
        approve_first: form.approve_first,
        new_member_days: form.new_member_days,
        show_moderators: form.show_moderators.is_some(),
    };
    match settings.save(state.store()).await {
        Ok(()) => Ok(redirect_back(Some("/admin/community?saved=1"))),
        Err(AppError::Field { message, .. }) => Ok(form_with_errors(render(
            &settings_page(&state, &session, settings, Some(message), false).await,
        ))),
        Err(e) => Err(e.into()),
    }
}
