//! A signed-in person's own account: e-mail, password, sessions, their data as JSON, and
//! deleting the account.

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::{SignedIn, tokens, your_data};
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::activity::{device_of, note};
use crate::accounts::views::{AccountPage, FieldErrors, SessionRow};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::interviews::time::when;
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

pub(crate) use crate::accounts::views::utc;

pub(crate) async fn page(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    errors: FieldErrors,
    errors_for: &str,
    notice: String,
) -> Result<AccountPage, WebError> {
    let accounts = account_service(state)?;
    let account = &user.account;
    let current = tokens::digest(&session.id);
    let sessions = state
        .store()
        .sessions(account.learner)
        .await?
        .into_iter()
        .map(|s| SessionRow {
            current: s.id_hash == current,
            id: s.id_hash,
            device: s.device,
            started: utc(s.created_at),
            last_seen: utc(s.last_seen_at),
        })
        .collect();
    let shown = mastery_app::profiles::settings(state.store(), account.learner).await?;
    Ok(AccountPage {
        layout: Layout::new(state, Some(session), "Your account", "/account"),
        username: account.username.clone(),
        role: account.role.as_str().to_owned(),
        email: account.email.clone().unwrap_or_default(),
        member_since: when(account.created_at, 0).date,
        min_password: accounts.policy().passwords.min_chars,
        two_factor_on: mastery_app::accounts::two_factor::is_on(state.store(), account.learner)
            .await?,
        mail_on: state.mailer().is_some(),
        email_verified: crate::accounts::email::verified(state, account).await?,
        sessions,
        profile_public: shown.public,
        display_name: shown.display_name.unwrap_or_default(),
        on_leaderboard: shown.leaderboard,
        errors,
        errors_for: errors_for.to_owned(),
        notice,
    })
}

/// `GET /account`.
pub async fn account(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let page = page(
        &state,
        &session,
        &user,
        FieldErrors::default(),
        "",
        String::new(),
    )
    .await?;
    Ok(render(&page))
}

/// The account page again with a mistake next to its field.
async fn again(
    state: &AppState,
    session: &Session,
    user: &SignedIn,
    error: AppError,
    form: &str,
) -> Result<Response, WebError> {
    let (errors, status) = match error {
        AppError::Field { field, message } => (
            FieldErrors::on(field, message),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        other => return Err(other.into()),
    };
    let page = page(state, session, user, errors, form, String::new()).await?;
    let mut response = form_with_errors(render(&page));
    *response.status_mut() = status;
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    current: String,
}

/// `POST /account/email`.
pub async fn set_email(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Form(form): Form<EmailForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    state
        .limits()
        .password_again(state.store(), user.account.learner, now())
        .await?;
    let was_verified = crate::accounts::email::verified(&state, &user.account).await?;
    match accounts
        .set_email(state.store(), &user.account, &form.current, &form.email)
        .await
    {
        Ok(()) => {
            state
                .limits()
                .password_again_passed(state.store(), user.account.learner)
                .await?;
            let Some(now_account) = state.store().account(user.account.learner).await? else {
                return Ok(redirect_back(Some("/")));
            };
            if now_account.email_key == user.account.email_key {
                return Ok(redirect_back(Some("/account")));
            }
            // The old address hears of the change; the new one gets its link.
            if was_verified {
                crate::accounts::email::notify_old_address(&state, &user.account).await;
            }
            let mut notice = String::new();
            if let (Some(mailer), Some(to)) = (state.mailer(), &now_account.email) {
                // Limited like every e-mail asked for (per network and per address), so
                // changing the address again and again mails nobody's inbox full.
                let limited = state
                    .limits()
                    .reset_request(state.store(), session.client, to, now())
                    .await;
                notice = match limited {
                    Err(error @ AppError::TooMany { .. }) => format!(
                        "Saved. The link to confirm {to} was not sent: {error} Send it from \
                         this page then."
                    ),
                    Err(other) => return Err(other.into()),
                    Ok(()) => match accounts
                        .send_verification(state.store(), mailer, &now_account, now())
                        .await
                    {
                        Ok(()) => format!(
                            "A link to confirm {to} is on its way there. It works for two days."
                        ),
                        // Confirmed before (an address changed back): nothing to send.
                        Err(AppError::Invalid(_)) => String::new(),
                        Err(other) => return Err(other.into()),
                    },
                };
            }
            if notice.is_empty() {
                return Ok(redirect_back(Some("/account")));
            }
            let user = SignedIn {
                account: now_account,
                ..(*user).clone()
            };
            let page = page(&state, &session, &user, FieldErrors::default(), "", notice).await?;
            Ok(render(&page))
        }
        Err(error) => again(&state, &session, &user, error, "email").await,
    }
}

#[derive(Debug, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    password: String,
    end_others: Option<String>,
}

