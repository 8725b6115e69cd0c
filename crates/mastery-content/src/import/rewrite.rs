//! Carrying Markdown over into a guide: the source text is copied as written, except where
//! the guide format needs something else, found through pulldown-cmark's events (so a `#`
//! line in a code block is never taken for a heading):
//!
//! - headings in answers move under the question (`###` to `######`, never a reserved
//!   `### Key points` or `### References`);
//! - code fences keep their language (the first word of the info string; `output` becomes
//!   `text`, Python is marked `norun` until someone checks it), are made longer when the
//!   code holds fences of its own, and are closed when the source forgot;
//! - links to headings and files of the import become `#question-id` links; other relative
//!   links become absolute with `--link-base`, else their text; links with schemes guides
//!   refuse become text; reference links become inline ones;
//! - images keep their address (relative ones are copied into the guide);
//! - HTML becomes Markdown (`<img>`, `<a>`, `<b>`, `<code>`, `<pre>`) or text.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, Event, LinkType, Parser, Tag};

use super::scan::{Kind, Scanned};
use super::shapes::{Part, Title};
use super::text::{attribute, html_text, one_line, strip_numbering, tag_name};
use crate::model::is_python;
use crate::render::options;

/// What links can point at, across the import.
#[derive(Debug, Default)]
pub(super) struct Targets {
    /// (file path, lowercase anchor) → question id.
    pub(super) anchors: HashMap<(String, String), String>,
    /// Lowercase anchor → question id, when only one question in the import has it.
    pub(super) unique_anchors: HashMap<String, String>,
    /// A file that holds one question → its id.
    pub(super) files: HashMap<String, String>,
    /// The other files of the import (images), by path.
    pub(super) assets: HashSet<String>,
    /// `--link-base`: where relative links of the source point on the web.
    pub(super) link_base: Option<String>,
    /// Every question id written, for the last check of `#id` links.
    pub(super) ids: HashSet<String>,
}

/// What rewriting found, for the report.
#[derive(Debug, Default)]
pub(super) struct Notes {
    pub(super) python_norun: usize,
    pub(super) fences_closed: Vec<(String, usize)>,
    pub(super) links_to_text: Vec<(String, usize, String)>,
    pub(super) images_dropped: Vec<(String, usize, String)>,
    pub(super) html_converted: usize,
    pub(super) assets: BTreeSet<String>,
}

/// How a window of events is carried over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Blocks of an answer or an introduction.
    Block,
    /// A question's title: one line, links and images as their text, no HTML.
    Title,
}

/// The rewriter of one file.
pub(super) struct Rewriter<'a> {
    pub(super) s: &'a Scanned,
    pub(super) targets: &'a Targets,
    pub(super) notes: &'a mut Notes,
    /// The heading level of the questions of the part being rewritten.
    pub(super) base: Option<u8>,
    /// Inline `<a href>` tags open in the current part: where each one points, if kept.
    pub(super) open_links: Vec<Option<String>>,
}

const NORUN: &str = "norun=\"imported, not verified\"";

/// Marks where markup was removed while a part is rewritten.
const REMOVED: char = '\u{1}';

/// Deletes the lines that removed markup left empty (a blank line would end a paragraph
/// and change what follows), then the marks.
fn drop_emptied_lines(text: &str) -> String {
    if !text.contains(REMOVED) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    for line in text.split_inclusive('\n') {
        let emptied =
            line.contains(REMOVED) && line.chars().all(|c| c == REMOVED || c.is_whitespace());
        if !emptied {
            out.extend(line.chars().filter(|c| *c != REMOVED));
        }
    }
    out
}

