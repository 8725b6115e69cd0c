//! Getting in and out: sign-in, sign-out, sign-up (open or by invitation) and the setup
//! link that creates the first admin.

use axum::Extension;
use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::{HeaderMap, HeaderValue, SET_COOKIE, USER_AGENT};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::{Accounts, Registration, SignUp};
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::limits::Attempt;
use crate::accounts::views::{FieldErrors, SignInPage, SignUpPage};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Layout, render};
use crate::security::{local_path, redirect_back};
use crate::session::Session;
use crate::state::{AppState, now};

/// A page with the status of its mistake, kept as it is by the error layer.
fn with_status(page: Response, status: StatusCode) -> Response {
    let mut page = form_with_errors(page);
    *page.status_mut() = status;
    page
}

#[derive(Debug, Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

/// Where to go after signing in: a local path, or home.
fn next_or_home(next: Option<&str>) -> String {
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

/// `POST /sign-in`: a new session (and a new session id) on success; the same answer for
/// a wrong password and an unknown account.
pub async fn sign_in(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Form(form): Form<SignInForm>,
) -> Result<Response, WebError> {
    let accounts = account_service(&state)?;
    let next = next_or_home(form.next.as_deref());
    let open = state.site().await?.registration == Registration::Open;
    let again = |error: String, status: StatusCode| {
        with_status(
            render(&sign_in_page(
                &state,
                &session,
                &form.login,
                &next,
                Some(error),
                open,
            )),
            status,
        )
    };
    if let Err(limited) = state.limits().check(Attempt::SignIn, session.client) {
        return Ok(again(limited.to_string(), StatusCode::TOO_MANY_REQUESTS));
    }
    let account = match accounts
        .check_credentials(state.store(), &form.login, &form.password)
        .await
    {
        Ok(account) => account,
        Err(AppError::SignIn(message)) => return Ok(again(message, StatusCode::UNAUTHORIZED)),
        Err(AppError::Forbidden(message)) => return Ok(again(message, StatusCode::FORBIDDEN)),
        Err(other) => return Err(other.into()),
    };
    let agent = headers.get(USER_AGENT).and_then(|v| v.to_str().ok());
    let token = match accounts
        .start_session(state.store(), &account, agent, Some(&session.id), now())
        .await
    {
        Ok(token) => token,
        Err(AppError::SignIn(message)) => return Ok(again(message, StatusCode::UNAUTHORIZED)),
        Err(other) => return Err(other.into()),
    };
    tracing::info!(learner = account.learner.0, "signed in");
    let mut response = redirect_back(Some(&next));
    set_cookie(&mut response, &session.set_cookie(&token));
    Ok(response)
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
) -> Result<SignUpText, WebError> {
    let registration = state.site().await?.registration;
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
    let text = sign_up_text(&state, accounts, query.invite.as_deref()).await?;
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
    let text = sign_up_text(&state, accounts, query.invite.as_deref()).await?;
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
    if let Err(limited) = state.limits().check(Attempt::SignUp, session.client) {
        let errors = FieldErrors::on("general", limited.to_string());
        return Ok(again(errors, StatusCode::TOO_MANY_REQUESTS));
    }
    let sign_up = SignUp {
        username: &form.username,
        email: &form.email,
        password: &form.password,
    };
    let created = accounts
        .sign_up(state.store(), &sign_up, query.invite.as_deref(), now())
        .await;
    finish_sign_up(&state, &session, &headers, accounts, created, again).await
}

/// Signs a just-created account in, or shows the form again with its mistakes.
async fn finish_sign_up(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    accounts: &Accounts,
    created: Result<mastery_storage::LearnerId, AppError>,
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
    let mut response = redirect_back(Some("/"));
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
    if let Err(limited) = state.limits().check(Attempt::SignIn, session.client) {
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
        return Ok(with_status(render(&page), StatusCode::TOO_MANY_REQUESTS));
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
