//! Getting in and out: sign-in, sign-out, sign-up (open or by invitation) and the setup
//! link that creates the first admin.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{HeaderMap, HeaderValue, SET_COOKIE, USER_AGENT};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::limits::Guessed;
use mastery_app::accounts::two_factor::{self, Passed};
use mastery_app::accounts::{Accounts, Registration, SignUp, names};
use mastery_storage::Account as StoredAccount;
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::activity::{count, device_of, note, note_later, note_lockout};
use crate::accounts::devices;
use crate::accounts::second_factor::{code_page, pending_account, pending_proof, required_for};
use crate::accounts::views::{FieldErrors, SignInPage, SignUpPage, with_retry_after, with_status};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::security::{local_path, redirect_back};
use crate::session::Session;
use crate::state::{AppState, now};

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a local path, or home.
pub(crate) fn next_or_home(next: Option<&str>) -> String {
    next.filter(|n| local_path(n) && !n.starts_with("/sign-"))
        .unwrap_or("/")
        .to_owned()
}

fn sign_in_page(
    state: &AppState,
    session: &Session,
    login: &str,
    next: &str,
    error: Option<String>,
    can_sign_up: bool,
) -> SignInPage {
    SignInPage {
        layout: Layout::new(state, Some(session), "Sign in", "/sign-in"),
        login: login.to_owned(),
        next: next.to_owned(),
        error,
        can_sign_up,
        mail_on: state.mailer().is_some(),
        single_sign_on: state
            .settings()
            .single_sign_on
            .as_ref()
            .map(|s| s.name.clone()),
    }
}

/// `GET /sign-in`.
pub async fn sign_in_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(query): Query<NextQuery>,
) -> Result<Response, WebError> {
    account_service(&state)?;
    let next = next_or_home(query.next.as_deref());
    if session.user.is_some() {
        return Ok(redirect_back(Some(&next)));
    }
    let open = state.site().await?.registration == Registration::Open;
    Ok(render(&sign_in_page(
        &state, &session, "", &next, None, open,
    )))
}

#[derive(Debug, Deserialize)]
pub struct SignInForm {
    #[serde(default)]
    login: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

/// `POST /sign-in`: a new session (and a new session id) on success, or the second step
/// when the account uses two factors; the same answer for a wrong password and an unknown
/// account. The limits (per address, and per name typed with a growing back-off) are
/// shared by every instance.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let next = next_or_home(form.next.as_deref());
    let device = device_of(&headers);
    // Guesses count against the account, whichever of its names was typed, or against
    // this browser when it signed in to that account before (see `devices`).
    let found = named(&state, &form.login).await?;
    let guessed = match &found {
        Some(account) => devices::known(&state, &session, &headers, account.learner)
            .map_or(Guessed::Account(account.learner), Guessed::KnownDevice),
        None if form.login.trim().is_empty() => Guessed::Nothing,
        None => Guessed::Nobody(&form.login),
    };
    match state
        .limits()
        .sign_in(state.store(), session.client, guessed, now())
        .await
    {
        Ok(()) => {}
        Err(limited @ AppError::TooMany { .. }) => {
            match &found {
                Some(account) => {
                    let (state, session, learner) =
                        (state.clone(), session.clone(), account.learner);
                    tokio::spawn(async move {
                        note_lockout(&state, learner, &session, &device).await;
                    });
                }
                None => count(&state, EventKind::LockedOut),
            }
            let page =
                sign_in_again(&state, &session, &form.login, &next, limited.to_string()).await?;
            return Ok(with_retry_after(page, &limited));
        }
        Err(other) => return Err(other.into()),
    }
    let account = match accounts
        .check_credentials(state.store(), &form.login, &form.password)
        .await
    {
        Ok(account) => account,
        Err(AppError::SignIn(message)) => {
            match &found {
                Some(account) => note_later(
                    &state,
                    account.learner,
                    EventKind::SignInFailed,
                    &session,
                    device,
                ),
                None => count(&state, EventKind::SignInFailed),
            }
            let page = sign_in_again(&state, &session, &form.login, &next, message).await?;
            return Ok(with_status(page, StatusCode::UNAUTHORIZED));
        }
        Err(AppError::Forbidden(message)) => {
            let page = sign_in_again(&state, &session, &form.login, &next, message).await?;
            return Ok(with_status(page, StatusCode::FORBIDDEN));
        }
        Err(other) => return Err(other.into()),
    };
    // The password was right: the failures counted against this account (or this
    // browser) are forgotten.
    state.limits().signed_in(state.store(), guessed).await?;
    if two_factor::is_on(state.store(), account.learner).await? {
        let proof = pending_proof(&state, &session, &account);
        return Ok(code_page(&state, &session, proof, &next, None));
    }
    finish_sign_in(&state, &session, &headers, &account, &next).await
}

