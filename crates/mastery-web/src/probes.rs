//! The probes for load balancers and orchestrators: `/healthz` (the process answers) and
//! `/readyz` (the database answers and its schema is current). They skip the session layer.

use axum::extract::State;
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::response::{IntoResponse, Response};

use crate::state::AppState;

/// `GET /healthz`: the process answers.
pub(crate) async fn healthz() -> &'static str {
    "ok"
}

/// `GET /readyz`: 200 when the database answers and its migrations are current, else 503
/// with the reason (for load balancers and orchestrators; the reason names no secret).
pub(crate) async fn readyz(State(state): State<AppState>) -> Response {
    match state.store().ping().await {
        Ok(()) => (
            axum::http::StatusCode::OK,
            format!(
                "ready: {} database reachable, migrations current\n",
                state.store().backend()
            ),
        )
            .into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "not ready");
            let reason = match e {
                mastery_storage::StorageError::NewerSchema { .. } => {
                    "the database schema is newer than this version"
                }
                mastery_storage::StorageError::Unavailable(_) => "the database is unreachable",
                _ => "the database does not answer as expected",
            };
            let mut response = (
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                format!("not ready: {reason} (details in the server log)\n"),
            )
                .into_response();
            // Not an error page: orchestrators read the plain text.
            response.headers_mut().insert(
                CONTENT_TYPE,
                HeaderValue::from_static("text/plain; charset=utf-8"),
            );
            response
        }
    }
}
