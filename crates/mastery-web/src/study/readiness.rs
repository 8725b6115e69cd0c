//! The readiness page (`GET /study/readiness`): predicted recall on the interview date, per
//! section, and the weakest questions.

use axum::Extension;
use axum::extract::State;
use axum::response::Response;
use mastery_app::date_plan::{self, Readiness};

use crate::access::Learner;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

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

pub(crate) fn view(r: Readiness) -> ReadinessView {
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
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
) -> Result<Response, WebError> {
    let library = state.library();
    let r = date_plan::readiness(state.store(), learner, &library.guides, now()).await?;
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
