//! Syntax highlighting on the server, with CSS classes rather than inline colours, so one
//! stylesheet themes the code and no inline `style` attribute needs a CSP exception.
//!
//! tree-sitter parses Python, Bash and SQL with real grammars and tags tokens with the
//! grammars' own highlight queries; other languages are shown as escaped plain text. It is
//! about four times faster than regex-based highlighters (see docs/performance.md), which
//! matters because every example of every guide is highlighted once at start-up.

use std::cell::RefCell;
use std::sync::OnceLock;

use tree_sitter_highlight::{HighlightConfiguration, Highlighter, HtmlRenderer};

/// The token kinds we colour, each with its short class (`hl-k`, …). Kinds that share a
/// colour share a class, and kinds we do not colour (operators, punctuation, properties)
/// get no span at all: highlighted code is a large part of a guide page's bytes.
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

fn class_attrs() -> &'static [String] {
    static ATTRS: OnceLock<Vec<String>> = OnceLock::new();
    ATTRS.get_or_init(|| {
        KINDS
            .iter()
            .map(|(_, class)| format!("class=\"hl-{class}\""))
            .collect()
    })
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

/// CSS for the highlighting classes in one theme, scoped under `scope` (for example
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
        css.push_str(&format!("{scope} .hl-{class} {{ color: {colour}; }}\n"));
    }
    css.push_str(&format!("{scope} .hl-c {{ font-style: italic; }}\n"));
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
    let attrs = class_attrs();
    let html = HIGHLIGHTER.with(|cell| {
        let mut highlighter = cell.try_borrow_mut().ok()?;
        let events = highlighter
            .highlight(config, code.as_bytes(), None, |_| None)
            .ok()?;
        let mut renderer = HtmlRenderer::new();
        renderer
            .render(events, code.as_bytes(), &|h, out: &mut Vec<u8>| {
                if let Some(attr) = attrs.get(h.0) {
                    out.extend_from_slice(attr.as_bytes());
                }
            })
            .ok()?;
        String::from_utf8(renderer.html).ok()
    });
    html.unwrap_or_else(|| escape(code))
}

/// Escapes text for HTML element content and attribute values.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_is_highlighted_with_classes() {
        let html = highlight("def f(x):\n    return x < 1  # small\n", "python");
        assert!(html.contains("<span class=\"hl-k\">def</span>"), "{html}");
        assert!(html.contains("class=\"hl-c\""), "{html}");
        assert!(
            !html.contains("&lt;</span>"),
            "operators carry no span: {html}"
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

    #[test]
    fn both_themes_have_css() {
        assert!(highlight_css(CodeTheme::Dark, ".code").contains(".code .hl-k "));
        assert!(highlight_css(CodeTheme::Light, ".code").contains("#8250df"));
    }
}
