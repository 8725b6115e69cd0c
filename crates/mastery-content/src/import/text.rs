//! Small text rules of the importer: what reads as a question, numbering to drop, GitHub's
//! heading anchors, ids, HTML tags and entities, quoting for the files it writes.

use crate::model::Id;

/// First words that start a question in the lists people publish (compared lowercase,
/// without trailing punctuation).
const QUESTION_WORDS: &[&str] = &[
    "what",
    "what's",
    "whats",
    "how",
    "how's",
    "why",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "whose",
    "explain",
    "describe",
    "define",
    "compare",
    "difference",
    "differences",
    "list",
    "name",
    "give",
    "can",
    "could",
    "would",
    "should",
    "is",
    "are",
    "does",
    "do",
    "did",
    "will",
    "implement",
    "write",
    "tell",
    "discuss",
    "mention",
    "state",
    "distinguish",
    "contrast",
    "outline",
    "illustrate",
    "demonstrate",
    "show",
    "summarize",
    "summarise",
];

/// Generic `<summary>` texts of a `<details>` block that hides an answer (the question is
/// then outside the block), in several languages.
const ANSWER_SUMMARIES: &[&str] = &[
    "answer",
    "show answer",
    "the answer",
    "see answer",
    "view answer",
    "reveal answer",
    "click to see the answer",
    "click here to see the answer",
    "click to expand",
    "click here to expand",
    "expand",
    "solution",
    "show solution",
    "explanation",
    "details",
    "more",
    "read more",
    "показать ответ",
    "ответ",
    "réponse",
    "respuesta",
    "resposta",
    "antwort",
    "risposta",
    "答案",
    "回答",
    "解答",
    "답",
    "정답",
];

/// Heading texts that name a table of contents, not a question.
const CONTENTS: &[&str] = &[
    "table of contents",
    "contents",
    "toc",
    "index",
    "questions",
    "list of questions",
    "содержание",
    "оглавление",
    "sommaire",
    "índice",
    "inhalt",
    "inhaltsverzeichnis",
    "目录",
    "目次",
];

/// A leading number or `Q`-label (`1. `, `12) `, `Q3: `, `Question 4. `, `#5 `), and how
/// many bytes it takes; `None` when there is none.
pub(crate) fn numbering(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    let lower = text.to_ascii_lowercase();
    if lower.starts_with("question") {
        i = "question".len();
    } else if (lower.starts_with('q') && bytes.get(1).is_some_and(u8::is_ascii_digit))
        || lower.starts_with('#')
    {
        i = 1;
    }
    while bytes.get(i) == Some(&b' ') {
        i += 1;
    }
    let digits = bytes[i.min(bytes.len())..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if digits == 0 || digits > 4 {
        return None;
    }
    i += digits;
    // Sub-numbers: 1.2.
    while bytes.get(i) == Some(&b'.') && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        i += bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    }
    match bytes.get(i) {
        Some(b'.' | b')' | b':' | b'-') => i += 1,
        Some(b' ') if lower.starts_with('q') || lower.starts_with('#') => {}
        _ => return None,
    }
    let spaces = bytes[i.min(bytes.len())..]
        .iter()
        .take_while(|b| **b == b' ')
        .count();
    (spaces > 0 || i == bytes.len()).then_some(i + spaces)
}

/// Whether text starts with a question label: `Q:`, `Q.`, `Question:` (bold or not).
pub(crate) fn labelled(text: &str) -> bool {
    let lower = text
        .trim_start()
        .trim_start_matches(['*', '_'])
        .to_lowercase();
    ["q:", "q.", "question:", "question."]
        .iter()
        .any(|l| lower.starts_with(l))
}

/// The text without a leading `Q:`-style label or number (for ids).
pub(crate) fn strip_label(text: &str) -> &str {
    let text = text.trim().trim_start_matches(['*', '_']);
    let lower = text.to_ascii_lowercase();
    for label in ["question:", "question.", "q:", "q."] {
        if lower.starts_with(label) {
            return text[label.len()..]
                .trim_start_matches(['*', '_'])
                .trim_start();
        }
    }
    strip_numbering(text)
}

/// The text without a leading number or `Q`-label.
pub(crate) fn strip_numbering(text: &str) -> &str {
    let text = text.trim();
    match numbering(text) {
        Some(n) if n < text.len() => text[n..].trim_start(),
        _ => text,
    }
}

/// How much `text` reads as an interview question: 1.0 for a question (ends with a
/// question mark, or starts with a question word such as "What" or "Explain"), 0.5 for a
/// numbered line, 0.0 otherwise.
pub(crate) fn question_score(text: &str) -> f32 {
    let text = text.trim();
    let trimmed = text.trim_end_matches(['*', '_', ' ', ':', '`']);
    if trimmed.ends_with('?') || trimmed.ends_with('？') || trimmed.starts_with('¿') {
        return 1.0;
    }
    let body = strip_numbering(text);
    let first: String = body
        .trim_start_matches(['*', '_', '`', '"', '\''])
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .unwrap_or("")
        .trim_end_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    if QUESTION_WORDS.contains(&first.as_str()) {
        return 1.0;
    }
    if numbering(text).is_some() { 0.5 } else { 0.0 }
}

