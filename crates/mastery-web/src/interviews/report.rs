//! An interview's report (`GET /interviews/{id}/report`, print-friendly) and its Markdown
//! (`GET /interviews/{id}/report.md`).

use axum::Extension;
use axum::extract::{Path, State};
use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use mastery_app::interview::{self as app, Loaded};
use mastery_content::{Guide, Level};
use mastery_storage::QuestionKey;
use mastery_study::interview::labels;
use mastery_study::interview::report::{clock, percent};
use mastery_study::interview::{self as domain, Report};
use mastery_study::scheduler::Rating;
use mastery_study::scheduler::label::human_interval;
use mastery_study::text::score;

use mastery_storage::LearnerId;

use crate::access::Learner;
use crate::charts::escape;
use crate::error::WebError;
use crate::guides::lookup::find_guide;
use crate::interviews::shared::{app_error, check_id, question_url};
use crate::interviews::time::{utc_offset, when};
use crate::layout::{Layout, render};
use crate::session::Session;
use crate::state::{AppState, now};

#[derive(Debug, Clone)]
pub struct ReportQuestion {
    /// A link to the question's discussion (multi-user mode).
    pub discussion: Option<String>,
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
    learner: LearnerId,
    session: &Session,
    loaded: &Loaded,
    report: &Report,
    guide: &Guide,
) -> Result<ReportPage, WebError> {
    let offset = utc_offset(state, learner).await?;
    let now = now();
    let started = when(report.started_at, offset);
    let labels = labels(&loaded.interview.items);
    let label = |item: usize| labels.get(item).cloned().unwrap_or_default();
    let title_html = |id: &str| {
        guide
            .question(id)
            .map_or_else(|| escape(id), |(_, e)| e.title_html.clone())
    };
    let url = |id: &str| question_url(guide, id).unwrap_or_default();
    let section_titles = |id: Option<&str>| {
        id.and_then(|id| guide.sections.iter().find(|s| s.id.as_str() == id))
            .map(|s| s.title.clone())
            .unwrap_or_default()
    };
    let counts = crate::community::thread_counts(state, guide.id.as_str()).await?;
    let questions = report
        .questions
        .iter()
        .map(|q| ReportQuestion {
            discussion: if url(&q.question).is_empty() {
                None
            } else {
                crate::community::discussion_label(counts.as_ref(), &q.question)
            },
            label: label(q.item),
            title_html: title_html(&q.question),
            url: url(&q.question),
            section: section_titles(q.section.as_deref()),
            level: q.level.map_or("", Level::as_str),
            depth: q.depth,
            score: score(q.score),
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
            score: score(s.score),
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
        let html = guide
            .question(&m.question)
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
            let due = state.store().card(learner, &key).await?.map(|c| c.due);
            ratings.push(RatingRow {
                label: label(r.item),
                title_html: title_html(&q.question),
                url: url(&q.question),
                rating: rating_words(r.rating),
                rating_class: r.rating.as_u8(),
                score: score(Some(r.score)),
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
        score: score(report.score),
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
    Learner(learner): Learner,
    Extension(session): Extension<Session>,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (loaded, report) = app::report(state.store(), learner, &library.guides, &id)
        .await
        .map_err(app_error)?;
    let guide = find_guide(&library, &loaded.interview.guide)?;
    let page = report_page(&state, learner, &session, &loaded, &report, &guide).await?;
    Ok(render(&page))
}

/// The report as a Markdown download.
pub(crate) async fn markdown_response(
    state: &AppState,
    learner: LearnerId,
    report: &Report,
) -> Result<Response, WebError> {
    let offset = utc_offset(state, learner).await?;
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
    Learner(learner): Learner,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    check_id(&id)?;
    let library = state.library();
    let (_, report) = app::report(state.store(), learner, &library.guides, &id)
        .await
        .map_err(app_error)?;
    markdown_response(&state, learner, &report).await
}
