//! The community of multi-user mode: a discussion under every question, votes, flags,
//! moderation and its public log. The rules live in `mastery_app::community`; this module
//! has the pages and forms (`pages.rs` for readers and members, `moderation.rs` for
//! moderators, the log and the admin's settings, `views.rs` for what they show). On a
//! personal server every route answers 404.

pub(crate) mod moderation;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};

use crate::state::AppState;

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
        .route("/posts/{id}/flag", post(pages::flag))
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
