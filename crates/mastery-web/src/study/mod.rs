//! Spaced-repetition study: the study page and its forms, the readiness page for an
//! interview date, and the study API (queue, reviews, undo, export).

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod params;
pub(crate) mod readiness;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The study pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/study", get(pages::page))
        .route("/study/answer", post(pages::answer))
        .route("/study/undo", post(pages::undo))
        .route("/study/predict", post(pages::predict))
        .route("/study/readiness", get(readiness::readiness))
}

/// The study API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::study_queue))
        .routes(routes!(api::post_review, api::export_reviews))
        .routes(routes!(api::post_undo))
}
