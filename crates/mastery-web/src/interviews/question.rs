//! The page of one interview (`GET /interviews/{id}`): the question with its countdown, then
//! the answer beside the model answer with the key-point checklist; and its form posts
//! (answer, correct a tick, next, finish).

use std::collections::HashSet;

use axum::Extension;
use axum::extract::{Form, Path, State};
use axum::response::Response;
use mastery_app::interview::{self as app, Loaded};
use mastery_content::{Entry, Guide, Level};
use mastery_storage::Millis;
use mastery_study::interview::labels;
use mastery_study::interview::matching::PointStatus;
use mastery_study::interview::report::{clock, percent};
use mastery_study::interview::session::{GRACE_MS, MAX_ANSWER_CHARS};
use mastery_study::interview::{self as domain, Answer, Item, Step};
use mastery_study::text::score;
use serde::Deserialize;

use crate::access::Learner;
use crate::charts::escape;
use crate::error::WebError;
use crate::guides::lookup::find_guide;
use crate::interviews::highlight::highlight;
use crate::interviews::shared::{
    NextStep, app_error, check_id, next_step, normalise_answer, question_url,
};
use crate::interviews::time::{utc_offset, when};
use crate::layout::{Layout, render};
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

#[derive(Debug, Clone)]
pub struct PointView {
    pub index: usize,
    pub html: String,
    pub ticked: bool,
    /// `auto`, `corrected` or empty: how the tick was set.
    pub badge: &'static str,
    /// How the tick came about, in words.
    pub note: String,
    /// The same without the learner's correction (the script shows it when a correction is
    /// undone).
    pub auto_note: String,
}

#[derive(Debug, Clone)]
pub struct StepView {
    pub label: String,
    pub title: String,
    pub score: String,
    pub current: bool,
    pub timed_out: bool,
}

#[derive(askama::Template)]
#[template(path = "interview.html")]
pub struct InterviewPage {
    pub layout: Layout,
    pub id: String,
    pub title: String,
    pub guide_title: String,
    /// The current item's index.
    pub item: usize,
    /// "Question 2 of 5" or "Follow-up on question 2".
    pub position: String,
    pub title_html: String,
    pub question_url: String,
    pub level: &'static str,
    pub section_title: String,
    pub depth: u32,
    pub missing: bool,
    pub answered: bool,
    pub remaining_ms: Millis,
    pub remaining: String,
    pub remaining_percent: u32,
    pub deadline: String,
    pub budget: String,
    pub budget_ms: Millis,
    pub grace_ms: Millis,
    pub max_answer: usize,
    pub aloud: bool,
    pub timed_out: bool,
    pub empty_answer: bool,
    pub answer_html: String,
    pub model_html: String,
    pub points: Vec<PointView>,
    pub covered: usize,
    pub total: usize,
    pub percent: u32,
    pub list_like: bool,
    pub too_short: bool,
    pub used: String,
    pub next_kind: &'static str,
    pub next_label: &'static str,
    pub steps: Vec<StepView>,
}

/// The words that say why key point `k` has its automatic tick (`status`: what matching
/// found in the typed answer, if it was typed).
fn auto_note(item: &Item, k: usize, status: Option<PointStatus>) -> String {
    if item.auto.get(k).copied().unwrap_or(false) {
        return "found in your answer".into();
    }
    match status {
        Some(PointStatus::ListedOnly) => {
            "named, but only in a list of keywords: explain it in a sentence".into()
        }
        Some(PointStatus::TooShort) => {
            "named, but the answer is too short to earn it: explain it".into()
        }
        Some(PointStatus::Partial) => "partly there".into(),
        _ if matches!(item.answer, Some(Answer::Aloud)) => "tick it if you said it".into(),
        _ => "not found".into(),
    }
}

/// The words that say how key point `k` got its tick, corrections first.
fn point_note(item: &Item, k: usize, auto: &str) -> String {
    match item.corrections.get(k).copied().flatten() {
        Some(true) => "ticked by you".into(),
        Some(false) => "unticked by you".into(),
        None => auto.to_owned(),
    }
}

