//! The community of multi-user mode: a discussion under every question, votes, flags,
//! moderation and its public log. The rules live in `mastery_app::community`; this module
//! has the pages and forms (`pages.rs` for readers and members, `moderation.rs` for
//! moderators, the log and the admin's settings, `views.rs` for what they show) and the
//! JSON API (`api.rs`). On a personal server every route answers 404.

pub(crate) mod api;
pub(crate) mod moderation;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// Threads everyone sees per question of a guide, for links to the discussion from the
/// study card and the interview report; None on a personal server.
pub(crate) async fn thread_counts(
    state: &AppState,
    guide: &str,
) -> Result<Option<std::collections::HashMap<String, i64>>, crate::error::WebError> {
    if !state.multi_user() {
        return Ok(None);
    }
    Ok(Some(
        mastery_app::community::discussion::thread_counts(state.store(), guide).await?,
    ))
}

/// The text of a link to a question's discussion.
pub(crate) fn discussion_label(
    counts: Option<&std::collections::HashMap<String, i64>>,
    question: &str,
) -> Option<String> {
    let n = *counts?.get(question).unwrap_or(&0);
    Some(match n {
        0 => "Discuss it".to_owned(),
        1 => "Discussion (1 thread)".to_owned(),
        n => format!("Discussion ({n} threads)"),
    })
}

/// A question page's path.
pub(crate) fn question_url(guide: &str, question: &str) -> String {
    format!("/guides/{guide}/{question}")
}

/// The community's pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/guides/{guide}/{question}/threads",
            post(pages::start_thread),
        )
        .route("/threads/{id}", get(pages::thread))
        .route("/threads/{id}/posts", post(pages::reply))
        .route("/posts/{id}/edit", get(pages::edit_form).post(pages::edit))
        .route("/posts/{id}/delete", post(pages::delete))
        .route("/posts/{id}/history", get(pages::history))
        .route("/posts/{id}/vote", post(pages::vote))
        .route("/posts/{id}/flag", get(pages::flag_form).post(pages::flag))
        .route("/moderation", get(moderation::queue))
        .route("/moderation/posts/{id}", post(moderation::act_on_post))
        .route("/moderation/threads/{id}/lock", post(moderation::lock))
        .route("/moderation/log", get(moderation::log))
        .route(
            "/moderation/members/{username}",
            get(moderation::member).post(moderation::suspend),
        )
        .route(
            "/admin/community",
            get(moderation::settings).post(moderation::save_settings),
        )
}

/// The community's part of the JSON API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_threads, api::create_thread))
        .routes(routes!(api::get_thread))
        .routes(routes!(api::reply))
        .routes(routes!(api::edit_post, api::delete_post))
        .routes(routes!(api::post_history))
        .routes(routes!(api::vote))
        .routes(routes!(api::flag))
        .routes(routes!(api::rules))
        .routes(routes!(api::queue))
        .routes(routes!(api::act_on_post))
        .routes(routes!(api::lock))
        .routes(routes!(api::suspend))
        .routes(routes!(api::log))
}
