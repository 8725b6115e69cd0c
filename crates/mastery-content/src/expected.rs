//! Comparing a program's output with the output recorded in a guide.
//!
//! The comparison is exact, line by line, except where the author marked what varies:
//! `[..]` inside a line matches any text on that line, and a line that is exactly `[...]`
//! matches any number of lines (zero or more). Trailing spaces and trailing blank lines are
//! ignored on both sides, since a Markdown fence cannot show them. `mastery verify` uses
//! this for examples and study mode uses it to grade "predict the output" answers.

/// Marks varying text inside one line.
pub const ANY_TEXT: &str = "[..]";
/// A line that matches any number of lines.
pub const ANY_LINES: &str = "[...]";

/// Splits text into comparable lines: trailing spaces and trailing blank lines dropped,
/// `\r\n` treated as `\n`.
pub fn normalise(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    while lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

/// `true` when `actual` matches the recorded `expected` output.
pub fn output_matches(expected: &str, actual: &str) -> bool {
    let pattern = normalise(expected);
    let lines = normalise(actual);
    // reachable[j]: the pattern prefix read so far can match the first j lines.
    let mut reachable = vec![false; lines.len() + 1];
    reachable[0] = true;
    for pat in &pattern {
        let mut next = vec![false; lines.len() + 1];
        if *pat == ANY_LINES {
            let mut seen = false;
            for (j, slot) in next.iter_mut().enumerate() {
                seen |= reachable[j];
                *slot = seen;
            }
        } else {
            for j in 0..lines.len() {
                if reachable[j] && line_matches(pat, lines[j]) {
                    next[j + 1] = true;
                }
            }
        }
        reachable = next;
    }
    reachable[lines.len()]
}

/// `true` when one line matches one pattern line with `[..]` wildcards.
pub fn line_matches(pattern: &str, line: &str) -> bool {
    let mut pieces = pattern.split(ANY_TEXT);
    let first = pieces.next().unwrap_or("");
    let Some(mut rest) = line.strip_prefix(first) else {
        return false;
    };
    let pieces: Vec<&str> = pieces.collect();
    let Some((last, middle)) = pieces.split_last() else {
        // No wildcard at all: the whole line must have been consumed.
        return rest.is_empty();
    };
    for piece in middle {
        match rest.find(piece) {
            Some(at) => rest = &rest[at + piece.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn exact_comparison_ignores_trailing_space_and_blank_lines() {
        assert!(output_matches("a\nb", "a  \nb\n\n"));
        assert!(!output_matches("a\nb", "a\nc"));
        assert!(!output_matches("a", "a\nb"));
        assert!(output_matches("", ""));
        assert!(!output_matches("", "x"));
    }

    #[test]
    fn in_line_wildcards() {
        assert!(output_matches("took [..] s", "took 1.002 s"));
        assert!(output_matches("took [..] s", "took  s"));
        assert!(!output_matches("took [..] s", "took 1.0 ms!"));
        assert!(output_matches("<A at 0x[..]>", "<A at 0x7f12ab>"));
        assert!(output_matches("[..]", "anything"));
        assert!(output_matches("a[..]b[..]c", "a-b-b-c"));
        assert!(!output_matches("a[..]b[..]c", "a-c-b"));
        assert!(line_matches("ab[..]ab", "ab"[..].repeat(2).as_str()));
        assert!(!line_matches("ab[..]ab", "ab"));
    }

    #[test]
    fn line_wildcards() {
        let expected = "Traceback (most recent call last):\n[...]\nValueError: x";
        let actual =
            "Traceback (most recent call last):\n  File \"a.py\", line 1\n    f()\nValueError: x\n";
        assert!(output_matches(expected, actual));
        assert!(output_matches("start\n[...]\nend", "start\nend"));
        assert!(!output_matches("start\n[...]\nend", "start\nmiddle"));
        assert!(output_matches("[...]", ""));
    }

    proptest! {
        #[test]
        fn text_matches_itself(s in "[a-z \\n.]{0,60}") {
            prop_assert!(output_matches(&s, &s));
        }

        #[test]
        fn any_lines_matches_everything(s in "\\PC{0,80}") {
            prop_assert!(output_matches("[...]", &s));
        }

        #[test]
        fn never_panics(p in "(\\[\\.\\.\\]|\\[\\.\\.\\.\\]|[ab\\n])*", s in "[ab\\n]{0,20}") {
            let _ = output_matches(&p, &s);
        }
    }
}
