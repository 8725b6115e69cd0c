//! The study page: one card at a time, the answer revealed on demand, four rating buttons
//! that show the next interval, undo, and a summary when nothing is left. Works without
//! JavaScript (the answer is a `<details>`, ratings are forms); with it, Space reveals,
//! 1–4 rate and `u` undoes.

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use mastery_app::study::{self, Answer};
use mastery_content::{Level, question_path};
use mastery_storage::QuestionKey;
use mastery_study::scheduler::Rating;
use mastery_study::scheduler::label::human_interval;
use serde::Deserialize;

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::error::WebError;
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::{Session, random_hex};
use crate::state::{AppState, now};
use crate::study::params::{StudyParams, time_spent};
use crate::study::views::{Button, Graded, PredictView, StudyCard, StudyPage, kind_name};

/// `GET /study`.
pub async fn page(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Query(params): Query<StudyParams>,
) -> Result<Response, WebError> {
    build_page(&state, learner, &session, &params, None).await
}

pub(crate) async fn build_page(
    state: &AppState,
    learner: LearnerId,
    session: &Session,
    params: &StudyParams,
    graded: Option<(QuestionKey, Graded)>,
) -> Result<Response, WebError> {
    let state = state.clone();
    let library = state.library();
    let filter = params.filter()?;
    let now = now();
    let mut queue = study::queue(state.store(), learner, &library.guides, &filter, now).await?;
    // After a prediction, show the card it was about (with its verdict), wherever it is in
    // the queue.
    if let Some((key, _)) = &graded {
        queue.current =
            Some(study::card_now(state.store(), learner, &library.guides, key, now).await?);
    }
    let counts = match queue.current.as_ref() {
        Some(c) => crate::community::thread_counts(&state, c.guide.id.as_str()).await?,
        None => None,
    };
    let card = queue.current.as_ref().map(|c| StudyCard {
        discussion: crate::community::discussion_label(counts.as_ref(), c.entry.id.as_str()),
        guide: c.guide.id.to_string(),
        question: c.entry.id.to_string(),
        url: question_path(&c.guide.id, &c.entry.id),
        title_html: c.entry.title_html.clone(),
        section_title: c.section.title.clone(),
        guide_title: c.guide.title.clone(),
        level: c.entry.level().map_or("", Level::as_str),
        kind: kind_name(c.kind),
        answer_html: c.entry.answer_html.clone(),
        key_points: c.entry.key_points.iter().map(|k| k.html.clone()).collect(),
        buttons: c
            .next
            .iter()
            .map(|(rating, next)| Button {
                rating: rating.as_u8(),
                name: rating.name(),
                label: next.label.clone(),
            })
            .collect(),
        predict: c
            .entry
            .examples
            .iter()
            .enumerate()
            .find(|(_, e)| e.predict && e.expected_output.is_some())
            .map(|(i, e)| PredictView {
                example: i,
                code_html: mastery_content::highlight::highlight(&e.code, &e.language),
            }),
        graded: graded
            .as_ref()
            .filter(|(k, _)| *k == c.key)
            .map(|(_, g)| g.clone()),
    });
    let next_learning = queue
        .next_learning_due
        .map(|due| human_interval(due - now))
        .unwrap_or_default();
    let selected = filter.guide.clone();
    let page = StudyPage {
        layout: Layout::new(
            &state,
            Some(session),
            "Study",
            format!("/study{}", params.query()),
        ),
        card,
        learning: queue.learning,
        review: queue.review,
        new: queue.new,
        reviewed_today: queue.reviewed_today,
        next_learning,
        review_id: random_hex(16)?,
        shown_at: now,
        query: params.query(),
        guides: library
            .guides
            .iter()
            .map(|g| {
                (
                    g.id.to_string(),
                    g.title.clone(),
                    selected.as_deref() == Some(g.id.as_str()),
                )
            })
            .collect(),
    };
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    guide: String,
    question: String,
    rating: u8,
    review_id: String,
    shown_at: Option<i64>,
    back: Option<String>,
}

/// `POST /study/answer`: records the rating, then back to the next card.
pub async fn answer(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    let rating = Rating::from_u8(form.rating).map_err(|e| WebError::BadRequest(e.to_string()))?;
    let library = state.library();
    let now = now();
    let answer = Answer {
        key: QuestionKey::new(form.guide, form.question),
        rating,
        review_id: form.review_id,
        time_spent_ms: time_spent(form.shown_at, now),
    };
    let answered = study::answer(state.store(), learner, &library.guides, &answer, now).await?;
    state.metrics().count_answer(&answered);
    Ok(redirect_back(form.back.as_deref().or(Some("/study"))))
}

#[derive(Debug, Deserialize)]
pub struct UndoForm {
    back: Option<String>,
}

/// `POST /study/undo`: undoes the last review and shows that card again.
pub async fn undo(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Form(form): Form<UndoForm>,
) -> Result<Response, WebError> {
    study::undo(state.store(), learner).await?;
    Ok(redirect_back(form.back.as_deref().or(Some("/study"))))
}

#[derive(Debug, Deserialize)]
pub struct PredictForm {
    guide: String,
    question: String,
    example: usize,
    #[serde(default)]
    output: String,
    #[serde(default)]
    guide_filter: Option<String>,
    #[serde(default)]
    level_filter: Option<String>,
}

/// `POST /study/predict`: grades a predicted output exactly (the same rules as `mastery
/// verify`: trailing spaces and blank lines ignored, `[..]` parts of the recorded output
/// match anything) and shows the card again with the verdict and the answer.
pub async fn predict(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Form(form): Form<PredictForm>,
) -> Result<Response, WebError> {
    let library = state.library();
    let key = QuestionKey::new(form.guide, form.question);
    let entry = study::find(&library.guides, &key)?;
    let example = entry
        .examples
        .get(form.example)
        .filter(|e| e.predict)
        .ok_or_else(|| {
            WebError::BadRequest("this question has no such predict-the-output exercise".into())
        })?;
    let expected = example.expected_output.clone().unwrap_or_default();
    let typed: String = form.output.chars().take(10_000).collect();
    let graded = Graded {
        correct: mastery_content::expected::output_matches(&expected, &typed),
        expected,
        typed,
    };
    let params = StudyParams {
        guide: form.guide_filter,
        level: form.level_filter,
        ..StudyParams::default()
    };
    build_page(&state, learner, &session, &params, Some((key, graded))).await
}
