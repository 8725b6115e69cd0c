//! Mock interviews: the interviews page with presets, a custom form, the history and its
//! trend; the page of one interview with its countdown, key-point ticks and follow-ups; the
//! report (HTML, print and Markdown); and the interviews API.
//!
//! Everything works as plain forms and links; `assets/app.js` only ticks the countdown
//! (submitting what was typed when time is up), saves ticks without a reload, submits on
//! Ctrl+Enter and prints. The state machine lives in `mastery_study::interview`, the loading
//! and saving (with optimistic revisions) in `mastery_app::interview`; this module only
//! shows it.

mod api;
mod custom_form;
mod dto;
mod highlight;
mod index;
mod question;
mod report;
pub(crate) mod shared;
pub(crate) mod time;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;

use crate::state::AppState;

/// The interview pages and form posts.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/interviews", get(index::index).post(index::start))
        .route("/interviews/{id}", get(question::show))
        .route("/interviews/{id}/answer", post(question::answer))
        .route("/interviews/{id}/correct", post(question::correct))
        .route("/interviews/{id}/next", post(question::next))
        .route("/interviews/{id}/finish", post(question::finish))
        .route("/interviews/{id}/report", get(report::report))
        .route("/interviews/{id}/report.md", get(report::report_markdown))
}

/// The interviews API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    api::router()
}
