//! The study settings API (`GET`/`PUT /api/v1/study/settings`): retention, limits, steps
//! and the interview date.

use axum::Json;
use axum::extract::State;
use mastery_app::settings::{self, StudyChanges};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ErrorBody, WebError};
use crate::state::AppState;

/// A learner's study settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudySettingsDto {
    /// Predicted recall at which a question comes due (0.70 to 0.99).
    desired_retention: f32,
    /// New questions introduced per day.
    new_per_day: u32,
    /// Review cards shown per day.
    reviews_per_day: u32,
    /// Local hour at which a new study day starts (0 to 23).
    day_start_hour: u8,
    /// The learner's UTC offset in minutes (east positive).
    utc_offset_minutes: i32,
    /// The interview date (`YYYY-MM-DD`), or an empty string for none.
    interview_date: String,
    /// Whether personal FSRS parameters are in use (read-only; fit them with
    /// `mastery optimize` or the settings page).
    #[serde(default)]
    personal_parameters: bool,
}

pub(crate) async fn current_settings(state: &AppState) -> Result<StudySettingsDto, WebError> {
    let (s, offset) = mastery_app::study::load_settings(state.store(), state.learner()).await?;
    Ok(StudySettingsDto {
        desired_retention: s.desired_retention,
        new_per_day: s.new_per_day,
        reviews_per_day: s.reviews_per_day,
        day_start_hour: s.day_start_hour,
        utc_offset_minutes: offset,
        interview_date: mastery_app::date_plan::interview_date(state.store(), state.learner())
            .await?
            .unwrap_or_default(),
        personal_parameters: s.parameters.is_some(),
    })
}

/// The learner's study settings.
#[utoipa::path(get, path = "/api/v1/study/settings", tag = "study", responses((status = 200, body = StudySettingsDto)))]
pub(crate) async fn get_study_settings(
    State(state): State<AppState>,
) -> Result<Json<StudySettingsDto>, WebError> {
    Ok(Json(current_settings(&state).await?))
}

/// Saves the learner's study settings (all fields; `personal_parameters` is ignored).
#[utoipa::path(put, path = "/api/v1/study/settings", tag = "study",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = StudySettingsDto,
    responses((status = 200, body = StudySettingsDto), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody)))]
pub(crate) async fn put_study_settings(
    State(state): State<AppState>,
    Json(body): Json<StudySettingsDto>,
) -> Result<Json<StudySettingsDto>, WebError> {
    let changes = StudyChanges {
        desired_retention: body.desired_retention,
        new_per_day: body.new_per_day,
        reviews_per_day: body.reviews_per_day,
        day_start_hour: body.day_start_hour,
        utc_offset_minutes: body.utc_offset_minutes,
        interview_date: body.interview_date,
    };
    settings::update_study(state.store(), state.learner(), &changes).await?;
    Ok(Json(current_settings(&state).await?))
}
