//! Anki's field HTML as guide Markdown: paragraphs, line breaks, headings (moved under the
//! question: `<h1>` becomes `###`), lists, block quotes, tables, code blocks with their
//! language, links, images, bold, italics and inline code. Scripts and styles are dropped
//! (and counted); other tags keep their text. Text is escaped so that nothing in it starts
//! Markdown or HTML, so what comes out renders as the field read, and never as raw HTML.
//!
//! The HTML is read into a small tree with a tolerant parser (unclosed and stray tags are
//! accepted, nesting is capped), then written out. Nothing here panics on any input.

use std::collections::BTreeSet;

/// Tags that never have content.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Tags whose content is dropped.
const DROPPED: &[&str] = &["script", "style", "head", "title", "template", "object"];

/// Tags that make blocks.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "dd",
    "details",
    "dialog",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// Deeper elements are read as their text.
const MAX_DEPTH: usize = 48;

/// A field turned into Markdown.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Converted {
    /// The Markdown (no trailing newline); empty when the field holds no text.
    pub markdown: String,
    /// The images shown (`src`), in order, each once: media files to copy.
    pub images: Vec<String>,
    /// What was dropped, by kind (`script`, `style`, ...).
    pub dropped: BTreeSet<String>,
}

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Element(Element),
}

#[derive(Debug, Clone)]
struct Element {
    name: String,
    attrs: Vec<(String, String)>,
    children: Vec<Node>,
}

