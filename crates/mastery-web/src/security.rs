//! Sessions, CSRF protection and security headers.
//!
//! Every browser gets a random session id in an `HttpOnly`, `SameSite=Strict` cookie. The
//! CSRF token of a session is an HMAC-SHA256 of its id under a key stored in the database
//! (so every instance of a scaled-out deployment accepts the same tokens). Pages embed the
//! token in their forms and in `<meta name="csrf-token">`; every state-changing request —
//! form or API — must carry it, as the `csrf` form field or the `X-CSRF-Token` header.
//! Requests that a browser marks as cross-site (`Sec-Fetch-Site: cross-site`, or an
//! `Origin` that is not this host) are refused before the token is even looked at.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::error::{ErrorInfo, WebError};
use crate::error_page::error_response;
use crate::session::{
    CSRF_HEADER, SESSION_COOKIE, Session, THEME_COOKIE, constant_time_eq, cookie, csrf_token,
    random_hex, valid_session_id,
};
use crate::state::AppState;

/// The largest request body accepted, in bytes.
/// Large enough for a 64 KiB note of non-ASCII text once URL-encoded (up to 9 bytes a
/// character), with room for the other fields.
pub const BODY_LIMIT: usize = 640 * 1024;

/// Middleware: attaches a [`Session`], checks CSRF on state-changing requests, and sets
/// the session cookie on the response when the browser had none.
pub async fn session_and_csrf(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    match check(&state, request).await {
        Ok((request, new_cookie)) => {
            let mut response = next.run(request).await;
            if let Some(id) = new_cookie {
                let value = format!(
                    "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict{}",
                    state.cookie_suffix()
                );
                if let Ok(v) = HeaderValue::from_str(&value) {
                    response.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            response
        }
        Err(error) => {
            let info = ErrorInfo {
                status: error.status(),
                code: error.code(),
                message: error.to_string(),
            };
            error_response(&state, api, None, &info)
        }
    }
}

async fn check(state: &AppState, request: Request) -> Result<(Request, Option<String>), WebError> {
    let (mut parts, body) = request.into_parts();
    let existing = cookie(&parts.headers, SESSION_COOKIE)
        .filter(|id| valid_session_id(id))
        .map(str::to_owned);
    let (id, new_cookie) = match existing {
        Some(id) => (id, None),
        None => {
            let id = random_hex(16)?;
            (id.clone(), Some(id))
        }
    };
    let theme = match cookie(&parts.headers, THEME_COOKIE) {
        Some("dark") => Some("dark"),
        Some("light") => Some("light"),
        _ => None,
    };
    let csrf = csrf_token(state.csrf_key(), &id);
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let body = if safe {
        body
    } else {
        refuse_cross_site(&parts.headers)?;
        let bytes = to_bytes(body, BODY_LIMIT)
            .await
            .map_err(|_| WebError::PayloadTooLarge(BODY_LIMIT / 1024))?;
        let sent = match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(token) => Some(token.to_owned()),
            None if is_form(&parts.headers) => form_field(&bytes, "csrf"),
            None => None,
        };
        match sent {
            Some(token) if new_cookie.is_none() && constant_time_eq(&token, &csrf) => {}
            Some(_) if new_cookie.is_some() => {
                return Err(WebError::Forbidden(
                    "your session cookie is missing (cookies may be blocked); reload the page and try again".into(),
                ));
            }
            Some(_) => {
                return Err(WebError::Forbidden(
                    "the CSRF token does not match this session; reload the page and try again"
                        .into(),
                ));
            }
            None => {
                return Err(WebError::Forbidden(
                    "missing CSRF token: send the `csrf` form field or the `X-CSRF-Token` header (GET /api/v1/session gives one)"
                        .into(),
                ));
            }
        }
        Body::from(bytes)
    };
    parts.extensions.insert(Session {
        csrf,
        theme,
        fresh: new_cookie.is_some(),
    });
    Ok((Request::from_parts(parts, body), new_cookie))
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &[u8], name: &str) -> Option<String> {
    serde_urlencoded_field(body, name)
}

/// Finds one field of an `application/x-www-form-urlencoded` body.
fn serde_urlencoded_field(body: &[u8], name: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    text.split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}

fn refuse_cross_site(headers: &HeaderMap) -> Result<(), WebError> {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) == Some("cross-site") {
        return Err(WebError::Forbidden(
            "cross-site requests are not allowed".into(),
        ));
    }
    if let (Some(origin), Some(host)) = (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        headers.get(header::HOST).and_then(|v| v.to_str().ok()),
    ) {
        let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
        if origin != "null" && origin_host != host {
            return Err(WebError::Forbidden(
                "requests from other origins are not allowed".into(),
            ));
        }
    }
    Ok(())
}

