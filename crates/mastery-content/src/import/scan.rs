//! One Markdown file as the importer reads it: its events with byte ranges, its top-level
//! blocks (list items with their own blocks), where `<details>` blocks open and close with
//! their `<summary>`, and the explicit anchors (`<a name="q1">`) authors put before
//! questions.
//!
//! `<details>`, `<summary>…</summary>`, `</details>` and `<p>` tags are first blanked out
//! (replaced by spaces, so every byte offset and line stays where it was) and remembered as
//! markers: what they wrapped is then parsed as the Markdown it is meant to be. Tags are
//! only looked for inside the HTML pulldown-cmark found, so a `<details>` inside a code
//! block stays code.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag};

use super::text::{attribute, html_text, one_line, tag_name};
use crate::render::options;

/// A pulldown-cmark event that owns its text, with its byte range in the file.
pub(super) type Spanned = (Event<'static>, Range<usize>);

/// What a block is.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Heading(u8),
    Paragraph,
    List,
    Code,
    Html,
    Rule,
    Other,
    /// `<details>` opens here, with its summary's text (empty when it has none).
    DetailsOpen(String),
    /// `</details>`.
    DetailsClose,
}

/// A block with its byte range and the span of its events (`ev.start` is its `Start`
/// event, `ev.end` one past its `End`; empty for markers and loose inline runs).
#[derive(Debug, Clone)]
pub(super) struct Block {
    pub(super) kind: Kind,
    pub(super) range: Range<usize>,
    pub(super) ev: Range<usize>,
    /// The items of a list, each a block of kind `Other` with its own blocks.
    pub(super) items: Vec<Item>,
}

/// A list item and the blocks inside it.
#[derive(Debug, Clone)]
pub(super) struct Item {
    pub(super) range: Range<usize>,
    pub(super) children: Vec<Block>,
}

/// One scanned file.
#[derive(Debug)]
pub(super) struct Scanned {
    /// The path relative to the import root (`/`-separated).
    pub(super) path: String,
    /// The text with the tags of `<details>` blanked out (same length and lines).
    pub(super) text: String,
    pub(super) events: Vec<Spanned>,
    pub(super) blocks: Vec<Block>,
    /// Explicit anchors (`<a name="x">`, `<a id="x">`) and where they are.
    pub(super) anchors: Vec<(usize, String)>,
    line_starts: Vec<usize>,
}

impl Scanned {
    /// Scans one file.
    pub(super) fn new(path: &str, original: &str) -> Self {
        let (text, markers) = blank_details(original);
        let events: Vec<Spanned> = Parser::new_ext(&text, options())
            .into_offset_iter()
            .map(|(e, r)| (e.into_static(), r))
            .collect();
        let mut anchors = Vec::new();
        for (event, range) in &events {
            if let Event::Html(html) | Event::InlineHtml(html) = event {
                for (at, tag) in tags(html) {
                    if tag_name(tag) == "a"
                        && let Some(name) = attribute(tag, "name").or_else(|| attribute(tag, "id"))
                    {
                        anchors.push((range.start + at, name));
                    }
                }
            }
        }
        let blocks = build(&events, &markers);
        // Lines of the original: blanking may have split a line in two.
        let mut line_starts = vec![0];
        line_starts.extend(original.match_indices('\n').map(|(i, _)| i + 1));
        Self {
            path: path.to_owned(),
            text,
            events,
            blocks,
            anchors,
            line_starts,
        }
    }

    /// The 1-based line of a byte offset.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        match self.line_starts.binary_search(&offset) {
            Ok(i) => i + 1,
            Err(i) => i,
        }
    }

    /// The column (0-based, in bytes) of a byte offset within its line.
    pub(super) fn column_of(&self, offset: usize) -> usize {
        let line = self.line_of(offset);
        offset - self.line_starts.get(line - 1).copied().unwrap_or(0)
    }

    /// The text of a range ("" when it is not one).
    pub(super) fn slice(&self, range: &Range<usize>) -> &str {
        self.text.get(range.clone()).unwrap_or("")
    }

    /// The bytes the events `ev` cover.
    pub(super) fn span(&self, ev: &Range<usize>) -> Option<Range<usize>> {
        let events = self.events.get(ev.clone())?;
        let start = events.iter().map(|(_, r)| r.start).min()?;
        let end = events.iter().map(|(_, r)| r.end).max()?;
        Some(start..end)
    }

    /// The plain text of the events in `ev` (text and code), on one line.
    pub(super) fn plain(&self, ev: &Range<usize>) -> String {
        let mut out = String::new();
        for (event, _) in self.events.get(ev.clone()).unwrap_or(&[]) {
            match event {
                Event::Text(t) | Event::Code(t) => out.push_str(t),
                Event::SoftBreak | Event::HardBreak => out.push(' '),
                Event::InlineHtml(h) => out.push_str(&html_text(h)),
                _ => {}
            }
        }
        one_line(&out)
    }
}

