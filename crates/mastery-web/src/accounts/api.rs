//! The account API: who am I, and my data (multi-user mode; 404 on a personal server).

use axum::Json;
use axum::extract::State;
use mastery_app::accounts::your_data;
use serde::Serialize;
use utoipa::ToSchema;

use crate::access::Account;
use crate::error::{ErrorBody, WebError};
use crate::state::{AppState, now};

/// The signed-in account.
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountDto {
    /// The public handle.
    username: String,
    /// `learner`, `moderator` or `admin`.
    role: String,
    /// The private e-mail address, if set.
    email: Option<String>,
    /// When the account was created (ms since the Unix epoch).
    created_at: i64,
}

/// The signed-in account.
#[utoipa::path(get, path = "/api/v1/account", tag = "account",
    responses((status = 200, body = AccountDto, description = "The account of this session"),
        (status = 401, body = ErrorBody, description = "Not signed in"),
        (status = 404, body = ErrorBody, description = "A personal server: there are no accounts")))]
pub(crate) async fn get_account(Account(user): Account) -> Json<AccountDto> {
    let a = &user.account;
    Json(AccountDto {
        username: a.username.clone(),
        role: a.role.as_str().to_owned(),
        email: a.email.clone(),
        created_at: a.created_at,
    })
}

/// Everything Mastery stores about the signed-in learner, as the versioned document of
/// `docs/your-data.md` (`schema` = `mastery.learner-data`).
#[utoipa::path(get, path = "/api/v1/account/data", tag = "account",
    responses((status = 200, body = serde_json::Value, description = "The document"),
        (status = 401, body = ErrorBody, description = "Not signed in"),
        (status = 404, body = ErrorBody, description = "A personal server: there are no accounts")))]
pub(crate) async fn get_account_data(
    State(state): State<AppState>,
    Account(user): Account,
) -> Result<Json<serde_json::Value>, WebError> {
    Ok(Json(
        your_data::export(state.store(), user.account.learner, now()).await?,
    ))
}
