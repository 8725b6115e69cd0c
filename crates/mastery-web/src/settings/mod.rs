//! Settings: the settings page (theme, study settings, interview date, personal
//! parameters, forgetting what the guides lost) and the study settings API.

pub(crate) mod api;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
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
}

/// The study settings API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::get_study_settings, api::put_study_settings))
}
