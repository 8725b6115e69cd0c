//! The blocks step: the top-level Markdown blocks of a section file.
//!
//! pulldown-cmark's offset iterator yields the top-level blocks with byte ranges relative to
//! the whole file: `## ` headings start entries, the first paragraph after a heading is the
//! metadata, and `### Key points` and `### References` split off their lists. Unterminated
//! code fences are reported here, anywhere in the body.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostics;
use crate::render::options;
use crate::source::SourceText;

/// A top-level Markdown block with its byte range in the file.
#[derive(Debug)]
pub(super) enum Block {
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
    pub(super) fn range(&self) -> &Range<usize> {
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
pub(super) fn blocks(src: &SourceText<'_>, base: usize, diags: &mut Diagnostics) -> Vec<Block> {
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
                } else if let Some(Block::Heading { .. }) = out.last() {
                    // Emphasis, code or a link in a heading is part of its text.
                    heading_content = Some(match heading_content.take() {
                        Some(c) => c.start.min(range.start)..c.end.max(range.end),
                        None => range.clone(),
                    });
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

/// Reports a fenced code block that is never closed, or that swallows the next example.
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
    let line_start = src.text[..range.start].rfind('\n').map_or(0, |i| i + 1);
    let in_quote = src
        .text
        .get(line_start..range.start)
        .is_some_and(|prefix| prefix.contains('>'));
    let line_count = text.lines().count();
    let closed = line_count > 1
        && text.lines().last().is_some_and(|last| {
            // Inside a block quote, the closing fence follows the quote's `>` too.
            let last = if in_quote {
                last.trim_start_matches([' ', '>'])
            } else {
                last
            };
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

/// The text of a heading, trimmed.
pub(super) fn heading_text<'a>(src: &SourceText<'a>, content: &Range<usize>) -> &'a str {
    src.text.get(content.clone()).unwrap_or("").trim()
}
