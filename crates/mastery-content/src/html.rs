//! HTML text helpers shared by the renderer, the highlighter, search snippets and the
//! crates that build pages from a guide.

/// Escapes text for HTML element content and attribute values: `&`, `<`, `>`, `"` and `'`.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    escape_into(&mut out, text);
    out
}

/// Appends `text` to `out`, escaped as [`escape`] does.
pub(crate) fn escape_into(out: &mut String, text: &str) {
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_five_special_characters_are_escaped() {
        assert_eq!(
            escape(r#"<a href="x?a=1&b='2'">"#),
            "&lt;a href=&quot;x?a=1&amp;b=&#39;2&#39;&quot;&gt;"
        );
    }

    #[test]
    fn other_text_is_kept() {
        assert_eq!(escape(""), "");
        assert_eq!(escape("déjà vu 🦀 x=1"), "déjà vu 🦀 x=1");
        assert_eq!(escape("&amp;"), "&amp;amp;", "escaping is not idempotent");
    }

    #[test]
    fn escape_into_appends() {
        let mut out = String::from("<b>");
        escape_into(&mut out, "1 < 2");
        assert_eq!(out, "<b>1 &lt; 2");
    }
}
