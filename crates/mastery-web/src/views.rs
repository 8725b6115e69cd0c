//! What each page shows, as plain values, and the askama templates that render them.
//! Templates escape everything by default; only HTML rendered at load from the guide's
//! Markdown, or sanitised note HTML, is inserted with `|safe`.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::AppState;
use crate::error::ErrorInfo;
use crate::security::Session;

/// What every page needs for its frame.
#[derive(Debug, Clone)]
pub struct Layout {
    pub title: String,
    pub css: String,
    pub js: String,
    pub icon: String,
    pub csrf: String,
    /// ` data-theme="dark"` (raw attribute HTML) or empty to follow the system.
    pub theme_attr: String,
    /// The theme the toggle switches to.
    pub next_theme: String,
    pub query: String,
    /// The URL of the current page, for forms that come back to it.
    pub here: String,
    /// Author mode: guides that failed to load, shown at the top of every page.
    pub problems: Vec<ProblemView>,
}

#[derive(Debug, Clone)]
pub struct ProblemView {
    pub root: String,
    pub diagnostics: Vec<String>,
}

impl Layout {
    pub fn new(
        state: &AppState,
        session: Option<&Session>,
        title: impl Into<String>,
        here: impl Into<String>,
    ) -> Self {
        let assets = state.assets();
        let problems = if state.settings().author_mode {
            state
                .library()
                .problems
                .iter()
                .map(|p| ProblemView {
                    root: p.root.clone(),
                    diagnostics: p.diagnostics.iter().map(ToString::to_string).collect(),
                })
                .collect()
        } else {
            Vec::new()
        };
        Self {
            title: title.into(),
            css: assets.css.url.clone(),
            js: assets.js.url.clone(),
            icon: assets.icon.url.clone(),
            csrf: session.map(|s| s.csrf.clone()).unwrap_or_default(),
            theme_attr: theme_attr(session.and_then(|s| s.theme)),
            next_theme: next_theme(session.and_then(|s| s.theme)).to_owned(),
            query: String::new(),
            here: here.into(),
            problems,
        }
    }
}

/// The `data-theme` attribute of `<html>` for a chosen theme.
pub fn theme_attr(theme: Option<&str>) -> String {
    match theme {
        Some(t @ ("light" | "dark")) => format!(" data-theme=\"{t}\""),
        _ => String::new(),
    }
}

/// The theme the toggle switches to.
pub fn next_theme(theme: Option<&str>) -> &'static str {
    if theme == Some("dark") {
        "light"
    } else {
        "dark"
    }
}

/// Renders a template to a response; a template error is logged and becomes a 500.
pub fn render(template: &impl Template) -> Response {
    match template.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => crate::WebError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

#[derive(Debug, Clone)]
pub struct GuideCard {
    pub url: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub sections: usize,
    pub mastered: usize,
    pub total: usize,
    pub percent: usize,
}

#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    pub layout: Layout,
    pub guides: Vec<GuideCard>,
}

#[derive(Debug, Clone)]
pub struct Card {
    pub id: String,
    pub url: String,
    pub title_html: String,
    pub title_text: String,
    pub level: Option<&'static str>,
    pub tags: Vec<String>,
    pub answer_html: String,
    pub insight: bool,
    /// ` mastered` or empty: the card's extra class.
    pub state_class: String,
    /// `true` or `false`: the check button's `aria-pressed`.
    pub pressed: String,
    /// `Mark` or `Unmark`: the start of the button's accessible name.
    pub verb: String,
    /// What the no-JavaScript form sends: the opposite of the current state.
    pub next_value: String,
    pub mark_url: String,
}

#[derive(Debug, Clone)]
pub struct SectionView {
    pub number: usize,
    pub id: String,
    pub title: String,
    pub intro_html: String,
    pub mastered: String,
    pub total: usize,
    pub percent: String,
    pub cards: Vec<Card>,
}

#[derive(Template)]
#[template(path = "guide.html")]
pub struct GuidePage {
    pub layout: Layout,
    pub id: String,
    pub title: String,
    pub subtitle: String,
    pub description: String,
    pub intro_html: String,
    pub mastered: String,
    pub total: usize,
    pub percent: String,
    pub sections: Vec<SectionView>,
}

#[derive(Debug, Clone)]
pub struct Link {
    pub url: String,
    pub title: String,
}

#[derive(Template)]
#[template(path = "question.html")]
pub struct QuestionPage {
    pub layout: Layout,
    pub guide_url: String,
    pub guide_title: String,
    pub section_number: usize,
    pub section_title: String,
    pub section_url: String,
    pub card: Card,
    pub key_points: Vec<String>,
    pub references: Vec<Link>,
    pub follow_ups: Vec<Link>,
    pub prev: Option<Link>,
    pub next: Option<Link>,
    pub note_body: String,
    pub note_html: String,
    pub note_url: String,
    pub note_limit: usize,
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}

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
}

#[derive(Debug, Clone)]
pub struct Orphan {
    pub guide: String,
    pub question: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "settings.html")]
pub struct SettingsPage {
    pub layout: Layout,
    pub theme_choices: Vec<Choice>,
    pub database: String,
    pub orphans: Vec<Orphan>,
    pub guides: Vec<Link>,
    pub study: crate::plan::StudySettingsView,
}

#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    pub layout: Layout,
    pub status: u16,
    pub heading: String,
    pub message: String,
}

/// The friendly error page for a status and message.
pub fn error_page(state: &AppState, session: Option<&Session>, info: &ErrorInfo) -> Response {
    let heading = match info.status.as_u16() {
        404 => "Page not found".to_owned(),
        403 => "Request refused".to_owned(),
        413 => "Too large".to_owned(),
        s if s >= 500 => "Something went wrong".to_owned(),
        _ => "Bad request".to_owned(),
    };
    let page = ErrorPage {
        layout: Layout::new(state, session, heading.clone(), "/"),
        status: info.status.as_u16(),
        heading,
        message: info.message.clone(),
    };
    render(&page)
}
