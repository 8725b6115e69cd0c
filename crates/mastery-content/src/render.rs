//! Markdown to HTML, once, at load.
//!
//! pulldown-cmark produces the events; this module rewrites a few of them before they are
//! serialised: code blocks are highlighted on the server, `output` blocks become output
//! panels (hidden behind "Show the output" after a `predict` exercise), headings get
//! anchors, links to `#question-id` become links to the question's page, external links get
//! `rel="noopener noreferrer"`, and raw HTML is shown as text.

use std::ops::Range;

use pulldown_cmark::{CodeBlockKind, CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use crate::highlight::highlight;
use crate::html::escape;
use crate::info::parse_info;
use crate::model::{Id, question_path};

/// The Markdown extensions guides may use.
pub(crate) fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH
}

/// What rendering a block of Markdown found besides the HTML.
#[derive(Debug, Default)]
pub(crate) struct Rendered {
    pub(crate) html: String,
    /// Plain text (prose and code) for the search index.
    pub(crate) text: String,
    /// Links to `#id`: the id and the link's byte range in the source.
    pub(crate) internal_links: Vec<(String, Range<usize>)>,
    /// Links with a scheme other than http, https or mailto.
    pub(crate) unsafe_links: Vec<(String, Range<usize>)>,
    /// Raw HTML found (shown as text).
    pub(crate) raw_html: Vec<Range<usize>>,
}

/// Renders a block of Markdown. `anchor_prefix` keeps heading anchors unique on a page
/// that shows many answers.
pub(crate) fn render_block(src: &str, guide: &Id, anchor_prefix: &str) -> Rendered {
    let mut out = Rendered::default();
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut code: Option<(String, String)> = None; // (info, content)
    let mut heading: Option<(HeadingLevel, Vec<Event<'_>>, String)> = None;
    let mut last_predict = false;

    for (event, range) in Parser::new_ext(src, options()).into_offset_iter() {
        if let Some((_, content)) = code.as_mut() {
            match event {
                Event::Text(t) => content.push_str(&t),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((info, content)) = code.take() {
                        out.text.push_str(&content);
                        out.text.push('\n');
                        let (html, predict) = code_block_html(&info, &content, last_predict);
                        last_predict = predict;
                        events.push(Event::Html(html.into()));
                    }
                }
                _ => {}
            }
            continue;
        }
        let event = match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((info, String::new()));
                continue;
            }
            Event::Start(Tag::Link {
                dest_url, title, ..
            }) => Event::Html(link_open(&dest_url, &title, guide, range, &mut out).into()),
            Event::End(TagEnd::Link) => Event::Html("</a>".into()),
            Event::Html(raw) | Event::InlineHtml(raw) => {
                out.raw_html.push(range);
                Event::Text(raw)
            }
            Event::Text(ref t) | Event::Code(ref t) => {
                out.text.push_str(t);
                if let Some((_, _, text)) = heading.as_mut() {
                    text.push_str(t);
                }
                event
            }
            // Line breaks and table cells separate words; block ends separate lines, so
            // plain-text readers (the terminal) keep paragraphs, list items and table rows.
            Event::SoftBreak | Event::End(TagEnd::TableCell) => {
                if !out.text.ends_with([' ', '\n']) {
                    out.text.push(' ');
                }
                event
            }
            Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Item
                | TagEnd::Heading(_)
                | TagEnd::TableRow
                | TagEnd::TableHead
                | TagEnd::BlockQuote(_),
            ) => {
                let trimmed = out.text.trim_end_matches(' ').len();
                out.text.truncate(trimmed);
                if !out.text.ends_with('\n') {
                    out.text.push('\n');
                }
                event
            }
            other => other,
        };
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                heading = Some((level, Vec::new(), String::new()));
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((level, inner, text)) = heading.take() {
                    events.push(Event::Html(
                        heading_html(level, &inner, &text, anchor_prefix).into(),
                    ));
                }
            }
            other => match heading.as_mut() {
                Some((_, inner, _)) => inner.push(other),
                None => events.push(other),
            },
        }
    }
    pulldown_cmark::html::push_html(&mut out.html, events.into_iter());
    out
}

/// Renders one line of inline Markdown (a title, a key point) without a `<p>`.
pub(crate) fn render_inline(src: &str) -> (String, String) {
    let mut text = String::new();
    let events: Vec<Event<'_>> = Parser::new_ext(src, options())
        .filter_map(|event| match event {
            Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph) => None,
            Event::Html(raw) | Event::InlineHtml(raw) => Some(Event::Text(raw)),
            Event::Start(Tag::Link { .. }) | Event::End(TagEnd::Link) => None,
            Event::SoftBreak => Some(Event::Text(" ".into())),
            Event::Text(t) => {
                text.push_str(&t);
                Some(Event::Text(t))
            }
            Event::Code(t) => {
                text.push_str(&t);
                Some(Event::Code(t))
            }
            other => Some(other),
        })
        .collect();
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    (html.trim().to_owned(), text.trim().to_owned())
}

