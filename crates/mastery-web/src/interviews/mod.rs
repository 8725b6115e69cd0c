//! Mock interviews: the list with presets and a custom form, the interview page with its
//! countdown, key-point ticks and follow-ups, the report (HTML, print and Markdown), and the
//! interviews API.

pub(crate) mod api;
pub(crate) mod pages;

use axum::Router;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The interview pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    pages::routes()
}

/// The interviews API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    api::router()
}
