//! Sessions, CSRF protection and security headers.
//!
//! Every browser gets a random session id in an `HttpOnly`, `SameSite=Strict` cookie. The
//! CSRF token of a session is an HMAC-SHA256 of its id under a key stored in the database
//! (so every instance of a scaled-out deployment accepts the same tokens). Pages embed the
//! token in their forms and in `<meta name="csrf-token">`; every state-changing request —
//! form or API — must carry it, as the `csrf` form field or the `X-CSRF-Token` header.
//! Requests that a browser marks as cross-site (`Sec-Fetch-Site: cross-site`, or an
//! `Origin` that is not this host) are refused before the token is even looked at.
//!
//! In multi-user mode an API request may instead carry a personal access token
//! (`Authorization: Bearer …`): it needs no CSRF token and gets no cookie (see
//! [`with_token`]).

use axum::body::{Body, to_bytes};
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, Request, State};
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use std::sync::Arc;

use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::{SignedIn, access_tokens, two_factor};
use mastery_storage::{Role, StoredSession, TokenScope};

use crate::error::{ErrorInfo, WebError};
use crate::error_page::error_response;
use crate::session::{
    CSRF_HEADER, SECURE_SESSION_COOKIE, SESSION_COOKIE, Session, THEME_COOKIE, cookie,
    csrf_matches, csrf_token, random_hex, valid_session_id,
};
use crate::state::{AppState, now};

/// The largest request body accepted, in bytes.
/// Large enough for a 64 KiB note of non-ASCII text once URL-encoded (up to 9 bytes a
/// character), with room for the other fields.
pub const BODY_LIMIT: usize = 640 * 1024;

/// The largest body of the one route that takes a file: a learner backup restored from
/// the settings page (`POST /settings/data`), sent as `multipart/form-data`. Years of
/// daily reviews fit in a few MiB.
pub const UPLOAD_LIMIT: usize = 16 * 1024 * 1024;

/// The path of that route.
pub const UPLOAD_PATH: &str = "/settings/data";

/// The body limit of a request to `path`.
fn body_limit(path: &str) -> usize {
    if path == UPLOAD_PATH {
        UPLOAD_LIMIT
    } else {
        BODY_LIMIT
    }
}

/// Middleware: attaches a [`Session`], checks CSRF on state-changing requests, and sets
/// the session cookie on the response when the browser had none. In multi-user mode it
/// also finds the signed-in account, and on a private site sends anonymous visitors to
/// the sign-in page.
pub async fn session_and_csrf(
    State(state): State<AppState>,
    request: Request,
    next: Next,
) -> Response {
    let api = request.uri().path().starts_with("/api/");
    let back = come_back_to(&request);
    match check(&state, request).await {
        Ok((request, new_cookie)) => {
            let session = request.extensions().get::<Session>().cloned();
            let mut response = next.run(request).await;
            if let (Some(id), Some(session)) = (new_cookie, session)
                && let Ok(v) = HeaderValue::from_str(&session.set_cookie(&id))
            {
                response.headers_mut().append(header::SET_COOKIE, v);
            }
            response
        }
        Err(WebError::Unauthorized(_)) if !api => sign_in_redirect(back.as_deref()),
        Err(error) => {
            let info = ErrorInfo {
                status: error.status(),
                code: error.code(),
                message: error.to_string(),
            };
            let mut response = error_response(&state, api, None, &info);
            if let WebError::RateLimited {
                retry_after_secs, ..
            } = error
            {
                response
                    .headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from(retry_after_secs));
            }
            response
        }
    }
}

/// Where to come back to after signing in: the page asked for (a GET), or the page a form
/// was posted from (its same-site `Referer`).
pub(crate) fn come_back_to(request: &Request) -> Option<String> {
    if request.method() == Method::GET {
        return request
            .uri()
            .path_and_query()
            .map(|p| p.as_str().to_owned());
    }
    let referer = request.headers().get(header::REFERER)?.to_str().ok()?;
    let host = request.headers().get(header::HOST)?.to_str().ok()?;
    let rest = referer.split_once("://")?.1.strip_prefix(host)?;
    rest.starts_with('/').then(|| rest.to_owned())
}

