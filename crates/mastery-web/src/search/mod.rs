//! Search over every guide: the page and the API share one query ([`query`]); in
//! multi-user mode, the community's discussions too ([`discussions`]).

pub(crate) mod api;
pub(crate) mod discussions;
pub(crate) mod pages;
pub(crate) mod query;

use axum::Router;
use axum::routing::get;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The search page.
pub(crate) fn routes() -> Router<AppState> {
    Router::new().route("/search", get(pages::search))
}

/// The search API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::search))
        .routes(routes!(discussions::search_discussions))
}