impl Rewriter<'_> {
    /// Blocks as guide Markdown, separated by blank lines; "" when nothing is left.
    pub(super) fn blocks(&mut self, parts: &[Part]) -> String {
        let mut out: Vec<String> = Vec::new();
        for part in parts {
            self.open_links.clear();
            let text = self.window(part.ev.clone(), part.range.clone(), Mode::Block, true);
            let text = dedent(&drop_emptied_lines(&text), part.indent);
            let mut text = text.trim_end();
            if text.trim().is_empty() {
                continue;
            }
            // Markup removed from the first line of a paragraph leaves the next line
            // first: it must not become an indented code block.
            let first_line = text.split('\n').next().unwrap_or("");
            if part.kind == Kind::Paragraph && first_line.trim().is_empty() {
                text = text.trim_start();
            }
            if part.kind == Kind::Paragraph {
                out.push(paragraph_lines(text));
            } else {
                out.push(not_a_definition(text));
            }
        }
        while out
            .last()
            .is_some_and(|t| matches!(t.trim(), "---" | "***" | "___" | "* * *" | "- - -"))
        {
            out.pop();
        }
        if let Some(first) = out.first_mut() {
            *first = strip_answer_label(first);
        }
        out.retain(|t| !t.trim().is_empty());
        let text = self.only_allowed_links(&out.join("\n\n"));
        // Text that renders to nothing (only link definitions) is no answer.
        if Parser::new_ext(&text, options()).next().is_none() {
            return String::new();
        }
        text
    }

    /// A question's title as one line of inline Markdown, without numbering or a `Q:`
    /// label; "" when nothing is left.
    pub(super) fn title(&mut self, title: &Title) -> String {
        let raw = match title {
            Title::Source(part) => {
                self.window(part.ev.clone(), part.range.clone(), Mode::Title, true)
            }
            Title::Text(text) => text.clone(),
        };
        clean_title(&raw)
    }

    /// The Markdown with every link a guide refuses made text: the last guard against
    /// links that removing markup formed by accident (`<a<b>:x>` is `<a:x>` once `<b>`
    /// goes).
    fn only_allowed_links(&self, markdown: &str) -> String {
        let mut text = markdown.to_owned();
        for _ in 0..32 {
            let refused = Parser::new_ext(&text, options())
                .into_offset_iter()
                .find_map(|(event, range)| match event {
                    Event::Start(Tag::Link {
                        dest_url,
                        link_type,
                        ..
                    }) if !self.allowed(&dest_url, link_type) => Some(range.start),
                    _ => None,
                });
            let Some(at) = refused else {
                return text;
            };
            text.insert(at, '\\');
        }
        text
    }

    fn allowed(&self, dest: &str, link_type: LinkType) -> bool {
        let lower = dest.to_ascii_lowercase();
        link_type != LinkType::Email
            && (lower.starts_with("https://")
                || lower.starts_with("http://")
                || lower.starts_with("mailto:")
                || dest
                    .strip_prefix('#')
                    .is_some_and(|id| self.targets.ids.contains(id)))
    }

    fn line(&self, at: usize) -> usize {
        self.s.line_of(at)
    }

    /// The source of `range`, with the edits its events in `ev` call for. `top` is true
    /// when the window is a whole part (its replacements may span several lines).
    fn window(&mut self, ev: Range<usize>, range: Range<usize>, mode: Mode, top: bool) -> String {
        let s = self.s;
        let mut out = String::new();
        let mut pos = range.start;
        let mut i = ev.start;
        while i < ev.end {
            let Some((event, r)) = s.events.get(i) else {
                break;
            };
            if r.start < pos || r.end > range.end {
                i += 1;
                continue;
            }
            let replacement = match event {
                Event::Start(tag) => {
                    let end = super::scan::matching_end(&s.events, i, ev.end);
                    let edit = self.edit(tag, i, end, r, mode, top && i == ev.start);
                    edit.map(|text| (text, end + 1))
                }
                Event::InlineHtml(html) => Some((self.inline_html(html, r.start, mode), i + 1)),
                Event::Html(html) => Some((self.html(html, r.start, false), i + 1)),
                Event::SoftBreak | Event::HardBreak if mode == Mode::Title => {
                    Some((" ".to_owned(), i + 1))
                }
                _ => None,
            };
            match replacement {
                Some((text, next)) => {
                    out.push_str(s.slice(&(pos..r.start)));
                    if text.is_empty() && mode == Mode::Block {
                        // Removed markup: a line left with nothing else goes (see
                        // `drop_emptied_lines`).
                        out.push(REMOVED);
                    }
                    out.push_str(&text);
                    if s.slice(r).ends_with('\n') && !text.ends_with('\n') && mode == Mode::Block {
                        out.push('\n');
                    }
                    pos = r.end;
                    i = next;
                }
                None => i += 1,
            }
        }
        out.push_str(s.slice(&(pos..range.end.max(pos))));
        out
    }

    /// The replacement of the element `Start` at `i` (its `End` at `end`), or `None` to
    /// keep its source and look inside it.
    fn edit(
        &mut self,
        tag: &Tag<'static>,
        i: usize,
        end: usize,
        r: &Range<usize>,
        mode: Mode,
        top: bool,
    ) -> Option<String> {
        let s = self.s;
        let children = i + 1..end;
        let inner = s.span(&children).unwrap_or(r.start..r.start);
        match tag {
            Tag::Heading { level, .. } => {
                let content = self.window(children, inner, Mode::Title, false);
                let content = one_line(&content);
                if mode == Mode::Title {
                    return Some(content);
                }
                if content.is_empty() {
                    return Some(String::new());
                }
                let level = super::scan::level_number(*level);
                let mut n = match self.base {
                    Some(q) => i32::from(level) - i32::from(q) + 2,
                    None => i32::from(level),
                }
                .clamp(3, 6);
                let plain = content.trim_end_matches(':').to_lowercase();
                if n == 3 && matches!(plain.as_str(), "key points" | "references") {
                    n = 4;
                }
                Some(format!(
                    "{} {}",
                    "#".repeat(n as usize),
                    escape_closing_hashes(&content)
                ))
            }
            Tag::CodeBlock(CodeBlockKind::Fenced(info)) => Some(self.fence(r, info)),
            Tag::Link {
                link_type,
                dest_url,
                ..
            } => {
                let text = self.window(children, inner, mode, false);
                let target = self.link(dest_url, *link_type, r.start);
                Some(match (mode, target) {
                    (Mode::Title, _) => text,
                    (Mode::Block, Some(dest))
                        if *link_type == LinkType::Autolink && dest == dest_url.as_ref() =>
                    {
                        s.slice(r).to_owned()
                    }
                    (Mode::Block, Some(dest)) => {
                        let text = if text.trim().is_empty() {
                            dest.clone()
                        } else {
                            text
                        };
                        format!("[{}]({})", text.trim(), link_dest(&dest))
                    }
                    (Mode::Block, None) => text,
                })
            }
            Tag::Image { dest_url, .. } => {
                let alt = one_line(&s.plain(&children));
                match (mode, self.image(dest_url, r.start)) {
                    (Mode::Block, Some(dest)) => {
                        Some(format!("![{}]({})", escape_alt(&alt), link_dest(&dest)))
                    }
                    _ => Some(alt),
                }
            }
            Tag::HtmlBlock => {
                let html: String = s
                    .events
                    .get(children)
                    .unwrap_or(&[])
                    .iter()
                    .filter_map(|(e, _)| match e {
                        Event::Html(h) | Event::Text(h) => Some(h.as_ref()),
                        _ => None,
                    })
                    .collect();
                Some(self.html(&html, r.start, top))
            }
            _ => None,
        }
    }

    /// A fenced code block: its language kept, its fence long enough, closed.
    fn fence(&mut self, r: &Range<usize>, info: &str) -> String {
        let s = self.s;
        let source = s.slice(r);
        let lines: Vec<&str> = source.split_inclusive('\n').collect();
        let Some(first) = lines.first() else {
            return source.to_owned();
        };
        let fence_char = if first.trim_start().starts_with('~') {
            '~'
        } else {
            '`'
        };
        let open_len = first
            .trim_start()
            .chars()
            .take_while(|c| *c == fence_char)
            .count();
        // The prefix of the opening line (indentation, `> `), for the closing one.
        let line_start = s.text[..r.start].rfind('\n').map_or(0, |i| i + 1);
        let in_quote = s.text[line_start..r.start].contains('>');
        let strip = |line: &'_ str| -> String {
            if in_quote {
                line.trim_start_matches([' ', '\t', '>']).to_owned()
            } else {
                line.trim_start_matches([' ', '\t']).to_owned()
            }
        };
        let is_fence_line = |line: &str| {
            let t = strip(line);
            let t = t.trim_end();
            t.chars().count() >= open_len && t.chars().all(|c| c == fence_char)
        };
        let closed = lines.len() > 1 && lines.last().is_some_and(|l| is_fence_line(l));
        let body = if closed {
            &lines[1..lines.len() - 1]
        } else {
            &lines[1..]
        };
        let longest = body
            .iter()
            .map(|l| strip(l).chars().take_while(|c| *c == fence_char).count())
            .max()
            .unwrap_or(0);
        let fence: String =
            std::iter::repeat_n(fence_char, open_len.max(3).max(longest + 1)).collect();
        let info = self.info_for(language(info));
        let mut out = format!("{fence}{info}\n");
        for line in body {
            out.push_str(line);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        let prefix: String = s.text[line_start..r.start]
            .chars()
            .map(|c| if c == '>' { '>' } else { ' ' })
            .collect();
        if closed {
            let last = lines.last().copied().unwrap_or("");
            let lead = last.len() - strip(last).len();
            out.push_str(&last[..lead]);
        } else {
            self.notes
                .fences_closed
                .push((s.path.clone(), self.line(r.start)));
            out.push_str(&prefix);
        }
        out.push_str(&fence);
        if source.ends_with('\n') || !closed {
            out.push('\n');
        }
        out
    }

    /// The info string of an imported code block: its language, and Python marked
    /// `norun` until someone checks it.
    fn info_for(&mut self, language: String) -> String {
        if is_python(&language) {
            self.notes.python_norun += 1;
            format!("{language} {NORUN}")
        } else {
            language
        }
    }

    /// Where a link should point in the guide; `None` to keep only its text.
    fn link(&mut self, dest: &str, link_type: LinkType, at: usize) -> Option<String> {
        let lower = dest.trim().to_ascii_lowercase();
        let found = if link_type == LinkType::Email {
            Some(format!("mailto:{dest}"))
        } else if lower.starts_with("mailto:") {
            Some(dest.trim().to_owned())
        } else if let Some(address) = web_address(dest) {
            Some(address)
        } else if let Some(anchor) = dest.strip_prefix('#') {
            self.anchor(&self.s.path, anchor).map(|id| format!("#{id}"))
        } else if has_scheme(&lower) {
            None
        } else {
            let (path, fragment) = match dest.split_once('#') {
                Some((p, f)) => (p, Some(f)),
                None => (dest, None),
            };
            resolve(&self.s.path, path).and_then(|file| {
                let question = match fragment {
                    Some(f) if !f.is_empty() => self.anchor(&file, f),
                    _ => self.targets.files.get(&file).cloned(),
                };
                match question {
                    Some(id) => Some(format!("#{id}")),
                    None => self.on_the_web(&file, fragment),
                }
            })
        };
        if found.is_none() {
            let dropped = (self.s.path.clone(), self.line(at), dest.to_owned());
            self.notes.links_to_text.push(dropped);
        }
        found
    }

    /// The question an anchor of `file` names.
    fn anchor(&self, file: &str, anchor: &str) -> Option<String> {
        let anchor = percent_decode(anchor).to_lowercase();
        self.targets
            .anchors
            .get(&(file.to_owned(), anchor.clone()))
            .or_else(|| self.targets.unique_anchors.get(&anchor))
            .cloned()
    }

    /// A file of the import on the web, with `--link-base`.
    fn on_the_web(&self, file: &str, fragment: Option<&str>) -> Option<String> {
        let base = self.targets.link_base.as_ref()?;
        Some(format!(
            "{}/{}{}",
            base.trim_end_matches('/'),
            file.replace(' ', "%20"),
            fragment.map(|f| format!("#{f}")).unwrap_or_default()
        ))
    }

    /// Where an image should point; `None` to keep only its alt text.
    fn image(&mut self, dest: &str, at: usize) -> Option<String> {
        let lower = dest.trim().to_ascii_lowercase();
        let found = if let Some(address) = web_address(dest) {
            Some(address)
        } else if has_scheme(&lower) || dest.trim().is_empty() {
            None
        } else {
            let path = dest.split(['#', '?']).next().unwrap_or(dest);
            resolve(&self.s.path, path).and_then(|file| {
                if self.targets.assets.contains(&file) {
                    self.notes.assets.insert(file.clone());
                    Some(file.replace(' ', "%20"))
                } else {
                    self.on_the_web(&file, None)
                }
            })
        };
        if found.is_none() {
            let dropped = (self.s.path.clone(), self.line(at), dest.to_owned());
            self.notes.images_dropped.push(dropped);
        }
        found
    }

    /// Inline HTML: emphasis and code become Markdown, `<img>` an image, the rest goes.
    fn inline_html(&mut self, html: &str, at: usize, mode: Mode) -> String {
        let name = tag_name(html);
        let closing = html.trim_start().starts_with("</");
        match (name.as_str(), mode) {
            ("b" | "strong", Mode::Block) => "**".to_owned(),
            ("i" | "em", Mode::Block) => "*".to_owned(),
            ("code" | "kbd" | "samp" | "tt", Mode::Block) => "`".to_owned(),
            ("s" | "del" | "strike", Mode::Block) => "~~".to_owned(),
            ("img", Mode::Block) if !closing => self.html_image(html, at),
            ("a", Mode::Block) if !closing => {
                let href =
                    attribute(html, "href").and_then(|h| self.link(&h, LinkType::Inline, at));
                let open = if href.is_some() { "[" } else { "" };
                self.open_links.push(href);
                open.to_owned()
            }
            ("a", Mode::Block) => match self.open_links.pop() {
                Some(Some(href)) => format!("]({})", link_dest(&href)),
                _ => String::new(),
            },
            ("br", Mode::Block) => " ".to_owned(),
            _ => String::new(),
        }
    }

    /// `<img>` as a Markdown image.
    fn html_image(&mut self, tag: &str, at: usize) -> String {
        let alt = attribute(tag, "alt").unwrap_or_default();
        match attribute(tag, "src").and_then(|src| self.image(&src, at)) {
            Some(dest) => format!("![{}]({})", escape_alt(&alt), link_dest(&dest)),
            None => alt,
        }
    }

    /// An HTML block as Markdown: `<pre>` as a code block, `<img>` and `<a href>` as
    /// images and links, the rest as text. On one line unless `top`.
    fn html(&mut self, html: &str, at: usize, top: bool) -> String {
        let trimmed = html.trim_start();
        if trimmed.to_ascii_lowercase().starts_with("<pre") {
            let class = tags_of(trimmed)
                .iter()
                .find_map(|t| attribute(t, "class"))
                .unwrap_or_default();
            let language = class
                .split_whitespace()
                .find_map(|c| {
                    c.strip_prefix("language-")
                        .or_else(|| c.strip_prefix("lang-"))
                })
                .map(language)
                .unwrap_or_default();
            let code = raw_text(trimmed);
            let code = code.trim_matches('\n');
            if !code.trim().is_empty() && top {
                self.notes.html_converted += 1;
                let longest = code
                    .lines()
                    .map(|l| l.trim_start().chars().take_while(|c| *c == '`').count())
                    .max()
                    .unwrap_or(0);
                let fence = "`".repeat(longest.max(2) + 1);
                let info = self.info_for(language);
                return format!("{fence}{info}\n{code}\n{fence}\n");
            }
        }
        // Tags become Markdown (images, links, emphasis, code) or line breaks; the text
        // between them is text: decoded, and escaped so it cannot become Markdown.
        let mut text = String::new();
        let mut rest = html;
        let mut open_href: Vec<Option<String>> = Vec::new();
        while let Some(lt) = rest.find('<') {
            text.push_str(&escape_markdown(&decode_raw(&rest[..lt])));
            let after = &rest[lt..];
            if let Some(comment) = after.strip_prefix("<!--") {
                rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
                continue;
            }
            let Some(gt) = after.find('>') else {
                text.push_str(&escape_markdown(&decode_raw(after)));
                rest = "";
                break;
            };
            let tag = &after[..=gt];
            let closing = tag.starts_with("</");
            match (tag_name(tag).as_str(), closing) {
                ("img", false) => {
                    let image = self.html_image(tag, at);
                    text.push_str(&image);
                }
                ("a", false) => {
                    let href =
                        attribute(tag, "href").and_then(|h| self.link(&h, LinkType::Inline, at));
                    if href.is_some() {
                        text.push('[');
                    }
                    open_href.push(href);
                }
                ("a", true) => {
                    if let Some(Some(href)) = open_href.pop() {
                        text.push_str(&format!("]({})", link_dest(&href)));
                    }
                }
                ("b" | "strong", _) => text.push_str("**"),
                ("i" | "em", _) => text.push('*'),
                ("code" | "kbd" | "tt", _) => text.push('`'),
                (
                    "br" | "p" | "div" | "li" | "tr" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6"
                    | "pre" | "ul" | "ol" | "table" | "blockquote" | "details" | "summary",
                    _,
                ) => text.push('\n'),
                _ => {}
            }
            rest = &after[gt + 1..];
        }
        text.push_str(&escape_markdown(&decode_raw(rest)));
        for href in open_href.into_iter().flatten() {
            text.push_str(&format!("]({})", link_dest(&href)));
        }
        let lines: Vec<String> = text.lines().map(|l| escape_line_start(l.trim())).collect();
        let mut paragraphs: Vec<String> = Vec::new();
        let mut current: Vec<String> = Vec::new();
        for line in lines {
            if line.is_empty() {
                if !current.is_empty() {
                    paragraphs.push(current.join("\n"));
                    current.clear();
                }
            } else {
                current.push(line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current.join("\n"));
        }
        if paragraphs.is_empty() {
            return String::new();
        }
        self.notes.html_converted += 1;
        if top {
            let mut out = paragraphs.join("\n\n");
            out.push('\n');
            out
        } else {
            one_line(&paragraphs.join(" "))
        }
    }
}