fn link_open(
    dest: &CowStr<'_>,
    title: &CowStr<'_>,
    guide: &Id,
    range: Range<usize>,
    out: &mut Rendered,
) -> String {
    let title_attr = if title.is_empty() {
        String::new()
    } else {
        format!(" title=\"{}\"", escape(title))
    };
    if let Some(id) = dest.strip_prefix('#') {
        out.internal_links.push((id.to_owned(), range));
        let href = Id::parse(id)
            .map(|id| question_path(guide, &id))
            .unwrap_or_default();
        return format!("<a href=\"{}\"{title_attr}>", escape(&href));
    }
    let lower = dest.to_ascii_lowercase();
    if lower.starts_with("https://") || lower.starts_with("http://") {
        format!(
            "<a href=\"{}\"{title_attr} rel=\"noopener noreferrer\">",
            escape(dest)
        )
    } else if lower.starts_with("mailto:") {
        format!("<a href=\"{}\"{title_attr}>", escape(dest))
    } else {
        out.unsafe_links.push((dest.to_string(), range));
        format!("<a{title_attr}>")
    }
}

/// A heading with an id and a self-link, so readers can link to any part of an answer.
fn heading_html(level: HeadingLevel, inner: &[Event<'_>], text: &str, prefix: &str) -> String {
    let slug = slug(text);
    let anchor = match (prefix.is_empty(), slug.is_empty()) {
        (true, _) => slug,
        (false, true) => prefix.to_owned(),
        (false, false) => format!("{prefix}-{slug}"),
    };
    let mut content = String::new();
    pulldown_cmark::html::push_html(&mut content, inner.iter().cloned());
    let anchor = escape(&anchor);
    format!(
        "<{level} id=\"{anchor}\">{content} <a class=\"anchor\" href=\"#{anchor}\" aria-label=\"Link to this heading\">#</a></{level}>\n"
    )
}

/// A URL fragment made from heading text.
pub(crate) fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The HTML of one fenced block. Returns it and whether it was a `predict` exercise.
fn code_block_html(info: &str, content: &str, after_predict: bool) -> (String, bool) {
    let (info, _) = parse_info(info);
    if info.language == "output" {
        let body = format!(
            "<pre class=\"output\"><code>{}</code></pre>",
            escape(content)
        );
        let html = if after_predict {
            format!(
                "<details class=\"predict-output\"><summary>Show the output</summary>{body}</details>\n"
            )
        } else {
            format!(
                "<figure class=\"output-block\"><figcaption>Output</figcaption>{body}</figure>\n"
            )
        };
        return (html, false);
    }
    let lang = escape(&info.language);
    let label = if info.predict {
        "<p class=\"predict-label\">Predict the output, then reveal it.</p>"
    } else {
        ""
    };
    let html = format!(
        "<div class=\"code-block\" data-lang=\"{lang}\">{label}<pre class=\"code\"><code class=\"language-{lang}\">{}</code></pre></div>\n",
        highlight(content, &info.language)
    );
    (html, info.predict)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guide() -> Id {
        Id::parse("g").unwrap()
    }

    #[test]
    fn code_is_highlighted_and_output_hidden_after_predict() {
        let src = "Intro.\n\n```python predict\nprint(1)\n```\n\n```output\n1\n```\n";
        let r = render_block(src, &guide(), "q");
        assert!(
            r.html.contains("class=\"code-block\" data-lang=\"python\""),
            "{}",
            r.html
        );
        assert!(r.html.contains("hl-"), "{}", r.html);
        assert!(r.html.contains("<details class=\"predict-output\">"));
        assert!(r.text.contains("print(1)"));
        let r = render_block(
            "Use `atomic()`, **then** commit.\nNext line.\n\n- one\n- two\n",
            &guide(),
            "",
        );
        assert_eq!(
            r.text.trim(),
            "Use atomic(), then commit. Next line.\none\ntwo"
        );
    }

    #[test]
    fn links_are_rewritten() {
        let src = "[a](#gil) [b](https://docs.python.org/) [c](javascript:alert(1))";
        let r = render_block(src, &guide(), "");
        assert!(r.html.contains("href=\"/guides/g/gil\""), "{}", r.html);
        assert!(r.html.contains("rel=\"noopener noreferrer\""));
        assert!(!r.html.contains("javascript"));
        assert_eq!(r.internal_links.len(), 1);
        assert_eq!(r.unsafe_links.len(), 1);
    }

    #[test]
    fn raw_html_is_text() {
        let r = render_block(
            "Hi <script>alert(1)</script>\n\n<div>x</div>\n",
            &guide(),
            "",
        );
        assert!(!r.html.contains("<script>"), "{}", r.html);
        assert!(r.html.contains("&lt;script&gt;"));
        assert_eq!(r.raw_html.len(), 3);
    }

    #[test]
    fn headings_get_prefixed_anchors() {
        let r = render_block("#### How it works\n", &guide(), "gil");
        assert!(
            r.html.contains("<h4 id=\"gil-how-it-works\">How it works"),
            "{}",
            r.html
        );
    }

    #[test]
    fn inline_has_no_paragraph() {
        let (html, text) = render_inline("What is `is`?");
        assert_eq!(html, "What is <code>is</code>?");
        assert_eq!(text, "What is is?");
    }
}
