//! Static assets, embedded in the binary and served under content-hashed names
//! (`/assets/app.3f2a9c1d0b.css`) with a one-year immutable cache lifetime: a new build
//! changes the name, so browsers never run stale code and never re-download unchanged files.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use mastery_content::highlight::{CodeTheme, highlight_css};
use sha2::{Digest, Sha256};

use crate::error::WebError;

const CSS: &str = include_str!("../assets/app.css");
const JS: &str = include_str!("../assets/app.js");
const ICON: &str = include_str!("../assets/icon.svg");

/// One asset with its hashed URL.
#[derive(Debug)]
pub struct Asset {
    /// `/assets/app.<hash>.css`
    pub url: String,
    content_type: &'static str,
    body: Vec<u8>,
}

/// Every asset of the app.
#[derive(Debug)]
pub struct Assets {
    /// The stylesheet (layout, themes and code highlighting).
    pub css: Asset,
    /// The script (progressive enhancement only; every page works without it).
    pub js: Asset,
    /// The favicon.
    pub icon: Asset,
}

impl Asset {
    /// The bytes served (the static site copies them).
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.body
    }
}

fn asset(stem: &str, ext: &str, content_type: &'static str, body: Vec<u8>) -> Asset {
    let digest = Sha256::digest(&body);
    let hash: String = digest.iter().take(5).map(|b| format!("{b:02x}")).collect();
    Asset {
        url: format!("/assets/{stem}.{hash}.{ext}"),
        content_type,
        body,
    }
}

impl Assets {
    /// Builds the assets once at start-up.
    pub fn build() -> Self {
        // Code panels keep their dark palette in both page themes (docs/ARCHITECTURE.md).
        let css = format!(
            "{CSS}\n/* Code highlighting */\n{}",
            highlight_css(CodeTheme::Dark, ".code")
        );
        Self {
            css: asset("app", "css", "text/css; charset=utf-8", css.into_bytes()),
            js: asset(
                "app",
                "js",
                "text/javascript; charset=utf-8",
                JS.as_bytes().to_vec(),
            ),
            icon: asset("icon", "svg", "image/svg+xml", ICON.as_bytes().to_vec()),
        }
    }

    fn find(&self, name: &str) -> Option<&Asset> {
        [&self.css, &self.js, &self.icon]
            .into_iter()
            .find(|a| a.url.strip_prefix("/assets/") == Some(name))
    }
}

/// `GET /assets/{name}`.
pub async fn serve(
    State(assets): State<Arc<Assets>>,
    Path(name): Path<String>,
) -> Result<Response, WebError> {
    let asset = assets
        .find(&name)
        .ok_or_else(|| WebError::NotFound(format!("no asset named {name}")))?;
    Ok((
        [
            (CONTENT_TYPE, asset.content_type),
            (CACHE_CONTROL, "public, max-age=31536000, immutable"),
        ],
        asset.body.clone(),
    )
        .into_response())
}