/// Whether an HTML block has nothing to show: no text, no image.
pub(super) fn html_is_empty(html: &str) -> bool {
    !html.to_ascii_lowercase().contains("<img")
        && !html_text(html).chars().any(char::is_alphanumeric)
}

/// The tags of an HTML fragment.
fn tags_of(html: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        let after = &rest[lt..];
        match after.find('>') {
            Some(gt) => {
                out.push(&after[..=gt]);
                rest = &after[gt + 1..];
            }
            None => break,
        }
    }
    out
}

/// The text of HTML with tags removed and entities decoded as they are (for code).
fn raw_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let after = &rest[lt..];
        match after.find('>') {
            Some(gt) => rest = &after[gt + 1..],
            None => {
                out.push_str(after);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    decode_raw(&out)
}

/// The common HTML entities decoded as the characters they stand for.
fn decode_raw(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
}

/// Text with every character that could start Markdown escaped.
fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '!'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A line of text that must not start Markdown of its own (a heading, a fence, a setext
/// underline, a list marker run, a quote): its first character escaped.
fn escape_line_start(line: &str) -> String {
    let starts_markup = line.starts_with(['#', '`', '~', '=', '>', '|'])
        || line.chars().all(|c| c == '-' || c == ' ') && !line.is_empty()
        || line.starts_with("- ")
        || line.starts_with("+ ")
        || line.starts_with("* ");
    if starts_markup {
        format!("\\{line}")
    } else {
        line.to_owned()
    }
}

/// The language of an info string: its first word, lowercase, `output` as `text`.
fn language(info: &str) -> String {
    let word: String = info
        .trim()
        .trim_start_matches(['{', '.'])
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '_' | '-' | '.'))
        .collect::<String>()
        .trim_matches('.')
        .to_ascii_lowercase();
    if word == "output" {
        "text".to_owned()
    } else {
        word
    }
}

