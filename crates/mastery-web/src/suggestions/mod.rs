//! Suggested improvements to the guide (multi-user mode): the form with its preview step
//! and live diff, a suggestion's page (votes, the moderator's decision, rebasing), the
//! lists, and the JSON API. The rules live in `mastery_app::community::suggestions`; on a
//! personal server every route answers 404.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The suggestion pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route(
            "/guides/{guide}/{question}/suggest",
            get(pages::new_form).post(pages::create),
        )
        .route("/suggestions", get(pages::list))
        .route("/suggestions/{id}", get(pages::show))
        .route(
            "/suggestions/{id}/edit",
            get(pages::edit_form).post(pages::edit),
        )
        .route("/suggestions/{id}/vote", post(pages::vote))
        .route("/suggestions/{id}/decide", post(pages::decide))
        .route("/suggestions/{id}/withdraw", post(pages::withdraw))
}

/// The suggestions' part of the JSON API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list, api::create))
        .routes(routes!(api::preview))
        .routes(routes!(api::get_one, api::revise))
        .routes(routes!(api::vote))
        .routes(routes!(api::decide))
        .routes(routes!(api::withdraw))
}
