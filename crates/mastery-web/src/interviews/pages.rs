//! Mock interview pages: start one (presets or a custom form) with the history and the trend
//! chart, answer each question against a countdown, compare with the model answer and its
//! key-point checklist (correcting any tick), move down the follow-up ladder, and read the
//! report (print-friendly, or as Markdown).
//!
//! Everything works as plain forms and links; `assets/app.js` only ticks the countdown
//! (submitting what was typed when time is up), saves ticks without a reload, submits on
//! Ctrl+Enter and prints. The state machine lives in `mastery_study::mock`, the loading and
//! saving (with optimistic revisions) in `mastery_app::mock`; this module only shows it.

use std::collections::HashSet;

use axum::extract::{Form, Path, Query, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use mastery_app::AppError;
use mastery_app::interview::{self as app, Loaded, NewInterview};
use mastery_content::{Entry, Guide, Level, Section, question_path};
use mastery_storage::{Millis, QuestionKey, StorageError};
use mastery_study::interview::lineup::{
    MAX_MINUTES_PER_QUESTION, MAX_QUESTIONS, MIN_MINUTES_PER_QUESTION,
};
use mastery_study::interview::matching::{Grading, PointStatus};
use mastery_study::interview::report::{clock, percent};
use mastery_study::interview::session::{GRACE_MS, MAX_ANSWER_CHARS, MAX_DEPTH};
use mastery_study::interview::{
    self as domain, Answer, Custom, Interview, Item, PRESETS, Report, Request, Step,
};
use mastery_study::scheduler::label::human_interval;
use mastery_study::scheduler::{DAY_MS, Rating};
use mastery_study::stats::Date;
use serde::Deserialize;

use crate::charts::{self, TrendMark, escape};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::guides::lookup::find_guide;
use crate::layout::{Layout, render};
use crate::library::Library;
use crate::security::redirect_back;
use crate::session::{Session, random_hex};
use crate::state::{AppState, now};

/// The page routes of mock interviews.
pub(crate) fn routes() -> Router<AppState> {
    Router::new()
        .route("/interviews", get(index).post(start))
        .route("/interviews/{id}", get(show))
        .route("/interviews/{id}/answer", post(answer))
        .route("/interviews/{id}/correct", post(correct))
        .route("/interviews/{id}/next", post(next))
        .route("/interviews/{id}/finish", post(finish))
        .route("/interviews/{id}/report", get(report))
        .route("/interviews/{id}/report.md", get(report_markdown))
}

// ---- Shared with the API ---------------------------------------------------------------

/// What a learner is told when another tab saved the interview first.
const CONFLICT: &str = "this interview changed in another tab or window since this page was \
                        shown; reload it and try again";

/// An application error as the web shows it (a revision conflict gets an interview-specific
/// message).
pub(crate) fn app_error(error: AppError) -> WebError {
    match error {
        AppError::Storage(StorageError::Conflict) => WebError::Conflict(CONFLICT.into()),
        other => other.into(),
    }
}

/// Refuses ids that cannot be an interview's before asking storage.
pub(crate) fn check_id(id: &str) -> Result<(), WebError> {
    mastery_storage::check_interview_id(id)
        .map_err(|_| WebError::NotFound("there is no interview with this id".into()))
}

/// A new interview's id and seed, both random.
pub(crate) fn new_id_and_seed() -> Result<(String, u64), WebError> {
    let id = random_hex(16)?;
    let mut seed = [0u8; 8];
    getrandom::fill(&mut seed)
        .map_err(|e| WebError::Internal(anyhow::anyhow!("no randomness: {e}")))?;
    Ok((id, u64::from_le_bytes(seed)))
}

/// The question `id` of `guide` with its section (insights are not questions).
pub(crate) fn locate<'g>(guide: &'g Guide, id: &str) -> Option<(&'g Section, &'g Entry)> {
    guide.sections.iter().find_map(|s| {
        s.entries
            .iter()
            .find(|e| e.id.as_str() == id && e.level().is_some())
            .map(|e| (s, e))
    })
}

/// The page of question `id`, when it is in the guide.
pub(crate) fn question_url(guide: &Guide, id: &str) -> Option<String> {
    locate(guide, id).map(|(_, e)| question_path(&guide.id, &e.id))
}

/// What "next" does once the current question is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum NextStep {
    /// The answer covered the basics and the question has a follow-up not yet asked.
    FollowUp,
    /// The next planned main question.
    Next,
    /// Nothing is left: next finishes the interview.
    Finish,
}