/// A link destination as inline Markdown writes it: spaces, parentheses and angle
/// brackets percent-encoded.
fn link_dest(dest: &str) -> String {
    dest.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('\n', "%0A")
}

fn escape_alt(alt: &str) -> String {
    alt.replace('[', "\\[").replace(']', "\\]")
}

/// An address on the web as guides write it: `https://` and `http://` kept, `//host/…`
/// made `https://`; `None` for anything else.
fn web_address(dest: &str) -> Option<String> {
    let dest = dest.trim();
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        Some(dest.to_owned())
    } else {
        lower.starts_with("//").then(|| format!("https:{dest}"))
    }
}

fn has_scheme(lower: &str) -> bool {
    match lower.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && !scheme.contains(['/', '.', '#', '?'])
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-'))
        }
        None => false,
    }
}

/// A relative path from the file `from`, normalised within the import root (percent
/// escapes decoded); `None` when it leaves the root.
pub(super) fn resolve(from: &str, path: &str) -> Option<String> {
    let path = percent_decode(path);
    let mut parts: Vec<&str> = if path.starts_with('/') {
        Vec::new()
    } else {
        from.rsplit_once('/')
            .map(|(dir, _)| dir.split('/').collect())
            .unwrap_or_default()
    };
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    (!parts.is_empty()).then(|| parts.join("/"))
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        match (
            bytes[i],
            bytes.get(i + 1).copied(),
            bytes.get(i + 2).copied(),
        ) {
            (b'%', Some(h), Some(l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

/// The lines of a paragraph, each escaped where it would start a block of its own now
/// that it stands alone (in the source it was a lazy continuation line, or the middle of
/// a line), so that the paragraph stays one paragraph.
fn paragraph_lines(text: &str) -> String {
    text.split('\n')
        .map(|line| {
            let trimmed = line.trim_start();
            let lead = &line[..line.len() - trimmed.len()];
            let digits = trimmed.chars().take_while(char::is_ascii_digit).count();
            let ordered = digits > 0
                && digits < 10
                && trimmed[digits..].starts_with(['.', ')'])
                && trimmed[digits + 1..].starts_with([' ', '\t'])
                || digits > 0 && trimmed.len() == digits + 1 && trimmed.ends_with(['.', ')']);
            let rule = !trimmed.is_empty()
                && trimmed
                    .chars()
                    .all(|c| matches!(c, '-' | '=' | '*' | '_' | ' ' | '\t'));
            if ordered {
                format!("{lead}{}\\{}", &trimmed[..digits], &trimmed[digits..])
            } else if rule
                || heading_start(trimmed)
                || html_start(trimmed)
                || trimmed.starts_with(['>'])
                || trimmed.starts_with("```")
                || trimmed.starts_with("~~~")
                || trimmed.starts_with("- ")
                || trimmed.starts_with("+ ")
                || trimmed.starts_with("* ")
                || matches!(trimmed, "-" | "+" | "*")
            {
                format!("{lead}\\{trimmed}")
            } else {
                not_a_definition(line)
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `#` to `######` then a space or nothing: an ATX heading.
fn heading_start(line: &str) -> bool {
    let hashes = line.chars().take_while(|c| *c == '#').count();
    (1..=6).contains(&hashes)
        && line[hashes..]
            .chars()
            .next()
            .is_none_or(char::is_whitespace)
}

/// `<tag`, `</tag`, `<!` or `<?`, but not an autolink (`<https://…>`, `<a@b.c>`).
fn html_start(line: &str) -> bool {
    let Some(rest) = line.strip_prefix('<') else {
        return false;
    };
    let token = rest.split(['>', ' ']).next().unwrap_or("");
    rest.starts_with(|c: char| c.is_ascii_alphabetic() || matches!(c, '/' | '!' | '?'))
        && !token.contains([':', '@'])
}

/// A part that starts like a link reference definition (`[x]: …`, which it was not where
/// it came from: the rest of a paragraph) with its bracket escaped.
fn not_a_definition(text: &str) -> String {
    let trimmed = text.trim_start_matches(' ');
    let looks_like = trimmed.starts_with('[')
        && trimmed
            .find("]:")
            .is_some_and(|end| !trimmed[..end].contains(']'));
    if looks_like && text.len() - trimmed.len() <= 3 {
        format!("\\{trimmed}")
    } else {
        text.to_owned()
    }
}

/// Removes up to `indent` columns of leading whitespace from every line but the first.
fn dedent(text: &str, indent: usize) -> String {
    if indent == 0 {
        return text.to_owned();
    }
    let mut out = String::new();
    for (n, line) in text.split_inclusive('\n').enumerate() {
        if n == 0 {
            out.push_str(line);
            continue;
        }
        let mut width = 0;
        let mut cut = 0;
        for (i, c) in line.char_indices() {
            if width >= indent {
                break;
            }
            match c {
                ' ' => width += 1,
                '\t' => width += 4 - width % 4,
                _ => break,
            }
            cut = i + c.len_utf8();
        }
        out.push_str(&line[cut..]);
    }
    out
}

/// Drops `A:` or `Answer:` (bold or not) from the start of an answer.
fn strip_answer_label(text: &str) -> String {
    let lower = text.to_lowercase();
    for label in [
        "**answer:**",
        "**answer**:",
        "**a:**",
        "**a**:",
        "**ans:**",
        "answer:",
        "ans:",
        "a:",
        "**ответ:**",
        "ответ:",
        "**réponse :**",
        "réponse :",
        "réponse:",
        "respuesta:",
    ] {
        if lower.starts_with(label)
            && let Some(rest) = text.get(label.len()..).map(str::trim_start)
            && !rest.is_empty()
        {
            // What followed the label on its line must not start a block now
            // (`**A:**```js` is text, not a fence).
            return paragraph_lines(rest);
        }
    }
    text.to_owned()
}

/// A title without numbering, a `Q:` label or bold around all of it, on one line.
fn clean_title(raw: &str) -> String {
    let mut t = one_line(raw);
    loop {
        let before = t.clone();
        for wrap in ["**", "__"] {
            if t.len() > 4
                && t.starts_with(wrap)
                && t.ends_with(wrap)
                && !t[2..t.len() - 2].contains(wrap)
            {
                t = t[2..t.len() - 2].trim().to_owned();
            }
        }
        // `**Q1:** What…`, `Q: What…`, `1. What…`: the bold around a label is dropped
        // with it.
        let unwrapped = t.trim_start_matches(['*', '_']);
        let probe = match unwrapped.find(['*', '_']) {
            Some(at) if at < 16 => {
                let marks =
                    unwrapped[at..].len() - unwrapped[at..].trim_start_matches(['*', '_']).len();
                format!("{}{}", &unwrapped[..at], &unwrapped[at + marks..])
            }
            _ => unwrapped.to_owned(),
        };
        let lower = probe.to_lowercase();
        let label_len = ["question:", "question.", "q:", "q."]
            .iter()
            .find(|l| lower.starts_with(*l))
            .map(|l| l.len())
            .or_else(|| {
                let stripped = strip_numbering(&probe);
                (stripped.len() < probe.len()).then(|| probe.len() - stripped.len())
            });
        if let Some(rest) = label_len.and_then(|n| probe.get(n..)) {
            let rest = rest.trim_start_matches(['*', '_']).trim();
            if !rest.is_empty() {
                t = rest.to_owned();
            }
        }
        if t == before {
            break;
        }
    }
    let t = t.trim_end_matches('\\').trim().to_owned();
    escape_closing_hashes(&t)
}

/// Trailing `#`s would be read as the closing sequence of the `## ` heading.
fn escape_closing_hashes(text: &str) -> String {
    let trimmed = text.trim_end_matches('#');
    if trimmed.len() == text.len() {
        return text.to_owned();
    }
    let hashes = &text[trimmed.len()..];
    format!("{trimmed}{}", hashes.replace('#', "\\#"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_resolve_inside_the_root() {
        assert_eq!(resolve("a/b.md", "c.md").as_deref(), Some("a/c.md"));
        assert_eq!(
            resolve("a/b.md", "../img/x%20y.png").as_deref(),
            Some("img/x y.png")
        );
        assert_eq!(resolve("b.md", "./q/one.md").as_deref(), Some("q/one.md"));
        assert_eq!(resolve("b.md", "../outside.md"), None);
        assert_eq!(resolve("a/b.md", "/top.md").as_deref(), Some("top.md"));
    }

    #[test]
    fn small_rules() {
        assert_eq!(language("{.python .numberLines}"), "python");
        assert_eq!(language("js {1,3}"), "js");
        assert_eq!(language("Output"), "text");
        assert_eq!(language("c++"), "c++");
        assert_eq!(link_dest("a b(c).md"), "a%20b%28c%29.md");
        assert!(has_scheme("javascript:alert(1)"));
        assert!(!has_scheme("notes.md#a:b"));
        assert_eq!(dedent("a\n   b\n\tc\n  ", 3), "a\nb\nc\n");
        assert_eq!(strip_answer_label("**A:** Because."), "Because.");
        assert_eq!(strip_answer_label("Answer: 42"), "42");
        assert_eq!(strip_answer_label("Anyway"), "Anyway");
        assert_eq!(escape_line_start("# not a heading"), "\\# not a heading");
        assert_eq!(escape_line_start("---"), "\\---");
    }

    #[test]
    fn titles_lose_numbering_labels_and_bold() {
        for (raw, clean) in [
            ("1. What is X?", "What is X?"),
            ("**Q1:** What is `X`?", "What is `X`?"),
            ("Q: Why?", "Why?"),
            ("**What is a closure?**", "What is a closure?"),
            ("Question 12. How does C# work?", "How does C# work?"),
            ("What is C#", "What is C\\#"),
            ("  multi\n line  ", "multi line"),
            ("1.", "1."),
        ] {
            assert_eq!(clean_title(raw), clean, "{raw:?}");
        }
    }
}
