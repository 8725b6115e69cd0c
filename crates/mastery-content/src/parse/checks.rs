//! The cross-checks, once every file is read.
//!
//! While the files are parsed, each one records the ids it declares (sections, questions,
//! insights) and the ids it mentions (follow-ups, `#id` links) through a [`Ctx`]. Once all
//! are read, duplicate ids anywhere in the guide, and follow-ups or links to unknown ids
//! (or to insights, or to the question itself), are reported here.

use std::collections::HashMap;
use std::ops::Range;

use crate::diagnostic::{Diagnostics, did_you_mean};
use crate::model::Id;
use crate::source::SourceText;

/// An id mentioned somewhere that must exist in the guide.
pub(super) struct IdRef {
    pub(super) id: String,
    pub(super) file: usize,
    pub(super) range: Range<usize>,
    pub(super) what: &'static str,
    pub(super) from: Option<String>,
}

/// An id declared by a section or an entry (even one with errors), for cross-checks.
pub(super) struct Declared {
    pub(super) id: String,
    pub(super) question: bool,
    pub(super) file: usize,
    pub(super) offset: usize,
}

/// Where a file's cross-references and declared ids are collected.
pub(super) struct Ctx<'c> {
    pub(super) file: usize,
    pub(super) guide: &'c Id,
    pub(super) refs: &'c mut Vec<IdRef>,
    pub(super) declared: &'c mut Vec<Declared>,
}

/// Duplicate ids across the guide, and follow-ups or links to ids that do not exist.
pub(super) fn check_ids(
    sources: &[SourceText<'_>],
    declared: &[Declared],
    refs: &[IdRef],
    diags: &mut Diagnostics,
) {
    let mut first: HashMap<&str, &Declared> = HashMap::new();
    for d in declared {
        match first.get(d.id.as_str()) {
            Some(earlier) => {
                let src = &sources[d.file];
                let prior = &sources[earlier.file];
                diags.push(src.error(
                    d.offset,
                    d.id.len(),
                    format!("duplicate id `{}`", d.id),
                    Some(format!(
                        "`{}` is already used at {}:{}; ids must be unique in the guide",
                        d.id,
                        prior.display,
                        prior.line_of(earlier.offset)
                    )),
                ));
            }
            None => {
                first.insert(d.id.as_str(), d);
            }
        }
    }
    let mut known: Vec<&str> = first.keys().copied().collect();
    known.sort_unstable();
    for r in refs {
        let src = &sources[r.file];
        match first.get(r.id.as_str()) {
            None => {
                let hint = match did_you_mean(&r.id, &known) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => "use the `id:` of a question in this guide".into(),
                };
                diags.push(src.error(
                    r.range.start,
                    r.range.len(),
                    format!("{} to unknown id `{}`", r.what, r.id),
                    Some(hint),
                ));
            }
            Some(d) if !d.question && r.what == "follow-up" => {
                diags.push(src.error(
                    r.range.start,
                    r.range.len(),
                    format!("follow-up `{}` is not a question", r.id),
                    Some("follow-ups must be ids of questions".into()),
                ));
            }
            _ => {}
        }
        if r.from.as_deref() == Some(r.id.as_str()) {
            diags.push(src.error(
                r.range.start,
                r.range.len(),
                format!("question `{}` lists itself as a follow-up", r.id),
                Some("remove it from `follow-ups:`".into()),
            ));
        }
    }
}
