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
#[derive(Clone)]
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
    /// The request carried a personal access token (`Authorization: Bearer`) of this
    /// scope instead of a session cookie: no CSRF token, no cookie set.
    pub via_token: Option<mastery_storage::TokenScope>,
    /// A moderator or admin whom the site asks to use two factors and who has not turned
    /// them on yet: they act as a learner until they do.
    pub must_enrol: bool,
    /// The signed-in account's unread notifications, for the header (read for pages only;
    /// 0 otherwise).
    pub unread: i64,
}

impl std::fmt::Debug for Session {
    /// Never prints the session id or the CSRF token.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("user", &self.user.as_ref().map(|u| &u.account))
            .field("fresh", &self.fresh)
            .field("secure", &self.secure)
            .field("client", &self.client)
            .field("via_token", &self.via_token)
            .finish_non_exhaustive()
    }
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

/// A MAC of `parts` under `key` for `purpose` (hex): what [`csrf_token`] is for a session,
/// and what signs the proof that a sign-in passed its password step.
pub fn signed(key: &[u8], purpose: &str, parts: &[&str]) -> String {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return String::new();
    };
    mac.update(purpose.as_bytes());
    for part in parts {
        mac.update(b":");
        mac.update(part.as_bytes());
    }
    hex(&mac.finalize().into_bytes())
}

/// The CSRF token as a page carries it: masked afresh for every response (32 random
/// bytes, then the token XOR those bytes, in hex), so that no two compressed pages hold the
/// same secret bytes and a BREACH-style attack, which guesses a secret from response sizes,
/// has nothing stable to guess. [`csrf_matches`] accepts it, and the plain token too (what
/// `GET /api/v1/session` gives API clients). Without randomness the plain token is used.
pub fn masked(token: &str) -> String {
    let Some(bytes) = unhex(token) else {
        return token.to_owned();
    };
    let mut pad = vec![0u8; bytes.len()];
    if getrandom::fill(&mut pad).is_err() {
        return token.to_owned();
    }
    mask_with(&bytes, &pad)
}

/// The token masked with a pad derived from it (the same every time): for the guide page,
/// which is kept finished and sent as the same bytes while nothing changes. That page
/// reflects nothing from the request, so a stable mask gives a size-guessing attack nothing
/// to work with either.
pub fn stably_masked(key: &[u8], token: &str) -> String {
    let Some(bytes) = unhex(token) else {
        return token.to_owned();
    };
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        return token.to_owned();
    };
    mac.update(b"mastery-csrf-pad:");
    mac.update(token.as_bytes());
    let pad = mac.finalize().into_bytes();
    if pad.len() < bytes.len() {
        return token.to_owned();
    }
    mask_with(&bytes, &pad[..bytes.len()])
}

fn mask_with(bytes: &[u8], pad: &[u8]) -> String {
    let xored: Vec<u8> = bytes.iter().zip(pad).map(|(b, p)| b ^ p).collect();
    format!("{}{}", hex(pad), hex(&xored))
}

/// Whether `sent` is this session's CSRF token, plain or [`masked`], compared in time
/// independent of where it differs.
pub(crate) fn csrf_matches(sent: &str, token: &str) -> bool {
    if sent.len() == token.len() * 2
        && let Some(both) = unhex(sent)
    {
        let (pad, xored) = both.split_at(both.len() / 2);
        let unmasked: Vec<u8> = pad.iter().zip(xored).map(|(p, x)| p ^ x).collect();
        return constant_time_eq(&hex(&unmasked), token);
    }
    constant_time_eq(sent, token)
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

pub(crate) use mastery_app::accounts::tokens::constant_time_eq;
use mastery_app::accounts::tokens::hex;

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
    fn masked_tokens_differ_every_time_and_are_accepted() {
        let token = csrf_token(b"k", "session");
        let a = masked(&token);
        let b = masked(&token);
        assert_ne!(a, b);
        assert_eq!(a.len(), 128);
        assert!(csrf_matches(&a, &token) && csrf_matches(&b, &token));
        assert!(csrf_matches(&token, &token), "the plain token still works");
        let stable = stably_masked(b"k", &token);
        assert_eq!(stable, stably_masked(b"k", &token));
        assert!(csrf_matches(&stable, &token));
        let other = csrf_token(b"k", "another session");
        assert!(!csrf_matches(&masked(&other), &token));
        assert!(!csrf_matches(&"z".repeat(128), &token));
        assert!(!csrf_matches("", &token));
    }

    #[test]
    fn tokens_depend_on_key_and_session() {
        let a = csrf_token(b"k1", "s1");
        assert_eq!(a.len(), 64);
        assert_eq!(a, csrf_token(b"k1", "s1"));
        assert_ne!(a, csrf_token(b"k2", "s1"));
        assert_ne!(a, csrf_token(b"k1", "s2"));
    }
}
