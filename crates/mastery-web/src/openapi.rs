//! The JSON API under `/api/v1`: everything the pages do, described by the OpenAPI
//! document at `/api/v1/openapi.json`. Each feature registers its routes with their
//! documentation (utoipa-axum), so the document cannot drift from the real routes; this
//! module only gathers them under one description.
//!
//! State-changing requests need the `X-CSRF-Token` header: `GET /api/v1/session` returns
//! the token for the session cookie it sets.

use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;
use crate::{guides, interviews, search, session, settings, stats, study};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Mastery API",
        version = "1",
        description = "Everything the Mastery pages do, as JSON. State-changing requests (PUT) must send the `X-CSRF-Token` header with the token from `GET /api/v1/session`, and the session cookie that request set. Errors are `{\"error\": {\"status\", \"code\", \"message\"}}`."
    ),
    tags((name = "guides", description = "Guides and questions"), (name = "learner", description = "Marks and notes"), (name = "session", description = "CSRF token"), (name = "study", description = "Spaced repetition"))
)]
struct ApiDoc;

/// The API routes of every feature, with their OpenAPI description.
pub(crate) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(session::api())
        .merge(guides::api())
        .merge(search::api())
        .merge(study::api())
        .merge(settings::api())
        .merge(stats::api())
        .merge(interviews::api())
}