/// A 303 to the sign-in page that comes back to `next` (a local path) once signed in.
pub(crate) fn sign_in_redirect(next: Option<&str>) -> Response {
    let target = match next.filter(|n| local_path(n) && *n != "/") {
        Some(next) => format!("/sign-in?next={}", percent_encode(next)),
        None => "/sign-in".to_owned(),
    };
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(&target) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

fn percent_encode(text: &str) -> String {
    text.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"/._~-".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// What an anonymous visitor of a private site may still reach.
fn open_on_a_private_site(path: &str) -> bool {
    matches!(
        path,
        "/sign-in"
            | "/sign-in/two-factor"
            | "/sign-in/sso"
            | "/sign-in/sso/callback"
            | "/sign-in/sso/link"
            | "/sign-up"
            | "/api/v1/session"
            | "/forgot-password"
    ) || path.starts_with("/setup/")
        || path.starts_with("/reset-password/")
        || path.starts_with("/account/email/verify/")
        // A team's link says what joining shares before anyone signs in or up.
        || path.starts_with("/teams/join/")
        || path.starts_with("/assets/")
}

/// The client's address and whether it came over TLS: the peer, unless the peer is a
/// trusted proxy, whose `X-Forwarded-For` (the rightmost address it did not add itself)
/// and `X-Forwarded-Proto` are believed.
fn client_of(state: &AppState, parts: &axum::http::request::Parts) -> (Option<IpAddr>, bool) {
    let settings = state.settings();
    let peer = parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    client_from(
        peer,
        &parts.headers,
        &settings.trusted_proxies,
        settings.secure_cookies,
    )
}

/// [`client_of`] on plain values.
fn client_from(
    peer: Option<IpAddr>,
    headers: &HeaderMap,
    trusted_proxies: &[crate::metrics::AllowedNet],
    secure_cookies: bool,
) -> (Option<IpAddr>, bool) {
    let trusted = |ip: &IpAddr| trusted_proxies.iter().any(|n| n.contains(*ip));
    let Some(peer) = peer.filter(|p| trusted(p)) else {
        return (peer, secure_cookies);
    };
    // Walk the hops from the right (the ones our proxies appended): the first that is not
    // a trusted proxy is the client. A hop that is not an address (garbage, `unknown`)
    // ends the walk: nothing left of it can be believed, so the peer counts.
    let hops: Vec<&str> = headers
        .get_all("x-forwarded-for")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .filter(|hop| !hop.is_empty())
        .collect();
    let mut client = None;
    for hop in hops.iter().rev() {
        match forwarded_address(hop) {
            Some(ip) if trusted(&ip) => client = Some(ip),
            Some(ip) => {
                client = Some(ip);
                break;
            }
            None => {
                client = None;
                break;
            }
        }
    }
    let client = client.unwrap_or(peer);
    let tls = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    (Some(client), secure_cookies || tls)
}

/// An address as a proxy writes it in `X-Forwarded-For`: `192.0.2.1`, `192.0.2.1:5678`,
/// `2001:db8::1` or `[2001:db8::1]:443`.
fn forwarded_address(hop: &str) -> Option<IpAddr> {
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(ip);
    }
    if let Ok(with_port) = hop.parse::<SocketAddr>() {
        return Some(with_port.ip());
    }
    hop.strip_prefix('[')
        .and_then(|rest| rest.strip_suffix(']'))
        .and_then(|inner| inner.parse().ok())
}

/// The personal access token of an API request (`Authorization: Bearer …`), in multi-user
/// mode. Elsewhere the header means nothing: pages need a browser session.
fn bearer<'a>(state: &AppState, parts: &'a axum::http::request::Parts) -> Option<&'a str> {
    if !state.multi_user() || !parts.uri.path().starts_with("/api/") {
        return None;
    }
    let value = parts.headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
}

