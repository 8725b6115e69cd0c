//! The study page: one card at a time, the answer revealed on demand, four rating buttons
//! that show the next interval, undo, and a summary when nothing is left. Works without
//! JavaScript (the answer is a `<details>`, ratings are forms); with it, Space reveals,
//! 1–4 rate and `u` undoes.

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use mastery_app::study::{self, Answer, Filter};
use mastery_content::{Level, question_path};
use mastery_storage::QuestionKey;
use mastery_study::scheduler::Rating;
use mastery_study::scheduler::label::human_interval;
use serde::Deserialize;

use crate::error::WebError;
use crate::security::{Session, random_hex, redirect_back};
use crate::views::{Layout, render};
use crate::{AppState, now};

/// The filters of a study session, as query parameters.
#[derive(Debug, Default, Clone, Deserialize, utoipa::IntoParams)]
pub struct StudyParams {
    /// Only this guide id.
    pub guide: Option<String>,
    /// Only this section id.
    pub section: Option<String>,
    /// Only this level: junior, confirmed or senior.
    pub level: Option<String>,
    /// Only questions with this tag.
    pub tag: Option<String>,
}

impl StudyParams {
    pub(crate) fn filter(&self) -> Result<Filter, WebError> {
        let some = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let levels = match some(&self.level) {
            Some(l) => vec![Level::parse(&l).ok_or_else(|| {
                WebError::BadRequest(format!(
                    "unknown level `{l}`: use junior, confirmed or senior"
                ))
            })?],
            None => Vec::new(),
        };
        Ok(Filter {
            guide: some(&self.guide),
            sections: some(&self.section).into_iter().collect(),
            levels,
            tags: some(&self.tag).into_iter().collect(),
        })
    }

    /// The query string that keeps these filters (`?guide=…&level=…`).
    pub(crate) fn query(&self) -> String {
        let mut parts = Vec::new();
        for (k, v) in [
            ("guide", &self.guide),
            ("section", &self.section),
            ("level", &self.level),
            ("tag", &self.tag),
        ] {
            if let Some(v) = v.as_deref().filter(|v| {
                !v.is_empty() && v.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            }) {
                parts.push(format!("{k}={v}"));
            }
        }
        if parts.is_empty() {
            String::new()
        } else {
            format!("?{}", parts.join("&"))
        }
    }
}

/// One rating button.
#[derive(Debug, Clone)]
pub struct Button {
    pub rating: u8,
    pub name: &'static str,
    pub label: String,
}

/// The card on the study page.
#[derive(Debug, Clone)]
pub struct StudyCard {
    pub guide: String,
    pub question: String,
    pub url: String,
    pub title_html: String,
    pub section_title: String,
    pub guide_title: String,
    pub level: &'static str,
    pub kind: &'static str,
    pub answer_html: String,
    pub key_points: Vec<String>,
    pub buttons: Vec<Button>,
    /// A "predict the output" exercise of this question, if it has one.
    pub predict: Option<PredictView>,
    /// The grade of the learner's prediction, after they submitted one.
    pub graded: Option<Graded>,
}

/// The code of a predict-the-output exercise, highlighted.
#[derive(Debug, Clone)]
pub struct PredictView {
    pub example: usize,
    pub code_html: String,
}

/// The learner's prediction against the verified output.
#[derive(Debug, Clone)]
pub struct Graded {
    pub correct: bool,
    pub expected: String,
    pub typed: String,
}

#[derive(askama::Template)]
#[template(path = "study.html")]
pub struct StudyPage {
    pub layout: Layout,
    pub card: Option<StudyCard>,
    pub learning: usize,
    pub review: usize,
    pub new: usize,
    pub reviewed_today: usize,
    pub next_learning: String,
    pub review_id: String,
    pub shown_at: i64,
    pub query: String,
    pub guides: Vec<(String, String, bool)>,
}

fn kind_name(kind: mastery_study::scheduler::queue::QueueKind) -> &'static str {
    use mastery_study::scheduler::queue::QueueKind;
    match kind {
        QueueKind::Learning => "learning",
        QueueKind::Review => "review",
        QueueKind::New => "new",
    }
}

/// `GET /study`.
pub async fn page(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<StudyParams>,
) -> Result<Response, WebError> {
    build_page(&state, &session, &params, None).await
}

async fn build_page(
    state: &AppState,
    session: &Session,
    params: &StudyParams,
    graded: Option<(QuestionKey, Graded)>,
) -> Result<Response, WebError> {
    let state = state.clone();
    let library = state.library();
    let filter = params.filter()?;
    let now = now();
    let mut queue = study::queue(
        state.store(),
        state.learner(),
        &library.guides,
        &filter,
        now,
    )
    .await?;
    // After a prediction, show the card it was about (with its verdict), wherever it is in
    // the queue.
    if let Some((key, _)) = &graded {
        queue.current =
            Some(study::card_now(state.store(), state.learner(), &library.guides, key, now).await?);
    }
    let card = queue.current.as_ref().map(|c| StudyCard {
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

/// Time spent on a card, from when the page showed it (capped at an hour).
pub(crate) fn time_spent(shown_at: Option<i64>, now: i64) -> u32 {
    shown_at.map_or(0, |s| {
        u32::try_from(now.saturating_sub(s).clamp(0, 3_600_000)).unwrap_or(0)
    })
}

/// `POST /study/answer`: records the rating, then back to the next card.
pub async fn answer(
    State(state): State<AppState>,
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
    let answered = study::answer(
        state.store(),
        state.learner(),
        &library.guides,
        &answer,
        now,
    )
    .await?;
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
    Form(form): Form<UndoForm>,
) -> Result<Response, WebError> {
    study::undo(state.store(), state.learner()).await?;
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
    build_page(&state, &session, &params, Some((key, graded))).await
}
