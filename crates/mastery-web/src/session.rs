//! The session of a browser or API client: a random id in an `HttpOnly` cookie, and its
//! CSRF token, an HMAC-SHA256 of the id under a key stored in the database (so every
//! instance of a scaled-out deployment accepts the same tokens). The middleware that
//! attaches a [`Session`] to each request and checks the token is in `security.rs`.
//!
//! Personal mode: the id is 32 random hex digits with nothing stored behind it, and the
//! cookie is `SameSite=Strict`. Multi-user mode: a visitor who has not signed in has such
//! an id too (so the sign-in form has a CSRF token); signing in replaces it with a 64-digit
//! session token whose SHA-256 digest is stored in the database (every instance knows it,
//! and ending it ends it everywhere). The cookie is then `SameSite=Lax`: a link followed
//! from a chat or an e-mail opens the page signed in (with `Strict` the browser would send
//! no cookie on that first request, and the page would look signed out); writes stay safe
//! because each one needs the CSRF token and a same-origin `Origin`. Over HTTPS (or when
//! a trusted proxy says the request came over TLS) the cookie is `Secure` and named with the
//! `__Host-` prefix, which browsers accept only from a secure origin, without `Domain`, for
//! the whole site.

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

/// The session cookie over plain HTTP.
pub const SESSION_COOKIE: &str = "mastery_session";
/// The session cookie over HTTPS.
pub const SECURE_SESSION_COOKIE: &str = "__Host-mastery_session";
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
    /// The session id in the cookie (a signed-in session's token, in multi-user mode).
    pub id: String,
    /// The signed-in account (multi-user mode).
    pub user: Option<std::sync::Arc<mastery_app::accounts::SignedIn>>,
    /// Whether the request came over HTTPS (cookies get `Secure` and `__Host-`).
    pub secure: bool,
    /// Whether the server is multi-user (the cookie is `SameSite=Lax`).
    pub multi_user: bool,
    /// The client's address (the peer, or what a trusted proxy says).
    pub client: Option<std::net::IpAddr>,
}

impl Session {
    /// The name of the session cookie for this request.
    pub fn cookie_name(&self) -> &'static str {
        if self.secure {
            SECURE_SESSION_COOKIE
        } else {
            SESSION_COOKIE
        }
    }

    /// The attributes every cookie of this request gets after `Path=/`: `HttpOnly`, the
    /// `SameSite` of the mode, `Secure` over HTTPS.
    pub fn cookie_attributes(&self) -> &'static str {
        match (self.multi_user, self.secure) {
            (false, false) => "; HttpOnly; SameSite=Strict",
            (false, true) => "; HttpOnly; SameSite=Strict; Secure",
            (true, false) => "; HttpOnly; SameSite=Lax",
            (true, true) => "; HttpOnly; SameSite=Lax; Secure",
        }
    }

    /// A `Set-Cookie` value that sets the session cookie to `id`.
    pub fn set_cookie(&self, id: &str) -> String {
        format!(
            "{}={id}; Path=/{}",
            self.cookie_name(),
            self.cookie_attributes()
        )
    }

    /// The signed-in learner, if any.
    pub fn learner(&self) -> Option<mastery_storage::LearnerId> {
        self.user.as_ref().map(|u| u.account.learner)
    }
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

/// An anonymous session id (32 hex digits) or a signed-in session token (64).
pub(crate) fn valid_session_id(id: &str) -> bool {
    (id.len() == 32 || id.len() == 64) && id.bytes().all(|b| b.is_ascii_hexdigit())
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
