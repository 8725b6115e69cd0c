//! How errors reach people: every 4xx/5xx a handler or extractor produces becomes the HTML
//! error page or the JSON error body ([`ErrorBody`](crate::error::ErrorBody)), and a form
//! shown again with its mistakes keeps its own page ([`form_with_errors`]).

use askama::Template;
use axum::extract::{Request, State};
use axum::http::header::{CONTENT_TYPE, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorBody, ErrorInfo, code_for};
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::AppState;

/// Marks a page that shows a form again with its mistakes explained: sent with its 4xx
/// status (422) as it is, not replaced by the error page.
#[derive(Debug, Clone, Copy)]
pub(crate) struct FormWithErrors;

/// A form page with mistakes: `page` with status 422, kept as it is by `render_errors`.
pub(crate) fn form_with_errors(mut page: Response) -> Response {
    *page.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    page.extensions_mut().insert(FormWithErrors);
    page
}

/// Middleware: turns every error response into the HTML error page or a JSON error,
/// depending on whether the request was for the API. Extractor rejections (a malformed
/// form or query) arrive here as plain text and leave as the same clear message.
pub(crate) async fn render_errors(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let probe = matches!(request.uri().path(), "/healthz" | "/readyz");
    let session = request.extensions().get::<Session>().cloned();
    let here = crate::security::come_back_to(&request);
    let response = next.run(request).await;
    let status = response.status();
    if probe
        || !(status.is_client_error() || status.is_server_error())
        || response.extensions().get::<FormWithErrors>().is_some()
    {
        return response;
    }
    if status == axum::http::StatusCode::UNAUTHORIZED && !api {
        // A page that needs an account: sign in, then come back.
        return crate::security::sign_in_redirect(here.as_deref());
    }
    let retry_after = response
        .headers()
        .get(axum::http::header::RETRY_AFTER)
        .cloned();
    let info = match response.extensions().get::<ErrorInfo>() {
        Some(info) => info.clone(),
        None => {
            let is_text = response
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.starts_with("text/plain"));
            let message = if is_text && status.is_client_error() {
                let bytes = axum::body::to_bytes(response.into_body(), 4096)
                    .await
                    .unwrap_or_default();
                String::from_utf8_lossy(&bytes).into_owned()
            } else {
                status.canonical_reason().unwrap_or("error").to_owned()
            };
            ErrorInfo {
                status,
                code: code_for(status),
                message,
            }
        }
    };
    let mut rendered = error_response(&state, api, session.as_ref(), &info);
    if let Some(value) = retry_after {
        rendered
            .headers_mut()
            .insert(axum::http::header::RETRY_AFTER, value);
    }
    rendered
}

/// The HTML error page or the JSON error body for `info`.
pub(crate) fn error_response(
    state: &AppState,
    api: bool,
    session: Option<&Session>,
    info: &ErrorInfo,
) -> Response {
    if api {
        return (info.status, axum::Json(ErrorBody::from(info))).into_response();
    }
    let mut page = error_page(state, session, info).into_response();
    *page.status_mut() = info.status;
    page.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    page
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    layout: Layout,
    status: u16,
    heading: String,
    message: String,
}

/// The friendly error page for a status and message.
fn error_page(state: &AppState, session: Option<&Session>, info: &ErrorInfo) -> Response {
    let heading = match info.status.as_u16() {
        404 => "Page not found".to_owned(),
        403 => "Request refused".to_owned(),
        413 => "Too large".to_owned(),
        s if s >= 500 => "Something went wrong".to_owned(),
        _ => "Bad request".to_owned(),
    };
    let page = ErrorPage {
        layout: Layout::new(state, session, heading.clone(), "/"),
        status: info.status.as_u16(),
        heading,
        message: info.message.clone(),
    };
    render(&page)
}