/// `POST /account/password`: needs the current password; ends the other sessions when
/// asked (the box is ticked by default).
pub async fn change_password(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: axum::http::HeaderMap,
    Account(user): Account,
    Form(form): Form<PasswordForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    state
        .limits()
        .password_again(state.store(), user.account.learner, now())
        .await?;
    let end_others = form.end_others.is_some().then_some(session.id.as_str());
    match accounts
        .change_password(
            state.store(),
            &user.account,
            &form.current,
            &form.password,
            end_others,
            now(),
        )
        .await
    {
        Ok(ended) => {
            state
                .limits()
                .password_again_passed(state.store(), user.account.learner)
                .await?;
            note(
                &state,
                user.account.learner,
                EventKind::PasswordChanged,
                &session,
                &device_of(&headers),
            )
            .await;
            crate::accounts::email::notify(
                &state,
                &user.account,
                mastery_app::accounts::email::Change::Password,
            )
            .await;
            let notice = match ended {
                0 => "Your password was changed.".to_owned(),
                1 => "Your password was changed and your other session was ended.".to_owned(),
                n => format!("Your password was changed and your {n} other sessions were ended."),
            };
            let page = page(&state, &session, &user, FieldErrors::default(), "", notice).await?;
            Ok(render(&page))
        }
        Err(error) => again(&state, &session, &user, error, "password").await,
    }
}

#[derive(Debug, Deserialize)]
pub struct EndSessionForm {
    session: String,
}

/// `POST /account/sessions/end`: ends one of my sessions (someone else's id finds nothing).
pub async fn end_session(
    State(state): State<AppState>,
    Account(user): Account,
    Form(form): Form<EndSessionForm>,
) -> Result<Response, WebError> {
    if !state
        .store()
        .end_session(user.account.learner, &form.session)
        .await?
    {
        return Err(WebError::NotFound("you have no such session".into()));
    }
    Ok(redirect_back(Some("/account")))
}

/// `POST /account/sessions/end-others`: ends every session of mine but this one.
pub async fn end_other_sessions(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let ended = state
        .store()
        .end_sessions(user.account.learner, Some(&tokens::digest(&session.id)))
        .await?;
    let notice = format!(
        "{ended} other session{} ended.",
        if ended == 1 { " was" } else { "s were" }
    );
    let page = page(&state, &session, &user, FieldErrors::default(), "", notice).await?;
    Ok(render(&page))
}

/// `GET /account/data.json`: everything about me, downloaded.
pub async fn download_data(
    State(state): State<AppState>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let data = your_data::export(state.store(), user.account.learner, now()).await?;
    crate::download::json_attachment(&data, "mastery-my-data.json")
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    /// `keep` (the default) or `remove`: the member's posts and suggestions.
    #[serde(default)]
    contributions: String,
}

/// `POST /account/delete`: after the password, my account and all my data go.
pub async fn delete_account(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    state
        .limits()
        .password_again(state.store(), user.account.learner, now())
        .await?;
    match accounts
        .delete_own_account(
            state.store(),
            &user.account,
            &form.password,
            form.contributions == "remove",
            now(),
        )
        .await
    {
        Ok(()) => {
            let mut response = redirect_back(Some("/"));
            let gone = format!(
                "{}=; Path=/; Max-Age=0{}",
                session.cookie_name(),
                session.cookie_attributes()
            );
            if let Ok(value) = HeaderValue::from_str(&gone) {
                response.headers_mut().append(SET_COOKIE, value);
            }
            Ok(response)
        }
        Err(AppError::Forbidden(message)) => Err(WebError::Forbidden(message)),
        Err(error) => again(&state, &session, &user, error, "delete").await,
    }
}

#[derive(Debug, Deserialize)]
pub struct ProfileForm {
    #[serde(default)]
    public: Option<String>,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    leaderboard: Option<String>,
}

/// `POST /account/profile`: what the member shows of themselves.
pub async fn save_profile(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
    Form(form): Form<ProfileForm>,
) -> Result<Response, WebError> {
    let wanted = mastery_app::profiles::ProfileSettings {
        public: form.public.is_some(),
        display_name: Some(form.display_name),
        leaderboard: form.leaderboard.is_some(),
    };
    match mastery_app::profiles::save_settings(state.store(), user.account.learner, &wanted).await {
        Ok(()) => {
            // This instance's leaderboard shows the change at once (others within a minute).
            *state.leaderboard_cache().lock().await = None;
            Ok(redirect_back(Some("/account#public-profile-title")))
        }
        Err(error) => again(&state, &session, &user, error, "profile").await,
    }
}
