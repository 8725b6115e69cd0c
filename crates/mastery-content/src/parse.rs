//! From a guide's files to a [`Guide`], with every problem reported.
//!
//! The pipeline per file: bytes → UTF-8 text → front matter → top-level Markdown blocks
//! (pulldown-cmark with byte offsets) → entries (heading, metadata, answer, key points,
//! references) → rendered HTML. Cross-file checks (duplicate ids, follow-ups and links to
//! unknown ids) run once every file is read. Nothing here panics on any input: the
//! property tests and the fuzz target feed it arbitrary bytes.

use std::collections::HashMap;
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};
use serde::Deserialize;

use crate::diagnostic::{Diagnostic, Diagnostics, Severity, did_you_mean};
use crate::fields::{Field, FrontMatterError, front_matter, looks_like_field, parse_fields};
use crate::info::parse_info;
use crate::model::{
    CodeExample, Entry, EntryKind, Guide, Id, KeyPoint, Level, Location, Reference, Section,
    is_python,
};
use crate::render::{options, render_block, render_inline};
use crate::source::{GuideFiles, SourceText, not_utf8};

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
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct GuideToml {
    id: toml::Spanned<String>,
    title: String,
    subtitle: Option<String>,
    description: String,
    version: String,
    #[serde(alias = "license")]
    licence: Option<String>,
    #[serde(default)]
    authors: Vec<String>,
}

const GUIDE_TOML: &str = "guide.toml";
const INTRO: &str = "README.md";
const META_KEYS: [&str; 5] = ["id", "level", "tags", "follow-ups", "kind"];
const FRONT_MATTER_KEYS: [&str; 2] = ["id", "title"];
const KEY_POINTS: &str = "key points";
const REFERENCES: &str = "references";

/// An id mentioned somewhere that must exist in the guide.
struct IdRef {
    id: String,
    file: usize,
    range: Range<usize>,
    what: &'static str,
    from: Option<String>,
}

/// An id declared by a section or an entry (even one with errors), for cross-checks.
struct Declared {
    id: String,
    question: bool,
    file: usize,
    offset: usize,
}

