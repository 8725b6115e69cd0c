//! An answer as typed, escaped, with the words that matched a key point marked (`<mark>`):
//! the only HTML of the interview pages built by hand.

use mastery_study::interview::matching::Grading;

use crate::charts::escape;

/// The typed answer as HTML: every character escaped, and the words that matched a key
/// point in `<mark>` (marks that earned nothing, in a sentence that reads as a keyword list,
/// get the class `uncounted`). Overlapping matches are merged.
pub(crate) fn highlight(text: &str, grading: &Grading) -> String {
    let mut spans: Vec<(usize, usize, bool)> = grading
        .points
        .iter()
        .flat_map(|p| &p.groups)
        .flat_map(|g| &g.hits)
        .filter(|h| {
            h.start < h.end && text.is_char_boundary(h.start) && text.is_char_boundary(h.end)
        })
        .filter(|h| h.end <= text.len())
        .map(|h| (h.start, h.end, h.counted))
        .collect();
    spans.sort_by_key(|&(start, end, _)| (start, std::cmp::Reverse(end)));
    let mut merged: Vec<(usize, usize, bool)> = Vec::new();
    for (start, end, counted) in spans {
        match merged.last_mut() {
            Some(last) if start < last.1 => {
                last.1 = last.1.max(end);
                last.2 |= counted;
            }
            _ => merged.push((start, end, counted)),
        }
    }
    let mut out = String::with_capacity(text.len() + merged.len() * 32);
    let mut at = 0;
    for (start, end, counted) in merged {
        let (Some(before), Some(hit)) = (text.get(at..start), text.get(start..end)) else {
            continue;
        };
        out.push_str(&escape(before));
        out.push_str(if counted {
            "<mark class=\"hit\">"
        } else {
            "<mark class=\"hit uncounted\" title=\"Found in a keyword list: earns nothing\">"
        });
        out.push_str(&escape(hit));
        out.push_str("</mark>");
        at = end;
    }
    out.push_str(&escape(text.get(at..).unwrap_or_default()));
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use super::*;
    use mastery_content::KeyPoint;

    fn point(groups: &[&[&str]]) -> KeyPoint {
        KeyPoint {
            text: String::new(),
            html: String::new(),
            groups: groups
                .iter()
                .map(|g| g.iter().map(|s| (*s).to_owned()).collect())
                .collect(),
        }
    }

    #[test]
    fn highlights_escape_everything_and_mark_only_matches() {
        let points = [point(&[&["lock"], &["thread"]])];
        let text = "<script>alert(1)</script> Only one thread may hold the lock & run bytecode.";
        let grading = mastery_study::interview::grade(&points, text);
        let html = highlight(text, &grading);
        assert!(
            html.starts_with("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(html.contains("<mark class=\"hit\">thread</mark>"), "{html}");
        assert!(
            html.contains("<mark class=\"hit\">lock</mark> &amp; run"),
            "{html}"
        );
        assert!(!html.contains("<script"), "{html}");
        // Nothing found: the text only, escaped.
        let none = mastery_study::interview::grade(&points, "é <b>");
        assert_eq!(highlight("é <b>", &none), "é &lt;b&gt;");
    }

    #[test]
    fn overlapping_and_uncounted_hits_merge_into_one_mark() {
        let points = [
            point(&[&["only one"]]),
            point(&[&["one thread"]]),
            point(&[&["bytecode"]]),
        ];
        let listed = "GIL: only one thread, bytecode.";
        let grading = mastery_study::interview::grade(&points, listed);
        let html = highlight(listed, &grading);
        assert_eq!(html.matches("<mark").count(), 2, "{html}");
        assert!(
            html.contains("uncounted"),
            "a keyword list earns nothing: {html}"
        );
    }
}
