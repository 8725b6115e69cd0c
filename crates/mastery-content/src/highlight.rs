//! Syntax highlighting on the server, with CSS classes rather than inline colours, so one
//! stylesheet themes the code and no inline `style` attribute needs a CSP exception.
//!
//! tree-sitter parses Python, Bash and SQL with real grammars and tags tokens with the
//! grammars' own highlight queries; other languages are shown as escaped plain text. It is
//! about four times faster than regex-based highlighters (see docs/performance.md), which
//! matters because every example of every guide is highlighted once at start-up.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter_highlight::{HighlightConfiguration, HighlightEvent, Highlighter};

use crate::html::escape_into;

/// Kept here for the callers that imported it from this module; it lives in [`crate::html`].
pub use crate::html::escape;

/// The token kinds we colour, each with its short name. A token is wrapped in an element
/// named after it (`<hl-k>def</hl-k>`: an undefined custom element, which HTML allows and
/// which is inline and styled like a `span`), 13 bytes of markup against 25 for
/// `<span class="hl-k">…</span>`. Kinds that share a colour share a name, and kinds we do
/// not colour (operators, punctuation, properties) get no element at all: highlighted code
/// is a large part of a guide page's bytes (docs/performance.md).
const KINDS: [(&str, &str); 17] = [
    ("keyword", "k"),
    ("string", "s"),
    ("string.special", "s"),
    ("escape", "n"),
    ("number", "n"),
    ("constant", "n"),
    ("constant.builtin", "n"),
    ("function", "f"),
    ("function.builtin", "f"),
    ("function.method", "f"),
    ("type", "t"),
    ("type.builtin", "t"),
    ("constructor", "t"),
    ("attribute", "t"),
    ("comment", "c"),
    ("label", "k"),
    ("variable.builtin", "v"),
];

/// The custom elements highlighted code is made of (`hl-k`, `hl-s`, …), for sanitisers
/// that must keep them.
pub fn element_names() -> Vec<String> {
    let mut names: Vec<String> = KINDS
        .iter()
        .map(|(_, short)| format!("hl-{short}"))
        .collect();
    names.sort();
    names.dedup();
    names
}

fn names() -> Vec<&'static str> {
    KINDS.iter().map(|(name, _)| *name).collect()
}

fn config(language: Language) -> Option<&'static HighlightConfiguration> {
    static PYTHON: OnceLock<Option<HighlightConfiguration>> = OnceLock::new();
    static BASH: OnceLock<Option<HighlightConfiguration>> = OnceLock::new();
    static SQL: OnceLock<Option<HighlightConfiguration>> = OnceLock::new();
    let (cell, lang, name, query) = match language {
        Language::Python => (
            &PYTHON,
            tree_sitter_python::LANGUAGE.into(),
            "python",
            tree_sitter_python::HIGHLIGHTS_QUERY,
        ),
        Language::Bash => (
            &BASH,
            tree_sitter_bash::LANGUAGE.into(),
            "bash",
            tree_sitter_bash::HIGHLIGHT_QUERY,
        ),
        Language::Sql => (
            &SQL,
            tree_sitter_sequel::LANGUAGE.into(),
            "sql",
            tree_sitter_sequel::HIGHLIGHTS_QUERY,
        ),
    };
    cell.get_or_init(|| {
        let mut config = HighlightConfiguration::new(lang, name, query, "", "").ok()?;
        config.configure(&names());
        Some(config)
    })
    .as_ref()
}

#[derive(Debug, Clone, Copy)]
enum Language {
    Python,
    Bash,
    Sql,
}

fn language(tag: &str) -> Option<Language> {
    match tag {
        "python" | "py" | "python3" => Some(Language::Python),
        "bash" | "sh" | "shell" | "console" | "shell-session" => Some(Language::Bash),
        "sql" | "postgresql" | "psql" => Some(Language::Sql),
        _ => None,
    }
}

/// The colour theme of code panels.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CodeTheme {
    /// Dark panels (used in both page themes by default).
    Dark,
    /// Light panels.
    Light,
}

/// CSS for the highlighting elements in one theme, scoped under `scope` (for example
/// `.code` or `[data-theme=light] .code`).
pub fn highlight_css(theme: CodeTheme, scope: &str) -> String {
    // (class, dark colour, light colour): WCAG AA contrast on #0f172a and on #f8fafc.
    const COLOURS: [(&str, &str, &str); 7] = [
        ("c", "#94a3b8", "#57606a"),
        ("k", "#c4a7ff", "#8250df"),
        ("s", "#a5e3a1", "#116329"),
        ("n", "#f9c97c", "#953800"),
        ("f", "#7cc7ff", "#0550ae"),
        ("t", "#ffb4a2", "#a40e26"),
        ("v", "#f0abfc", "#8a2a8a"),
    ];
    let mut css = String::new();
    for (class, dark, light) in COLOURS {
        let colour = if theme == CodeTheme::Dark {
            dark
        } else {
            light
        };
        css.push_str(&format!("{scope} hl-{class} {{ color: {colour}; }}\n"));
    }
    css.push_str(&format!("{scope} hl-c {{ font-style: italic; }}\n"));
    css
}

