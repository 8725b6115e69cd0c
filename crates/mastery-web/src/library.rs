//! The guides the server shows: loaded and rendered once, shared by every request.
//!
//! A [`Library`] is immutable. Author mode (`--watch`) builds a new one when files change
//! and swaps it in atomically; requests in flight keep the one they started with.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock, RwLock};

use mastery_app::community::suggestions::GuideSource;
use mastery_content::search::SearchIndex;
use mastery_content::{Diagnostic, Guide, GuideFiles, load_guide};

use crate::guides::page_cache::PageCache;
use crate::guides::prerender::PageTemplate;

/// A guide that failed to load, with its diagnostics (shown in the browser in author mode).
#[derive(Debug, Clone)]
pub struct Problem {
    /// Where the guide was loaded from.
    pub root: String,
    /// Its errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

/// Loaded guides and their search index.
#[derive(Debug, Default)]
pub struct Library {
    /// Guides in order.
    pub guides: Vec<Arc<Guide>>,
    /// Each loaded guide with the files it was loaded from (what suggested improvements
    /// are made of and checked against).
    pub sources: Vec<GuideSource>,
    /// Full-text search over every guide.
    pub search: SearchIndex,
    /// Guides that could not be loaded.
    pub problems: Vec<Problem>,
    /// Each guide's page, rendered on first use and then only filled in per request.
    pages: HashMap<String, OnceLock<Option<PageTemplate>>>,
    /// Each guide's Anki package ("Download for Anki"), made on first use.
    packages: HashMap<String, tokio::sync::OnceCell<Arc<[u8]>>>,
    /// Filled-in guide pages, kept until the learner's data changes.
    pub(crate) finished: PageCache,
}

impl Library {
    /// Loads every guide; guides with errors are kept aside as problems.
    pub fn load(sources: &[GuideFiles]) -> Self {
        let mut guides = Vec::new();
        let mut problems = Vec::new();
        let mut kept = Vec::new();
        for files in sources {
            let report = load_guide(files);
            let errors: Vec<Diagnostic> = report
                .diagnostics
                .iter()
                .filter(|d| d.is_error())
                .cloned()
                .collect();
            match report.guide {
                Some(guide) if !guides.iter().any(|g: &Arc<Guide>| g.id == guide.id) => {
                    let guide = Arc::new(guide);
                    kept.push(GuideSource {
                        guide: Arc::clone(&guide),
                        files: Arc::new(files.clone()),
                        diagnostics: Arc::new(report.diagnostics.clone()),
                    });
                    guides.push(guide);
                }
                Some(guide) => problems.push(Problem {
                    root: files.root.clone(),
                    diagnostics: vec![Diagnostic {
                        severity: mastery_content::Severity::Error,
                        file: files.display_path("guide.toml"),
                        line: 0,
                        column: 0,
                        width: 0,
                        source_line: String::new(),
                        message: format!("another loaded guide already has the id `{}`", guide.id),
                        hint: Some("give this guide its own `id` in guide.toml".into()),
                    }],
                }),
                None => problems.push(Problem {
                    root: files.root.clone(),
                    diagnostics: errors,
                }),
            }
        }
        let search = SearchIndex::build(&guides);
        let pages = guides
            .iter()
            .map(|g| (g.id.to_string(), OnceLock::new()))
            .collect();
        let packages = guides
            .iter()
            .map(|g| (g.id.to_string(), tokio::sync::OnceCell::new()))
            .collect();
        Self {
            guides,
            sources: kept,
            search,
            problems,
            pages,
            packages,
            finished: PageCache::default(),
        }
    }

    /// The pre-rendered page of a guide, built by `build` the first time it is asked for.
    pub(crate) fn page(
        &self,
        id: &str,
        build: impl FnOnce() -> Option<PageTemplate>,
    ) -> Option<&PageTemplate> {
        self.pages.get(id)?.get_or_init(build).as_ref()
    }

    /// The Anki package of `guide` (no learner's data), made the first time it is asked
    /// for and kept with this library.
    ///
    /// # Errors
    ///
    /// The package cannot be written (a temporary file).
    pub(crate) async fn anki_package(
        &self,
        guide: &Guide,
        now: i64,
    ) -> Result<Arc<[u8]>, mastery_anki::AnkiError> {
        let make = || async {
            mastery_anki::export::package(guide, None, now)
                .await
                .map(|(bytes, _)| Arc::from(bytes))
        };
        match self.packages.get(guide.id.as_str()) {
            Some(cell) => cell.get_or_try_init(make).await.cloned(),
            None => make().await,
        }
    }

    /// A guide by id.
    pub fn guide(&self, id: &str) -> Option<&Arc<Guide>> {
        self.guides.iter().find(|g| g.id.as_str() == id)
    }
}

/// The current library, replaceable at run time.
#[derive(Debug)]
pub struct Shelf {
    current: RwLock<Arc<Library>>,
}

impl Shelf {
    /// A shelf holding `library`.
    pub fn new(library: Library) -> Self {
        Self {
            current: RwLock::new(Arc::new(library)),
        }
    }

    /// The library to use for one request.
    pub fn get(&self) -> Arc<Library> {
        match self.current.read() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }

    /// Swaps in a new library.
    pub fn replace(&self, library: Library) {
        let library = Arc::new(library);
        match self.current.write() {
            Ok(mut guard) => *guard = library,
            Err(poisoned) => *poisoned.into_inner() = library,
        }
    }
}