/// The account a sign-in name belongs to, if any (for its security events).
async fn named(state: &AppState, login: &str) -> Result<Option<StoredAccount>, WebError> {
    if login.trim().is_empty() || login.len() > mastery_app::accounts::MAX_LOGIN_BYTES {
        return Ok(None);
    }
    Ok(state
        .store()
        .account_by_key(&names::login_key(login))
        .await?)
}

/// The sign-in page again with a message.
pub(crate) async fn sign_in_again(
    state: &AppState,
    session: &Session,
    login: &str,
    next: &str,
    error: String,
) -> Result<Response, WebError> {
    let open = state.site().await?.registration == Registration::Open;
    Ok(render(&sign_in_page(
        state,
        session,
        login,
        next,
        Some(error),
        open,
    )))
}

/// Starts the session of an account that passed every step: the cookie, the security
/// event, and the way on (to the two-factor settings first when the site asks this
/// account to use two factors and it does not yet).
pub(crate) async fn finish_sign_in(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    account: &StoredAccount,
    next: &str,
) -> Result<Response, WebError> {
    let accounts = account_service(state)?;
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let token = match accounts
        .start_session(state.store(), account, agent, Some(&session.id), now())
        .await
    {
        Ok(token) => token,
        Err(AppError::SignIn(message)) => {
            let page = sign_in_again(state, session, "", next, message).await?;
            return Ok(with_status(page, StatusCode::UNAUTHORIZED));
        }
        Err(other) => return Err(other.into()),
    };
    note(
        state,
        account.learner,
        EventKind::SignIn,
        session,
        &device_of(headers),
    )
    .await;
    tracing::info!(learner = account.learner.0, "signed in");
    let enrol_first = required_for(state, account.role).await?
        && !two_factor::is_on(state.store(), account.learner).await?;
    let mut response = redirect_back(Some(if enrol_first {
        "/account/two-factor"
    } else {
        next
    }));
    set_cookie(&mut response, &session.set_cookie(&token));
    if let Some(known) = devices::remember(state, session, account.learner) {
        set_cookie(&mut response, &known);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pending: String,
    #[serde(default)]
    code: String,
    next: Option<String>,
}

/// `POST /sign-in/two-factor`: the code from the app (or a recovery code) after the
/// password; signs in when it is right.
pub async fn sign_in_code(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<CodeForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let next = next_or_home(form.next.as_deref());
    let Some(account) = pending_account(&state, &session, &form.pending).await? else {
        let page = sign_in_again(
            &state,
            &session,
            "",
            &next,
            "This sign-in took too long or was started in another browser: sign in again."
                .to_owned(),
        )
        .await?;
        return Ok(with_status(page, StatusCode::UNAUTHORIZED));
    };
    let device = device_of(&headers);
    let again = |error: String, status: StatusCode| {
        with_status(
            code_page(&state, &session, form.pending.clone(), &next, Some(error)),
            status,
        )
    };
    match state
        .limits()
        .second_factor(state.store(), account.learner, now())
        .await
    {
        Ok(()) => {}
        Err(limited @ AppError::TooMany { .. }) => {
            note_lockout(&state, account.learner, &session, &device).await;
            return Ok(with_retry_after(
                again(limited.to_string(), StatusCode::TOO_MANY_REQUESTS),
                &limited,
            ));
        }
        Err(other) => return Err(other.into()),
    }
    match accounts
        .check_second_factor(state.store(), account.learner, &form.code, now())
        .await
    {
        Ok(passed) => {
            state
                .limits()
                .second_factor_passed(state.store(), account.learner)
                .await?;
            if passed == Passed::RecoveryCode {
                note(
                    &state,
                    account.learner,
                    EventKind::RecoveryCodeUsed,
                    &session,
                    &device,
                )
                .await;
            }
            finish_sign_in(&state, &session, &headers, &account, &next).await
        }
        Err(AppError::Field { message, .. }) => {
            note(
                &state,
                account.learner,
                EventKind::SecondFactorFailed,
                &session,
                &device,
            )
            .await;
            Ok(again(message, StatusCode::UNAUTHORIZED))
        }
        Err(other) => Err(other.into()),
    }
}

fn set_cookie(response: &mut Response, cookie: &str) {
    if let Ok(value) = HeaderValue::from_str(cookie) {
        response.headers_mut().append(SET_COOKIE, value);
    }
}

/// `POST /sign-out`: ends the session on the server and forgets the cookie.
pub async fn sign_out(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    account_service(&state)?
        .sign_out(state.store(), user.account.learner, &session.id)
        .await?;
    let mut response = redirect_back(Some("/"));
    set_cookie(
        &mut response,
        &format!(
            "{}=; Path=/; Max-Age=0{}",
            session.cookie_name(),
            session.cookie_attributes()
        ),
    );
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct InviteQuery {
    invite: Option<String>,
    /// A team's invitation link (`/teams/join/{token}`) that sent the visitor here.
    team: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct SignUpForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

struct SignUpText {
    heading: &'static str,
    intro: String,
    action: String,
    closed: bool,
}

async fn sign_up_text(
    state: &AppState,
    accounts: &Accounts,
    invite: Option<&str>,
    team: Option<&str>,
) -> Result<SignUpText, WebError> {
    let registration = state.site().await?.registration;
    if let Some(token) = team {
        let action = format!("/sign-up?team={}", token_or_nothing(token));
        let (intro, closed) = match mastery_app::teams::link_team(state.store(), token, now()).await
        {
            Ok(t) if registration.admits_team_sign_ups(t.open_invites) => (
                format!(
                    "You were invited to join the team {}. Create your account; you then \
                     choose whether its coaches see your progress.",
                    t.name
                ),
                false,
            ),
            Ok(_) => (
                "This team's link does not create accounts on this site: sign in, or ask an \
                 admin for an invitation."
                    .to_owned(),
                true,
            ),
            Err(AppError::NotFound(message)) => (message, true),
            Err(other) => return Err(other.into()),
        };
        return Ok(SignUpText {
            heading: "Create your account",
            intro,
            action,
            closed,
        });
    }
    let action = match invite {
        Some(token) => format!("/sign-up?invite={}", token_or_nothing(token)),
        None => "/sign-up".to_owned(),
    };
    let usable = match invite {
        Some(token) => accounts
            .usable_invite(state.store(), token, now())
            .await?
            .is_some(),
        None => false,
    };
    let (intro, closed) = match (registration, invite, usable) {
        (Registration::Closed, _, _) => (
            "Registration is closed on this site: ask an admin for an account.".to_owned(),
            true,
        ),
        (_, Some(_), true) => (
            "You were invited to prepare for interviews here. Choose a username and a password."
                .to_owned(),
            false,
        ),
        (_, Some(_), false) => (
            "This invitation link has expired, was revoked or has been used up: ask for a new one."
                .to_owned(),
            true,
        ),
        (Registration::Open, None, _) => (
            "Track what you have mastered, study with spaced repetition and rehearse interviews."
                .to_owned(),
            false,
        ),
        (Registration::Invitation, None, _) => (
            "This site admits new accounts by invitation: open the invitation link you were given."
                .to_owned(),
            true,
        ),
    };
    Ok(SignUpText {
        heading: "Create your account",
        intro,
        action,
        closed,
    })
}

/// Only a token-shaped value goes back into a link.
fn token_or_nothing(token: &str) -> &str {
    if mastery_app::accounts::tokens::is_token(token) {
        token
    } else {
        ""
    }
}

/// `GET /sign-up` (`?invite=TOKEN` with an invitation).
pub async fn sign_up_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(query): Query<InviteQuery>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    if query.invite.is_some() || query.team.is_some() {
        // Opening a link tells whether it is valid: counted like using one.
        state
            .limits()
            .invite(state.store(), session.client, now())
            .await?;
    }
    let text = sign_up_text(
        &state,
        accounts,
        query.invite.as_deref(),
        query.team.as_deref(),
    )
    .await?;
    let page = SignUpPage {
        layout: Layout::new(&state, Some(&session), text.heading, "/sign-up"),
        heading: text.heading.to_owned(),
        intro: text.intro,
        action: text.action,
        username: String::new(),
        email: String::new(),
        min_password: accounts.policy().passwords.min_chars,
        errors: FieldErrors::default(),
        closed: text.closed,
    };
    Ok(render(&page))
}

/// `POST /sign-up`: creates the account and signs it in.
pub async fn sign_up(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(query): Query<InviteQuery>,
    headers: HeaderMap,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let text = sign_up_text(
        &state,
        accounts,
        query.invite.as_deref(),
        query.team.as_deref(),
    )
    .await?;
    let again = |errors: FieldErrors, status: StatusCode| {
        let page = SignUpPage {
            layout: Layout::new(&state, Some(&session), text.heading, "/sign-up"),
            heading: text.heading.to_owned(),
            intro: text.intro.clone(),
            action: text.action.clone(),
            username: form.username.clone(),
            email: form.email.clone(),
            min_password: accounts.policy().passwords.min_chars,
            errors,
            closed: text.closed,
        };
        with_status(render(&page), status)
    };
    let limited = match query.invite.as_ref().or(query.team.as_ref()) {
        Some(_) => {
            state
                .limits()
                .invite(state.store(), session.client, now())
                .await
        }
        None => Ok(()),
    };
    let limited = match limited {
        Ok(()) => {
            state
                .limits()
                .sign_up(state.store(), session.client, now())
                .await
        }
        refused => refused,
    };
    match limited {
        Ok(()) => {}
        Err(limited @ AppError::TooMany { .. }) => {
            let errors = FieldErrors::on("general", limited.to_string());
            return Ok(with_retry_after(
                again(errors, StatusCode::TOO_MANY_REQUESTS),
                &limited,
            ));
        }
        Err(other) => return Err(other.into()),
    }
    let sign_up = SignUp {
        username: &form.username,
        email: &form.email,
        password: &form.password,
    };
    let (created, next) = match &query.team {
        Some(token) => (
            accounts
                .sign_up_for_team(state.store(), &sign_up, token, now())
                .await,
            // Joining asks whether to share: the new account says so there.
            format!("/teams/join/{}", token_or_nothing(token)),
        ),
        None => (
            accounts
                .sign_up(state.store(), &sign_up, query.invite.as_deref(), now())
                .await,
            "/".to_owned(),
        ),
    };
    let created = created.map_err(|e| match e {
        AppError::NotFound(message) => AppError::Forbidden(message),
        other => other,
    });
    finish_sign_up(&state, &session, &headers, accounts, created, &next, again).await
}

/// Signs a just-created account in, or shows the form again with its mistakes.
async fn finish_sign_up(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    accounts: &Accounts,
    created: Result<mastery_storage::LearnerId, AppError>,
    next: &str,
    again: impl Fn(FieldErrors, StatusCode) -> Response,
) -> Result<Response, WebError> {
    let learner = match created {
        Ok(learner) => learner,
        Err(AppError::Field { field, message }) => {
            return Ok(again(
                FieldErrors::on(field, message),
                StatusCode::UNPROCESSABLE_ENTITY,
            ));
        }
        Err(AppError::Forbidden(message)) => {
            return Ok(again(
                FieldErrors::on("general", message),
                StatusCode::FORBIDDEN,
            ));
        }
        Err(other) => return Err(other.into()),
    };
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let account = state
        .store()
        .account(learner)
        .await?
        .ok_or_else(|| WebError::NotFound("the new account is gone".into()))?;
    let token = accounts
        .start_session(state.store(), &account, agent, Some(&session.id), now())
        .await?;
    // An address given at sign-up gets its confirmation link at once (under the e-mail
    // limit; a refusal only means the link waits for "Send the link" on /account).
    if let (Some(mailer), Some(to)) = (state.mailer(), &account.email)
        && state
            .limits()
            .reset_request(state.store(), session.client, to, now())
            .await
            .is_ok()
    {
        accounts
            .send_verification(state.store(), mailer, &account, now())
            .await?;
    }
    let mut response = redirect_back(Some(next));
    set_cookie(&mut response, &session.set_cookie(&token));
    Ok(response)
}

fn setup_page(
    state: &AppState,
    session: &Session,
    accounts: &Accounts,
    token: &str,
    form: Option<&SignUpForm>,
    errors: FieldErrors,
    closed: bool,
) -> SignUpPage {
    SignUpPage {
        layout: Layout::new(state, Some(session), "Set up Mastery", "/setup"),
        heading: "Set up Mastery".to_owned(),
        intro: if closed {
            "This setup link is not valid: the first admin exists already. Sign in instead."
                .to_owned()
        } else {
            "Create the first admin account of this server. It can then invite people, create \
             accounts and choose who may register."
                .to_owned()
        },
        action: format!("/setup/{}", token_or_nothing(token)),
        username: form.map(|f| f.username.clone()).unwrap_or_default(),
        email: form.map(|f| f.email.clone()).unwrap_or_default(),
        min_password: accounts.policy().passwords.min_chars,
        errors,
        closed,
    }
}

/// `GET /setup/{token}`: the first admin's form, while there is no admin.
pub async fn setup_form(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let valid = accounts
        .setup_token(state.store())
        .await?
        .is_some_and(|t| crate::session::constant_time_eq(&t, &token));
    let page = setup_page(
        &state,
        &session,
        accounts,
        &token,
        None,
        FieldErrors::default(),
        !valid,
    );
    let response = render(&page);
    Ok(if valid {
        response
    } else {
        with_status(response, StatusCode::NOT_FOUND)
    })
}

/// `POST /setup/{token}`: creates the first admin and signs it in.
pub async fn setup(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(token): Path<String>,
    headers: HeaderMap,
    Form(form): Form<SignUpForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    match state
        .limits()
        .sign_in(state.store(), session.client, Guessed::Nothing, now())
        .await
    {
        Ok(()) => {}
        Err(limited @ AppError::TooMany { .. }) => {
            let errors = FieldErrors::on("general", limited.to_string());
            let page = setup_page(
                &state,
                &session,
                accounts,
                &token,
                Some(&form),
                errors,
                false,
            );
            return Ok(with_retry_after(render(&page), &limited));
        }
        Err(other) => return Err(other.into()),
    }
    let sign_up = SignUp {
        username: &form.username,
        email: &form.email,
        password: &form.password,
    };
    let created = accounts
        .set_up_first_admin(state.store(), &token, &sign_up, now())
        .await;
    finish_sign_up(
        &state,
        &session,
        &headers,
        accounts,
        created,
        "/",
        |errors, status| {
            let closed = status == StatusCode::FORBIDDEN;
            let page = setup_page(
                &state,
                &session,
                accounts,
                &token,
                Some(&form),
                errors,
                closed,
            );
            with_status(render(&page), status)
        },
    )
    .await
}