impl Element {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Converts field HTML to Markdown.
pub fn to_markdown(html: &str) -> Converted {
    to_markdown_in(html, "")
}

/// Converts field HTML to Markdown, with local images (media files) under `media_prefix`
/// (`media/`).
pub fn to_markdown_in(html: &str, media_prefix: &str) -> Converted {
    let mut dropped = BTreeSet::new();
    let root = parse(html, &mut dropped);
    // Headings move under the question: the highest one becomes `###` (never higher).
    let top = top_heading(&root).unwrap_or(3);
    let mut writer = Writer {
        images: Vec::new(),
        media_prefix: media_prefix.to_owned(),
        heading_shift: 3_usize.saturating_sub(top),
    };
    let blocks = writer.blocks(&root);
    Converted {
        markdown: blocks.join("\n\n"),
        images: writer.images,
        dropped,
    }
}

/// The plain text of field HTML on one line (tags removed, entities decoded, whitespace
/// collapsed): for titles, sort fields and checksums.
pub fn to_text(html: &str) -> String {
    let mut dropped = BTreeSet::new();
    let root = parse(html, &mut dropped);
    let mut out = String::new();
    plain(&root, &mut out);
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn plain(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) => {
                if e.name == "br" || BLOCKS.contains(&e.name.as_str()) {
                    out.push(' ');
                }
                if e.name == "img"
                    && let Some(alt) = e.attr("alt")
                {
                    out.push_str(alt);
                }
                plain(&e.children, out);
                if BLOCKS.contains(&e.name.as_str()) {
                    out.push(' ');
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// Reading

fn parse(html: &str, dropped: &mut BTreeSet<String>) -> Vec<Node> {
    // The open elements; index 0 is the root.
    let mut stack: Vec<Element> = vec![Element {
        name: String::new(),
        attrs: Vec::new(),
        children: Vec::new(),
    }];
    let mut rest = html;
    let mut skipping: Option<String> = None;
    while !rest.is_empty() {
        let Some(lt) = rest.find('<') else {
            if skipping.is_none() {
                push_text(&mut stack, rest);
            }
            break;
        };
        if lt > 0 && skipping.is_none() {
            push_text(&mut stack, &rest[..lt]);
        }
        let after = &rest[lt..];
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        let Some(tag) = read_tag(after) else {
            // A `<` that starts no tag is text.
            if skipping.is_none() {
                push_text(&mut stack, "<");
            }
            rest = &after[1..];
            continue;
        };
        rest = &after[tag.len..];
        if let Some(name) = &skipping {
            if tag.closing && &tag.name == name {
                skipping = None;
            }
            continue;
        }
        if tag.name.is_empty() || tag.name.starts_with('!') || tag.name.starts_with('?') {
            continue;
        }
        if tag.closing {
            if let Some(at) = stack.iter().rposition(|e| e.name == tag.name)
                && at > 0
            {
                while stack.len() > at {
                    close(&mut stack);
                }
            }
            continue;
        }
        if DROPPED.contains(&tag.name.as_str()) {
            dropped.insert(tag.name.clone());
            if !tag.self_closing {
                skipping = Some(tag.name);
            }
            continue;
        }
        // A new item or paragraph closes the one still open.
        if matches!(
            tag.name.as_str(),
            "li" | "p" | "tr" | "td" | "th" | "dt" | "dd"
        ) && let Some(at) = stack.iter().rposition(|e| e.name == tag.name)
        {
            let boundary = stack[at..]
                .iter()
                .any(|e| matches!(e.name.as_str(), "ul" | "ol" | "table"));
            if at > 0 && !boundary {
                while stack.len() > at {
                    close(&mut stack);
                }
            }
        }
        let element = Element {
            name: tag.name.clone(),
            attrs: tag.attrs,
            children: Vec::new(),
        };
        if VOID.contains(&tag.name.as_str()) || tag.self_closing || stack.len() > MAX_DEPTH {
            if let Some(top) = stack.last_mut() {
                top.children.push(Node::Element(element));
            }
        } else {
            stack.push(element);
        }
    }
    while stack.len() > 1 {
        close(&mut stack);
    }
    stack.pop().map(|root| root.children).unwrap_or_default()
}

fn push_text(stack: &mut [Element], raw: &str) {
    if let Some(top) = stack.last_mut() {
        let text = decode_entities(raw);
        if let Some(Node::Text(previous)) = top.children.last_mut() {
            previous.push_str(&text);
        } else {
            top.children.push(Node::Text(text));
        }
    }
}

fn close(stack: &mut Vec<Element>) {
    if let Some(done) = stack.pop()
        && let Some(parent) = stack.last_mut()
    {
        parent.children.push(Node::Element(done));
    }
}

struct Tag {
    name: String,
    attrs: Vec<(String, String)>,
    closing: bool,
    self_closing: bool,
    /// Bytes from `<` to `>` included.
    len: usize,
}

/// The tag `text` starts with (`text` starts with `<`), or `None` when it is not one.
fn read_tag(text: &str) -> Option<Tag> {
    let bytes = text.as_bytes();
    let mut i = 1;
    let closing = bytes.get(1) == Some(&b'/');
    if closing {
        i += 1;
    }
    let first = *bytes.get(i)?;
    if !(first.is_ascii_alphabetic() || first == b'!' || first == b'?') {
        return None;
    }
    let start = i;
    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' && bytes[i] != b'/'
    {
        i += 1;
    }
    let name = text.get(start..i)?.to_ascii_lowercase();
    let mut attrs = Vec::new();
    let mut self_closing = false;
    loop {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        match bytes.get(i) {
            None => return None,
            Some(b'>') => {
                i += 1;
                break;
            }
            Some(b'/') => {
                self_closing = true;
                i += 1;
                continue;
            }
            Some(_) => {}
        }
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && !matches!(bytes[i], b'=' | b'>' | b'/')
        {
            i += 1;
        }
        if i == name_start {
            i += 1;
            continue;
        }
        let attr_name = text.get(name_start..i)?.to_ascii_lowercase();
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let mut value = String::new();
        if bytes.get(i) == Some(&b'=') {
            i += 1;
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                Some(&q @ (b'"' | b'\'')) => {
                    let body = i + 1;
                    let end = text.get(body..)?.find(char::from(q))? + body;
                    value = decode_entities(text.get(body..end)?);
                    i = end + 1;
                }
                _ => {
                    let body = i;
                    while i < bytes.len() && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    value = decode_entities(text.get(body..i)?);
                }
            }
        }
        attrs.push((attr_name, value));
    }
    Some(Tag {
        name,
        attrs,
        closing,
        self_closing,
        len: i,
    })
}

/// Decodes character references: the common named ones and every numeric one.
pub fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|e| *e <= 12);
        let decoded = end.and_then(|e| entity(&after[1..e]));
        match (decoded, end) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &after[e + 1..];
            }
            _ => {
                out.push('&');
                rest = &after[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn entity(name: &str) -> Option<char> {
    if let Some(number) = name.strip_prefix('#') {
        let code = match number.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => number.parse().ok()?,
        };
        return char::from_u32(code).filter(|c| *c != '\0');
    }
    Some(match name {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        "nbsp" => '\u{a0}',
        "mdash" => '—',
        "ndash" => '–',
        "hellip" => '…',
        "laquo" => '«',
        "raquo" => '»',
        "lsquo" => '‘',
        "rsquo" => '’',
        "ldquo" => '“',
        "rdquo" => '”',
        "bull" => '•',
        "middot" => '·',
        "copy" => '©',
        "reg" => '®',
        "times" => '×',
        "divide" => '÷',
        "rarr" => '→',
        "larr" => '←',
        "harr" => '↔',
        "deg" => '°',
        "plusmn" => '±',
        "le" => '≤',
        "ge" => '≥',
        "ne" => '≠',
        "shy" => '\u{ad}',
        "zwj" => '\u{200d}',
        "zwnj" => '\u{200c}',
        _ => return None,
    })
}

// ---------------------------------------------------------------------------------------
// Writing

struct Writer {
    images: Vec<String>,
    media_prefix: String,
    heading_shift: usize,
}

/// The highest heading level (1 for `<h1>`) among `nodes`.
fn top_heading(nodes: &[Node]) -> Option<usize> {
    nodes
        .iter()
        .filter_map(|n| match n {
            Node::Element(e) => {
                let own = e
                    .name
                    .strip_prefix('h')
                    .and_then(|l| l.parse::<usize>().ok())
                    .filter(|l| (1..=6).contains(l));
                own.into_iter().chain(top_heading(&e.children)).min()
            }
            Node::Text(_) => None,
        })
        .min()
}

impl Writer {
    /// The Markdown blocks of `nodes`: runs of inline content become paragraphs.
    fn blocks(&mut self, nodes: &[Node]) -> Vec<String> {
        let mut out = Vec::new();
        let mut inline = String::new();
        for node in nodes {
            match node {
                Node::Element(e) if BLOCKS.contains(&e.name.as_str()) => {
                    flush(&mut inline, &mut out);
                    out.extend(self.block(e));
                }
                Node::Element(e) if e.name == "br" => inline.push('\n'),
                other => self.inline(other, &mut inline),
            }
        }
        flush(&mut inline, &mut out);
        out
    }

    fn block(&mut self, e: &Element) -> Vec<String> {
        match e.name.as_str() {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                let level = e.name[1..].parse::<usize>().unwrap_or(1);
                let hashes = "#".repeat((level + self.heading_shift).clamp(3, 6));
                let mut text = String::new();
                for child in &e.children {
                    self.inline(child, &mut text);
                }
                let text = one_line(&text);
                let reserved = ["key points", "references"]
                    .iter()
                    .any(|r| text.trim_end_matches(':').eq_ignore_ascii_case(r));
                let hashes = if reserved && hashes.len() == 3 {
                    "####".to_owned()
                } else {
                    hashes
                };
                if text.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("{hashes} {text}")]
                }
            }
            "hr" => vec!["---".to_owned()],
            "pre" => vec![code_block(e)],
            "ul" | "ol" => {
                let ordered = e.name == "ol";
                let mut number: u64 = e
                    .attr("start")
                    .and_then(|s| s.trim().parse().ok())
                    .unwrap_or(1);
                let mut items = Vec::new();
                for child in &e.children {
                    let body = match child {
                        Node::Element(li) if li.name == "li" => self.blocks(&li.children),
                        Node::Text(t) if t.trim().is_empty() => continue,
                        other => self.blocks(std::slice::from_ref(other)),
                    };
                    if body.is_empty() {
                        continue;
                    }
                    let marker = if ordered {
                        format!("{number}. ")
                    } else {
                        "- ".to_owned()
                    };
                    number += 1;
                    items.push(indent(&body.join("\n\n"), &marker));
                }
                if items.is_empty() {
                    Vec::new()
                } else {
                    vec![items.join("\n")]
                }
            }
            "blockquote" => {
                let inner = self.blocks(&e.children).join("\n\n");
                if inner.is_empty() {
                    Vec::new()
                } else {
                    vec![
                        inner
                            .lines()
                            .map(|l| {
                                if l.is_empty() {
                                    ">".to_owned()
                                } else {
                                    format!("> {l}")
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("\n"),
                    ]
                }
            }
            "table" => self.table(e),
            "dt" => {
                let mut text = String::new();
                for child in &e.children {
                    self.inline(child, &mut text);
                }
                let text = one_line(&text);
                if text.is_empty() {
                    Vec::new()
                } else {
                    vec![format!("**{text}**")]
                }
            }
            _ => self.blocks(&e.children),
        }
    }

    fn table(&mut self, e: &Element) -> Vec<String> {
        let mut rows: Vec<Vec<String>> = Vec::new();
        collect_rows(
            e,
            &mut rows,
            &mut |cell: &Element, out: &mut Vec<String>| {
                let mut text = String::new();
                for child in &cell.children {
                    self.inline(child, &mut text);
                }
                out.push(one_line(&text));
            },
        );
        rows.retain(|r| !r.is_empty());
        let width = rows.iter().map(Vec::len).max().unwrap_or(0);
        if width == 0 {
            return Vec::new();
        }
        let line = |cells: &[String]| {
            let mut padded: Vec<String> = cells.to_vec();
            padded.resize(width, String::new());
            format!("| {} |", padded.join(" | "))
        };
        let mut out = vec![line(&rows[0]), format!("|{}", " --- |".repeat(width))];
        out.extend(rows[1..].iter().map(|r| line(r)));
        vec![out.join("\n")]
    }

    fn inline(&mut self, node: &Node, out: &mut String) {
        let e = match node {
            Node::Text(t) => {
                out.push_str(&escape(&collapse(t)));
                return;
            }
            Node::Element(e) => e,
        };
        let inner = |w: &mut Self, out: &mut String| {
            let mut text = String::new();
            for child in &e.children {
                w.inline(child, &mut text);
            }
            out.push_str(&text);
        };
        match e.name.as_str() {
            "br" => out.push('\n'),
            "b" | "strong" | "i" | "em" => {
                let mark = if matches!(e.name.as_str(), "b" | "strong") {
                    "**"
                } else {
                    "*"
                };
                let mut text = String::new();
                inner(self, &mut text);
                wrap(out, &text, mark);
            }
            "code" | "kbd" | "samp" | "tt" => {
                let mut text = String::new();
                plain(&e.children, &mut text);
                out.push_str(&inline_code(&text));
            }
            "a" if e
                .attr("class")
                .is_some_and(|c| c.split_whitespace().any(|c| c == "anchor")) => {}
            "a" => {
                let mut text = String::new();
                inner(self, &mut text);
                match e.attr("href").map(str::trim).filter(|h| is_web(h)) {
                    Some(href) if !one_line(&text).is_empty() => {
                        out.push_str(&format!("[{}]({})", one_line(&text), destination(href)));
                    }
                    _ => out.push_str(&text),
                }
            }
            "img" => {
                let alt = e.attr("alt").map(one_line).unwrap_or_default();
                if let Some(src) = e.attr("src").map(str::trim).filter(|s| !s.is_empty()) {
                    let local = !src.contains(':') && !src.starts_with('/') && !src.contains("..");
                    if local || is_web(src) {
                        if local && !self.images.iter().any(|i| i == src) {
                            self.images.push(src.to_owned());
                        }
                        let target = if local {
                            format!("{}{src}", self.media_prefix)
                        } else {
                            src.to_owned()
                        };
                        out.push_str(&format!("![{}]({})", escape(&alt), destination(&target)));
                    } else if !alt.is_empty() {
                        out.push_str(&escape(&alt));
                    }
                }
            }
            // A block inside inline content: its text, on its own line.
            name if BLOCKS.contains(&name) => {
                out.push('\n');
                inner(self, out);
                out.push('\n');
            }
            _ => inner(self, out),
        }
    }
}

fn collect_rows(
    e: &Element,
    rows: &mut Vec<Vec<String>>,
    cell: &mut dyn FnMut(&Element, &mut Vec<String>),
) {
    for child in &e.children {
        if let Node::Element(c) = child {
            match c.name.as_str() {
                "tr" => {
                    let mut row = Vec::new();
                    for td in &c.children {
                        if let Node::Element(td) = td
                            && matches!(td.name.as_str(), "td" | "th")
                        {
                            cell(td, &mut row);
                        }
                    }
                    rows.push(row);
                }
                "table" => {}
                _ => collect_rows(c, rows, cell),
            }
        }
    }
}

/// `text` wrapped in `mark` (`**`), with the spaces kept outside it.
fn wrap(out: &mut String, text: &str, mark: &str) {
    let trimmed = text.trim();
    if trimmed.is_empty() {
        out.push_str(text);
        return;
    }
    if trimmed.contains('\n') {
        out.push_str(text);
        return;
    }
    if text.starts_with(char::is_whitespace) {
        out.push(' ');
    }
    out.push_str(mark);
    out.push_str(trimmed);
    out.push_str(mark);
    if text.ends_with(char::is_whitespace) {
        out.push(' ');
    }
}

fn is_web(href: &str) -> bool {
    let lower = href.to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

/// A link destination Markdown reads back unchanged.
fn destination(url: &str) -> String {
    let mut out = String::new();
    for c in url.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '(' => out.push_str("%28"),
            ')' => out.push_str("%29"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn inline_code(text: &str) -> String {
    let text = collapse(text);
    if text.trim().is_empty() {
        return String::new();
    }
    let longest = longest_run(&text, '`');
    let ticks = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{ticks}{pad}{text}{pad}{ticks}")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        if ch == c {
            run += 1;
            best = best.max(run);
        } else {
            run = 0;
        }
    }
    best
}

/// A `<pre>` block as a fenced code block, with the language of its `class`.
fn code_block(e: &Element) -> String {
    let mut code = String::new();
    pre_text(&e.children, &mut code);
    let code = code.trim_matches('\n').replace('\r', "");
    let language = language_of(e)
        .or_else(|| {
            e.children.iter().find_map(|c| match c {
                Node::Element(c) if c.name == "code" => language_of(c),
                _ => None,
            })
        })
        .unwrap_or_else(|| "text".to_owned());
    let info = match language.as_str() {
        "output" => "text".to_owned(),
        l if mastery_content::is_python(l) => format!("{l} norun=\"imported, not verified\""),
        l => l.to_owned(),
    };
    let fence = "`".repeat(longest_run(&code, '`').max(2) + 1);
    format!("{fence}{info}\n{code}\n{fence}")
}

fn language_of(e: &Element) -> Option<String> {
    let class = e.attr("class")?;
    class.split_whitespace().find_map(|c| {
        let l = c
            .strip_prefix("language-")
            .or_else(|| c.strip_prefix("lang-"))?;
        let l: String = l
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '+' | '_'))
            .collect();
        (!l.is_empty()).then(|| l.to_ascii_lowercase())
    })
}

fn pre_text(nodes: &[Node], out: &mut String) {
    for node in nodes {
        match node {
            Node::Text(t) => out.push_str(t),
            Node::Element(e) if e.name == "br" => out.push('\n'),
            Node::Element(e) => {
                if matches!(e.name.as_str(), "div" | "p") && !out.is_empty() && !out.ends_with('\n')
                {
                    out.push('\n');
                }
                pre_text(&e.children, out);
            }
        }
    }
}

/// Whitespace runs as one space (HTML's rendering of text).
fn collapse(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
        } else {
            if space {
                out.push(' ');
            }
            space = false;
            out.push(if c == '\u{a0}' { ' ' } else { c });
        }
    }
    if space {
        out.push(' ');
    }
    out
}

