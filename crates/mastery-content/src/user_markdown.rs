//! Markdown written by members (posts, notes): rendered to HTML that cannot run anything.
//!
//! Two layers. The renderer turns every raw HTML block or tag into text (so `<script>` is
//! shown as typed), turns images into links (a post loads nothing from elsewhere),
//! highlights fenced code with the guide's highlighter, and measures what limits need:
//! links and nesting depth. Then ammonia cleans the result with an allow-list: only the
//! elements Markdown makes, `http`, `https` and `mailto` links (so `javascript:` and
//! `data:` links lose their `href`), and `rel="nofollow ugc noopener noreferrer"` on
//! every link.

use std::collections::HashSet;
use std::sync::OnceLock;

use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};

use crate::highlight::{element_names, highlight};

/// The deepest nesting of lists and block quotes accepted.
pub const MAX_NESTING: usize = 16;

/// The most Markdown events (paragraphs, cells, words between marks…) a text may make: a
/// short table can otherwise make a quarter of a million empty cells.
pub const MAX_EVENTS: usize = 20_000;

/// The most HTML a text may make: eight times its own length, plus 4 KiB.
fn max_html(src: &str) -> usize {
    src.len().saturating_mul(8).saturating_add(4096)
}

/// Member Markdown rendered to safe HTML, with what limits are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserHtml {
    /// The sanitised HTML.
    pub html: String,
    /// How many links the text has (images count as links).
    pub links: usize,
}

/// Why member Markdown is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UserMarkdownError {
    /// Lists or quotes nested deeper than [`MAX_NESTING`].
    #[error(
        "lists and quotes may be nested {MAX_NESTING} levels deep at most; this text goes \
         {depth} levels deep"
    )]
    TooDeep {
        /// How deep the text goes (counting stops a little past the limit).
        depth: usize,
    },
    /// The text makes far more HTML than text of its length should (a table whose rows
    /// leave out most cells, thousands of empty elements).
    #[error(
        "this text makes too much HTML for its length (very wide tables or many empty \
         elements); simplify it"
    )]
    TooBig,
}

