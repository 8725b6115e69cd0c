//! Device cookies (OWASP's answer to lock-outs by strangers): a browser that signed in to
//! an account keeps a cookie naming that account, `LEARNER.ID.MAC` (a MAC under the site's
//! key, the one the CSRF tokens use, so every instance checks it). When that browser signs
//! in to that account again, its attempts count against the cookie's own back-off instead
//! of the account's, so someone guessing at the account from elsewhere slows down only
//! themselves. The cookie proves nothing else: the password (and the second factor) are
//! still asked for, and the address's limit still applies.

use axum::http::HeaderMap;
use mastery_storage::LearnerId;

use crate::session::{Session, constant_time_eq, cookie, random_hex, signed};
use crate::state::AppState;

/// The cookie's name over plain HTTP and over HTTPS (`__Host-`: this host, `Path=/`, Secure).
const DEVICE_COOKIE: &str = "mastery_device";
const SECURE_DEVICE_COOKIE: &str = "__Host-mastery_device";

/// How long a browser stays known without signing in (400 days, the most browsers keep).
const KEEP_SECS: u64 = 400 * 24 * 3600;

fn mac(state: &AppState, learner: LearnerId, id: &str) -> String {
    signed(
        state.csrf_key(),
        "mastery-device",
        &[&learner.0.to_string(), id],
    )
}

fn name(session: &Session) -> &'static str {
    if session.secure {
        SECURE_DEVICE_COOKIE
    } else {
        DEVICE_COOKIE
    }
}

/// The `Set-Cookie` value that makes this browser known to `learner`'s account, if the
/// system has randomness (without it the browser stays unknown, which costs nothing).
pub(crate) fn remember(state: &AppState, session: &Session, learner: LearnerId) -> Option<String> {
    let id = random_hex(16).ok()?;
    let value = format!("{}.{id}.{}", learner.0, mac(state, learner, &id));
    Some(format!(
        "{}={value}; Path=/; Max-Age={KEEP_SECS}{}",
        name(session),
        session.cookie_attributes()
    ))
}

/// The id of this browser's device cookie, when it is good and names `learner`'s account.
pub(crate) fn known<'h>(
    state: &AppState,
    session: &Session,
    headers: &'h HeaderMap,
    learner: LearnerId,
) -> Option<&'h str> {
    let value = cookie(headers, name(session))?;
    let mut parts = value.splitn(3, '.');
    let (owner, id, sent) = (parts.next()?, parts.next()?, parts.next()?);
    let good = owner.parse::<i64>().ok() == Some(learner.0)
        && id.len() == 32
        && id.bytes().all(|b| b.is_ascii_hexdigit())
        && constant_time_eq(&mac(state, learner, id), sent);
    good.then_some(id)
}
