//! Study settings, the interview date, personal parameters and the readiness page.

use axum::Extension;
use axum::extract::{Form, State};
use axum::response::Response;
use mastery_app::date_plan::{self, Readiness};
use mastery_app::study::{load_settings, save_settings};
use mastery_study::scheduler::MIN_REVIEWS_FOR_OPTIMIZATION;
use serde::Deserialize;

use crate::error::WebError;
use crate::security::{Session, redirect_back};
use crate::views::{Layout, render};
use crate::{AppState, now};

/// The learner setting that keeps a sentence about the last parameter fit.
const LAST_FIT_KEY: &str = "last-fit";

/// The study part of the settings page.
#[derive(Debug, Clone, Default)]
pub struct StudySettingsView {
    pub desired_retention: String,
    pub new_per_day: u32,
    pub reviews_per_day: u32,
    pub day_start_hour: u8,
    pub utc_offset_minutes: i32,
    pub interview_date: String,
    pub training_reviews: usize,
    pub min_reviews: usize,
    pub personal_parameters: bool,
    pub last_fit: String,
}

/// What the settings page shows about studying.
pub(crate) async fn settings_view(state: &AppState) -> Result<StudySettingsView, WebError> {
    let (settings, offset) = load_settings(state.store(), state.learner()).await?;
    Ok(StudySettingsView {
        desired_retention: format!("{:.2}", settings.desired_retention),
        new_per_day: settings.new_per_day,
        reviews_per_day: settings.reviews_per_day,
        day_start_hour: settings.day_start_hour,
        utc_offset_minutes: offset,
        interview_date: date_plan::interview_date(state.store(), state.learner())
            .await?
            .unwrap_or_default(),
        training_reviews: date_plan::training_review_count(state.store(), state.learner()).await?,
        min_reviews: MIN_REVIEWS_FOR_OPTIMIZATION,
        personal_parameters: settings.parameters.is_some(),
        last_fit: state
            .store()
            .learner_setting(state.learner(), LAST_FIT_KEY)
            .await?
            .unwrap_or_default(),
    })
}

#[derive(Debug, Deserialize)]
pub struct StudyForm {
    desired_retention: f32,
    new_per_day: u32,
    reviews_per_day: u32,
    day_start_hour: u8,
    #[serde(default)]
    utc_offset_minutes: i32,
    #[serde(default)]
    interview_date: String,
}

/// `POST /settings/study`.
pub async fn save(
    State(state): State<AppState>,
    Form(form): Form<StudyForm>,
) -> Result<Response, WebError> {
    if !form.interview_date.trim().is_empty()
        && date_plan::days_from_civil(&form.interview_date).is_none()
    {
        return Err(WebError::BadRequest(format!(
            "`{}` is not a date: use YYYY-MM-DD",
            form.interview_date.trim()
        )));
    }
    let (mut settings, _) = load_settings(state.store(), state.learner()).await?;
    settings.desired_retention = form.desired_retention;
    settings.new_per_day = form.new_per_day;
    settings.reviews_per_day = form.reviews_per_day;
    settings.day_start_hour = form.day_start_hour;
    save_settings(
        state.store(),
        state.learner(),
        &settings,
        form.utc_offset_minutes,
    )
    .await?;
    date_plan::set_interview_date(state.store(), state.learner(), &form.interview_date).await?;
    Ok(redirect_back(Some("/settings#study-title")))
}

/// `POST /settings/optimize`: fits personal parameters and records the outcome.
pub async fn optimize(State(state): State<AppState>) -> Result<Response, WebError> {
    // Fitting is CPU-bound: run it on a blocking thread so requests keep being served.
    let (store, learner) = (state.shared_store(), state.learner());
    let handle = tokio::runtime::Handle::current();
    let fitted = tokio::task::spawn_blocking(move || {
        handle.block_on(date_plan::fit_parameters(store.as_ref(), learner))
    })
    .await
    .map_err(|e| WebError::Internal(anyhow::anyhow!("parameter fitting stopped: {e}")))?;
    let sentence = match fitted {
        Ok(fit) => format!(
            "Fitted on {} reviews: log loss {:.4} with the previous parameters, {:.4} with the fitted ones ({}).",
            fit.reviews,
            fit.log_loss_before,
            fit.log_loss_after,
            if fit.improved() {
                "saved: they predict your reviews better"
            } else {
                "not saved: they were not better"
            }
        ),
        Err(mastery_app::AppError::Invalid(message)) => format!("Not fitted: {message}."),
        Err(other) => return Err(other.into()),
    };
    state
        .store()
        .set_learner_setting(state.learner(), LAST_FIT_KEY, &sentence)
        .await?;
    Ok(redirect_back(Some("/settings#study-title")))
}

#[derive(askama::Template)]
#[template(path = "readiness.html")]
pub struct ReadinessPage {
    pub layout: Layout,
    pub readiness: Option<ReadinessView>,
}

#[derive(Debug, Clone)]
pub struct SectionRow {
    pub guide: String,
    pub section: String,
    pub section_id: String,
    pub percent: usize,
    pub studied: usize,
    pub cards: usize,
}

#[derive(Debug, Clone)]
pub struct WeakRow {
    pub url: String,
    pub title: String,
    pub recall: String,
}

#[derive(Debug, Clone)]
pub struct ReadinessView {
    pub date: String,
    pub days_left: i64,
    pub sections: Vec<SectionRow>,
    pub weakest: Vec<WeakRow>,
}

fn view(r: Readiness) -> ReadinessView {
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let percent = |x: f32| (x.clamp(0.0, 1.0) * 100.0).round() as usize;
    ReadinessView {
        date: r.date,
        days_left: r.days_left,
        sections: r
            .sections
            .into_iter()
            .map(|(guide, section, s)| SectionRow {
                guide,
                section,
                section_id: s.section.clone(),
                percent: percent(s.mean_recall),
                studied: s.studied,
                cards: s.cards,
            })
            .collect(),
        weakest: r
            .weakest
            .into_iter()
            .map(|(key, title, recall)| WeakRow {
                url: format!("/guides/{}/{}", key.guide, key.question),
                title,
                recall: recall.map_or_else(
                    || "not studied yet".to_owned(),
                    |r| format!("{}%", percent(r)),
                ),
            })
            .collect(),
    }
}

/// `GET /study/readiness`.
pub async fn readiness(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let library = state.library();
    let r = date_plan::readiness(state.store(), state.learner(), &library.guides, now()).await?;
    Ok(render(&ReadinessPage {
        layout: Layout::new(
            &state,
            Some(&session),
            "Interview readiness",
            "/study/readiness",
        ),
        readiness: r.map(view),
    }))
}
