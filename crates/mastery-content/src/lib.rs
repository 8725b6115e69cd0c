//! Guides for Mastery: load a guide folder, validate it, render it once.
//!
//! The pipeline is `source` (files from a folder or embedded bytes) → `parse` (UTF-8,
//! `guide.toml`, front matter, Markdown blocks, entries and their metadata, key points,
//! references, examples, then the cross-checks; one module per step under `parse/`, with
//! every problem reported as a [`Diagnostic`] with file, line, column and hint) → `render`
//! (HTML with server-side highlighting). The result is an immutable [`Guide`] that pages
//! share without re-rendering; [`Guide::question`] finds a question with its section, and
//! [`html::escape`] escapes text the way the rendered pages do. The format is documented in
//! `docs/guide-format.md`. [`import`] turns the Markdown question lists people publish into
//! a guide folder. [`suggest`] finds one question's Markdown in its files and checks a
//! proposed replacement by the same rules (suggested improvements).

mod diagnostic;
pub mod expected;
mod fields;
pub mod highlight;
pub mod html;
pub mod import;
mod info;
mod model;
mod parse;
mod render;
pub mod search;
mod source;
mod stats;
pub mod suggest;
pub mod user_markdown;

pub use diagnostic::{Diagnostic, Severity, did_you_mean};
pub use model::{
    CodeExample, Entry, EntryKind, Guide, Id, IdError, KeyPoint, Level, Location, Reference,
    Section, is_python, question_path,
};
pub use parse::{LoadReport, load_guide};
pub use source::{GuideFiles, SourceError, SourceFile};
pub use stats::GuideStats;
