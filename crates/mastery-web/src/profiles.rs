//! Public profiles and the leaderboard (multi-user mode, both opt-in): `/members/{username}`,
//! `/leaderboard` and their JSON. The rules live in `mastery_app::profiles`; the settings
//! are on the account page (`accounts/own.rs`). On a personal server every route answers
//! 404.

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use axum::routing::get;
use axum::{Extension, Json, Router};
use mastery_app::profiles::{self, Profile, Standing};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::access::Account;
use crate::community::pages::reader;
use crate::error::{ErrorBody, WebError};
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

/// The pages.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/members/{username}", get(member))
        .route("/leaderboard", get(leaderboard))
}

/// The JSON API's part.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(member_json))
        .routes(routes!(leaderboard_json))
        .routes(routes!(get_settings, put_settings))
}

#[derive(Template)]
#[template(path = "member.html")]
struct MemberPage {
    layout: Layout,
    profile: Profile,
    own: bool,
}

/// `GET /members/{username}`: a public profile; 404 when it is not public.
async fn member(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(username): Path<String>,
) -> Result<Response, WebError> {
    let user = reader(&state, &session)?;
    let library = state.library();
    let profile = profiles::profile(state.store(), &library.guides, &username, now()).await?;
    let own = profiles::is_own(user.as_ref().map(|u| &u.account), &profile);
    Ok(render(&MemberPage {
        layout: Layout::new(
            &state,
            Some(&session),
            profile.name.clone(),
            format!("/members/{}", profile.username),
        ),
        own,
        profile,
    }))
}

#[derive(Template)]
#[template(path = "leaderboard.html")]
struct LeaderboardPage {
    layout: Layout,
    rows: Vec<Standing>,
    signed_in: bool,
}

/// How long a computed leaderboard is served before it is computed again.
const LEADERBOARD_FOR: std::time::Duration = std::time::Duration::from_secs(60);

/// The leaderboard: computed at most once a minute (concurrent requests wait for that one
/// computation), then filtered by who is on it now, so that leaving it takes effect at
/// once.
async fn standings(state: &AppState) -> Result<Vec<Standing>, WebError> {
    let rows = {
        let mut kept = state.leaderboard_cache().lock().await;
        match kept.as_ref() {
            Some((at, rows)) if at.elapsed() < LEADERBOARD_FOR => rows.clone(),
            _ => {
                let rows = profiles::leaderboard(state.store(), now()).await?;
                *kept = Some((std::time::Instant::now(), rows.clone()));
                rows
            }
        }
    };
    Ok(profiles::still_on_leaderboard(state.store(), rows).await?)
}

/// `GET /leaderboard`: the members who joined it, by current streak.
async fn leaderboard(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let user = reader(&state, &session)?;
    let rows = standings(&state).await?;
    Ok(render(&LeaderboardPage {
        layout: Layout::new(&state, Some(&session), "Leaderboard", "/leaderboard"),
        rows,
        signed_in: user.is_some(),
    }))
}

/// Questions mastered in one guide.
#[derive(Debug, Serialize, ToSchema)]
pub struct GuideProgressDto {
    title: String,
    mastered: usize,
    questions: usize,
}

/// A public profile.
#[derive(Debug, Serialize, ToSchema)]
pub struct ProfileDto {
    username: String,
    /// The display name, or the username.
    name: String,
    /// Days in a row with a review, up to today (or yesterday while today has none yet).
    current_streak: usize,
    longest_streak: usize,
    guides: Vec<GuideProgressDto>,
    /// Mock interviews finished.
    interviews: usize,
    accepted_suggestions: i64,
    on_leaderboard: bool,
}

/// A member's public profile (404 when there is no such member or the profile is private).
#[utoipa::path(get, path = "/api/v1/members/{username}", operation_id = "get_member", tag = "community",
    params(("username" = String, Path, description = "Username", max_length = 32)),
    responses((status = 200, body = ProfileDto, description = "The profile"),
        (status = 404, body = ErrorBody, description = "A personal server, no such member, or a private profile")))]
async fn member_json(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(username): Path<String>,
) -> Result<Json<ProfileDto>, WebError> {
    reader(&state, &session)?;
    let library = state.library();
    let p = profiles::profile(state.store(), &library.guides, &username, now()).await?;
    Ok(Json(ProfileDto {
        username: p.username,
        name: p.name,
        current_streak: p.streak.current,
        longest_streak: p.streak.longest,
        guides: p
            .guides
            .into_iter()
            .map(|g| GuideProgressDto {
                title: g.title,
                mastered: g.mastered,
                questions: g.questions,
            })
            .collect(),
        interviews: p.interviews,
        accepted_suggestions: p.accepted_suggestions,
        on_leaderboard: p.on_leaderboard,
    }))
}

/// A place on the leaderboard.
#[derive(Debug, Serialize, ToSchema)]
pub struct StandingDto {
    /// 1 for the first; equal streaks share a place.
    place: usize,
    username: String,
    name: String,
    current_streak: usize,
}

/// The leaderboard: members who joined it, by current streak (at most 100; computed at most
/// once a minute).
#[utoipa::path(get, path = "/api/v1/leaderboard", operation_id = "get_leaderboard", tag = "community",
    responses((status = 200, body = Vec<StandingDto>, description = "Best first"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
async fn leaderboard_json(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Json<Vec<StandingDto>>, WebError> {
    reader(&state, &session)?;
    let rows = standings(&state).await?;
    Ok(Json(
        rows.into_iter()
            .map(|s| StandingDto {
                place: s.place,
                username: s.username,
                name: s.name,
                current_streak: s.current,
            })
            .collect(),
    ))
}

/// What a member shows of themselves.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ProfileSettingsDto {
    /// The profile page is public.
    public: bool,
    /// Shown instead of the username (1 to 60 characters), or none.
    #[schema(max_length = 60)]
    display_name: Option<String>,
    /// On the leaderboard (needs `public`).
    leaderboard: bool,
}

/// One's own profile settings.
#[utoipa::path(get, path = "/api/v1/account/profile", operation_id = "get_profile_settings", tag = "account",
    responses((status = 200, body = ProfileSettingsDto, description = "The settings"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
async fn get_settings(
    State(state): State<AppState>,
    Account(user): Account,
) -> Result<Json<ProfileSettingsDto>, WebError> {
    let s = profiles::settings(state.store(), user.account.learner).await?;
    Ok(Json(ProfileSettingsDto {
        public: s.public,
        display_name: s.display_name,
        leaderboard: s.leaderboard,
    }))
}

/// Changes what one shows: a public profile, a display name, the leaderboard.
#[utoipa::path(put, path = "/api/v1/account/profile", operation_id = "put_profile_settings", tag = "account",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = ProfileSettingsDto,
    responses((status = 200, body = ProfileSettingsDto, description = "The settings now"),
        (status = 404, body = ErrorBody, description = "A personal server")))]
async fn put_settings(
    State(state): State<AppState>,
    Account(user): Account,
    Json(body): Json<ProfileSettingsDto>,
) -> Result<Json<ProfileSettingsDto>, WebError> {
    let wanted = profiles::ProfileSettings {
        public: body.public,
        display_name: body.display_name,
        leaderboard: body.leaderboard,
    };
    profiles::save_settings(state.store(), user.account.learner, &wanted).await?;
    *state.leaderboard_cache().lock().await = None;
    let s = profiles::settings(state.store(), user.account.learner).await?;
    Ok(Json(ProfileSettingsDto {
        public: s.public,
        display_name: s.display_name,
        leaderboard: s.leaderboard,
    }))
}
