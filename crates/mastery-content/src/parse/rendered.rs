//! The render step's findings, as diagnostics.
//!
//! `render.rs` turns Markdown into HTML once and notes what it met on the way; here raw
//! HTML (shown as text) becomes a warning, a link with a scheme that is not allowed an
//! error, and every `#id` link an [`IdRef`] for the cross-checks.

use crate::diagnostic::Diagnostics;
use crate::render::Rendered;
use crate::source::SourceText;

use super::checks::IdRef;

/// Reports what rendering the Markdown at byte `base` of `src` found; `file_index` is the
/// file's index among the guide's files, for the cross-checks.
pub(super) fn report_render_findings(
    src: &SourceText<'_>,
    base: usize,
    rendered: &Rendered,
    refs: &mut Vec<IdRef>,
    file_index: usize,
    diags: &mut Diagnostics,
) {
    for range in &rendered.raw_html {
        diags.push(src.warning(
            base + range.start,
            range.len(),
            "raw HTML is shown as text, not as markup",
            Some("use Markdown instead; guides do not allow HTML".into()),
        ));
    }
    for (dest, range) in &rendered.unsafe_links {
        diags.push(src.error(
            base + range.start,
            range.len(),
            format!("link to `{dest}` is not allowed"),
            Some("links must use https://, http://, mailto: or #question-id".into()),
        ));
    }
    for (id, range) in &rendered.internal_links {
        refs.push(IdRef {
            id: id.clone(),
            file: file_index,
            range: base + range.start..base + range.end,
            what: "link",
            from: None,
        });
    }
}