/// A request with a personal access token: its account, no CSRF token (a browser never
/// sends the header by itself), no cookie; a read-only token reads only. Each token is
/// limited on its own, on every instance at once.
async fn with_token(
    state: &AppState,
    mut parts: axum::http::request::Parts,
    body: Body,
    token: &str,
    client: Option<IpAddr>,
    secure: bool,
) -> Result<(Request, Option<String>), WebError> {
    let at = now();
    let Some((token, account, worth_noting)) =
        access_tokens::authenticate(state.store(), token, at).await?
    else {
        return Err(WebError::Unauthorized(
            "this access token is unknown, expired or revoked".into(),
        ));
    };
    state.limits().token(state.store(), token.id, at).await?;
    let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if !safe && token.scope == TokenScope::Read {
        return Err(WebError::Forbidden(
            "this access token may only read: create a read-write token to change anything".into(),
        ));
    }
    let limit = body_limit(parts.uri.path());
    let bytes = to_bytes(body, limit)
        .await
        .map_err(|_| WebError::PayloadTooLarge(limit / 1024))?;
    let signed_in = SignedIn {
        session: StoredSession {
            id_hash: format!("token:{}", token.id),
            learner: account.learner,
            created_at: token.created_at,
            last_seen_at: at,
            device: token.label.clone(),
        },
        account,
        data_revision: None,
    };
    let (user, must_enrol) = enrolled_or_learner(state, signed_in).await?;
    let session = Session {
        csrf: String::new(),
        theme: None,
        fresh: false,
        id: String::new(),
        user: Some(user),
        secure,
        multi_user: true,
        client,
        via_token: Some(token.scope),
        must_enrol,
        unread: 0,
    };
    if worth_noting {
        crate::accounts::activity::note(
            state,
            token.learner,
            EventKind::TokenUsed,
            &session,
            &token.label,
        )
        .await;
    }
    parts.extensions.insert(session);
    Ok((Request::from_parts(parts, Body::from(bytes)), None))
}

/// The signed-in account as requests see it: a moderator or admin whom the site asks to
/// use two factors, and who has not turned them on, acts as a learner (and is told so).
async fn enrolled_or_learner(
    state: &AppState,
    signed_in: SignedIn,
) -> Result<(Arc<SignedIn>, bool), WebError> {
    if signed_in.account.role >= Role::Moderator
        && state.site().await?.staff_two_factor
        && !two_factor::is_on(state.store(), signed_in.account.learner).await?
    {
        let mut learner = signed_in;
        learner.account.role = Role::Learner;
        return Ok((Arc::new(learner), true));
    }
    Ok((Arc::new(signed_in), false))
}

async fn check(state: &AppState, request: Request) -> Result<(Request, Option<String>), WebError> {
    let (mut parts, body) = request.into_parts();
    let (client, secure) = client_of(state, &parts);
    if let Some(token) = bearer(state, &parts).map(str::to_owned) {
        return with_token(state, parts, body, &token, client, secure).await;
    }
    let cookie_name = if secure {
        SECURE_SESSION_COOKIE
    } else {
        SESSION_COOKIE
    };
    let existing = cookie(&parts.headers, cookie_name)
        .filter(|id| valid_session_id(id))
        .map(str::to_owned);
    let (id, new_cookie) = match existing {
        Some(id) => (id, None),
        None => {
            let id = random_hex(16)?;
            (id.clone(), Some(id))
        }
    };
    let signed_in = match state.accounts() {
        Some(accounts) if id.len() == 64 => accounts.session(state.store(), &id, now()).await?,
        _ => None,
    };
    let (user, must_enrol) = match signed_in {
        Some(signed_in) => {
            let (user, must_enrol) = enrolled_or_learner(state, signed_in).await?;
            (Some(user), must_enrol)
        }
        None => (None, false),
    };
    if state.multi_user()
        && user.is_none()
        && !open_on_a_private_site(parts.uri.path())
        && state.site().await?.private
    {
        return Err(WebError::Unauthorized(
            "this site is private: sign in first".into(),
        ));
    }
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
        let limit = body_limit(parts.uri.path());
        let bytes = to_bytes(body, limit)
            .await
            .map_err(|_| WebError::PayloadTooLarge(limit / 1024))?;
        let content_type = parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let sent = match parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()) {
            Some(token) => Some(token.to_owned()),
            None if is_form(&parts.headers) => form_field(&bytes, "csrf"),
            None => crate::multipart::csrf_field(content_type, &bytes),
        };
        match sent {
            Some(token) if new_cookie.is_none() && csrf_matches(&token, &csrf) => {}
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
    // The header's count of unread notifications, for pages only (one indexed count).
    let page = safe
        && !parts.uri.path().starts_with("/api/")
        && !parts.uri.path().starts_with("/assets/")
        && !matches!(parts.uri.path(), "/healthz" | "/readyz" | "/metrics");
    // A failure to count is not worth failing the page for: it shows none.
    let unread = match &user {
        Some(u) if page => mastery_app::notifications::unread(state.store(), &u.account)
            .await
            .unwrap_or_else(|error| {
                tracing::warn!(%error, "could not count unread notifications");
                0
            }),
        _ => 0,
    };
    parts.extensions.insert(Session {
        csrf,
        theme,
        fresh: new_cookie.is_some(),
        id,
        user,
        secure,
        multi_user: state.multi_user(),
        client,
        via_token: None,
        must_enrol,
        unread,
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
    name.parse::<IpAddr>().is_ok()
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

/// Whether `path` is a path of this site (not `//host`, no scheme, plain characters), safe
/// to redirect to.
pub(crate) fn local_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.starts_with("//")
        && path
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || b"/._~#?&=%-".contains(&c))
}

/// The absolute URL of a local `path` on this server, as the browser reached it (the Host
/// header, which the host check has already accepted; https when the session is secure):
/// for links shown to be copied and sent (invitations).
pub(crate) fn absolute_url(session: &Session, headers: &HeaderMap, path: &str) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("localhost");
    let scheme = if session.secure { "https" } else { "http" };
    format!("{scheme}://{host}{path}")
}

