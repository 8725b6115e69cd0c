//! From a guide's files to a [`Guide`], with every problem reported.
//!
//! The pipeline per file: bytes → UTF-8 text → front matter → top-level Markdown blocks
//! (pulldown-cmark with byte offsets) → entries (heading, metadata, answer, key points,
//! references) → rendered HTML. Cross-file checks (duplicate ids, follow-ups and links to
//! unknown ids) run once every file is read. Nothing here panics on any input: the
//! property tests and the fuzz target feed it arbitrary bytes.
//!
//! This module is the orchestration: it decodes the files, sorts them into `guide.toml`,
//! the introduction and section files, calls each step and assembles the [`LoadReport`].
//! The steps, in pipeline order:
//!
//! - `manifest`: `guide.toml` (the guide's id, title, licence, authors).
//! - `sections`: each section file (front matter, introduction, split at `## ` headings),
//!   on all cores.
//! - `blocks`: the top-level Markdown blocks of a file, with byte ranges.
//! - `entries`: one question or insight (heading, metadata, answer).
//! - `metadata`: `key: value` fields (unknown or repeated keys, ids, id lists).
//! - `examples`: the code examples of an answer and their `output` blocks.
//! - `lists`: the `### Key points` and `### References` lists.
//! - `rendered`: what rendering a block found (raw HTML, unsafe and internal links).
//! - `checks`: the cross-checks once every file is read (duplicate ids, unknown ids).
//!
//! The steps never use this module's items, and depend on each other only downwards:
//! `sections` uses `entries`, which uses `lists`, `examples` and `metadata`; `sections`,
//! `entries` and `lists` use `blocks`; `rendered` records links as `checks` items. The
//! leaves (`manifest`, `blocks`, `metadata`, `examples`, `checks`) use no other step.

mod blocks;
mod checks;
mod entries;
mod examples;
mod lists;
mod manifest;
mod metadata;
mod rendered;
mod sections;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::model::{Guide, Id};
use crate::render::render_block;
use crate::source::{GuideFiles, SourceText, not_utf8};

use self::checks::check_ids;
use self::manifest::{GUIDE_TOML, GuideToml};
use self::rendered::report_render_findings;
use self::sections::{Parsed, parse_sections};

/// The result of loading one guide: the guide when there were no errors, and every
/// diagnostic (errors and warnings) sorted by file and line.
#[derive(Debug)]
pub struct LoadReport {
    /// The guide, when it has no errors.
    pub guide: Option<Guide>,
    /// Errors and warnings.
    pub diagnostics: Vec<Diagnostic>,
}

impl LoadReport {
    /// Number of errors.
    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// Number of warnings.
    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    /// The errors, as they print.
    pub fn error_messages(&self) -> Vec<String> {
        self.diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(ToString::to_string)
            .collect()
    }
}

const INTRO: &str = "README.md";

/// Loads and validates one guide from its files.
pub fn load_guide(files: &GuideFiles) -> LoadReport {
    let mut diags = Diagnostics::default();
    // Decode every file first; diagnostics need their text until the end.
    let mut texts: Vec<(String, String, &str)> = Vec::new(); // (relative, display, text)
    for file in &files.files {
        let display = files.display_path(&file.path);
        match std::str::from_utf8(&file.bytes) {
            Ok(text) => texts.push((file.path.clone(), display, text)),
            Err(e) => diags.push(not_utf8(display, &file.bytes, e)),
        }
    }
    texts.sort_by(|a, b| a.0.cmp(&b.0));

    // Every decoded file, kept for diagnostics until the whole guide is checked.
    let mut sources: Vec<SourceText<'_>> = Vec::new();
    let mut meta: Option<(GuideToml, usize)> = None;
    let mut intro_index = None;
    let mut section_indices = Vec::new();
    for (relative, display, text) in &texts {
        let index = sources.len();
        sources.push(SourceText::new(display.clone(), text));
        if relative == GUIDE_TOML {
            meta = manifest::parse_guide_toml(&sources[index], &mut diags).map(|m| (m, index));
        } else if relative.eq_ignore_ascii_case(INTRO) {
            intro_index = Some(index);
        } else if relative.ends_with(".md") {
            section_indices.push(index);
        }
    }
    let has_toml = files.files.iter().any(|f| f.path == GUIDE_TOML);
    if !has_toml {
        diags.push(manifest::missing(files.display_path(GUIDE_TOML)));
    }
    let Some((meta, toml_index)) = meta else {
        // Still check the sections, so the author sees every problem at once.
        let placeholder = manifest::fallback_id();
        check_sections(&sources, &section_indices, &placeholder, &mut diags);
        return LoadReport {
            guide: None,
            diagnostics: diags.into_sorted(),
        };
    };
    let guide_id = manifest::check(&meta, &sources[toml_index], &mut diags);

    let Parsed {
        sections,
        mut refs,
        declared,
    } = parse_sections(&sources, &section_indices, &guide_id, &mut diags);
    let intro_html = intro_index.map(|i| {
        let file = &sources[i];
        let rendered = render_block(file.text, &guide_id, "intro");
        report_render_findings(file, 0, &rendered, &mut refs, i, &mut diags);
        rendered.html
    });
    if sections.is_empty() && !diags.has_errors() {
        diags.push(sources[toml_index].error(
            0,
            0,
            "the guide has no sections",
            Some("add a section file such as `01-basics.md` next to guide.toml".into()),
        ));
    }
    check_ids(&sources, &declared, &refs, &mut diags);

    let guide = Guide {
        id: guide_id,
        title: meta.title,
        subtitle: meta.subtitle,
        description: meta.description,
        version: meta.version,
        licence: meta.licence,
        authors: meta.authors,
        synonyms: meta
            .synonyms
            .into_iter()
            .map(|(key, phrases)| std::iter::once(key).chain(phrases).collect())
            .collect(),
        intro_html,
        sections,
        origin: files.root.clone(),
    };
    let guide = (!diags.has_errors()).then_some(guide);
    LoadReport {
        guide,
        diagnostics: diags.into_sorted(),
    }
}

/// Parses the sections only for their diagnostics (used when guide.toml is unusable).
fn check_sections(
    sources: &[SourceText<'_>],
    indices: &[usize],
    guide: &Id,
    diags: &mut Diagnostics,
) {
    let parsed = parse_sections(sources, indices, guide, diags);
    check_ids(sources, &parsed.declared, &parsed.refs, diags);
}
