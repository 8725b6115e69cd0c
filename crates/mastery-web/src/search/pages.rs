//! The search page (`GET /search`).

use std::collections::BTreeSet;
use std::sync::Arc;

use askama::Template;
use axum::Extension;
use axum::extract::{Query, State};
use axum::response::Response;
use mastery_content::{Guide, Level, question_path};

use crate::access::Viewer;
use crate::error::WebError;
use crate::layout::{Choice, Layout, render};
use crate::search::discussions::{DiscussionHitDto, found};
use crate::search::query::non_empty;
use crate::search::query::{SearchParams, choices, run_search};
use crate::session::Session;
use crate::state::AppState;

#[derive(Debug, Clone)]
pub struct ResultView {
    pub url: String,
    pub title_html: String,
    pub snippet_html: String,
    pub guide_title: String,
    pub section_title: String,
    pub level: Option<&'static str>,
    pub mastered: bool,
}

#[derive(Template)]
#[template(path = "search.html")]
pub struct SearchPage {
    pub layout: Layout,
    pub query: String,
    pub guides: Vec<Choice>,
    pub sections: Vec<Choice>,
    pub levels: Vec<Choice>,
    pub tags: Vec<Choice>,
    pub statuses: Vec<Choice>,
    pub results: Vec<ResultView>,
    pub searched: bool,
    /// How many matched in all (the page shows the best 100).
    pub total: usize,
    /// A corrected query when nothing matched, and its URL.
    pub did_you_mean: Option<(String, String)>,
    /// Parts of the query that were not understood.
    pub problems: Vec<String>,
    /// Threads of the community that mention the query (multi-user mode).
    pub discussions: Vec<DiscussionHitDto>,
    /// Whether the community is searched too (multi-user mode): the script asks for it
    /// as the reader types.
    pub discussions_on: bool,
}

/// `GET /search?q=...`: results with highlighted words and filters, as a shareable page.
pub async fn search(
    State(state): State<AppState>,
    Viewer(learner): Viewer,
    Extension(session): Extension<Session>,
    Query(params): Query<SearchParams>,
) -> Result<Response, WebError> {
    let library = state.library();
    let guide_filter = non_empty(&params.guide);
    let searched = !params.q.trim().is_empty()
        || [
            &params.guide,
            &params.section,
            &params.level,
            &params.tag,
            &params.status,
        ]
        .iter()
        .any(|v| non_empty(v).is_some());
    let outcome = if searched {
        Some(run_search(&state, learner, &params).await?)
    } else {
        None
    };
    let (total, did_you_mean, problems) = match &outcome {
        Some(o) => (o.total, o.did_you_mean.clone(), o.problems.clone()),
        None => (0, None, Vec::new()),
    };
    let discussions = if params.q.trim().is_empty() {
        Vec::new()
    } else {
        found(&state, &params.q).await?
    };
    let did_you_mean = did_you_mean.map(|q| {
        let url = format!("/search?q={}", crate::search::api::encode_query(&q));
        (q, url)
    });
    let results = outcome
        .iter()
        .flat_map(|o| o.found.iter())
        .filter_map(|f| {
            let section = f.guide.sections.get(f.section)?;
            let entry = section.entries.get(f.entry)?;
            Some(ResultView {
                url: question_path(&f.guide.id, &entry.id),
                title_html: f.title_html.clone(),
                snippet_html: f.snippet_html.clone(),
                guide_title: f.guide.title.clone(),
                section_title: section.title.clone(),
                level: entry.level().map(Level::as_str),
                mastered: f.mastered,
            })
        })
        .collect();
    let scoped: Vec<&Arc<Guide>> = library
        .guides
        .iter()
        .filter(|g| guide_filter.as_deref().is_none_or(|id| g.id.as_str() == id))
        .collect();
    let tags: BTreeSet<String> = scoped
        .iter()
        .flat_map(|g| g.entries())
        .flat_map(|e| e.tags.iter().map(ToString::to_string))
        .collect();
    let mut layout = Layout::new(&state, Some(&session), "Search", "/search");
    layout.query = params.q.clone();
    let page = SearchPage {
        layout,
        query: params.q.clone(),
        guides: choices(
            guide_filter.as_deref(),
            "All guides",
            library
                .guides
                .iter()
                .map(|g| (g.id.to_string(), g.title.clone())),
        ),
        sections: choices(
            non_empty(&params.section).as_deref(),
            "All sections",
            scoped.iter().flat_map(|g| {
                g.sections
                    .iter()
                    .map(|s| (s.id.to_string(), s.title.clone()))
            }),
        ),
        levels: choices(
            non_empty(&params.level).as_deref(),
            "All levels",
            Level::ALL
                .iter()
                .map(|l| (l.as_str().to_owned(), l.as_str().to_owned())),
        ),
        tags: choices(
            non_empty(&params.tag).as_deref(),
            "All tags",
            tags.into_iter().map(|t| (t.clone(), t)),
        ),
        statuses: choices(
            non_empty(&params.status).as_deref(),
            "Any status",
            [
                ("todo".to_owned(), "Not mastered yet".to_owned()),
                ("mastered".to_owned(), "Mastered".to_owned()),
            ],
        ),
        results,
        searched,
        total,
        did_you_mean,
        problems,
        discussions,
        discussions_on: state.multi_user(),
    };
    Ok(render(&page))
}
