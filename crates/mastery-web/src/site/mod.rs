//! The static site of one guide (`mastery build`): the same reading pages as the server,
//! without a server, for any web host or straight from the disk (`file://`).
//!
//! [`build`] returns every file of the site as bytes (the binary writes them): `index.html`
//! (home), `guide.html` (every section and answer), `q/<id>.html` (one page per question
//! and insight, with key points, follow-ups and references), `print.html` (the whole guide
//! on one page, for paper or a PDF), `search.html`, and `assets/`: the server's stylesheet
//! (light and dark themes, code highlighted at build time), a small script (theme toggle,
//! search) and the search index as a script (`search-index.js`), because a page opened
//! from a file cannot fetch. Every link is relative, so the folder works wherever it is.
//!
//! - `pages.rs`: the pages and their view models;
//! - `search.rs`: the search index.

mod pages;
mod search;

use mastery_content::Guide;

use crate::assets::Assets;

/// Why a site could not be built.
#[derive(Debug, thiserror::Error)]
#[error("cannot render {page}: {source}")]
pub struct SiteError {
    page: String,
    #[source]
    source: askama::Error,
}

/// Every file of the static site of `guide`, by path relative to the site's folder.
///
/// # Errors
///
/// A page that cannot be rendered (a bug of a template).
pub fn build(guide: &Guide) -> Result<Vec<(String, Vec<u8>)>, SiteError> {
    let assets = Assets::build();
    let mut files = pages::render_all(guide)?;
    let css = [assets.css.bytes(), SITE_CSS.as_bytes()].concat();
    files.push(("assets/site.css".to_owned(), css));
    files.push(("assets/site.js".to_owned(), SITE_JS.as_bytes().to_vec()));
    files.push(("assets/theme.js".to_owned(), THEME_JS.as_bytes().to_vec()));
    files.push(("assets/icon.svg".to_owned(), assets.icon.bytes().to_vec()));
    files.push((
        "assets/search-index.js".to_owned(),
        search::index_script(guide).into_bytes(),
    ));
    Ok(files)
}

/// What the static pages add to the server's stylesheet.
const SITE_CSS: &str = include_str!("../../assets/site.css");
/// Search and the theme toggle; every page reads without it.
const SITE_JS: &str = include_str!("../../assets/site.js");
/// Applies the remembered theme before the page is drawn (loaded in `<head>`).
const THEME_JS: &str = "try{var t=localStorage.getItem('mastery-theme');if(t==='dark'||t==='light'){document.documentElement.setAttribute('data-theme',t)}}catch(e){}\n";

/// Links between questions point at the server's `/guides/<guide>/<id>`: on a static
/// page they point at `<prefix><id>.html` instead (`prefix` is `q/` from the site's root,
/// empty from a question page).
pub(crate) fn relative_links(html: &str, guide: &str, prefix: &str) -> String {
    let needle = format!("href=\"/guides/{guide}/");
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(at) = rest.find(&needle) {
        out.push_str(&rest[..at]);
        let after = &rest[at + needle.len()..];
        let end = after.find('"').unwrap_or(after.len());
        let (id, fragment) = match after[..end].split_once('#') {
            Some((id, f)) => (id, format!("#{f}")),
            None => (&after[..end], String::new()),
        };
        out.push_str(&format!("href=\"{prefix}{id}.html{fragment}"));
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]

    use super::*;
    use mastery_content::{GuideFiles, load_guide};

    #[test]
    fn links_between_questions_become_relative() {
        let html = "<a href=\"/guides/g/gil\">GIL</a> <a href=\"/guides/g/orm#n\">x</a> <a href=\"https://x.org\">y</a>";
        assert_eq!(
            relative_links(html, "g", "q/"),
            "<a href=\"q/gil.html\">GIL</a> <a href=\"q/orm.html#n\">x</a> <a href=\"https://x.org\">y</a>"
        );
        assert_eq!(relative_links("no links", "g", ""), "no links");
    }

    #[test]
    fn a_site_has_every_page_and_asset() {
        let dir =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guides/python-django");
        let guide = load_guide(&GuideFiles::from_dir(&dir).unwrap())
            .guide
            .unwrap();
        let files = build(&guide).unwrap();
        let paths: Vec<&str> = files.iter().map(|(p, _)| p.as_str()).collect();
        for expected in [
            "index.html",
            "guide.html",
            "print.html",
            "search.html",
            "assets/site.css",
            "assets/site.js",
            "assets/search-index.js",
        ] {
            assert!(paths.contains(&expected), "{expected} in {paths:?}");
        }
        let pages = paths.iter().filter(|p| p.starts_with("q/")).count();
        assert_eq!(pages, guide.entries().count());
        let page = |name: &str| {
            let (_, bytes) = files.iter().find(|(p, _)| p == name).unwrap();
            String::from_utf8(bytes.clone()).unwrap()
        };
        let gil = page("q/gil.html");
        assert!(gil.contains("href=\"../assets/site.css\""), "{gil}");
        assert!(!gil.contains("href=\"/"), "no absolute link: {gil}");
        assert!(gil.contains("<hl-"), "code is highlighted");
        let print = page("print.html");
        assert_eq!(
            print.matches("class=\"print-entry\"").count(),
            guide.entries().count()
        );
        let css = page("assets/site.css");
        assert!(css.contains("prefers-color-scheme: dark") && css.contains("@media print"));
    }
}
