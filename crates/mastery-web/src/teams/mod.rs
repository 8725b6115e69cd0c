//! Teams and cohorts (multi-user mode): `pages.rs` (the teams list, a team's page with the
//! coach's view and management or the member's own part, joining with a link), `csv.rs`
//! (the coach's view as CSV), `api.rs` (`/api/v1/teams/...`), `views.rs`. On a personal
//! server every route answers 404.

pub(crate) mod api;
pub(crate) mod csv;
pub(crate) mod pages;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The teams pages and their form posts. Who may use each: a signed-in account (the rules
/// of `mastery_app::teams` decide the rest: 404 for a team one is not in); an admin for
/// creating and deleting teams; anyone for the join page (signing in comes after).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/teams", get(pages::list).post(pages::create))
        .route(
            "/teams/join/{token}",
            get(pages::join_form).post(pages::join),
        )
        .route("/teams/{team}", get(pages::show))
        .route("/teams/{team}/members.csv", get(pages::members_csv))
        .route("/teams/{team}/settings", post(pages::settings))
        .route("/teams/{team}/delete", post(pages::delete))
        .route("/teams/{team}/coaches", post(pages::name_coach))
        .route("/teams/{team}/invite", post(pages::invite))
        .route("/teams/{team}/people/{learner}/remove", post(pages::remove))
        .route("/teams/{team}/links", post(pages::create_link))
        .route(
            "/teams/{team}/links/{link}/revoke",
            post(pages::revoke_link),
        )
        .route("/teams/{team}/accept", post(pages::accept))
        .route("/teams/{team}/sharing", post(pages::sharing))
        .route("/teams/{team}/leave", post(pages::leave))
        .route("/teams/{team}/assignments", post(pages::assign))
        .route(
            "/teams/{team}/assignments/{id}/withdraw",
            post(pages::withdraw),
        )
        .route(
            "/teams/{team}/assignments/{id}/start",
            post(pages::start_assignment),
        )
}

/// The teams API, with its OpenAPI description.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list))
        .routes(routes!(api::cohort_view))
        .routes(routes!(api::standing))
        .routes(routes!(api::put_sharing))
        .routes(routes!(api::assignments))
        .routes(routes!(api::start_assignment))
}
