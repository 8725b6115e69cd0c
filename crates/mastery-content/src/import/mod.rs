//! Importing the Markdown question lists people publish (`mastery import`): files in, a
//! guide folder out (`docs/guide-format.md`) that `mastery check` accepts, with a report of
//! what was guessed and what was left out, and why.
//!
//! The steps, per file then across them:
//!
//! - `scan`: events and top-level blocks, `<details>` markers, explicit anchors;
//! - `shapes`: which shape the file has (questions as headings, `<details><summary>`,
//!   lists with indented answers, bold `Q:` paragraphs, one file per question) and its
//!   sections, questions and answers, as ranges of the source;
//! - `write`: sections across files, ids, link targets, then each title and answer carried
//!   over by `rewrite`, and the guide's files;
//! - `text`: the small rules all of them share.
//!
//! Everything works on memory: the binary reads the files and writes the folder. Nothing
//! here panics on any input (the property tests and the fuzz target feed it arbitrary
//! text), and whatever it writes passes `mastery check` (the same tests load it).

mod rewrite;
mod scan;
mod shapes;
mod text;
mod write;

use crate::model::Level;
use crate::source::{GuideFiles, SourceFile};

pub use shapes::Skipped;

/// The small text rules of the importer that other importers (Anki's packages and text
/// files) share, so every imported guide names and quotes things alike.
pub mod names {
    pub use super::text::{UniqueIds, front_matter_value, id_from, one_line, toml_string};
}

/// One Markdown file to import.
#[derive(Debug, Clone)]
pub struct Source {
    /// Its path relative to the import root, `/`-separated (`questions/01-closures.md`).
    pub path: String,
    /// Its text.
    pub text: String,
}

/// What to import.
#[derive(Debug, Clone, Default)]
pub struct Input {
    /// The name of what is imported (the folder or file name), for titles and the report.
    pub name: String,
    /// The Markdown files, in reading order.
    pub files: Vec<Source>,
    /// The other files under the root (images), by relative path: those the questions
    /// show are copied into the guide.
    pub assets: Vec<String>,
}

/// Choices the importer cannot guess.
#[derive(Debug, Clone)]
pub struct Options {
    /// The guide's id; made from its title when `None`.
    pub id: Option<String>,
    /// The guide's title; the first `#` heading (or the name) when `None`.
    pub title: Option<String>,
    /// The level every question gets (the guide format needs one).
    pub level: Level,
    /// Where the source's relative links point on the web (a repository's
    /// `https://github.com/OWNER/REPO/blob/main/`), to keep them as absolute links.
    pub link_base: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            id: None,
            title: None,
            level: Level::Confirmed,
            link_base: None,
        }
    }
}

/// A guide made from the import.
#[derive(Debug, Clone)]
pub struct Imported {
    /// The guide folder's files: path relative to it, and text.
    pub files: Vec<(String, String)>,
    /// Files of the import the guide shows (images), to copy to the same relative path.
    pub assets: Vec<String>,
    /// What was found, guessed and left out.
    pub report: Report,
}

impl Imported {
    /// The guide's files as the parser reads them ([`crate::load_guide`]), shown under
    /// `root`: what `mastery import` checks before it writes anything.
    pub fn guide_files(&self, root: &str) -> GuideFiles {
        GuideFiles {
            root: root.to_owned(),
            files: self
                .files
                .iter()
                .map(|(path, text)| SourceFile {
                    path: path.clone(),
                    bytes: text.as_bytes().to_vec(),
                })
                .collect(),
        }
    }
}

/// What an import found, guessed and left out.
#[derive(Debug, Clone, Default)]
pub struct Report {
    /// The guide's id.
    pub id: String,
    /// The guide's title.
    pub title: String,
    /// Each section written: its file, title and number of questions.
    pub sections: Vec<(String, String, usize)>,
    /// Each file read: its path, questions found and the shape guessed.
    pub files: Vec<(String, usize, String)>,
    /// Blocks left out, with where and why.
    pub skipped: Vec<Skipped>,
    /// Other things worth knowing (code marked `norun`, links kept as text, ...).
    pub notes: Vec<String>,
}

impl Report {
    /// Questions written, in all sections.
    pub fn questions(&self) -> usize {
        self.sections.iter().map(|(_, _, n)| n).sum()
    }
}

/// Why nothing could be imported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// No Markdown file was given.
    #[error("there is no Markdown file to import (looked for *.md and *.markdown files)")]
    NoFiles,
    /// No file holds anything that reads as a question with an answer.
    #[error(
        "found no questions with answers in {files} file(s); the importer recognises questions as headings followed by answers, <details><summary> blocks, numbered lists with indented answers, **bold** or Q: paragraphs, and one file per question{why}"
    )]
    NoQuestions {
        /// How many files were read.
        files: usize,
        /// What was left out, briefly.
        why: String,
    },
    /// `--id` is not a valid id.
    #[error("--id {0:?} is not a valid id: {1}")]
    BadId(String, String),
}

/// Imports `input` as a guide.
///
/// # Errors
///
/// No Markdown file, no question found, or an invalid [`Options::id`].
pub fn import(input: &Input, options: &Options) -> Result<Imported, ImportError> {
    write::import(input, options)
}

#[cfg(test)]
mod tests;
