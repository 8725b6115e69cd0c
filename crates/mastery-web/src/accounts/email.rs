//! E-mail on the web, when the server has an SMTP server (see
//! `mastery_app::accounts::email`): "Forgot your password?" (`/forgot-password`), the link
//! it sends (`/reset-password/{token}`), confirming an address (`/account/email/verify`),
//! and the notices sent when a password, an address or two-factor sign-in changes.
//! Without SMTP the pages exist and say that this site sends no e-mail.

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::email::{self, Change};
use mastery_storage::Account as StoredAccount;
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::views::{EmailPage, FieldErrors, with_retry_after, with_status};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

/// Tells the account's owner of a change, when the site sends e-mail and they have a
/// verified address. A failure to send is logged, never shown: the change happened.
pub(crate) async fn notify(state: &AppState, account: &StoredAccount, change: Change) {
    let Some(mailer) = state.mailer() else {
        return;
    };
    if let Err(error) = email::notify(state.store(), mailer, account, change).await {
        tracing::warn!(%error, "a notice could not be prepared");
    }
}

/// Tells the address an account had (verified) that it was changed or removed: `before`
/// is the account as it was.
pub(crate) async fn notify_old_address(state: &AppState, before: &StoredAccount) {
    let (Some(mailer), Some(to)) = (state.mailer(), &before.email) else {
        return;
    };
    mailer.send_later(email::notice(
        Change::Email,
        &before.username,
        to,
        mailer.base_url(),
    ));
}

/// Whether the account's address is the one it verified.
pub(crate) async fn verified(state: &AppState, account: &StoredAccount) -> Result<bool, WebError> {
    Ok(email::verified_address(state.store(), account)
        .await?
        .is_some())
}

fn page(state: &AppState, session: &Session, title: &str, here: &str) -> EmailPage {
    EmailPage {
        layout: Layout::new(state, Some(session), title, here),
        heading: title.to_owned(),
        mail_on: state.mailer().is_some(),
        form: String::new(),
        token: String::new(),
        login: String::new(),
        message: String::new(),
        min_password: 0,
        errors: FieldErrors::default(),
    }
}

/// `GET /forgot-password`.
pub async fn forgot_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    account_service(&state)?;
    let mut p = page(
        &state,
        &session,
        "Forgot your password?",
        "/forgot-password",
    );
    p.form = "forgot".into();
    Ok(render(&p))
}

#[derive(Debug, Deserialize)]
pub struct ForgotForm {
    #[serde(default)]
    login: String,
}

/// `POST /forgot-password`: sends a reset link when the name belongs to an account with a
/// confirmed address; answers the same either way. Limited per address and per name typed,
/// on every instance.
pub async fn forgot(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Form(form): Form<ForgotForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let mut p = page(
        &state,
        &session,
        "Forgot your password?",
        "/forgot-password",
    );
    let Some(mailer) = state.mailer() else {
        p.form = "forgot".into();
        return Ok(with_status(render(&p), StatusCode::CONFLICT));
    };
    if let Err(limited) = state
        .limits()
        .reset_request(state.store(), session.client, &form.login, now())
        .await
    {
        p.form = "forgot".into();
        p.login = form.login.clone();
        p.errors = FieldErrors::on("general", limited.to_string());
        return Ok(with_retry_after(render(&p), &limited));
    }
    accounts
        .request_reset(state.store(), mailer, &form.login, now())
        .await?;
    p.message = "If this names an account with a confirmed e-mail address, a link to choose a \
                 new password is on its way there. It works for an hour. Nothing arrived? \
                 Look in the spam folder, or ask an admin of this site."
        .into();
    Ok(render(&p))
}

/// `GET /reset-password/{token}`: the form for the new password, or why the link no
/// longer works.
pub async fn reset_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let mut p = page(&state, &session, "Choose a new password", "/reset-password");
    if email::reset_link_works(state.store(), &token, now()).await? {
        p.form = "reset".into();
        p.token = token;
        p.min_password = accounts.policy().passwords.min_chars;
        return Ok(render(&p));
    }
    p.message = gone_message();
    Ok(with_status(render(&p), StatusCode::GONE))
}

fn gone_message() -> String {
    "This link has expired, was used already, or a newer one was used. Ask for a new one \
     on the “Forgot your password?” page."
        .into()
}

#[derive(Debug, Deserialize)]
pub struct ResetForm {
    #[serde(default)]
    password: String,
}

/// `POST /reset-password/{token}`: sets the new password and ends every session of the
/// account; the person then signs in with it (and their second factor, when on).
pub async fn reset(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
    Form(form): Form<ResetForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let mut p = page(&state, &session, "Choose a new password", "/reset-password");
    match accounts
        .reset_with_link(state.store(), &token, &form.password, now())
        .await
    {
        Ok(account) => {
            crate::accounts::activity::note(
                &state,
                account.learner,
                mastery_app::accounts::events::EventKind::PasswordChanged,
                &session,
                "a password-reset link",
            )
            .await;
            notify(&state, &account, Change::Password).await;
            p.message = "Your new password is set, and your account was signed out \
                         everywhere. Sign in with it now."
                .into();
            p.form = "signed-out".into();
            Ok(render(&p))
        }
        Err(AppError::Field { field, message }) => {
            p.form = "reset".into();
            p.token = token;
            p.min_password = accounts.policy().passwords.min_chars;
            p.errors = FieldErrors::on(field, message);
            Ok(with_status(render(&p), StatusCode::UNPROCESSABLE_ENTITY))
        }
        Err(AppError::Forbidden(_)) => {
            p.message = gone_message();
            Ok(with_status(render(&p), StatusCode::GONE))
        }
        Err(other) => Err(other.into()),
    }
}

/// `GET /account/email/verify/{token}`: the link sent to an address confirms it (signed in
/// or not: the link is the proof).
pub async fn verify(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let mut p = page(&state, &session, "Confirm your e-mail address", "/account");
    match accounts.verify_email(state.store(), &token, now()).await {
        Ok(_) => {
            p.message = "Your e-mail address is confirmed. Thank you.".into();
            p.form = "verified".into();
            Ok(render(&p))
        }
        Err(AppError::Forbidden(message)) => {
            p.message = format!(
                "{message} Send a new link from your account page (Your account → E-mail)."
            );
            Ok(with_status(render(&p), StatusCode::GONE))
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /account/email/verify`: sends (again) the link that confirms my address.
pub async fn send_verification(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let Some(mailer) = state.mailer() else {
        return Err(WebError::Conflict(
            "this site sends no e-mail: an admin has not configured an SMTP server".into(),
        ));
    };
    state
        .limits()
        .reset_request(state.store(), session.client, &user.account.username, now())
        .await?;
    match accounts
        .send_verification(state.store(), mailer, &user.account, now())
        .await
    {
        Ok(()) => {
            let notice = format!(
                "A link to confirm your address is on its way to {}. It works for two days.",
                user.account.email.as_deref().unwrap_or_default()
            );
            let page = crate::accounts::own::page(
                &state,
                &session,
                &user,
                FieldErrors::default(),
                "",
                notice,
            )
            .await?;
            Ok(render(&page))
        }
        Err(AppError::Invalid(message)) => Err(WebError::Conflict(message)),
        Err(other) => Err(other.into()),
    }
}