/// Plain text with every character that could start Markdown or HTML escaped.
pub fn escape_text(text: &str) -> String {
    escape(text)
}

/// Text with every character that could start Markdown or HTML escaped.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '#' | '|' | '~' | '&' | '$'
        ) {
            out.push('\\');
        }
        if !c.is_control() || c == '\n' || c == '\t' {
            out.push(c);
        }
    }
    out
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Ends the paragraph being collected: lines trimmed, `<br>` as a hard break, two in a
/// row as a new paragraph, and what would start a list or a heading escaped.
fn flush(inline: &mut String, out: &mut Vec<String>) {
    let text = std::mem::take(inline);
    let mut paragraph: Vec<String> = Vec::new();
    let finish = |paragraph: &mut Vec<String>, out: &mut Vec<String>| {
        if !paragraph.is_empty() {
            out.push(paragraph.join("\\\n"));
            paragraph.clear();
        }
    };
    for line in text.split('\n') {
        let line = line.trim();
        if line.is_empty() {
            finish(&mut paragraph, out);
            continue;
        }
        paragraph.push(guard_line(line));
    }
    finish(&mut paragraph, out);
}

/// A line that would read as a list item, a thematic break, a setext underline or an
/// ordered item, with its first character escaped.
fn guard_line(line: &str) -> String {
    let first = line.chars().next().unwrap_or(' ');
    let digits: String = line.chars().take_while(char::is_ascii_digit).collect();
    let after_digits = line[digits.len()..].chars().next();
    if matches!(first, '-' | '+' | '=' | '>') {
        format!("\\{line}")
    } else if !digits.is_empty() && matches!(after_digits, Some('.' | ')')) {
        format!("{digits}\\{}", &line[digits.len()..])
    } else {
        line.to_owned()
    }
}