/// The tags in an HTML fragment and their offsets.
fn tags(html: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(lt) = html[from..].find('<') {
        let start = from + lt;
        match html[start..].find('>') {
            Some(gt) => {
                out.push((start, &html[start..=start + gt]));
                from = start + gt + 1;
            }
            None => break,
        }
    }
    out
}

/// A `<details>` marker found before parsing.
#[derive(Debug, Clone)]
struct Marker {
    at: usize,
    kind: Kind,
}

/// The text with `<details>`, `<summary>…</summary>`, `</details>` and `<p>` tags (inside
/// the HTML the parser finds) replaced by spaces, and the markers they leave.
fn blank_details(original: &str) -> (String, Vec<Marker>) {
    let mut bytes = original.as_bytes().to_vec();
    let mut markers: Vec<Marker> = Vec::new();
    let mut blanked_to = 0;
    let mut regions = Vec::new();
    for (event, range) in Parser::new_ext(original, options()).into_offset_iter() {
        let (Event::Html(html) | Event::InlineHtml(html)) = &event else {
            continue;
        };
        for (at, tag) in tags(html) {
            let start = range.start + at;
            if start < blanked_to {
                continue;
            }
            let closing = tag.starts_with("</");
            let end = match (tag_name(tag).as_str(), closing) {
                ("details", false) => {
                    markers.push(Marker {
                        at: start,
                        kind: Kind::DetailsOpen(String::new()),
                    });
                    start + tag.len()
                }
                ("details", true) => {
                    markers.push(Marker {
                        at: start,
                        kind: Kind::DetailsClose,
                    });
                    start + tag.len()
                }
                ("summary", false) => {
                    let after = start + tag.len();
                    let rest = original.get(after..).unwrap_or("");
                    let lower = rest.get(..rest.len().min(2_000)).unwrap_or(rest);
                    match lower.to_ascii_lowercase().find("</summary") {
                        Some(close) => {
                            let inner = rest.get(..close).unwrap_or("");
                            let gt = rest[close..].find('>').map_or(close, |g| close + g);
                            if let Some(Marker {
                                kind: Kind::DetailsOpen(summary),
                                ..
                            }) = markers.last_mut()
                                && summary.is_empty()
                            {
                                *summary = one_line(&html_text(inner));
                            }
                            after + gt + 1
                        }
                        None => after,
                    }
                }
                ("p", _) => start + tag.len(),
                _ => continue,
            };
            blank(&mut bytes, start, end);
            regions.push((start, end));
            blanked_to = end;
        }
    }
    for (start, end) in regions {
        break_before_text(&mut bytes, start, end);
    }
    // Only ASCII bytes were replaced, by ASCII bytes: the text is still UTF-8.
    let text = String::from_utf8(bytes).unwrap_or_else(|_| original.to_owned());
    (text, markers)
}

/// Replaces `bytes[start..end]` by spaces (line breaks kept). Whole characters only: a
/// tag starts with `<` and ends with `>`, both ASCII, and a summary's text between them
/// is blanked whole.
fn blank(bytes: &mut [u8], start: usize, end: usize) {
    let end = end.min(bytes.len());
    for b in bytes.get_mut(start..end).unwrap_or(&mut []) {
        if *b != b'\n' {
            *b = b' ';
        }
    }
}

