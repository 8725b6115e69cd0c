//! Security events as the web layer sees them: [`note`] records one for an account (with
//! the client's address and device) and counts it in `/metrics`; `GET /account/security`
//! shows the account's recent events ("new sign-in from …").

use axum::Extension;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::http::header::USER_AGENT;
use axum::response::Response;
use mastery_app::accounts::events::{self, EventKind};
use mastery_app::accounts::tokens;
use mastery_storage::LearnerId;

use crate::access::Account;
use crate::accounts::views::{EventRow, SecurityPage, utc};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

/// The device of a request, as sessions describe it ("Firefox on Linux").
pub(crate) fn device_of(headers: &HeaderMap) -> String {
    tokens::device(headers.get(USER_AGENT).and_then(|v| v.to_str().ok()))
}

/// Records a security event of `learner` and counts it. A failure to record is logged,
/// never shown: the request it belongs to goes on.
pub(crate) async fn note(
    state: &AppState,
    learner: LearnerId,
    kind: EventKind,
    session: &Session,
    device: &str,
) {
    state.metrics().security_event(kind.as_str());
    if let Err(e) =
        events::record(state.store(), learner, kind, session.client, device, now()).await
    {
        tracing::warn!(error = %e, kind = kind.as_str(), "cannot record a security event");
    }
}

/// [`note`] without waiting for it: a failed sign-in answers as fast whether or not the
/// name belongs to an account (the write would tell them apart).
pub(crate) fn note_later(
    state: &AppState,
    learner: LearnerId,
    kind: EventKind,
    session: &Session,
    device: String,
) {
    let (state, session) = (state.clone(), session.clone());
    tokio::spawn(async move { note(&state, learner, kind, &session, &device).await });
}

/// Records that sign-in to `learner` is paused by the limits: once per pause (ten
/// minutes), not once per refused attempt, so a flood does not push out older events.
pub(crate) async fn note_lockout(
    state: &AppState,
    learner: LearnerId,
    session: &Session,
    device: &str,
) {
    let key = format!("locked-out-event:{}", learner.0);
    match state
        .store()
        .take_rate(&key, now(), 10 * 60 * 1000, 1)
        .await
    {
        Ok(None) => note(state, learner, EventKind::LockedOut, session, device).await,
        Ok(Some(_)) => state
            .metrics()
            .security_event(EventKind::LockedOut.as_str()),
        Err(e) => tracing::warn!(error = %e, "cannot record a lock-out"),
    }
}

/// Counts an event that belongs to no account (a failed sign-in with an unknown name).
pub(crate) fn count(state: &AppState, kind: EventKind) {
    state.metrics().security_event(kind.as_str());
}

/// How many events the page shows.
const SHOWN: i64 = 50;

/// `GET /account/security`: the account's recent security events.
pub async fn security(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let rows = events::recent(state.store(), user.account.learner, SHOWN)
        .await?
        .into_iter()
        .map(|shown| EventRow {
            what: match (shown.kind, shown.new_place) {
                (Some(EventKind::SignIn), true) => "New sign-in from a new place".to_owned(),
                (Some(kind), _) => kind.words().to_owned(),
                (None, _) => shown.event.kind.clone(),
            },
            at: utc(shown.event.at),
            client: if shown.event.client.is_empty() {
                "—".to_owned()
            } else {
                shown.event.client.clone()
            },
            device: shown.event.device.clone(),
            notable: shown.new_place || shown.kind.is_some_and(EventKind::notable),
        })
        .collect();
    let page = SecurityPage {
        layout: Layout::new(
            &state,
            Some(&session),
            "Security activity",
            "/account/security",
        ),
        events: rows,
    };
    Ok(render(&page))
}
