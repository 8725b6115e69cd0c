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
    /// Multi-user mode: who is signed in, with the account and sign-out links (raw,
    /// escaped HTML from [`account_nav`]); empty in personal mode.
    pub account_nav: String,
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
        let csrf = session
            .map(|s| crate::session::masked(&s.csrf))
            .unwrap_or_default();
        Self {
            title: title.into(),
            css: assets.css.url.clone(),
            js: assets.js.url.clone(),
            icon: assets.icon.url.clone(),
            account_nav: account_nav(session, &csrf),
            csrf,
            theme_attr: theme_attr(session.and_then(|s| s.theme)),
            next_theme: next_theme(session.and_then(|s| s.theme)).to_owned(),
            query: String::new(),
            here: here.into(),
            problems,
        }
    }
}

/// The header's account links in multi-user mode: "Sign in" for a visitor; the username
/// (to the account page), "Admin" for admins and a sign-out button for an account. Empty
/// in personal mode. Escaped here, inserted raw. `csrf` is the token as this page shows
/// it (masked).
pub fn account_nav(session: Option<&Session>, csrf: &str) -> String {
    let Some(session) = session.filter(|s| s.multi_user) else {
        return String::new();
    };
    let Some(user) = &session.user else {
        return r#"<a href="/sign-in" class="account-link">Sign in</a>"#.to_owned();
    };
    let admin = if user.account.role == mastery_storage::Role::Admin {
        r#"<a href="/moderation">Moderation</a><a href="/admin/users">Admin</a>"#
    } else if user.account.role == mastery_storage::Role::Moderator {
        r#"<a href="/moderation">Moderation</a>"#
    } else {
        ""
    };
    let unread = session.unread;
    let notifications = if unread > 0 {
        format!(
            r#"<a href="/notifications" class="notifications-link" aria-label="Notifications, {unread} unread">Notifications <span class="count">{unread}</span></a>"#
        )
    } else {
        r#"<a href="/notifications" class="notifications-link">Notifications</a>"#.to_owned()
    };
    format!(
        r#"<a href="/teams">Teams</a>{notifications}<a href="/account" class="account-link" aria-label="Your account, signed in as {name}">{name}</a>{admin}<form method="post" action="/sign-out" class="sign-out-form"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" class="link-button">Sign out</button></form>"#,
        name = mastery_content::html::escape(&user.account.username),
        csrf = mastery_content::html::escape(csrf),
    )
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
