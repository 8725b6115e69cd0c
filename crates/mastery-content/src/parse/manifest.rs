//! The manifest step: a guide's `guide.toml`.
//!
//! The file is deserialised with serde (`deny_unknown_fields`, spans for errors); then the
//! guide id is validated and a missing licence or author list is reported as a warning.

use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::model::Id;
use crate::source::SourceText;

/// The manifest's file name, at the top of the guide folder.
pub(super) const GUIDE_TOML: &str = "guide.toml";

/// The keys of `guide.toml`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct GuideToml {
    id: toml::Spanned<String>,
    pub(super) title: String,
    pub(super) subtitle: Option<String>,
    pub(super) description: String,
    pub(super) version: String,
    #[serde(alias = "license")]
    pub(super) licence: Option<String>,
    #[serde(default)]
    pub(super) authors: Vec<String>,
    /// Search synonyms: `gil = ["global interpreter lock"]` makes each phrase find the
    /// others.
    #[serde(default)]
    pub(super) synonyms: std::collections::BTreeMap<String, Vec<String>>,
}

/// The id used when the guide's own is missing or malformed, so the sections can still be
/// checked.
pub(super) fn fallback_id() -> Id {
    Id::parse("guide").unwrap_or_else(|_| unreachable_id())
}

/// An id that always parses; kept out of line so the `Result` above never needs `unwrap`.
fn unreachable_id() -> Id {
    Id(String::from("guide"))
}

/// The error for a guide folder without `guide.toml` (`file` is its display path).
pub(super) fn missing(file: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file,
        line: 0,
        column: 0,
        width: 0,
        source_line: String::new(),
        message: "the guide has no guide.toml".into(),
        hint: Some(
            "create guide.toml with id, title, description and version (see docs/guide-format.md)"
                .into(),
        ),
    }
}

/// Deserialises `guide.toml`, reporting a syntax error, an unknown or a missing key.
pub(super) fn parse_guide_toml(src: &SourceText<'_>, diags: &mut Diagnostics) -> Option<GuideToml> {
    match toml::from_str::<GuideToml>(src.text) {
        Ok(meta) => Some(meta),
        Err(e) => {
            let span = e.span().unwrap_or(0..0);
            let message = e.message().trim().to_owned();
            let hint = if message.starts_with("unknown field") {
                let field = message.split('`').nth(1).unwrap_or("");
                did_you_mean(
                    field,
                    &[
                        "id",
                        "title",
                        "subtitle",
                        "description",
                        "version",
                        "licence",
                        "authors",
                        "synonyms",
                    ],
                )
                .map(|s| format!("did you mean `{s}`?"))
                .or_else(|| Some("see docs/guide-format.md for the keys of guide.toml".into()))
            } else if message.starts_with("missing field") {
                Some("guide.toml needs id, title, description and version".into())
            } else {
                Some("guide.toml must be valid TOML (https://toml.io)".into())
            };
            diags.push(src.error(
                span.start,
                span.end - span.start,
                format!("invalid guide.toml: {message}"),
                hint,
            ));
            None
        }
    }
}

/// Validates the guide id (the fallback id when it is malformed) and warns about a missing
/// licence or author list. `src` is `guide.toml` itself.
pub(super) fn check(meta: &GuideToml, src: &SourceText<'_>, diags: &mut Diagnostics) -> Id {
    let guide_id = match Id::parse(meta.id.get_ref()) {
        Ok(id) => id,
        Err(e) => {
            let span = meta.id.span();
            diags.push(src.error(
                span.start,
                span.end - span.start,
                format!("malformed guide id: {e}"),
                Some(format!("try `id = \"{}\"`", Id::suggest(meta.id.get_ref()))),
            ));
            fallback_id()
        }
    };
    if meta.licence.is_none() {
        diags.push(src.warning(
            0,
            0,
            "guide.toml has no licence",
            Some("add `licence = \"CC-BY-SA-4.0\"` (or the licence you publish under)".into()),
        ));
    }
    if meta.authors.is_empty() {
        diags.push(src.warning(
            0,
            0,
            "guide.toml names no authors",
            Some("add `authors = [\"Your Name\"]`".into()),
        ));
    }
    guide_id
}
