//! Two-factor sign-in on the web: what the second step of signing in needs (its page and
//! the pending proof; the handler is `entry::sign_in_code`), and one's own settings
//! (`/account/two-factor`: enrol with a QR code and a typed code, see the recovery codes
//! once, turn it off with the password and a code).
//!
//! Between the two steps of signing in nothing is stored: the password step hands the
//! page a **pending proof**, `LEARNER.EXPIRES.MAC`, a MAC under the site's key (the one
//! the CSRF tokens use, kept in the database, so every instance checks it) of the
//! learner, when their password last changed, the expiry (5 minutes) and this browser's
//! session id. It cannot be moved to another browser, outlives no password change, and
//! only lets its holder try codes, which the limits count per account.

use axum::Extension;
use axum::extract::{Form, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::accounts::email::Change;
use mastery_app::accounts::events::EventKind;
use mastery_app::accounts::{tokens, two_factor};
use mastery_storage::{Account as StoredAccount, LearnerId, Millis, Role};
use serde::Deserialize;

use crate::access::{Account, account_service};
use crate::accounts::activity::{device_of, note};
use crate::accounts::views::{
    FieldErrors, SignInCodePage, TwoFactorPage, with_retry_after, with_status,
};
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::{Session, constant_time_eq, signed};
use crate::state::{AppState, now};

/// How long the second step may wait after the password.
const PENDING_FOR: Millis = 5 * 60 * 1000;

/// The issuer name authenticator apps show beside the account.
const ISSUER: &str = "Mastery";

fn pending_mac(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    expires: Millis,
) -> String {
    signed(
        state.csrf_key(),
        "mastery-second-factor",
        &[
            &account.learner.0.to_string(),
            &account.password_changed_at.to_string(),
            &expires.to_string(),
            &session.id,
        ],
    )
}

/// The pending proof for an account whose password was just right.
pub(crate) fn pending_proof(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
) -> String {
    let expires = now().saturating_add(PENDING_FOR);
    format!(
        "{}.{expires}.{}",
        account.learner.0,
        pending_mac(state, session, account, expires)
    )
}

/// The account a pending proof names, if it is still good for this browser.
pub(crate) async fn pending_account(
    state: &AppState,
    session: &Session,
    proof: &str,
) -> Result<Option<StoredAccount>, WebError> {
    let mut parts = proof.splitn(3, '.');
    let (Some(learner), Some(expires), Some(mac)) = (parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let (Ok(learner), Ok(expires)) = (learner.parse::<i64>(), expires.parse::<Millis>()) else {
        return Ok(None);
    };
    if expires <= now() {
        return Ok(None);
    }
    let Some(account) = state.store().account(LearnerId(learner)).await? else {
        return Ok(None);
    };
    let expected = pending_mac(state, session, &account, expires);
    Ok((constant_time_eq(&expected, mac) && account.disabled_at.is_none()).then_some(account))
}

/// The page of the second step.
pub(crate) fn code_page(
    state: &AppState,
    session: &Session,
    pending: String,
    next: &str,
    error: Option<String>,
) -> Response {
    render(&SignInCodePage {
        layout: Layout::new(state, Some(session), "Two-factor sign-in", "/sign-in"),
        pending,
        next: next.to_owned(),
        error,
    })
}

/// Whether the site asks this account to use two factors (a moderator or an admin, when
/// the admin ticked it).
pub(crate) async fn required_for(state: &AppState, role: Role) -> Result<bool, WebError> {
    Ok(role >= Role::Moderator && state.site().await?.staff_two_factor)
}

async fn settings_page(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    errors: FieldErrors,
    recovery_codes: Vec<String>,
    notice: String,
) -> Result<TwoFactorPage, WebError> {
    let accounts = account_service(state)?;
    let on = two_factor::is_on(state.store(), account.learner).await?;
    let (secret, qr_svg) = if on {
        (String::new(), String::new())
    } else {
        let enrolment = accounts
            .begin_two_factor(state.store(), account, ISSUER, now())
            .await?;
        (enrolment.secret, enrolment.qr_svg)
    };
    let codes_left = if on {
        state.store().recovery_codes_left(account.learner).await?
    } else {
        0
    };
    Ok(TwoFactorPage {
        layout: Layout::new(
            state,
            Some(session),
            "Two-factor sign-in",
            "/account/two-factor",
        ),
        on,
        secret,
        qr_svg,
        recovery_codes,
        codes_left,
        required: session.must_enrol || required_for(state, account.role).await?,
        errors,
        notice,
    })
}

/// `GET /account/two-factor`: enrolment (QR code and key) or the state.
pub async fn settings(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Account(user): Account,
) -> Result<Response, WebError> {
    let page = settings_page(
        &state,
        &session,
        &user.account,
        FieldErrors::default(),
        Vec::new(),
        String::new(),
    )
    .await?;
    Ok(render(&page))
}

async fn settings_again(
    state: &AppState,
    session: &Session,
    account: &StoredAccount,
    error: AppError,
) -> Result<Response, WebError> {
    let errors = match &error {
        AppError::Field { field, message } => FieldErrors::on(field, message.clone()),
        AppError::TooMany { .. } => FieldErrors::on("general", error.to_string()),
        _ => return Err(error.into()),
    };
    let page = settings_page(state, session, account, errors, Vec::new(), String::new()).await?;
    let page = render(&page);
    Ok(match error {
        AppError::TooMany { .. } => with_retry_after(page, &error),
        _ => with_status(page, StatusCode::UNPROCESSABLE_ENTITY),
    })
}

#[derive(Debug, Deserialize)]
pub struct TwoFactorForm {
    #[serde(default)]
    current: String,
    #[serde(default)]
    code: String,
}

/// `POST /account/two-factor`: the password and the code typed from the app turn it on;
/// the recovery codes are shown once.
pub async fn enrol(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Account(user): Account,
    Form(form): Form<TwoFactorForm>,
) -> Result<Response, WebError> {
    change(&state, &session, &headers, &user.account, &form, true).await
}

/// `POST /account/two-factor/disable`: needs the password and a code.
pub async fn disable(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    headers: HeaderMap,
    Account(user): Account,
    Form(form): Form<TwoFactorForm>,
) -> Result<Response, WebError> {
    change(&state, &session, &headers, &user.account, &form, false).await
}

/// Turns two-factor sign-in on or off: both take an attempt of the account's
/// second-factor limit, check the password and a code, end the account's other sessions
/// (whoever was signed in elsewhere signed in under the old rules) and record the event.
async fn change(
    state: &AppState,
    session: &Session,
    headers: &HeaderMap,
    account: &StoredAccount,
    form: &TwoFactorForm,
    on: bool,
) -> Result<Response, WebError> {
    let accounts = account_service(state)?;
    // The password typed here counts like the password typed on one's other pages, and
    // the code like any second-factor code.
    let limits = state.limits();
    let limited = match limits
        .password_again(state.store(), account.learner, now())
        .await
    {
        Ok(()) => {
            limits
                .second_factor(state.store(), account.learner, now())
                .await
        }
        Err(e) => Err(e),
    };
    if let Err(limited) = limited {
        return settings_again(state, session, account, limited).await;
    }
    let changed = if on {
        accounts
            .confirm_two_factor(state.store(), account, &form.current, &form.code, now())
            .await
    } else {
        accounts
            .disable_two_factor(state.store(), account, &form.current, &form.code, now())
            .await
            .map(|()| Vec::new())
    };
    let codes = match changed {
        Ok(codes) => codes,
        Err(error) => return settings_again(state, session, account, error).await,
    };
    limits
        .second_factor_passed(state.store(), account.learner)
        .await?;
    limits
        .password_again_passed(state.store(), account.learner)
        .await?;
    let ended = state
        .store()
        .end_sessions(account.learner, Some(&tokens::digest(&session.id)))
        .await?;
    let kind = if on {
        EventKind::TwoFactorOn
    } else {
        EventKind::TwoFactorOff
    };
    note(state, account.learner, kind, session, &device_of(headers)).await;
    let change = if on {
        Change::TwoFactorOn
    } else {
        Change::TwoFactorOff
    };
    crate::accounts::email::notify(state, account, change).await;
    if !on {
        return Ok(redirect_back(Some("/account/two-factor")));
    }
    let notice = match ended {
        0 => "Two-factor sign-in is on.".to_owned(),
        1 => "Two-factor sign-in is on, and your other session was ended.".to_owned(),
        n => format!("Two-factor sign-in is on, and your {n} other sessions were ended."),
    };
    let page = settings_page(
        state,
        session,
        account,
        FieldErrors::default(),
        codes,
        notice,
    )
    .await?;
    Ok(render(&page))
}
