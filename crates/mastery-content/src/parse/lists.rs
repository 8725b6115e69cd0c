//! The lists step of an entry: `### Key points` and `### References`.
//!
//! After the answer, an entry may have a list of key points (a statement, then a `Words:`
//! line of synonym groups that grade typed answers) and a list of references (links to
//! authoritative pages). Each heading may appear once, key points first, and only a list
//! may follow it.

use std::ops::Range;

use pulldown_cmark::{Event, HeadingLevel, Parser, Tag, TagEnd};

use crate::diagnostic::Diagnostics;
use crate::model::{KeyPoint, Reference};
use crate::render::{options, render_inline};
use crate::source::SourceText;

use super::blocks::{Block, heading_text};

const KEY_POINTS: &str = "key points";
const REFERENCES: &str = "references";

/// The key points and references of an entry.
pub(super) struct Lists {
    pub(super) key_points: Vec<KeyPoint>,
    pub(super) references: Vec<Reference>,
    /// `true` when the entry has a `### Key points` heading, even with no valid item.
    pub(super) has_key_points_heading: bool,
    /// `false` when something other than a list follows one of the headings.
    pub(super) valid: bool,
}

/// Reads the lists from `blocks`, which start at the entry's first `### Key points` or
/// `### References` heading (no blocks when it has neither).
pub(super) fn parse_lists(
    src: &SourceText<'_>,
    blocks: &[Block],
    diags: &mut Diagnostics,
) -> Lists {
    let mut key_points = Vec::new();
    let mut references = Vec::new();
    let mut seen_parts: Vec<&str> = Vec::new();
    let mut valid = true;
    let mut part: Option<&str> = None;
    for block in blocks {
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
    Lists {
        key_points,
        references,
        has_key_points_heading: seen_parts.contains(&KEY_POINTS),
        valid,
    }
}

/// `key points` → `Key points`, as the heading is written.
fn title_case(name: &str) -> String {
    let mut chars = name.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

/// `Some(KEY_POINTS)` or `Some(REFERENCES)` when `block` is one of the two list headings.
pub(super) fn reserved_heading(src: &SourceText<'_>, block: &Block) -> Option<&'static str> {
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

/// The lines of a list item, each with its offset in the item.
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

/// A list item's first line without its `-`, `*`, `+` or `1.` marker.
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

/// One key point: its statement, then a `Words:` line of `,`-separated groups of
/// `|`-separated synonyms.
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

/// One reference: a link to an `https://` or `http://` page.
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