/// A 303 redirect to a local path (anything else goes home), for form posts.
pub fn redirect_back(back: Option<&str>) -> Response {
    let target = back.filter(|b| local_path(b)).unwrap_or("/");
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
            crate::session::constant_time_eq("abc", "abc")
                && !crate::session::constant_time_eq("abc", "abd")
                && !crate::session::constant_time_eq("a", "ab")
        );
    }

    #[test]
    fn forwarded_headers_are_believed_only_from_a_trusted_proxy() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let stranger: IpAddr = "198.51.100.9".parse().unwrap();
        let trusted = vec!["10.0.0.0/24".parse::<crate::metrics::AllowedNet>().unwrap()];
        let mut h = HeaderMap::new();
        h.insert(
            "x-forwarded-for",
            HeaderValue::from_static("203.0.113.5, 10.0.0.7"),
        );
        h.insert("x-forwarded-proto", HeaderValue::from_static("https"));
        // From the proxy: the rightmost address it did not add, and TLS.
        assert_eq!(
            client_from(Some(proxy), &h, &trusted, false),
            (Some("203.0.113.5".parse().unwrap()), true)
        );
        // From anyone else: the peer, plain HTTP, whatever it claims.
        assert_eq!(
            client_from(Some(stranger), &h, &trusted, false),
            (Some(stranger), false)
        );
        assert_eq!(
            client_from(Some(stranger), &h, &trusted, true),
            (Some(stranger), true)
        );
        // A spoofed leftmost entry does not win over what the proxy appended.
        let mut spoofed = HeaderMap::new();
        spoofed.insert(
            "x-forwarded-for",
            HeaderValue::from_static("1.2.3.4, 203.0.113.5"),
        );
        assert_eq!(
            client_from(Some(proxy), &spoofed, &trusted, false).0,
            Some("203.0.113.5".parse().unwrap())
        );
    }

    #[test]
    fn forwarded_hops_with_ports_count_and_garbage_ends_the_walk() {
        let proxy: IpAddr = "10.0.0.2".parse().unwrap();
        let trusted = vec!["10.0.0.0/24".parse::<crate::metrics::AllowedNet>().unwrap()];
        let client = |xff: &'static str| {
            let mut h = HeaderMap::new();
            h.insert("x-forwarded-for", HeaderValue::from_static(xff));
            client_from(Some(proxy), &h, &trusted, false).0
        };
        let ip = |s: &str| Some(s.parse::<IpAddr>().unwrap());
        assert_eq!(client("203.0.113.5:51234"), ip("203.0.113.5"));
        assert_eq!(client("[2001:db8::7]:443, 10.0.0.9"), ip("2001:db8::7"));
        assert_eq!(client("[2001:db8::7]"), ip("2001:db8::7"));
        // A spoofed address left of garbage is not believed: the peer counts.
        assert_eq!(client("198.51.100.1, unknown"), ip("10.0.0.2"));
        assert_eq!(client("198.51.100.1, not-an-ip, 10.0.0.9"), ip("10.0.0.2"));
        // Only trusted hops: the leftmost of them.
        assert_eq!(client("10.0.0.8, 10.0.0.9"), ip("10.0.0.8"));
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
