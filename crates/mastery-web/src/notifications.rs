//! Notifications (multi-user mode): the page that lists them, the form that marks them
//! read (the page's script sends it once the page is shown; without it, a button), and the
//! JSON feed. The header's unread count is read with the session (`security.rs`). On a
//! personal server every route answers 404.

use axum::extract::Form;
use axum::extract::{Query, State};
use axum::response::Response;
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use mastery_app::notifications::{self, NOTIFICATIONS_PER_PAGE};
use mastery_storage::Notification;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::Account;
use crate::error::{ErrorBody, WebError};
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};
use crate::suggestions::views::{NotificationRow, NotificationsPage};

/// The notifications page.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/notifications", get(page))
        .route("/notifications/read", post(read_form))
}

/// The notifications' part of the JSON API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(feed))
        .routes(routes!(mark_read))
}

/// `?before=N`: older than notification N.
#[derive(Debug, Default, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BeforeQuery {
    /// Only notifications numbered below this one (the next page).
    #[param(minimum = 1)]
    before: Option<i64>,
}

/// `GET /notifications`: the newest first (reading them marks nothing: the page's form
/// does, see [`read_form`]).
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Query(query): Query<BeforeQuery>,
) -> Result<Response, WebError> {
    let list = notifications::list(state.store(), &user.account, query.before).await?;
    let older = (list.len() as i64 >= NOTIFICATIONS_PER_PAGE)
        .then(|| {
            list.last()
                .map(|n| format!("/notifications?before={}", n.id))
        })
        .flatten();
    let rows = list
        .iter()
        .map(|n| {
            let at = crate::interviews::time::when(n.created_at, 0);
            NotificationRow {
                text: n.text.clone(),
                link: n.link.clone(),
                when: format!("{} {}", at.date, at.time),
                iso: at.iso,
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    let unread_shown = list.iter().find(|n| n.read_at.is_none()).map(|n| n.id);
    Ok(render(&NotificationsPage {
        layout: Layout::new(&state, Some(&session), "Notifications", "/notifications"),
        rows,
        older,
        read_up_to: unread_shown,
    }))
}

#[derive(Debug, Deserialize)]
pub struct ReadForm {
    up_to: i64,
}

/// `POST /notifications/read`: marks the notifications shown (up to `up_to`) read.
pub async fn read_form(
    State(state): State<AppState>,
    Account(user): Account,
    Form(form): Form<ReadForm>,
) -> Result<Response, WebError> {
    notifications::mark_read(state.store(), &user.account, form.up_to, now()).await?;
    Ok(crate::security::redirect_back(Some("/notifications")))
}

/// A notification.
#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    id: i64,
    /// `reply`, `suggestion`, `flag` or `moderation`.
    kind: String,
    /// What happened, in one sentence.
    text: String,
    /// The page that shows it (a path of this site).
    link: String,
    /// ms since the Unix epoch.
    created_at: i64,
    /// When it was marked read (ms since the Unix epoch).
    read_at: Option<i64>,
}

impl From<&Notification> for NotificationDto {
    fn from(n: &Notification) -> Self {
        Self {
            id: n.id,
            kind: n.kind.clone(),
            text: n.text.clone(),
            link: n.link.clone(),
            created_at: n.created_at,
            read_at: n.read_at,
        }
    }
}

/// The feed: how many are unread and a page of notifications, newest first.
#[derive(Debug, Serialize, ToSchema)]
pub struct FeedDto {
    unread: i64,
    notifications: Vec<NotificationDto>,
}

/// One's notifications, newest first (50 per page); reading them marks nothing.
#[utoipa::path(get, path = "/api/v1/notifications", operation_id = "list_notifications", tag = "account", params(BeforeQuery),
    responses((status = 200, body = FeedDto, description = "The unread count and a page"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn feed(
    State(state): State<AppState>,
    Account(user): Account,
    Query(query): Query<BeforeQuery>,
) -> Result<Json<FeedDto>, WebError> {
    let list = notifications::list(state.store(), &user.account, query.before).await?;
    let unread = notifications::unread(state.store(), &user.account).await?;
    Ok(Json(FeedDto {
        unread,
        notifications: list.iter().map(NotificationDto::from).collect(),
    }))
}

/// Up to which notification to mark read.
#[derive(Debug, Deserialize, ToSchema)]
pub struct ReadBody {
    /// The newest notification seen: it and every older one are marked read.
    #[schema(minimum = 1)]
    up_to: i64,
}

/// The unread count after marking.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnreadDto {
    unread: i64,
}

/// Marks one's notifications read, up to `up_to`.
#[utoipa::path(post, path = "/api/v1/notifications/read", operation_id = "read_notifications", tag = "account",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = ReadBody,
    responses((status = 200, body = UnreadDto, description = "How many are still unread"),
        (status = 403, body = ErrorBody, description = "A CSRF failure"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
pub(crate) async fn mark_read(
    State(state): State<AppState>,
    Account(user): Account,
    Json(body): Json<ReadBody>,
) -> Result<Json<UnreadDto>, WebError> {
    notifications::mark_read(state.store(), &user.account, body.up_to, now()).await?;
    let unread = notifications::unread(state.store(), &user.account).await?;
    Ok(Json(UnreadDto { unread }))
}