impl NextStep {
    /// The machine name used by the API and the page's script.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            NextStep::FollowUp => "follow_up",
            NextStep::Next => "next",
            NextStep::Finish => "finish",
        }
    }

    /// The label of the "next" button.
    pub(crate) fn label(self) -> &'static str {
        match self {
            NextStep::FollowUp => "Follow-up question",
            NextStep::Next => "Next question",
            NextStep::Finish => "Finish and see the report",
        }
    }
}

/// What [`Interview::next`] would do now, once the current question is answered (the same
/// rules as the state machine: the ladder first, then the planned questions).
pub(crate) fn next_step(interview: &Interview, guide: &Guide) -> Option<NextStep> {
    let current = interview.current()?;
    if !current.is_answered() {
        return None;
    }
    let asked = |id: &str| interview.items.iter().any(|i| i.question == id);
    let open = |id: &str| !asked(id) && locate(guide, id).is_some();
    if current.covers_basics()
        && current.depth < MAX_DEPTH
        && guide
            .entry(&current.question)
            .is_some_and(|e| e.follow_ups.iter().any(|f| open(f.as_str())))
    {
        return Some(NextStep::FollowUp);
    }
    if interview.lineup.questions.iter().any(|q| open(q)) {
        Some(NextStep::Next)
    } else {
        Some(NextStep::Finish)
    }
}

/// Labels of the items: `1`, `2`, … for main questions, `1.1`, `1.2`, … for the follow-ups of
/// main question 1 (by depth), as in the Markdown report.
pub(crate) fn labels(items: &[Item]) -> Vec<String> {
    let mut out: Vec<String> = Vec::with_capacity(items.len());
    let mut main = 0;
    for item in items {
        let label = match item.parent.and_then(|p| out.get(p)) {
            Some(parent) if item.depth > 0 => {
                let root = parent.split('.').next().unwrap_or(parent);
                format!("{root}.{}", item.depth)
            }
            _ => {
                main += 1;
                main.to_string()
            }
        };
        out.push(label);
    }
    out
}

/// A moment in the learner's time zone.
#[derive(Debug, Clone)]
pub(crate) struct When {
    /// "3 Mar 2025".
    pub date: String,
    /// "3 Mar".
    pub short: String,
    /// "14:05".
    pub time: String,
    /// `2025-03-03T14:05` (for `<time datetime>`).
    pub iso: String,
    /// `2025-03-03`.
    pub day: String,
}

/// `ms` in the time zone `offset_minutes` east of UTC.
pub(crate) fn when(ms: Millis, offset_minutes: i32) -> When {
    let local = ms.saturating_add(Millis::from(offset_minutes) * 60_000);
    let date = Date::of_day(local.div_euclid(DAY_MS));
    let minutes = local.rem_euclid(DAY_MS) / 60_000;
    let time = format!("{:02}:{:02}", minutes / 60, minutes % 60);
    When {
        date: date.long(),
        short: date.short(),
        iso: format!("{date}T{time}"),
        day: date.to_string(),
        time,
    }
}

/// The learner's UTC offset in minutes (from the study settings).
pub(crate) async fn utc_offset(state: &AppState) -> Result<i32, WebError> {
    Ok(
        mastery_app::study::load_settings(state.store(), state.learner())
            .await?
            .1,
    )
}

