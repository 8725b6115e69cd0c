//! Settings: the settings page (theme, study settings, interview date, personal
//! parameters, backing up and restoring the learner's data, forgetting what the guides
//! lost) and the study settings API.

pub(crate) mod api;
pub(crate) mod backup;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The settings page and its form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/settings", get(pages::settings))
        .route("/settings/study", post(pages::save))
        .route("/settings/optimize", post(pages::optimize))
        .route("/settings/theme", post(pages::theme))
        .route("/settings/forget", post(pages::forget))
        .route("/settings/data.json", get(backup::download))
        .route(
            crate::security::UPLOAD_PATH,
            post(backup::upload).layer(DefaultBodyLimit::max(crate::security::UPLOAD_LIMIT)),
        )
}

/// The study settings API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_study_settings, api::put_study_settings))
}