/// `body` as a list item: the marker on its first line, the others indented under it.
fn indent(body: &str, marker: &str) -> String {
    let pad = " ".repeat(marker.len());
    let mut out = String::new();
    for (i, line) in body.lines().enumerate() {
        if i == 0 {
            out.push_str(marker);
            out.push_str(line);
        } else {
            out.push('\n');
            if !line.is_empty() {
                out.push_str(&pad);
                out.push_str(line);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;
    use proptest::prelude::*;

    fn md(html: &str) -> String {
        to_markdown(html).markdown
    }

    #[test]
    fn anki_lines_and_formatting() {
        assert_eq!(md("Hello <b>world</b>"), "Hello **world**");
        assert_eq!(md("<div>one</div><div>two</div>"), "one\n\ntwo");
        assert_eq!(md("one<br>two"), "one\\\ntwo");
        assert_eq!(md("one<br><br>two"), "one\n\ntwo");
        assert_eq!(md("a &lt;div&gt; &amp; b&nbsp;c"), "a \\<div\\> \\& b c");
        assert_eq!(md("<i>x</i> <code>a*b</code>"), "*x* `a*b`");
        assert_eq!(md("- not a list"), "\\- not a list");
        assert_eq!(md("1. not a list"), "1\\. not a list");
    }

    #[test]
    fn headings_move_under_the_question() {
        assert_eq!(md("<h1>Top</h1><p>x</p>"), "### Top\n\nx");
        assert_eq!(md("<h1>Top</h1><h4>Deep</h4>"), "### Top\n\n###### Deep");
        assert_eq!(md("<h4>Deep</h4>"), "#### Deep");
        assert_eq!(
            md("<h3 id=\"x\">Sub <a class=\"anchor\" href=\"#x\">#</a></h3>"),
            "### Sub"
        );
        assert_eq!(md("<h1>Key points</h1>"), "#### Key points");
    }

    #[test]
    fn lists_tables_quotes() {
        assert_eq!(
            md("<ul><li>a</li><li>b<ul><li>c</li></ul></li></ul>"),
            "- a\n- b\n\n  - c"
        );
        assert_eq!(md("<ol start=3><li>a<li>b</ol>"), "3. a\n4. b");
        assert_eq!(
            md("<table><tr><th>k</th><th>v</th></tr><tr><td>a|b</td><td>1</td></tr></table>"),
            "| k | v |\n| --- | --- |\n| a\\|b | 1 |"
        );
        assert_eq!(md("<blockquote>q<br>r</blockquote>"), "> q\\\n> r");
    }

    #[test]
    fn code_blocks_keep_their_language_and_text() {
        let html = "<pre><code class=\"language-python\"><hl-k>def</hl-k> f():\n    return 1 &lt; 2</code></pre>";
        assert_eq!(
            md(html),
            "```python norun=\"imported, not verified\"\ndef f():\n    return 1 < 2\n```"
        );
        assert_eq!(md("<pre>a<br>```b</pre>"), "````text\na\n```b\n````");
    }

    #[test]
    fn links_images_and_what_is_dropped() {
        let c = to_markdown(
            "<a href=\"https://x.org/a b\">site</a> <a href=\"javascript:x\">bad</a> \
             <img src=\"cat 1.png\" alt=\"a cat\"><script>alert(1)</script><style>p{}</style>",
        );
        assert_eq!(
            c.markdown,
            "[site](https://x.org/a%20b) bad ![a cat](cat%201.png)"
        );
        assert_eq!(c.images, ["cat 1.png"]);
        assert_eq!(
            c.dropped.into_iter().collect::<Vec<_>>(),
            ["script", "style"]
        );
    }

    #[test]
    fn text_of_a_field() {
        assert_eq!(
            to_text("<b>What</b> is<br>a &quot;closure&quot;?"),
            "What is a \"closure\"?"
        );
    }

    #[test]
    fn broken_html_is_read_as_well_as_it_can_be() {
        assert_eq!(md("<b>open <i>both"), "**open *both***");
        assert_eq!(md("a < b and c > d"), "a \\< b and c \\> d");
        assert_eq!(md("</p></div>text<p"), "text\\<p");
        let deep = "<div>".repeat(10_000) + "x";
        assert_eq!(md(&deep), "x");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        #[test]
        fn any_input_converts_without_panicking(html in "(<[/a-z!]{0,3}[a-z0-9 =\"'/]{0,12}>?|&[#a-z0-9]{0,6};?|[^<&]{0,12}){0,40}") {
            let c = to_markdown(&html);
            prop_assert!(!c.markdown.contains('\0'));
            let _ = to_text(&html);
        }

        #[test]
        fn plain_text_survives(words in proptest::collection::vec("[a-zA-Z0-9]{1,8}", 1..20)) {
            let text = words.join(" ");
            prop_assert_eq!(md(&text), text.clone());
            prop_assert_eq!(to_text(&format!("<div>{text}</div>")), text);
        }
    }
}
