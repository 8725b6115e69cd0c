//! The section step: each section file, on all cores.
//!
//! A section file starts with `---` front matter (`id:` and `title:`, read by `fields.rs`),
//! then an introduction, then one entry per `## ` heading. Sections are independent until
//! the cross-checks, so they are parsed and rendered on scoped threads and merged in file
//! order, so the output never depends on scheduling.

use pulldown_cmark::HeadingLevel;

use crate::diagnostic::Diagnostics;
use crate::fields::{FrontMatterError, front_matter};
use crate::model::{Entry, Id, Section};
use crate::render::render_block;
use crate::source::SourceText;

use super::blocks::{Block, blocks};
use super::checks::{Ctx, Declared, IdRef};
use super::entries::parse_entry;
use super::metadata::{check_keys, parse_id};
use super::rendered::report_render_findings;

const FRONT_MATTER_KEYS: [&str; 2] = ["id", "title"];

/// What parsing the section files produced.
pub(super) struct Parsed {
    pub(super) sections: Vec<Section>,
    pub(super) refs: Vec<IdRef>,
    pub(super) declared: Vec<Declared>,
}

/// Parses the section files `indices` of `sources`, in that order.
pub(super) fn parse_sections(
    sources: &[SourceText<'_>],
    indices: &[usize],
    guide: &Id,
    diags: &mut Diagnostics,
) -> Parsed {
    // Sections are independent until the cross-checks, so they are parsed and rendered on
    // all cores; results are merged in file order so output never depends on scheduling.
    let parse_one = |index: usize| {
        let mut part = Parsed {
            sections: Vec::new(),
            refs: Vec::new(),
            declared: Vec::new(),
        };
        let mut local = Diagnostics::default();
        let mut ctx = Ctx {
            file: index,
            guide,
            refs: &mut part.refs,
            declared: &mut part.declared,
        };
        if let Some(section) = parse_section(&sources[index], &mut ctx, &mut local) {
            part.sections.push(section);
        }
        (part, local)
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(indices.len());
    let results: Vec<(Parsed, Diagnostics)> = if threads <= 1 {
        indices.iter().map(|&i| parse_one(i)).collect()
    } else {
        let next = std::sync::atomic::AtomicUsize::new(0);
        let mut slots: Vec<Option<(Parsed, Diagnostics)>> =
            (0..indices.len()).map(|_| None).collect();
        let done = std::sync::Mutex::new(Vec::new());
        std::thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    loop {
                        let n = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(&index) = indices.get(n) else { break };
                        let result = parse_one(index);
                        if let Ok(mut done) = done.lock() {
                            done.push((n, result));
                        }
                    }
                });
            }
        });
        for (n, result) in done.into_inner().unwrap_or_default() {
            if let Some(slot) = slots.get_mut(n) {
                *slot = Some(result);
            }
        }
        slots.into_iter().flatten().collect()
    };
    let mut parsed = Parsed {
        sections: Vec::new(),
        refs: Vec::new(),
        declared: Vec::new(),
    };
    for (part, local) in results {
        parsed.sections.extend(part.sections);
        parsed.refs.extend(part.refs);
        parsed.declared.extend(part.declared);
        diags.extend(local);
    }
    parsed
}

/// One section file; `None` when it has errors (all of them reported).
fn parse_section(
    src: &SourceText<'_>,
    ctx: &mut Ctx<'_>,
    diags: &mut Diagnostics,
) -> Option<Section> {
    let guide = ctx.guide;
    let (fm, field_errors) = match front_matter(src.text) {
        Ok(ok) => ok,
        Err(FrontMatterError::Missing) => {
            diags.push(
                src.error(
                    0,
                    src.text.lines().next().map_or(0, str::len),
                    "a section file must start with front matter",
                    Some(
                        "begin the file with `---`, `id: my-section`, `title: My section`, `---`"
                            .into(),
                    ),
                ),
            );
            return None;
        }
        Err(FrontMatterError::Unclosed) => {
            diags.push(src.error(
                0,
                3,
                "the front matter is never closed",
                Some("add a line `---` after the `id:` and `title:` lines".into()),
            ));
            return None;
        }
    };
    for e in field_errors {
        diags.push(src.error(e.offset, e.len, e.message, e.hint));
    }
    let mut id = None;
    let mut title = None;
    for field in check_keys(src, &fm.fields, &FRONT_MATTER_KEYS, "front matter", diags) {
        match field.key {
            "id" => {
                id = parse_id(src, field, "section id", diags);
                if let Some(id) = &id {
                    ctx.declared.push(Declared {
                        id: id.to_string(),
                        question: false,
                        file: ctx.file,
                        offset: field.value_offset,
                    });
                }
            }
            "title" => title = Some(field.value.clone()),
            _ => {}
        }
    }
    if title.as_deref().is_some_and(|t| t.trim().is_empty()) {
        title = None;
    }
    let mut ok = true;
    if id.is_none() && !fm.fields.iter().any(|f| f.key == "id") {
        diags.push(src.error(
            0,
            3,
            "the front matter has no `id`",
            Some("add a line `id: my-section`".into()),
        ));
        ok = false;
    }
    if title.is_none() {
        diags.push(src.error(
            0,
            3,
            "the front matter has no `title`",
            Some("add a line `title: My section`".into()),
        ));
        ok = false;
    }

    let blocks = blocks(src, fm.body_start, diags);
    let first_h2 = blocks.iter().position(|b| {
        matches!(
            b,
            Block::Heading {
                level: HeadingLevel::H2,
                ..
            }
        )
    });
    let intro_end = first_h2.map_or(src.text.len(), |i| blocks[i].range().start);
    let intro_src = src.text.get(fm.body_start..intro_end).unwrap_or("");
    let intro_html = if intro_src.trim().is_empty() {
        None
    } else {
        let anchor = id.as_ref().map_or_else(String::new, |i: &Id| i.to_string());
        let rendered = render_block(intro_src, guide, &anchor);
        report_render_findings(src, fm.body_start, &rendered, ctx.refs, ctx.file, diags);
        Some(rendered.html)
    };

    let mut entries = Vec::new();
    let mut start = first_h2;
    while let Some(i) = start {
        let next = blocks[i + 1..]
            .iter()
            .position(|b| {
                matches!(
                    b,
                    Block::Heading {
                        level: HeadingLevel::H2,
                        ..
                    }
                )
            })
            .map(|p| p + i + 1);
        let end = next.unwrap_or(blocks.len());
        if let Some(entry) = parse_entry(src, ctx, &blocks[i..end], diags) {
            entries.push(entry);
        }
        start = next;
    }
    let headings = blocks
        .iter()
        .filter(|b| {
            matches!(
                b,
                Block::Heading {
                    level: HeadingLevel::H2,
                    ..
                }
            )
        })
        .count();
    let only_insights = headings > 0
        && entries.len() == headings
        && entries.iter().all(|e: &Entry| e.level().is_none());
    if first_h2.is_none() || only_insights {
        diags.push(src.error(
            fm.body_start.min(src.text.len()),
            0,
            "this section has no questions",
            Some("add a question: a `## ` heading, then `id:` and `level:` lines, then the answer".into()),
        ));
        ok = false;
    }
    let (Some(id), Some(title), true) = (id, title, ok) else {
        return None;
    };
    Some(Section {
        id,
        title,
        intro_html,
        entries,
        file: src.display.clone(),
    })
}
