//! The interviews page (`GET /interviews`): a guide's presets, the custom form, the history
//! with its trend chart; and starting an interview (`POST /interviews`).

use axum::Extension;
use axum::extract::{Form, Query, State};
use axum::response::Response;
use mastery_app::AppError;
use mastery_app::interview::{self as app, NewInterview};
use mastery_content::{Guide, Level};
use mastery_study::interview::lineup::{
    MAX_MINUTES_PER_QUESTION, MAX_QUESTIONS, MIN_MINUTES_PER_QUESTION,
};
use mastery_study::interview::{PRESETS, Request};
use mastery_study::scheduler::DAY_MS;
use mastery_study::text::score;
use serde::Deserialize;

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::charts::{self, TrendMark};
use crate::error::WebError;
use crate::error_page::form_with_errors;
use crate::guides::lookup::find_guide;
use crate::interviews::custom_form::{CustomForm, FormErrors, capitalise};
use crate::interviews::shared::{app_error, new_id_and_seed};
use crate::interviews::time::{utc_offset, when};
use crate::layout::{Layout, render};
use crate::library::Library;
use crate::security::redirect_back;
use crate::session::Session;
use crate::state::{AppState, now};

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
    /// Multi-user mode: the mock interviews the learner's teams assigned.
    pub assigned: Vec<crate::teams::views::AssignmentLine>,
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
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Query(params): Query<IndexParams>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide = chosen_guide(&library, params.guide.as_deref())?;
    start_page(
        &state,
        learner,
        &session,
        guide.as_deref(),
        &CustomForm::default(),
        FormErrors::default(),
    )
    .await
}

async fn start_page(
    state: &AppState,
    learner: LearnerId,
    session: &Session,
    guide: Option<&Guide>,
    form: &CustomForm,
    errors: FormErrors,
) -> Result<Response, WebError> {
    let library = state.library();
    let offset = utc_offset(state, learner).await?;
    let (summaries, trend) = app::history(state.store(), learner)
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
                    score(s.score)
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
                score: score(Some(p.score)),
                average: score(Some(p.average)),
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
            value: score(Some(latest)),
        });
    }
    if let Some(best) = trend.best {
        figures.push(Figure {
            label: "Best",
            value: score(Some(best)),
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
    let assigned = mastery_app::teams::assignments::mine(state.store(), learner)
        .await
        .map_err(app_error)?
        .iter()
        .map(|(team, a)| crate::teams::views::assignment_line(team, a, &library.guides, false))
        .collect();
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
        assigned,
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
    Learner(learner): Learner,
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
                let page = start_page(
                    &state,
                    learner,
                    &session,
                    Some(&guide),
                    &form.custom,
                    errors,
                )
                .await?;
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
    match app::start(state.store(), learner, &library.guides, &new, now()).await {
        Ok(loaded) => Ok(redirect_back(Some(&format!("/interviews/{}", loaded.id)))),
        // A custom interview the guide cannot make (no question matches): the form again.
        Err(
            AppError::Invalid(message) | AppError::NotFound(message) | AppError::Conflict(message),
        ) if form.preset.is_none() => {
            let errors = FormErrors {
                general: Some(capitalise(&message)),
                ..FormErrors::default()
            };
            let page = start_page(
                &state,
                learner,
                &session,
                Some(&guide),
                &form.custom,
                errors,
            )
            .await?;
            Ok(form_with_errors(page))
        }
        Err(e) => Err(app_error(e)),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;

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
