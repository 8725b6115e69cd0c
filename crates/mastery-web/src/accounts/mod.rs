//! Accounts (multi-user mode): signing up, in and out, the setup link, one's own account
//! (e-mail, password, sessions, data, deletion), two-factor sign-in, personal access
//! tokens, single sign-on with an OpenID provider, the security activity page, the admin's pages (accounts, site rules,
//! invitations) and the account API. On a personal server every route here answers 404.

pub(crate) mod activity;
pub(crate) mod admin;
pub(crate) mod api;
pub(crate) mod devices;
pub(crate) mod email;
pub(crate) mod entry;
pub(crate) mod own;
pub(crate) mod second_factor;
pub mod single_sign_on;
pub(crate) mod tokens;
pub(crate) mod views;

use axum::Router;
use axum::routing::{get, post};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::state::AppState;

/// The account pages and their form posts. Who may use each: anyone for sign-in, sign-up
/// and setup; a signed-in account for `/sign-out` and `/account/*`; an admin for
/// `/admin/*` (see `access`).
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/sign-in", get(entry::sign_in_form).post(entry::sign_in))
        .route("/sign-in/two-factor", post(entry::sign_in_code))
        .route("/sign-in/sso", post(single_sign_on::start))
        .route("/sign-in/sso/callback", get(single_sign_on::callback))
        .route("/sign-in/sso/link", post(single_sign_on::link))
        .route("/sign-out", post(entry::sign_out))
        .route("/sign-up", get(entry::sign_up_form).post(entry::sign_up))
        .route("/setup/{token}", get(entry::setup_form).post(entry::setup))
        .route("/account", get(own::account))
        .route("/account/email", post(own::set_email))
        .route("/account/email/verify", post(email::send_verification))
        .route("/account/email/verify/{token}", get(email::verify))
        .route(
            "/forgot-password",
            get(email::forgot_form).post(email::forgot),
        )
        .route(
            "/reset-password/{token}",
            get(email::reset_form).post(email::reset),
        )
        .route("/account/password", post(own::change_password))
        .route("/account/sessions/end", post(own::end_session))
        .route(
            "/account/sessions/end-others",
            post(own::end_other_sessions),
        )
        .route("/account/data.json", get(own::download_data))
        .route(
            "/account/two-factor",
            get(second_factor::settings).post(second_factor::enrol),
        )
        .route("/account/two-factor/disable", post(second_factor::disable))
        .route("/account/tokens", get(tokens::list).post(tokens::create))
        .route("/account/tokens/{id}/revoke", post(tokens::revoke))
        .route("/account/security", get(activity::security))
        .route("/account/delete", post(own::delete_account))
        .route("/account/profile", post(own::save_profile))
        .route("/admin/users", get(admin::users))
        .route("/admin/site", post(admin::site))
        .route("/admin/users/{id}/role", post(admin::set_role))
        .route("/admin/users/{id}/disable", post(admin::disable))
        .route("/admin/users/{id}/enable", post(admin::enable))
        .route(
            "/admin/users/{id}/reset-password",
            post(admin::reset_password),
        )
        .route("/admin/users/{id}/delete", post(admin::delete))
        .route(
            "/admin/invites",
            get(admin::invites).post(admin::create_invite),
        )
        .route("/admin/invites/{id}/revoke", post(admin::revoke_invite))
}

/// The account API.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(api::get_account))
        .routes(routes!(api::get_account_data))
}