/// Whether a `Host` header names this server: an IP literal (a rebinding attack needs a
/// domain name it controls), `localhost`, or a name the operator allowed.
pub fn host_allowed(host: &str, allowed: &[String]) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:8080
        return rest
            .split(']')
            .next()
            .is_some_and(|ip| ip.parse::<std::net::Ipv6Addr>().is_ok());
    } else {
        host.rsplit_once(':').map_or(host, |(name, port)| {
            if port.bytes().all(|b| b.is_ascii_digit()) {
                name
            } else {
                host
            }
        })
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name.parse::<std::net::IpAddr>().is_ok()
        || name == "localhost"
        || allowed.iter().any(|a| a.eq_ignore_ascii_case(&name))
}

/// Middleware (outermost): refuses requests whose `Host` is not this server, so a web page
/// that rebinds its own domain name to 127.0.0.1 (DNS rebinding) cannot reach a personal
/// Mastery through the learner's browser.
pub async fn check_host(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_owned()));
    match host {
        Some(h) if host_allowed(&h, &state.settings().allowed_hosts) => next.run(request).await,
        _ => (
            StatusCode::MISDIRECTED_REQUEST,
            "this Mastery does not answer to that host name; start it with --allowed-host NAME to allow it\n",
        )
            .into_response(),
    }
}

/// The Content-Security-Policy of every response: no inline script or style, nothing
/// from other origins, no framing.
pub const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/// Middleware: security headers on every response.
pub async fn headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "cross-origin-opener-policy",
        HeaderValue::from_static("same-origin"),
    );
    h.insert(
        "permissions-policy",
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    response
}

/// A 303 redirect to a local path (anything else goes home), for form posts.
pub fn redirect_back(back: Option<&str>) -> Response {
    let safe = |b: &&str| {
        b.starts_with('/')
            && !b.starts_with("//")
            && b.bytes()
                .all(|c| c.is_ascii_alphanumeric() || b"/._~#?&=%-".contains(&c))
    };
    let target = back.filter(safe).unwrap_or("/");
    let mut response = StatusCode::SEE_OTHER.into_response();
    let value = HeaderValue::from_str(target).unwrap_or(HeaderValue::from_static("/"));
    response.headers_mut().insert(header::LOCATION, value);
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn cookies_and_forms_are_parsed() {
        let mut h = HeaderMap::new();
        h.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; mastery_session=abc; b=2"),
        );
        assert_eq!(cookie(&h, SESSION_COOKIE), Some("abc"));
        assert_eq!(
            form_field(b"x=1&csrf=tok&y=2", "csrf").as_deref(),
            Some("tok")
        );
        assert!(
            constant_time_eq("abc", "abc")
                && !constant_time_eq("abc", "abd")
                && !constant_time_eq("a", "ab")
        );
    }

    #[test]
    fn redirects_stay_on_this_site() {
        let loc = |b| {
            redirect_back(Some(b))
                .headers()
                .get(header::LOCATION)
                .unwrap()
                .to_str()
                .unwrap()
                .to_owned()
        };
        assert_eq!(loc("/guides/x#q"), "/guides/x#q");
        assert_eq!(loc("//evil.example"), "/");
        assert_eq!(loc("https://evil.example"), "/");
        assert_eq!(loc("/\t/evil.example"), "/");
        assert_eq!(loc("/caf\u{e9}"), "/");
    }

    #[test]
    fn only_this_server_s_host_names_are_answered() {
        let allowed = vec!["mastery.example.org".to_owned()];
        for ok in [
            "127.0.0.1:8080",
            "localhost:8080",
            "LOCALHOST",
            "[::1]:8080",
            "10.0.0.5",
            "mastery.example.org:443",
        ] {
            assert!(host_allowed(ok, &allowed), "{ok}");
        }
        for bad in [
            "evil.example:8080",
            "evil.example",
            "localhost.evil.example",
            "[evil]:80",
            "127.0.0.1.nip.io",
        ] {
            assert!(!host_allowed(bad, &allowed), "{bad}");
        }
    }
}