/// When text follows a blanked region on its line and only blanks come before it, the
/// region's last byte becomes a line break, so that the text starts its own line instead
/// of being indented into a code block.
fn break_before_text(bytes: &mut [u8], start: usize, end: usize) {
    let end = end.min(bytes.len());
    if start >= end {
        return;
    }
    // The line the region ends on, up to the region's end: blank (the region and any
    // blanks before it) when the text after it would be indented by them.
    let line_start = bytes[..end]
        .iter()
        .rposition(|b| *b == b'\n')
        .map_or(0, |i| i + 1);
    let blank_before = line_start < end
        && bytes[line_start..end]
            .iter()
            .all(|b| *b == b' ' || *b == b'\t');
    let text_follows = bytes[end..]
        .iter()
        .take_while(|b| **b != b'\n')
        .any(|b| !b.is_ascii_whitespace());
    if blank_before && text_follows {
        bytes[end - 1] = b'\n';
    }
}

/// The top-level blocks of `events`, with the markers among them.
fn build(events: &[Spanned], markers: &[Marker]) -> Vec<Block> {
    let mut blocks = collect(events, 0..events.len());
    place_markers(&mut blocks, markers);
    blocks
}

/// The blocks of `events[span]` at its outer level. Inline events outside any block (the
/// text of a tight list item) become one `Paragraph` per run.
fn collect(events: &[Spanned], span: Range<usize>) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = span.start;
    let mut loose: Option<(Range<usize>, Range<usize>)> = None;
    let flush = |loose: &mut Option<(Range<usize>, Range<usize>)>, out: &mut Vec<Block>| {
        if let Some((range, ev)) = loose.take() {
            out.push(Block {
                kind: Kind::Paragraph,
                range,
                ev,
                items: Vec::new(),
            });
        }
    };
    while i < span.end {
        let Some((event, range)) = events.get(i) else {
            break;
        };
        match event {
            Event::Start(tag) if !is_inline(tag) => {
                flush(&mut loose, &mut out);
                let end = matching_end(events, i, span.end);
                let kind = match tag {
                    Tag::Heading { level, .. } => Kind::Heading(level_number(*level)),
                    Tag::Paragraph => Kind::Paragraph,
                    Tag::List(_) => Kind::List,
                    Tag::CodeBlock(_) => Kind::Code,
                    Tag::HtmlBlock => Kind::Html,
                    _ => Kind::Other,
                };
                let items = if kind == Kind::List {
                    items(events, i + 1..end)
                } else {
                    Vec::new()
                };
                out.push(Block {
                    kind,
                    range: range.clone(),
                    ev: i..end + 1,
                    items,
                });
                i = end + 1;
            }
            Event::Rule => {
                flush(&mut loose, &mut out);
                out.push(Block {
                    kind: Kind::Rule,
                    range: range.clone(),
                    ev: i..i + 1,
                    items: Vec::new(),
                });
                i += 1;
            }
            Event::End(_) => i += 1,
            _ => {
                // An inline event (or the start of an inline tag, whose end comes later).
                let end = match event {
                    Event::Start(_) => matching_end(events, i, span.end),
                    _ => i,
                };
                let last = events.get(end).map_or(range.end, |(_, r)| r.end);
                loose = Some(match loose.take() {
                    Some((r, ev)) => (r.start..last.max(r.end), ev.start..end + 1),
                    None => (range.start..last, i..end + 1),
                });
                i = end + 1;
            }
        }
    }
    flush(&mut loose, &mut out);
    out
}

fn items(events: &[Spanned], span: Range<usize>) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = span.start;
    while i < span.end {
        match events.get(i) {
            Some((Event::Start(Tag::Item), range)) => {
                let end = matching_end(events, i, span.end);
                out.push(Item {
                    range: range.clone(),
                    children: collect(events, i + 1..end),
                });
                i = end + 1;
            }
            _ => i += 1,
        }
    }
    out
}

/// The index of the `End` matching the `Start` at `start` (or the last index before
/// `limit` when the events are cut short).
pub(super) fn matching_end(events: &[Spanned], start: usize, limit: usize) -> usize {
    let mut depth = 0usize;
    for (i, (event, _)) in events.iter().enumerate().take(limit).skip(start) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    limit.saturating_sub(1).max(start)
}

