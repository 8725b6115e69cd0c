//! The session of a browser or API client: a random id in an `HttpOnly`, `SameSite=Strict`
//! cookie, and its CSRF token, an HMAC-SHA256 of the id under a key stored in the database
//! (so every instance of a scaled-out deployment accepts the same tokens). The middleware
//! that attaches a [`Session`] to each request and checks the token is in `security.rs`.

use axum::Extension;
use axum::Json;
use axum::http::header::{self, HeaderMap};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::error::WebError;
use crate::state::AppState;

/// The session cookie.
pub const SESSION_COOKIE: &str = "mastery_session";
/// The theme cookie (`light`, `dark`; absent means "follow the system").
pub const THEME_COOKIE: &str = "mastery_theme";
/// The header API clients send the token in.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The session of the current request, with its CSRF token.
#[derive(Debug, Clone)]
pub struct Session {
    /// The CSRF token for this session.
    pub csrf: String,
    /// The theme the browser chose, if any.
    pub theme: Option<&'static str>,
    /// Whether the session begins with this request (the browser sent no session cookie).
    pub fresh: bool,
}

/// Random bytes as lowercase hex.
pub fn random_hex(bytes: usize) -> Result<String, WebError> {
    let mut buf = vec![0u8; bytes];
    getrandom::fill(&mut buf)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok(hex(&buf))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The CSRF token of a session.
pub fn csrf_token(key: &[u8], session: &str) -> String {
    // HMAC accepts keys of any length, so this never fails.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(b"mastery-csrf:");
    mac.update(session.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// Compares two strings in time independent of where they differ.
pub(crate) fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// Reads one cookie from the request headers.
pub fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub(crate) fn valid_session_id(id: &str) -> bool {
    id.len() == 32 && id.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The CSRF token of this session, for API clients.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionInfo {
    /// Send this as `X-CSRF-Token` on PUT requests, with the session cookie.
    csrf_token: String,
}

/// The CSRF token of this session (the response sets the session cookie if needed).
#[utoipa::path(get, path = "/api/v1/session", tag = "session", operation_id = crate::openapi::op::SESSION,
    responses((status = 200, body = SessionInfo, description = "The token (and the session cookie, for a new session)")))]
async fn session(Extension(session): Extension<Session>) -> Json<SessionInfo> {
    Json(SessionInfo {
        csrf_token: session.csrf,
    })
}

/// The session API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(session))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_depend_on_key_and_session() {
        let a = csrf_token(b"k1", "s1");
        assert_eq!(a.len(), 64);
        assert_eq!(a, csrf_token(b"k1", "s1"));
        assert_ne!(a, csrf_token(b"k2", "s1"));
        assert_ne!(a, csrf_token(b"k1", "s2"));
    }
}
