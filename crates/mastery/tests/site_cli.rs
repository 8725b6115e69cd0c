//! `mastery build` as a user runs it, and the link check of what it writes: every internal
//! link and asset of every page of the built site resolves to a file of the site (and
//! every `#fragment` to an element of that file), so the site works from any folder and
//! from `file://`.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use common::{mastery, text};

/// The values of `href="…"` and `src="…"` in the tags of a page (text that merely shows
/// HTML, in code, is escaped and has no tags).
fn links(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt..];
        let end = after.find('>').unwrap_or(after.len());
        let tag = &after[..end];
        for attribute in [" href=\"", " src=\""] {
            if let Some(at) = tag.find(attribute) {
                let value = &tag[at + attribute.len()..];
                let close = value.find('"').unwrap_or(value.len());
                out.push(value[..close].replace("&amp;", "&"));
            }
        }
        rest = &after[end..];
    }
    out
}

/// The `id="…"` of a page.
fn ids(html: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut rest = html;
    while let Some(at) = rest.find(" id=\"") {
        let after = &rest[at + 5..];
        let end = after.find('"').unwrap_or(after.len());
        out.insert(after[..end].to_owned());
        rest = &after[end..];
    }
    out
}

fn pages(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            pages(&path, out);
        } else if path.extension().is_some_and(|e| e == "html") {
            out.push(path);
        }
    }
}

/// Every internal link of every page resolves; returns how many were checked.
fn check_links(site: &Path) -> usize {
    let mut all = Vec::new();
    pages(site, &mut all);
    let mut id_cache: HashMap<PathBuf, BTreeSet<String>> = HashMap::new();
    let mut checked = 0;
    let mut broken = Vec::new();
    for page in &all {
        let html = std::fs::read_to_string(page).unwrap();
        for link in links(&html) {
            let external = ["http://", "https://", "mailto:", "data:"]
                .iter()
                .any(|s| link.starts_with(s));
            if external || link.is_empty() {
                continue;
            }
            assert!(
                !link.starts_with('/'),
                "{}: {link} is absolute, it breaks from file://",
                page.display()
            );
            let (path, fragment) = match link.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (link.as_str(), None),
            };
            let path = path.split('?').next().unwrap_or(path);
            let target = if path.is_empty() {
                page.clone()
            } else {
                page.parent().unwrap().join(path)
            };
            let Ok(target) = target.canonicalize() else {
                broken.push(format!("{}: {link} (no such file)", page.display()));
                continue;
            };
            assert!(
                target.starts_with(site.canonicalize().unwrap()),
                "{link} leaves the site"
            );
            if let Some(fragment) = fragment.filter(|f| !f.is_empty()) {
                let ids = id_cache
                    .entry(target.clone())
                    .or_insert_with(|| ids(&std::fs::read_to_string(&target).unwrap_or_default()));
                if !ids.contains(fragment) {
                    broken.push(format!(
                        "{}: {link} (no id {fragment:?} there)",
                        page.display()
                    ));
                }
            }
            checked += 1;
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken links:\n{}",
        broken.len(),
        broken.join("\n")
    );
    checked
}

#[test]
fn the_built_in_guide_builds_into_a_site_whose_links_all_resolve() {
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    let out = mastery(&["build", "python-django", "-o", site.to_str().unwrap()]);
    let shown = text(&out);
    assert!(out.status.success(), "{shown}");
    assert!(
        shown.contains("Built Python & Django Interview Guide"),
        "{shown}"
    );
    for file in [
        "index.html",
        "guide.html",
        "print.html",
        "search.html",
        "q/gil.html",
    ] {
        assert!(site.join(file).is_file(), "{file}");
    }
    let index = std::fs::read_to_string(site.join("assets/search-index.js")).unwrap();
    assert!(
        index.starts_with("window.MASTERY_SEARCH = {"),
        "{}",
        &index[..80]
    );
    let checked = check_links(&site);
    assert!(checked > 1_000, "only {checked} links checked");

    // Written whole: a second build needs --force, and leaves nothing behind.
    let again = mastery(&["build", "python-django", "-o", site.to_str().unwrap()]);
    assert!(!again.status.success());
    assert!(text(&again).contains("--force"), "{}", text(&again));
    let forced = mastery(&[
        "build",
        "python-django",
        "-o",
        site.to_str().unwrap(),
        "--force",
    ]);
    assert!(forced.status.success(), "{}", text(&forced));
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["site"]);
}

#[test]
fn an_imported_guide_builds_too_and_a_broken_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("questions.md");
    std::fs::write(
        &source,
        "# Shell\n\n## What does `set -e` do?\n\nExits on the first failing command; see [pipefail](#what-is-pipefail).\n\n## What is pipefail?\n\nA pipeline fails when any command in it fails.\n\n```bash\nset -o pipefail\n```\n",
    )
    .unwrap();
    let guide = dir.path().join("guide");
    let out = mastery(&[
        "import",
        source.to_str().unwrap(),
        "-o",
        guide.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    let site = dir.path().join("site");
    let out = mastery(&[
        "build",
        guide.to_str().unwrap(),
        "-o",
        site.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out));
    check_links(&site);
    let page = std::fs::read_to_string(site.join("q/what-does-set-e-do.html")).unwrap();
    assert!(page.contains("href=\"what-is-pipefail.html\""), "{page}");

    std::fs::write(guide.join("01-shell.md"), "---\nid: shell\n---\n").unwrap();
    let broken = dir.path().join("broken-site");
    let out = mastery(&[
        "build",
        guide.to_str().unwrap(),
        "-o",
        broken.to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(text(&out).contains("no `title`"), "{}", text(&out));
    assert!(!broken.exists(), "nothing was written");
    let out = mastery(&["build", "no-such-guide", "-o", broken.to_str().unwrap()]);
    assert!(
        text(&out).contains("built in: python-django"),
        "{}",
        text(&out)
    );
}