fn is_inline(tag: &Tag<'_>) -> bool {
    matches!(
        tag,
        Tag::Emphasis
            | Tag::Strong
            | Tag::Strikethrough
            | Tag::Superscript
            | Tag::Subscript
            | Tag::Link { .. }
            | Tag::Image { .. }
    )
}

pub(super) fn level_number(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

/// Puts each marker among the blocks by position: at the top level, or among the blocks
/// of the list item it is in.
fn place_markers(blocks: &mut Vec<Block>, markers: &[Marker]) {
    for marker in markers {
        let inside = blocks
            .iter_mut()
            .find(|b| b.kind == Kind::List && b.range.start < marker.at && marker.at < b.range.end);
        let target = match inside.and_then(|list| {
            list.items
                .iter_mut()
                .find(|item| item.range.start < marker.at && marker.at < item.range.end)
        }) {
            Some(item) => &mut item.children,
            None => &mut *blocks,
        };
        let at = target
            .iter()
            .position(|b| b.range.start >= marker.at)
            .unwrap_or(target.len());
        target.insert(
            at,
            Block {
                kind: marker.kind.clone(),
                range: marker.at..marker.at,
                ev: 0..0,
                items: Vec::new(),
            },
        );
    }
}

/// Whether a block ends the events it spans as expected (used by tests).
#[cfg(test)]
pub(super) fn ends_with(events: &[Spanned], block: &Block, end: pulldown_cmark::TagEnd) -> bool {
    block
        .ev
        .end
        .checked_sub(1)
        .and_then(|i| events.get(i))
        .is_some_and(|(e, _)| *e == Event::End(end))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]

    use super::*;

    #[test]
    fn details_are_markers_and_their_content_is_markdown() {
        let src = "## Q1?\n\n<details><summary><b>Answer</b></summary>\n<p>\n\nSome **bold** text.\n\n```js\nlet a = 1;\n```\n</p>\n</details>\n\n<details>\n<summary>What is X?</summary>Inline answer</details>\n";
        let s = Scanned::new("f.md", src);
        assert_eq!(s.text.len(), src.len());
        assert_eq!(
            s.text.lines().count(),
            src.lines().count() + 1,
            "one line break added"
        );
        let kinds: Vec<Kind> = s.blocks.iter().map(|b| b.kind.clone()).collect();
        assert_eq!(
            kinds,
            [
                Kind::Heading(2),
                Kind::DetailsOpen("Answer".into()),
                Kind::Paragraph,
                Kind::Code,
                Kind::DetailsClose,
                Kind::DetailsOpen("What is X?".into()),
                Kind::Paragraph,
                Kind::DetailsClose,
            ],
            "{:?}",
            s.text
        );
        assert!(ends_with(
            &s.events,
            &s.blocks[3],
            pulldown_cmark::TagEnd::CodeBlock
        ));
        assert_eq!(s.slice(&s.blocks[6].range).trim(), "Inline answer");
        assert_eq!(s.line_of(s.blocks[2].range.start), 6);
    }

    #[test]
    fn details_inside_code_stay_code_and_items_have_blocks() {
        let src = "```html\n<details><summary>x</summary></details>\n```\n\n1. What is Y?\n   Because.\n\n   ```py\n   # not a heading\n   ```\n2. Tight\n";
        let s = Scanned::new("f.md", src);
        assert_eq!(s.text, src);
        assert_eq!(s.blocks.len(), 2);
        let list = &s.blocks[1];
        assert_eq!(list.items.len(), 2);
        let kinds: Vec<Kind> = list.items[0]
            .children
            .iter()
            .map(|b| b.kind.clone())
            .collect();
        assert_eq!(kinds, [Kind::Paragraph, Kind::Code]);
        assert_eq!(
            list.items[1].children.len(),
            1,
            "a tight item's text is a paragraph"
        );
        assert_eq!(s.plain(&list.items[1].children[0].ev), "Tight");
        assert_eq!(s.column_of(list.items[0].children[1].range.start), 3);
    }

    #[test]
    fn anchors_are_found() {
        let s = Scanned::new(
            "f.md",
            "<a name=\"q1\"></a>\n## One?\n\nText <a id='x'>y</a>.\n",
        );
        let names: Vec<&str> = s.anchors.iter().map(|(_, n)| n.as_str()).collect();
        assert_eq!(names, ["q1", "x"]);
    }
}