/// The typed answer as HTML: every character escaped, and the words that matched a key
/// point in `<mark>` (marks that earned nothing, in a sentence that reads as a keyword list,
/// get the class `uncounted`). Overlapping matches are merged.
pub(crate) fn highlight(text: &str, grading: &Grading) -> String {
    let mut spans: Vec<(usize, usize, bool)> = grading
        .points
        .iter()
        .flat_map(|p| &p.groups)
        .flat_map(|g| &g.hits)
        .filter(|h| {
            h.start < h.end && text.is_char_boundary(h.start) && text.is_char_boundary(h.end)
        })
        .filter(|h| h.end <= text.len())
        .map(|h| (h.start, h.end, h.counted))
        .collect();
    spans.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut merged: Vec<(usize, usize, bool)> = Vec::new();
    for (start, end, counted) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => {
                last.1 = last.1.max(end);
                last.2 |= counted;
            }
            _ => merged.push((start, end, counted)),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 32);
    let mut at = 0;
    for (start, end, counted) in merged {
        let (Some(before), Some(hit)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(&escape(before));
        out.push_str(if counted {
            "<mark class=\"hit\">"
        } else {
            "<mark class=\"hit uncounted\" title=\"Found in a keyword list: earns nothing\">"
        });
        out.push_str(&escape(hit));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    out
}

/// "72%" or "–".
pub(crate) fn pct(score: Option<f64>) -> String {
    score.map_or_else(|| "–".to_owned(), |s| format!("{}%", percent(s)))
}

/// Line endings as `\n` (browsers send `\r\n` from a textarea).
pub(crate) fn normalise_answer(text: &str) -> String {
    text.replace("\r\n", "\n").replace('\r', "\n")
}

// ---- The start page: presets, custom form, history, trend ------------------------------

#[derive(Debug, Clone)]
pub struct GuideChoice {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

#[derive(Debug, Clone)]
pub struct PresetCard {
    pub id: String,
    pub title: String,
    pub description: String,
    pub minutes: u32,
    pub questions: usize,
    pub levels: Vec<&'static str>,
    /// The sections it draws from on this guide.
    pub sections: String,
}

#[derive(Debug, Clone)]
pub struct Checkbox {
    pub value: String,
    pub label: String,
    pub checked: bool,
    /// Questions at the chosen levels (sections only).
    pub questions: usize,
}

#[derive(Debug, Clone)]
pub struct HistoryRow {
    pub title: String,
    pub guide_title: String,
    pub date: String,
    pub time: String,
    pub iso: String,
    pub score: String,
    pub questions: usize,
    pub finished: bool,
    pub url: String,
}

#[derive(Debug, Clone)]
pub struct TrendRow {
    pub date: String,
    pub iso: String,
    pub score: String,
    pub average: String,
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub label: &'static str,
    pub value: String,
}

/// Validation errors of the custom form, per field.
#[derive(Debug, Clone, Default)]
pub struct FormErrors {
    pub questions: Option<String>,
    pub minutes: Option<String>,
    pub levels: Option<String>,
    pub sections: Option<String>,
    pub general: Option<String>,
}

impl FormErrors {
    fn is_empty(&self) -> bool {
        self.questions.is_none()
            && self.minutes.is_none()
            && self.levels.is_none()
            && self.sections.is_none()
            && self.general.is_none()
    }

    /// (field anchor, message) for the summary at the top of the form.
    pub fn summary(&self) -> Vec<(&'static str, String)> {
        [
            ("custom-levels", &self.levels),
            ("custom-sections", &self.sections),
            ("custom-questions", &self.questions),
            ("custom-minutes", &self.minutes),
            ("custom-title", &self.general),
        ]
        .into_iter()
        .filter_map(|(anchor, m)| m.clone().map(|m| (anchor, m)))
        .collect()
    }
}

#[derive(askama::Template)]
#[template(path = "interviews.html")]
pub struct InterviewsPage {
    pub layout: Layout,
    pub guides: Vec<GuideChoice>,
    pub guide: String,
    pub guide_title: String,
    pub presets: Vec<PresetCard>,
    pub levels: Vec<Checkbox>,
    pub sections: Vec<Checkbox>,
    pub questions: String,
    pub minutes: String,
    pub max_questions: usize,
    pub min_minutes: u32,
    pub max_minutes: u32,
    pub errors: FormErrors,
    pub error_summary: Vec<(&'static str, String)>,
    pub history: Vec<HistoryRow>,
    pub trend_svg: String,
    pub trend_rows: Vec<TrendRow>,
    pub figures: Vec<Figure>,
}

/// The custom form as sent (or as first shown).
#[derive(Debug, Clone)]
struct CustomForm {
    levels: Vec<String>,
    sections: Vec<String>,
    questions: String,
    minutes: String,
}

impl Default for CustomForm {
    fn default() -> Self {
        Self {
            levels: Level::ALL.iter().map(|l| l.as_str().to_owned()).collect(),
            sections: Vec::new(),
            questions: "5".into(),
            minutes: "3".into(),
        }
    }
}

impl CustomForm {
    /// Checks every field, so the page can show every problem at once.
    fn validate(&self, guide: &Guide) -> Result<Custom, FormErrors> {
        let mut errors = FormErrors::default();
        let questions = match self.questions.trim().parse::<usize>() {
            Ok(n) if (1..=MAX_QUESTIONS).contains(&n) => n,
            _ => {
                errors.questions = Some(format!(
                    "Number of questions: enter a whole number from 1 to {MAX_QUESTIONS}."
                ));
                0
            }
        };
        let minutes = match self.minutes.trim().parse::<u32>() {
            Ok(n) if (MIN_MINUTES_PER_QUESTION..=MAX_MINUTES_PER_QUESTION).contains(&n) => n,
            _ => {
                errors.minutes = Some(format!(
                    "Minutes per question: enter a whole number from \
                     {MIN_MINUTES_PER_QUESTION} to {MAX_MINUTES_PER_QUESTION}."
                ));
                0
            }
        };
        let mut levels = Vec::new();
        for name in &self.levels {
            match Level::parse(name) {
                Some(level) if !levels.contains(&level) => levels.push(level),
                Some(_) => {}
                None => {
                    errors.levels = Some("Levels: choose junior, confirmed or senior.".into());
                }
            }
        }
        let mut sections = Vec::new();
        for id in &self.sections {
            if !guide.sections.iter().any(|s| s.id.as_str() == id) {
                errors.sections = Some(format!(
                    "Sections: “{}” has no such section; reload the page.",
                    guide.title
                ));
            } else if !sections.contains(id) {
                sections.push(id.clone());
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        let custom = Custom {
            levels,
            sections,
            questions,
            minutes_per_question: minutes,
        };
        match custom.lineup(guide, 0) {
            Ok(_) => Ok(custom),
            Err(domain::LineupError::NoMatchingQuestion) => Err(FormErrors {
                sections: Some(
                    "No question matches these levels and sections: check more levels or \
                     sections."
                        .into(),
                ),
                ..FormErrors::default()
            }),
            Err(e) => Err(FormErrors {
                general: Some(capitalise(&e.to_string())),
                ..FormErrors::default()
            }),
        }
    }
}

fn capitalise(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => format!("{}{}.", first.to_uppercase(), chars.as_str()),
        None => String::new(),
    }
}

#[derive(Debug, Default, Deserialize)]
pub struct IndexParams {
    guide: Option<String>,
}

/// The guide the start page works on: the one asked for, else the first loaded.
fn chosen_guide(
    library: &Library,
    id: Option<&str>,
) -> Result<Option<std::sync::Arc<Guide>>, WebError> {
    match id.map(str::trim).filter(|s| !s.is_empty()) {
        Some(id) => find_guide(library, id).map(Some),
        None => Ok(library.guides.first().cloned()),
    }
}

/// `GET /interviews`.
pub async fn index(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Query(params): Query<IndexParams>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide = chosen_guide(&library, params.guide.as_deref())?;
    start_page(
        &state,
        &session,
        guide.as_deref(),
        &CustomForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn start_page(
    state: &AppState,
    session: &Session,
    guide: Option<&Guide>,
    form: &CustomForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let library = state.library();
    let offset = utc_offset(state).await?;
    let (summaries, trend) = app::history(state.store(), state.learner())
        .await
        .map_err(app_error)?;
    let guide_title = |id: &str| {
        library
            .guide(id)
            .map_or_else(|| id.to_owned(), |g| g.title.clone())
    };
    let history = summaries
        .iter()
        .map(|s| {
            let at = when(s.started_at, offset);
            let finished = s.finished_at.is_some();
            HistoryRow {
                title: s.title.clone(),
                guide_title: guide_title(&s.guide),
                date: at.date,
                time: at.time,
                iso: at.iso,
                score: if finished {
                    pct(s.score)
                } else {
                    "in progress".into()
                },
                questions: s.asked,
                finished,
                url: if finished {
                    format!("/interviews/{}/report", s.id)
                } else {
                    format!("/interviews/{}", s.id)
                },
            }
        })
        .collect();
    let marks: Vec<TrendMark> = trend
        .points
        .iter()
        .map(|p| {
            let at = when(p.at, offset);
            TrendMark {
                short: at.short,
                long: format!("{}, {}", at.date, at.time),
                score: p.score,
                average: p.average,
            }
        })
        .collect();
    let trend_rows = trend
        .points
        .iter()
        .rev()
        .map(|p| {
            let at = when(p.at, offset);
            TrendRow {
                date: format!("{}, {}", at.date, at.time),
                iso: at.iso,
                score: pct(Some(p.score)),
                average: pct(Some(p.average)),
            }
        })
        .collect();
    let points = |v: f64| {
        let p = (v * 100.0).round();
        if p > 0.0 {
            format!("+{p:.0} points")
        } else {
            format!("{p:.0} points")
        }
    };
    let mut figures = Vec::new();
    if let Some(latest) = trend.latest {
        figures.push(Figure {
            label: "Latest",
            value: pct(Some(latest)),
        });
    }
    if let Some(best) = trend.best {
        figures.push(Figure {
            label: "Best",
            value: pct(Some(best)),
        });
    }
    if let Some(change) = trend.change {
        figures.push(Figure {
            label: "Since the one before",
            value: points(change),
        });
    }
    // A slope per week means something only over a week or more of interviews.
    let span = match (trend.points.first(), trend.points.last()) {
        (Some(first), Some(last)) => last.at.saturating_sub(first.at),
        _ => 0,
    };
    if let Some(per_week) = trend.per_week.filter(|_| span >= 7 * DAY_MS) {
        figures.push(Figure {
            label: "Trend per week",
            value: points(per_week),
        });
    }
    let trend_svg = if marks.is_empty() {
        String::new()
    } else {
        charts::interview_trend("interview-trend", &marks)
    };

    let (presets, levels, sections) = match guide {
        Some(guide) => {
            let presets = PRESETS
                .iter()
                .map(|p| {
                    let ids = p.section_ids(guide);
                    let titles: Vec<&str> = guide
                        .sections
                        .iter()
                        .filter(|s| ids.iter().any(|id| id == s.id.as_str()))
                        .map(|s| s.title.as_str())
                        .collect();
                    PresetCard {
                        id: p.id.to_owned(),
                        title: p.title.to_owned(),
                        description: p.description.to_owned(),
                        minutes: p.minutes,
                        questions: p.questions,
                        levels: p.levels.iter().map(|l| l.as_str()).collect(),
                        sections: if titles.len() == guide.sections.len() {
                            "every section".to_owned()
                        } else {
                            titles.join(", ")
                        },
                    }
                })
                .collect();
            let levels = Level::ALL
                .iter()
                .map(|l| Checkbox {
                    value: l.as_str().to_owned(),
                    label: l.as_str().to_owned(),
                    checked: form.levels.iter().any(|v| v == l.as_str()),
                    questions: guide.questions().filter(|e| e.level() == Some(*l)).count(),
                })
                .collect();
            let sections = guide
                .sections
                .iter()
                .filter(|s| s.questions().next().is_some())
                .map(|s| Checkbox {
                    value: s.id.to_string(),
                    label: s.title.clone(),
                    checked: form.sections.iter().any(|v| v == s.id.as_str()),
                    questions: s.questions().count(),
                })
                .collect();
            (presets, levels, sections)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let page = InterviewsPage {
        layout: Layout::new(
            state,
            Some(session),
            "Mock interview",
            match guide {
                Some(g) if library.guides.len() > 1 => format!("/interviews?guide={}", g.id),
                _ => "/interviews".to_owned(),
            },
        ),
        guides: library
            .guides
            .iter()
            .map(|g| GuideChoice {
                id: g.id.to_string(),
                title: g.title.clone(),
                selected: guide.is_some_and(|c| c.id == g.id),
            })
            .collect(),
        guide: guide.map(|g| g.id.to_string()).unwrap_or_default(),
        guide_title: guide.map(|g| g.title.clone()).unwrap_or_default(),
        presets,
        levels,
        sections,
        questions: form.questions.clone(),
        minutes: form.minutes.clone(),
        max_questions: MAX_QUESTIONS,
        min_minutes: MIN_MINUTES_PER_QUESTION,
        max_minutes: MAX_MINUTES_PER_QUESTION,
        error_summary: errors.summary(),
        errors,
        history,
        trend_svg,
        trend_rows,
        figures,
    };
    Ok(render(&page))
}

/// The start form: a preset (`preset`) or a custom interview (`level`, `section` repeated,
/// `questions`, `minutes`), on `guide`.
#[derive(Debug, Default)]
struct StartForm {
    guide: String,
    preset: Option<String>,
    custom: CustomForm,
}

impl StartForm {
    fn parse(pairs: &[(String, String)]) -> Self {
        let mut form = StartForm {
            custom: CustomForm {
                levels: Vec::new(),
                sections: Vec::new(),
                questions: String::new(),
                minutes: String::new(),
            },
            ..StartForm::default()
        };
        for (key, value) in pairs {
            match key.as_str() {
                "guide" => form.guide = value.clone(),
                "preset" => form.preset = Some(value.clone()),
                "level" => form.custom.levels.push(value.clone()),
                "section" => form.custom.sections.push(value.clone()),
                "questions" => form.custom.questions = value.clone(),
                "minutes" => form.custom.minutes = value.clone(),
                _ => {}
            }
        }
        form
    }
}

/// `POST /interviews`: starts a preset or a custom interview and goes to its first question;
/// a custom form with mistakes comes back with every mistake explained.
pub async fn start(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, WebError> {
    let form = StartForm::parse(&pairs);
    let library = state.library();
    let guide = find_guide(&library, &form.guide)?;
    let request = match &form.preset {
        Some(id) => Request::Preset { id: id.clone() },
        None => match form.custom.validate(&guide) {
            Ok(custom) => Request::Custom(custom),
            Err(errors) => {
                let page = start_page(&state, &session, Some(&guide), &form.custom, errors).await?;
                return Ok(form_with_errors(page));
            }
        },
    };
    let (id, seed) = new_id_and_seed()?;
    let new = NewInterview {
        guide: &form.guide,
        request: &request,
        id: &id,
        seed,
    };
    match app::start(state.store(), state.learner(), &library.guides, &new, now()).await {
        Ok(loaded) => Ok(redirect_back(Some(&format!("/interviews/{}", loaded.id)))),
        Err(AppError::Invalid(message)) if form.preset.is_none() => {
            let errors = FormErrors {
                general: Some(capitalise(&message)),
                ..FormErrors::default()
            };
            let page = start_page(&state, &session, Some(&guide), &form.custom, errors).await?;
            Ok(form_with_errors(page))
        }
        Err(e) => Err(app_error(e)),
    }
}

// ---- The question page -----------------------------------------------------------------

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
    let found = locate(guide, &item.question);
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
            title: locate(guide, &it.question)
                .map_or_else(|| it.question.clone(), |(_, e)| e.title_text.clone()),
            score: if i == index && !it.is_answered() {
                "now".into()
            } else if it.auto.is_empty() {
                "–".into()
            } else {
                pct(it.score())
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
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let now = now();
    let loaded = app::show(state.store(), state.learner(), &library.guides, &id, now)
        .await
        .map_err(app_error)?;
    if loaded.interview.is_finished() {
        return Ok(redirect_back(Some(&format!("/interviews/{id}/report"))));
    }
    let guide = find_guide(&library, &loaded.interview.guide)?;
    let offset = utc_offset(&state).await?;
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
        state.learner(),
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
    let (store, learner) = (state.store(), state.learner());
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
                WebError::BadRequest(format!("this interview has no question number {item}"))
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
    Path(id): Path<String>,
    Form(form): Form<NextForm>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, step) = app::next(
        state.store(),
        state.learner(),
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
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, _) = app::finish(state.store(), state.learner(), &library.guides, &id, now())
        .await
        .map_err(app_error)?;
    state.metrics().count_fed(&loaded);
    Ok(redirect_back(Some(&format!("/interviews/{id}/report"))))
}

// ---- The report ------------------------------------------------------------------------

#[derive(Debug, Clone)]
pub struct ReportQuestion {
    pub label: String,
    pub title_html: String,
    pub url: String,
    pub section: String,
    pub level: &'static str,
    pub depth: u32,
    pub score: String,
    pub points: String,
    pub used: String,
    pub budget: String,
    pub timed_out: bool,
    pub answered: bool,
}

#[derive(Debug, Clone)]
pub struct ReportSection {
    pub title: String,
    pub questions: usize,
    pub score: String,
    pub percent: u32,
    pub scored: bool,
}

#[derive(Debug, Clone)]
pub struct ReportLadder {
    pub label: String,
    pub title_html: String,
    pub url: String,
    pub depth: u32,
    pub max_depth: u32,
    pub full: bool,
}

#[derive(Debug, Clone)]
pub struct MissedGroup {
    pub label: String,
    pub title_html: String,
    pub url: String,
    pub points: Vec<String>,
}

#[derive(Debug, Clone)]
pub struct RatingRow {
    pub label: String,
    pub title_html: String,
    pub url: String,
    pub rating: &'static str,
    pub rating_class: u8,
    pub score: String,
    pub comes_back: String,
}

#[derive(Debug, Clone)]
pub struct LinkedTitle {
    pub label: String,
    pub title_html: String,
    pub url: String,
}

#[derive(askama::Template)]
#[template(path = "interview_report.html")]
pub struct ReportPage {
    pub layout: Layout,
    pub id: String,
    pub title: String,
    pub guide_title: String,
    pub date: String,
    pub time: String,
    pub iso: String,
    pub finished: bool,
    pub score: String,
    pub percent: u32,
    pub scored: bool,
    pub used: String,
    pub planned: String,
    pub asked: usize,
    pub questions: Vec<ReportQuestion>,
    pub sections: Vec<ReportSection>,
    pub ladders: Vec<ReportLadder>,
    pub missed: Vec<MissedGroup>,
    pub timed_out: Vec<LinkedTitle>,
    pub ratings: Vec<RatingRow>,
    pub missing: Vec<String>,
}

/// How a rating reads on the report.
fn rating_words(rating: Rating) -> &'static str {
    match rating {
        Rating::Again => "Again: comes back in study soon",
        Rating::Hard => "Hard: comes back in study soon",
        Rating::Good => "Good: comes back later",
        Rating::Easy => "Easy: comes back much later",
    }
}

async fn report_page(
    state: &AppState,
    session: &Session,
    loaded: &Loaded,
    report: &Report,
    guide: &Guide,
) -> Result<ReportPage, WebError> {
    let offset = utc_offset(state).await?;
    let now = now();
    let started = when(report.started_at, offset);
    let labels = labels(&loaded.interview.items);
    let label = |item: usize| labels.get(item).cloned().unwrap_or_default();
    let title_html =
        |id: &str| locate(guide, id).map_or_else(|| escape(id), |(_, e)| e.title_html.clone());
    let url = |id: &str| question_url(guide, id).unwrap_or_default();
    let section_titles = |id: Option<&str>| {
        id.and_then(|id| guide.sections.iter().find(|s| s.id.as_str() == id))
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let questions = report
        .questions
        .iter()
        .map(|q| ReportQuestion {
            label: label(q.item),
            title_html: title_html(&q.question),
            url: url(&q.question),
            section: section_titles(q.section.as_deref()),
            level: q.level.map_or("", Level::as_str),
            depth: q.depth,
            score: pct(q.score),
            points: format!(
                "{} of {}",
                q.points.iter().filter(|p| p.ticked).count(),
                q.points.len()
            ),
            used: q.used_ms.map(clock).unwrap_or_default(),
            budget: clock(q.budget_ms),
            timed_out: q.timed_out,
            answered: q.answer.is_some(),
        })
        .collect();
    let sections = report
        .sections
        .iter()
        .map(|s| ReportSection {
            title: s.title.clone(),
            questions: s.questions,
            score: pct(s.score),
            percent: s.score.map_or(0, percent),
            scored: s.score.is_some(),
        })
        .collect();
    let ladders = report
        .ladders
        .iter()
        .filter(|l| l.max_depth > 0)
        .map(|l| ReportLadder {
            label: label(l.item),
            title_html: title_html(&l.question),
            url: url(&l.question),
            depth: l.depth,
            max_depth: l.max_depth,
            full: l.depth >= l.max_depth,
        })
        .collect();
    let mut missed: Vec<MissedGroup> = Vec::new();
    let mut last_item = None;
    for m in &report.missed {
        let html = locate(guide, &m.question)
            .and_then(|(_, e)| e.key_points.get(m.key_point))
            .map_or_else(|| escape(&m.text), |kp| kp.html.clone());
        if last_item != Some(m.item) {
            last_item = Some(m.item);
            missed.push(MissedGroup {
                label: label(m.item),
                title_html: title_html(&m.question),
                url: url(&m.question),
                points: Vec::new(),
            });
        }
        if let Some(group) = missed.last_mut() {
            group.points.push(html);
        }
    }
    let timed_out = report
        .timed_out
        .iter()
        .filter_map(|&i| report.questions.get(i))
        .map(|q| LinkedTitle {
            label: label(q.item),
            title_html: title_html(&q.question),
            url: url(&q.question),
        })
        .collect();
    let mut ratings = Vec::new();
    if loaded.interview.is_finished() {
        for r in &report.ratings {
            let Some(q) = report.questions.get(r.item) else {
                continue;
            };
            let key = QuestionKey::new(report.guide.clone(), q.question.clone());
            let due = state
                .store()
                .card(state.learner(), &key)
                .await?
                .map(|c| c.due);
            ratings.push(RatingRow {
                label: label(r.item),
                title_html: title_html(&q.question),
                url: url(&q.question),
                rating: rating_words(r.rating),
                rating_class: r.rating.as_u8(),
                score: pct(Some(r.score)),
                comes_back: match due {
                    Some(due) if due > now => {
                        format!("back in study in {}", human_interval(due - now))
                    }
                    Some(_) => "due in study now".into(),
                    None => String::new(),
                },
            });
        }
    }
    Ok(ReportPage {
        layout: Layout::new(
            state,
            Some(session),
            format!("Report · {}", report.title),
            format!("/interviews/{}/report", loaded.id),
        ),
        id: loaded.id.clone(),
        title: report.title.clone(),
        guide_title: report.guide_title.clone(),
        date: started.date,
        time: started.time,
        iso: started.iso,
        finished: loaded.interview.is_finished(),
        score: pct(report.score),
        percent: report.score.map_or(0, percent),
        scored: report.score.is_some(),
        used: clock(report.used_ms),
        planned: clock(report.planned_ms),
        asked: report.questions.len(),
        questions,
        sections,
        ladders,
        missed,
        timed_out,
        ratings,
        missing: report.missing.clone(),
    })
}

/// `GET /interviews/{id}/report`.
pub async fn report(
    State(state): State<AppState>,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, report) = app::report(state.store(), state.learner(), &library.guides, &id)
        .await
        .map_err(app_error)?;
    let guide = find_guide(&library, &loaded.interview.guide)?;
    let page = report_page(&state, &session, &loaded, &report, &guide).await?;
    Ok(render(&page))
}

/// The report as a Markdown download.
pub(crate) async fn markdown_response(
    state: &AppState,
    report: &Report,
) -> Result<Response, WebError> {
    let offset = utc_offset(state).await?;
    let at = when(report.started_at, offset);
    let body = domain::to_markdown(report, &format!("{}, {}", at.date, at.time));
    Ok((
        [
            (CONTENT_TYPE, "text/markdown; charset=utf-8".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"mastery-interview-{}.md\"", at.day),
            ),
        ],
        body,
    )
        .into_response())
}

/// `GET /interviews/{id}/report.md`: the report as Markdown, downloaded.
pub async fn report_markdown(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (_, report) = app::report(state.store(), state.learner(), &library.guides, &id)
        .await
        .map_err(app_error)?;
    markdown_response(&state, &report).await
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use mastery_content::KeyPoint;

    fn point(groups: &[&[&str]]) -> KeyPoint {
        KeyPoint {
            text: String::new(),
            html: String::new(),
            groups: groups
                .iter()
                .map(|g| g.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn highlights_escape_everything_and_mark_only_matches() {
        let points = [point(&[&["lock"], &["thread"]])];
        let text = "<script>alert(1)</script> Only one thread may hold the lock & run bytecode.";
        let grading = domain::grade(&points, text);
        let html = highlight(text, &grading);
        assert!(
            html.starts_with("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("<mark class=\"hit\">thread</mark>"), "{html}");
        assert!(
            html.contains("<mark class=\"hit\">lock</mark> &amp; run"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        // Nothing found: the text only, escaped.
        let none = domain::grade(&points, "é <b>");
        assert_eq!(highlight("é <b>", &none), "é &lt;b&gt;");
    }

    #[test]
    fn overlapping_and_uncounted_hits_merge_into_one_mark() {
        let points = [
            point(&[&["only one"]]),
            point(&[&["one thread"]]),
            point(&[&["bytecode"]]),
        ];
        let listed = "GIL: only one thread, bytecode.";
        let grading = domain::grade(&points, listed);
        let html = highlight(listed, &grading);
        assert_eq!(html.matches("<mark").count(), 2, "{html}");
        assert!(
            html.contains("uncounted"),
            "a keyword list earns nothing: {html}"
        );
    }

    #[test]
    fn a_revision_conflict_is_a_409_that_says_to_reload() {
        let error = app_error(AppError::Storage(StorageError::Conflict));
        assert_eq!(error.status(), axum::http::StatusCode::CONFLICT);
        assert!(error.to_string().contains("another tab"), "{error}");
        let missing = app_error(AppError::NotFound("there is no interview `x`".into()));
        assert_eq!(missing.status(), axum::http::StatusCode::NOT_FOUND);
        assert_eq!(
            check_id("a b").map_err(|e| e.status()),
            Err(axum::http::StatusCode::NOT_FOUND)
        );
        assert!(check_id("0123abcd").is_ok());
    }

    #[test]
    fn times_are_shown_in_the_learner_s_zone() {
        // 2025-03-03 23:30 UTC is already the 4th at UTC+1.
        let at = 1_741_044_600_000;
        assert_eq!(when(at, 0).iso, "2025-03-03T23:30");
        let plus_one = when(at, 60);
        assert_eq!(plus_one.iso, "2025-03-04T00:30");
        assert_eq!(plus_one.date, "4 Mar 2025");
        assert_eq!(plus_one.day, "2025-03-04");
    }

    #[test]
    fn the_trend_chart_is_accessible_svg_without_inline_style() {
        let marks: Vec<TrendMark> = (0..3)
            .map(|i| TrendMark {
                short: format!("{} Mar", i + 1),
                long: format!("{} Mar 2025 <b>", i + 1),
                score: 0.3 * f64::from(i),
                average: 0.2,
            })
            .collect();
        let svg = charts::interview_trend("t", &marks);
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
        assert!(svg.contains("role=\"img\"") && svg.contains("<title id=\"t-title\">"));
        assert!(!svg.contains("style=") && !svg.contains("<b>"));
        assert_eq!(svg.matches("<circle").count(), 3);
        assert_eq!(svg.matches("<polyline").count(), 2);
        let one = charts::interview_trend("t", &marks[..1]);
        assert_eq!(one.matches("<polyline").count(), 0);
    }
}