/// One decoded file kept for diagnostics until the whole guide is checked.
struct File<'a> {
    src: SourceText<'a>,
}

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

    let mut sources: Vec<File<'_>> = Vec::new();
    let mut meta: Option<(GuideToml, usize)> = None;
    let mut intro_index = None;
    let mut section_indices = Vec::new();
    for (relative, display, text) in &texts {
        let index = sources.len();
        sources.push(File {
            src: SourceText::new(display.clone(), text),
        });
        if relative == GUIDE_TOML {
            meta = parse_guide_toml(&sources[index].src, &mut diags).map(|m| (m, index));
        } else if relative.eq_ignore_ascii_case(INTRO) {
            intro_index = Some(index);
        } else if relative.ends_with(".md") {
            section_indices.push(index);
        }
    }
    let has_toml = files.files.iter().any(|f| f.path == GUIDE_TOML);
    if !has_toml {
        diags.push(whole_file(
            files.display_path(GUIDE_TOML),
            "the guide has no guide.toml",
            "create guide.toml with id, title, description and version (see docs/guide-format.md)",
        ));
    }
    let Some((meta, toml_index)) = meta else {
        // Still check the sections, so the author sees every problem at once.
        let placeholder = Id::parse("guide").unwrap_or_else(|_| unreachable_id());
        check_sections(&sources, &section_indices, &placeholder, &mut diags);
        return LoadReport {
            guide: None,
            diagnostics: diags.into_sorted(),
        };
    };
    let guide_id = match Id::parse(meta.id.get_ref()) {
        Ok(id) => id,
        Err(e) => {
            let span = meta.id.span();
            diags.push(sources[toml_index].src.error(
                span.start,
                span.end - span.start,
                format!("malformed guide id: {e}"),
                Some(format!("try `id = \"{}\"`", Id::suggest(meta.id.get_ref()))),
            ));
            Id::parse("guide").unwrap_or_else(|_| unreachable_id())
        }
    };
    if meta.licence.is_none() {
        diags.push(sources[toml_index].src.warning(
            0,
            0,
            "guide.toml has no licence",
            Some("add `licence = \"CC-BY-SA-4.0\"` (or the licence you publish under)".into()),
        ));
    }
    if meta.authors.is_empty() {
        diags.push(sources[toml_index].src.warning(
            0,
            0,
            "guide.toml names no authors",
            Some("add `authors = [\"Your Name\"]`".into()),
        ));
    }

    let Parsed {
        sections,
        mut refs,
        declared,
    } = parse_sections(&sources, &section_indices, &guide_id, &mut diags);
    let intro_html = intro_index.map(|i| {
        let file = &sources[i].src;
        let rendered = render_block(file.text, &guide_id, "intro");
        report_render_findings(file, 0, &rendered, &mut refs, i, &mut diags);
        rendered.html
    });
    if sections.is_empty() && !diags.has_errors() {
        diags.push(sources[toml_index].src.error(
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

/// An id that always parses; kept out of line so the `Result` above never needs `unwrap`.
fn unreachable_id() -> Id {
    Id(String::from("guide"))
}

fn whole_file(file: String, message: &str, hint: &str) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        file,
        line: 0,
        column: 0,
        width: 0,
        source_line: String::new(),
        message: message.into(),
        hint: Some(hint.into()),
    }
}

fn parse_guide_toml(src: &SourceText<'_>, diags: &mut Diagnostics) -> Option<GuideToml> {
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

/// Parses the sections only for their diagnostics (used when guide.toml is unusable).
fn check_sections(sources: &[File<'_>], indices: &[usize], guide: &Id, diags: &mut Diagnostics) {
    let parsed = parse_sections(sources, indices, guide, diags);
    check_ids(sources, &parsed.declared, &parsed.refs, diags);
}

/// What parsing the section files produced.
struct Parsed {
    sections: Vec<Section>,
    refs: Vec<IdRef>,
    declared: Vec<Declared>,
}

fn parse_sections(
    sources: &[File<'_>],
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
        if let Some(section) = parse_section(&sources[index].src, &mut ctx, &mut local) {
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

/// Where a file's cross-references and declared ids are collected.
struct Ctx<'c> {
    file: usize,
    guide: &'c Id,
    refs: &'c mut Vec<IdRef>,
    declared: &'c mut Vec<Declared>,
}

/// A top-level Markdown block with its byte range in the file.
#[derive(Debug)]
enum Block {
    Heading {
        level: HeadingLevel,
        range: Range<usize>,
        content: Range<usize>,
    },
    Paragraph(Range<usize>),
    List {
        range: Range<usize>,
        items: Vec<Range<usize>>,
    },
    Other(Range<usize>),
}

impl Block {
    fn range(&self) -> &Range<usize> {
        match self {
            Block::Heading { range, .. }
            | Block::Paragraph(range)
            | Block::List { range, .. }
            | Block::Other(range) => range,
        }
    }
}

/// The top-level blocks of `text[base..]`, with ranges relative to the whole file.
/// Also reports unterminated code fences anywhere in the body.
fn blocks(src: &SourceText<'_>, base: usize, diags: &mut Diagnostics) -> Vec<Block> {
    let body = src.text.get(base..).unwrap_or("");
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut heading_content: Option<Range<usize>> = None;
    for (event, r) in Parser::new_ext(body, options()).into_offset_iter() {
        let range = r.start + base..r.end + base;
        match &event {
            Event::Start(tag) => {
                if let Tag::CodeBlock(CodeBlockKind::Fenced(_)) = tag {
                    check_fence_closed(src, range.clone(), diags);
                }
                if depth == 0 {
                    out.push(match tag {
                        Tag::Heading { level, .. } => {
                            heading_content = None;
                            Block::Heading {
                                level: *level,
                                range: range.clone(),
                                content: range.clone(),
                            }
                        }
                        Tag::Paragraph => Block::Paragraph(range.clone()),
                        Tag::List(_) => Block::List {
                            range: range.clone(),
                            items: Vec::new(),
                        },
                        _ => Block::Other(range.clone()),
                    });
                } else if depth == 1
                    && matches!(tag, Tag::Item)
                    && let Some(Block::List { items, .. }) = out.last_mut()
                {
                    items.push(range.clone());
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0
                    && matches!(end, TagEnd::Heading(_))
                    && let (Some(Block::Heading { content, .. }), Some(c)) =
                        (out.last_mut(), heading_content.take())
                {
                    *content = c;
                }
            }
            _ if depth == 1 => {
                if let Some(Block::Heading { .. }) = out.last() {
                    heading_content = Some(match heading_content.take() {
                        Some(c) => c.start.min(range.start)..c.end.max(range.end),
                        None => range.clone(),
                    });
                }
            }
            _ if depth == 0 => out.push(Block::Other(range.clone())),
            _ => {}
        }
    }
    // A heading with no inline content ("## ") keeps an empty content range.
    for block in &mut out {
        if let Block::Heading { range, content, .. } = block
            && content == range
        {
            *content = range.end..range.end;
        }
    }
    out
}

fn check_fence_closed(src: &SourceText<'_>, range: Range<usize>, diags: &mut Diagnostics) {
    let text = src.text.get(range.clone()).unwrap_or("");
    let mut lines = text.lines();
    let Some(open) = lines.next() else { return };
    let open = open
        .trim_start_matches([' ', '>'])
        .trim_start_matches(|c: char| c.is_whitespace());
    let fence_char = open.chars().next().unwrap_or('`');
    let fence_len = open.chars().take_while(|c| *c == fence_char).count();
    let is_fence = |line: &str| {
        let line = line.trim();
        line.chars().take_while(|c| *c == fence_char).count() >= fence_len
    };
    let line_count = text.lines().count();
    let closed = line_count > 1
        && text.lines().last().is_some_and(|last| {
            let last = last.trim();
            last.chars().count() >= fence_len && last.chars().all(|c| c == fence_char)
        });
    // An opening fence with an info string inside the block means the author forgot to
    // close this one: CommonMark would read on until some later bare fence.
    let swallowed = text
        .lines()
        .skip(1)
        .take(line_count.saturating_sub(2))
        .any(|line| {
            is_fence(line)
                && line
                    .trim()
                    .chars()
                    .any(|c| c != fence_char && !c.is_whitespace())
        });
    let closed = closed && !swallowed;
    if !closed {
        let fence = fence_char.to_string().repeat(fence_len.max(3));
        diags.push(src.error(
            range.start,
            open.len(),
            "this code fence is never closed",
            Some(format!(
                "add a line `{fence}` after the code; everything after it was read as code"
            )),
        ));
    }
}

fn heading_text<'a>(src: &SourceText<'a>, content: &Range<usize>) -> &'a str {
    src.text.get(content.clone()).unwrap_or("").trim()
}

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

/// Reports unknown and repeated keys; returns the fields worth reading.
fn check_keys<'f, 'a>(
    src: &SourceText<'_>,
    fields: &'f [Field<'a>],
    known: &[&str],
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<&'f Field<'a>> {
    let mut seen: HashMap<&str, usize> = HashMap::new();
    let mut out = Vec::new();
    for field in fields {
        if !known.contains(&field.key) {
            let hint = match did_you_mean(field.key, known) {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("the {what} keys are: {}", known.join(", ")),
            };
            diags.push(src.error(
                field.key_offset,
                field.key.len(),
                format!("unknown {what} key `{}`", field.key),
                Some(hint),
            ));
            continue;
        }
        if seen.insert(field.key, field.key_offset).is_some() {
            diags.push(src.error(
                field.key_offset,
                field.key.len(),
                format!("`{}` is given twice", field.key),
                Some("keep one of the two lines".into()),
            ));
            continue;
        }
        out.push(field);
    }
    out
}

fn parse_id(
    src: &SourceText<'_>,
    field: &Field<'_>,
    what: &str,
    diags: &mut Diagnostics,
) -> Option<Id> {
    match Id::parse(&field.value) {
        Ok(id) => Some(id),
        Err(e) => {
            diags.push(src.error(
                field.value_offset,
                field.value_len,
                format!("malformed {what} `{}`: {e}", field.value),
                Some(format!("try `{}`", Id::suggest(&field.value))),
            ));
            None
        }
    }
}

/// Splits a comma-separated list of ids, reporting each malformed one.
fn parse_id_list(
    src: &SourceText<'_>,
    field: &Field<'_>,
    what: &str,
    diags: &mut Diagnostics,
) -> Vec<(Id, Range<usize>)> {
    let mut out = Vec::new();
    let mut offset = field.value_offset;
    let raw = src
        .text
        .get(field.value_offset..field.value_offset + field.value_len)
        .unwrap_or("");
    for part in raw.split(',') {
        let lead = part.len() - part.trim_start().len();
        let item = part.trim();
        let at = offset + lead;
        offset += part.len() + 1;
        if item.is_empty() {
            continue;
        }
        match Id::parse(item) {
            Ok(id) => out.push((id, at..at + item.len())),
            Err(e) => diags.push(src.error(
                at,
                item.len(),
                format!("malformed {what} `{item}`: {e}"),
                Some(format!("try `{}`", Id::suggest(item))),
            )),
        }
    }
    out
}

fn parse_entry(
    src: &SourceText<'_>,
    ctx: &mut Ctx<'_>,
    blocks: &[Block],
    diags: &mut Diagnostics,
) -> Option<Entry> {
    let guide = ctx.guide;
    let Some((
        Block::Heading {
            range: heading_range,
            content,
            ..
        },
        rest,
    )) = blocks.split_first()
    else {
        return None;
    };
    let title = heading_text(src, content).to_owned();
    let heading_at = heading_range.start;
    if title.is_empty() {
        diags.push(src.error(
            heading_at,
            2,
            "a question heading has no text",
            Some("write the question after `## `".into()),
        ));
    }
    // Metadata: the first paragraph, when it is made of `key: value` lines.
    let meta = match rest.first() {
        Some(Block::Paragraph(r))
            if src
                .text
                .get(r.clone())
                .is_some_and(|t| looks_like_field(t.lines().next().unwrap_or(""))) =>
        {
            Some(r.clone())
        }
        _ => None,
    };
    let Some(meta_range) = meta else {
        diags.push(src.error(
            heading_at,
            heading_range.end.saturating_sub(heading_at).min(200),
            "this question has no metadata",
            Some(format!(
                "add the lines `id: {}` and `level: senior` (or junior, confirmed) right after the heading, followed by a blank line",
                Id::suggest(&title)
            )),
        ));
        return None;
    };
    let meta_text = src.text.get(meta_range.clone()).unwrap_or("");
    let (fields, errors) = parse_fields(meta_text, meta_range.start);
    for e in errors {
        diags.push(src.error(e.offset, e.len, e.message, e.hint));
    }
    let fields = check_keys(src, &fields, &META_KEYS, "question metadata", diags);
    let mut id = None;
    let mut level = None;
    let mut level_field = None;
    let mut insight = false;
    let mut tags = Vec::new();
    let mut follow_ups = Vec::new();
    let mut follow_field = None;
    let mut valid = true;
    let mut id_offset = 0;
    for field in fields {
        match field.key {
            "id" => {
                id = parse_id(src, field, "question id", diags);
                valid &= id.is_some();
                id_offset = field.value_offset;
            }
            "level" => {
                level_field = Some(field);
                level = Level::parse(&field.value);
                if level.is_none() {
                    let names: Vec<&str> = Level::ALL.iter().map(|l| l.as_str()).collect();
                    let hint = match did_you_mean(&field.value.to_lowercase(), &names) {
                        Some(s) => format!("did you mean `{s}`?"),
                        None => "the levels are junior, confirmed and senior".into(),
                    };
                    diags.push(src.error(
                        field.value_offset,
                        field.value_len.max(1),
                        format!("unknown level `{}`", field.value),
                        Some(hint),
                    ));
                    valid = false;
                }
            }
            "kind" => match field.value.as_str() {
                "question" => {}
                "insight" => insight = true,
                other => {
                    let hint = did_you_mean(other, &["question", "insight"]).map_or_else(
                        || "the kinds are `question` (the default) and `insight`".to_owned(),
                        |s| format!("did you mean `{s}`?"),
                    );
                    diags.push(src.error(
                        field.value_offset,
                        field.value_len.max(1),
                        format!("unknown kind `{other}`"),
                        Some(hint),
                    ));
                    valid = false;
                }
            },
            "tags" => {
                tags = parse_id_list(src, field, "tag", diags)
                    .into_iter()
                    .map(|(t, _)| t)
                    .collect()
            }
            "follow-ups" => {
                follow_field = Some(field);
                follow_ups = parse_id_list(src, field, "follow-up id", diags);
            }
            _ => {}
        }
    }
    if id.is_none() && valid {
        diags.push(src.error(
            meta_range.start,
            0,
            "this question has no `id`",
            Some(format!("add a line `id: {}`", Id::suggest(&title))),
        ));
        valid = false;
    }
    if insight {
        if let Some(f) = level_field {
            diags.push(
                src.error(
                    f.key_offset,
                    f.key.len(),
                    "an insight has no level",
                    Some(
                        "remove the `level:` line, or remove `kind: insight` to make it a question"
                            .into(),
                    ),
                ),
            );
            valid = false;
        }
        if let Some(f) = follow_field {
            diags.push(src.error(
                f.key_offset,
                f.key.len(),
                "an insight has no follow-ups",
                Some("remove the `follow-ups:` line".into()),
            ));
            valid = false;
        }
    } else if level.is_none() && level_field.is_none() {
        diags.push(src.error(
            meta_range.start,
            0,
            "this question has no `level`",
            Some("add a line `level: junior`, `level: confirmed` or `level: senior`".into()),
        ));
        valid = false;
    }
    let anchor = id.as_ref().map_or_else(String::new, |i: &Id| i.to_string());
    if let Some(id) = &id {
        ctx.declared.push(Declared {
            id: id.to_string(),
            question: !insight,
            file: ctx.file,
            offset: id_offset,
        });
    }
    for (fid, range) in &follow_ups {
        ctx.refs.push(IdRef {
            id: fid.to_string(),
            file: ctx.file,
            range: range.clone(),
            what: "follow-up",
            from: Some(anchor.clone()),
        });
    }

    // Split the rest into the answer, key points and references.
    let body = &rest[1..];
    let reserved = body.iter().position(|b| reserved_heading(src, b).is_some());
    let answer_end = reserved.map_or_else(
        || body.last().map_or(meta_range.end, |b| b.range().end),
        |i| body[i].range().start,
    );
    let answer_src = src
        .text
        .get(meta_range.end..answer_end.max(meta_range.end))
        .unwrap_or("");
    if answer_src.trim().is_empty() {
        diags.push(src.error(
            heading_at,
            heading_range.end.saturating_sub(heading_at).min(200),
            "this question has no answer",
            Some("write the answer after the metadata lines, before `### Key points`".into()),
        ));
        valid = false;
    }
    let rendered = render_block(answer_src, guide, &anchor);
    report_render_findings(src, meta_range.end, &rendered, ctx.refs, ctx.file, diags);
    let examples = extract_examples(src, meta_range.end, answer_src, diags);

    let mut key_points = Vec::new();
    let mut references = Vec::new();
    let mut seen_parts: Vec<&str> = Vec::new();
    if let Some(start) = reserved {
        let mut part: Option<&str> = None;
        for block in &body[start..] {
            if let Some(name) = reserved_heading(src, block) {
                if seen_parts.contains(&name) {
                    diags.push(src.error(
                        block.range().start,
                        block.range().len().min(200),
                        format!("`### {}` appears twice in this question", title_case(name)),
                        Some("merge the two lists under one heading".into()),
                    ));
                } else if name == KEY_POINTS && seen_parts.contains(&REFERENCES) {
                    diags.push(src.error(
                        block.range().start,
                        block.range().len().min(200),
                        "`### Key points` must come before `### References`",
                        Some("move the key points above the references".into()),
                    ));
                }
                seen_parts.push(name);
                part = Some(name);
                continue;
            }
            match (part, block) {
                (Some(KEY_POINTS), Block::List { items, .. }) => {
                    for item in items {
                        if let Some(kp) = parse_key_point(src, item.clone(), diags) {
                            key_points.push(kp);
                        }
                    }
                }
                (Some(REFERENCES), Block::List { items, .. }) => {
                    for item in items {
                        if let Some(r) = parse_reference(src, item.clone(), diags) {
                            references.push(r);
                        }
                    }
                }
                (Some(name), other) => {
                    let r = other.range();
                    let what = if name == KEY_POINTS {
                        "key points"
                    } else {
                        "references"
                    };
                    diags.push(src.error(r.start, r.len().min(200).min(src.text.get(r.clone()).and_then(|t| t.lines().next()).map_or(1, str::len)), format!("only a list of {what} may follow `### {}`", title_case(name)), Some(if name == KEY_POINTS {
                        "write each key point as `- Statement.` with a `Words: ...` line under it; move other text into the answer, above `### Key points`".into()
                    } else {
                        "write each reference as `- [Title](https://...)`; move other text into the answer".into()
                    })));
                    valid = false;
                }
                (None, _) => {}
            }
        }
    }
    let (title_html, title_text) = render_inline(&title);
    let kind = match (insight, level) {
        (true, _) => EntryKind::Insight,
        (false, Some(level)) => EntryKind::Question(level),
        (false, None) => return None,
    };
    if !insight && key_points.is_empty() && !seen_parts.contains(&KEY_POINTS) {
        {
            diags.push(src.warning(
                heading_at,
                heading_range.len().min(200),
                "this question has no key points, so mock interviews cannot grade it",
                Some("add `### Key points` with 4 to 8 items, each with a `Words:` line".into()),
            ));
        }
    }
    if references.is_empty() {
        diags.push(src.warning(
            heading_at,
            heading_range.len().min(200),
            "this answer has no reference",
            Some("add `### References` with a link to the official documentation".into()),
        ));
    }
    let id = id?;
    if !valid {
        return None;
    }
    Some(Entry {
        id,
        kind,
        title,
        title_html,
        title_text,
        tags,
        follow_ups: follow_ups.into_iter().map(|(f, _)| f).collect(),
        answer_html: rendered.html,
        answer_text: rendered.text,
        key_points,
        references,
        examples,
        location: Location {
            file: src.display.clone(),
            line: src.line_of(heading_at),
        },
    })
}

fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn reserved_heading(src: &SourceText<'_>, block: &Block) -> Option<&'static str> {
    let Block::Heading {
        level: HeadingLevel::H3,
        content,
        ..
    } = block
    else {
        return None;
    };
    let text = heading_text(src, content)
        .trim_end_matches(':')
        .to_lowercase();
    [KEY_POINTS, REFERENCES].into_iter().find(|r| *r == text)
}

fn report_render_findings(
    src: &SourceText<'_>,
    base: usize,
    rendered: &crate::render::Rendered,
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

fn list_item_lines(text: &str) -> Vec<(usize, &str)> {
    // (offset within item, line without marker/indent)
    let mut out = Vec::new();
    let mut offset = 0;
    for (n, line) in text.split_inclusive('\n').enumerate() {
        let line_offset = offset;
        offset += line.len();
        let line = line.trim_end_matches(['\n', '\r']);
        let stripped = if n == 0 {
            strip_marker(line)
        } else {
            line.trim_start()
        };
        let lead = line.len() - stripped.len();
        if !stripped.trim().is_empty() {
            out.push((line_offset + lead, stripped.trim_end()));
        }
    }
    out
}

fn strip_marker(line: &str) -> &str {
    let t = line.trim_start();
    if let Some(rest) = t.strip_prefix(['-', '*', '+']) {
        return rest.trim_start();
    }
    let digits = t.chars().take_while(char::is_ascii_digit).count();
    if digits > 0
        && let Some(rest) = t[digits..].strip_prefix(['.', ')'])
    {
        return rest.trim_start();
    }
    t
}

fn parse_key_point(
    src: &SourceText<'_>,
    item: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<KeyPoint> {
    let text = src.text.get(item.clone()).unwrap_or("");
    let mut statement = Vec::new();
    let mut words: Option<(usize, &str)> = None;
    for (offset, line) in list_item_lines(text) {
        if let Some(rest) = line.strip_prefix("Words:") {
            words = Some((item.start + offset + "Words:".len(), rest));
        } else if words.is_none() {
            statement.push(line);
        } else {
            diags.push(src.error(
                item.start + offset,
                line.len(),
                "text after the `Words:` line of a key point",
                Some("put the statement first and the `Words:` line last".into()),
            ));
        }
    }
    let statement = statement.join(" ");
    let first_line = text.lines().next().map_or(1, str::len);
    if statement.trim().is_empty() {
        diags.push(src.error(
            item.start,
            first_line,
            "a key point has no statement",
            Some("write what a good answer must say, then the `Words:` line".into()),
        ));
        return None;
    }
    let Some((words_at, words)) = words else {
        diags.push(src.error(
            item.start,
            first_line,
            "this key point has no words to match",
            Some("add a line under it such as `Words: mutable | mutability, immutable`".into()),
        ));
        return None;
    };
    let mut groups = Vec::new();
    let mut offset = words_at;
    let mut ok = true;
    for group in words.split(',') {
        let synonyms: Vec<String> = group
            .split('|')
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
            .collect();
        if synonyms.is_empty() || group.split('|').any(|s| s.trim().is_empty()) {
            diags.push(
                src.error(
                    offset,
                    group.len().max(1),
                    "an empty word or group in `Words:`",
                    Some(
                        "separate groups with `,` and synonyms with `|`, with a word on each side"
                            .into(),
                    ),
                ),
            );
            ok = false;
        }
        offset += group.len() + 1;
        groups.push(synonyms);
    }
    let (html, _) = render_inline(&statement);
    ok.then_some(KeyPoint {
        text: statement,
        html,
        groups,
    })
}

fn parse_reference(
    src: &SourceText<'_>,
    item: Range<usize>,
    diags: &mut Diagnostics,
) -> Option<Reference> {
    let text = src.text.get(item.clone()).unwrap_or("");
    let mut link: Option<(String, String, Range<usize>)> = None;
    let mut in_link = false;
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) if link.is_none() => {
                link = Some((dest_url.to_string(), String::new(), range));
                in_link = true;
            }
            Event::End(TagEnd::Link) => in_link = false,
            Event::Text(t) | Event::Code(t) if in_link => {
                if let Some((_, title, _)) = link.as_mut() {
                    title.push_str(&t);
                }
            }
            _ => {}
        }
    }
    let first_line = text.lines().next().map_or(1, str::len);
    let Some((url, title, range)) = link else {
        diags.push(src.error(
            item.start,
            first_line,
            "a reference must be a link",
            Some("write `- [Title of the page](https://...)`".into()),
        ));
        return None;
    };
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("https://") || lower.starts_with("http://")) {
        diags.push(src.error(
            item.start + range.start,
            range.len(),
            format!("reference `{url}` is not a web address"),
            Some("references link to official documentation with https://".into()),
        ));
        return None;
    }
    let title = if title.trim().is_empty() {
        url.clone()
    } else {
        title.trim().to_owned()
    };
    Some(Reference { title, url })
}

/// Code examples in an answer, with their output blocks paired and attributes checked.
fn extract_examples(
    src: &SourceText<'_>,
    base: usize,
    answer: &str,
    diags: &mut Diagnostics,
) -> Vec<CodeExample> {
    let mut examples: Vec<CodeExample> = Vec::new();
    let mut current: Option<(String, String, Range<usize>)> = None;
    // The end offset of the last example, to check that an output block follows it directly.
    let mut last_end: Option<usize> = None;
    for (event, range) in Parser::new_ext(answer, options()).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                current = Some((info.to_string(), String::new(), range));
            }
            Event::Text(t) => {
                if let Some((_, code, _)) = current.as_mut() {
                    code.push_str(&t);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                let Some((info_src, code, range)) = current.take() else {
                    continue;
                };
                let at = base + range.start;
                let fence_line = answer
                    .get(range.clone())
                    .and_then(|t| t.lines().next())
                    .unwrap_or("");
                let info_at = at + fence_line.find(info_src.trim()).unwrap_or(0);
                let (info, errors) = parse_info(&info_src);
                for e in &errors {
                    diags.push(src.error(
                        info_at + e.offset,
                        e.len,
                        e.message.clone(),
                        e.hint.clone(),
                    ));
                }
                if info.language == "output" {
                    let follows = last_end.is_some_and(|end| {
                        answer
                            .get(end..range.start)
                            .is_some_and(|between| between.trim().is_empty())
                    });
                    match examples.last_mut() {
                        Some(ex) if follows && is_python(&ex.language) && ex.expected_output.is_none() => {
                            if ex.norun {
                                diags.push(src.error(at, fence_line.len(), "a `norun` example cannot have a recorded output: it would never be checked", Some("remove `norun` so `mastery verify` runs it, or remove the output block".into())));
                            }
                            ex.expected_output = Some(code);
                        }
                        _ => diags.push(src.error(at, fence_line.len(), "an `output` block must follow a `python` example directly", Some("put the output block right after the example it belongs to, with only a blank line between".into()))),
                    }
                    last_end = None;
                    continue;
                }
                let python = is_python(&info.language);
                if !python
                    && (info.predict
                        || info.norun
                        || !info.requires.is_empty()
                        || info.timeout.is_some()
                        || info.exit_code.is_some())
                {
                    diags.push(src.error(
                        info_at,
                        info_src.trim().len(),
                        format!(
                            "attributes only apply to python examples, not `{}`",
                            info.language
                        ),
                        Some("remove the attributes, or make it a ```python block".into()),
                    ));
                }
                if info.predict && info.norun {
                    diags.push(src.error(info_at, info_src.trim().len(), "an example cannot be both `predict` and `norun`", Some("a predict exercise is graded against its verified output: remove `norun`".into())));
                }
                examples.push(CodeExample {
                    language: info.language,
                    code,
                    expected_output: None,
                    predict: info.predict,
                    norun: info.norun,
                    requires: info.requires,
                    timeout: info.timeout.unwrap_or(CodeExample::DEFAULT_TIMEOUT),
                    exit_code: info.exit_code.unwrap_or(0),
                    location: Location {
                        file: src.display.clone(),
                        line: src.line_of(at),
                    },
                });
                last_end = Some(range.end);
            }
            _ => {}
        }
    }
    for ex in &examples {
        if ex.predict && ex.expected_output.is_none() {
            let offset = line_offset(src, ex.location.line);
            diags.push(src.error(
                offset,
                3,
                "a `predict` example needs its output",
                Some("add an ```output block right after it with what it prints".into()),
            ));
        }
    }
    examples
}

fn line_offset(src: &SourceText<'_>, line: usize) -> usize {
    src.text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum()
}

/// Duplicate ids across the guide, and follow-ups or links to ids that do not exist.
fn check_ids(sources: &[File<'_>], declared: &[Declared], refs: &[IdRef], diags: &mut Diagnostics) {
    let mut first: HashMap<&str, &Declared> = HashMap::new();
    for d in declared {
        match first.get(d.id.as_str()) {
            Some(earlier) => {
                let src = &sources[d.file].src;
                let prior = &sources[earlier.file].src;
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
        let src = &sources[r.file].src;
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
