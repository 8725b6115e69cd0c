//! The study settings API (`GET`/`PUT /api/v1/study/settings`): retention, limits, steps
//! and the interview date.

use axum::Json;
use axum::extract::State;
use mastery_app::settings::{self, StudyChanges};
use mastery_study::scheduler::settings::DESIRED_RETENTION_RANGE;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::error::{ErrorBody, WebError};
use crate::state::AppState;

/// A learner's study settings.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudySettingsDto {
    /// Predicted recall at which a question comes due (0.70 to 0.99).
    #[schema(minimum = 0.7, maximum = 0.99)]
    desired_retention: f64,
    /// New questions introduced per day.
    #[schema(format = Int64, maximum = 4294967295_u64)]
    #[serde(deserialize_with = "crate::whole::de")]
    new_per_day: u32,
    /// Review cards shown per day.
    #[schema(format = Int64, maximum = 4294967295_u64)]
    #[serde(deserialize_with = "crate::whole::de")]
    reviews_per_day: u32,
    /// Local hour at which a new study day starts (0 to 23).
    #[schema(minimum = 0, maximum = 23)]
    #[serde(deserialize_with = "crate::whole::de")]
    day_start_hour: u8,
    /// The learner's UTC offset in minutes (east positive), -840 to 840.
    #[schema(minimum = -840, maximum = 840)]
    #[serde(deserialize_with = "crate::whole::de")]
    utc_offset_minutes: i32,
    /// The interview date (`YYYY-MM-DD`, a real date from 1970 to 2200), or an empty string
    /// for none.
    #[schema(
        pattern = "^(?:|(?:19[7-9][0-9]|20[0-9]{2}|21[0-9]{2}|2200)-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12][0-9]|3[01])|(?:0[469]|11)-(?:0[1-9]|[12][0-9]|30)|02-(?:0[1-9]|1[0-9]|2[0-8]))|(?:19(?:7[26]|8[048]|9[26])|20(?:[02468][048]|[13579][26])|21(?:0[48]|[2468][048]|[13579][26]))-02-29)$"
    )]
    interview_date: String,
    /// Whether personal FSRS parameters are in use (read-only: ignored when sent; fit them
    /// with `mastery optimize` or the settings page).
    #[serde(default)]
    #[schema(read_only)]
    personal_parameters: bool,
}

/// An `f32` setting as the `f64` its shortest decimal form names (`0.7_f32` is
/// 0.699999988…; this gives 0.7), so JSON shows what was saved.
pub(crate) fn decimal(value: f32) -> f64 {
    value.to_string().parse().unwrap_or(f64::from(value))
}

/// The desired retention sent, checked as sent (`0.990000001` is above 0.99, even though
/// it rounds to 0.99 as an `f32`).
fn retention(value: f64) -> Result<f32, WebError> {
    let (low, high) = (
        decimal(*DESIRED_RETENTION_RANGE.start()),
        decimal(*DESIRED_RETENTION_RANGE.end()),
    );
    if (low..=high).contains(&value) {
        Ok(value as f32)
    } else {
        Err(WebError::BadRequest(format!(
            "invalid study settings: desired retention must be between {low:.2} and {high:.2}, \
             not {value}"
        )))
    }
}

/// The interview date exactly as the document's pattern has it: empty, or `YYYY-MM-DD` with
/// nothing around it (the date itself is checked when it is saved).
fn check_date(date: &str) -> Result<(), WebError> {
    let shape = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if date.is_empty() || shape {
        Ok(())
    } else {
        Err(WebError::BadRequest(format!(
            "`{date}` is not a date: use YYYY-MM-DD"
        )))
    }
}

pub(crate) async fn current_settings(
    state: &AppState,
    learner: LearnerId,
) -> Result<StudySettingsDto, WebError> {
    let (s, offset) = settings::load_settings(state.store(), learner).await?;
    Ok(StudySettingsDto {
        desired_retention: decimal(s.desired_retention),
        new_per_day: s.new_per_day,
        reviews_per_day: s.reviews_per_day,
        day_start_hour: s.day_start_hour,
        utc_offset_minutes: offset,
        interview_date: settings::interview_date(state.store(), learner)
            .await?
            .unwrap_or_default(),
        personal_parameters: s.parameters.is_some(),
    })
}

/// The learner's study settings.
#[utoipa::path(get, path = "/api/v1/study/settings", tag = "study",
    responses((status = 200, body = StudySettingsDto, description = "The settings (the defaults until saved)")))]
pub(crate) async fn get_study_settings(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Json<StudySettingsDto>, WebError> {
    Ok(Json(current_settings(&state, learner).await?))
}

/// Saves the learner's study settings (all fields; `personal_parameters` is ignored).
#[utoipa::path(put, path = "/api/v1/study/settings", tag = "study",
    params(("X-CSRF-Token" = String, Header, description = "From GET /api/v1/session")),
    request_body = StudySettingsDto,
    responses((status = 200, body = StudySettingsDto, description = "Saved: the settings as stored"),
        (status = 400, body = ErrorBody, description = "Malformed request, or a value out of range (nothing is saved)")))]
pub(crate) async fn put_study_settings(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Json(body): Json<StudySettingsDto>,
) -> Result<Json<StudySettingsDto>, WebError> {
    check_date(&body.interview_date)?;
    let changes = StudyChanges {
        desired_retention: retention(body.desired_retention)?,
        new_per_day: body.new_per_day,
        reviews_per_day: body.reviews_per_day,
        day_start_hour: body.day_start_hour,
        utc_offset_minutes: body.utc_offset_minutes,
        interview_date: body.interview_date,
    };
    settings::update_study(state.store(), learner, &changes).await?;
    Ok(Json(current_settings(&state, learner).await?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retention_and_date_are_checked_as_sent() {
        for ok in [0.7, 0.8, 0.99] {
            assert!(retention(ok).is_ok(), "{ok}");
        }
        // Both round into the range as an f32.
        for bad in [0.990_000_001, 0.699_999_99, 1.2] {
            assert!(retention(bad).is_err(), "{bad}");
        }
        for ok in ["", "2026-01-05"] {
            assert!(check_date(ok).is_ok(), "{ok:?}");
        }
        for bad in [
            " 2026-01-05",
            "2026-1-5",
            "+2026-01-05",
            "2026-01-05 ",
            "2026/01/05",
        ] {
            assert!(check_date(bad).is_err(), "{bad:?}");
        }
        assert_eq!(decimal(0.7), 0.7);
    }
}
