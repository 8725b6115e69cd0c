//! Personal access tokens on one's account page (`/account/tokens`): the list, a form to
//! create one (shown once), revoking. Only a browser session reaches these pages: a token
//! never manages tokens (the bearer header counts only under `/api/`).

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::{Accounts, access_tokens};
use mastery_storage::{LearnerId, TokenScope};
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::activity::{device_of, note};
use crate::accounts::views::{FieldErrors, TokenRow, TokensPage, utc, with_status};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn page(
    state: &AppState,
    session: &Session,
    learner: LearnerId,
    new_token: Option<String>,
    label: String,
    errors: FieldErrors,
    notice: String,
) -> Result<TokensPage, WebError> {
    let at = now();
    let tokens = state
        .store()
        .api_tokens(learner)
        .await?
        .into_iter()
        .map(|t| TokenRow {
            id: t.id,
            scope: match t.scope {
                TokenScope::Read => "read".to_owned(),
                TokenScope::Write => "read and write".to_owned(),
            },
            created: utc(t.created_at),
            expires: t.expires_at.map_or_else(|| "never".to_owned(), utc),
            last_used: t.last_used_at.map_or_else(|| "never".to_owned(), utc),
            status: t.status(at).to_owned(),
            active: t.usable(at),
            label: t.label,
        })
        .collect();
    Ok(TokensPage {
        layout: Layout::new(state, Some(session), "Access tokens", "/account/tokens"),
        tokens,
        new_token,
        label,
        errors,
        notice,
    })
}

/// `GET /account/tokens`.
pub async fn list(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let page = page(
        &state,
        &session,
        user.account.learner,
        None,
        String::new(),
        FieldErrors::default(),
        String::new(),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct CreateForm {
    #[serde(default)]
    label: String,
    #[serde(default)]
    scope: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    current: String,
}

/// The password typed again, under the account's limit of such attempts.
async fn password_again(
    state: &AppState,
    accounts: &Accounts,
    account: &mastery_storage::Account,
    typed: &str,
) -> Result<(), AppError> {
    let limits = state.limits();
    limits
        .password_again(state.store(), account.learner, now())
        .await?;
    accounts.confirm_password(account, typed, "current").await?;
    limits
        .password_again_passed(state.store(), account.learner)
        .await
}

/// `POST /account/tokens`: creates a token and shows it once (after the password: a
/// token outlives the session it was made in).
pub async fn create(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Account(user): Account,
    Form(form): Form<CreateForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let learner = user.account.learner;
    let scope = TokenScope::parse(&form.scope).unwrap_or(TokenScope::Read);
    let expires_at = match form.days.trim() {
        "" => Ok(None),
        days => match days.parse::<i64>() {
            Ok(d) if (1..=3650).contains(&d) => Ok(Some(now().saturating_add(d * DAY))),
            _ => Err(AppError::Field {
                field: "expires",
                message: "Give a number of days from 1 to 3650, or leave it empty.".into(),
            }),
        },
    };
    let created = match expires_at {
        Ok(_) if session.must_enrol => Err(AppError::Field {
            field: "general",
            message: "Turn on two-factor sign-in first: this site asks it of moderators and \
                      admins before anything else."
                .into(),
        }),
        Ok(expires_at) => {
            match password_again(&state, accounts, &user.account, &form.current).await {
                Err(e) => Err(e),
                Ok(()) => {
                    access_tokens::create(
                        state.store(),
                        learner,
                        &form.label,
                        scope,
                        expires_at,
                        now(),
                    )
                    .await
                }
            }
        }
        Err(e) => Err(e),
    };
    match created {
        Ok(new) => {
            note(
                &state,
                learner,
                EventKind::TokenCreated,
                &session,
                &device_of(&headers),
            )
            .await;
            let page = page(
                &state,
                &session,
                learner,
                Some(new.secret),
                String::new(),
                FieldErrors::default(),
                format!("The token “{}” was created.", new.token.label),
            )
            .await?;
            Ok(render(&page))
        }
        Err(AppError::Field { field, message }) => {
            let page = page(
                &state,
                &session,
                learner,
                None,
                form.label.clone(),
                FieldErrors::on(field, message),
                String::new(),
            )
            .await?;
            Ok(with_status(render(&page), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/tokens/{id}/revoke`.
pub async fn revoke(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Account(user): Account,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let learner = user.account.learner;
    access_tokens::revoke(state.store(), learner, id, now()).await?;
    note(
        &state,
        learner,
        EventKind::TokenRevoked,
        &session,
        &device_of(&headers),
    )
    .await;
    Ok(redirect_back(Some("/account/tokens")))
}
