//! Who may use a route: extractors that a handler names in its arguments, so the rule sits
//! in the signature.
//!
//! | extractor | personal mode | multi-user mode |
//! | --- | --- | --- |
//! | none | everyone | everyone (unless the site is private: then signed-in accounts) |
//! | [`Viewer`] | the one learner | the signed-in learner, or nobody (`None`) |
//! | [`Learner`] | the one learner | a signed-in account; others are sent to sign in |
//! | [`Account`] | 404 (no accounts) | a signed-in account |
//! | [`Admin`] | 404 (no accounts) | a signed-in admin; others get 403 |
//!
//! Whatever a learner owns is read and written through the learner id these give, never
//! one taken from the request, so nobody reaches another learner's data: an id of someone
//! else's object simply finds nothing (404).

use std::sync::Arc;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use mastery_app::accounts::SignedIn;
use mastery_storage::{LearnerId, Role};

use crate::error::WebError;
use crate::session::Session;
use crate::state::AppState;

fn session(parts: &Parts) -> Option<&Session> {
    parts.extensions.get::<Session>()
}

/// The learner a personal request acts for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Learner(pub LearnerId);

impl FromRequestParts<AppState> for Learner {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if let Some(learner) = state.personal_learner() {
            return Ok(Learner(learner));
        }
        session(parts)
            .and_then(Session::learner)
            .map(Learner)
            .ok_or_else(|| WebError::Unauthorized("sign in to use this page".into()))
    }
}

/// The learner whose state a public page shows, if anyone is signed in.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Viewer(pub Option<LearnerId>);

impl FromRequestParts<AppState> for Viewer {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        Ok(Viewer(
            state
                .personal_learner()
                .or_else(|| session(parts).and_then(Session::learner)),
        ))
    }
}

/// A signed-in account (multi-user mode only).
#[derive(Debug, Clone)]
pub(crate) struct Account(pub Arc<SignedIn>);

impl FromRequestParts<AppState> for Account {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        if !state.multi_user() {
            return Err(personal_mode());
        }
        session(parts)
            .and_then(|s| s.user.clone())
            .map(Account)
            .ok_or_else(|| WebError::Unauthorized("sign in first".into()))
    }
}

/// A signed-in admin (multi-user mode only).
#[derive(Debug, Clone)]
pub(crate) struct Admin(pub Arc<SignedIn>);

impl FromRequestParts<AppState> for Admin {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, WebError> {
        let Account(user) = Account::from_request_parts(parts, state).await?;
        if user.account.role == Role::Admin {
            Ok(Admin(user))
        } else {
            Err(WebError::Forbidden("only admins may do this".into()))
        }
    }
}

/// The account service, or 404 on a personal server (where account pages do not exist).
pub(crate) fn account_service(
    state: &AppState,
) -> Result<&mastery_app::accounts::Accounts, WebError> {
    state.accounts().ok_or_else(personal_mode)
}

/// Account pages do not exist on a personal server.
pub(crate) fn personal_mode() -> WebError {
    WebError::NotFound("this is a personal Mastery: accounts exist only in multi-user mode".into())
}