thread_local! {
    static HIGHLIGHTER: RefCell<Highlighter> = RefCell::new(Highlighter::new());
}

/// Highlights `code` as `language`, returning the inner HTML of a `<code>` element.
/// Unknown languages, and code a grammar cannot handle, are escaped as plain text.
pub fn highlight(code: &str, language_tag: &str) -> String {
    let Some(config) = language(language_tag).and_then(config) else {
        return escape(code);
    };
    let html = HIGHLIGHTER.with(|cell| {
        let mut highlighter = cell.try_borrow_mut().ok()?;
        let events = highlighter
            .highlight(config, code.as_bytes(), None, |_| None)
            .ok()?;
        let mut out = String::with_capacity(code.len() * 2);
        // The element opened by each highlight still open (None: a kind we do not colour).
        let mut open: Vec<Option<&str>> = Vec::new();
        for event in events {
            match event.ok()? {
                HighlightEvent::HighlightStart(h) => {
                    let name = KINDS.get(h.0).map(|(_, name)| *name);
                    if let Some(name) = name {
                        out.push_str("<hl-");
                        out.push_str(name);
                        out.push('>');
                    }
                    open.push(name);
                }
                HighlightEvent::HighlightEnd => {
                    if let Some(Some(name)) = open.pop() {
                        out.push_str("</hl-");
                        out.push_str(name);
                        out.push('>');
                    }
                }
                HighlightEvent::Source { start, end } => {
                    escape_into(&mut out, code.get(start..end)?);
                }
            }
        }
        for name in open.into_iter().rev().flatten() {
            out.push_str("</hl-");
            out.push_str(name);
            out.push('>');
        }
        Some(out)
    });
    html.unwrap_or_else(|| escape(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_is_highlighted_with_short_elements() {
        let html = highlight("def f(x):\n    return x < 1  # small\n", "python");
        assert!(html.contains("<hl-k>def</hl-k>"), "{html}");
        assert!(html.contains("<hl-c># small</hl-c>"), "{html}");
        assert!(
            html.contains("x &lt; <hl-n>1</hl-n>"),
            "operators carry no element: {html}"
        );
        assert!(html.contains("&lt;"), "escaped: {html}");
        assert!(!html.contains("style="));
    }

    #[test]
    fn bash_and_sql_are_highlighted() {
        assert!(highlight("echo \"hi\" # x\n", "bash").contains("hl-"));
        assert!(highlight("SELECT 1 FROM t;\n", "sql").contains("hl-k"));
    }

    #[test]
    fn unknown_language_is_escaped_text() {
        assert_eq!(highlight("<b>", "klingon"), "&lt;b&gt;");
    }

    /// Removes the highlighting elements, checking that they nest properly.
    fn strip_elements(html: &str) -> Result<String, String> {
        let mut text = String::new();
        let mut open = Vec::new();
        let mut rest = html;
        while let Some(at) = rest.find('<') {
            text.push_str(&rest[..at]);
            let end = rest[at..].find('>').ok_or("unclosed tag")? + at;
            let tag = &rest[at + 1..end];
            match tag.strip_prefix('/') {
                Some(name) => {
                    if open.pop() != Some(name.to_owned()) {
                        return Err(format!("</{name}> closes nothing open"));
                    }
                }
                None if tag.starts_with("hl-") && tag.len() == 4 => open.push(tag.to_owned()),
                None => return Err(format!("unexpected <{tag}>")),
            }
            rest = &rest[end + 1..];
        }
        text.push_str(rest);
        if open.is_empty() {
            Ok(text)
        } else {
            Err(format!("left open: {open:?}"))
        }
    }

    proptest::proptest! {
        /// Whatever the code (valid or not in its language), highlighting only adds
        /// properly nested `hl-*` elements around the escaped text.
        #[test]
        fn highlighting_only_wraps_the_escaped_code(
            code in "[ -~\n\t\u{e9}\u{1f980}]{0,200}",
            language in proptest::sample::select(vec!["python", "bash", "sql", "text"]),
        ) {
            let html = highlight(&code, language);
            proptest::prop_assert_eq!(strip_elements(&html), Ok(escape(&code)));
        }
    }

    #[test]
    fn both_themes_have_css() {
        assert!(highlight_css(CodeTheme::Dark, ".code").contains(".code hl-k "));
        assert!(highlight_css(CodeTheme::Light, ".code").contains("#8250df"));
    }
}
