//! The settings page and its forms: theme, study settings and the interview date, fitting
//! personal parameters, and forgetting what the guides no longer have.

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::http::header::{HeaderValue, SET_COOKIE};
use axum::response::Response;
use mastery_app::settings::{self, StudyChanges};
use mastery_study::scheduler::MIN_REVIEWS_FOR_OPTIMIZATION;
use serde::Deserialize;

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::error::WebError;
use crate::guides::views::Link;
use crate::layout::{Choice, Layout, render};
use crate::security::redirect_back;
use crate::session::{Session, THEME_COOKIE};
use crate::settings::backup::restored_notice;
use crate::settings::views::{Orphan, SettingsPage, StudySettingsView};
use crate::state::AppState;

/// What the page was sent back with after a backup restore.
#[derive(Debug, Default, Deserialize)]
pub struct SettingsQuery {
    restored: Option<usize>,
    kept: Option<usize>,
}

/// `GET /settings`.
pub async fn settings(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Query(query): Query<SettingsQuery>,
) -> Result<Response, WebError> {
    let library = state.library();
    let orphans = mastery_app::marks::lost(state.store(), learner, &library.guides)
        .await?
        .into_iter()
        .map(|lost| Orphan {
            what: lost.what().to_owned(),
            guide: lost.guide,
            question: lost.question,
        })
        .collect();
    let current = session.theme.unwrap_or("system");
    let study = settings_view(&state, learner).await?;
    let page = SettingsPage {
        study,
        layout: Layout::new(&state, Some(&session), "Settings", "/settings"),
        restored: query
            .restored
            .map(|written| restored_notice(written, query.kept.unwrap_or(0)))
            .unwrap_or_default(),
        upload_limit_mib: crate::security::UPLOAD_LIMIT / (1024 * 1024),
        theme_choices: [
            ("system", "Follow the system"),
            ("light", "Light"),
            ("dark", "Dark"),
        ]
        .into_iter()
        .map(|(v, l)| Choice {
            value: v.to_owned(),
            label: l.to_owned(),
            selected: v == current,
        })
        .collect(),
        database: state.settings().database_label.clone(),
        orphans,
        guides: library
            .guides
            .iter()
            .map(|g| Link {
                url: format!("/guides/{}", g.id),
                title: g.title.clone(),
            })
            .collect(),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct ThemeForm {
    theme: String,
    back: Option<String>,
}

/// `POST /settings/theme`: remembered in a cookie for a year (`system` clears it).
pub async fn theme(
    Extension(session): Extension<Session>,
    Form(form): Form<ThemeForm>,
) -> Result<Response, WebError> {
    let secure = if session.secure { "; Secure" } else { "" };
    let cookie = match form.theme.as_str() {
        "light" | "dark" => format!(
            "{THEME_COOKIE}={}; Path=/; Max-Age=31536000; SameSite=Lax{}",
            form.theme, secure
        ),
        "system" => format!("{THEME_COOKIE}=; Path=/; Max-Age=0; SameSite=Lax{secure}"),
        other => {
            return Err(WebError::BadRequest(format!(
                "unknown theme `{other}`: use light, dark or system"
            )));
        }
    };
    let mut response = redirect_back(form.back.as_deref());
    if let Ok(v) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(SET_COOKIE, v);
    }
    Ok(response)
}

#[derive(Debug, Deserialize)]
pub struct ForgetForm {
    guide: String,
    question: String,
}

/// `POST /settings/forget`: delete the mark and note of a question the guide lost.
pub async fn forget(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Form(form): Form<ForgetForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    mastery_app::marks::forget(
        state.store(),
        learner,
        &library.guides,
        &form.guide,
        &form.question,
    )
    .await?;
    Ok(redirect_back(Some("/settings")))
}

/// The learner setting that keeps a sentence about the last parameter fit.
const LAST_FIT_KEY: &str = "last-fit";

/// What the settings page shows about studying.
pub(crate) async fn settings_view(
    state: &AppState,
    learner: LearnerId,
) -> Result<StudySettingsView, WebError> {
    let (settings, offset) = settings::load_settings(state.store(), learner).await?;
    Ok(StudySettingsView {
        desired_retention: format!("{:.2}", settings.desired_retention),
        new_per_day: settings.new_per_day,
        reviews_per_day: settings.reviews_per_day,
        day_start_hour: settings.day_start_hour,
        utc_offset_minutes: offset,
        interview_date: settings::interview_date(state.store(), learner)
            .await?
            .unwrap_or_default(),
        training_reviews: settings::training_review_count(state.store(), learner).await?,
        min_reviews: MIN_REVIEWS_FOR_OPTIMIZATION,
        personal_parameters: settings.parameters.is_some(),
        last_fit: state
            .store()
            .learner_setting(learner, LAST_FIT_KEY)
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
    Learner(learner): Learner,
    Form(form): Form<StudyForm>,
) -> Result<Response, WebError> {
    let changes = StudyChanges {
        desired_retention: form.desired_retention,
        new_per_day: form.new_per_day,
        reviews_per_day: form.reviews_per_day,
        day_start_hour: form.day_start_hour,
        utc_offset_minutes: form.utc_offset_minutes,
        interview_date: form.interview_date,
    };
    settings::update_study(state.store(), learner, &changes).await?;
    Ok(redirect_back(Some("/settings#study-title")))
}

/// `POST /settings/optimize`: fits personal parameters and records the outcome.
pub async fn optimize(
    State(state): State<AppState>,
    Learner(learner): Learner,
) -> Result<Response, WebError> {
    // Fitting uses every core: one at a time for the whole server (several learners of a
    // multi-user site cannot stack fits up), on a blocking thread so requests keep being
    // served.
    let Ok(_fitting) = state.optimizing().try_acquire() else {
        return Err(WebError::TooManyRequests(
            "another fit of scheduler parameters is running; try again in a minute".into(),
        ));
    };
    let (store, learner) = (state.shared_store(), learner);
    let handle = tokio::runtime::Handle::current();
    let fitted = tokio::task::spawn_blocking(move || {
        handle.block_on(settings::fit_parameters(store.as_ref(), learner))
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
        .set_learner_setting(learner, LAST_FIT_KEY, &sentence)
        .await?;
    Ok(redirect_back(Some("/settings#study-title")))
}