fn interview_page(
    state: &AppState,
    session: &Session,
    loaded: &Loaded,
    guide: &Guide,
    now: Millis,
    offset: i32,
) -> Result<InterviewPage, WebError> {
    let interview = &loaded.interview;
    let index = interview
        .current_index()
        .ok_or_else(|| WebError::BadRequest("this interview is finished".into()))?;
    let item = interview
        .items
        .get(index)
        .ok_or_else(|| WebError::Internal(anyhow::anyhow!("interview without a current item")))?;
    let labels = labels(&interview.items);
    let found = guide.question(&item.question);
    let entry = found.map(|(_, e)| e);
    let mains_so_far = interview.items[..=index]
        .iter()
        .filter(|i| i.depth == 0)
        .count();
    let position = if item.depth == 0 {
        format!(
            "Question {mains_so_far} of {}",
            interview.lineup.questions.len().max(mains_so_far)
        )
    } else {
        format!("Follow-up on question {mains_so_far}")
    };
    let typed = match &item.answer {
        Some(Answer::Typed { text }) => Some(text.as_str()),
        _ => None,
    };
    let grading = match (typed, entry) {
        (Some(text), Some(entry)) if !text.is_empty() => {
            Some(domain::grade(&entry.key_points, text))
        }
        _ => None,
    };
    let points: Vec<PointView> = entry
        .map(|e| {
            e.key_points
                .iter()
                .enumerate()
                .take(item.auto.len())
                .map(|(k, kp)| {
                    let status = grading
                        .as_ref()
                        .and_then(|g| g.points.get(k))
                        .map(|p| p.status);
                    let auto = auto_note(item, k, status);
                    PointView {
                        index: k,
                        html: kp.html.clone(),
                        ticked: item.ticked(k).unwrap_or(false),
                        badge: match item.corrections.get(k).copied().flatten() {
                            Some(_) => "corrected",
                            None if item.auto.get(k).copied().unwrap_or(false) => "auto",
                            None => "",
                        },
                        note: point_note(item, k, &auto),
                        auto_note: auto,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let covered = points.iter().filter(|p| p.ticked).count();
    let remaining = item.remaining_ms(now);
    let budget = item.budget_ms();
    let steps = interview
        .items
        .iter()
        .zip(&labels)
        .enumerate()
        .map(|(i, (it, label))| StepView {
            label: label.clone(),
            title: guide
                .question(&it.question)
                .map_or_else(|| it.question.clone(), |(_, e)| e.title_text.clone()),
            score: if i == index && !it.is_answered() {
                "now".into()
            } else if it.auto.is_empty() {
                "–".into()
            } else {
                score(it.score())
            },
            current: i == index,
            timed_out: it.timed_out,
        })
        .collect();
    let next = next_step(interview, guide).unwrap_or(NextStep::Next);
    Ok(InterviewPage {
        layout: Layout::new(
            state,
            Some(session),
            format!("{} · {}", interview.lineup.title, position),
            format!("/interviews/{}", loaded.id),
        ),
        id: loaded.id.clone(),
        title: interview.lineup.title.clone(),
        guide_title: guide.title.clone(),
        item: index,
        position,
        title_html: entry.map_or_else(|| escape(&item.question), |e| e.title_html.clone()),
        question_url: question_url(guide, &item.question).unwrap_or_default(),
        level: entry.and_then(Entry::level).map_or("", Level::as_str),
        section_title: found.map(|(s, _)| s.title.clone()).unwrap_or_default(),
        depth: item.depth,
        missing: entry.is_none(),
        answered: item.is_answered(),
        remaining_ms: remaining,
        remaining: clock(remaining),
        remaining_percent: if budget > 0 {
            u32::try_from((remaining.saturating_mul(100) / budget).clamp(0, 100)).unwrap_or(0)
        } else {
            0
        },
        deadline: when(item.deadline, offset).time,
        budget: clock(budget),
        budget_ms: budget,
        grace_ms: GRACE_MS,
        max_answer: MAX_ANSWER_CHARS,
        aloud: matches!(item.answer, Some(Answer::Aloud)),
        timed_out: item.timed_out,
        empty_answer: typed.is_some_and(|t| t.trim().is_empty()),
        answer_html: match (typed, &grading) {
            (Some(text), Some(g)) => highlight(text, g),
            (Some(text), None) => escape(text),
            _ => String::new(),
        },
        model_html: entry.map(|e| e.answer_html.clone()).unwrap_or_default(),
        total: points.len(),
        percent: if points.is_empty() {
            0
        } else {
            percent(covered as f64 / points.len() as f64)
        },
        covered,
        points,
        list_like: item.list_like,
        too_short: item.too_short,
        used: item.used_ms().map(clock).unwrap_or_default(),
        next_kind: next.as_str(),
        next_label: next.label(),
        steps,
    })
}

/// `GET /interviews/{id}`: the current question (a question whose time ran out is recorded
/// as timed out first); a finished interview goes to its report.
pub async fn show(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let now = now();
    let loaded = app::show(state.store(), learner, &library.guides, &id, now)
        .await
        .map_err(app_error)?;
    if loaded.interview.is_finished() {
        return Ok(redirect_back(Some(&format!("/interviews/{id}/report"))));
    }
    let guide = find_guide(&library, &loaded.interview.guide)?;
    let offset = utc_offset(&state, learner).await?;
    let page = interview_page(&state, &session, &loaded, &guide, now, offset)?;
    Ok(render(&page))
}

#[derive(Debug, Deserialize)]
pub struct AnswerForm {
    /// The question the page showed (the current item's index then).
    #[serde(default)]
    item: Option<usize>,
    #[serde(default)]
    text: String,
    /// Present when "I answered aloud" was pressed.
    #[serde(default)]
    aloud: Option<String>,
}

/// `POST /interviews/{id}/answer`: records the typed answer (or "answered aloud") and shows
/// the question again with the model answer and the checklist.
pub async fn answer(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Form(form): Form<AnswerForm>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let answer = if form.aloud.is_some() {
        Answer::Aloud
    } else {
        Answer::Typed {
            text: normalise_answer(&form.text),
        }
    };
    let library = state.library();
    app::submit(
        state.store(),
        learner,
        &library.guides,
        &id,
        form.item,
        answer,
        now(),
    )
    .await
    .map_err(app_error)?;
    Ok(redirect_back(Some(&format!("/interviews/{id}"))))
}

/// `POST /interviews/{id}/correct`: one tick (`item`, `key_point`, `ticked`), or every tick
/// of an item at once (`item` and the checked `tick` values: the "Save ticks" button).
pub async fn correct(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let field = |name: &str| pairs.iter().find(|(k, _)| k == name).map(|(_, v)| v.trim());
    let number = |name: &str| -> Result<usize, WebError> {
        field(name)
            .and_then(|v| v.parse().ok())
            .ok_or_else(|| WebError::BadRequest(format!("`{name}` must be a number")))
    };
    let item = number("item")?;
    let library = state.library();
    let (store, learner) = (state.store(), learner);
    if field("key_point").is_some() {
        let key_point = number("key_point")?;
        let ticked = matches!(field("ticked"), Some("true" | "on" | "1"));
        app::correct(
            store,
            learner,
            &library.guides,
            &id,
            item,
            key_point,
            ticked,
        )
        .await
        .map_err(app_error)?;
    } else {
        let wanted: HashSet<usize> = pairs
            .iter()
            .filter(|(k, _)| k == "tick")
            .filter_map(|(_, v)| v.trim().parse().ok())
            .collect();
        let loaded = app::load(store, learner, &id).await.map_err(app_error)?;
        let current = loaded
            .interview
            .items
            .get(item)
            .ok_or_else(|| {
                WebError::NotFound(format!("this interview has no question number {item}"))
            })?
            .ticks();
        for (k, was) in current.into_iter().enumerate() {
            let want = wanted.contains(&k);
            if want != was {
                app::correct(store, learner, &library.guides, &id, item, k, want)
                    .await
                    .map_err(app_error)?;
            }
        }
    }
    Ok(redirect_back(Some(&format!("/interviews/{id}#checklist"))))
}

/// `POST /interviews/{id}/next`: the follow-up or the next question, or the report when
/// none is left.
/// The form of `POST /interviews/{id}/next`.
#[derive(Debug, Deserialize)]
pub struct NextForm {
    /// The question the page showed answered.
    #[serde(default)]
    item: Option<usize>,
}

pub async fn next(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
    Form(form): Form<NextForm>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, step) = app::next(
        state.store(),
        learner,
        &library.guides,
        &id,
        form.item,
        now(),
    )
    .await
    .map_err(app_error)?;
    state.metrics().count_fed(&loaded);
    Ok(match step {
        Step::Finished => redirect_back(Some(&format!("/interviews/{id}/report"))),
        Step::Asked { .. } => redirect_back(Some(&format!("/interviews/{id}"))),
    })
}

/// `POST /interviews/{id}/finish`: ends the interview now and shows the report.
pub async fn finish(
    State(state): State<AppState>,
    Learner(learner): Learner,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, _) = app::finish(state.store(), learner, &library.guides, &id, now())
        .await
        .map_err(app_error)?;
    state.metrics().count_fed(&loaded);
    Ok(redirect_back(Some(&format!("/interviews/{id}/report"))))
}
