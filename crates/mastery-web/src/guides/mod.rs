//! Guides and questions: the home page, a guide's page, a question's page, ticking a
//! question as mastered and the learner's note on it, as pages and as the JSON API.

pub(crate) mod api;
pub(crate) mod lookup;
pub(crate) mod marks;
pub(crate) mod notes;
pub(crate) mod page_cache;
pub(crate) mod pages;
pub(crate) mod prerender;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(pages::home))
        .route("/guides/{guide}", get(pages::guide))
        .route("/guides/{guide}/anki.apkg", get(pages::anki_package))
        .route("/guides/{guide}/{question}", get(pages::question))
        .route("/guides/{guide}/{question}/mark", post(marks::mark))
        .route("/guides/{guide}/{question}/note", post(notes::note))
}

/// The JSON API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::list_guides))
        .routes(routes!(api::get_guide))
        .routes(routes!(api::get_question))
        .routes(routes!(marks::put_mark))
        .routes(routes!(notes::get_note, notes::put_note))
}
