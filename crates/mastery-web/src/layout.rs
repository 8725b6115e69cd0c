//! The frame every page shares ([`Layout`]: title, assets, CSRF token, theme, author-mode
//! problems) and [`render`], which turns an askama template into a response. Templates
//! escape everything by default; only HTML rendered at load from the guide's Markdown, or
//! sanitised note HTML, is inserted with `|safe`.

use askama::Template;
use axum::response::{Html, IntoResponse, Response};

use crate::error::WebError;
use crate::session::Session;
use crate::state::AppState;

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
        Err(e) => WebError::Internal(anyhow::anyhow!("template: {e}")).into_response(),
    }
}

#[derive(Debug, Clone)]
pub struct Choice {
    pub value: String,
    pub label: String,
    pub selected: bool,
}