/// Whether a `<summary>` only says "answer" (the question is the heading above).
pub(crate) fn is_answer_summary(summary: &str) -> bool {
    let text = summary
        .trim()
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    text.is_empty() || ANSWER_SUMMARIES.contains(&text.as_str())
}

/// Whether a heading names a table of contents.
pub(crate) fn is_contents_heading(text: &str) -> bool {
    let text = strip_numbering(text)
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase();
    CONTENTS.contains(&text.as_str())
}

/// GitHub's anchor for a heading's text: lowercase, punctuation dropped, spaces as `-`.
pub(crate) fn github_slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.trim().chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '-' || c == '_' {
            out.push(c);
        } else if c == ' ' {
            out.push('-');
        }
    }
    out
}

/// An id made from free text (the ASCII words of a title); `None` when it has none that
/// make a valid id.
pub fn id_from(text: &str, max: usize) -> Option<String> {
    let mut out = String::new();
    for word in text
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let word = word.to_ascii_lowercase();
        if !out.is_empty() && out.len() + word.len() + 1 > max {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word);
    }
    out.truncate(max.min(Id::MAX_LEN));
    let out = out.trim_end_matches('-').to_owned();
    if out.starts_with(|c: char| c.is_ascii_digit()) {
        let prefixed = format!("q-{out}");
        return Id::parse(&prefixed).ok().map(|_| prefixed);
    }
    Id::parse(&out).ok().map(|_| out)
}