/// A member's Markdown as plain text, for search snippets: the words of text, inline code
/// and code blocks as the reader sees them (raw HTML too, since it is shown as text), one
/// space where a block or a line ends. Bounded like rendering: at most
/// [`MAX_EVENTS`] events are read.
#[must_use]
pub fn user_markdown_text(src: &str) -> String {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut out = String::with_capacity(src.len());
    for event in Parser::new_ext(src, options).take(MAX_EVENTS) {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => {
                out.push_str(&t);
            }
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(
                TagEnd::Paragraph
                | TagEnd::Heading(_)
                | TagEnd::Item
                | TagEnd::CodeBlock
                | TagEnd::BlockQuote(_)
                | TagEnd::HtmlBlock
                | TagEnd::TableCell
                | TagEnd::TableRow
                | TagEnd::TableHead,
            ) => out.push(' '),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Renders member Markdown (tables and strikethrough on, raw HTML shown as text).
///
/// # Errors
///
/// [`UserMarkdownError::TooDeep`] for nesting past [`MAX_NESTING`].
pub fn render_user_markdown(src: &str) -> Result<UserHtml, UserMarkdownError> {
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut events: Vec<Event<'_>> = Vec::new();
    let mut depth = 0usize;
    let mut links = 0usize;
    let mut code: Option<(String, String)> = None;
    let mut in_image = 0usize;
    let mut count = 0usize;
    let mut cells = 0usize;
    let budget = max_html(src);
    for event in Parser::new_ext(src, options) {
        count += 1;
        if matches!(event, Event::Start(Tag::TableCell)) {
            cells += 1;
        }
        // Each event makes some HTML; an empty cell about 35 bytes.
        if count > MAX_EVENTS || cells.saturating_mul(35) > budget {
            return Err(UserMarkdownError::TooBig);
        }
        if let Some((_, content)) = code.as_mut() {
            match event {
                Event::Text(text) => content.push_str(&text),
                Event::End(TagEnd::CodeBlock) => {
                    if let Some((language, content)) = code.take() {
                        events.push(Event::Html(
                            format!(
                                "<div class=\"code-block\"><pre class=\"code\"><code>{}</code></pre></div>\n",
                                highlight(&content, &language)
                            )
                            .into(),
                        ));
                    }
                }
                _ => {}
            }
            continue;
        }
        match event {
            Event::Start(Tag::CodeBlock(kind)) => {
                let language = match kind {
                    CodeBlockKind::Fenced(info) => {
                        info.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((language, String::new()));
            }
            Event::Start(tag @ (Tag::List(_) | Tag::BlockQuote(_))) => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(UserMarkdownError::TooDeep { depth });
                }
                events.push(Event::Start(tag));
            }
            Event::End(tag @ (TagEnd::List(_) | TagEnd::BlockQuote(_))) => {
                depth = depth.saturating_sub(1);
                events.push(Event::End(tag));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links += 1;
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            // An image becomes a link to it, labelled with its text.
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                links += 1;
                in_image += 1;
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::End(TagEnd::Image) => {
                in_image = in_image.saturating_sub(1);
                events.push(Event::End(TagEnd::Link));
            }
            Event::Html(html) | Event::InlineHtml(html) => {
                events.push(Event::Text(html));
            }
            Event::Text(text) if in_image > 0 && text.is_empty() => {}
            other => events.push(other),
        }
    }
    let mut raw = String::with_capacity(src.len() * 2);
    pulldown_cmark::html::push_html(&mut raw, events.into_iter());
    if raw.len() > budget.saturating_mul(2) {
        return Err(UserMarkdownError::TooBig);
    }
    Ok(UserHtml {
        html: sanitiser().clean(&raw).to_string(),
        links,
    })
}

fn sanitiser() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let tags: HashSet<&'static str> = [
            "a",
            "blockquote",
            "br",
            "code",
            "del",
            "div",
            "em",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
            "hr",
            "li",
            "ol",
            "p",
            "pre",
            "strong",
            "table",
            "tbody",
            "td",
            "th",
            "thead",
            "tr",
            "ul",
        ]
        .into_iter()
        .chain(
            element_names()
                .into_iter()
                .map(|name| &*Box::leak(name.into_boxed_str())),
        )
        .collect();
        let mut builder = ammonia::Builder::default();
        builder
            .tags(tags)
            .link_rel(Some("nofollow ugc noopener noreferrer"))
            .url_schemes(["http", "https", "mailto"].into_iter().collect())
            .add_tag_attributes("ol", ["start"])
            .add_tag_attributes("td", ["style"])
            .add_tag_attributes("th", ["style"])
            .filter_style_properties(["text-align"].into_iter().collect())
            .allowed_classes(
                [
                    ("div", ["code-block"].into_iter().collect()),
                    ("pre", ["code"].into_iter().collect()),
                ]
                .into_iter()
                .collect(),
            );
        builder
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_for_snippets_keeps_what_a_reader_sees() {
        let text = user_markdown_text(
            "# Title\n\nUse `select_related`, see [docs](https://x.test).\n\n```python\nx = 1\n```\n<b>raw</b>",
        );
        assert_eq!(text, "Title Use select_related, see docs. x = 1 <b>raw</b>");
    }

    use super::*;

    fn html(src: &str) -> String {
        render_user_markdown(src).unwrap().html
    }

    #[test]
    fn markdown_is_kept_and_code_is_highlighted() {
        let out = html("**bold** `code` ~~old~~\n\n```python\ndef f():\n    return 1\n```\n");
        assert!(out.contains("<strong>bold</strong>"), "{out}");
        assert!(out.contains("<code>code</code>"), "{out}");
        assert!(out.contains("<del>old</del>"), "{out}");
        assert!(out.contains("<hl-k>def</hl-k>"), "{out}");
        assert!(out.contains("<pre class=\"code\">"), "{out}");
    }

    #[test]
    fn raw_html_is_shown_as_text() {
        let out = html("<script>alert(1)</script>\n\nhi <img src=x onerror=alert(1)> there");
        assert!(!out.contains("<script"), "{out}");
        assert!(!out.contains("<img"), "{out}");
        assert!(
            out.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{out}"
        );
        assert!(out.contains("&lt;img src=x onerror=alert(1)&gt;"), "{out}");
    }

    #[test]
    fn dangerous_links_lose_their_target_and_others_get_rel() {
        let out = html("[a](javascript:alert(1)) [b](data:text/html,hi) [c](https://example.org)");
        assert!(!out.contains("javascript:"), "{out}");
        assert!(!out.contains("data:"), "{out}");
        assert!(
            out.contains(
                "<a href=\"https://example.org\" rel=\"nofollow ugc noopener noreferrer\">c</a>"
            ),
            "{out}"
        );
    }

    #[test]
    fn images_become_links_and_count() {
        let rendered =
            render_user_markdown("![chart](https://example.org/x.png) and <https://a.example>")
                .unwrap();
        assert!(!rendered.html.contains("<img"), "{}", rendered.html);
        assert!(rendered.html.contains(">chart</a>"), "{}", rendered.html);
        assert_eq!(rendered.links, 2);
    }

    #[test]
    fn tables_that_explode_into_empty_cells_are_refused() {
        // A header of 320 columns and 800 one-cell rows: 256,000 cells from 3 KB.
        let mut src = format!("{}\n{}\n", "|a".repeat(320), "|:-".repeat(320));
        src.push_str(&"a\n".repeat(800));
        assert_eq!(render_user_markdown(&src), Err(UserMarkdownError::TooBig));
        let ok = "| a | b |\n|---|---|\n| 1 | 2 |\n";
        let html = render_user_markdown(ok).unwrap().html;
        assert!(html.contains("<td>1</td>"), "{html}");
    }

    #[test]
    fn deep_nesting_is_refused_and_shallow_is_fine() {
        let deep: String = (0..40)
            .map(|n| format!("{}- x\n", "  ".repeat(n)))
            .collect();
        assert!(matches!(
            render_user_markdown(&deep),
            Err(UserMarkdownError::TooDeep { .. })
        ));
        let quotes = ">".repeat(100);
        assert!(render_user_markdown(&quotes).is_err());
        assert!(render_user_markdown("- a\n  - b\n    - c\n").is_ok());
    }

    proptest::proptest! {
        #[test]
        fn any_text_renders_without_live_markup(src in "\\PC{0,400}") {
            if let Ok(out) = render_user_markdown(&src) {
                // Text is escaped, so every '<' opens a real tag: check each tag.
                let lower = out.html.to_lowercase();
                for tag in lower.split('<').skip(1) {
                    let tag = tag.split('>').next().unwrap_or("");
                    proptest::prop_assert!(!tag.starts_with("script"), "{}", tag);
                    proptest::prop_assert!(!tag.starts_with("img"), "{}", tag);
                    proptest::prop_assert!(!tag.contains(" on"), "{}", tag);
                    proptest::prop_assert!(!tag.contains("javascript:"), "{}", tag);
                }
            }
        }
    }
}
