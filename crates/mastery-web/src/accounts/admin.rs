//! The admin's pages: every account (role, disable, reset the password, delete), the site
//! rules (registration, private site) and invitations.

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use mastery_app::accounts::{Registration, Site};
use mastery_storage::{LearnerId, Role};
use serde::Deserialize;

use crate::access::{Admin, account_service};
use crate::accounts::own::utc;
use crate::accounts::views::{AdminInvitesPage, AdminUsersPage, InviteRow, UserRow};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::layout::{Choice, Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

const DAY: i64 = 24 * 60 * 60 * 1000;

async fn users_page(
    state: &AppState,
    session: &Session,
    me: LearnerId,
    notice: String,
    temporary: Option<(String, String)>,
) -> Result<AdminUsersPage, WebError> {
    let site = state.site().await?;
    let users = state
        .store()
        .accounts()
        .await?
        .into_iter()
        .map(|a| UserRow {
            id: a.learner.0,
            username: a.username,
            email: a.email.unwrap_or_default(),
            role_choices: Role::ALL
                .iter()
                .map(|r| Choice {
                    value: r.as_str().to_owned(),
                    label: r.as_str().to_owned(),
                    selected: *r == a.role,
                })
                .collect(),
            created: when_day(a.created_at),
            disabled: a.disabled_at.is_some(),
            is_me: a.learner == me,
        })
        .collect();
    let labels = [
        (Registration::Open, "Anyone (open registration)"),
        (Registration::Invitation, "Whoever has an invitation link"),
        (Registration::Closed, "Nobody: admins create accounts"),
    ];
    Ok(AdminUsersPage {
        layout: Layout::new(state, Some(session), "Accounts", "/admin/users"),
        users,
        registration_choices: labels
            .iter()
            .map(|(r, label)| Choice {
                value: r.as_str().to_owned(),
                label: (*label).to_owned(),
                selected: *r == site.registration,
            })
            .collect(),
        private: site.private,
        staff_two_factor: site.staff_two_factor,
        notice,
        temporary,
    })
}

fn when_day(ms: mastery_storage::Millis) -> String {
    crate::interviews::time::when(ms, 0).date
}

/// `GET /admin/users`.
pub async fn users(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(me): Admin,
) -> Result<Response, WebError> {
    let page = users_page(&state, &session, me.account.learner, String::new(), None).await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct SiteForm {
    registration: String,
    private: Option<String>,
    staff_two_factor: Option<String>,
}

/// `POST /admin/site`: registration mode, private site, two factors for moderators and
/// admins.
pub async fn site(
    State(state): State<AppState>,
    Admin(_): Admin,
    Form(form): Form<SiteForm>,
) -> Result<Response, WebError> {
    let site = Site {
        registration: Registration::parse(&form.registration)?,
        private: form.private.is_some(),
        staff_two_factor: form.staff_two_factor.is_some(),
    };
    state.save_site(site).await?;
    Ok(redirect_back(Some("/admin/users")))
}

#[derive(Debug, Deserialize)]
pub struct RoleForm {
    role: String,
}

/// The account an admin names in the path: only accounts (404 for anything else).
async fn target(state: &AppState, id: i64) -> Result<LearnerId, WebError> {
    let learner = LearnerId(id);
    state
        .store()
        .account(learner)
        .await?
        .map(|a| a.learner)
        .ok_or_else(|| WebError::NotFound("there is no such account".into()))
}

/// `POST /admin/users/{id}/role`.
pub async fn set_role(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<i64>,
    Form(form): Form<RoleForm>,
) -> Result<Response, WebError> {
    let learner = target(&state, id).await?;
    let role = Role::parse(&form.role)?;
    account_service(&state)?
        .set_role(state.store(), learner, role)
        .await?;
    Ok(redirect_back(Some("/admin/users")))
}

/// `POST /admin/users/{id}/disable`: the account cannot sign in; its sessions end now.
pub async fn disable(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_disabled(&state, id, true).await
}

/// `POST /admin/users/{id}/enable`.
pub async fn enable(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    set_disabled(&state, id, false).await
}

async fn set_disabled(state: &AppState, id: i64, disabled: bool) -> Result<Response, WebError> {
    let learner = target(state, id).await?;
    account_service(state)?
        .set_disabled(state.store(), learner, disabled, now())
        .await?;
    Ok(redirect_back(Some("/admin/users")))
}

/// `POST /admin/users/{id}/reset-password`: a random password, shown once to the admin;
/// every session of the account ends and its access tokens are revoked.
pub async fn reset_password(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(me): Admin,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    let learner = target(&state, id).await?;
    let password =
        mastery_app::accounts::password::generate().map_err(|e| WebError::Internal(e.into()))?;
    account_service(&state)?
        .reset_password(state.store(), learner, &password, now())
        .await?;
    crate::accounts::activity::note(
        &state,
        learner,
        mastery_app::accounts::events::EventKind::PasswordChanged,
        &session,
        "reset by an admin",
    )
    .await;
    let account = state.store().account(learner).await?;
    if let Some(account) = &account {
        crate::accounts::email::notify(
            &state,
            account,
            mastery_app::accounts::email::Change::Password,
        )
        .await;
    }
    let name = account.map(|a| a.username).unwrap_or_default();
    let page = users_page(
        &state,
        &session,
        me.account.learner,
        String::new(),
        Some((name, password)),
    )
    .await?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct DeleteForm {
    confirm: Option<String>,
}

/// `POST /admin/users/{id}/delete`: the account and all its data (the `confirm` box must be
/// ticked).
pub async fn delete(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<i64>,
    Form(form): Form<DeleteForm>,
) -> Result<Response, WebError> {
    if form.confirm.is_none() {
        return Err(WebError::BadRequest(
            "tick the box to confirm the deletion".into(),
        ));
    }
    let learner = target(&state, id).await?;
    account_service(&state)?
        .delete(state.store(), learner)
        .await?;
    Ok(redirect_back(Some("/admin/users")))
}

async fn invites_page(
    state: &AppState,
    session: &Session,
    new_link: Option<String>,
    error: Option<String>,
) -> Result<AdminInvitesPage, WebError> {
    let now = now();
    let invites = state
        .store()
        .invites()
        .await?
        .into_iter()
        .map(|i| InviteRow {
            id: i.id,
            label: if i.label.is_empty() {
                format!("#{}", i.id)
            } else {
                i.label.clone()
            },
            created: utc(i.created_at),
            expires: utc(i.expires_at),
            uses: format!("{} of {}", i.uses, i.max_uses),
            status: i.status(now).to_owned(),
            usable: i.usable(now),
        })
        .collect();
    Ok(AdminInvitesPage {
        layout: Layout::new(state, Some(session), "Invitations", "/admin/invites"),
        invites,
        new_link,
        error,
    })
}

/// `GET /admin/invites`.
pub async fn invites(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(_): Admin,
) -> Result<Response, WebError> {
    Ok(render(&invites_page(&state, &session, None, None).await?))
}

#[derive(Debug, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    label: String,
    days: String,
    uses: String,
}

/// `POST /admin/invites`: a new invitation; its link is shown once.
pub async fn create_invite(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Admin(me): Admin,
    headers: axum::http::HeaderMap,
    Form(form): Form<InviteForm>,
) -> Result<Response, WebError> {
    let parsed = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=365).contains(d))
        .zip(form.uses.trim().parse::<i64>().ok());
    let Some((days, uses)) = parsed else {
        let page = invites_page(
            &state,
            &session,
            None,
            Some(
                "An invitation is valid for 1 to 365 days and admits a whole number of accounts."
                    .into(),
            ),
        )
        .await?;
        return Ok(form_with_errors(render(&page)));
    };
    let now = now();
    let created = account_service(&state)?
        .create_invite(
            state.store(),
            Some(me.account.learner),
            &form.label,
            now + days * DAY,
            uses,
            now,
        )
        .await;
    match created {
        Ok(new) => {
            let link = crate::security::absolute_url(
                &session,
                &headers,
                &format!("/sign-up?invite={}", new.token),
            );
            Ok(render(
                &invites_page(&state, &session, Some(link), None).await?,
            ))
        }
        Err(mastery_app::AppError::Invalid(message)) => {
            let page = invites_page(&state, &session, None, Some(message)).await?;
            let mut response = form_with_errors(render(&page));
            *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
            Ok(response)
        }
        Err(other) => Err(other.into()),
    }
}

/// `POST /admin/invites/{id}/revoke`.
pub async fn revoke_invite(
    State(state): State<AppState>,
    Admin(_): Admin,
    Path(id): Path<i64>,
) -> Result<Response, WebError> {
    if !state.store().revoke_invite(id, now()).await? {
        return Err(WebError::NotFound(
            "there is no such invitation, or it was revoked already".into(),
        ));
    }
    Ok(redirect_back(Some("/admin/invites")))
}