/// A file or folder name as a title: `02-closures_and-scope.md` → `Closures and scope`.
pub(crate) fn humanize(name: &str) -> String {
    let stem = name.rsplit('/').next().unwrap_or(name);
    let stem = stem.strip_suffix(".md").unwrap_or(stem);
    let stem = stem.strip_suffix(".markdown").unwrap_or(stem);
    let words: Vec<&str> = stem
        .split(['-', '_', ' ', '.'])
        .filter(|w| !w.is_empty())
        .skip_while(|w| w.chars().all(|c| c.is_ascii_digit()))
        .collect();
    let text = if words.is_empty() {
        stem.to_owned()
    } else {
        words.join(" ")
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// Text with HTML tags removed and the common entities decoded, Markdown-escaped where a
/// decoded character could start markup again (`&lt;div&gt;` stays text).
pub(crate) fn html_text(html: &str) -> String {
    let mut out = String::new();
    let mut rest = html;
    while let Some(lt) = rest.find('<') {
        out.push_str(&decode_entities(&rest[..lt]));
        let after = &rest[lt..];
        if let Some(comment) = after.strip_prefix("<!--") {
            rest = comment.find("-->").map_or("", |end| &comment[end + 3..]);
            continue;
        }
        match after.find('>') {
            Some(gt) => {
                let tag = tag_name(&after[..=gt]);
                if matches!(
                    tag.as_str(),
                    "br" | "p"
                        | "div"
                        | "li"
                        | "tr"
                        | "h1"
                        | "h2"
                        | "h3"
                        | "h4"
                        | "h5"
                        | "h6"
                        | "pre"
                        | "ul"
                        | "ol"
                        | "table"
                        | "blockquote"
                ) {
                    out.push('\n');
                }
                rest = &after[gt + 1..];
            }
            None => {
                out.push_str("\\<");
                rest = &after[1..];
            }
        }
    }
    out.push_str(&decode_entities(rest));
    out
}

/// The lowercase name of a tag (`</Details >` → `details`).
pub(crate) fn tag_name(tag: &str) -> String {
    tag.trim_start_matches('<')
        .trim_start_matches('/')
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase()
}

/// The value of attribute `name` in one tag (`<img src="a.png" alt='x'>`).
pub(crate) fn attribute(tag: &str, name: &str) -> Option<String> {
    let lower = tag.to_ascii_lowercase();
    let mut from = 0;
    while let Some(at) = lower[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before_ok = lower[..start].ends_with(|c: char| c.is_whitespace());
        let rest = lower[from..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let value_start = tag.len() - rest.len() + 1;
        let value = tag[value_start..].trim_start();
        let (quote, body) = match value.chars().next() {
            Some(q @ ('"' | '\'')) => (Some(q), &value[1..]),
            _ => (None, value),
        };
        let end = match quote {
            Some(q) => body.find(q),
            None => body.find(|c: char| c.is_whitespace() || c == '>' || c == '/'),
        }
        .unwrap_or(body.len());
        return Some(decode_entities(&body[..end]));
    }
    None
}

fn decode_entities(text: &str) -> String {
    if !text.contains('&') {
        return text.to_owned();
    }
    let mut out = String::new();
    let mut rest = text;
    while let Some(amp) = rest.find('&') {
        out.push_str(&rest[..amp]);
        let after = &rest[amp..];
        let end = after.find(';').filter(|e| *e <= 10);
        let decoded = end.and_then(|e| match &after[1..e] {
            "amp" => Some("\\&".to_owned()),
            "lt" => Some("\\<".to_owned()),
            "gt" => Some(">".to_owned()),
            "quot" => Some("\"".to_owned()),
            "apos" | "#39" => Some("'".to_owned()),
            "nbsp" | "#160" => Some(" ".to_owned()),
            "mdash" => Some("—".to_owned()),
            "ndash" => Some("–".to_owned()),
            "hellip" => Some("…".to_owned()),
            _ => None,
        });
        match (decoded, end) {
            (Some(d), Some(e)) => {
                out.push_str(&d);
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

/// Ids made unique across a guide (sections and questions alike): a taken id gets `-2`,
/// `-3`, ... (shortened to fit).
#[derive(Debug, Default)]
pub struct UniqueIds {
    used: std::collections::HashSet<String>,
}

impl UniqueIds {
    /// `base` (else `fallback`), made unique.
    pub fn unique(&mut self, base: Option<String>, fallback: String) -> String {
        let base = base.unwrap_or(fallback);
        let mut candidate = base.clone();
        let mut n = 2;
        while !self.used.insert(candidate.clone()) {
            let suffix = format!("-{n}");
            let mut stem = base.clone();
            stem.truncate(Id::MAX_LEN - suffix.len());
            candidate = format!("{}{suffix}", stem.trim_end_matches('-'));
            n += 1;
        }
        candidate
    }
}

/// A TOML basic string.
pub fn toml_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value for a front matter line, single-quoted (`''` inside), on one line.
pub fn front_matter_value(text: &str) -> String {
    format!("'{}'", one_line(text).replace('\'', "''"))
}

/// Text on one line: every run of whitespace (line breaks included) as one space, and no
/// control characters.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbering_is_found_and_dropped() {
        for (text, rest) in [
            ("1. What is X?", "What is X?"),
            ("12) Closures", "Closures"),
            ("Q3: Why?", "Why?"),
            ("Q12. Why?", "Why?"),
            ("Question 4. How?", "How?"),
            ("#5 Hoisting", "Hoisting"),
            ("1.2. Nested numbers", "Nested numbers"),
            ("2024 was a year", "2024 was a year"),
            ("Quick question", "Quick question"),
            ("1.5x faster", "1.5x faster"),
        ] {
            assert_eq!(strip_numbering(text), rest, "{text}");
        }
    }

    #[test]
    fn questions_are_recognised_in_many_shapes() {
        for q in [
            "What is a closure?",
            "Explain the event loop",
            "¿Qué es un cierre?",
            "Что такое замыкание?",
            "什么是闭包？",
            "**How does `GC` work**",
            "3. Describe REST",
        ] {
            assert_eq!(question_score(q), 1.0, "{q}");
        }
        assert_eq!(question_score("4. Closures"), 0.5);
        for not in ["Introduction", "Table of Contents", "Contributing", ""] {
            assert_eq!(question_score(not), 0.0, "{not}");
        }
    }

    #[test]
    fn slugs_and_ids() {
        assert_eq!(github_slug("What is `this`?"), "what-is-this");
        assert_eq!(github_slug("Qu'est-ce qu'un 🍪 ?"), "quest-ce-quun--");
        assert_eq!(github_slug("Что такое замыкание?"), "что-такое-замыкание");
        assert_eq!(
            id_from("What is `this`?", 48).as_deref(),
            Some("what-is-this")
        );
        assert_eq!(
            id_from("3 ways to copy", 48).as_deref(),
            Some("q-3-ways-to-copy")
        );
        assert_eq!(id_from("Что такое замыкание?", 48), None);
        let long = id_from(&"word ".repeat(40), 48).unwrap();
        assert!(long.len() <= 48 && Id::parse(&long).is_ok(), "{long}");
        assert_eq!(humanize("q/02-closures_and-scope.md"), "Closures and scope");
        assert_eq!(humanize("README.md"), "README");
    }

    #[test]
    fn html_becomes_text() {
        assert_eq!(
            html_text("<p>A &amp; B &lt;div&gt;<br/>next</p><!-- gone -->"),
            "\nA \\& B \\<div>\nnext\n"
        );
        let tag = "<img src=\"a b.png\" ALT='An &quot;image&quot;' width=3>";
        assert_eq!(attribute(tag, "src").as_deref(), Some("a b.png"));
        assert_eq!(attribute(tag, "alt").as_deref(), Some("An \"image\""));
        assert_eq!(attribute("<a name=q1>", "name").as_deref(), Some("q1"));
        assert_eq!(attribute("<a data-name=\"x\">", "name"), None);
        assert_eq!(tag_name("</Details >"), "details");
    }

    #[test]
    fn quoting() {
        assert_eq!(toml_string("a \"b\" \\ c\n"), "\"a \\\"b\\\" \\\\ c\\n\"");
        assert_eq!(front_matter_value("It's\n  fine"), "'It''s fine'");
    }
}
