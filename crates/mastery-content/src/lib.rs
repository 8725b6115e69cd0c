//! Guides for Mastery: load a guide folder, validate it, render it once.
//!
//! The pipeline is `source` (files from a folder or embedded bytes) → `parse` (front
//! matter, Markdown blocks, metadata, key points, references, examples, with every problem
//! reported as a [`Diagnostic`] with file, line, column and hint) → `render` (HTML with
//! server-side highlighting). The result is an immutable [`Guide`] that pages share
//! without re-rendering. The format is documented in `docs/guide-format.md`.

mod diagnostic;
pub mod expected;
mod fields;
pub mod highlight;
mod info;
mod model;
mod parse;
mod render;
pub mod search;
mod source;
mod stats;

pub use diagnostic::{Diagnostic, Severity, did_you_mean};
pub use model::{
    CodeExample, Entry, EntryKind, Guide, Id, IdError, KeyPoint, Level, Location, Reference,
    Section, is_python, question_path,
};
pub use parse::{LoadReport, load_guide};
pub use source::{GuideFiles, SourceError, SourceFile};
pub use stats::GuideStats;
