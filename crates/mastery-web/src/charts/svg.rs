//! The shared SVG primitives of the charts: the opening tag with its title and description,
//! `<text>`, `<rect>` and `<line>` elements, numbers in user units, the axis of a bar chart,
//! and the formatting of counts, durations and long titles. It uses no other chart module.

use mastery_content::html::escape;

/// A number of user units, with at most one decimal.
pub(super) fn n(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{rounded:.0}")
    } else {
        format!("{rounded:.1}")
    }
}

/// "1 review", "3 reviews": the one helper every front end uses.
pub use mastery_study::text::plural;

/// A duration for people: "0m", "40s", "12m", "1h 05m".
pub fn duration(ms: u64) -> String {
    let secs = ms / 1000;
    if secs == 0 {
        "0m".to_owned()
    } else if secs < 60 {
        format!("{secs}s")
    } else if secs < 3600 {
        format!("{}m", secs / 60)
    } else {
        format!("{}h {:02}m", secs / 3600, (secs % 3600) / 60)
    }
}

/// The opening tag, title and description of a chart.
pub(super) fn open(
    id: &str,
    class: &str,
    width: f64,
    height: f64,
    title: &str,
    desc: &str,
) -> String {
    let id = escape(id);
    format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {class}\" viewBox=\"0 0 {w} {h}\" \
         role=\"img\" aria-labelledby=\"{id}-title {id}-desc\" focusable=\"false\">\
         <title id=\"{id}-title\">{title}</title><desc id=\"{id}-desc\">{desc}</desc>",
        class = escape(class),
        w = n(width),
        h = n(height),
        title = escape(title),
        desc = escape(desc),
    )
}

/// A `<text>` element; `class` sets the anchor and colour.
pub(super) fn text(x: f64, y: f64, class: &str, content: &str) -> String {
    format!(
        "<text class=\"{}\" x=\"{}\" y=\"{}\">{}</text>",
        escape(class),
        n(x),
        n(y),
        escape(content)
    )
}

/// A `<rect>` with a tooltip.
pub(super) fn rect(class: &str, x: f64, y: f64, w: f64, h: f64, tip: &str) -> String {
    format!(
        "<rect class=\"{}\" x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\"><title>{}</title></rect>",
        escape(class),
        n(x),
        n(y),
        n(w.max(0.0)),
        n(h.max(0.0)),
        escape(tip)
    )
}

pub(super) fn line(class: &str, x1: f64, y1: f64, x2: f64, y2: f64) -> String {
    format!(
        "<line class=\"{}\" x1=\"{}\" y1=\"{}\" x2=\"{}\" y2=\"{}\"/>",
        escape(class),
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    )
}

/// The axis maximum and step for counts up to `max`: a step of 1, 2 or 5 × 10ⁿ with at most
/// four steps.
pub(super) fn nice_axis(max: f64) -> (f64, f64) {
    if !max.is_finite() || max <= 0.0 {
        return (4.0, 1.0);
    }
    let mut step = 1.0;
    loop {
        for factor in [1.0, 2.0, 5.0] {
            let s = step * factor;
            if (max / s).ceil() <= 4.0 {
                return ((max / s).ceil() * s, s);
            }
        }
        step *= 10.0;
    }
}

/// A short duration for a label over a bar: "40s", "13m", "1.5h".
pub(super) fn compact_duration(ms: u64) -> String {
    if ms >= 3_600_000 {
        format!("{}h", n(ms as f64 / 3_600_000.0))
    } else {
        duration(ms)
    }
}

/// `text` cut to at most `max` characters, ending with "…" when cut.
pub(super) fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(max.saturating_sub(1)).collect();
        format!("{}…", cut.trim_end())
    }
}

/// Checks shared by the tests of the charts.
#[cfg(test)]
pub(super) mod testing {
    /// Checks that every tag is closed in order and that `&` only starts an entity: enough
    /// to catch a broken chart (the browser's parser is forgiving, a test should not be).
    pub(in crate::charts) fn assert_well_formed(svg: &str) {
        assert!(svg.starts_with("<svg "), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("style="), "no inline styles: {svg}");
        assert!(!svg.contains("fill="), "colours come from classes");
        let mut stack: Vec<String> = Vec::new();
        let mut rest = svg;
        while let Some(start) = rest.find('<') {
            let text = &rest[..start];
            for (i, _) in text.match_indices('&') {
                let entity = &text[i..];
                assert!(
                    ["&amp;", "&lt;", "&gt;", "&quot;", "&#39;"]
                        .iter()
                        .any(|e| entity.starts_with(e)),
                    "bare & in {text:?}"
                );
            }
            let end = rest[start..].find('>').expect("unclosed tag") + start;
            let tag = &rest[start + 1..end];
            assert!(!tag.contains('<'), "< inside a tag: {tag}");
            assert_eq!(tag.matches('"').count() % 2, 0, "unbalanced quotes: {tag}");
            if let Some(name) = tag.strip_prefix('/') {
                assert_eq!(stack.pop().as_deref(), Some(name), "closing {name}");
            } else if !tag.ends_with('/') {
                let name = tag.split_whitespace().next().unwrap_or_default();
                stack.push(name.to_owned());
            }
            rest = &rest[end + 1..];
        }
        assert!(stack.is_empty(), "unclosed: {stack:?}");
        assert!(rest.is_empty());
    }

    pub(in crate::charts) fn assert_accessible(svg: &str, id: &str) {
        assert!(svg.contains("role=\"img\""));
        assert!(svg.contains(&format!("aria-labelledby=\"{id}-title {id}-desc\"")));
        assert!(svg.contains(&format!("<title id=\"{id}-title\">")));
        assert!(svg.contains(&format!("<desc id=\"{id}-desc\">")));
        assert!(svg.contains("viewBox=\"0 0 "));
    }

    pub(in crate::charts) fn count(svg: &str, needle: &str) -> usize {
        svg.matches(needle).count()
    }

    /// 2025-06-11, a Wednesday.
    pub(in crate::charts) const TODAY: i64 = 20_250;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helpers_table() {
        // (max, axis max, step)
        for (max, top, step) in [
            (0.0, 4.0, 1.0),
            (3.0, 3.0, 1.0),
            (4.0, 4.0, 1.0),
            (5.0, 6.0, 2.0),
            (12.0, 15.0, 5.0),
            (38.0, 40.0, 10.0),
            (170.0, 200.0, 50.0),
            (0.5, 1.0, 1.0),
        ] {
            assert_eq!(nice_axis(max), (top, step), "{max}");
        }
        for (ms, text) in [
            (0, "0m"),
            (999, "0m"),
            (40_000, "40s"),
            (12 * 60_000 + 5_000, "12m"),
            (3_900_000, "1h 05m"),
        ] {
            assert_eq!(duration(ms), text);
        }
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        assert_eq!(plural(1, "card", "cards"), "1 card");
        assert_eq!(plural(0, "card", "cards"), "0 cards");
        assert_eq!(n(3.0), "3");
        assert_eq!(n(3.25), "3.3");
    }
}
