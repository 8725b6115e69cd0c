//! The web layer's one error type and its policy.
//!
//! **Policy.** Handlers return [`WebError`]. Each variant maps to one HTTP status and one
//! message that is safe to show anyone; the cause of a server-side failure (a storage
//! error, an I/O error) is logged with `tracing` at `error` level and never sent to the
//! client. API routes (`/api/...`) answer with JSON `{"error": {"status", "code",
//! "message"}}`; pages answer with the HTML error page. Nothing panics in front of a user:
//! extractor rejections are mapped here too, with a clear 4xx message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use mastery_storage::StorageError;
use serde::Serialize;
use utoipa::ToSchema;

/// An error a request ends with.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No such page, guide or question.
    #[error("{0}")]
    NotFound(String),
    /// The request is malformed; the message says how.
    #[error("{0}")]
    BadRequest(String),
    /// The request needs a signed-in account (multi-user mode), or the credentials given
    /// are wrong. Pages answer with a redirect to the sign-in page, the API with 401.
    #[error("{0}")]
    Unauthorized(String),
    /// A missing or wrong CSRF token, a cross-site request, or a role that may not do this.
    #[error("{0}")]
    Forbidden(String),
    /// The state changed since the page was shown (another tab rated the same card).
    #[error("{0}")]
    Conflict(String),
    /// Too many attempts from this address (sign-in, sign-up): wait and try again.
    #[error("{0}")]
    TooManyRequests(String),
    /// A limit per action was reached: the response says when to retry (`Retry-After`).
    #[error("{message}")]
    RateLimited {
        /// What was limited, in words.
        message: String,
        /// Seconds until one more is allowed.
        retry_after_secs: u64,
    },
    /// The body is larger than the limit.
    #[error("the request body is too large (the limit is {0} KiB)")]
    PayloadTooLarge(usize),
    /// The body has the wrong content type.
    #[error("{0}")]
    UnsupportedMediaType(String),
    /// The database cannot be reached; retrying later may work.
    #[error("the service is temporarily unavailable; try again in a moment")]
    Unavailable(#[source] StorageError),
    /// A server this one depends on (a single sign-on provider) failed; the message is safe.
    #[error("{0}")]
    BadGateway(String),
    /// Anything else: logged, shown as a generic message.
    #[error("something went wrong on our side; the error was logged")]
    Internal(#[source] anyhow::Error),
}

impl WebError {
    /// The HTTP status.
    pub fn status(&self) -> StatusCode {
        match self {
            WebError::NotFound(_) => StatusCode::NOT_FOUND,
            WebError::BadRequest(_) => StatusCode::BAD_REQUEST,
            WebError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            WebError::Forbidden(_) => StatusCode::FORBIDDEN,
            WebError::Conflict(_) => StatusCode::CONFLICT,
            WebError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            WebError::TooManyRequests(_) | WebError::RateLimited { .. } => {
                StatusCode::TOO_MANY_REQUESTS
            }
            WebError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            WebError::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
            WebError::BadGateway(_) => StatusCode::BAD_GATEWAY,
            WebError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// A short machine-readable code for API clients (see [`code_for`]).
    pub fn code(&self) -> &'static str {
        code_for(self.status())
    }

    fn log(&self) {
        match self {
            WebError::Unavailable(cause) => tracing::warn!(error = %cause, "database unavailable"),
            WebError::Internal(cause) => tracing::error!(error = ?cause, "request failed"),
            _ => {}
        }
    }
}

/// The machine-readable code of an error status, the same for a handler's [`WebError`] and
/// for a rejection an extractor answers in plain text (a 415 or 422 of axum's `Json`).
pub(crate) fn code_for(status: StatusCode) -> &'static str {
    match status {
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::CONFLICT => "conflict",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable_entity",
        StatusCode::SERVICE_UNAVAILABLE => "unavailable",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    }
}

impl From<mastery_app::AppError> for WebError {
    fn from(error: mastery_app::AppError) -> Self {
        use mastery_app::AppError;
        match error {
            AppError::Busy => WebError::TooManyRequests(AppError::Busy.to_string()),
            AppError::TooMany {
                message,
                retry_after_secs,
            } => WebError::RateLimited {
                message,
                retry_after_secs,
            },
            AppError::NotFound(m) => WebError::NotFound(m),
            AppError::Invalid(m) => WebError::BadRequest(m),
            AppError::Conflict(m) => WebError::Conflict(m),
            AppError::Field { message, .. } => WebError::BadRequest(message),
            AppError::SignIn(m) => WebError::Unauthorized(m),
            AppError::Forbidden(m) => WebError::Forbidden(m),
            AppError::TooLarge { limit_kib } => WebError::PayloadTooLarge(limit_kib),
            AppError::Settings(e) => WebError::BadRequest(format!("invalid study settings: {e}")),
            AppError::Schedule(e) => WebError::Internal(e.into()),
            AppError::Storage(e) => e.into(),
        }
    }
}

impl From<StorageError> for WebError {
    fn from(error: StorageError) -> Self {
        match error {
            StorageError::Invalid(message) => WebError::BadRequest(message),
            StorageError::Conflict | StorageError::Taken(_) => {
                WebError::Conflict(error.to_string())
            }
            StorageError::Unavailable(_) => WebError::Unavailable(error),
            other => WebError::Internal(other.into()),
        }
    }
}

/// Marks a response as an error that the error-page layer should dress as HTML or JSON.
/// Handlers return `WebError`; this carries it through the response to `render_errors`.
#[derive(Debug, Clone)]
pub struct ErrorInfo {
    /// Status code.
    pub status: StatusCode,
    /// Machine-readable code.
    pub code: &'static str,
    /// Safe message.
    pub message: String,
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let info = ErrorInfo {
            status: self.status(),
            code: self.code(),
            message: self.to_string(),
        };
        let mut response = (info.status, info.message.clone()).into_response();
        if let WebError::RateLimited {
            retry_after_secs, ..
        } = &self
        {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from(*retry_after_secs),
            );
        }
        response.extensions_mut().insert(info);
        response
    }
}

/// The body of every API error: `{"error": {"status", "code", "message"}}`. This is the type
/// the OpenAPI document describes and the type the server serialises.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    error: ErrorDetail,
}

/// What went wrong.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// The HTTP status, repeated.
    status: u16,
    /// A machine-readable code that follows the status: `bad_request` (400), `forbidden`
    /// (403), `not_found` (404), `conflict` (409), `payload_too_large` (413),
    /// `unsupported_media_type` (415), `unprocessable_entity` (422), `internal` (500),
    /// `unavailable` (503).
    code: String,
    /// A message safe to show the person.
    message: String,
}

impl From<&ErrorInfo> for ErrorBody {
    fn from(info: &ErrorInfo) -> Self {
        Self {
            error: ErrorDetail {
                status: info.status.as_u16(),
                code: info.code.to_owned(),
                message: info.message.clone(),
            },
        }
    }
}
