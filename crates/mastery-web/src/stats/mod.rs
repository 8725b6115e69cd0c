//! Study statistics: the stats page with its SVG charts and tables, and the same figures
//! as JSON.

pub(crate) mod api;
pub(crate) mod pages;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The stats page.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/stats", get(pages::page))
}

/// The stats API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(api::study_stats))
}
