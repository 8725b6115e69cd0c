//! Styled text wrapped to the screen: a line of spans cut at spaces into lines of a width,
//! each character keeping its style, continuation lines indented.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::editor::columns;

/// A logical line and the indent of its continuation lines when wrapped.
pub type Indented = (Line<'static>, usize);

/// A line's text without its styles.
pub fn plain(line: &Line<'_>) -> String {
    line.spans.iter().map(|s| s.content.as_ref()).collect()
}

/// Wraps a styled line at spaces into lines of at most `width` columns, keeping each
/// character's style; continuation lines start with `indent` spaces. A word longer than a
/// line is broken. Leading spaces are kept, spaces at a break are dropped.
pub fn wrap_styled(line: &Line<'_>, width: usize, indent: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    let indent = if indent >= width { 0 } else { indent };
    let chars: Vec<(char, Style)> = line
        .spans
        .iter()
        .flat_map(|s| {
            let style = line.style.patch(s.style);
            s.content.chars().map(move |c| (c, style))
        })
        .collect();
    let width_of = |cs: &[(char, Style)]| {
        cs.iter()
            .map(|(c, _)| columns(c.encode_utf8(&mut [0; 4])))
            .sum::<usize>()
    };
    let mut out: Vec<Vec<(char, Style)>> = Vec::new();
    let mut current: Vec<(char, Style)> = Vec::new();
    let mut used = 0;
    let mut has_word = false;
    let avail = |out: &Vec<Vec<(char, Style)>>| {
        if out.is_empty() {
            width
        } else {
            width - indent
        }
    };
    let mut i = 0;
    while i < chars.len() {
        let sep_start = i;
        while i < chars.len() && chars[i].0.is_whitespace() {
            i += 1;
        }
        let sep = &chars[sep_start..i];
        let word_start = i;
        while i < chars.len() && !chars[i].0.is_whitespace() {
            i += 1;
        }
        let word = &chars[word_start..i];
        if word.is_empty() {
            break;
        }
        let (sep_w, word_w) = (width_of(sep), width_of(word));
        if used + sep_w + word_w <= avail(&out) {
            // Fits: leading spaces of the line are kept, as are spaces between words.
            if has_word || out.is_empty() {
                current.extend_from_slice(sep);
                used += sep_w;
            }
            current.extend_from_slice(word);
            used += word_w;
            has_word = true;
            continue;
        }
        // Break before the word (a line of only leading spaces is dropped).
        if has_word {
            out.push(std::mem::take(&mut current));
        }
        current.clear();
        used = 0;
        has_word = false;
        for &(c, style) in word {
            let w = columns(c.encode_utf8(&mut [0; 4]));
            if used + w > avail(&out) && has_word {
                out.push(std::mem::take(&mut current));
                used = 0;
            }
            current.push((c, style));
            used += w;
            has_word = true;
        }
    }
    if has_word || out.is_empty() {
        out.push(current);
    }
    out.into_iter()
        .enumerate()
        .map(|(n, cs)| {
            let mut spans: Vec<Span<'static>> = Vec::new();
            if n > 0 && indent > 0 {
                spans.push(Span::raw(" ".repeat(indent)));
            }
            let mut run = String::new();
            let mut run_style: Option<Style> = None;
            for (c, style) in cs {
                if run_style.is_some_and(|s| s != style) {
                    spans.push(Span::styled(
                        std::mem::take(&mut run),
                        run_style.unwrap_or_default(),
                    ));
                }
                run_style = Some(style);
                run.push(c);
            }
            if !run.is_empty() {
                spans.push(Span::styled(run, run_style.unwrap_or_default()));
            }
            Line::from(spans)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use ratatui::style::{Modifier, Stylize};

    use super::*;

    fn texts(lines: &[Line<'_>]) -> Vec<String> {
        lines.iter().map(plain).collect()
    }

    #[test]
    fn styled_text_wraps_at_spaces_with_a_hanging_indent() {
        let line = Line::from(vec![
            Span::raw("[x] 1  "),
            Span::raw("The GIL lets only one thread run").bold(),
        ]);
        let lines = wrap_styled(&line, 20, 7);
        assert_eq!(
            texts(&lines),
            [
                "[x] 1  The GIL lets",
                "       only one",
                "       thread run"
            ]
        );
        assert!(lines.iter().all(|l| l.width() <= 20));
        // The styles stay with their characters.
        let bold: String = lines[0]
            .spans
            .iter()
            .filter(|s| s.style.add_modifier.contains(Modifier::BOLD))
            .map(|s| s.content.as_ref())
            .collect();
        assert_eq!(bold, "The GIL lets");
        assert_eq!(texts(&wrap_styled(&Line::default(), 10, 0)), [""]);
        assert_eq!(
            texts(&wrap_styled(&Line::from("    indented code"), 40, 0)),
            ["    indented code"]
        );
        assert_eq!(
            texts(&wrap_styled(&Line::from("abcdefghij"), 4, 0)),
            ["abcd", "efgh", "ij"]
        );
    }
}
